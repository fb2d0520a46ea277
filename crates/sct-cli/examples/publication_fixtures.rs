//! Writes the synthetic published files of the import benchmark into a directory:
//! `rtt-full-extract.csv`, a month's RTT full CSV extract of about 100 MB in the layout NHS
//! England publishes (121 columns: the period, provider and commissioner with their parents,
//! the RTT part, the treatment function, 105 week bands, `Total`, `Patients with unknown clock
//! start date` and `Total All`). The organisations and figures are made up, deterministically
//! (the same bytes on every run); which cells each part fills follows the published file: the
//! completed pathways (parts 1A and 1B) fill every count, the incomplete pathways (2 and 2A)
//! leave `Total` and the unknown clock starts empty, new periods (3) fill `Total All` only, and
//! each commissioner's `C_999` row is the total of its treatment functions. Written only
//! when missing. Run from the workspace root.
//!
//! Usage: `cargo run --release -p sct-cli --example publication_fixtures -- DIR`

use std::io::Write;
use std::path::Path;

/// The size the extract grows to, in bytes (then the provider being written is finished).
const TARGET_BYTES: u64 = 100_000_000;

/// Week bands: `Gt 00 To 01 Weeks SUM 1` to `Gt 103 To 104 Weeks SUM 1`, then `Gt 104 Weeks`.
const BANDS: usize = 105;

/// The published parts: type, description, which cells are filled.
const PARTS: [(&str, &str, Fill); 5] = [
    (
        "Part_1A",
        "Completed Pathways For Admitted Patients",
        Fill::All,
    ),
    (
        "Part_1B",
        "Completed Pathways For Non-Admitted Patients",
        Fill::All,
    ),
    ("Part_2", "Incomplete Pathways", Fill::Bands),
    ("Part_2A", "Incomplete Pathways with DTA", Fill::Bands),
    (
        "Part_3",
        "New RTT Periods - All Patients",
        Fill::TotalAllOnly,
    ),
];

/// Treatment functions (the `C_999` total is written after them).
const FUNCTIONS: [(&str, &str); 18] = [
    ("C_100", "General Surgery Service"),
    ("C_101", "Urology Service"),
    ("C_110", "Trauma and Orthopaedic Service"),
    ("C_120", "Ear Nose and Throat Service"),
    ("C_130", "Ophthalmology Service"),
    ("C_140", "Oral Surgery Service"),
    ("C_150", "Neurosurgical Service"),
    ("C_160", "Plastic Surgery Service"),
    ("C_170", "Cardiothoracic Surgery Service"),
    ("C_300", "General Internal Medicine Service"),
    ("C_301", "Gastroenterology Service"),
    ("C_320", "Cardiology Service"),
    ("C_330", "Dermatology Service"),
    ("C_340", "Respiratory Medicine Service"),
    ("C_502", "Gynaecology Service"),
    ("X02", "Other - Medical Services"),
    ("X04", "Other - Paediatric Services"),
    ("X05", "Other - Surgical Services"),
];

/// Which cells of a part's rows are filled.
#[derive(Clone, Copy)]
enum Fill {
    /// The week bands, `Total`, the unknown clock starts and `Total All`.
    All,
    /// The week bands and `Total All`.
    Bands,
    /// `Total All` alone.
    TotalAllOnly,
}

/// A small deterministic generator (xorshift64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A whole number below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The header line, as published.
fn header() -> String {
    let mut h = String::from(
        "Period,Provider Parent Org Code,Provider Parent Name,Provider Org Code,Provider Org Name,Commissioner Parent Org Code,Commissioner Parent Name,Commissioner Org Code,Commissioner Org Name,RTT Part Type,RTT Part Description,Treatment Function Code,Treatment Function Name",
    );
    for w in 0..BANDS - 1 {
        h.push_str(&format!(",Gt {w:02} To {:02} Weeks SUM 1", w + 1));
    }
    h.push_str(",Gt 104 Weeks SUM 1,Total,Patients with unknown clock start date,Total All\n");
    h
}

