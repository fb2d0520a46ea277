//! The zip archive an `.xlsx` workbook is, read within bounds.
//!
//! Why not a zip library's archive reader: it indexes every entry the central directory lists
//! before the caller can count them (a 54 MB file listing a million entries took 660 MB), and
//! it trusts the sizes entries declare. Here the directory is read as it stands in the bytes:
//! its entry count is checked from the end record before anything is built, each part's
//! declared size is checked against [`MAX_PART_BYTES`] and the running total against
//! [`MAX_TOTAL_BYTES`] before it is inflated, and the inflated bytes must match the declared
//! size and checksum, so a part that lies about its size is refused rather than followed.

use std::collections::HashMap;
use std::io::Read;

use crate::limits::{MAX_ENTRIES, MAX_PART_BYTES, MAX_TOTAL_BYTES};

/// Why an archive, or a part of it, cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not a zip archive at all (no end record), or a damaged one.
    #[error("cannot open it as an Excel workbook: {0}")]
    NotZip(String),
    /// A zip64 archive: one over 4 GB or of more than 65,535 entries, never a response
    /// workbook.
    #[error(
        "it is a zip64 archive (for more than 4 GB or 65,535 entries), which no response workbook is"
    )]
    Zip64,
    /// More entries than a response workbook has.
    #[error("the archive lists {count} entries; a response workbook has at most {limit}")]
    TooManyEntries {
        /// Entries listed.
        count: usize,
        /// [`MAX_ENTRIES`].
        limit: usize,
    },
    /// Two entries of the same name (names compare without regard to case).
    #[error("the archive holds two parts named {0}")]
    SameName(String),
    /// A part sct reads is encrypted or compressed in a way sct does not read.
    #[error("{part}: {what}")]
    Unsupported {
        /// The part's name.
        part: String,
        /// What is wrong.
        what: String,
    },
    /// A part decompresses to more than one part may.
    #[error(
        "{part} decompresses to {size} bytes; a part of a response workbook has at most {limit}"
    )]
    PartTooLarge {
        /// The part's name.
        part: String,
        /// Its declared size.
        size: u64,
        /// [`MAX_PART_BYTES`].
        limit: u64,
    },
    /// The parts read so far decompress to more than the workbook may, together.
    #[error(
        "the parts up to {part} decompress to more than {limit} bytes in all, more than a response workbook holds"
    )]
    TooLarge {
        /// The part that went over.
        part: String,
        /// [`MAX_TOTAL_BYTES`].
        limit: u64,
    },
    /// A part's bytes do not agree with its directory entry.
    #[error("{part} is damaged: {what}")]
    Damaged {
        /// The part's name.
        part: String,
        /// What disagrees.
        what: String,
    },
}

/// One entry of the central directory.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// A zip archive in memory, its directory read and checked.
#[derive(Debug)]
pub struct Archive<'a> {
    bytes: &'a [u8],
    entries: Vec<Entry>,
    /// Lower-case name to entry: OPC part names compare without regard to case.
    by_name: HashMap<String, usize>,
    /// Decompressed bytes handed out so far.
    read: u64,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

const END_SIGNATURE: u32 = 0x0605_4b50;
const DIRECTORY_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
/// The end record's fixed size; a comment of up to 65,535 bytes may follow it.
const END_SIZE: usize = 22;

fn not_zip(what: &str) -> ArchiveError {
    ArchiveError::NotZip(what.to_string())
}

/// The end-of-central-directory record: the last one whose comment ends within the file.
fn end_record(bytes: &[u8]) -> Result<usize, ArchiveError> {
    let last = bytes
        .len()
        .checked_sub(END_SIZE)
        .ok_or_else(|| not_zip("too short to be a zip archive"))?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last)
        .rev()
        .find(|&at| {
            u32_at(bytes, at) == Some(END_SIGNATURE)
                && u16_at(bytes, at + 20)
                    .is_some_and(|comment| at + END_SIZE + usize::from(comment) <= bytes.len())
        })
        .ok_or_else(|| not_zip("no zip end record (not a zip archive, or a truncated one)"))
}

