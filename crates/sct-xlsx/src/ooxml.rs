//! The parts of an `.xlsx` workbook that hold what sct reads (the sheet list, the shared
//! strings, the number formats that make a number a date, and each worksheet's cells, formulas
//! and merged areas), parsed within [`Limits`].
//!
//! Why a parser of its own rather than a spreadsheet library's: the library sct used read every
//! shared string before a sheet could be looked at, built each sheet as a dense rectangle from
//! its first used cell to its last (one cell at `XFD1048576` asked for 550 GB), overflowed on a
//! reference past Excel's limits, read a shared-string index of -1 as string 0, and expanded a
//! shared formula over whatever range it claimed. Here cells are kept sparse, every reference
//! is checked against Excel's limits and every value's position against the assessment's,
//! every count is bounded, and each refusal names the sheet and cell (or the part) at fault.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::archive::{Archive, ArchiveError};
use crate::layout::{cell_ref, column_name, quote_sheet};
use crate::limits::Limits;

/// Excel's rows (the last is 1,048,576).
pub const EXCEL_ROWS: u32 = 1_048_576;
/// Excel's columns (the last is `XFD`).
pub const EXCEL_COLUMNS: u32 = 16_384;
/// Days between the 1904 date system's day 0 and the 1900 system's.
const DAYS_1904: f64 = 1462.0;

/// A cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Empty,
    /// Text (a shared string is shared, not copied).
    Text(Arc<String>),
    /// A number not formatted as a date or time.
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A number formatted as a date or time: a serial day of the 1900 date system.
    DateTime(f64),
    /// A number formatted as a duration (`[h]:mm`), in days.
    Duration(f64),
    /// A date-time written as ISO 8601 text (`t="d"` cells).
    IsoDateTime(String),
}

/// A cell: its value and the formula that gave it, if any.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The value (the formula's cached result, for a formula).
    pub value: Value,
    /// The formula's text (without `=`), empty when only its cell is known to hold one.
    pub formula: Option<String>,
}

/// A merged area, zero-based (row, column) of its corners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// The top left cell.
    pub start: (u32, u32),
    /// The bottom right cell.
    pub end: (u32, u32),
}

/// One worksheet: the cells that hold a value or formula, and the merged areas.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name as shown on its tab.
    pub name: String,
    cells: BTreeMap<(u32, u32), Cell>,
    /// Merged areas.
    pub merges: Vec<Area>,
}

static EMPTY: Value = Value::Empty;

impl Sheet {
    /// The value at (row, column), zero-based; [`Value::Empty`] where there is none.
    pub fn value(&self, row: u32, col: u32) -> &Value {
        self.cells.get(&(row, col)).map_or(&EMPTY, |c| &c.value)
    }

    /// The formula at (row, column), if the cell holds one.
    pub fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.cells.get(&(row, col))?.formula.as_deref()
    }

    /// The first and last (row, column) of the cells used, as the corners of a rectangle.
    pub fn extent(&self) -> Option<((u32, u32), (u32, u32))> {
        let first_row = self.cells.keys().next()?.0;
        let last_row = self.cells.keys().next_back()?.0;
        let cols = self.cells.keys().map(|k| k.1);
        let (first_col, last_col) = cols.fold((u32::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
        Some(((first_row, first_col), (last_row, last_col)))
    }
}

/// A workbook's worksheets, in tab order.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// The worksheets (chart sheets and other kinds are left out).
    pub sheets: Vec<Sheet>,
}

