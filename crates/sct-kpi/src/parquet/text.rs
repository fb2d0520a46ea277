//! Text columns of a Parquet file read as small ids: each distinct text of a column is kept
//! once ([`Texts`]), checked as UTF-8 and trimmed once, and each row carries the id of its
//! text. Data platforms write text columns dictionary-encoded (each page's values are
//! indices into the column chunk's dictionary), so a dictionary entry is interned once per
//! row group and a row's id is a look-up in a small table; a page written plain (pyarrow
//! falls back to plain when the dictionary grows large) has each value interned as it comes.
//!
//! The pages are walked here ([`super::pages`]): the parquet crate's own reader hands back
//! every value as its own copy of the dictionary entry, which cost more than the rest of the
//! reading together. A column chunk written in an encoding not read there is read through
//! the crate's column reader instead ([`TextReader::Records`]).

use std::hash::BuildHasher as _;

use parquet::column::page::PageReader;
use parquet::column::reader::ColumnReader;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError as CrateError;
use parquet::file::metadata::ColumnChunkMetaData;

use super::pages::{self, Decode, Runs, Walker, damaged};

/// The id of a null (an empty field).
pub(super) const NULL: u32 = u32::MAX;

/// The distinct texts of one column, by id.
#[derive(Default)]
pub(super) struct Texts {
    /// Each text trimmed, `None` when its bytes are not UTF-8.
    entries: Vec<Option<Box<str>>>,
    /// The bytes of the texts interned here as written, one after another, and where each
    /// ends: the keys of `index`, kept without an allocation each.
    raw: Vec<u8>,
    ends: Vec<usize>,
    /// The ids of the texts interned here, by the hash of their bytes.
    index: hashbrown::HashTable<u32>,
    hasher: std::hash::RandomState,
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

    /// Makes room for `n` more texts (a dictionary's), so that the index grows once.
    fn reserve(&mut self, n: usize) {
        let (raw, ends, hasher) = (&self.raw, &self.ends, &self.hasher);
        self.index
            .reserve(n, |&id| hasher.hash_one(bytes_of(raw, ends, id)));
        self.entries.reserve(n);
        self.ends.reserve(n);
    }

    /// The id of a text given as its bytes.
    fn intern(&mut self, bytes: &[u8]) -> u32 {
        if let (b, Some(id)) = &self.last
            && b[..] == *bytes
        {
            return *id;
        }
        let hash = self.hasher.hash_one(bytes);
        let (raw, ends, hasher) = (&self.raw, &self.ends, &self.hasher);
        let entry = self.index.entry(
            hash,
            |&id| bytes_of(raw, ends, id) == bytes,
            |&id| hasher.hash_one(bytes_of(raw, ends, id)),
        );
        let id = match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = u32::try_from(self.entries.len()).unwrap_or(NULL - 1);
                e.insert(id);
                let text = std::str::from_utf8(bytes).ok().map(|s| s.trim().into());
                self.entries.push(text);
                self.raw.extend_from_slice(bytes);
                self.ends.push(self.raw.len());
                id
            }
        };
        self.last.0.clear();
        self.last.0.extend_from_slice(bytes);
        self.last.1 = Some(id);
        id
    }
}

/// The bytes of the text of id `id` among those interned (`raw`, ending at `ends`).
#[inline]
fn bytes_of<'r>(raw: &'r [u8], ends: &[usize], id: u32) -> &'r [u8] {
    let i = id as usize;
    let start = match i {
        0 => 0,
        _ => ends[i - 1],
    };
    &raw[start..ends[i]]
}

/// How a text column's values are read through one row group.
pub(super) enum TextReader {
    /// From its pages, walked here.
    Pages(Box<TextPages>),
    /// Through the crate's column reader (a column chunk in an encoding not read here).
    Records {
        reader: Box<ColumnReader>,
        max_def: i16,
        def: Vec<i16>,
        values: Vec<ByteArray>,
    },
}

/// A text column's pages walked here, with room to spread a run's ids over its nulls and
/// to read rows as ids before making runs of them.
pub(super) struct TextPages {
    walker: Walker<TextIds>,
    present: Vec<u32>,
    ids: Vec<u32>,
}

