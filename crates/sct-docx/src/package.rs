//! The zip package: every part in a fixed order, each with the same fixed time, so the same
//! document gives byte-identical files (a board paper can be checked into a repository, or
//! compared with yesterday's by its hash).

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::body::body;
use crate::{Document, DocxError, parts};

/// The document as the bytes of a `.docx` file.
pub fn to_bytes(doc: &Document) -> Result<Vec<u8>, DocxError> {
    let body = body(doc)?;
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    // The zip's default time is the clock's when its `time` feature is on anywhere in the
    // build: the DOS epoch, always, instead.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    let mut part = |name: &str, bytes: &[u8]| -> Result<(), DocxError> {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    // [Content_Types].xml first, as Word and other readers expect.
    part("[Content_Types].xml", parts::content_types().as_bytes())?;
    part("_rels/.rels", parts::package_rels().as_bytes())?;
    part("docProps/core.xml", parts::core(&doc.title).as_bytes())?;
    part("docProps/app.xml", parts::app().as_bytes())?;
    part("word/document.xml", body.xml.as_bytes())?;
    part(
        "word/_rels/document.xml.rels",
        parts::document_rels(body.images.len()).as_bytes(),
    )?;
    part("word/styles.xml", parts::styles().as_bytes())?;
    part(
        "word/numbering.xml",
        parts::numbering(&body.ordered).as_bytes(),
    )?;
    part("word/settings.xml", parts::settings().as_bytes())?;
    part("word/footer1.xml", parts::footer(&doc.footer).as_bytes())?;
    for (k, png) in body.images.iter().enumerate() {
        part(&format!("word/media/image{}.png", k + 1), png)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Writes the document's `.docx` bytes into `out`.
pub fn write(doc: &Document, out: &mut dyn Write) -> Result<(), DocxError> {
    out.write_all(&to_bytes(doc)?)?;
    Ok(())
}
