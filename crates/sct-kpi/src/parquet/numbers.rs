//! Number (and date) columns read from their pages here ([`super::pages`]), as the crate's
//! column reader would give them: each row's definition level (when the column may be
//! null) and the values of the rows that are not null. A column chunk in an encoding not
//! read there is read through the crate's column reader instead.

use std::marker::PhantomData;

use parquet::errors::ParquetError as CrateError;

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
        let end = n
            .checked_mul(T::SIZE)
            .and_then(|len| at.checked_add(len))
            .ok_or_else(|| damaged("values past its end"))?;
        let bytes = buf
            .get(*at..end)
            .ok_or_else(|| damaged("values past its end"))?;
        out.extend(bytes.chunks_exact(T::SIZE).map(T::from_le));
        *at = end;
        Ok(())
    }

    fn skip_plain(buf: &[u8], at: &mut usize, n: usize) -> Result<(), CrateError> {
        let end = n
            .checked_mul(T::SIZE)
            .and_then(|len| at.checked_add(len))
            .filter(|&end| end <= buf.len())
            .ok_or_else(|| damaged("values past its end"))?;
        *at = end;
        Ok(())
    }
}

/// A number column's pages walked here, by the type of its values.
pub(super) enum NumberPages {
    Int32(Walker<Numbers<i32>>),
    Int64(Walker<Numbers<i64>>),
    Float(Walker<Numbers<f32>>),
    Double(Walker<Numbers<f64>>),
}

/// Reads up to `rows` more rows through `walker`: each row's definition level into `def`
/// (left empty when `max_def` is 0) and the values not null into `values` (both cleared
/// first); how many rows were read.
pub(super) fn fill<T: Number>(
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
