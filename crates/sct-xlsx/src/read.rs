//! Reading a filled assessment workbook into the TOML equivalent of its response, every
//! value remembering its cell, so that validation's errors name the sheet and cell
//! (`'3.1 Understanding the local'!H6: "Mastered" is not a level of ...`).
//!
//! Sheets are recognised by their header rows, not their names (a renamed sheet still reads),
//! columns by their header text (moved columns still read) and capabilities by the id in each
//! row (sorted or moved rows still read). What cannot be read faithfully is refused with the
//! cell named: a formula in an answer cell, merged answer cells, a date cell that is not a
//! date, a cell holding an error value, answers in a row without a capability id, a
//! capability given twice. Every problem is collected; none stops the others being found.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx};

use sct_core::derived::DerivedToml;
use sct_core::load::{FrameworkRegistry, ReadResponse};
use sct_core::model::{Date, ResponseType};
use sct_core::source::{MAX_INPUT_BYTES, sha256_hex};
use sct_core::{Diagnostic, Diagnostics, Error};

use crate::layout::{
    self, CAPABILITY_ID, CAPABILITY_INPUTS, CellKind, InputColumn, KEY, MILESTONE_ID,
    MILESTONE_INPUTS, VALUE, cell_ref, meta, range_ref,
};

/// How far down a sheet the reader looks for its header row.
const HEADER_SEARCH_ROWS: u32 = 30;

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
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        fatal(
            Diagnostic::error(format!("cannot open it as an Excel workbook: {e}"))
                .in_file(name)
                .expected("an .xlsx workbook made by `sct template ... -o FILE.xlsx` (saved as Excel Workbook .xlsx, not .xls or .ods)"),
        )
    })?;
    let mut r = WorkbookReader {
        name,
        diags: Diagnostics::default(),
        doc: DerivedToml::new(),
        seen_capabilities: BTreeMap::new(),
        seen_milestones: BTreeMap::new(),
    };
    let sheets: Vec<String> = book.sheet_names();
    let mut ranges = Vec::with_capacity(sheets.len());
    for sheet in &sheets {
        let range = book.worksheet_range(sheet).map_err(|e| {
            fatal(
                Diagnostic::error(format!(
                    "cannot read sheet {}: {e}",
                    layout::quote_sheet(sheet)
                ))
                .in_file(name),
            )
        })?;
        ranges.push(range);
    }

    // The metadata sheet, found by its first row whatever it is called.
    let Some(meta_at) = ranges.iter().position(is_metadata) else {
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
    let metadata = Metadata::read(&sheets[meta_at], &ranges[meta_at]);
    let response_type = metadata.check(name, registry)?;
    for d in metadata.warnings(name, registry) {
        r.diags.push(d);
    }
    metadata.emit(&mut r.doc, response_type);

    let mut found_details = false;
    for (i, (sheet, range)) in sheets.iter().zip(&ranges).enumerate() {
        if i == meta_at {
            continue;
        }
        let Some((header_row, kind)) = find_header(range) else {
            continue;
        };
        // Formulas and merged cells are looked up only on sheets that hold answers.
        let formulas = book.worksheet_formula(sheet).unwrap_or_default();
        let merges = book
            .worksheet_merge_cells(sheet)
            .and_then(Result::ok)
            .unwrap_or_default();
        let sheet = SheetView {
            name: sheet,
            range,
            formulas: &formulas,
        };
        match kind {
            SheetKind::Details => {
                found_details = true;
                r.details(&sheet, header_row, &merges, response_type);
            }
            SheetKind::Capabilities => {
                r.rows(&sheet, header_row, &merges, RowKind::Capability);
            }
            SheetKind::Milestones => {
                r.rows(&sheet, header_row, &merges, RowKind::Milestone);
            }
        }
    }
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

/// What a sheet holds, judged by its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SheetKind {
    Details,
    Capabilities,
    Milestones,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Capability,
    Milestone,
}

