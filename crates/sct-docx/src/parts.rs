//! The package's parts other than the body: content types, relationships, styles, list
//! numbering, settings, the footer with its page number, and the document properties.

use std::fmt::Write;

use crate::body::escape;

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// `[Content_Types].xml`.
pub(crate) fn content_types() -> String {
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        concat!(
            "{xml}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
            "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
            "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
            "<Default Extension=\"png\" ContentType=\"image/png\"/>",
            "<Override PartName=\"/word/document.xml\" ContentType=\"{wml}.document.main+xml\"/>",
            "<Override PartName=\"/word/styles.xml\" ContentType=\"{wml}.styles+xml\"/>",
            "<Override PartName=\"/word/numbering.xml\" ContentType=\"{wml}.numbering+xml\"/>",
            "<Override PartName=\"/word/settings.xml\" ContentType=\"{wml}.settings+xml\"/>",
            "<Override PartName=\"/word/footer1.xml\" ContentType=\"{wml}.footer+xml\"/>",
            "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
            "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
            "</Types>"
        ),
        xml = XML,
        wml = wml
    )
}

/// `_rels/.rels`: the package's main document and properties.
pub(crate) fn package_rels() -> String {
    format!(
        concat!(
            "{xml}<Relationships xmlns=\"{ns}\">",
            "<Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"word/document.xml\"/>",
            "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
            "<Relationship Id=\"rId3\" Type=\"{rel}/extended-properties\" Target=\"docProps/app.xml\"/>",
            "</Relationships>"
        ),
        xml = XML,
        ns = PKG_REL_NS,
        rel = REL_NS
    )
}

/// `word/_rels/document.xml.rels`: styles, numbering, settings, the footer and each image.
pub(crate) fn document_rels(images: usize) -> String {
    let mut s = format!("{XML}<Relationships xmlns=\"{PKG_REL_NS}\">");
    for (id, kind, target) in [
        ("rIdStyles", "styles", "styles.xml"),
        ("rIdNumbering", "numbering", "numbering.xml"),
        ("rIdSettings", "settings", "settings.xml"),
        ("rIdFooter", "footer", "footer1.xml"),
    ] {
        let _ = write!(
            s,
            "<Relationship Id=\"{id}\" Type=\"{REL_NS}/{kind}\" Target=\"{target}\"/>"
        );
    }
    for n in 1..=images {
        let _ = write!(
            s,
            "<Relationship Id=\"rIdImg{n}\" Type=\"{REL_NS}/image\" Target=\"media/image{n}.png\"/>"
        );
    }
    s.push_str("</Relationships>");
    s
}

/// `word/styles.xml`: Normal, Heading 1-3 (with outline levels, so the navigation pane and a
/// table of contents find them), Caption, Note, TableText, ListParagraph, Figure, Footer and
/// the Grid table style. Arial, as NHS documents are set.
pub(crate) fn styles() -> String {
    let heading = |n: u8, size: u8, color: &str, before: u16| {
        format!(
            concat!(
                "<w:style w:type=\"paragraph\" w:styleId=\"Heading{n}\"><w:name w:val=\"heading {n}\"/>",
                "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>",
                "<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"{before}\" w:after=\"120\"/><w:outlineLvl w:val=\"{lvl}\"/></w:pPr>",
                "<w:rPr><w:b/><w:color w:val=\"{color}\"/><w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr></w:style>"
            ),
            n = n,
            lvl = n - 1,
            size = size,
            color = color,
            before = before
        )
    };
    let mut s = format!(
        concat!(
            "{xml}<w:styles xmlns:w=\"{w}\">",
            "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:eastAsia=\"Arial\" w:cs=\"Arial\"/>",
            "<w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"en-GB\"/></w:rPr></w:rPrDefault>",
            "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>",
            "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>",
        ),
        xml = XML,
        w = W_NS
    );
    s.push_str(&heading(1, 36, "005EB8", 360));
    s.push_str(&heading(2, 28, "005EB8", 320));
    s.push_str(&heading(3, 24, "231F20", 240));
    s.push_str(concat!(
        "<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>",
        "<w:pPr><w:spacing w:before=\"120\" w:after=\"80\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"425563\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>",
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Note\"><w:name w:val=\"Note\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>",
        "<w:rPr><w:color w:val=\"4C6272\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>",
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>",
        "<w:pPr><w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>",
        "<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>",
        "<w:pPr><w:spacing w:after=\"60\"/><w:ind w:left=\"720\"/><w:contextualSpacing/></w:pPr></w:style>",
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Figure\"><w:name w:val=\"Figure\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>",
        "<w:pPr><w:spacing w:before=\"120\" w:after=\"0\"/><w:jc w:val=\"center\"/></w:pPr></w:style>",
        "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>",
        "<w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:color w:val=\"4C6272\"/><w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/></w:rPr></w:style>",
        "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>",
        "<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
        "<w:style w:type=\"table\" w:styleId=\"Grid\"><w:name w:val=\"Table Grid\"/><w:basedOn w:val=\"TableNormal\"/>",
        "<w:tblPr><w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"AEB7BD\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"AEB7BD\"/>",
        "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"AEB7BD\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"AEB7BD\"/>",
        "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"AEB7BD\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"AEB7BD\"/></w:tblBorders>",
        "<w:tblCellMar><w:top w:w=\"28\" w:type=\"dxa\"/><w:left w:w=\"57\" w:type=\"dxa\"/><w:bottom w:w=\"28\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
        "</w:styles>"
    ));
    s
}