/// Why a workbook cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// The archive itself.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A part is not the XML it should be.
    #[error("{part}: {message}")]
    Malformed {
        /// The part, or the sheet and cell.
        part: String,
        /// What is wrong.
        message: String,
    },
    /// A cell or merged area names a position that is not a cell reference.
    #[error("{sheet}: \"{reference}\" is not a cell reference")]
    BadReference {
        /// The sheet, quoted as in a reference.
        sheet: String,
        /// The reference as written.
        reference: String,
    },
    /// A reference past Excel's last row or column.
    #[error("{sheet}: {reference} is past Excel's last {what} ({last})")]
    PastExcel {
        /// The sheet, quoted as in a reference.
        sheet: String,
        /// The cell or row as written (or worked out, for one written without its number),
        /// such as `cell XFE1` or `row 1048577`.
        reference: String,
        /// `row` or `column`.
        what: &'static str,
        /// Excel's last row or column.
        last: String,
    },
    /// A value past the rows or columns a response workbook uses.
    #[error("{at}: a value past the last {what} a response workbook uses ({last})")]
    PastLimit {
        /// The cell.
        at: String,
        /// `row` or `column`.
        what: &'static str,
        /// The last row or column allowed.
        last: String,
    },
    /// A shared-string cell whose index names no shared string.
    #[error("{at}: \"{index}\" is not the index of one of the workbook's {count} shared strings")]
    NoSuchString {
        /// The cell.
        at: String,
        /// The index as written.
        index: String,
        /// The shared strings there are.
        count: usize,
    },
    /// More of something than a response workbook has.
    #[error("{part}: more than {limit} {what}, more than a response workbook has")]
    TooMany {
        /// The part or sheet.
        part: String,
        /// What there are too many of.
        what: &'static str,
        /// The most allowed.
        limit: usize,
    },
    /// A part the workbook needs is missing.
    #[error("cannot open it as an Excel workbook: it has no {0}")]
    Missing(String),
}

impl BookError {
    /// What was expected instead, for the diagnostic.
    pub fn expected(&self) -> Option<String> {
        match self {
            BookError::PastLimit { .. } => Some(
                "answers and notes near the assessment's rows and columns; move anything further out to a workbook of its own".into(),
            ),
            BookError::BadReference { .. } | BookError::PastExcel { .. } => Some(
                "cell references within A1:XFD1048576, as Excel writes them".into(),
            ),
            BookError::Archive(ArchiveError::NotZip(_)) | BookError::Missing(_) => Some(
                "an .xlsx workbook made by `sct template ... -o FILE.xlsx` (saved as Excel Workbook .xlsx, not .xls or .ods)".into(),
            ),
            _ => None,
        }
    }
}

/// Reads the worksheets of the workbook in `bytes`, within `limits`.
pub fn read_book(bytes: &[u8], limits: &Limits) -> Result<Book, BookError> {
    let mut zip = Archive::open(bytes)?;
    let workbook_part = "xl/workbook.xml";
    let workbook = zip
        .read(workbook_part)?
        .ok_or_else(|| BookError::Missing(workbook_part.into()))?;
    let rels_part = "xl/_rels/workbook.xml.rels";
    let rels = match zip.read(rels_part)? {
        Some(xml) => parse_rels(rels_part, &xml)?,
        None => Vec::new(),
    };
    let (listed, date1904) = parse_workbook(workbook_part, &workbook, limits)?;
    let related = |kind: &str, fallback: &str| {
        rels.iter()
            .find(|r| r.kind.ends_with(kind))
            .map_or(fallback.to_string(), |r| r.target.clone())
    };
    let strings_part = related("/sharedStrings", "xl/sharedStrings.xml");
    let styles_part = related("/styles", "xl/styles.xml");
    // Each sheet listed, with its part when it is a worksheet (chart sheets, dialog sheets and
    // macro sheets hold no answers).
    let mut sheets = Vec::with_capacity(listed.len());
    for (name, id) in listed {
        let Some(rel) = rels.iter().find(|r| r.id == id) else {
            return Err(BookError::Malformed {
                part: workbook_part.into(),
                message: format!("sheet {} has no relationship {id}", quote_sheet(&name)),
            });
        };
        if rel.kind.ends_with("/worksheet") {
            sheets.push((name, rel.target.clone()));
        }
    }
    // Every part about to be read, checked for size before any is inflated.
    let mut parts = vec![strings_part.clone(), styles_part.clone()];
    parts.extend(sheets.iter().map(|(_, part)| part.clone()));
    zip.check_sizes(&parts)?;
    let strings = match zip.read(&strings_part)? {
        Some(xml) => parse_shared_strings(&strings_part, &xml, limits)?,
        None => Vec::new(),
    };
    let styles = match zip.read(&styles_part)? {
        Some(xml) => parse_styles(&styles_part, &xml)?,
        None => Styles::default(),
    };
    let context = Context {
        strings: &strings,
        styles: &styles,
        date1904,
        limits,
    };
    let mut book = Book::default();
    for (name, part) in sheets {
        let xml = zip
            .read(&part)?
            .ok_or_else(|| BookError::Missing(format!("{part} (sheet {})", quote_sheet(&name))))?;
        book.sheets.push(parse_sheet(name, &part, &xml, &context)?);
    }
    Ok(book)
}

