//! # sct-xlsx
//!
//! The Excel round trip of `sct`: the assessment workbook that ICB teams fill in and circulate
//! (made by `sct template ROUND -o baseline.xlsx`), and the reader that brings a filled
//! workbook back as a response every command accepts, with errors that name the sheet and
//! cell.
//!
//! Why a crate of its own: the workbook is one format among several for the same response, so
//! `sct-core` stays free of spreadsheet libraries (it reads TOML and JSON, and takes other
//! formats through its [`sct_core::ResponseReader`] seam), while the writer
//! and reader here share one description of the layout ([`layout`]) and change together.
//! [`install`] registers the reader with an [`sct_core::Sct`]; the `sct` command does so
//! for every command, so `validate`, `score`, `report`, `plan` and anything reading responses
//! through `Sct` accept `.xlsx` files exactly as they accept TOML.
//!
//! ```no_run
//! let sct = sct_xlsx::install(sct_core::Sct::bundled()?);
//! let report = sct.score_file(std::path::Path::new("baseline.xlsx"), Default::default(), None)?;
//! # Ok::<(), sct_core::Error>(())
//! ```

pub mod archive;
pub mod layout;
pub mod limits;
pub mod moderation;
pub mod ooxml;
pub mod read;
pub mod text;
pub mod write;

use std::path::Path;
use std::sync::Arc;

use sct_core::load::{FrameworkRegistry, ReadResponse, ResponseReader};
use sct_core::{Error, Sct};

pub use read::{read_workbook, read_workbook_bytes};
pub use write::{WorkbookError, build_workbook, response_workbook};

/// The reader of `.xlsx` response workbooks, for [`Sct::with_reader`].
#[derive(Debug, Clone, Copy, Default)]
pub struct XlsxReader;

impl ResponseReader for XlsxReader {
    fn extensions(&self) -> &'static [&'static str] {
        &["xlsx"]
    }

    fn read(&self, path: &Path, registry: &FrameworkRegistry) -> Result<ReadResponse, Error> {
        read_workbook(path, registry)
    }
}

/// `sct` with the workbook reader registered: its `*_file` methods then read `.xlsx`.
pub fn install(sct: Sct) -> Sct {
    sct.with_reader(Arc::new(XlsxReader))
}
