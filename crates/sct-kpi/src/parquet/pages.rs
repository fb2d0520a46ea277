//! A column chunk's pages walked and decoded here, for text and number columns alike: the
//! parquet crate's column reader zeroes its buffers, decodes every level and, for text,
//! hands back every value as its own copy of the dictionary entry, which together cost more
//! than the rest of the reading.
//!
//! The encodings read are those of the format's specification that writers use for flat
//! columns: PLAIN and dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY) values, RLE definition
//! levels of at most one (a value or a null), on data pages of either version. A column
//! chunk written with any other is read through the crate's column reader instead (the
//! caller asks [`ours`] first).
//!
//! Rows skipped ([`Walker::skip`]) cost next to nothing where a whole data page falls inside
//! them: its header says how many rows it holds (a flat column has one value a row), and the
//! page is passed by unread, neither decompressed nor decoded.

use parquet::basic::{Encoding, Type as Physical};
use parquet::column::page::{Page, PageReader};
use parquet::errors::ParquetError as CrateError;
use parquet::file::metadata::ColumnChunkMetaData;

/// Whether a column of physical type `physical` holds numbers decoded here (or by the
/// crate's reader) as themselves: not INT96's or byte arrays' (decimals and times).
pub(super) fn plain_number(physical: Physical) -> bool {
    matches!(
        physical,
        Physical::INT32 | Physical::INT64 | Physical::FLOAT | Physical::DOUBLE
    )
}

/// Whether a column chunk can be walked here: flat, with at most one definition level, and
/// written only in the encodings read here.
pub(super) fn ours(chunk: &ColumnChunkMetaData, max_def: i16) -> bool {
    #[allow(deprecated)]
    let read_here = |e: Encoding| {
        matches!(
            e,
            Encoding::PLAIN | Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY | Encoding::RLE
        )
    };
    max_def <= 1 && chunk.encodings().all(read_here)
}

/// How one column's values are decoded: the dictionary page's entries and plain values.
pub(super) trait Decode {
    /// A value as decoded (a text's id, or a number).
    type Value: Copy;
    /// What decoding needs beside the page (the column's texts, for text).
    type With;
    /// Appends the `n` entries of a dictionary page (written plain) to `out`.
    fn dictionary(
        buf: &[u8],
        n: usize,
        with: &mut Self::With,
        out: &mut Vec<Self::Value>,
    ) -> Result<(), CrateError> {
        let mut at = 0;
        Self::plain(buf, &mut at, n, with, out)
    }
    /// Appends the next `n` plain values from `buf` at `*at` to `out`, moving `*at` on.
    fn plain(
        buf: &[u8],
        at: &mut usize,
        n: usize,
        with: &mut Self::With,
        out: &mut Vec<Self::Value>,
    ) -> Result<(), CrateError>;
    /// Moves `*at` past the next `n` plain values in `buf`.
    fn skip_plain(buf: &[u8], at: &mut usize, n: usize) -> Result<(), CrateError>;
    /// Appends the dictionary's entries of `indices` to `out`; `identity` when each entry
    /// is its own index (then the indices are only checked).
    fn look_up(
        dict: &[Self::Value],
        identity: bool,
        indices: &[u32],
        out: &mut Vec<Self::Value>,
    ) -> Result<(), CrateError> {
        let _ = identity;
        in_dictionary(indices, dict.len())?;
        // Eight at a time: no loop's count or end checked a value.
        out.reserve(indices.len());
        let mut eights = indices.chunks_exact(8);
        for e in &mut eights {
            let values: [Self::Value; 8] = std::array::from_fn(|k| dict[e[k] as usize]);
            out.extend_from_slice(&values);
        }
        out.extend(eights.remainder().iter().map(|&i| dict[i as usize]));
        Ok(())
    }
    /// Whether each of a dictionary's entries is its own index.
    fn is_identity(dict: &[Self::Value]) -> bool {
        let _ = dict;
        false
    }
}

