//! The long-form CSV read straight from its bytes, a buffer at a time, for the lines that need
//! none of CSV's quoting: no `"`, no line break inside (a `\r` only as the end of a `\r\n`),
//! valid UTF-8, as many fields as the header. That is every line of the extracts data
//! platforms write, and reading them so is several times faster than a general CSV reader
//! (no copy of each record, no allocation per row). The first line that is anything else
//! hands the rest of the file to the csv crate ([`crate::data`] does), so quoting, and every
//! error and its line, are exactly the csv crate's.
//!
//! Lines are counted by `\n`, as [`sct_core::csv_line`] counts them for the csv crate, and
//! fields are trimmed as the csv crate's `Trim::All` trims a `StringRecord` (`str::trim`);
//! empty lines are skipped, as the csv crate skips them.

use std::io::Read;

/// Bytes read at a time.
pub(crate) const CHUNK: usize = 1 << 20;

/// The UTF-8 byte-order mark, which the csv crate skips at the start of its input.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// One line's fields, borrowed from the buffer.
pub(crate) struct Line<'b> {
    text: &'b str,
    /// Each field's byte range in `text`.
    fields: &'b [(u32, u32)],
    /// Where `text` starts in the buffer it was read from.
    at: usize,
}

impl<'b> Line<'b> {
    /// A line of `text` (starting at byte `at` of its buffer), split by [`split`].
    pub(crate) fn new(text: &'b str, fields: &'b [(u32, u32)], at: usize) -> Line<'b> {
        Line { text, fields, at }
    }

    /// Where the line starts in its buffer, and where it ends (before its line break).
    pub(crate) fn bounds(&self) -> (usize, usize) {
        (self.at, self.at + self.text.len())
    }

    /// The byte range in the buffer of field `i` as [`crate::data::RowFields::get`] gives it
    /// (trimmed); empty past the last field.
    #[inline]
    pub(crate) fn span(&self, i: usize) -> (usize, usize) {
        use crate::data::RowFields as _;
        match self.get(i) {
            // The field is a part of `text`: its offset is how far in it starts.
            Some(f) => {
                let a = self.at + (f.as_ptr() as usize - self.text.as_ptr() as usize);
                (a, a + f.len())
            }
            None => (self.at, self.at),
        }
    }
}

impl crate::data::RowFields for Line<'_> {
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|&(a, b)| {
            let field = &self.text[a as usize..b as usize];
            let bytes = field.as_bytes();
            // Most fields start and end with a printable ASCII character: nothing to trim.
            let plain = |c: &u8| *c > b' ' && *c < 0x80;
            match (bytes.first(), bytes.last()) {
                (Some(a), Some(z)) if !(plain(a) && plain(z)) => field.trim(),
                _ => field,
            }
        })
    }

    fn joined(&self) -> String {
        let fields: Vec<&str> = (0..self.fields.len()).filter_map(|i| self.get(i)).collect();
        fields.join(",")
    }
}

/// `N` bytes of `b` from `at` (all there) as a number.
#[inline]
pub(crate) fn word<const N: usize>(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w[..N].copy_from_slice(&b[at..at + N]);
    u64::from_le_bytes(w)
}

/// Whether two fields are the same bytes: `==` without a call to `memcmp` for the short
/// fields of a row (an organisation's or an indicator's code), compared on every row.
#[inline]
pub(crate) fn same_field(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // The first and last bytes, which overlap when shorter than twice the word.
    match n {
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        0 => true,
        _ => a == b,
    }
}

