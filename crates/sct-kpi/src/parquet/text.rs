//! Text columns of a Parquet file read as small ids: each distinct text of a column is kept
//! once ([`Texts`]), checked as UTF-8 and trimmed once, and each row carries the id of its
//! text. Data platforms write text columns dictionary-encoded (each page's values are
//! indices into the column chunk's dictionary), so a dictionary entry is interned once per
//! row group and a row's id is a look-up in a small table; a page written plain (pyarrow
//! falls back to plain when the dictionary grows large) has each value interned as it comes.
//!
//! The pages are decoded here, from the crate's decompressed pages: the parquet crate's own
//! reader hands back every value as its own copy of the dictionary entry, which cost more
//! than the rest of the reading together. The encodings read are those of the format's
//! specification that writers use for text (PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY
//! values, RLE definition levels); a column chunk written with any other is read through the
//! crate's column reader instead ([`TextReader::Records`]).

use std::collections::HashMap;

use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};
use parquet::column::reader::ColumnReader;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError as CrateError;
use parquet::file::metadata::ColumnChunkMetaData;

/// The id of a null (an empty field).
pub(super) const NULL: u32 = u32::MAX;

/// The distinct texts of one column, by id.
#[derive(Default)]
pub(super) struct Texts {
    /// Each text trimmed, `None` when its bytes are not UTF-8.
    entries: Vec<Option<Box<str>>>,
    index: HashMap<Box<[u8]>, u32>,
    /// The bytes and id of the text interned last (rows of one series come together, so
    /// a plain page repeats it row after row); the bytes kept in the same room each time.
    last: (Vec<u8>, Option<u32>),
}

impl Texts {
    /// The text of `id` (trimmed, as the CSV's fields are), `""` for [`NULL`]; `None` when
    /// its bytes are not UTF-8.
    #[inline]
    pub(super) fn get(&self, id: u32) -> Option<&str> {
        match id {
            NULL => Some(""),
            _ => self.entries.get(id as usize)?.as_deref(),
        }
    }

    /// How many texts there are.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The texts from id `from` on, for another copy of these texts ([`Texts::adopt`]).
    pub(super) fn since(&self, from: usize) -> Vec<Option<Box<str>>> {
        self.entries.get(from..).unwrap_or_default().to_vec()
    }

    /// A copy of the texts to look up by id, not to intern more in: they come from the
    /// copy that does ([`Texts::adopt`]).
    pub(super) fn mirror(&self) -> Texts {
        Texts {
            entries: self.entries.clone(),
            ..Texts::default()
        }
    }

    /// Takes the texts another copy interned after those this one has, with their ids.
    pub(super) fn adopt(&mut self, more: Vec<Option<Box<str>>>) {
        self.entries.extend(more);
    }

    /// The id of a text given as its bytes.
    fn intern(&mut self, bytes: &[u8]) -> u32 {
        if let (b, Some(id)) = &self.last
            && b[..] == *bytes
        {
            return *id;
        }
        let id = match self.index.get(bytes) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.entries.len()).unwrap_or(NULL - 1);
                let text = std::str::from_utf8(bytes).ok().map(|s| s.trim().into());
                self.entries.push(text);
                self.index.insert(bytes.into(), id);
                id
            }
        };
        self.last.0.clear();
        self.last.0.extend_from_slice(bytes);
        self.last.1 = Some(id);
        id
    }
}

/// How a text column's values are read through one row group.
pub(super) enum TextReader {
    /// From its pages, decoded here.
    Pages(Box<Pages>),
    /// Through the crate's column reader (a column chunk in an encoding not read here).
    Records {
        reader: Box<ColumnReader>,
        max_def: i16,
        def: Vec<i16>,
        values: Vec<ByteArray>,
    },
}

impl TextReader {
    /// Reads a column chunk's pages here when every encoding it uses is one read here.
    pub(super) fn new(
        chunk: &ColumnChunkMetaData,
        max_def: i16,
        pages: impl FnOnce() -> Result<Box<dyn PageReader>, CrateError>,
        reader: impl FnOnce() -> Result<ColumnReader, CrateError>,
    ) -> Result<TextReader, CrateError> {
        #[allow(deprecated)]
        let ours = |e: Encoding| {
            matches!(
                e,
                Encoding::PLAIN | Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY
            ) || (e == Encoding::RLE)
        };
        if max_def <= 1 && chunk.encodings().all(ours) {
            return Ok(TextReader::Pages(Box::new(Pages::new(pages()?, max_def))));
        }
        Ok(TextReader::Records {
            reader: Box::new(reader()?),
            max_def,
            def: Vec::new(),
            values: Vec::new(),
        })
    }