/// A reader of one part's XML, empty elements given as a start and an end.
fn xml_reader(xml: &[u8]) -> Reader<&[u8]> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().expand_empty_elements = true;
    reader
}

fn malformed(part: &str, reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> BookError {
    BookError::Malformed {
        part: part.to_string(),
        message: format!("{e} (at byte {})", reader.error_position()),
    }
}

/// The value of an attribute (by local name), entities resolved.
fn attribute(part: &str, e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, BookError> {
    let [value] = attributes(part, e, [name])?;
    Ok(value)
}

/// The values of several attributes (by local name), entities resolved, in one pass.
fn attributes<const N: usize>(
    part: &str,
    e: &BytesStart<'_>,
    names: [&[u8]; N],
) -> Result<[Option<String>; N], BookError> {
    let bad = |message: String| BookError::Malformed {
        part: part.into(),
        message,
    };
    let mut out = [const { None }; N];
    for a in e.attributes() {
        let a = a.map_err(|err| bad(err.to_string()))?;
        let Some(i) = names.iter().position(|n| *n == a.key.local_name().as_ref()) else {
            continue;
        };
        // Parts are UTF-8 (as Excel and every other producer writes them).
        let raw = std::str::from_utf8(&a.value).map_err(|err| bad(err.to_string()))?;
        let value = quick_xml::escape::unescape(raw).map_err(|err| bad(err.to_string()))?;
        out[i] = Some(value.into_owned());
    }
    Ok(out)
}

fn push_reference(out: &mut String, r: &BytesRef<'_>) -> Result<(), String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        out.push(c);
        return Ok(());
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    let text = quick_xml::escape::resolve_predefined_entity(&name)
        .ok_or_else(|| format!("unknown entity &{name};"))?;
    out.push_str(text);
    Ok(())
}

/// The text inside the element just started, up to its end; nested elements are skipped.
fn plain_text(part: &str, reader: &mut Reader<&[u8]>) -> Result<String, BookError> {
    let mut out = String::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, reader, e))?
        {
            Event::Text(t) => {
                out.push_str(&t.xml10_content().map_err(|e| malformed(part, reader, e))?)
            }
            Event::CData(t) => out.push_str(&t.decode().map_err(|e| malformed(part, reader, e))?),
            Event::GeneralRef(r) => {
                push_reference(&mut out, &r).map_err(|e| malformed(part, reader, e))?
            }
            Event::Start(e) => {
                reader
                    .read_to_end(e.name())
                    .map_err(|err| malformed(part, reader, err))?;
            }
            Event::End(_) => return Ok(out),
            Event::Eof => return Err(malformed(part, reader, "the part ends inside an element")),
            _ => {}
        }
    }
}

/// A string item (`<si>` or `<is>`): its `<t>` texts and those of its runs, phonetic guides
/// left out, Excel's `_xHHHH_` escapes undone.
fn rich_text(part: &str, reader: &mut Reader<&[u8]>, end: &[u8]) -> Result<String, BookError> {
    let mut out = String::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, reader, e))?
        {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => {
                    let text = plain_text(part, reader)?;
                    if out.is_empty() {
                        out = unescape_excel(text);
                    } else {
                        out.push_str(&unescape_excel(text));
                    }
                }
                // A run's text is read as the loop meets it; its end is passed over below.
                b"r" => {}
                _ => {
                    reader
                        .read_to_end(e.name())
                        .map_err(|err| malformed(part, reader, err))?;
                }
            },
            Event::End(e) if e.local_name().as_ref() == end => return Ok(out),
            Event::Eof => return Err(malformed(part, reader, "the part ends inside a string")),
            _ => {}
        }
    }
}

