//! Every `sct` workflow as one library call: an options struct in, an [`Output`] out (the
//! document in the format asked for, the warnings and notes to show beside it, and how the
//! run ended). The `sct` command line parses its arguments into these options, calls one
//! function and writes the document; a web form or a Python package calls the same
//! functions.
//!
//! ```
//! use sct_workflows::{Session, assess::{ScoreFormat, ScoreOptions, score}};
//! let session = Session::bundled()?;
//! let output = score(&session, &ScoreOptions {
//!     response: "../../examples/baseline-2026-03/bnssg-illustrative.toml".into(),
//!     as_of: None,
//!     strict: false,
//!     format: ScoreFormat::Table,
//! })?;
//! let table = String::from_utf8(output.document.into_bytes()?)?;
//! assert!(table.contains("Overall"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Files: every input is read through `sct-files`, so no document written with
//! [`sct_files::write_atomic_with`] can replace one of them.

pub mod approve;
pub mod assess;
mod carry;
pub mod compare;
pub mod diff;
pub mod document;
pub mod error;
pub mod format;
pub mod frameworks;
mod funnel;
pub mod import;
pub mod kpi;
pub mod measures;
pub mod moderate;
pub mod plugins;
pub mod session;
pub mod spc;
pub mod toc;

pub use document::{Document, Outcome, Output, StreamError};
pub use error::{Error, Result};
pub use format::Format;
pub use session::{Session, SessionOptions};
