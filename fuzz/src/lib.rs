//! What every fuzz target asserts besides "no panic": an error found in an input that has
//! lines carries a location (a line, or a line and column) so the user can find it.

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

use sct_core::{Diagnostics, Error, Sct};

/// Panics (a fuzz finding) when an error diagnostic has no location although the input is
/// not empty. `what` names the loader, for the crash report.
pub fn assert_located(what: &str, input: &str, diags: &Diagnostics) {
    if input.trim().is_empty() {
        return;
    }
    for d in diags.iter().filter(|d| d.is_error()) {
        assert!(
            d.location.is_some(),
            "{what}: an error without a location: {}",
            d.message
        );
    }
}

/// [`assert_located`] for the diagnostics inside an [`Error`]; other errors (input and
/// output, sizes) carry the path, which is their location.
pub fn assert_error_located(what: &str, input: &str, error: &Error) {
    if let Error::Invalid(diags) = error {
        assert_located(what, input, diags);
    }
}

/// The bundled frameworks and organisations, loaded once per fuzzing process: the targets
/// that resolve responses against them would otherwise spend each execution reloading them.
pub fn bundled_sct() -> &'static Sct {
    static SCT: OnceLock<Sct> = OnceLock::new();
    SCT.get_or_init(|| Sct::bundled().expect("the bundled frameworks load"))
}

/// The parts of sct's own blank template of the bundled baseline round, made once.
fn template_parts() -> &'static [(String, Vec<u8>)] {
    static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PARTS.get_or_init(|| {
        let src = sct_core::SourceFile::from_text("r.toml", "round = \"baseline-2026-03\"\n[organisation]\n");
        let doc = sct_core::load::parse_toml::<sct_core::model::ResponseDoc>(&src).expect("parses");
        let fw = sct_core::validate::resolve_frameworks(&src, &doc, &bundled_sct().registry)
            .expect("the round resolves");
        let (bytes, _) = sct_xlsx::response_workbook(&fw, doc.response_type, None).expect("writes");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        (0..zip.len())
            .map(|i| {
                let mut file = zip.by_index(i).expect("an entry");
                let mut content = Vec::new();
                file.read_to_end(&mut content).expect("reads");
                (file.name().to_string(), content)
            })
            .collect()
    })
}

/// sct's blank template with `fragment` spliced into one of its parts, chosen by `part`
/// (before a domain sheet's `</sheetData>`, the shared strings' `</sst>`, the sheet list's
/// `</sheets>`, the number formats' `</cellXfs>` or the relationships' `</Relationships>`),
/// every part stored uncompressed.
pub fn template_with_fragment(part: u8, fragment: &[u8]) -> Vec<u8> {
    const PLACES: [(&str, &str); 5] = [
        ("xl/worksheets/sheet3.xml", "</sheetData>"),
        ("xl/sharedStrings.xml", "</sst>"),
        ("xl/workbook.xml", "</sheets>"),
        ("xl/styles.xml", "</cellXfs>"),
        ("xl/_rels/workbook.xml.rels", "</Relationships>"),
    ];
    let (target, before) = PLACES[usize::from(part) % PLACES.len()];
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in template_parts() {
        let mut content = content.clone();
        if name == target {
            let at = content
                .windows(before.len())
                .position(|w| w == before.as_bytes())
                .unwrap_or(content.len());
            content.splice(at..at, fragment.iter().copied());
        }
        out.start_file(name.as_str(), options).expect("starts");
        out.write_all(&content).expect("writes");
    }
    out.finish().expect("finishes").into_inner()
}

/// Panics (a fuzz finding) when an error located in the CSV file `file`, whose text is
/// `input`, names a line the input does not have, or (when no field is quoted, so that every
/// record is one line, and no lone `\r` ends one) a blank line, on which no record starts: a
/// CRLF file's errors named the line above theirs.
pub fn assert_csv_lines(what: &str, file: &str, input: &str, diags: &Diagnostics) {
    let lines: Vec<&str> = input
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if input.trim().is_empty() {
        return;
    }
    let one_line_records = !input.contains('"') && !input.replace("\r\n", "").contains('\r');
    for d in diags.iter().filter(|d| d.is_error()) {
        let Some(location) = d.location.as_ref().filter(|l| l.file == file && l.line > 0)
        else {
            continue;
        };
        let line = lines.get(location.line - 1).unwrap_or_else(|| {
            panic!(
                "{what}: an error on line {} of {}: {}",
                location.line,
                lines.len(),
                d.message
            )
        });
        assert!(
            !one_line_records || !line.is_empty(),
            "{what}: an error on blank line {}: {}",
            location.line,
            d.message
        );
    }
}