/// Undoes Excel's `_xHHHH_` escapes (for characters XML cannot carry, and `_x005F_` for an
/// underscore that would otherwise start one). A character beyond the BMP is escaped as its
/// two UTF-16 halves; an escape that spells no character is left as written.
pub fn unescape_excel(text: String) -> String {
    if !text.contains("_x") {
        return text;
    }
    let escape_at = |i: usize| -> Option<u16> {
        let e = text.get(i..i + 7)?;
        let hex = e.strip_prefix("_x")?.strip_suffix('_')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match escape_at(i) {
            Some(high @ 0xD800..=0xDBFF) => {
                let low = escape_at(i + 7).filter(|l| (0xDC00..=0xDFFF).contains(l));
                if let Some(Ok(pair)) = low.and_then(|l| char::decode_utf16([high, l]).next()) {
                    out.push(pair);
                    i += 14;
                    continue;
                }
            }
            Some(unit) => {
                if let Some(decoded) = char::from_u32(u32::from(unit)) {
                    out.push(decoded);
                    i += 7;
                    continue;
                }
            }
            None => {}
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// One relationship of the workbook part.
#[derive(Debug, Clone)]
struct Relationship {
    id: String,
    kind: String,
    /// The target part's name within the archive.
    target: String,
}

fn parse_rels(part: &str, xml: &[u8]) -> Result<Vec<Relationship>, BookError> {
    let mut reader = xml_reader(xml);
    let mut out = Vec::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, &reader, e))?
        {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let external = attribute(part, &e, b"TargetMode")?.as_deref() == Some("External");
                let (Some(id), Some(kind), Some(target)) = (
                    attribute(part, &e, b"Id")?,
                    attribute(part, &e, b"Type")?,
                    attribute(part, &e, b"Target")?,
                ) else {
                    continue;
                };
                if !external {
                    out.push(Relationship {
                        id,
                        kind,
                        target: resolve_target("xl", &target),
                    });
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A relationship target as a part name: relative to `base`, or absolute with a leading `/`.
fn resolve_target(base: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{base}/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The sheets listed (name and relationship id, in tab order) and whether dates count from
/// 1904.
fn parse_workbook(
    part: &str,
    xml: &[u8],
    limits: &Limits,
) -> Result<(Vec<(String, String)>, bool), BookError> {
    let mut reader = xml_reader(xml);
    let mut sheets = Vec::new();
    let mut date1904 = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, &reader, e))?
        {
            Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                if sheets.len() == limits.sheets {
                    return Err(BookError::TooMany {
                        part: part.into(),
                        what: "sheets",
                        limit: limits.sheets,
                    });
                }
                let name = attribute(part, &e, b"name")?.unwrap_or_default();
                let id = attribute(part, &e, b"id")?.unwrap_or_default();
                sheets.push((name, id));
            }
            Event::Start(e) if e.local_name().as_ref() == b"workbookPr" => {
                date1904 = matches!(
                    attribute(part, &e, b"date1904")?.as_deref(),
                    Some("1" | "true")
                );
            }
            Event::Eof => return Ok((sheets, date1904)),
            _ => {}
        }
    }
}

fn parse_shared_strings(
    part: &str,
    xml: &[u8],
    limits: &Limits,
) -> Result<Vec<Arc<String>>, BookError> {
    let mut reader = xml_reader(xml);
    let mut strings = Vec::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, &reader, e))?
        {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                if strings.len() == limits.shared_strings {
                    return Err(BookError::TooMany {
                        part: part.into(),
                        what: "shared strings",
                        limit: limits.shared_strings,
                    });
                }
                strings.push(Arc::new(rich_text(part, &mut reader, b"si")?));
            }
            Event::Eof => return Ok(strings),
            _ => {}
        }
    }
}

/// What a cell style makes of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberKind {
    Plain,
    DateTime,
    Duration,
}

