//! Reading a filled assessment workbook into the TOML equivalent of its response, every
//! value remembering its cell, so that validation's errors name the sheet and cell
//! (`'3.1 Understanding local context'!H6: "Mastered" is not a level of ...`).
//!
//! Sheets are recognised by their header rows, not their names (a renamed sheet still reads),
//! columns by their header text (moved columns still read) and capabilities by the id in each
//! row (sorted or moved rows still read). What cannot be read faithfully is refused with the
//! cell named: a formula in an answer cell, merged answer cells, a date cell that is not a
//! date, a cell holding an error value, answers in a row without a capability id, a
//! capability given twice. Every problem is collected; none stops the others being found.
//!
//! Text cells are decoded as [`crate::text`] says (a quoted cell or evidence line spells its
//! text exactly), after joining the parts that continue a long answer on the "More text" sheet.
//! The workbook itself is read within [`Limits`] by [`crate::ooxml`]: a workbook that holds
//! more than an assessment needs is refused with the cell or part named, before it can cost
//! more than a few megabytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sct_core::derived::DerivedToml;
use sct_core::load::{FrameworkRegistry, ReadResponse};
use sct_core::model::{Date, ResponseType};
use sct_core::source::{MAX_INPUT_BYTES, sha256_hex};
use sct_core::{Diagnostic, Diagnostics, Error};

use crate::layout::{
    self, ANSWER_COLUMN, ANSWER_ID, CAPABILITY_ID, CAPABILITY_INPUTS, CONTINUED_TEXT, CellKind,
    InputColumn, KEY, MILESTONE_ID, MILESTONE_INPUTS, VALUE, cell_ref, meta, range_ref,
};
use crate::limits::Limits;
use crate::ooxml::{Area, BookError, Sheet, Value, read_book};
use crate::text::{decode_lines, decode_text};

/// How far down a sheet the reader looks for its header row.
pub const HEADER_SEARCH_ROWS: u32 = 30;

/// Reads the workbook at `path`.
pub fn read_workbook(path: &Path, registry: &FrameworkRegistry) -> Result<ReadResponse, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        action: "read",
        source,
    };
    let meta_data = std::fs::metadata(path).map_err(io)?;
    if meta_data.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if meta_data.len() > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: meta_data.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let bytes = sct_files::read_input(path).map_err(io)?;
    read_workbook_bytes(&path.display().to_string(), &bytes, registry)
}

/// Reads a workbook already in memory; `name` is used in messages.
pub fn read_workbook_bytes(
    name: &str,
    bytes: &[u8],
    registry: &FrameworkRegistry,
) -> Result<ReadResponse, Error> {
    let fatal = |d: Diagnostic| Error::Invalid(Diagnostics(vec![d]));
    let book = read_book(bytes, &Limits::for_registry(registry))
        .map_err(|e| fatal(book_diagnostic(name, &e)))?;
    let mut r = WorkbookReader {
        name,
        diags: Diagnostics::default(),
        doc: DerivedToml::new(),
        seen_capabilities: BTreeMap::new(),
        seen_milestones: BTreeMap::new(),
        more: BTreeMap::new(),
    };
    let sheets = &book.sheets;

    // The metadata sheet, found by its first row whatever it is called.
    let Some(meta_at) = sheets.iter().position(is_metadata) else {
        return Err(fatal(
            Diagnostic::error("this workbook has no sct metadata sheet, so it cannot be tied to a framework")
                .in_file(name)
                .expected(format!(
                    "a workbook made by `sct template ROUND -o FILE.xlsx`, with its hidden sheet \"{}\" (its first row reads format | {})",
                    layout::METADATA_SHEET,
                    layout::FORMAT
                ))
                .hint("make a new template with `sct template`, copy the answers across, and keep the hidden sheet"),
        ));
    };
    let metadata = Metadata::read(&sheets[meta_at]);
    let response_type = metadata.check(name, registry)?;
    for d in metadata.warnings(name, registry) {
        r.diags.push(d);
    }
    metadata.emit(&mut r.doc, response_type);

    let found_details = r.sheets(sheets, meta_at, response_type);
    r.unused_more_text();
    // The organisation table is required in a response; an empty one reads as blanks.
    r.doc.table(&["organisation"], layout::ORGANISATION_SHEET);
    if !found_details {
        r.diags.push(
            Diagnostic::warning(format!(
                "no {} sheet (a sheet with \"{KEY}\" and \"{VALUE}\" headers): the organisation's details read as blank",
                layout::ORGANISATION_SHEET
            ))
            .in_file(name),
        );
    }
    r.missing_rows(&metadata, registry, response_type);
    let source = r.doc.into_source(name.to_string(), sha256_hex(bytes));
    Ok(ReadResponse {
        source,
        diagnostics: r.diags,
    })
}