    /// Reads up to `rows` more rows as ids into `ids` (cleared first); how many were read.
    pub(super) fn fill(
        &mut self,
        rows: usize,
        ids: &mut Vec<u32>,
        texts: &mut Texts,
    ) -> Result<usize, CrateError> {
        ids.clear();
        match self {
            TextReader::Pages(p) => p.fill(rows, ids, texts),
            TextReader::Records {
                reader,
                max_def,
                def,
                values,
            } => {
                let ColumnReader::ByteArrayColumnReader(r) = reader.as_mut() else {
                    return Err(CrateError::General("a text column is not text".into()));
                };
                def.clear();
                values.clear();
                let levels = (*max_def > 0).then_some(&mut *def);
                let (n, _, _) = r.read_records(rows, levels, None, values)?;
                let mut next = values.iter();
                for i in 0..n {
                    let present = *max_def == 0 || def.get(i) == Some(max_def);
                    ids.push(match next.next().filter(|_| present) {
                        Some(v) => texts.intern(v.data()),
                        None => NULL,
                    });
                }
                Ok(n)
            }
        }
    }
}

/// A column chunk's pages, decoded here.
pub(super) struct Pages {
    pages: Box<dyn PageReader>,
    max_def: i16,
    /// The ids of the chunk's dictionary entries, by index.
    dict: Vec<u32>,
    /// Whether each of those ids is its index.
    dict_is_ids: bool,
    /// The data page being read, and where.
    page: Option<DataPage>,
    /// Definition levels and dictionary indices of a run of rows.
    levels: Vec<u32>,
    indices: Vec<u32>,
}

/// A data page being read.
struct DataPage {
    page: Page,
    /// Rows (levels) left in it.
    left: usize,
    def: Option<Hybrid>,
    values: Values,
}

/// Where a data page's values are.
enum Values {
    /// Dictionary indices.
    Dict(Hybrid),
    /// Plain byte arrays, the next at this byte.
    Plain(usize),
}

/// A damaged page, in words.
fn damaged(what: &str) -> CrateError {
    CrateError::General(format!("a text column's page is damaged ({what})"))
}

impl Pages {
    fn new(pages: Box<dyn PageReader>, max_def: i16) -> Pages {
        Pages {
            pages,
            max_def,
            dict: Vec::new(),
            dict_is_ids: false,
            page: None,
            levels: Vec::new(),
            indices: Vec::new(),
        }
    }

    fn fill(
        &mut self,
        rows: usize,
        ids: &mut Vec<u32>,
        texts: &mut Texts,
    ) -> Result<usize, CrateError> {
        while ids.len() < rows {
            let Some(page) = self.page.as_mut().filter(|p| p.left > 0) else {
                if !self.next_page(texts)? {
                    break;
                }
                continue;
            };
            let n = (rows - ids.len()).min(page.left);
            page.left -= n;
            let buf: &[u8] = page.page.buffer();
            let max = self.max_def as u32;
            // Whether every one of these rows has a value (no level to keep): the usual,
            // a run of the top level covering them all, is told without unpacking any.
            let all_present = match &mut page.def {
                Some(def) => def.skip_run_of(buf, max, n)?,
                None => true,
            };
            let present = if all_present {
                n
            } else if let Some(def) = &mut page.def {
                self.levels.clear();
                self.levels.resize(n, 0);
                def.read_from(buf, &mut self.levels)?;
                self.levels.iter().filter(|&&l| l == max).count()
            } else {
                n
            };
            // The values go straight after the ids so far, made ids in place.
            let start = ids.len();
            match &mut page.values {
                Values::Dict(h) => {
                    h.append_to(buf, ids, present)?;
                    let dict = &self.dict;
                    if self.dict_is_ids {
                        // Each index is its text's id: only checked to be in the dictionary.
                        if ids[start..].iter().any(|&i| i as usize >= dict.len()) {
                            return Err(damaged("an index past the dictionary"));
                        }
                    } else {
                        for i in &mut ids[start..] {
                            *i = *dict
                                .get(*i as usize)
                                .ok_or_else(|| damaged("an index past the dictionary"))?;
                        }
                    }
                }
                Values::Plain(at) => {
                    for _ in 0..present {
                        let v = plain_bytes(buf, at)?;
                        ids.push(texts.intern(v));
                    }
                }
            }
            if present < n {
                // Nulls among these rows: each row's level says whether it has a value.
                self.indices.clear();
                self.indices.extend_from_slice(&ids[start..]);
                ids.truncate(start);
                let mut values = self.indices.iter();
                for &l in &self.levels {
                    ids.push(match l == max {
                        true => *values.next().unwrap_or(&NULL),
                        false => NULL,
                    });
                }
            }
        }
        Ok(ids.len())
    }

