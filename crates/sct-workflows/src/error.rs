//! The one error type of the workflows: each library's own error, kept whole (its source
//! chain and its variants), plus the workflows' own refusals.

/// Why a workflow produced no document.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading, validating or scoring failed (a file, a framework, a response).
    #[error(transparent)]
    Core(#[from] sct_core::Error),
    /// A report could not be rendered (a user's template, a chart, a spreadsheet).
    #[error(transparent)]
    Report(#[from] sct_report::render::ReportError),
    /// A Word document could not be made (a chart drawn for it, or its package).
    #[error(transparent)]
    Docx(#[from] sct_report::docx::DocxError),
    /// A response could not be laid out as a workbook.
    #[error(transparent)]
    Workbook(#[from] sct_xlsx::WorkbookError),
    /// Responses that cannot be moderated together (different organisations or rounds, a
    /// rater twice, too few).
    #[error(transparent)]
    Moderation(#[from] sct_core::moderation::ModerationError),
    /// Two responses could not be compared (unrelated organisations, different scales).
    #[error(transparent)]
    Diff(#[from] sct_core::diff::DiffError),
    /// A plugin could not be found, checked or run.
    #[error(transparent)]
    Plugin(#[from] sct_plugin_host::HostError),
    /// A response could not be approved.
    #[error(transparent)]
    Approval(#[from] crate::approve::ApprovalError),
    /// A published file (A&E, RTT, ambulance, Fingertips, an organisation lookup) could not
    /// be read.
    #[error(transparent)]
    Publication(#[from] sct_publications::PublicationError),
    /// The options asked for something the workflow cannot do; `expected` says what would do.
    #[error("{message}")]
    Options {
        /// What is wrong.
        message: String,
        /// What was expected instead.
        expected: String,
        /// The options that would change it, for the front end to name.
        settings: Vec<sct_core::setting::Setting>,
    },
}

impl Error {
    /// An options error; `settings` are the options that would change it.
    pub fn options(
        message: impl Into<String>,
        expected: impl Into<String>,
        settings: impl IntoIterator<Item = sct_core::setting::Setting>,
    ) -> Error {
        Error::Options {
            message: message.into(),
            expected: expected.into(),
            settings: settings.into_iter().collect(),
        }
    }

    /// Whether the user's input or options are at fault (as opposed to the environment or a
    /// plugin failing).
    pub fn is_bad_input(&self) -> bool {
        use sct_report::render::ReportError as R;
        use sct_xlsx::WorkbookError as W;
        match self {
            Error::Core(e) => e.is_bad_input(),
            Error::Report(R::Template { .. }) => true,
            Error::Report(R::Io { source, .. }) => source.kind() == std::io::ErrorKind::NotFound,
            Error::Report(_) => false,
            // Drawing and packaging fail only when the environment does (fonts, memory).
            Error::Docx(_) => false,
            Error::Workbook(W::Unplaced(_) | W::TooLong { .. } | W::TooMuchText { .. }) => true,
            Error::Workbook(_) => false,
            Error::Plugin(e) => e.is_bad_input(),
            Error::Diff(_) => true,
            Error::Options { .. } => true,
            Error::Moderation(_) => true,
            Error::Approval(_) => true,
            Error::Publication(sct_publications::PublicationError::Io { source, .. }) => {
                source.kind() == std::io::ErrorKind::NotFound
            }
            Error::Publication(_) => true,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