/// A made-up ICB: its code and name.
fn icb(i: u64) -> (String, String) {
    (
        format!(
            "Q{}{}",
            (b'A' + (i / 26 % 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        ),
        format!("NHS SYNTHETIC {i} INTEGRATED CARE BOARD"),
    )
}

/// A made-up sub-ICB location: its code and name (some with a comma, quoted as published).
fn commissioner(i: u64) -> (String, String) {
    let name = if i.is_multiple_of(5) {
        format!("\"NHS SYNTHETIC {i}, NORTH AND SOUTH (SUB ICB LOCATION)\"")
    } else {
        format!("NHS SYNTHETIC {i} (SUB ICB LOCATION)")
    };
    (
        format!("{:02}{}", i % 100, (b'A' + (i / 100 % 26) as u8) as char),
        name,
    )
}

/// Waiting counts by week band for `patients` patients, fewer the longer the wait.
fn bands(random: &mut Random, patients: u64, out: &mut [u64; BANDS]) {
    out.fill(0);
    for _ in 0..patients {
        // Two draws make short waits commoner than long ones.
        let w = random.below(BANDS as u64).min(random.below(BANDS as u64));
        out[w as usize] += 1;
    }
}

/// One row: the organisations' columns, the part and function, then the counts.
fn row(
    line: &mut String,
    lead: &str,
    part: (&str, &str, Fill),
    function: (&str, &str),
    counts: &[u64; BANDS],
    unknown: u64,
) {
    let (kind, description, fill) = part;
    line.clear();
    line.push_str(lead);
    line.push_str(&format!(
        "{kind},{description},{},{}",
        function.0, function.1
    ));
    let total: u64 = counts.iter().sum();
    for &c in counts {
        match fill {
            Fill::TotalAllOnly => line.push(','),
            _ => line.push_str(&format!(",{c}")),
        }
    }
    match fill {
        Fill::All => line.push_str(&format!(",{total},{unknown},{}\n", total + unknown)),
        Fill::Bands => line.push_str(&format!(",,,{}\n", total + unknown)),
        Fill::TotalAllOnly => line.push_str(&format!(",,,{total}\n")),
    }
}

/// Writes one provider's rows: each of its commissioners, each part, the functions with
/// activity and their `C_999` total.
fn provider(out: &mut impl Write, random: &mut Random, p: u64) -> std::io::Result<u64> {
    let (parent, parent_name) = icb(p % 42);
    let mut written = 0;
    let mut line = String::new();
    let mut counts = [0u64; BANDS];
    let commissioners = 4 + random.below(10);
    for c in 0..commissioners {
        let k = if c == 0 { p % 106 } else { random.below(106) };
        let (code, name) = commissioner(k);
        let (cparent, cparent_name) = if random.below(10) == 0 {
            (String::new(), String::new())
        } else {
            icb(k % 42)
        };
        let lead = format!(
            "RTT-November-2030,{parent},{parent_name},R{p:03},SYNTHETIC {p} NHS FOUNDATION TRUST,{cparent},{cparent_name},{code},{name},"
        );
        let scale = if c == 0 { 400 } else { 20 };
        for part in PARTS {
            let mut sum = [0u64; BANDS];
            let mut unknown_sum = 0;
            for function in FUNCTIONS {
                if random.below(3) == 0 {
                    continue;
                }
                let patients = random.below(scale);
                bands(random, patients, &mut counts);
                let unknown = random.below(2);
                row(&mut line, &lead, part, function, &counts, unknown);
                out.write_all(line.as_bytes())?;
                written += line.len() as u64;
                for (s, c) in sum.iter_mut().zip(counts) {
                    *s += c;
                }
                unknown_sum += unknown;
            }
            row(
                &mut line,
                &lead,
                part,
                ("C_999", "Total"),
                &sum,
                unknown_sum,
            );
            out.write_all(line.as_bytes())?;
            written += line.len() as u64;
        }
    }
    Ok(written)
}

/// The extract, providers one after another until [`TARGET_BYTES`] are written.
fn write_extract(path: &Path) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&partial)?);
    let head = header();
    out.write_all(head.as_bytes())?;
    let mut written = head.len() as u64;
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut p = 0;
    while written < TARGET_BYTES {
        written += provider(&mut out, &mut random, p)?;
        p += 1;
    }
    out.flush()?;
    drop(out);
    std::fs::rename(partial, path)
}

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: publication_fixtures DIR");
        return std::process::ExitCode::from(2);
    };
    let path = dir.join("rtt-full-extract.csv");
    let made = if path.exists() {
        Ok(())
    } else {
        std::fs::create_dir_all(&dir).and_then(|()| write_extract(&path))
    };
    match made {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("publication_fixtures: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