/// The number kind of each cell style (`<cellXfs>`), by index.
#[derive(Debug, Default)]
struct Styles {
    kinds: Vec<NumberKind>,
}

fn parse_styles(part: &str, xml: &[u8]) -> Result<Styles, BookError> {
    let mut reader = xml_reader(xml);
    let mut formats: HashMap<String, NumberKind> = HashMap::new();
    let mut styles = Styles::default();
    let (mut in_formats, mut in_cell_styles) = (false, false);
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, &reader, e))?
        {
            Event::Start(e) => match e.local_name().as_ref() {
                b"numFmts" => in_formats = true,
                b"cellXfs" => in_cell_styles = true,
                b"numFmt" if in_formats => {
                    if let (Some(id), Some(code)) = (
                        attribute(part, &e, b"numFmtId")?,
                        attribute(part, &e, b"formatCode")?,
                    ) {
                        formats.insert(id, format_kind(&code));
                    }
                }
                b"xf" if in_cell_styles => {
                    let id = attribute(part, &e, b"numFmtId")?.unwrap_or_default();
                    let kind = formats
                        .get(&id)
                        .copied()
                        .unwrap_or_else(|| builtin_kind(&id));
                    styles.kinds.push(kind);
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"numFmts" => in_formats = false,
                b"cellXfs" => in_cell_styles = false,
                _ => {}
            },
            Event::Eof => return Ok(styles),
            _ => {}
        }
    }
}

/// Excel's built-in number formats that show dates and times.
fn builtin_kind(id: &str) -> NumberKind {
    match id.parse::<u32>() {
        Ok(14..=22 | 45 | 47) => NumberKind::DateTime,
        Ok(46) => NumberKind::Duration,
        _ => NumberKind::Plain,
    }
}

/// Whether a custom number format shows a date or time: a day, month, year, hour or second
/// code in its first section, outside quotes, escapes and brackets; `[h]`, `[m]` or `[s]`
/// (elapsed time) make it a duration. (The rule openpyxl and calamine use.)
fn format_kind(code: &str) -> NumberKind {
    let section = code;
    let mut chars = section.chars().peekable();
    let mut kind = NumberKind::Plain;
    while let Some(c) = chars.next() {
        match c {
            ';' => break,
            '\\' | '_' | '*' => {
                chars.next();
            }
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '[' => {
                let inside: String = chars.by_ref().take_while(|&b| b != ']').collect();
                let elapsed = !inside.is_empty()
                    && inside
                        .chars()
                        .all(|b| matches!(b.to_ascii_lowercase(), 'h' | 'm' | 's'));
                if elapsed {
                    return NumberKind::Duration;
                }
            }
            c if matches!(c.to_ascii_lowercase(), 'd' | 'm' | 'y' | 'h' | 's') => {
                kind = NumberKind::DateTime;
            }
            _ => {}
        }
    }
    kind
}

/// What a worksheet's cells are read with.
struct Context<'a> {
    strings: &'a [Arc<String>],
    styles: &'a Styles,
    date1904: bool,
    limits: &'a Limits,
}

/// Where the parser is in a worksheet's rows.
struct Cursor {
    in_data: bool,
    row: u32,
    next_row: u32,
    next_col: u32,
    /// Shared formulas' text by their index, for the cells that share them.
    shared: HashMap<String, String>,
}

