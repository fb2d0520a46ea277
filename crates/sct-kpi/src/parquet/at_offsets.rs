//! A Parquet file read at offsets (`pread`), never through a position its handles share:
//! the parquet crate reads a `File` by seeking a clone of it (one position for every clone)
//! and then reading, so two threads reading columns of one file at once would read each
//! other's bytes. Read at offsets, the columns of a row group can be decoded on two threads
//! ([`super::ahead`]). The errors are the crate's own for a `File`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt as _;
use std::sync::Arc;

use bytes::Bytes;
use parquet::errors::{ParquetError, Result};
use parquet::file::reader::{ChunkReader, Length};

/// The bytes read at once by a reader from an offset ([`ChunkReader::get_read`]).
const HEADER_READ: usize = 1024;

/// A file read at offsets.
pub(super) struct AtOffsets {
    file: Arc<File>,
    len: u64,
}

impl AtOffsets {
    pub(super) fn new(file: File) -> AtOffsets {
        // As the crate takes a `File`'s length: 0 when it cannot be told.
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        AtOffsets {
            file: Arc::new(file),
            len,
        }
    }
}

impl Length for AtOffsets {
    fn len(&self) -> u64 {
        self.len
    }
}

/// A reader of the file from an offset on, with a position of its own.
pub(super) struct ReadAt {
    file: Arc<File>,
    at: u64,
}

impl Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl ChunkReader for AtOffsets {
    type T = BufReader<ReadAt>;

    fn get_read(&self, start: u64) -> Result<Self::T> {
        // The crate reads a page header through it (the page itself through `get_bytes`):
        // headers are well under a kilobyte, and the rest of the buffer would be zeroed and
        // read into for nothing. A longer one is read on in more turns.
        Ok(BufReader::with_capacity(
            HEADER_READ,
            ReadAt {
                file: Arc::clone(&self.file),
                at: start,
            },
        ))
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes> {
        let mut buffer = Vec::with_capacity(length);
        let read = ReadAt {
            file: Arc::clone(&self.file),
            at: start,
        }
        .take(length as u64)
        .read_to_end(&mut buffer)?;
        if read != length {
            return Err(ParquetError::EOF(format!(
                "Expected to read {length} bytes, read only {read}"
            )));
        }
        Ok(buffer.into())
    }
}
