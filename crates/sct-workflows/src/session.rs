//! What every workflow works against: the frameworks (bundled and the user's) and the
//! organisations, loaded once, with the workbook reader registered so that every workflow
//! reading a response accepts a filled `.xlsx`.

use std::path::PathBuf;

use sct_core::Sct;

use crate::error::Result;

/// Where the frameworks and organisations come from.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// Folders (or files) of frameworks added to the bundled ones, in order; a later one
    /// replaces a framework of the same id and version.
    pub framework_dirs: Vec<PathBuf>,
    /// An organisations table to use instead of the bundled ICB table.
    pub organisations: Option<PathBuf>,
    /// A successions table to go with `organisations`.
    pub successions: Option<PathBuf>,
    /// Folders of plugins added, after the default places, for workflows that use plugins.
    pub plugin_dirs: Vec<PathBuf>,
}

/// Loaded frameworks and organisations.
#[derive(Debug)]
pub struct Session {
    /// The frameworks, organisations and response readers.
    pub sct: Sct,
    /// The options the session was loaded with (plugin folders are searched when a workflow
    /// needs them).
    pub options: SessionOptions,
}

impl Session {
    /// Loads the frameworks and organisations `options` name.
    pub fn load(options: SessionOptions) -> Result<Session> {
        let orgs = options
            .organisations
            .as_deref()
            .map(|o| (o, options.successions.as_deref()));
        // Whatever a front end writes through this session, an approved response stays as
        // the board approved it.
        crate::approve::keep_approved_responses();
        let sct = sct_xlsx::install(Sct::with(&options.framework_dirs, orgs)?);
        Ok(Session { sct, options })
    }

    /// The bundled frameworks and organisations alone.
    pub fn bundled() -> Result<Session> {
        Session::load(SessionOptions::default())
    }
}
