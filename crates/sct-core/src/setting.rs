//! The options of sct's workflows that a diagnostic can point to as the way out.
//!
//! Library messages describe the problem in words ("choose other date and value columns");
//! they never name a command-line flag, since a web form or a Python caller has none. A
//! diagnostic lists the [`Setting`]s that would change the outcome, and each front end names
//! them its own way: the command line as its flags, a form as its fields.

use serde::Serialize;

/// One option of a workflow, as a diagnostic refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// The column holding each row's date.
    DateColumn,
    /// The column holding each row's value.
    ValueColumn,
    /// The column holding each row's numerator.
    NumeratorColumn,
    /// The column holding each row's denominator.
    DenominatorColumn,
    /// Leave rows that cannot be read out of the series, as shown gaps.
    SkipInvalid,
    /// Treat values either side of a gap as consecutive.
    JoinGaps,
    /// Dates from which the limits are recalculated.
    Rebase,
    /// The number of points after which the limits are fixed.
    FixAfter,
    /// The run length that makes a shift.
    ShiftLength,
    /// The run length that makes a trend.
    TrendLength,
    /// The multiplier of a chart from numerators and denominators.
    Multiplier,
    /// The fewest points a segment needs for limits under the mdc profile.
    MinPoints,
    /// The chart kind.
    Chart,
    /// Which direction of a measure is better.
    Improvement,
    /// The rule profile.
    Profile,
    /// A second rule profile to compare with.
    CompareProfile,
    /// How the mdc profile settles two rules that disagree.
    Conflict,
    /// The kind of funnel (proportion or ratio).
    FunnelType,
    /// Widening a ratio funnel for over-dispersion.
    Overdispersion,
    /// The indicator chosen.
    Indicator,
    /// The organisation chosen.
    Organisation,
    /// Every organisation in the data.
    AllOrganisations,
    /// The KPI data file.
    KpiData,
    /// The KPI data a theory of change reads.
    TocKpiData,
    /// Data for plugin measures.
    PluginData,
    /// The date a review is as of.
    AsOf,
    /// The domain drawn.
    Domain,
    /// The output file.
    Output,
    /// The output format.
    Format,
    /// A directory of extra frameworks.
    FrameworkDir,
    /// A table of organisations.
    Organisations,
    /// A directory of individual self-assessments.
    Individuals,
    /// A directory of plugins.
    PluginDir,
    /// A parameter passed to a plugin.
    PluginParameter,
    /// The round (assessment period) chosen.
    Round,
    /// Who moderated a team's assessment.
    Moderator,
    /// The date the moderator's levels were agreed.
    ModeratedOn,
    /// An earlier response to show what changed since.
    Previous,
    /// The earlier response a template carries answers over from.
    CarryFrom,
    /// An organisation lookup that places providers in ICBs.
    Lookup,
    /// What is done with organisations no lookup knows.
    Unmapped,
}