fn parse_sheet(name: String, part: &str, xml: &[u8], cx: &Context<'_>) -> Result<Sheet, BookError> {
    let mut reader = xml_reader(xml);
    let mut sheet = Sheet {
        name,
        cells: BTreeMap::new(),
        merges: Vec::new(),
    };
    let mut at = Cursor {
        in_data: false,
        row: 0,
        next_row: 0,
        next_col: 0,
        shared: HashMap::new(),
    };
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, &reader, e))?
        {
            Event::Start(e) => match e.local_name().as_ref() {
                b"sheetData" => at.in_data = true,
                b"row" if at.in_data => {
                    at.row = match attribute(part, &e, b"r")? {
                        Some(r) => row_number(&sheet.name, &r)?,
                        None => check_row(&sheet.name, at.next_row)?,
                    };
                    at.next_col = 0;
                }
                b"c" if at.in_data => {
                    let (pos, cell) = read_cell(part, &mut reader, &e, &sheet.name, &mut at, cx)?;
                    if let Some(cell) = cell {
                        check_limits(&sheet.name, pos, cx.limits)?;
                        sheet.cells.insert(pos, cell);
                    }
                }
                b"mergeCell" => {
                    if sheet.merges.len() == cx.limits.merges {
                        return Err(BookError::TooMany {
                            part: quote_sheet(&sheet.name),
                            what: "merged areas",
                            limit: cx.limits.merges,
                        });
                    }
                    let area = attribute(part, &e, b"ref")?.unwrap_or_default();
                    sheet.merges.push(parse_area(&sheet.name, &area)?);
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"sheetData" => at.in_data = false,
                b"row" if at.in_data => at.next_row = at.row.saturating_add(1),
                _ => {}
            },
            Event::Eof => return Ok(sheet),
            _ => {}
        }
    }
}

/// A value's position checked against the assessment's bounds.
fn check_limits(sheet: &str, (row, col): (u32, u32), limits: &Limits) -> Result<(), BookError> {
    let at = || cell_ref(sheet, row, col);
    if row >= limits.rows {
        return Err(BookError::PastLimit {
            at: at(),
            what: "row",
            last: format!("row {}", limits.rows),
        });
    }
    if col >= limits.columns {
        return Err(BookError::PastLimit {
            at: at(),
            what: "column",
            last: format!("column {}", column_name(limits.columns - 1)),
        });
    }
    Ok(())
}

/// The raw parts of a `<c>` element.
#[derive(Default)]
struct RawCell {
    value: Option<String>,
    inline: Option<String>,
    formula: Option<String>,
}

/// Reads a `<c>` element: its position, and its cell when it holds a value or formula.
fn read_cell(
    part: &str,
    reader: &mut Reader<&[u8]>,
    start: &BytesStart<'_>,
    sheet: &str,
    at: &mut Cursor,
    cx: &Context<'_>,
) -> Result<((u32, u32), Option<Cell>), BookError> {
    let [r, kind, style] = attributes(part, start, [b"r", b"t", b"s"])?;
    let pos = match r {
        Some(r) => parse_reference(sheet, &r)?,
        None => (at.row, at.next_col),
    };
    if pos.1 >= EXCEL_COLUMNS {
        let cell = format!("cell {}{}", column_name(pos.1), pos.0 + 1);
        return Err(past_excel(sheet, &cell, "column"));
    }
    at.next_col = pos.1 + 1;
    let mut raw = RawCell::default();
    loop {
        match reader
            .read_event()
            .map_err(|e| malformed(part, reader, e))?
        {
            Event::Start(e) => match e.local_name().as_ref() {
                b"v" => raw.value = Some(plain_text(part, reader)?),
                b"is" => raw.inline = Some(rich_text(part, reader, b"is")?),
                b"f" => raw.formula = Some(read_formula(part, reader, &e, at, cx.limits)?),
                _ => {
                    reader
                        .read_to_end(e.name())
                        .map_err(|err| malformed(part, reader, err))?;
                }
            },
            Event::End(_) => break,
            Event::Eof => return Err(malformed(part, reader, "the part ends inside a cell")),
            _ => {}
        }
    }
    let here = || cell_ref(sheet, pos.0, pos.1);
    let value = match cell_value(&mut raw, kind.as_deref(), style.as_deref(), cx) {
        Ok(value) => value,
        Err(CellProblem::NoSuchString) => {
            return Err(BookError::NoSuchString {
                at: here(),
                index: raw.value.unwrap_or_default(),
                count: cx.strings.len(),
            });
        }
        Err(CellProblem::Malformed(message)) => {
            return Err(BookError::Malformed {
                part: here(),
                message,
            });
        }
    };
    let cell = (value != Value::Empty || raw.formula.is_some()).then_some(Cell {
        value,
        formula: raw.formula,
    });
    Ok((pos, cell))
}