/// The stage a workbook's Organisation sheet gives (its "Status" row), lower case, without
/// reading the rest: for telling an approved response cheaply. `None` when the bytes are not
/// a response workbook or give no stage.
pub fn workbook_stage(bytes: &[u8]) -> Option<String> {
    let limits = Limits::for_size(1_000, 1_000, 20, 100);
    let book = read_book(bytes, &limits).ok()?;
    book.sheets.iter().find_map(|sheet| {
        let (header, SheetKind::Details) = find_header(sheet)? else {
            return None;
        };
        let (start, end) = sheet.extent()?;
        let column = |name: &str| {
            (start.1..=end.1).find(|&c| {
                header_text(sheet, header, c).is_some_and(|t| t.eq_ignore_ascii_case(name))
            })
        };
        let (key, value) = (column(KEY)?, column(VALUE)?);
        (header + 1..=end.0)
            .find(|&row| header_text(sheet, row, key).as_deref() == Some(layout::STATUS_KEY))
            .and_then(|row| cell_text(sheet.value(row, value)).ok().flatten())
            .and_then(|s| decode_text(&s))
            .map(|s| s.trim().to_lowercase())
    })
}

/// What a sheet holds, judged by its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SheetKind {
    Details,
    Capabilities,
    Milestones,
    MoreText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Capability,
    Milestone,
}

/// A refusal of the workbook as a whole, named by the file (and the sheet, cell or part).
fn book_diagnostic(name: &str, e: &BookError) -> Diagnostic {
    let mut d = Diagnostic::error(e.to_string()).in_file(name);
    if let Some(expected) = e.expected() {
        d = d.expected(expected);
    }
    d
}

fn is_metadata(sheet: &Sheet) -> bool {
    let text = |c| header_text(sheet, 0, c).unwrap_or_default();
    text(0) == meta::FORMAT && text(1).starts_with("sct-response-workbook")
}

/// A cell's text, for headers and ids.
fn header_text(sheet: &Sheet, row: u32, col: u32) -> Option<String> {
    match sheet.value(row, col) {
        Value::Text(s) => Some(s.trim().to_string()),
        _ => None,
    }
}

fn find_header(sheet: &Sheet) -> Option<(u32, SheetKind)> {
    let (start, end) = sheet.extent()?;
    for row in start.0..=end.0.min(start.0 + HEADER_SEARCH_ROWS) {
        let mut key = false;
        let mut value = false;
        for col in start.1..=end.1 {
            let Some(text) = header_text(sheet, row, col) else {
                continue;
            };
            if text.eq_ignore_ascii_case(CAPABILITY_ID) {
                return Some((row, SheetKind::Capabilities));
            }
            if text.eq_ignore_ascii_case(MILESTONE_ID) {
                return Some((row, SheetKind::Milestones));
            }
            if text.eq_ignore_ascii_case(CONTINUED_TEXT) {
                return Some((row, SheetKind::MoreText));
            }
            key |= text.eq_ignore_ascii_case(KEY);
            value |= text.eq_ignore_ascii_case(VALUE);
        }
        if key && value {
            return Some((row, SheetKind::Details));
        }
    }
    None
}

/// What the metadata sheet says.
#[derive(Debug, Default)]
struct Metadata {
    sheet: String,
    values: BTreeMap<String, (String, u32)>,
}

impl Metadata {
    fn read(sheet: &Sheet) -> Metadata {
        let mut values = BTreeMap::new();
        if let Some((_, end)) = sheet.extent() {
            for row in 0..=end.0 {
                if let Some(k) = header_text(sheet, row, 0) {
                    let v = cell_text(sheet.value(row, 1))
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                    values.entry(k).or_insert((v, row));
                }
            }
        }
        Metadata {
            sheet: sheet.name.clone(),
            values,
        }
    }

    /// A value as written (for the response's own fields, which keep their blanks).
    fn raw(&self, key: &str) -> &str {
        self.values.get(key).map(|(v, _)| v.as_str()).unwrap_or("")
    }

    /// A value, trimmed (sct's own keys, which a hand edit may pad).
    fn get(&self, key: &str) -> &str {
        self.raw(key).trim()
    }

    fn place(&self, key: &str) -> String {
        let row = self.values.get(key).map(|(_, r)| *r).unwrap_or(0);
        cell_ref(&self.sheet, row, 1)
    }