impl<'a> Archive<'a> {
    /// Reads the archive's directory.
    pub fn open(bytes: &'a [u8]) -> Result<Archive<'a>, ArchiveError> {
        let end = end_record(bytes)?;
        let field16 = |at| u16_at(bytes, end + at).unwrap_or(0);
        let field32 = |at| u32_at(bytes, end + at).unwrap_or(0);
        let (disk, directory_disk) = (field16(4), field16(6));
        let (on_disk, count) = (field16(8), field16(10));
        let (directory_size, directory_offset) = (field32(12), field32(16));
        if count == u16::MAX || directory_size == u32::MAX || directory_offset == u32::MAX {
            return Err(ArchiveError::Zip64);
        }
        if disk != 0 || directory_disk != 0 || on_disk != count {
            return Err(not_zip("a multi-volume zip archive"));
        }
        if usize::from(count) > MAX_ENTRIES {
            return Err(ArchiveError::TooManyEntries {
                count: usize::from(count),
                limit: MAX_ENTRIES,
            });
        }
        let start = directory_offset as usize;
        let directory = start
            .checked_add(directory_size as usize)
            .filter(|&stop| stop <= end)
            .and_then(|stop| bytes.get(start..stop))
            .ok_or_else(|| not_zip("its directory lies outside the file"))?;
        let mut archive = Archive {
            bytes,
            entries: Vec::with_capacity(usize::from(count)),
            by_name: HashMap::new(),
            read: 0,
        };
        let mut at = 0;
        for _ in 0..count {
            let (entry, next) = directory_entry(directory, at)?;
            at = next;
            if entry.name.ends_with('/') {
                continue;
            }
            let key = entry.name.to_lowercase();
            if archive.by_name.contains_key(&key) {
                return Err(ArchiveError::SameName(entry.name));
            }
            archive.by_name.insert(key, archive.entries.len());
            archive.entries.push(entry);
        }
        Ok(archive)
    }

    /// Checks, before any is inflated, that the parts `names` (those present) declare sizes
    /// within [`MAX_PART_BYTES`] each and, with what was read already, [`MAX_TOTAL_BYTES`]
    /// together. [`Archive::read`] checks again, and checks each part holds what it declares.
    pub fn check_sizes(&self, names: &[String]) -> Result<(), ArchiveError> {
        let mut total = self.read;
        for name in names {
            let Some(&i) = self.by_name.get(&name.to_lowercase()) else {
                continue;
            };
            let entry = &self.entries[i];
            if entry.size > MAX_PART_BYTES {
                return Err(ArchiveError::PartTooLarge {
                    part: entry.name.clone(),
                    size: entry.size,
                    limit: MAX_PART_BYTES,
                });
            }
            total = total.saturating_add(entry.size);
            if total > MAX_TOTAL_BYTES {
                return Err(ArchiveError::TooLarge {
                    part: entry.name.clone(),
                    limit: MAX_TOTAL_BYTES,
                });
            }
        }
        Ok(())
    }

    /// A part's bytes, decompressed and checked; `None` when there is no such part.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
        let Some(&i) = self.by_name.get(&name.to_lowercase()) else {
            return Ok(None);
        };
        let entry = self.entries[i].clone();
        let part = entry.name.clone();
        if entry.size > MAX_PART_BYTES {
            return Err(ArchiveError::PartTooLarge {
                part,
                size: entry.size,
                limit: MAX_PART_BYTES,
            });
        }
        self.read = self.read.saturating_add(entry.size);
        if self.read > MAX_TOTAL_BYTES {
            return Err(ArchiveError::TooLarge {
                part,
                limit: MAX_TOTAL_BYTES,
            });
        }
        let data = self.stored_bytes(&entry)?;
        let out = inflate(&entry, data)?;
        if crc32fast::hash(&out) != entry.crc {
            return Err(ArchiveError::Damaged {
                part,
                what: "its checksum does not match its contents".into(),
            });
        }
        Ok(Some(out))
    }