    /// Moves on to the next data page (taking a dictionary page on the way); `false` at the
    /// end of the chunk.
    fn next_page(&mut self, texts: &mut Texts) -> Result<bool, CrateError> {
        loop {
            let Some(page) = self.pages.get_next_page()? else {
                self.page = None;
                return Ok(false);
            };
            match &page {
                Page::DictionaryPage {
                    buf, num_values, ..
                } => {
                    let mut at = 0;
                    self.dict.clear();
                    for _ in 0..*num_values {
                        let v = plain_bytes(buf, &mut at)?;
                        self.dict.push(texts.intern(v));
                    }
                    // The usual first dictionary: its entries interned in order, so that
                    // each index is already its text's id.
                    self.dict_is_ids = (0..).zip(&self.dict).all(|(k, &id)| k == id);
                }
                _ => {
                    self.page = Some(self.data_page(page)?);
                    return Ok(true);
                }
            }
        }
    }

    /// Where a data page's levels and values are.
    fn data_page(&self, page: Page) -> Result<DataPage, CrateError> {
        let buf: &[u8] = page.buffer();
        let (left, encoding, def, values_at) = match &page {
            Page::DataPage {
                num_values,
                encoding,
                def_level_encoding,
                ..
            } => {
                let (def, at) = match self.max_def {
                    0 => (None, 0),
                    _ if *def_level_encoding != Encoding::RLE => {
                        return Err(damaged("levels not RLE-encoded"));
                    }
                    _ => {
                        let len = buf
                            .get(..4)
                            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                            .ok_or_else(|| damaged("no levels"))?;
                        (Some(Hybrid::new(4, 4 + len, 1)), 4 + len)
                    }
                };
                (*num_values as usize, *encoding, def, at)
            }
            Page::DataPageV2 {
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let start = *rep_levels_byte_len as usize;
                let end = start + *def_levels_byte_len as usize;
                let def = (self.max_def > 0).then(|| Hybrid::new(start, end, 1));
                (*num_values as usize, *encoding, def, end)
            }
            Page::DictionaryPage { .. } => return Err(damaged("a second dictionary")),
        };
        if values_at > buf.len() {
            return Err(damaged("levels past its end"));
        }
        let values = match encoding {
            Encoding::PLAIN => Values::Plain(values_at),
            Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
                let width = buf[values_at..]
                    .first()
                    .copied()
                    .ok_or_else(|| damaged("no index width"))?;
                if width > 32 {
                    return Err(damaged("an index wider than 32 bits"));
                }
                Values::Dict(Hybrid::new(values_at + 1, buf.len(), width))
            }
            e => return Err(CrateError::General(format!("text encoded {e} on a page"))),
        };
        Ok(DataPage {
            page,
            left,
            def,
            values,
        })
    }
}

/// The next plain byte array at `*at` (its length in four bytes, then its bytes).
fn plain_bytes<'b>(buf: &'b [u8], at: &mut usize) -> Result<&'b [u8], CrateError> {
    let len = buf
        .get(*at..*at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| damaged("a value past its end"))?;
    let v = buf
        .get(*at + 4..*at + 4 + len)
        .ok_or_else(|| damaged("a value past its end"))?;
    *at += 4 + len;
    Ok(v)
}

/// A reader of the format's RLE/bit-packed hybrid encoding of small integers (definition
/// levels and dictionary indices) in `buf[at..end]` of a page: runs of one value repeated,
/// and runs of values packed in `width` bits each, eight at a time.
struct Hybrid {
    at: usize,
    end: usize,
    width: u8,
    /// Values left of a repeated run, and its value.
    repeated: usize,
    value: u32,
    /// Values left of a packed run, and the bit of the buffer the next begins at.
    packed: usize,
    bit: usize,
}

