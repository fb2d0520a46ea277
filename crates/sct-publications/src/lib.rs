//! NHS England's and OHID's published statistics, read as they are published.
//!
//! Analysts download the same files every month: the A&E attendances and emergency
//! admissions CSV, the RTT full extract, the cancer waiting times provider extract, the
//! ambulance system indicators and Fingertips indicator data. Each reader here takes the file
//! as downloaded, with the quirks real files have (line endings, junk trailing columns, the
//! total row spelled three ways, a typo in a published header), finds its layout from its
//! header ([`detect()`]), and returns typed [`Observation`]s with numerators and denominators
//! where the publication has them. The organisation lookups NHS England and ONS publish
//! ([`lookup`]) map trusts and sub-ICB locations to ICBs, and [`aggregate`] sums them to an
//! ICB, recomputing proportions from summed numerators and denominators.
//!
//! Nothing here knows `sct`'s KPI sets or file formats: the workflow that imports data maps
//! [`Measure`]s to indicators.

pub mod ae;
pub mod aggregate;
pub mod ambsys;
pub mod cancer;
pub mod columns;
pub mod detect;
pub mod error;
pub mod fingertips;
pub mod import;
mod lines;
pub mod lookup;
pub mod model;
pub mod read;
pub mod rtt;

pub use detect::{Publication, detect, detect_start};
pub use error::PublicationError;
pub use model::{
    Extract, IcbBasis, Measure, MeasureKind, Observation, OrgLevel, Organisation, Period,
};
pub use read::{read_bytes, read_file};