/// Checks every index is of an entry of a dictionary of `len` entries.
pub(super) fn in_dictionary(indices: &[u32], len: usize) -> Result<(), CrateError> {
    // The largest, found without a branch a value (so in vector lanes).
    let largest = indices.iter().copied().fold(0, u32::max);
    match indices.is_empty() || (largest as usize) < len {
        true => Ok(()),
        false => Err(damaged("an index past the dictionary")),
    }
}

/// A damaged page, in words.
pub(super) fn damaged(what: &str) -> CrateError {
    CrateError::General(format!("a page is damaged ({what})"))
}

/// Rows read from one page at once ([`Walker::read`]): when some are null
/// (`present < rows`), [`Walker::levels`] holds each row's definition level.
#[derive(Debug, Clone, Copy)]
pub(super) struct Read {
    pub(super) rows: usize,
    pub(super) present: usize,
}

/// What [`Walker::read_runs`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Runs {
    /// Read this many rows.
    Read(usize),
    /// Read none: the next rows are not all dictionary indices with a value.
    Unsuited,
    /// The chunk is done.
    End,
}

/// A column chunk's pages, read in order.
pub(super) struct Walker<D: Decode> {
    pages: Box<dyn PageReader>,
    max_def: i16,
    /// The chunk's dictionary entries, by index.
    dict: Vec<D::Value>,
    /// Whether each of those is its own index.
    identity: bool,
    /// The data page being read, and where.
    page: Option<DataPage>,
    /// The definition levels of the rows read last, when some are null.
    levels: Vec<u32>,
    /// Dictionary indices of the rows read last.
    indices: Vec<u32>,
    /// Room for the runs of indices, and their values, of [`Walker::read_runs`].
    index_runs: Vec<(u32, usize)>,
    values: Vec<D::Value>,
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
    /// Plain values, the next at this byte.
    Plain(usize),
}