impl Hybrid {
    fn new(at: usize, end: usize, width: u8) -> Hybrid {
        Hybrid {
            at,
            end,
            width,
            repeated: 0,
            value: 0,
            packed: 0,
            bit: 0,
        }
    }

    /// Takes the next `n` values from `buf` if they are all `value` in one repeated run
    /// (so nothing need be unpacked); `false`, taking none, otherwise.
    fn skip_run_of(&mut self, buf: &[u8], value: u32, n: usize) -> Result<bool, CrateError> {
        if self.repeated == 0 && self.packed == 0 {
            self.next_run(buf)?;
        }
        if self.packed == 0 && self.repeated >= n && self.value == value {
            self.repeated -= n;
            return Ok(true);
        }
        Ok(false)
    }

    /// Appends the next `n` values from `buf` (the page's buffer) to `out`.
    fn append_to(&mut self, buf: &[u8], out: &mut Vec<u32>, n: usize) -> Result<(), CrateError> {
        let end = out.len() + n;
        let mask = ((1u64 << self.width) - 1) as u32;
        while out.len() < end {
            if self.repeated > 0 {
                let k = self.repeated.min(end - out.len());
                out.extend(std::iter::repeat_n(self.value, k));
                self.repeated -= k;
            } else if self.packed > 0 {
                let k = self.packed.min(end - out.len());
                let w = usize::from(self.width);
                for _ in 0..k {
                    out.push((word_at(buf, self.bit / 8) >> (self.bit % 8)) as u32 & mask);
                    self.bit += w;
                }
                self.packed -= k;
            } else {
                self.next_run(buf)?;
            }
        }
        Ok(())
    }

    /// Fills `out` with the next values from `buf` (the page's buffer).
    fn read_from(&mut self, buf: &[u8], out: &mut [u32]) -> Result<(), CrateError> {
        let mut done = 0;
        let mask = ((1u64 << self.width) - 1) as u32;
        while done < out.len() {
            if self.repeated > 0 {
                let n = self.repeated.min(out.len() - done);
                out[done..done + n].fill(self.value);
                self.repeated -= n;
                done += n;
            } else if self.packed > 0 {
                let n = self.packed.min(out.len() - done);
                let w = usize::from(self.width);
                for o in &mut out[done..done + n] {
                    *o = (word_at(buf, self.bit / 8) >> (self.bit % 8)) as u32 & mask;
                    self.bit += w;
                }
                self.packed -= n;
                done += n;
            } else {
                self.next_run(buf)?;
            }
        }
        Ok(())
    }

    /// Reads the header of the next run.
    fn next_run(&mut self, buf: &[u8]) -> Result<(), CrateError> {
        let end = self.end.min(buf.len());
        let mut header: u64 = 0;
        let mut shift = 0;
        loop {
            let b = *buf[..end]
                .get(self.at)
                .ok_or_else(|| damaged("fewer values than rows"))?;
            self.at += 1;
            header |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return Err(damaged("a run's header too long"));
            }
        }
        let count = usize::try_from(header >> 1).map_err(|_| damaged("a run too long"))?;
        let w = usize::from(self.width);
        if header & 1 == 1 {
            // `count` groups of eight values, `width` bytes a group; a last group cut short
            // gives only the values it holds.
            let bytes = count.saturating_mul(w).min(end - self.at);
            self.packed = match w {
                0 => count.saturating_mul(8),
                _ => bytes * 8 / w,
            };
            self.bit = self.at * 8;
            self.at += bytes;
        } else {
            let size = w.div_ceil(8);
            let v = buf[..end]
                .get(self.at..self.at + size)
                .ok_or_else(|| damaged("a run's value past its end"))?;
            self.value = v
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            self.at += size;
            self.repeated = count;
        }
        // An empty run reads nothing: the next header follows.
        Ok(())
    }
}

/// The eight bytes of `buf` from `byte` as a little-endian word, zeros past its end.
#[inline(always)]
fn word_at(buf: &[u8], byte: usize) -> u64 {
    match buf.get(byte..byte + 8) {
        Some(b) => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        None => {
            let mut word = [0u8; 8];
            let tail = buf.get(byte..).unwrap_or_default();
            word[..tail.len().min(8)].copy_from_slice(&tail[..tail.len().min(8)]);
            u64::from_le_bytes(word)
        }
    }
}