/// A `<f>` element's text; a cell sharing another's formula gets that formula's text.
fn read_formula(
    part: &str,
    reader: &mut Reader<&[u8]>,
    start: &BytesStart<'_>,
    at: &mut Cursor,
    limits: &Limits,
) -> Result<String, BookError> {
    let shared = attribute(part, start, b"t")?.as_deref() == Some("shared");
    let index = attribute(part, start, b"si")?;
    let text = plain_text(part, reader)?;
    let Some(index) = index.filter(|_| shared) else {
        return Ok(text);
    };
    if text.is_empty() {
        return Ok(at.shared.get(&index).cloned().unwrap_or_default());
    }
    // Only for the message: a cell is refused for holding a formula whether or not its text
    // is known, so the map stops growing at the bound rather than refusing.
    if at.shared.len() < limits.shared_strings {
        at.shared.insert(index, text.clone());
    }
    Ok(text)
}

/// What is wrong with a cell's value.
enum CellProblem {
    /// A shared-string index that names no shared string.
    NoSuchString,
    /// Anything else, said.
    Malformed(String),
}

impl From<String> for CellProblem {
    fn from(message: String) -> CellProblem {
        CellProblem::Malformed(message)
    }
}

/// A cell's value from its type (`t`), style (`s`) and content.
fn cell_value(
    raw: &mut RawCell,
    kind: Option<&str>,
    style: Option<&str>,
    cx: &Context<'_>,
) -> Result<Value, CellProblem> {
    let v = raw.value.as_deref().unwrap_or("");
    if kind == Some("inlineStr") {
        return Ok(raw
            .inline
            .take()
            .map_or(Value::Empty, |s| Value::Text(Arc::new(s))));
    }
    if v.is_empty() {
        return Ok(Value::Empty);
    }
    Ok(match kind {
        Some("s") => {
            let index = v
                .parse::<usize>()
                .ok()
                .filter(|_| v.bytes().all(|b| b.is_ascii_digit()));
            match index.and_then(|i| cx.strings.get(i)) {
                Some(s) => Value::Text(s.clone()),
                None => return Err(CellProblem::NoSuchString),
            }
        }
        Some("str") => Value::Text(Arc::new(unescape_excel(v.to_string()))),
        Some("b") => match v {
            "1" | "true" => Value::Bool(true),
            "0" | "false" => Value::Bool(false),
            _ => return Err(format!("\"{v}\" is not a boolean value").into()),
        },
        Some("e") => Value::Error(v.to_string()),
        Some("d") => Value::IsoDateTime(v.to_string()),
        Some("n") | None => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => number(n, style, cx)?,
            // A cell of no stated type that is not a number is text, as Excel reads it.
            _ if kind.is_none() => Value::Text(Arc::new(v.to_string())),
            _ => return Err(format!("\"{v}\" is not a number").into()),
        },
        Some(other) => return Err(format!("\"{other}\" is not a cell type").into()),
    })
}

/// A number as its style shows it: a date, a duration or a plain number.
fn number(n: f64, style: Option<&str>, cx: &Context<'_>) -> Result<Value, String> {
    let kind = match style {
        None => NumberKind::Plain,
        Some(s) => {
            let index: usize = s
                .parse()
                .map_err(|_| format!("\"{s}\" is not a style index"))?;
            // A style the workbook does not define shows the number plainly, as Excel does.
            cx.styles
                .kinds
                .get(index)
                .copied()
                .unwrap_or(NumberKind::Plain)
        }
    };
    Ok(match kind {
        NumberKind::Plain => Value::Number(n),
        NumberKind::DateTime if cx.date1904 => Value::DateTime(n + DAYS_1904),
        NumberKind::DateTime => Value::DateTime(n),
        NumberKind::Duration => Value::Duration(n),
    })
}

fn past_excel(sheet: &str, reference: &str, what: &'static str) -> BookError {
    BookError::PastExcel {
        sheet: quote_sheet(sheet),
        reference: reference.to_string(),
        what,
        last: match what {
            "row" => EXCEL_ROWS.to_string(),
            _ => column_name(EXCEL_COLUMNS - 1),
        },
    }
}