impl<D: Decode> Walker<D> {
    /// Walks the pages of a chunk whose largest definition level is `max_def` (0 or 1).
    pub(super) fn new(pages: Box<dyn PageReader>, max_def: i16) -> Walker<D> {
        Walker {
            pages,
            max_def,
            dict: Vec::new(),
            identity: false,
            page: None,
            levels: Vec::new(),
            indices: Vec::new(),
            index_runs: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The definition levels of the rows read last (see [`Read`]).
    pub(super) fn levels(&self) -> &[u32] {
        &self.levels
    }

    /// Reads up to `max` more rows of one page (moving on to the next first when this one
    /// is done), appending the values of those that are not null to `out`; `None` at the end
    /// of the chunk.
    pub(super) fn read(
        &mut self,
        max: usize,
        with: &mut D::With,
        out: &mut Vec<D::Value>,
    ) -> Result<Option<Read>, CrateError> {
        loop {
            let Some(page) = self.page.as_mut().filter(|p| p.left > 0) else {
                if !self.next_page(with)? {
                    return Ok(None);
                }
                continue;
            };
            let rows = max.min(page.left);
            page.left -= rows;
            let buf: &[u8] = page.page.buffer();
            let present = levels_of(&mut page.def, buf, self.max_def, rows, &mut self.levels)?;
            match &mut page.values {
                Values::Dict(h) => {
                    self.indices.clear();
                    h.append_to(buf, &mut self.indices, present)?;
                    D::look_up(&self.dict, self.identity, &self.indices, out)?;
                }
                Values::Plain(at) => D::plain(buf, at, present, with, out)?,
            }
            return Ok(Some(Read { rows, present }));
        }
    }

    /// Reads up to `max` more rows of one page as runs of rows with one value (the value
    /// and how many rows), appended to `runs`, when they all have a value and are
    /// dictionary indices: a repeated run of indices is one look-up, however long.
    /// [`Runs::Unsuited`] takes nothing (read them with [`Walker::read`]).
    pub(super) fn read_runs(
        &mut self,
        max: usize,
        with: &mut D::With,
        runs: &mut Vec<(D::Value, usize)>,
    ) -> Result<Runs, CrateError> {
        while self.page.as_ref().is_none_or(|p| p.left == 0) {
            if !self.next_page(with)? {
                return Ok(Runs::End);
            }
        }
        let Some(page) = self.page.as_mut() else {
            return Ok(Runs::End);
        };
        let rows = max.min(page.left);
        let buf: &[u8] = page.page.buffer();
        let Values::Dict(h) = &mut page.values else {
            return Ok(Runs::Unsuited);
        };
        if let Some(def) = &mut page.def
            && !def.skip_run_of(buf, self.max_def as u32, rows)?
        {
            return Ok(Runs::Unsuited);
        }
        page.left -= rows;
        let mut index_runs = std::mem::take(&mut self.index_runs);
        index_runs.clear();
        h.append_runs(buf, &mut index_runs, rows)?;
        self.indices.clear();
        self.indices.extend(index_runs.iter().map(|&(i, _)| i));
        let mut values = std::mem::take(&mut self.values);
        values.clear();
        D::look_up(&self.dict, self.identity, &self.indices, &mut values)?;
        runs.extend(values.iter().zip(&index_runs).map(|(&v, &(_, n))| (v, n)));
        (self.index_runs, self.values) = (index_runs, values);
        Ok(Runs::Read(rows))
    }

    /// Skips up to `rows` rows, decoding as little as it can; how many were skipped (fewer
    /// only at the end of the chunk). A data page wholly among them is passed by unread.
    pub(super) fn skip(&mut self, rows: usize, with: &mut D::With) -> Result<usize, CrateError> {
        let mut done = 0;
        while done < rows {
            if let Some(page) = self.page.as_mut().filter(|p| p.left > 0) {
                let n = (rows - done).min(page.left);
                page.left -= n;
                let buf: &[u8] = page.page.buffer();
                let present = levels_of(&mut page.def, buf, self.max_def, n, &mut self.levels)?;
                match &mut page.values {
                    Values::Dict(h) => h.skip(buf, present)?,
                    Values::Plain(at) => D::skip_plain(buf, at, present)?,
                }
                done += n;
                continue;
            }
            let Some(next) = self.pages.peek_next_page()? else {
                break;
            };
            // A flat column's data page holds as many rows as levels.
            let holds = next.num_rows.or(next.num_levels).unwrap_or(0);
            if next.is_dict {
                let page = self.pages.get_next_page()?;
                self.take_dictionary(page, with)?;
            } else if holds > 0 && holds <= rows - done {
                self.pages.skip_next_page()?;
                self.page = None;
                done += holds;
            } else if !self.next_page(with)? {
                break;
            }
        }
        Ok(done)
    }

    /// Moves on to the next data page (taking a dictionary page on the way); `false` at the
    /// end of the chunk.
    fn next_page(&mut self, with: &mut D::With) -> Result<bool, CrateError> {
        loop {
            let Some(page) = self.pages.get_next_page()? else {
                self.page = None;
                return Ok(false);
            };
            if let Page::DictionaryPage { .. } = page {
                self.take_dictionary(Some(page), with)?;
                continue;
            }
            self.page = Some(data_page(page, self.max_def)?);
            return Ok(true);
        }
    }

    /// Takes a dictionary page's entries as the chunk's dictionary.
    fn take_dictionary(
        &mut self,
        page: Option<Page>,
        with: &mut D::With,
    ) -> Result<(), CrateError> {
        let Some(Page::DictionaryPage {
            buf, num_values, ..
        }) = page
        else {
            return Err(damaged("a dictionary page that is not one"));
        };
        self.dict.clear();
        D::dictionary(&buf, num_values as usize, with, &mut self.dict)?;
        self.identity = D::is_identity(&self.dict);
        Ok(())
    }
}

/// How many of the next `rows` rows have a value, from their definition levels (none when
/// the column is required); when some are null, their levels are left in `levels`.
fn levels_of(
    def: &mut Option<Hybrid>,
    buf: &[u8],
    max_def: i16,
    rows: usize,
    levels: &mut Vec<u32>,
) -> Result<usize, CrateError> {
    let Some(def) = def else {
        return Ok(rows);
    };
    let max = max_def as u32;
    // The usual, a run of the top level covering them all, is told without unpacking any.
    if def.skip_run_of(buf, max, rows)? {
        return Ok(rows);
    }
    levels.clear();
    def.append_to(buf, levels, rows)?;
    Ok(levels.iter().filter(|&&l| l == max).count())
}

/// Where a data page's levels and values are.
fn data_page(page: Page, max_def: i16) -> Result<DataPage, CrateError> {
    let buf: &[u8] = page.buffer();
    let (left, encoding, def, values_at) = match &page {
        Page::DataPage {
            num_values,
            encoding,
            def_level_encoding,
            ..
        } => {
            let (def, at) = match max_def {
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
            let def = (max_def > 0).then(|| Hybrid::new(start, end, 1));
            (*num_values as usize, *encoding, def, end)
        }
        Page::DictionaryPage { .. } => return Err(damaged("a second dictionary")),
    };
    if values_at > buf.len() {
        return Err(damaged("levels past its end"));
    }
    let values = match encoding {
        Encoding::PLAIN => Values::Plain(values_at),
        #[allow(deprecated)]
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
        e => return Err(CrateError::General(format!("values encoded {e} on a page"))),
    };
    Ok(DataPage {
        page,
        left,
        def,
        values,
    })
}

/// A reader of the format's RLE/bit-packed hybrid encoding of small integers (definition
/// levels and dictionary indices) in `buf[at..end]` of a page: runs of one value repeated,
/// and runs of values packed in `width` bits each, eight at a time.
pub(super) struct Hybrid {
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
    /// Reads `buf[at..end]` as values of `width` bits.
    pub(super) fn new(at: usize, end: usize, width: u8) -> Hybrid {
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
    pub(super) fn skip_run_of(
        &mut self,
        buf: &[u8],
        value: u32,
        n: usize,
    ) -> Result<bool, CrateError> {
        if self.repeated == 0 && self.packed == 0 {
            self.next_run(buf)?;
        }
        if self.packed == 0 && self.repeated >= n && self.value == value {
            self.repeated -= n;
            return Ok(true);
        }
        Ok(false)
    }

    /// Passes over the next `n` values without unpacking them.
    fn skip(&mut self, buf: &[u8], n: usize) -> Result<(), CrateError> {
        let mut left = n;
        let w = usize::from(self.width);
        while left > 0 {
            if self.repeated > 0 {
                let k = self.repeated.min(left);
                self.repeated -= k;
                left -= k;
            } else if self.packed > 0 {
                let k = self.packed.min(left);
                self.bit += k * w;
                self.packed -= k;
                left -= k;
            } else {
                self.next_run(buf)?;
            }
        }
        Ok(())
    }

    /// Appends the next `n` values from `buf` as runs of one value (the value and how many),
    /// a repeated run at once, packed values joined to the run before when the same.
    fn append_runs(
        &mut self,
        buf: &[u8],
        out: &mut Vec<(u32, usize)>,
        n: usize,
    ) -> Result<(), CrateError> {
        let mut push = |v: u32, k: usize| match out.last_mut() {
            Some((last, count)) if *last == v => *count += k,
            _ => out.push((v, k)),
        };
        let mut left = n;
        let mask = ((1u64 << self.width) - 1) as u32;
        let w = usize::from(self.width);
        while left > 0 {
            if self.repeated > 0 {
                let k = self.repeated.min(left);
                push(self.value, k);
                self.repeated -= k;
                left -= k;
            } else if self.packed > 0 {
                let k = self.packed.min(left);
                for _ in 0..k {
                    push(
                        (word_at(buf, self.bit / 8) >> (self.bit % 8)) as u32 & mask,
                        1,
                    );
                    self.bit += w;
                }
                self.packed -= k;
                left -= k;
            } else {
                self.next_run(buf)?;
            }
        }
        Ok(())
    }

    /// Appends the next `n` values from `buf` (the page's buffer) to `out`, each written
    /// once (no room zeroed first).
    pub(super) fn append_to(
        &mut self,
        buf: &[u8],
        out: &mut Vec<u32>,
        n: usize,
    ) -> Result<(), CrateError> {
        out.reserve(n);
        let mut left = n;
        while left > 0 {
            if self.repeated > 0 {
                let k = self.repeated.min(left);
                out.extend(std::iter::repeat_n(self.value, k));
                self.repeated -= k;
                left -= k;
            } else if self.packed > 0 {
                let k = self.packed.min(left);
                self.bit = unpack(buf, self.bit, self.width, k, out);
                self.packed -= k;
                left -= k;
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

/// Appends the `n` values of `width` bits (at most 32) packed in `buf` from bit `bit` on to
/// `out`, bits past the buffer's end read as 0; the bit after them. From a byte boundary, eight
/// values fill `width` whole bytes (a packed run's groups start on one): those are unpacked
/// eight at once, the rest one at a time ([`unpack_one`]), which gives the same.
fn unpack(buf: &[u8], mut bit: usize, width: u8, n: usize, out: &mut Vec<u32>) -> usize {
    let w = usize::from(width);
    if w == 0 || w > 32 {
        return unpack_one_by_one(buf, bit, width, n, out);
    }
    // Up to the first value on a byte boundary (within eight values, from a group's start).
    let head = (0..n.min(8))
        .find(|k| (bit + k * w).is_multiple_of(8))
        .unwrap_or(n);
    bit = unpack_one_by_one(buf, bit, width, head, out);
    let left = n - head;
    let byte = bit / 8;
    let groups = (left / 8).min(buf.len().saturating_sub(byte) / w);
    if groups > 0 {
        unpack_groups(&buf[byte..], width, groups, out);
        bit += groups * 8 * w;
    }
    unpack_one_by_one(buf, bit, width, left - groups * 8, out)
}

/// [`unpack`] one value at a time.
fn unpack_one_by_one(buf: &[u8], mut bit: usize, width: u8, n: usize, out: &mut Vec<u32>) -> usize {
    out.extend((0..n).map(|_| {
        let v = unpack_one(buf, bit, width);
        bit += usize::from(width);
        v
    }));
    bit
}

/// The value of `width` bits (at most 32) packed in `buf` at bit `bit`, bits past the
/// buffer's end read as 0.
#[inline(always)]
fn unpack_one(buf: &[u8], bit: usize, width: u8) -> u32 {
    let mask = ((1u64 << width) - 1) as u32;
    (word_at(buf, bit / 8) >> (bit % 8)) as u32 & mask
}

/// Appends the values of the first `groups` groups of eight values of `width` bits (1 to
/// 32) in `bytes` (which holds them: `width` bytes a group) to `out`; the width chosen once,
/// so that each value's place in its group is a constant.
fn unpack_groups(bytes: &[u8], width: u8, groups: usize, out: &mut Vec<u32>) {
    macro_rules! by_width {
        ($($w:literal)*) => {
            match width {
                $($w => groups_of::<$w>(bytes, groups, out),)*
                _ => {
                    unpack_one_by_one(bytes, 0, width, groups * 8, out);
                }
            }
        };
    }
    by_width!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32);
}

/// [`unpack_groups`] of width `W`.
#[inline(always)]
fn groups_of<const W: usize>(bytes: &[u8], groups: usize, out: &mut Vec<u32>) {
    for g in 0..groups {
        let at = g * W;
        // The words are read from the buffer where eight bytes more are there; from a copy
        // padded with zeros near its end.
        let group = match bytes.get(at..at + W + 8) {
            Some(b) => group_of::<W>(b),
            None => {
                let mut padded = [0u8; 40];
                padded[..W].copy_from_slice(&bytes[at..at + W]);
                group_of::<W>(&padded)
            }
        };
        out.extend_from_slice(&group);
    }
}

/// The eight values of `W` bits packed in the first `W` bytes of `b` (which has `W + 8` at
/// least).
#[inline(always)]
fn group_of<const W: usize>(b: &[u8]) -> [u32; 8] {
    let b = &b[..W + 8];
    let mask = ((1u64 << W) - 1) as u32;
    std::array::from_fn(|i| {
        let bit = i * W;
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[bit / 8..bit / 8 + 8]);
        (u64::from_le_bytes(word) >> (bit % 8)) as u32 & mask
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// `values` of `width` bits packed as the format packs them (the first in the lowest
    /// bits of the first byte), in whole bytes.
    fn pack(values: &[u32], width: u8) -> Vec<u8> {
        let w = usize::from(width);
        let mut bytes = vec![0u8; (values.len() * w).div_ceil(8)];
        for (k, &v) in values.iter().enumerate() {
            for b in 0..w {
                if v >> b & 1 == 1 {
                    let bit = k * w + b;
                    bytes[bit / 8] |= 1 << (bit % 8);
                }
            }
        }
        bytes
    }

    /// A run's header: its count and whether it is packed, as a ULEB128 varint.
    fn header(count: usize, packed: bool, out: &mut Vec<u8>) {
        let mut h = (count << 1) | usize::from(packed);
        loop {
            let b = (h & 0x7f) as u8;
            h >>= 7;
            if h == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    proptest! {
        #[test]
        fn unpacking_eight_at_once_is_unpacking_one_at_a_time(
            width in 0u8..=32,
            buf in vec(any::<u8>(), 0..80),
            bit in 0usize..720,
            n in 0usize..100,
            before in vec(any::<u32>(), 0..3),
        ) {
            let mut fast = before.clone();
            let end = unpack(&buf, bit, width, n, &mut fast);
            let mut slow = before;
            slow.extend((0..n).map(|k| unpack_one(&buf, bit + k * usize::from(width), width)));
            prop_assert_eq!(end, bit + n * usize::from(width));
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn values_looked_up_eight_at_once_are_each_index_s_entry(
            dict in vec(any::<i64>(), 0..20),
            indices in vec(0u32..22, 0..40),
        ) {
            let mut out = vec![5i64];
            let got = crate::parquet::numbers::Numbers::<i64>::look_up(&dict, false, &indices, &mut out);
            match indices.iter().all(|&i| (i as usize) < dict.len()) {
                true => {
                    prop_assert!(got.is_ok());
                    let each: Vec<i64> = indices.iter().map(|&i| dict[i as usize]).collect();
                    prop_assert_eq!(&out[1..], &each[..]);
                }
                false => prop_assert!(got.is_err()),
            }
        }

        #[test]
        fn runs_read_in_any_pieces_give_the_values_written(
            width in 0u8..=32,
            runs in vec((any::<bool>(), vec(any::<u32>(), 1..40)), 0..6),
            pieces in vec(1usize..30, 1..20),
        ) {
            let mask = ((1u64 << width) - 1) as u32;
            let (mut buf, mut want) = (vec![7u8, 7, 7], Vec::new());
            for (packed, values) in runs {
                let values: Vec<u32> = values.iter().map(|v| v & mask).collect();
                if packed {
                    let mut padded = values.clone();
                    padded.resize(values.len().div_ceil(8) * 8, 0);
                    header(padded.len() / 8, true, &mut buf);
                    buf.extend(pack(&padded, width));
                    want.extend(padded);
                } else {
                    header(values.len(), false, &mut buf);
                    let size = usize::from(width).div_ceil(8);
                    buf.extend(&values[0].to_le_bytes()[..size]);
                    want.extend(std::iter::repeat_n(values[0], values.len()));
                }
            }
            let mut hybrid = Hybrid::new(3, buf.len(), width);
            let mut got = vec![1u32, 2];
            let mut k = 0;
            for &p in pieces.iter().cycle() {
                let n = p.min(want.len() - k);
                if n == 0 {
                    break;
                }
                hybrid.append_to(&buf, &mut got, n).map_err(|e| TestCaseError::fail(e.to_string()))?;
                k += n;
            }
            prop_assert_eq!(&got[..2], &[1, 2]);
            prop_assert_eq!(&got[2..], &want[..]);
        }
    }
}
