//! `word/document.xml`: the body, from the model's blocks, with the section's A4 page.

use std::fmt::Write;

use crate::{Block, Document, DocxError, Image, Orientation, Paragraph, Run, Table};

/// A4 in twentieths of a point (210 × 297 mm).
const A4_SHORT: u32 = 11906;
/// A4's long side in twentieths of a point.
const A4_LONG: u32 = 16838;
/// Margins of 2 cm (1134 twips) on every side, wide enough for printers and binders.
const MARGIN: u32 = 1134;
/// A table cell's padding left and right, in twips (1 mm; the Grid style's tblCellMar in
/// parts.rs): narrow, so that a portrait page
/// holds eight columns of words (the people at each of five levels).
const CELL_PADDING: u32 = 57;
/// English Metric Units per twip (914400 per inch, 1440 twips per inch).
const EMU_PER_TWIP: u64 = 635;
/// English Metric Units per pixel at 96 dpi.
const EMU_PER_PX: u64 = 9525;

/// The body's XML and what the package needs beside it.
pub(crate) struct Body {
    /// `word/document.xml`.
    pub xml: String,
    /// The images, in order: image k is `word/media/image{k+1}.png`, relationship `rIdImg{k+1}`.
    pub images: Vec<Vec<u8>>,
    /// How many lists: list k has numbering instance k+1 (its kind in `ordered[k]`).
    pub ordered: Vec<bool>,
}

/// The state threaded through the blocks: counters that number captions, pictures and lists
/// within this one document, so the same document always gives the same ids.
struct Writer {
    xml: String,
    images: Vec<Vec<u8>>,
    ordered: Vec<bool>,
    tables: usize,
    figures: usize,
    text_width: u32,
}

/// The body of `doc` as `word/document.xml`.
pub(crate) fn body(doc: &Document) -> Result<Body, DocxError> {
    let (w, h) = page_size(doc.orientation);
    let mut out = Writer {
        xml: String::with_capacity(64 * 1024),
        images: Vec::new(),
        ordered: Vec::new(),
        tables: 0,
        figures: 0,
        text_width: w - 2 * MARGIN,
    };
    out.xml.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
        r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
        r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
        r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
        r#"xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>"#,
    ));
    for block in &doc.blocks {
        out.block(block)?;
    }
    let orient = match doc.orientation {
        Orientation::Portrait => "",
        Orientation::Landscape => r#" w:orient="landscape""#,
    };
    let _ = write!(
        out.xml,
        concat!(
            r#"<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/>"#,
            r#"<w:pgSz w:w="{w}" w:h="{h}"{orient}/>"#,
            r#"<w:pgMar w:top="{m}" w:right="{m}" w:bottom="{m}" w:left="{m}" w:header="567" w:footer="567" w:gutter="0"/>"#,
            r#"</w:sectPr></w:body></w:document>"#
        ),
        w = w,
        h = h,
        orient = orient,
        m = MARGIN
    );
    Ok(Body {
        xml: out.xml,
        images: out.images,
        ordered: out.ordered,
    })
}

/// Width and height of an A4 page in twips.
fn page_size(orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Portrait => (A4_SHORT, A4_LONG),
        Orientation::Landscape => (A4_LONG, A4_SHORT),
    }
}