/// `word/numbering.xml`: a bullet and a decimal list definition, and one instance per list
/// (a numbered list restarts at 1).
pub(crate) fn numbering(ordered: &[bool]) -> String {
    let level = |fmt: &str, text: &str| {
        format!(
            "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"720\" w:hanging=\"360\"/></w:pPr></w:lvl>"
        )
    };
    let mut s = format!(
        "{XML}<w:numbering xmlns:w=\"{W_NS}\"><w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/>{}</w:abstractNum><w:abstractNum w:abstractNumId=\"1\"><w:multiLevelType w:val=\"singleLevel\"/>{}</w:abstractNum>",
        level("bullet", "\u{2022}"),
        level("decimal", "%1.")
    );
    for (k, o) in ordered.iter().enumerate() {
        let _ = write!(
            s,
            "<w:num w:numId=\"{}\"><w:abstractNumId w:val=\"{}\"/>{}</w:num>",
            k + 1,
            u8::from(*o),
            if *o {
                "<w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride>"
            } else {
                ""
            }
        );
    }
    s.push_str("</w:numbering>");
    s
}

/// `word/settings.xml`: the default tab stop and Word 2013's compatibility mode.
pub(crate) fn settings() -> String {
    format!(
        "{XML}<w:settings xmlns:w=\"{W_NS}\"><w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat><w:themeFontLang w:val=\"en-GB\"/></w:settings>"
    )
}

/// `word/footer1.xml`: the footer's text, then "Page n of m" at the right margin (PAGE and
/// NUMPAGES fields, which Word and LibreOffice fill in on every page). Two lines, so that a
/// long title never splits the page number.
pub(crate) fn footer(text: &str) -> String {
    let field = |instr: &str| {
        format!(
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> {instr} </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        )
    };
    format!(
        concat!(
            "{xml}<w:ftr xmlns:w=\"{w}\" xmlns:r=\"{r}\">",
            "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>",
            "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:jc w:val=\"right\"/></w:pPr>",
            "<w:r><w:t xml:space=\"preserve\">Page </w:t></w:r>{page}",
            "<w:r><w:t xml:space=\"preserve\"> of </w:t></w:r>{pages}</w:p></w:ftr>"
        ),
        xml = XML,
        w = W_NS,
        r = REL_NS,
        text = escape(text),
        page = field("PAGE"),
        pages = field("NUMPAGES")
    )
}

/// `docProps/core.xml`: the title and language. No dates: the same inputs give the same file.
pub(crate) fn core(title: &str) -> String {
    format!(
        concat!(
            "{xml}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" ",
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" ",
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
            "<dc:title>{title}</dc:title><dc:language>en-GB</dc:language><dc:creator>sct</dc:creator></cp:coreProperties>"
        ),
        xml = XML,
        title = escape(title)
    )
}

/// `docProps/app.xml`: the application that wrote the file.
pub(crate) fn app() -> String {
    format!(
        "{XML}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>sct {}</Application></Properties>",
        env!("CARGO_PKG_VERSION")
    )
}