    /// Refuses a workbook of another layout or another toolkit version; returns the response
    /// type.
    fn check(&self, name: &str, registry: &FrameworkRegistry) -> Result<ResponseType, Error> {
        let fatal = |d: Diagnostic| Error::Invalid(Diagnostics(vec![d]));
        let format = self.get(meta::FORMAT);
        if format != layout::FORMAT {
            return Err(fatal(
                Diagnostic::error(format!(
                    "{}: the workbook's layout is {format}, which this sct does not read",
                    self.place(meta::FORMAT)
                ))
                .in_file(name)
                .expected(layout::FORMAT)
                .hint("make a new template with this sct's `sct template` and copy the answers across"),
            ));
        }
        let response_type = match self.get(meta::RESPONSE_TYPE) {
            "organisation" => ResponseType::Organisation,
            "individual" => ResponseType::Individual,
            other => {
                return Err(fatal(
                    Diagnostic::error(format!(
                        "{}: \"{other}\" is not a response type",
                        self.place(meta::RESPONSE_TYPE)
                    ))
                    .in_file(name)
                    .expected("organisation or individual"),
                ));
            }
        };
        let id = self.get(meta::TOOLKIT_ID);
        let version = self.get(meta::TOOLKIT_VERSION);
        let made_from = format!("{id} {version}");
        let known = registry.versions_of(id);
        let refuse = |have: String| {
            fatal(
                Diagnostic::error(format!(
                    "this workbook was made from {made_from}, but {have}"
                ))
                .in_file(name)
                .expected(format!("a workbook made from {have}", ))
                .hint(format!(
                    "make a new template and copy the answers across, or add a directory of frameworks holding {made_from}"
                ))
                .settings([sct_core::setting::Setting::FrameworkDir]),
            )
        };
        if known.is_empty() {
            return Err(refuse(format!("this sct knows no toolkit called {id}")));
        }
        if !known.contains(&version) {
            return Err(refuse(format!("this sct has {id} {}", known.join(", "))));
        }
        let round_id = self.get(meta::ROUND_ID);
        if !round_id.is_empty() {
            let round = registry.get(round_id, None).ok();
            match round.and_then(|f| f.as_round().map(|r| (f, r))) {
                None => {
                    return Err(fatal(
                        Diagnostic::error(format!(
                            "this workbook was made for round {round_id}, which this sct does not know"
                        ))
                        .in_file(name)
                        .hint("choose one of the known rounds (the frameworks list shows them), or add the round from a directory of frameworks")
                        .settings([sct_core::setting::Setting::FrameworkDir]),
                    ));
                }
                Some((f, r)) if r.toolkit.version.get_ref() != version => {
                    return Err(refuse(format!(
                        "round {} {} uses {id} {}",
                        f.id(),
                        f.version(),
                        r.toolkit.version.get_ref()
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(response_type)
    }

    /// Warnings: the framework files changed without a change of version.
    fn warnings(&self, name: &str, registry: &FrameworkRegistry) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let pairs = [
            (
                meta::TOOLKIT_ID,
                meta::TOOLKIT_VERSION,
                meta::TOOLKIT_SHA256,
            ),
            (meta::ROUND_ID, meta::ROUND_VERSION, meta::ROUND_SHA256),
        ];
        for (id_key, version_key, sha_key) in pairs {
            let (id, version, sha) = (self.get(id_key), self.get(version_key), self.get(sha_key));
            if id.is_empty() || sha.is_empty() {
                continue;
            }
            if let Ok(f) = registry.get(id, Some(version))
                && f.source.sha256 != sha
            {
                out.push(
                    Diagnostic::warning(format!(
                        "{id} {version} has changed since this workbook was made (checksum {} then, {} now): the descriptors shown in the workbook may differ from the framework's",
                        short(sha),
                        short(&f.source.sha256)
                    ))
                    .in_file(name),
                );
            }
        }
        out
    }

    fn emit(&self, doc: &mut DerivedToml, response_type: ResponseType) {
        doc.set(
            &["type"],
            response_type.as_str().into(),
            self.place(meta::RESPONSE_TYPE),
        );
        for (key, field) in [
            (meta::RESPONSE_ROUND, "round"),
            (meta::RESPONSE_FRAMEWORK, "framework"),
            (meta::RESPONSE_FRAMEWORK_VERSION, "framework_version"),
        ] {
            if let Some(v) = decode_text(self.raw(key)) {
                doc.set(&[field], v.into(), self.place(key));
            }
        }
        for field in layout::PREVIOUS_KEYS {
            let key = format!("previous.{field}");
            if self.values.contains_key(&key) {
                let v = decode_text(self.raw(&key)).unwrap_or_default();
                doc.set(&["previous", field], v.into(), self.place(&key));
            }
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// A sheet as the reader looks at it.
struct SheetView<'a> {
    sheet: &'a Sheet,
}

impl SheetView<'_> {
    fn name(&self) -> &str {
        &self.sheet.name
    }

    fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.sheet.formula(row, col)
    }
}

/// One part of a long answer, from the "More text" sheet: its text and its cell.
struct MorePart {
    text: String,
    place: String,
}

struct WorkbookReader<'a> {
    name: &'a str,
    diags: Diagnostics,
    doc: DerivedToml,
    /// Capability id to the cell of its id, to refuse a second row of the same id.
    seen_capabilities: BTreeMap<String, String>,
    seen_milestones: BTreeMap<String, String>,
    /// Parts continuing long answers, by answer id and lower-case column header, in order;
    /// taken as the answers are read, so what is left continues no answer.
    more: BTreeMap<(String, String), Vec<MorePart>>,
}

impl WorkbookReader<'_> {
    /// Reads every sheet but the metadata sheet (`meta_at`) by the kind its header row says;
    /// whether there was an organisation sheet.
    fn sheets(&mut self, sheets: &[Sheet], meta_at: usize, response_type: ResponseType) -> bool {
        let kinds: Vec<Option<(u32, SheetKind)>> = sheets
            .iter()
            .enumerate()
            .map(|(i, sheet)| {
                if i == meta_at {
                    None
                } else {
                    find_header(sheet)
                }
            })
            .collect();
        // The parts that continue long answers are gathered first, whichever sheet comes first.
        let continued = |k: &Option<(u32, SheetKind)>| matches!(k, Some((_, SheetKind::MoreText)));
        let order = (0..sheets.len())
            .filter(|&i| continued(&kinds[i]))
            .chain((0..sheets.len()).filter(|&i| !continued(&kinds[i])));
        let mut found_details = false;
        for i in order {
            let Some((header_row, kind)) = kinds[i] else {
                continue;
            };
            let sheet = SheetView { sheet: &sheets[i] };
            match kind {
                SheetKind::Details => {
                    found_details = true;
                    self.details(&sheet, header_row, response_type);
                }
                SheetKind::Capabilities => {
                    self.rows(&sheet, header_row, RowKind::Capability);
                    self.carried_over(&sheet, header_row);
                }
                SheetKind::Milestones => self.rows(&sheet, header_row, RowKind::Milestone),
                SheetKind::MoreText => self.more_text(&sheet, header_row),
            }
        }
        found_details
    }

    fn error(&mut self, place: &str, message: impl std::fmt::Display) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(format!("{place}: {message}")).in_file(self.name));
        self.diags.0.last_mut().expect("just pushed")
    }

    /// Errors for merged regions that cover more than one cell in `columns` below the header.
    fn merged(&mut self, sheet: &SheetView<'_>, header: u32, columns: &[u32]) {
        for m in &sheet.sheet.merges {
            let Area { start, end } = *m;
            if start == end || end.0 <= header {
                continue;
            }
            if columns.iter().any(|c| (start.1..=end.1).contains(c)) {
                let at = range_ref(sheet.name(), start, end);
                let d = Diagnostic::error(format!(
                    "{at}: merged cells where answers go; sct reads one answer a cell"
                ))
                .in_file(self.name)
                .hint("unmerge them (in Excel: Home > Merge & Center > Unmerge Cells) and put each answer in its own cell");
                self.diags.push(d);
            }
        }
    }

    /// Reads one cell as `kind`: `None` when blank or unreadable (the error is recorded). A
    /// text cell of the answer `continues` (its id and column header) is joined with the parts
    /// that continue it on the "More text" sheet before it is decoded.
    fn cell(
        &mut self,
        sheet: &SheetView<'_>,
        (row, col): (u32, u32),
        kind: CellKind,
        continues: Option<(&str, &str)>,
    ) -> Option<toml::Value> {
        let place = cell_ref(sheet.name(), row, col);
        if let Some(f) = sheet.formula(row, col) {
            let shown = if f.is_empty() {
                String::new()
            } else {
                format!(" (={f})")
            };
            self.error(
                &place,
                format!("holds a formula{shown}; sct reads the answers typed in, not formulas"),
            )
            .hint =
                Some("copy the cell and paste it back as a value (Paste Special > Values)".into());
            return None;
        }
        let value = sheet.sheet.value(row, col);
        let text = match kind {
            CellKind::Date => read_date(value).map(|d| d.map(|d| d.to_string())),
            CellKind::Text | CellKind::Lines => cell_text(value),
        };
        let text = match text {
            Ok(text) => text,
            Err((message, expected)) => {
                self.error(&place, message).expected = Some(expected);
                return None;
            }
        };
        if kind == CellKind::Date {
            return text.map(toml::Value::String);
        }
        let more = continues
            .and_then(|(id, header)| self.more.remove(&(id.to_string(), header.to_lowercase())));
        let full = match more {
            None => text?,
            Some(parts) => {
                let rest: String = parts.into_iter().map(|p| p.text).collect();
                text.unwrap_or_default() + &rest
            }
        };
        if kind == CellKind::Lines {
            let items: Vec<toml::Value> = decode_lines(&full)
                .into_iter()
                .map(toml::Value::String)
                .collect();
            return (!items.is_empty()).then_some(toml::Value::Array(items));
        }
        decode_text(&full).map(toml::Value::String)
    }

    fn columns(&mut self, sheet: &SheetView<'_>, header: u32, wanted: &[&str]) -> Option<Vec<u32>> {
        let (start, end) = sheet.sheet.extent()?;
        let mut found: Vec<Option<u32>> = vec![None; wanted.len()];
        let mut ok = true;
        for col in start.1..=end.1 {
            let Some(text) = header_text(sheet.sheet, header, col) else {
                continue;
            };
            if let Some(i) = wanted.iter().position(|w| w.eq_ignore_ascii_case(&text)) {
                if let Some(earlier) = found[i] {
                    self.error(
                        &cell_ref(sheet.name(), header, col),
                        format!(
                            "a second \"{}\" column (the first is {})",
                            wanted[i],
                            cell_ref(sheet.name(), header, earlier)
                        ),
                    )
                    .expected = Some("each header once".into());
                    ok = false;
                } else {
                    found[i] = Some(col);
                }
            }
        }
        let missing: Vec<&str> = wanted
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(w, _)| *w)
            .collect();
        if !missing.is_empty() {
            let at = range_ref(sheet.name(), (header, start.1), (header, end.1));
            self.error(
                &at,
                format!(
                    "the header row has no {} column",
                    missing
                        .iter()
                        .map(|m| format!("\"{m}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .expected = Some(format!("the headers {}", wanted.join(", ")));
            ok = false;
        }
        ok.then(|| found.into_iter().map(|c| c.unwrap_or(0)).collect())
    }

    fn details(&mut self, sheet: &SheetView<'_>, header: u32, response_type: ResponseType) {
        let Some(cols) = self.columns(sheet, header, &[KEY, VALUE]) else {
            return;
        };
        let (key_col, value_col) = (cols[0], cols[1]);
        self.merged(sheet, header, &[value_col]);
        let Some((_, end)) = sheet.sheet.extent() else {
            return;
        };
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        let mut person: Vec<(&'static str, Option<toml::Value>, String)> = Vec::new();
        for row in header + 1..=end.0 {
            let Some(key) = header_text(sheet.sheet, row, key_col).filter(|k| !k.is_empty()) else {
                continue;
            };
            let place = cell_ref(sheet.name(), row, value_col);
            let Some(detail) = layout::all_detail_keys().find(|d| d.key == key) else {
                self.diags.push(
                    Diagnostic::warning(format!(
                        "{}: \"{key}\" is not a detail sct knows; the row is ignored",
                        cell_ref(sheet.name(), row, key_col)
                    ))
                    .in_file(self.name),
                );
                continue;
            };
            if let Some(first) = seen.insert(key.clone(), row) {
                self.error(
                    &cell_ref(sheet.name(), row, key_col),
                    format!(
                        "\"{key}\" is given twice (also {})",
                        cell_ref(sheet.name(), first, key_col)
                    ),
                )
                .expected = Some("each detail once".into());
                continue;
            }
            let value = self.cell(
                sheet,
                (row, value_col),
                detail.kind,
                Some((detail.key, VALUE)),
            );
            let path: Vec<&str> = detail.key.split('.').collect();
            if path[0] == "person" {
                if response_type == ResponseType::Individual {
                    person.push((detail.key, value, place));
                }
                continue;
            }
            if path[0] == "respondent" && response_type == ResponseType::Individual {
                continue;
            }
            // A stage picked from the list is lower case; one typed as "Approved" means the same.
            let value = match value {
                Some(toml::Value::String(s)) if detail.key == layout::STATUS_KEY => {
                    Some(toml::Value::String(s.trim().to_lowercase()))
                }
                other => other,
            };
            if let Some(v) = value {
                self.doc.set(&path, v, place);
            }
        }
        // An individual's response always has its person, blank fields and all, as the TOML
        // template has.
        if response_type == ResponseType::Individual {
            for (key, value, place) in person {
                let path: Vec<&str> = key.split('.').collect();
                self.doc.set(
                    &path,
                    value.unwrap_or_else(|| toml::Value::String(String::new())),
                    place,
                );
            }
        }
    }

    fn rows(&mut self, sheet: &SheetView<'_>, header: u32, kind: RowKind) {
        let (id_header, inputs, table): (&str, &[InputColumn], &str) = match kind {
            RowKind::Capability => (CAPABILITY_ID, &CAPABILITY_INPUTS, "capabilities"),
            RowKind::Milestone => (MILESTONE_ID, &MILESTONE_INPUTS, "milestones"),
        };
        let mut wanted = vec![id_header];
        wanted.extend(inputs.iter().map(|i| i.header));
        let Some(cols) = self.columns(sheet, header, &wanted) else {
            return;
        };
        let id_col = cols[0];
        self.merged(sheet, header, &cols);
        let Some((_, end)) = sheet.sheet.extent() else {
            return;
        };
        for row in header + 1..=end.0 {
            let id_place = cell_ref(sheet.name(), row, id_col);
            let id = match cell_text(sheet.sheet.value(row, id_col)) {
                Ok(Some(s)) => s.trim().to_string(),
                _ => String::new(),
            };
            let values: Vec<Option<toml::Value>> = inputs
                .iter()
                .zip(&cols[1..])
                .map(|(input, col)| {
                    let continues = (!id.is_empty()).then_some((id.as_str(), input.header));
                    self.cell(sheet, (row, *col), input.kind, continues)
                })
                .collect();
            let answered = values.iter().any(Option::is_some);
            if id.is_empty() {
                if let Some(n) = values.iter().position(Option::is_some) {
                    let what = match kind {
                        RowKind::Capability => "capability",
                        RowKind::Milestone => "milestone",
                    };
                    self.error(
                        &cell_ref(sheet.name(), row, cols[n + 1]),
                        format!("an answer in a row without a {what} id (column {}), so sct cannot tell what it answers", layout::column_name(id_col)),
                    )
                    .expected = Some(format!("answers on a {what}'s own row, or the row removed"));
                }
                continue;
            }
            let seen = match kind {
                RowKind::Capability => &mut self.seen_capabilities,
                RowKind::Milestone => &mut self.seen_milestones,
            };
            if let Some(first) = seen.get(&id).cloned() {
                self.error(
                    &id_place,
                    format!("\"{id}\" has a second row (the first is {first})"),
                )
                .expected = Some("one row for each id".into());
                continue;
            }
            seen.insert(id.clone(), id_place.clone());
            if !answered {
                continue;
            }
            self.doc.table(&[table, &id], id_place);
            for ((input, col), value) in inputs.iter().zip(&cols[1..]).zip(values) {
                if let Some(v) = value {
                    self.doc.set(
                        &[table, &id, input.field],
                        v,
                        cell_ref(sheet.name(), row, *col),
                    );
                }
            }
        }
    }

    /// The "Carried over" column of a domain sheet, when it has one (a workbook made from a
    /// response with carried-over answers): `yes` marks an answer carried over; blank or
    /// `no` does not.
    fn carried_over(&mut self, sheet: &SheetView<'_>, header: u32) {
        let Some((start, end)) = sheet.sheet.extent() else {
            return;
        };
        let wanted = layout::CARRIED_OVER.header;
        let find = |text: &str| {
            (start.1..=end.1).find(|c| {
                header_text(sheet.sheet, header, *c).is_some_and(|h| h.eq_ignore_ascii_case(text))
            })
        };
        let (Some(col), Some(id_col)) = (find(wanted), find(CAPABILITY_ID)) else {
            return;
        };
        for row in header + 1..=end.0 {
            let id = header_text(sheet.sheet, row, id_col).unwrap_or_default();
            let place = cell_ref(sheet.name(), row, col);
            let text = match cell_text(sheet.sheet.value(row, col)) {
                Ok(t) => t.unwrap_or_default().trim().to_ascii_lowercase(),
                Err((message, expected)) => {
                    self.error(&place, message).expected = Some(expected);
                    continue;
                }
            };
            let flag = match text.as_str() {
                "" | "no" | "false" => continue,
                "yes" | "true" => true,
                _ => {
                    self.error(&place, format!("\"{text}\" is not yes or blank"))
                        .expected = Some(
                        "yes for an answer carried over and not yet reviewed, else blank".into(),
                    );
                    continue;
                }
            };
            if !id.is_empty() {
                self.doc
                    .set(&["capabilities", &id, "carried_over"], flag.into(), place);
            }
        }
    }

    /// Gathers the rows of a "More text" sheet: each continues the answer its id and column
    /// name, in order.
    fn more_text(&mut self, sheet: &SheetView<'_>, header: u32) {
        let Some(cols) = self.columns(sheet, header, &[ANSWER_ID, ANSWER_COLUMN, CONTINUED_TEXT])
        else {
            return;
        };
        let Some((_, end)) = sheet.sheet.extent() else {
            return;
        };
        for row in header + 1..=end.0 {
            let id = header_text(sheet.sheet, row, cols[0]).unwrap_or_default();
            let column = header_text(sheet.sheet, row, cols[1]).unwrap_or_default();
            let place = cell_ref(sheet.name(), row, cols[2]);
            if sheet.formula(row, cols[2]).is_some() {
                self.error(
                    &place,
                    "holds a formula; sct reads the text typed in, not formulas",
                );
                continue;
            }
            let text = match cell_text(sheet.sheet.value(row, cols[2])) {
                Ok(text) => text,
                Err((message, expected)) => {
                    self.error(&place, message).expected = Some(expected);
                    continue;
                }
            };
            if id.is_empty() || column.is_empty() {
                if text.is_some() {
                    self.error(&place, "more text without the answer it continues")
                        .expected = Some(format!(
                        "the answer's id in column {} and its column's header in column {}",
                        layout::column_name(cols[0]),
                        layout::column_name(cols[1])
                    ));
                }
                continue;
            }
            self.more
                .entry((id, column.to_lowercase()))
                .or_default()
                .push(MorePart {
                    text: text.unwrap_or_default(),
                    place,
                });
        }
    }

    /// Errors for more text that continues no answer read (an unknown id or column).
    fn unused_more_text(&mut self) {
        for ((id, column), parts) in std::mem::take(&mut self.more) {
            let place = parts.first().map(|p| p.place.clone()).unwrap_or_default();
            self.error(
                &place,
                format!("continues \"{id}\" / \"{column}\", which is no text answer of this workbook"),
            )
            .expected = Some(
                "the id of a capability, milestone or Organisation detail, and the header of one of its text columns".into(),
            );
        }
    }

    /// A warning for capabilities (or milestones) with no row at all: a deleted row or sheet
    /// reads as unanswered, and the user should know why.
    fn missing_rows(
        &mut self,
        metadata: &Metadata,
        registry: &FrameworkRegistry,
        response_type: ResponseType,
    ) {
        let Ok(file) = registry.get(
            metadata.get(meta::TOOLKIT_ID),
            Some(metadata.get(meta::TOOLKIT_VERSION)),
        ) else {
            return;
        };
        let Some(toolkit) = file.as_toolkit() else {
            return;
        };
        let expected: Vec<&str> = toolkit
            .capabilities()
            .filter(|(_, c)| response_type == ResponseType::Organisation || c.individual.is_some())
            .map(|(_, c)| c.id.get_ref().as_str())
            .collect();
        let missing: BTreeSet<&str> = expected
            .iter()
            .copied()
            .filter(|id| !self.seen_capabilities.contains_key(*id))
            .collect();
        if !missing.is_empty() {
            let missing: Vec<&str> = missing.into_iter().collect();
            self.diags.push(
                Diagnostic::warning(format!(
                    "{} capabilities have no row in the workbook (a deleted row or sheet?): {}; they read as unanswered",
                    missing.len(),
                    sct_core::quote::first_few(&missing, 5)
                ))
                .in_file(self.name),
            );
        }
    }
}

/// A cell's value as text, `Ok(None)` when blank, or the problem and what was expected.
/// Blank and quoted texts are left for [`decode_text`] and [`decode_lines`] to judge.
pub(crate) fn cell_text(value: &Value) -> Result<Option<String>, (String, String)> {
    Ok(match value {
        Value::Empty => None,
        Value::Text(s) => Some(s.to_string()),
        Value::Number(f) | Value::Duration(f) => Some(number_text(*f)),
        Value::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Value::DateTime(serial) => Some(match excel_date(*serial) {
            Ok(Some(d)) => d.to_string(),
            _ => number_text(*serial),
        }),
        Value::IsoDateTime(s) => Some(s.clone()),
        Value::Error(e) => {
            return Err((format!("holds the error value {e}"), "text".to_string()));
        }
    })
}

/// Whole numbers without a decimal point, others in the shortest form that reads back.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date typed as text the way it is written in the UK, day first (`31/03/2027`, also with
/// `.` or `-` between): the date it plainly is. A two-digit year, a month past 12 or a day
/// the month does not have is refused, saying what is wrong and the form expected.
fn day_month_year(s: &str) -> Result<Date, (String, String)> {
    let expected = "a date as day/month/year with the year in full, such as 31/03/2027 for 31 March 2027 (or as text YYYY-MM-DD)".to_string();
    let not_a_date = || (format!("\"{s}\" is not a date"), expected.clone());
    let parts: Vec<&str> = s.split(['/', '.', '-']).collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(not_a_date());
    };
    let number = |t: &str, most: usize| {
        (!t.is_empty() && t.len() <= most && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u32>().ok())
            .flatten()
    };
    let (Some(day), Some(month), Some(year)) = (number(d, 2), number(m, 2), number(y, 4)) else {
        return Err(not_a_date());
    };
    if y.len() != 4 {
        return Err((
            format!("\"{s}\" has a two-digit year, which could be more than one century"),
            expected,
        ));
    }
    let Some(month_name) = month.checked_sub(1).and_then(|i| MONTHS.get(i as usize)) else {
        // Written month first, as in the US? Say how to write the date it would be.
        let swapped = if (1..=12).contains(&day) && month <= 31 {
            format!(
                "; if you meant {month} {}, write {month:02}/{day:02}/{year}",
                MONTHS[day as usize - 1]
            )
        } else {
            String::new()
        };
        return Err((
            format!("\"{s}\" has no month {month}: dates are read day first{swapped}"),
            expected,
        ));
    };
    Date::parse(&format!("{year:04}-{month:02}-{day:02}")).map_err(|_| {
        (
            format!("\"{s}\" is not a date: {month_name} {year} has no day {day}"),
            expected.clone(),
        )
    })
}

/// A date cell: a real date (no time of day), text `YYYY-MM-DD`, or text day/month/year.
fn read_date(value: &Value) -> Result<Option<Date>, (String, String)> {
    let expected =
        "a date (enter it as a date, such as 31/03/2027, or as text YYYY-MM-DD)".to_string();
    match value {
        Value::Empty => Ok(None),
        Value::Text(s) if s.trim().is_empty() => Ok(None),
        Value::Text(s) => match Date::parse(s.trim()) {
            Ok(d) => Ok(Some(d)),
            Err(_) => day_month_year(s.trim()).map(Some),
        },
        Value::DateTime(serial) => excel_date(*serial).map_err(|what| (what, expected)),
        Value::IsoDateTime(s) => {
            let day = s.get(..10).unwrap_or(s);
            let time = s.get(10..).unwrap_or("");
            let midnight = time
                .trim_start_matches('T')
                .trim_matches(|c| c == '0' || c == ':' || c == '.');
            match Date::parse(day) {
                Ok(d) if midnight.is_empty() => Ok(Some(d)),
                Ok(_) => Err((format!("{s} has a time of day"), expected)),
                Err(_) => Err((format!("\"{s}\" is not a date"), expected)),
            }
        }
        Value::Duration(d) => Err((
            format!("{} is a duration, not a date", number_text(*d)),
            expected,
        )),
        Value::Number(f) => Err((
            format!("{} is a number, not a date", number_text(*f)),
            expected,
        )),
        Value::Bool(b) => Err((
            format!("{} is not a date", if *b { "TRUE" } else { "FALSE" }),
            expected,
        )),
        Value::Error(e) => Err((format!("holds the error value {e}"), expected)),
    }
}

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// An Excel date serial (1900 date system) as a date; an error if it has a time of day or is
/// no real day.
fn excel_date(serial: f64) -> Result<Option<Date>, String> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return Err(format!(
            "{} is outside the dates a workbook can hold",
            number_text(serial)
        ));
    }
    // Within the range checked, the product is exact to the millisecond and fits an i64.
    let ms = (serial * DAY_MS as f64).round() as i64;
    let (days, time) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS));
    let (y, m, d) = excel_day(days);
    if time != 0 {
        let (h, min) = (time / 3_600_000, (time / 60_000) % 60);
        return Err(format!(
            "{y:04}-{m:02}-{d:02} {h:02}:{min:02} has a time of day; a date alone is expected"
        ));
    }
    i32::try_from(y)
        .ok()
        .and_then(|y| Date::from_ymd(y, m, d))
        .map(Some)
        .ok_or_else(|| format!("{y:04}-{m:02}-{d:02} is not a real day"))
}