/// Reads into `buf` (after what it holds) until it holds `want` bytes or the input ends;
/// whether the input ended.
pub(crate) fn fill<R: Read>(
    input: &mut R,
    buf: &mut Vec<u8>,
    want: usize,
) -> std::io::Result<bool> {
    while buf.len() < want {
        let start = buf.len();
        buf.resize(want, 0);
        let n = loop {
            match input.read(&mut buf[start..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        match n {
            Ok(0) => {
                buf.truncate(start);
                return Ok(true);
            }
            Ok(n) => buf.truncate(start + n),
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// The header's fields (trimmed) and where the data start, when the first line of `buf` (after
/// a byte-order mark) is a simple, non-empty line ending in a line break; `None` sends the
/// whole file to the csv crate.
pub(crate) fn header(buf: &[u8], ended: bool) -> Option<(csv::StringRecord, usize)> {
    let from = if buf.starts_with(BOM) { BOM.len() } else { 0 };
    let (line, end) = match memchr::memchr(b'\n', &buf[from..]) {
        Some(i) => (&buf[from..from + i], from + i + 1),
        None if ended => (&buf[from..], buf.len()),
        None => return None,
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() || memchr::memchr2(b'"', b'\r', line).is_some() {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    Some((text.split(',').map(str::trim).collect(), end))
}

/// What stopped the reading of simple lines.
pub(crate) enum Stop {
    /// The input ended; every line was taken.
    End,
    /// A line that is not simple, at this byte of the buffer and on this line: the csv crate
    /// reads from there.
    Line { at: usize, line: u64 },
    /// The input could not be read.
    Io,
}

/// The simple lines of the input, from byte `start` of `buf` (the rest of the input after it)
/// on line `line`, each given to `row` with its line; stops at the end or at the first line
/// that is not simple, with `buf` holding it at the byte said.
pub(crate) fn simple_lines<R: Read>(
    input: &mut R,
    buf: &mut Vec<u8>,
    mut start: usize,
    mut line: u64,
    width: usize,
    mut row: impl FnMut(u64, &Line<'_>),
) -> Stop {
    let mut fields: Vec<(u32, u32)> = Vec::with_capacity(width);
    let mut want = CHUNK;
    loop {
        buf.drain(..start);
        start = 0;
        let ended = match fill(input, buf, want) {
            Ok(ended) => ended,
            Err(_) => return Stop::Io,
        };
        // Whole lines only, unless the input ended (its last line may have no line break).
        let whole = match memchr::memrchr(b'\n', buf) {
            Some(i) => i + 1,
            None if ended => buf.len(),
            None => {
                // One line longer than the buffer: read more of it.
                want = 2 * buf.len().max(CHUNK);
                continue;
            }
        };
        want = CHUNK;
        if let Some(stop) = whole_lines(buf, start, whole, &mut line, width, &mut fields, &mut row)
        {
            return stop;
        }
        if ended && whole == buf.len() {
            return Stop::End;
        }
        start = whole;
    }
}

/// The lines of `buf[start..whole]` (whole lines, or the last of the input), the first on
/// line `line` (counted on), each given to `row`; `Some` when one is not simple, which is
/// where the csv crate takes over.
#[inline]
pub(crate) fn whole_lines(
    buf: &[u8],
    start: usize,
    whole: usize,
    line: &mut u64,
    width: usize,
    fields: &mut Vec<(u32, u32)>,
    row: &mut impl FnMut(u64, &Line<'_>),
) -> Option<Stop> {
    match std::str::from_utf8(&buf[start..whole]) {
        Ok(text) => take_lines(text, start, line, width, fields, row),
        // Some line here is not UTF-8: take the lines before it one at a time.
        Err(_) => Some(per_line(buf, start, whole, *line, width, fields, row)),
    }
}

/// The lines of `text` (which starts at byte `offset` of the buffer); `Some` when one is
/// not simple.
#[inline]
fn take_lines(
    text: &str,
    offset: usize,
    line: &mut u64,
    width: usize,
    fields: &mut Vec<(u32, u32)>,
    row: &mut impl FnMut(u64, &Line<'_>),
) -> Option<Stop> {
    let bytes = text.as_bytes();
    if memchr::memchr2(b'"', b'\r', bytes).is_none() {
        return plain_lines(text, offset, line, width, fields, row);
    }
    let mut from = 0;
    while from < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
        let mut last = end;
        if last > from && bytes[last - 1] == b'\r' {
            last -= 1;
        }
        if last > from {
            if !split(&bytes[from..last], width, fields) {
                return Some(Stop::Line {
                    at: offset + from,
                    line: *line,
                });
            }
            row(
                *line,
                &Line {
                    text: &text[from..last],
                    fields,
                    at: offset + from,
                },
            );
        }
        *line += 1;
        from = end + 1;
    }
    None
}

/// [`take_lines`] for text with no quote and no `\r` anywhere: one pass over its commas and
/// line breaks, 64 bytes at a time, a line not simple only when it has another number of
/// fields than `width`.
#[inline]
fn plain_lines(
    text: &str,
    offset: usize,
    line: &mut u64,
    width: usize,
    fields: &mut Vec<(u32, u32)>,
    row: &mut impl FnMut(u64, &Line<'_>),
) -> Option<Stop> {
    let bytes = text.as_bytes();
    // The line so far: where it starts, where its field starts, whether it has too many.
    let (mut from, mut a, mut too_wide) = (0usize, 0usize, false);
    fields.clear();
    let mut end_of_line = |i: usize, fields: &mut Vec<(u32, u32)>, from: usize, a: usize| {
        if i > from {
            if i - from > u32::MAX as usize || fields.len() + 1 != width {
                return Err(Stop::Line {
                    at: offset + from,
                    line: *line,
                });
            }
            fields.push(((a - from) as u32, (i - from) as u32));
            let l = Line {
                text: &text[from..i],
                fields,
                at: offset + from,
            };
            row(*line, &l);
            // The last line, without a line break, counts as one as well.
            *line += 1;
        } else if i < bytes.len() {
            *line += 1;
        }
        fields.clear();
        Ok(())
    };
    let mut base = 0;
    while base < bytes.len() {
        let (commas, breaks) = block_masks(&bytes[base..]);
        let mut both = commas | breaks;
        while both != 0 {
            let bit = both & both.wrapping_neg();
            both ^= bit;
            let i = base + bit.trailing_zeros() as usize;
            if commas & bit != 0 {
                if fields.len() == width {
                    too_wide = true;
                } else {
                    fields.push(((a - from) as u32, (i - from) as u32));
                }
            } else {
                if too_wide {
                    return Some(Stop::Line {
                        at: offset + from,
                        line: *line,
                    });
                }
                if let Err(stop) = end_of_line(i, fields, from, a) {
                    return Some(stop);
                }
                from = i + 1;
                too_wide = false;
            }
            a = i + 1;
        }
        base += 64;
    }
    if too_wide && bytes.len() > from {
        return Some(Stop::Line {
            at: offset + from,
            line: *line,
        });
    }
    end_of_line(bytes.len(), fields, from, a).err()
}

/// A bit for each `,` and one for each `\n` among the first 64 bytes of `bytes` (bit `i` for
/// byte `i`).
#[inline]
fn block_masks(bytes: &[u8]) -> (u64, u64) {
    match bytes.first_chunk::<64>() {
        Some(block) => full_block_masks(block),
        None => bytes.iter().enumerate().fold((0, 0), |(c, n), (i, &b)| {
            (
                c | (u64::from(b == b',') << i),
                n | (u64::from(b == b'\n') << i),
            )
        }),
    }
}

/// [`block_masks`] of a whole block, 16 bytes to a compare (SSE2, which every x86-64 has).
#[cfg(target_arch = "x86_64")]
#[inline]
fn full_block_masks(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let (mut commas, mut breaks) = (0u64, 0u64);
    // SAFETY: SSE2 is part of every x86-64 processor (the target enables it), and each load
    // reads the 16 bytes of `part`, which are there.
    unsafe {
        let (comma, line_break) = (_mm_set1_epi8(b',' as i8), _mm_set1_epi8(b'\n' as i8));
        for (k, part) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            commas |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)) as u16) << (16 * k);
            breaks |=
                u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, line_break)) as u16) << (16 * k);
        }
    }
    (commas, breaks)
}

/// [`block_masks`] of a whole block, elsewhere.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn full_block_masks(block: &[u8; 64]) -> (u64, u64) {
    block.iter().enumerate().fold((0, 0), |(c, n), (i, &b)| {
        (
            c | (u64::from(b == b',') << i),
            n | (u64::from(b == b'\n') << i),
        )
    })
}

/// The lines of `buf[start..whole]` up to the first that is not UTF-8 (or not simple), which
/// is where the csv crate takes over.
fn per_line(
    buf: &[u8],
    start: usize,
    whole: usize,
    mut line: u64,
    width: usize,
    fields: &mut Vec<(u32, u32)>,
    row: &mut impl FnMut(u64, &Line<'_>),
) -> Stop {
    let mut from = start;
    while from < whole {
        let end = memchr::memchr(b'\n', &buf[from..whole]).map_or(whole, |i| from + i + 1);
        let Ok(text) = std::str::from_utf8(&buf[from..end]) else {
            return Stop::Line { at: from, line };
        };
        if let Some(stop) = take_lines(text, from, &mut line, width, fields, row) {
            return stop;
        }
        from = end;
    }
    // Every line was UTF-8 after all (a line break split a character): not reached for
    // valid text, but the csv crate takes whatever is left.
    Stop::Line { at: whole, line }
}

/// Splits a line (no line break) into the ranges of its fields; `false` when it is not simple
/// (a quote or a `\r` in it, or another number of fields than `width`).
#[inline]
pub(crate) fn split(line: &[u8], width: usize, fields: &mut Vec<(u32, u32)>) -> bool {
    fields.clear();
    if line.len() > u32::MAX as usize || memchr::memchr2(b'"', b'\r', line).is_some() {
        return false;
    }
    let mut a = 0u32;
    for i in memchr::memchr_iter(b',', line) {
        if fields.len() == width {
            return false;
        }
        fields.push((a, i as u32));
        a = i as u32 + 1;
    }
    fields.push((a, line.len() as u32));
    fields.len() == width
}

#[cfg(test)]
mod tests {
    use super::same_field;

    #[test]
    fn fields_are_the_same_exactly_when_their_bytes_are() {
        // Every length up to 20, and texts that differ in one byte anywhere.
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for n in 0..=20 {
            let base: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
            for i in 0..n {
                let mut t = base.clone();
                t[i] = b'#';
                texts.push(t);
            }
            texts.push(base);
        }
        for a in &texts {
            for b in &texts {
                assert_eq!(same_field(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }
}
