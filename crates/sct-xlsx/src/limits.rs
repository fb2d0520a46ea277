//! What a response workbook can hold, which bounds what the reader builds: a workbook is
//! refused, with the cell or part named, as soon as it holds more than an assessment needs, so
//! that a small file can never make the reader take gigabytes or minutes. The writer keeps to
//! the same bounds (it refuses a response whose text would not read back).

use sct_core::load::FrameworkRegistry;
use sct_core::model::{AssessmentRound, CapabilityToolkit};

use crate::layout::{CAPABILITY_INPUTS, all_detail_keys};
use crate::read::HEADER_SEARCH_ROWS;
use crate::write::LEADING_COLUMNS;

/// Rows beyond the header rows and the assessment's own rows: room for notes under a table,
/// and for the rows of the "More text" sheet (each continues an answer by a cell's worth).
pub const ROW_MARGIN: u32 = 500;
/// Columns beyond the layout's own: room for a team's own notes beside the answers.
pub const COLUMN_MARGIN: u32 = 50;
/// Sheets beyond the layout's own: room for a team's own sheets.
pub const SHEET_MARGIN: usize = 20;
/// The fixed sheets: instructions, organisation, milestones, more text and metadata.
const FIXED_SHEETS: usize = 5;

/// Entries the archive's directory may list (sct writes about 25).
pub const MAX_ENTRIES: usize = 1_000;
/// The largest decompressed size of one part the reader reads.
pub const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;
/// The largest decompressed size of all the parts the reader reads, together.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

/// Bounds on a response workbook's sheets, cells and strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows a sheet may use (a value in a row at or past this, zero-based, is refused).
    pub rows: u32,
    /// Columns a sheet may use.
    pub columns: u32,
    /// Sheets a workbook may have.
    pub sheets: usize,
    /// Distinct strings (shared strings) a workbook may have: one sheet's worth of cells.
    pub shared_strings: usize,
    /// Merged areas a sheet may have.
    pub merges: usize,
}

impl Limits {
    /// The bounds for a workbook of `toolkit` (and `round`), as the writer lays it out.
    pub fn for_toolkit(toolkit: &CapabilityToolkit, round: Option<&AssessmentRound>) -> Limits {
        Limits::of_size(
            toolkit.capabilities().count(),
            round.map_or(0, |r| r.milestones.len()),
            toolkit.levels.len(),
            toolkit.domains.len(),
        )
    }

    /// The bounds for a workbook of any toolkit and round in `registry`: the reader does not
    /// know the toolkit until it has read the hidden sheet, so it allows the largest.
    pub fn for_registry(registry: &FrameworkRegistry) -> Limits {
        let mut size = (0, 0, 0, 0);
        for file in registry.iter() {
            if let Some(t) = file.as_toolkit() {
                size.0 = size.0.max(t.capabilities().count());
                size.2 = size.2.max(t.levels.len());
                size.3 = size.3.max(t.domains.len());
            }
            if let Some(r) = file.as_round() {
                size.1 = size.1.max(r.milestones.len());
            }
        }
        Limits::of_size(size.0, size.1, size.2, size.3)
    }

    /// The bounds for a workbook of so many capabilities, milestones, levels and domains.
    pub fn for_size(
        capabilities: usize,
        milestones: usize,
        levels: usize,
        domains: usize,
    ) -> Limits {
        Limits::of_size(capabilities, milestones, levels, domains)
    }

    fn of_size(capabilities: usize, milestones: usize, levels: usize, domains: usize) -> Limits {
        let items = capabilities
            .max(milestones)
            .max(levels)
            .max(all_detail_keys().count());
        let rows = HEADER_SEARCH_ROWS
            .saturating_add(saturate(items))
            .saturating_add(ROW_MARGIN);
        let columns = u32::from(LEADING_COLUMNS)
            .saturating_add(saturate(levels))
            .saturating_add(saturate(CAPABILITY_INPUTS.len()))
            .saturating_add(COLUMN_MARGIN);
        let cells = (rows as usize).saturating_mul(columns as usize);
        Limits {
            rows,
            columns,
            sheets: FIXED_SHEETS + domains + SHEET_MARGIN,
            shared_strings: cells,
            merges: cells,
        }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