fn is_metadata(range: &Range<Data>) -> bool {
    let text = |c| match range.get_value((0, c)) {
        Some(Data::String(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    text(0) == meta::FORMAT && text(1).starts_with("sct-response-workbook")
}

/// A cell's text, for headers and ids.
fn header_text(range: &Range<Data>, row: u32, col: u32) -> Option<String> {
    match range.get_value((row, col))? {
        Data::String(s) => Some(s.trim().to_string()),
        _ => None,
    }
}

fn find_header(range: &Range<Data>) -> Option<(u32, SheetKind)> {
    let (start, end) = (range.start()?, range.end()?);
    for row in start.0..=end.0.min(start.0 + HEADER_SEARCH_ROWS) {
        let mut key = false;
        let mut value = false;
        for col in start.1..=end.1 {
            let Some(text) = header_text(range, row, col) else {
                continue;
            };
            if text.eq_ignore_ascii_case(CAPABILITY_ID) {
                return Some((row, SheetKind::Capabilities));
            }
            if text.eq_ignore_ascii_case(MILESTONE_ID) {
                return Some((row, SheetKind::Milestones));
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
    fn read(sheet: &str, range: &Range<Data>) -> Metadata {
        let mut values = BTreeMap::new();
        if let Some(end) = range.end() {
            for row in 0..=end.0 {
                if let (Some(k), v) = (header_text(range, row, 0), range.get_value((row, 1))) {
                    let v = match v {
                        Some(Data::String(s)) => s.trim().to_string(),
                        Some(Data::Empty) | None => String::new(),
                        Some(other) => other.to_string(),
                    };
                    values.entry(k).or_insert((v, row));
                }
            }
        }
        Metadata {
            sheet: sheet.to_string(),
            values,
        }
    }

    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(|(v, _)| v.as_str()).unwrap_or("")
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
                    "make a new template with `sct template` and copy the answers across, or point --framework-dir at a directory holding {made_from}"
                )),
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
                        .hint("run `sct frameworks list` to see the known rounds, or add the round with --framework-dir"),
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
            let v = self.get(key);
            if !v.is_empty() {
                doc.set(&[field], v.into(), self.place(key));
            }
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// A sheet's values and formulas.
struct SheetView<'a> {
    name: &'a str,
    range: &'a Range<Data>,
    formulas: &'a Range<String>,
}

impl SheetView<'_> {
    fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.formulas
            .get_value((row, col))
            .map(String::as_str)
            .filter(|f| !f.is_empty())
    }
}

struct WorkbookReader<'a> {
    name: &'a str,
    diags: Diagnostics,
    doc: DerivedToml,
    /// Capability id to the cell of its id, for duplicates.
    seen_capabilities: BTreeMap<String, String>,
    seen_milestones: BTreeMap<String, String>,
}

impl WorkbookReader<'_> {
    fn error(&mut self, place: &str, message: impl std::fmt::Display) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(format!("{place}: {message}")).in_file(self.name));
        self.diags.0.last_mut().expect("just pushed")
    }

    /// Errors for merged regions that cover more than one cell in `columns` below the header.
    fn merged(
        &mut self,
        sheet: &SheetView<'_>,
        header: u32,
        merges: &[calamine::Dimensions],
        columns: &[u32],
    ) {
        for m in merges {
            let (first, last) = (m.start, m.end);
            if first == last || last.0 <= header {
                continue;
            }
            if columns.iter().any(|c| (first.1..=last.1).contains(c)) {
                let at = range_ref(sheet.name, first, last);
                let d = Diagnostic::error(format!(
                    "{at}: merged cells where answers go; sct reads one answer a cell"
                ))
                .in_file(self.name)
                .hint("unmerge them (in Excel: Home > Merge & Center > Unmerge Cells) and put each answer in its own cell");
                self.diags.push(d);
            }
        }
    }

    /// Reads one cell as `kind`: `None` when blank or unreadable (the error is recorded).
    fn cell(
        &mut self,
        sheet: &SheetView<'_>,
        row: u32,
        col: u32,
        kind: CellKind,
    ) -> Option<toml::Value> {
        let place = cell_ref(sheet.name, row, col);
        if let Some(f) = sheet.formula(row, col) {
            self.error(
                &place,
                format!("holds a formula (={f}); sct reads the answers typed in, not formulas"),
            )
            .hint =
                Some("copy the cell and paste it back as a value (Paste Special > Values)".into());
            return None;
        }
        let data = sheet.range.get_value((row, col)).unwrap_or(&Data::Empty);
        match (kind, read_value(data, kind)) {
            (_, Ok(None)) => None,
            (CellKind::Lines, Ok(Some(text))) => {
                let items: Vec<toml::Value> = text
                    .split('\n')
                    .map(|l| l.strip_suffix('\r').unwrap_or(l))
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| toml::Value::String(l.to_string()))
                    .collect();
                (!items.is_empty()).then_some(toml::Value::Array(items))
            }
            (_, Ok(Some(text))) => Some(toml::Value::String(text)),
            (_, Err(problem)) => {
                let (message, expected) = problem;
                self.error(&place, message).expected = Some(expected);
                None
            }
        }
    }

    fn columns(&mut self, sheet: &SheetView<'_>, header: u32, wanted: &[&str]) -> Option<Vec<u32>> {
        let (start, end) = (sheet.range.start()?, sheet.range.end()?);
        let mut found: Vec<Option<u32>> = vec![None; wanted.len()];
        let mut ok = true;
        for col in start.1..=end.1 {
            let Some(text) = header_text(sheet.range, header, col) else {
                continue;
            };
            if let Some(i) = wanted.iter().position(|w| w.eq_ignore_ascii_case(&text)) {
                if let Some(earlier) = found[i] {
                    self.error(
                        &cell_ref(sheet.name, header, col),
                        format!(
                            "a second \"{}\" column (the first is {})",
                            wanted[i],
                            cell_ref(sheet.name, header, earlier)
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
            let at = range_ref(sheet.name, (header, start.1), (header, end.1));
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

    fn details(
        &mut self,
        sheet: &SheetView<'_>,
        header: u32,
        merges: &[calamine::Dimensions],
        response_type: ResponseType,
    ) {
        let Some(cols) = self.columns(sheet, header, &[KEY, VALUE]) else {
            return;
        };
        let (key_col, value_col) = (cols[0], cols[1]);
        self.merged(sheet, header, merges, &[value_col]);
        let Some(end) = sheet.range.end() else {
            return;
        };
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        let mut person: Vec<(&'static str, Option<toml::Value>, String)> = Vec::new();
        for row in header + 1..=end.0 {
            let Some(key) = header_text(sheet.range, row, key_col).filter(|k| !k.is_empty()) else {
                continue;
            };
            let place = cell_ref(sheet.name, row, value_col);
            let Some(detail) = layout::all_detail_keys().find(|d| d.key == key) else {
                self.diags.push(
                    Diagnostic::warning(format!(
                        "{}: \"{key}\" is not a detail sct knows; the row is ignored",
                        cell_ref(sheet.name, row, key_col)
                    ))
                    .in_file(self.name),
                );
                continue;
            };
            if let Some(first) = seen.insert(key.clone(), row) {
                self.error(
                    &cell_ref(sheet.name, row, key_col),
                    format!(
                        "\"{key}\" is given twice (also {})",
                        cell_ref(sheet.name, first, key_col)
                    ),
                )
                .expected = Some("each detail once".into());
                continue;
            }
            let value = self.cell(sheet, row, value_col, detail.kind);
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

    fn rows(
        &mut self,
        sheet: &SheetView<'_>,
        header: u32,
        merges: &[calamine::Dimensions],
        kind: RowKind,
    ) {
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
        self.merged(sheet, header, merges, &cols);
        let Some(end) = sheet.range.end() else {
            return;
        };
        for row in header + 1..=end.0 {
            let id_place = cell_ref(sheet.name, row, id_col);
            let id = match sheet.range.get_value((row, id_col)) {
                Some(Data::String(s)) => s.trim().to_string(),
                Some(Data::Empty) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let values: Vec<Option<toml::Value>> = inputs
                .iter()
                .zip(&cols[1..])
                .map(|(input, col)| self.cell(sheet, row, *col, input.kind))
                .collect();
            let answered = values.iter().any(Option::is_some);
            if id.is_empty() {
                if let Some(n) = values.iter().position(Option::is_some) {
                    let what = match kind {
                        RowKind::Capability => "capability",
                        RowKind::Milestone => "milestone",
                    };
                    self.error(
                        &cell_ref(sheet.name, row, cols[n + 1]),
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
                        cell_ref(sheet.name, row, *col),
                    );
                }
            }
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
            let shown: Vec<&str> = missing.iter().copied().take(5).collect();
            let more = if missing.len() > shown.len() {
                format!(" and {} more", missing.len() - shown.len())
            } else {
                String::new()
            };
            self.diags.push(
                Diagnostic::warning(format!(
                    "{} capabilities have no row in the workbook (a deleted row or sheet?): {}{more}; they read as unanswered",
                    missing.len(),
                    shown.join(", ")
                ))
                .in_file(self.name),
            );
        }
    }
}

/// A cell's value as text for `kind`, `Ok(None)` when blank, or the problem and what was
/// expected.
fn read_value(data: &Data, kind: CellKind) -> Result<Option<String>, (String, String)> {
    let date_expected =
        || "a date (enter it as a date, such as 31/03/2027, or as text YYYY-MM-DD)".to_string();
    if let Data::Error(e) = data {
        return Err((
            format!("holds the error value {e}"),
            match kind {
                CellKind::Date => date_expected(),
                _ => "text".to_string(),
            },
        ));
    }
    if kind == CellKind::Date {
        return read_date(data).map(|d| d.map(|d| d.to_string()));
    }
    Ok(match data {
        Data::Empty => None,
        Data::String(s) if s.trim().is_empty() => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(number_text(*f)),
        Data::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) => Some(match excel_date(dt) {
            Ok(Some(d)) => d.to_string(),
            _ => dt.to_string(),
        }),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(_) => None,
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

/// A date cell: a real date (no time of day), or text `YYYY-MM-DD`.
fn read_date(data: &Data) -> Result<Option<Date>, (String, String)> {
    let expected =
        "a date (enter it as a date, such as 31/03/2027, or as text YYYY-MM-DD)".to_string();
    match data {
        Data::Empty => Ok(None),
        Data::String(s) if s.trim().is_empty() => Ok(None),
        Data::String(s) => Date::parse(s)
            .map(Some)
            .map_err(|_| (format!("\"{s}\" is not a date"), expected)),
        Data::DateTime(dt) if dt.is_datetime() => match excel_date(dt) {
            Ok(d) => Ok(d),
            Err(what) => Err((what, expected)),
        },
        Data::DateTimeIso(s) => {
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
        Data::DateTime(dt) => Err((format!("{dt} is a duration, not a date"), expected)),
        Data::DurationIso(s) => Err((format!("{s} is a duration, not a date"), expected)),
        Data::Int(i) => Err((format!("{i} is a number, not a date"), expected)),
        Data::Float(f) => Err((
            format!("{} is a number, not a date", number_text(*f)),
            expected,
        )),
        Data::Bool(b) => Err((
            format!("{} is not a date", if *b { "TRUE" } else { "FALSE" }),
            expected,
        )),
        Data::Error(e) => Err((format!("holds the error value {e}"), expected)),
    }
}

/// An Excel date-time serial as a date; an error if it has a time of day or is no real day.
fn excel_date(dt: &calamine::ExcelDateTime) -> Result<Option<Date>, String> {
    let value = dt.as_f64();
    if !value.is_finite() || !(0.0..3_000_000.0).contains(&value) {
        return Err(format!("{value} is outside the dates a workbook can hold"));
    }
    let (y, m, d, h, min, s, ms) = dt.to_ymd_hms_milli();
    if (h, min, s, ms) != (0, 0, 0, 0) {
        return Err(format!(
            "{y:04}-{m:02}-{d:02} {h:02}:{min:02} has a time of day; a date alone is expected"
        ));
    }
    Date::from_ymd(i32::from(y), u32::from(m), u32::from(d))
        .map(Some)
        .ok_or_else(|| format!("{y:04}-{m:02}-{d:02} is not a real day"))
}
