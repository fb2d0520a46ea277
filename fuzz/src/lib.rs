//! What every fuzz target asserts besides "no panic": an error found in an input that has
//! lines carries a location (a line, or a line and column) so the user can find it.

use std::sync::OnceLock;

use sct_core::{Diagnostics, Error, Sct};

/// Panics (a fuzz finding) when an error diagnostic has no location although the input is
/// not empty. `what` names the loader, for the crash report.
pub fn assert_located(what: &str, input: &str, diags: &Diagnostics) {
    if input.trim().is_empty() {
        return;
    }
    for d in diags.iter().filter(|d| d.is_error()) {
        assert!(
            d.location.is_some(),
            "{what}: an error without a location: {}",
            d.message
        );
    }
}

/// [`assert_located`] for the diagnostics inside an [`Error`]; other errors (input and
/// output, sizes) carry the path, which is their location.
pub fn assert_error_located(what: &str, input: &str, error: &Error) {
    if let Error::Invalid(diags) = error {
        assert_located(what, input, diags);
    }
}

/// The bundled frameworks and organisations, loaded once per fuzzing process: the targets
/// that resolve responses against them would otherwise spend each execution reloading them.
pub fn bundled_sct() -> &'static Sct {
    static SCT: OnceLock<Sct> = OnceLock::new();
    SCT.get_or_init(|| Sct::bundled().expect("the bundled frameworks load"))
}