impl Writer {
    fn block(&mut self, block: &Block) -> Result<(), DocxError> {
        match block {
            Block::Heading { level, text } => {
                let level = (*level).clamp(1, 3);
                let _ = write!(
                    self.xml,
                    r#"<w:p><w:pPr><w:pStyle w:val="Heading{level}"/></w:pPr>"#
                );
                run(&mut self.xml, &Run::plain(text.as_str()));
                self.xml.push_str("</w:p>");
            }
            Block::Paragraph(p) => paragraph(&mut self.xml, p, None, ""),
            Block::List { ordered, items } => {
                self.ordered.push(*ordered);
                let id = self.ordered.len();
                let numbering =
                    format!(r#"<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{id}"/></w:numPr>"#);
                for item in items {
                    paragraph(&mut self.xml, item, Some("ListParagraph"), &numbering);
                }
            }
            Block::Table(t) => self.table(t),
            Block::Image(i) => self.image(i)?,
            Block::PageBreak => self
                .xml
                .push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#),
        }
        Ok(())
    }

    /// A numbered caption: "Table 3: ..." or "Figure 2: ...", the number a SEQ field (so
    /// Word renumbers captions when a user moves them) with this document's count cached.
    fn caption(&mut self, kind: &str, n: usize, text: &str, keep_next: bool) {
        let keep = if keep_next { "<w:keepNext/>" } else { "" };
        let _ = write!(
            self.xml,
            r#"<w:p><w:pPr><w:pStyle w:val="Caption"/>{keep}</w:pPr><w:r><w:t xml:space="preserve">{kind} </w:t></w:r><w:fldSimple w:instr=" SEQ {kind} \* ARABIC "><w:r><w:t>{n}</w:t></w:r></w:fldSimple>"#
        );
        run(&mut self.xml, &Run::plain(format!(": {text}")));
        self.xml.push_str("</w:p>");
    }

    fn table(&mut self, t: &Table) {
        self.tables += 1;
        if !t.caption.is_empty() {
            self.caption("Table", self.tables, &t.caption, true);
        }
        let columns = t
            .header
            .len()
            .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let grid = column_widths(&t.widths, &least_widths(t, columns), self.text_width);
        let _ = write!(
            self.xml,
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="{}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="{}" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>"#,
            grid.iter().sum::<u32>(),
            u8::from(t.row_headers)
        );
        for g in &grid {
            let _ = write!(self.xml, r#"<w:gridCol w:w="{g}"/>"#);
        }
        self.xml.push_str("</w:tblGrid>");
        // The header row repeats at the top of each page and never splits.
        self.xml
            .push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (i, &g) in grid.iter().enumerate() {
            let text = t.header.get(i).map_or("", String::as_str);
            let p = Paragraph::new().bold(text);
            cell(&mut self.xml, g, &[p], true, true);
        }
        self.xml.push_str("</w:tr>");
        for row in &t.rows {
            self.xml.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (i, &g) in grid.iter().enumerate() {
                let p = row.get(i).cloned().unwrap_or_default();
                let bold = t.row_headers && i == 0;
                cell(&mut self.xml, g, std::slice::from_ref(&p), false, bold);
            }
            self.xml.push_str("</w:tr>");
        }
        self.xml.push_str("</w:tbl>");
        // Word needs a paragraph between two tables, or it joins them.
        self.xml
            .push_str(r#"<w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:p>"#);
    }

    fn image(&mut self, image: &Image) -> Result<(), DocxError> {
        let Some((px_w, px_h)) = png_size(&image.png) else {
            return Err(DocxError::NotPng {
                name: image.name.clone(),
            });
        };
        self.images.push(image.png.clone());
        let n = self.images.len();
        // At 96 dpi, as a browser shows it, but no wider than the share of the text width
        // asked for.
        let share = if image.max_width > 0.0 && image.max_width <= 1.0 {
            image.max_width
        } else {
            1.0
        };
        let max = (f64::from(self.text_width) * share) as u64 * EMU_PER_TWIP;
        let natural = u64::from(px_w) * EMU_PER_PX;
        let cx = natural.min(max).max(1);
        let cy = (cx as f64 * f64::from(px_h) / f64::from(px_w.max(1))) as u64;
        let (name, alt) = (escape(&image.name), escape(&image.alt));
        let keep = if image.caption.is_empty() {
            ""
        } else {
            "<w:keepNext/>"
        };
        let _ = write!(
            self.xml,
            concat!(
                r#"<w:p><w:pPr><w:pStyle w:val="Figure"/>{keep}</w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">"#,
                r#"<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="{name}" descr="{alt}"/>"#,
                r#"<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>"#,
                r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
                r#"<pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="{name}" descr="{alt}"/><pic:cNvPicPr><a:picLocks noChangeAspect="1"/></pic:cNvPicPr></pic:nvPicPr>"#,
                r#"<pic:blipFill><a:blip r:embed="rIdImg{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"#,
                r#"<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>"#,
                r#"</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
            ),
            keep = keep,
            cx = cx,
            cy = cy,
            n = n,
            name = name,
            alt = alt
        );
        if !image.caption.is_empty() {
            self.figures += 1;
            self.caption("Figure", self.figures, &image.caption, false);
        }
        Ok(())
    }
}

/// Column widths in twips summing to the text width: in proportion to `weights` (equal when
/// they do not give one per column), then widened where a column's longest word (in its
/// header or any cell) would be broken mid-word ("Developin-g"), the room taken from the
/// columns with most to spare. When the longest words alone overfill the page, each column
/// gets its longest word's share.
fn column_widths(weights: &[u32], least: &[u32], text_width: u32) -> Vec<u32> {
    let columns = least.len();
    let weights: Vec<u32> = if weights.len() == columns && weights.iter().any(|w| *w > 0) {
        weights.to_vec()
    } else {
        vec![1; columns]
    };
    let share = |parts: &[u32]| -> Vec<u32> {
        let total = u64::from(parts.iter().sum::<u32>().max(1));
        parts
            .iter()
            .map(|w| u32::try_from(u64::from(text_width) * u64::from(*w) / total).unwrap_or(0))
            .collect()
    };
    if least.iter().map(|l| u64::from(*l)).sum::<u64>() > u64::from(text_width) {
        return share(least);
    }
    let mut widths = share(&weights);
    for i in 0..columns {
        while widths[i] < least[i] {
            let Some(j) = (0..columns)
                .filter(|&j| j != i && widths[j] > least[j])
                .max_by_key(|&j| widths[j] - least[j])
            else {
                break;
            };
            let give = (least[i] - widths[i]).min(widths[j] - least[j]);
            widths[j] -= give;
            widths[i] += give;
        }
    }
    widths
}

/// Each column's least width: its longest word, in the header or any cell.
fn least_widths(t: &Table, columns: usize) -> Vec<u32> {
    (0..columns)
        .map(|i| {
            let header = t.header.get(i).map_or(0, |h| word_twips(h));
            t.rows
                .iter()
                .filter_map(|row| row.get(i))
                .flat_map(|p| &p.runs)
                .map(|r| word_twips(&r.text))
                .fold(header, u32::max)
        })
        .collect()
}

/// The width a cell needs for the longest word of `text` in 9-point bold Arial (about 0.58
/// em a character, on the generous side) with the cell's padding.
fn word_twips(text: &str) -> u32 {
    let chars = text
        .split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    u32::try_from(chars)
        .unwrap_or(u32::MAX / 200)
        .saturating_mul(104)
        .saturating_add(2 * CELL_PADDING + 20)
}

/// One table cell of width `twips` holding `paragraphs`.
fn cell(out: &mut String, twips: u32, paragraphs: &[Paragraph], header: bool, bold: bool) {
    let shade = if header {
        r#"<w:shd w:val="clear" w:color="auto" w:fill="E8EDEE"/>"#
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"<w:tc><w:tcPr><w:tcW w:w="{twips}" w:type="dxa"/>{shade}</w:tcPr>"#
    );
    for p in paragraphs {
        let mut p = p.clone();
        // A row header is bold unless it says itself which of its runs are.
        if bold && !p.runs.iter().any(|r| r.bold) {
            for r in &mut p.runs {
                r.bold = true;
            }
        }
        paragraph(out, &p, Some("TableText"), "");
    }
    out.push_str("</w:tc>");
}

/// A paragraph in `style` (else Note or Normal), with a list's `numbering` properties.
fn paragraph(out: &mut String, p: &Paragraph, style: Option<&str>, numbering: &str) {
    let style = style.or(p.note.then_some("Note"));
    // In the order the schema gives a paragraph's properties: style, keepNext, numbering.
    let keep = if p.keep_next { "<w:keepNext/>" } else { "" };
    out.push_str("<w:p>");
    if style.is_some() || !keep.is_empty() || !numbering.is_empty() {
        out.push_str("<w:pPr>");
        if let Some(style) = style {
            let _ = write!(out, r#"<w:pStyle w:val="{style}"/>"#);
        }
        let _ = write!(out, "{keep}{numbering}</w:pPr>");
    }
    for r in &p.runs {
        run(out, r);
    }
    out.push_str("</w:p>");
}

/// A run: its text escaped, line breaks as `<w:br/>`, tabs as `<w:tab/>`.
fn run(out: &mut String, r: &Run) {
    out.push_str("<w:r>");
    if r.bold || r.italic {
        out.push_str("<w:rPr>");
        if r.bold {
            out.push_str("<w:b/>");
        }
        if r.italic {
            out.push_str("<w:i/>");
        }
        out.push_str("</w:rPr>");
    }
    for (i, line) in r.text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab/>");
            }
            text(out, piece);
        }
    }
    out.push_str("</w:r>");
}

/// Text of a run, a hyphen between two digits (a date, 2027-03-31; a range) written as a
/// non-breaking hyphen, so that a narrow column never breaks a date across lines.
fn text(out: &mut String, piece: &str) {
    let chars: Vec<char> = piece.chars().collect();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        let between_digits = *c == '-'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if between_digits {
            t(out, &chars[start..i]);
            out.push_str("<w:noBreakHyphen/>");
            start = i + 1;
        }
    }
    t(out, &chars[start..]);
}

