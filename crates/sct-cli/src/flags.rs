//! The command line's names for the options a library diagnostic points to
//! ([`sct_core::setting::Setting`]): a diagnostic is printed with its flags added to its hint,
//! so the library's words stay free of flags and the user still sees which one to use.

use sct_core::Diagnostic;
use sct_core::setting::Setting;

/// The flag that sets `setting`.
pub fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::DateColumn => "--date-col",
        Setting::ValueColumn => "--value-col",
        Setting::NumeratorColumn => "--numerator-col",
        Setting::DenominatorColumn => "--denominator-col",
        Setting::SkipInvalid => "--skip-invalid",
        Setting::JoinGaps => "--join-gaps",
        Setting::Rebase => "--rebase",
        Setting::FixAfter => "--fix-after",
        Setting::ShiftLength => "--shift-length",
        Setting::TrendLength => "--trend-length",
        Setting::Multiplier => "--multiplier",
        Setting::MinPoints => "--min-points",
        Setting::Chart => "--chart",
        Setting::Improvement => "--improvement",
        Setting::Profile => "--profile",
        Setting::CompareProfile => "--compare-profile",
        Setting::Conflict => "--conflict",
        Setting::FunnelType => "--type",
        Setting::Overdispersion => "--overdispersion",
        Setting::Indicator => "--indicator",
        Setting::Organisation => "--org",
        Setting::AllOrganisations => "--orgs all",
        Setting::KpiData => "--data",
        Setting::TocKpiData => "--kpi-data",
        Setting::PluginData => "--plugin-data",
        Setting::AsOf => "--as-of",
        Setting::Domain => "--domain",
        Setting::Output => "-o",
        Setting::Format => "--format",
        Setting::FrameworkDir => "--framework-dir",
        Setting::Organisations => "--organisations",
        Setting::Individuals => "--individuals",
        Setting::PluginDir => "--plugin-dir",
        Setting::PluginParameter => "--param",
        Setting::Round => "--round",
        Setting::Moderator => "--moderator",
        Setting::ModeratedOn => "--on",
        Setting::Previous => "--previous",
        Setting::CarryFrom => "--from",
        Setting::Lookup => "--lookup",
        Setting::Unmapped => "--unmapped",
    }
}

/// `d` as printed on the command line: its hint ends with the flags of its settings.
pub fn shown(d: &Diagnostic) -> String {
    if d.settings.is_empty() {
        return d.to_string();
    }
    let flags: Vec<&str> = d.settings.iter().map(|&s| flag(s)).collect();
    let flags = flags.join(", ");
    let mut d = d.clone();
    d.hint = Some(match d.hint.take() {
        Some(hint) => format!("{hint} ({flags})"),
        None => format!("see {flags}"),
    });
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_ends_with_the_flags_of_its_settings() {
        let d = Diagnostic::error("the header has no `date` and `value` columns")
            .hint("choose the date and value columns")
            .settings([Setting::DateColumn, Setting::ValueColumn]);
        let text = shown(&d);
        assert!(
            text.contains("= hint: choose the date and value columns (--date-col, --value-col)"),
            "{text}"
        );
    }

    #[test]
    fn settings_without_a_hint_become_one() {
        let d = Diagnostic::error("no KPI data given").settings([Setting::KpiData]);
        assert!(shown(&d).contains("= hint: see --data"), "{}", shown(&d));
    }

    #[test]
    fn a_diagnostic_without_settings_is_printed_as_it_is() {
        let d = Diagnostic::error("x").hint("y");
        assert_eq!(shown(&d), d.to_string());
    }
}