/// The calendar day of an Excel day number, as Excel shows it: day 1 is 1900-01-01 and day 60
/// the 29 February 1900 that Excel keeps for Lotus 1-2-3's sake (no real day).
fn excel_day(days: i64) -> (i64, u32, u32) {
    match days {
        60 => (1900, 2, 29),
        // Days since 1970-01-01: day 1 is 1900-01-01 before the phantom day, 1900-03-01 is
        // day 61 after it.
        d if d < 60 => civil_day(d - 25_568),
        d => civil_day(d - 25_569),
    }
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
/// algorithm).
fn civil_day(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_typed_day_first_is_the_date_it_plainly_is() {
        let day = |s: &str| day_month_year(s).map(|d| d.to_string());
        assert_eq!(day("31/03/2027"), Ok("2027-03-31".into()));
        assert_eq!(day("1/4/2027"), Ok("2027-04-01".into()));
        assert_eq!(day("31.03.2027"), Ok("2027-03-31".into()));
        let refused = |s: &str| day_month_year(s).unwrap_err();
        let (what, expected) = refused("31/13/2027");
        assert!(what.contains("no month 13"), "{what}");
        assert!(expected.contains("day/month/year"), "{expected}");
        assert!(
            !expected.contains("31/13/2027"),
            "the hint is not the text typed"
        );
        let (what, _) = refused("03/31/2027");
        assert!(what.contains("write 31/03/2027"), "{what}");
        let (what, _) = refused("31/02/2027");
        assert!(what.contains("February 2027 has no day 31"), "{what}");
        let (what, _) = refused("31/03/27");
        assert!(what.contains("two-digit year"), "{what}");
        assert!(refused("next Tuesday").0.contains("is not a date"));
        // Through the cell reader: text in either form reads as the date.
        let text = |s: &str| {
            read_date(&Value::Text(std::sync::Arc::new(s.to_string())))
                .map(|d| d.map(|d| d.to_string()))
        };
        assert_eq!(text("2027-03-31"), Ok(Some("2027-03-31".into())));
        assert_eq!(text(" 31/03/2027 "), Ok(Some("2027-03-31".into())));
    }

    #[test]
    fn excel_serials_are_the_days_excel_shows() {
        let day = |serial: f64| excel_date(serial).map(|d| d.map(|d| d.to_string()));
        assert_eq!(day(1.0), Ok(Some("1900-01-01".into())));
        assert_eq!(day(59.0), Ok(Some("1900-02-28".into())));
        assert!(
            day(60.0)
                .unwrap_err()
                .contains("1900-02-29 is not a real day")
        );
        assert_eq!(day(61.0), Ok(Some("1900-03-01".into())));
        assert_eq!(day(46112.0), Ok(Some("2026-03-31".into())));
        assert_eq!(day(2_958_465.0), Ok(Some("9999-12-31".into())));
        assert!(
            day(46112.5)
                .unwrap_err()
                .contains("2026-03-31 12:00 has a time of day")
        );
        assert!(day(-1.0).is_err());
    }
}