    /// The bytes of an entry as stored (compressed), after its local header.
    fn stored_bytes(&self, entry: &Entry) -> Result<&'a [u8], ArchiveError> {
        let damaged = |what: &str| ArchiveError::Damaged {
            part: entry.name.clone(),
            what: what.to_string(),
        };
        let at =
            usize::try_from(entry.offset).map_err(|_| damaged("its offset is past the end"))?;
        if u32_at(self.bytes, at) != Some(LOCAL_SIGNATURE) {
            return Err(damaged(
                "no local header where the directory says it starts",
            ));
        }
        let name_len = u16_at(self.bytes, at + 26).unwrap_or(0);
        let extra_len = u16_at(self.bytes, at + 28).unwrap_or(0);
        let start = at + 30 + usize::from(name_len) + usize::from(extra_len);
        let stop = usize::try_from(entry.compressed)
            .ok()
            .and_then(|n| start.checked_add(n))
            .ok_or_else(|| damaged("its data runs past the end of the file"))?;
        self.bytes
            .get(start..stop)
            .ok_or_else(|| damaged("its data runs past the end of the file"))
    }
}

/// One directory entry at `at`, and where the next starts.
fn directory_entry(directory: &[u8], at: usize) -> Result<(Entry, usize), ArchiveError> {
    let damaged = || not_zip("its directory is damaged");
    if u32_at(directory, at) != Some(DIRECTORY_SIGNATURE) {
        return Err(damaged());
    }
    let field16 = |off| u16_at(directory, at + off).ok_or_else(damaged);
    let field32 = |off| u32_at(directory, at + off).ok_or_else(damaged);
    let (name_len, extra_len, comment_len) = (field16(28)?, field16(30)?, field16(32)?);
    let name_start = at + 46;
    let name = directory
        .get(name_start..name_start + usize::from(name_len))
        .ok_or_else(damaged)?;
    let (compressed, size, offset) = (field32(20)?, field32(24)?, field32(42)?);
    if [compressed, size, offset].contains(&u32::MAX) {
        return Err(ArchiveError::Zip64);
    }
    let entry = Entry {
        name: String::from_utf8_lossy(name).into_owned(),
        flags: field16(8)?,
        method: field16(10)?,
        crc: field32(16)?,
        compressed: u64::from(compressed),
        size: u64::from(size),
        offset: u64::from(offset),
    };
    let next =
        name_start + usize::from(name_len) + usize::from(extra_len) + usize::from(comment_len);
    Ok((entry, next))
}

/// An entry's bytes decompressed, no more than it declares.
fn inflate(entry: &Entry, data: &[u8]) -> Result<Vec<u8>, ArchiveError> {
    let part = || entry.name.clone();
    if entry.flags & 1 != 0 {
        return Err(ArchiveError::Unsupported {
            part: part(),
            what: "it is encrypted (a workbook with a password to open); save it without one"
                .into(),
        });
    }
    // Sizes were checked against MAX_PART_BYTES, so this fits in memory and in usize.
    let size = entry.size as usize;
    let mut out = Vec::with_capacity(size);
    let read = match entry.method {
        0 => {
            out.extend_from_slice(data);
            Ok(out.len())
        }
        8 => flate2::read::DeflateDecoder::new(data)
            .take(entry.size + 1)
            .read_to_end(&mut out),
        m => {
            return Err(ArchiveError::Unsupported {
                part: part(),
                what: format!(
                    "it is compressed with method {m}; sct reads stored and deflated parts, as Excel writes"
                ),
            });
        }
    };
    match read {
        Ok(n) if n == size => Ok(out),
        Ok(n) => Err(ArchiveError::Damaged {
            part: part(),
            what: format!(
                "it declares {} bytes but holds {}",
                entry.size,
                if n > size {
                    "more".to_string()
                } else {
                    n.to_string()
                }
            ),
        }),
        Err(e) => Err(ArchiveError::Damaged {
            part: part(),
            what: format!("it does not decompress: {e}"),
        }),
    }
}
