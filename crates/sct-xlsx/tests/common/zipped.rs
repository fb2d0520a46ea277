//! Workbooks taken apart and put back together, to make damaged and adversarial ones small
//! enough to build in a test: parts replaced or added, and sizes declared falsely.

use std::io::{Cursor, Read, Write};

/// A part of the workbook `bytes`, as text.
pub fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no part {name}"))
        .read_to_string(&mut text)
        .expect("UTF-8");
    text
}

/// `bytes` with parts replaced or added (`(name, content)`), every other part as it was.
pub fn rezip(bytes: &[u8], parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("an entry");
        let name = file.name().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).expect("reads");
        if let Some((_, new)) = parts.iter().find(|(n, _)| *n == name) {
            content = new.clone();
        }
        out.start_file(name.as_str(), options).expect("starts");
        out.write_all(&content).expect("writes");
        names.push(name);
    }
    for (name, content) in parts.iter().filter(|(n, _)| !names.iter().any(|m| m == n)) {
        out.start_file(*name, options).expect("starts");
        out.write_all(content).expect("writes");
    }
    out.finish().expect("finishes").into_inner()
}

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// `bytes` with the decompressed size its directory and local header declare for `name` set
/// to `size`: a part that lies about its size.
pub fn declare_size(bytes: &[u8], name: &str, size: u32) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let end = (0..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("an end record");
    let mut at = u32_at(bytes, end + 16);
    for _ in 0..u16_at(bytes, end + 10) {
        let name_len = u16_at(bytes, at + 28);
        let entry = &bytes[at + 46..at + 46 + name_len];
        if entry == name.as_bytes() {
            out[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            let local = u32_at(bytes, at + 42);
            out[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
            return out;
        }
        at += 46 + name_len + u16_at(bytes, at + 30) + u16_at(bytes, at + 32);
    }
    panic!("no part {name}");
}