/// One `<w:t>` of `chars`, escaped; nothing when empty.
fn t(out: &mut String, chars: &[char]) {
    if !chars.is_empty() {
        let s: String = chars.iter().collect();
        let _ = write!(out, r#"<w:t xml:space="preserve">{}</w:t>"#, escape(&s));
    }
}

/// `s` escaped for XML text and attributes, without the characters XML 1.0 forbids (control
/// characters a CSV cell may carry would make Word refuse the file).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A PNG's width and height in pixels, from its header; `None` when it is not a PNG.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() < 24 || &png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn column_widths_fill_the_text_width_in_proportion() {
        assert_eq!(column_widths(&[3, 1], &[0, 0], 400), vec![300, 100]);
        assert_eq!(column_widths(&[], &[0; 4], 400), vec![100; 4]);
    }

    #[test]
    fn a_long_word_is_given_its_width_from_the_widest_column() {
        let least = [word_twips("Competency"), word_twips("Developing")];
        let widths = column_widths(&[9, 1], &least, 4000);
        assert_eq!(widths.iter().sum::<u32>(), 4000);
        assert_eq!(widths[1], least[1]);
        // Longer words than the page holds: each column its word's share.
        assert_eq!(column_widths(&[9, 1], &[1500, 500], 1000), vec![750, 250]);
    }

    #[test]
    fn a_date_never_breaks_at_its_hyphens_and_other_hyphens_may() {
        let mut out = String::new();
        text(&mut out, "due 2027-03-31, well-led");
        assert_eq!(
            out,
            concat!(
                r#"<w:t xml:space="preserve">due 2027</w:t><w:noBreakHyphen/>"#,
                r#"<w:t xml:space="preserve">03</w:t><w:noBreakHyphen/>"#,
                r#"<w:t xml:space="preserve">31, well-led</w:t>"#
            )
        );
    }

    #[test]
    fn reads_a_png_size_and_refuses_anything_else() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((640, 480)));
        assert_eq!(png_size(b"GIF89a"), None);
    }
}
