//! Number (and date) columns read from their pages here ([`super::pages`]), as the crate's
//! column reader would give them: each row's definition level (when the column may be
//! null) and the values of the rows that are not null. A column chunk in an encoding not
//! read there is read through the crate's column reader instead.

use std::marker::PhantomData;

use parquet::basic::Type as Physical;
use parquet::column::page::PageReader;
use parquet::errors::ParquetError as CrateError;

use super::Values;
use super::pages::{Decode, Walker, damaged};

/// A number as the format writes it plain: its bytes, little-endian.
pub(super) trait Number: Copy {
    /// Bytes a value.
    const SIZE: usize;
    /// The value of `SIZE` bytes.
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! number {
    ($t:ty) => {
        impl Number for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline(always)]
            fn from_le(bytes: &[u8]) -> $t {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
        }
    };
}
number!(i32);
number!(i64);
number!(f32);
number!(f64);

/// Values of type `T` decoded as themselves.
pub(super) struct Numbers<T>(PhantomData<T>);

impl<T: Number> Decode for Numbers<T> {
    type Value = T;
    type With = ();

    fn plain(
        buf: &[u8],
        at: &mut usize,
        n: usize,
        _: &mut (),
        out: &mut Vec<T>,
    ) -> Result<(), CrateError> {
        let bytes = plain_bytes::<T>(buf, at, n)?;
        out.extend(bytes.chunks_exact(T::SIZE).map(T::from_le));
        Ok(())
    }

    fn skip_plain(buf: &[u8], at: &mut usize, n: usize) -> Result<(), CrateError> {
        plain_bytes::<T>(buf, at, n).map(|_| ())
    }
}

/// The bytes of the next `n` plain values of type `T` in `buf` from `*at`, moving `*at`
/// past them.
fn plain_bytes<'b, T: Number>(
    buf: &'b [u8],
    at: &mut usize,
    n: usize,
) -> Result<&'b [u8], CrateError> {
    let end = n
        .checked_mul(T::SIZE)
        .and_then(|len| at.checked_add(len))
        .ok_or_else(|| damaged("values past its end"))?;
    let bytes = buf
        .get(*at..end)
        .ok_or_else(|| damaged("values past its end"))?;
    *at = end;
    Ok(bytes)
}

/// A number column's pages walked here, by the type of its values.
pub(super) enum NumberPages {
    Int32(Walker<Numbers<i32>>),
    Int64(Walker<Numbers<i64>>),
    Float(Walker<Numbers<f32>>),
    Double(Walker<Numbers<f64>>),
}

impl NumberPages {
    /// The pages of a column of physical type `physical` whose largest definition level is
    /// `max_def`, with room for its values; `None` for a type that is not a number.
    pub(super) fn open(
        physical: Physical,
        pages: Box<dyn PageReader>,
        max_def: i16,
    ) -> Option<(NumberPages, Values)> {
        Some(match physical {
            Physical::INT32 => (
                NumberPages::Int32(Walker::new(pages, max_def)),
                Values::Int32(Vec::new()),
            ),
            Physical::INT64 => (
                NumberPages::Int64(Walker::new(pages, max_def)),
                Values::Int64(Vec::new()),
            ),
            Physical::FLOAT => (
                NumberPages::Float(Walker::new(pages, max_def)),
                Values::Float(Vec::new()),
            ),
            Physical::DOUBLE => (
                NumberPages::Double(Walker::new(pages, max_def)),
                Values::Double(Vec::new()),
            ),
            _ => return None,
        })
    }

    /// Skips up to `rows` rows ([`Walker::skip`]); how many were skipped.
    pub(super) fn skip(&mut self, rows: usize) -> Result<usize, CrateError> {
        match self {
            NumberPages::Int32(w) => w.skip(rows, &mut ()),
            NumberPages::Int64(w) => w.skip(rows, &mut ()),
            NumberPages::Float(w) => w.skip(rows, &mut ()),
            NumberPages::Double(w) => w.skip(rows, &mut ()),
        }
    }

    /// Reads up to `rows` more rows into `def` and `values` (as [`fill`]); how many were
    /// read. `values` is of the column's type (from [`NumberPages::open`]).
    pub(super) fn fill(
        &mut self,
        rows: usize,
        max_def: i16,
        def: &mut Vec<i16>,
        values: &mut Values,
    ) -> Result<usize, CrateError> {
        match (self, values) {
            (NumberPages::Int32(w), Values::Int32(v)) => fill(w, rows, max_def, def, v),
            (NumberPages::Int64(w), Values::Int64(v)) => fill(w, rows, max_def, def, v),
            (NumberPages::Float(w), Values::Float(v)) => fill(w, rows, max_def, def, v),
            (NumberPages::Double(w), Values::Double(v)) => fill(w, rows, max_def, def, v),
            _ => Err(CrateError::General(
                "a column's values are not of its type".to_string(),
            )),
        }
    }
}

/// Reads up to `rows` more rows through `walker`: each row's definition level into `def`
/// (left empty when `max_def` is 0) and the values not null into `values` (both cleared
/// first); how many rows were read.
fn fill<T: Number>(
    walker: &mut Walker<Numbers<T>>,
    rows: usize,
    max_def: i16,
    def: &mut Vec<i16>,
    values: &mut Vec<T>,
) -> Result<usize, CrateError> {
    def.clear();
    values.clear();
    let mut done = 0;
    while done < rows {
        let Some(read) = walker.read(rows - done, &mut (), values)? else {
            break;
        };
        done += read.rows;
        if max_def == 0 {
            continue;
        }
        match read.present == read.rows {
            true => def.extend(std::iter::repeat_n(max_def, read.rows)),
            // Levels are 0 or 1 here (a larger largest level is read by the crate).
            false => def.extend(walker.levels().iter().map(|&l| l as i16)),
        }
    }
    Ok(done)
}