impl TextReader {
    /// Reads a column chunk's pages here when every encoding it uses is one read here.
    pub(super) fn new(
        chunk: &ColumnChunkMetaData,
        max_def: i16,
        pages: impl FnOnce() -> Result<Box<dyn PageReader>, CrateError>,
        reader: impl FnOnce() -> Result<ColumnReader, CrateError>,
    ) -> Result<TextReader, CrateError> {
        if pages::ours(chunk, max_def) {
            return Ok(TextReader::Pages(Box::new(TextPages {
                walker: Walker::new(pages()?, max_def),
                present: Vec::new(),
                ids: Vec::new(),
            })));
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

    /// Reads up to `rows` more rows as runs of rows with one text (its id and how many
    /// rows) into `runs` (cleared first); how many rows were read. Rows of one text written
    /// as one repeated dictionary index (the usual for the organisation column of a file in
    /// organisation order) are one run read at once.
    pub(super) fn fill_runs(
        &mut self,
        rows: usize,
        runs: &mut Vec<(u32, usize)>,
        texts: &mut Texts,
    ) -> Result<usize, CrateError> {
        runs.clear();
        let TextReader::Pages(p) = self else {
            let mut ids = Vec::new();
            let n = self.fill(rows, &mut ids, texts)?;
            add_runs(runs, &ids);
            return Ok(n);
        };
        let mut done = 0;
        while done < rows {
            match p.walker.read_runs(rows - done, texts, runs)? {
                Runs::Read(n) => done += n,
                Runs::End => break,
                Runs::Unsuited => {
                    let mut ids = std::mem::take(&mut p.ids);
                    ids.clear();
                    let n = p.fill(rows - done, &mut ids, texts);
                    add_runs(runs, &ids);
                    p.ids = ids;
                    match n? {
                        0 => break,
                        n => done += n,
                    }
                }
            }
        }
        Ok(done)
    }

    /// Skips up to `rows` rows, decoding as little as it can (whole pages among them are
    /// passed by unread); how many were skipped.
    pub(super) fn skip(&mut self, rows: usize, texts: &mut Texts) -> Result<usize, CrateError> {
        match self {
            TextReader::Pages(p) => p.walker.skip(rows, texts),
            TextReader::Records { reader, .. } => match reader.as_mut() {
                ColumnReader::ByteArrayColumnReader(r) => r.skip_records(rows),
                _ => Err(CrateError::General("a text column is not text".into())),
            },
        }
    }
}

impl TextPages {
    fn fill(
        &mut self,
        rows: usize,
        ids: &mut Vec<u32>,
        texts: &mut Texts,
    ) -> Result<usize, CrateError> {
        let mut done = 0;
        while done < rows {
            // The values go straight after the ids so far.
            let start = ids.len();
            let Some(read) = self.walker.read(rows - done, texts, ids)? else {
                break;
            };
            done += read.rows;
            if read.present < read.rows {
                // Nulls among these rows: each row's level says whether it has a value.
                self.present.clear();
                self.present.extend_from_slice(&ids[start..]);
                ids.truncate(start);
                let mut values = self.present.iter();
                for &l in self.walker.levels() {
                    ids.push(match l > 0 {
                        true => *values.next().unwrap_or(&NULL),
                        false => NULL,
                    });
                }
            }
        }
        Ok(done)
    }
}

/// Appends `ids` to `runs` as runs of one id (joined to the last run when the same).
fn add_runs(runs: &mut Vec<(u32, usize)>, ids: &[u32]) {
    for &id in ids {
        match runs.last_mut() {
            Some((last, n)) if *last == id => *n += 1,
            _ => runs.push((id, 1)),
        }
    }
}

/// Text values decoded as ids of their texts.
struct TextIds;

impl Decode for TextIds {
    type Value = u32;
    type With = Texts;

    fn dictionary(
        buf: &[u8],
        n: usize,
        texts: &mut Texts,
        out: &mut Vec<u32>,
    ) -> Result<(), CrateError> {
        // At most one growth of the index for the whole dictionary (a bound from the page's
        // size, so that a damaged count cannot ask for more than the page could hold).
        texts.reserve(n.min(buf.len() / 4));
        let mut at = 0;
        Self::plain(buf, &mut at, n, texts, out)
    }

    fn plain(
        buf: &[u8],
        at: &mut usize,
        n: usize,
        texts: &mut Texts,
        out: &mut Vec<u32>,
    ) -> Result<(), CrateError> {
        for _ in 0..n {
            out.push(texts.intern(plain_bytes(buf, at)?));
        }
        Ok(())
    }

    fn skip_plain(buf: &[u8], at: &mut usize, n: usize) -> Result<(), CrateError> {
        for _ in 0..n {
            plain_bytes(buf, at)?;
        }
        Ok(())
    }

    fn look_up(
        dict: &[u32],
        identity: bool,
        indices: &[u32],
        out: &mut Vec<u32>,
    ) -> Result<(), CrateError> {
        pages::in_dictionary(indices, dict.len())?;
        match identity {
            // Each index is its text's id.
            true => out.extend_from_slice(indices),
            false => out.extend(indices.iter().map(|&i| dict[i as usize])),
        }
        Ok(())
    }

    /// The usual first dictionary: its entries interned in order.
    fn is_identity(dict: &[u32]) -> bool {
        (0..).zip(dict).all(|(k, &id)| k == id)
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