/// A row number (one-based as written) as a zero-based row.
fn row_number(sheet: &str, text: &str) -> Result<u32, BookError> {
    let bad = || BookError::BadReference {
        sheet: quote_sheet(sheet),
        reference: format!("row {text}"),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.starts_with('0') {
        return Err(bad());
    }
    match text.parse::<u32>() {
        Ok(n) if n <= EXCEL_ROWS => Ok(n - 1),
        _ => Err(past_excel(sheet, &format!("row {text}"), "row")),
    }
}

fn check_row(sheet: &str, row: u32) -> Result<u32, BookError> {
    if row >= EXCEL_ROWS {
        return Err(past_excel(
            sheet,
            &format!("row {}", u64::from(row) + 1),
            "row",
        ));
    }
    Ok(row)
}

/// A cell reference such as `B12` as a zero-based (row, column).
pub fn parse_reference(sheet: &str, text: &str) -> Result<(u32, u32), BookError> {
    let bad = || BookError::BadReference {
        sheet: quote_sheet(sheet),
        reference: text.to_string(),
    };
    let split = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .ok_or_else(bad)?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty()
        || digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || digits.starts_with('0')
    {
        return Err(bad());
    }
    // Three letters reach past XFD and seven digits past row 1,048,576: longer ones are past
    // Excel's limits without being worked out (which could overflow).
    let past = |what| past_excel(sheet, &format!("cell {text}"), what);
    if letters.len() > 3 {
        return Err(past("column"));
    }
    if digits.len() > 7 {
        return Err(past("row"));
    }
    let col = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row: u32 = digits.parse().map_err(|_| bad())?;
    if col > EXCEL_COLUMNS {
        return Err(past("column"));
    }
    if row > EXCEL_ROWS {
        return Err(past("row"));
    }
    Ok((row - 1, col - 1))
}

/// A merged area such as `H6:I6` (or a single cell).
fn parse_area(sheet: &str, text: &str) -> Result<Area, BookError> {
    let (first, last) = text.split_once(':').unwrap_or((text, text));
    let start = parse_reference(sheet, first)?;
    let end = parse_reference(sheet, last)?;
    Ok(Area {
        start: (start.0.min(end.0), start.1.min(end.1)),
        end: (start.0.max(end.0), start.1.max(end.1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_within_excel_read_and_others_are_refused() {
        assert_eq!(parse_reference("S", "A1").unwrap(), (0, 0));
        assert_eq!(
            parse_reference("S", "XFD1048576").unwrap(),
            (1_048_575, 16_383)
        );
        for past in ["XFE1", "A1048577", "AAAAAAAAA40", "A99999999999"] {
            assert!(
                matches!(parse_reference("S", past), Err(BookError::PastExcel { .. })),
                "{past}"
            );
        }
        for bad in ["", "1", "A", "A0", "A01", "$A$1", "A-1", "Ä1"] {
            assert!(
                matches!(
                    parse_reference("S", bad),
                    Err(BookError::BadReference { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn excel_escapes_are_undone() {
        let un = |s: &str| unescape_excel(s.to_string());
        assert_eq!(un("a_x000D_b"), "a\rb");
        assert_eq!(un("_x005F_x0041_"), "_x0041_");
        assert_eq!(un("_xD83D__xDE00_"), "😀");
        assert_eq!(
            un("_x12_ and _xZZZZ_ and _xD83D_"),
            "_x12_ and _xZZZZ_ and _xD83D_"
        );
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        for (code, kind) in [
            ("yyyy-mm-dd", NumberKind::DateTime),
            ("dd/mm/yyyy", NumberKind::DateTime),
            ("[h]:mm:ss", NumberKind::Duration),
            ("#,##0.00", NumberKind::Plain),
            ("\"days: \"0", NumberKind::Plain),
            ("[Red]0.0", NumberKind::Plain),
            ("General", NumberKind::Plain),
            ("@", NumberKind::Plain),
            ("0.00E+00", NumberKind::Plain),
        ] {
            assert_eq!(format_kind(code), kind, "{code}");
        }
    }
}
