//! The package a Word reader needs, checked by unzipping it: headings in Word's heading
//! styles, tables with a repeating header row and a caption, images with alt text, A4 pages
//! numbered in the footer; the same document gives the same bytes; and LibreOffice opens it
//! where it is installed.

use std::io::Read;
use std::process::Command;

use sct_docx::{Block, Document, Image, Orientation, Paragraph, Table};

/// A 2 × 1 PNG (one red and one blue pixel).
fn png() -> Vec<u8> {
    let hex = "89504e470d0a1a0a0000000d4948445200000002000000010802000000\
               7b40e85d0000000f4944415478da63f8cfc0f09f8181010010f002ff6a\
               0fa9ad0000000049454e44ae426082";
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn sample() -> Document {
    let mut doc = Document::new("Board paper <draft>");
    doc.footer = "NHS Example ICB".into();
    doc.heading(1, "Board paper");
    doc.heading(2, "Board summary");
    doc.paragraph("Overall level: Developing & improving.");
    doc.bullets(["first", "second"]);
    doc.list(
        true,
        vec![Paragraph::new().bold("One").plain(": the first")],
    );
    doc.push(Block::Table(
        Table::new("Level by domain", ["Domain", "Level"])
            .row(["3.1 Context", "Developing"])
            .row(["3.2 Plans", "Maturing\nsecond line"]),
    ));
    doc.push(Block::Image(Image::png(
        png(),
        "Radar",
        "Radar chart of 2 domains: 3.1 score 2, target 3.",
        "Domain scores against targets",
    )));
    doc.heading(3, "Method");
    doc.note("Dated by the assessment, never the clock.");
    doc
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn the_body_has_headings_tables_captions_and_images_with_alt_text() {
    let bytes = sct_docx::to_bytes(&sample()).unwrap();
    let doc = part(&bytes, "word/document.xml");
    for needle in [
        r#"<w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t xml:space="preserve">Board paper</w:t>"#,
        r#"<w:pStyle w:val="Heading2"/>"#,
        r#"<w:pStyle w:val="Heading3"/>"#,
        "<w:tblHeader/>",
        r#"SEQ Table \* ARABIC"#,
        ": Level by domain",
        r#"descr="Radar chart of 2 domains: 3.1 score 2, target 3.""#,
        r#"SEQ Figure \* ARABIC"#,
        r#"<w:pgSz w:w="11906" w:h="16838"/>"#,
        r#"<w:footerReference w:type="default" r:id="rIdFooter"/>"#,
        r#"Maturing</w:t><w:br/><w:t xml:space="preserve">second line"#,
        "Developing &amp; improving.",
    ] {
        assert!(doc.contains(needle), "document.xml lacks {needle}");
    }
    let footer = part(&bytes, "word/footer1.xml");
    assert!(footer.contains(" PAGE "), "{footer}");
    assert!(footer.contains("NHS Example ICB"));
    let styles = part(&bytes, "word/styles.xml");
    assert!(styles.contains(r#"w:styleId="Heading1"><w:name w:val="heading 1"/>"#));
    assert!(part(&bytes, "docProps/core.xml").contains("Board paper &lt;draft&gt;"));
    assert!(part(&bytes, "word/_rels/document.xml.rels").contains("media/image1.png"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(zip.by_index(0).unwrap().name(), "[Content_Types].xml");
}

#[test]
fn landscape_turns_the_a4_page() {
    let mut doc = sample();
    doc.orientation = Orientation::Landscape;
    let xml = part(&sct_docx::to_bytes(&doc).unwrap(), "word/document.xml");
    assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#));
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let a = sct_docx::to_bytes(&sample()).unwrap();
    let b = sct_docx::to_bytes(&sample()).unwrap();
    assert_eq!(a, b);
    // Every entry carries the DOS epoch, not the time it was written.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).unwrap();
        let t = entry.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (1980, 1, 1),
            "{}",
            entry.name()
        );
    }
}

#[test]
fn an_image_that_is_not_a_png_is_refused_by_name() {
    let mut doc = Document::new("x");
    doc.push(Block::Image(Image::png(
        b"GIF89a".to_vec(),
        "Radar",
        "alt",
        "",
    )));
    let e = sct_docx::to_bytes(&doc).unwrap_err();
    assert_eq!(e.to_string(), "image \"Radar\" is not a PNG");
}

#[test]
fn libreoffice_opens_it() {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("paper.docx");
    std::fs::write(&docx, sct_docx::to_bytes(&sample()).unwrap()).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let out = Command::new("soffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    let pdf = dir.path().join("paper.pdf");
    assert!(
        out.status.success() && pdf.is_file(),
        "soffice could not convert: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}

/// Every part that is XML parses, whatever text a user's file brought in: markup, quotes,
/// control characters a CSV cell may carry, characters outside the basic plane.
#[test]
fn every_part_is_well_formed_whatever_the_text() {
    let hostile =
        "<b>&amp; \"quoted\" 'single' \u{1}\u{7}\u{1b}[31m \u{fffe} 🏥 tab\there\r\nnew line";
    let mut doc = Document::new(hostile);
    doc.footer = hostile.into();
    doc.heading(1, hostile);
    doc.paragraph(hostile);
    doc.bullets([hostile]);
    doc.push(Block::Table(Table::new(hostile, [hostile]).row([hostile])));
    doc.push(Block::Image(Image::png(png(), hostile, hostile, hostile)));
    let bytes = sct_docx::to_bytes(&doc).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for name in names
        .iter()
        .filter(|n| n.ends_with(".xml") || n.ends_with(".rels"))
    {
        let mut xml = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name} is not well-formed: {e}\n{xml}"),
            }
        }
        assert!(!xml.contains('\u{1}') && !xml.contains('\u{1b}'), "{name}");
    }
    let text = part(&bytes, "word/document.xml");
    assert!(text.contains("&lt;b&gt;&amp;amp; &quot;quoted&quot; &apos;single&apos;"));
    assert!(text.contains("🏥"));
}
