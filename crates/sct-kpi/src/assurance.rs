//! Whether an assurance icon can be relied on. The icon compares the latest process limits
//! with the target (NHS England's Making Data Count); it is computed as the method says and
//! kept as it is. But limits that span a shift describe a process that is no longer there,
//! and a board told "consistently failing" of an indicator whose latest periods all meet the
//! target is told the opposite of what happened. [`reliability`] names those two cases, so
//! that a review and an integrated performance report say so beside the icon and count the
//! indicator as "assurance not reliable" rather than as passing or failing
//! (`docs/methods/spc.md`, "When the assurance icon is not reliable").

use serde::Serialize;

use crate::spc::{AssuranceIcon, Improvement};

/// How many of the latest periods are compared with the target the icon speaks of: three
/// (the "last three" an integrated performance report shows). Three points in a row on the
/// side of the target that limits wholly on the other side rule out are each outside those
/// limits, so they contradict the icon rather than being the odd point a process throws up.
pub const LATEST_PERIODS: usize = 3;

// [`Unreliable::describe`] says "3" in words: the two must not drift apart.
const _: () = assert!(LATEST_PERIODS == 3);

/// Why an assurance icon is not reliable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unreliable {
    /// The icon says the process consistently fails, and the latest
    /// [`LATEST_PERIODS`] periods all meet the target.
    LatestMeetTarget,
    /// The icon says the process consistently passes, and the latest
    /// [`LATEST_PERIODS`] periods all miss the target.
    LatestMissTarget,
    /// A candidate rebase exists: the limits span a shift in the process.
    LimitsSpanShift,
}

impl Unreliable {
    /// The reason in words, as a row and a chart say it.
    pub fn describe(self) -> &'static str {
        match self {
            Unreliable::LimitsSpanShift => "the limits span a shift; review the suggested rebase",
            Unreliable::LatestMeetTarget => "the latest 3 periods all meet the target",
            Unreliable::LatestMissTarget => "the latest 3 periods all miss the target",
        }
    }
}

/// Why an indicator's assurance icon is not reliable: every reason that holds, and the
/// sentence a reader is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssuranceNote {
    /// The reasons, in the order of [`Unreliable`].
    pub reasons: Vec<Unreliable>,
    /// "Assurance not reliable: …", the reasons in words.
    pub text: String,
}

impl AssuranceNote {
    fn of(reasons: Vec<Unreliable>) -> Option<AssuranceNote> {
        if reasons.is_empty() {
            return None;
        }
        let words: Vec<&str> = reasons.iter().map(|r| r.describe()).collect();
        Some(AssuranceNote {
            text: format!("Assurance not reliable: {}", words.join(", and ")),
            reasons,
        })
    }
}

/// What the rule looks at for one series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssuranceEvidence<'a> {
    /// The assurance icon as computed (`None`: no icon, nothing to judge).
    pub icon: Option<AssuranceIcon>,
    /// The target the icon compares the limits with.
    pub target: Option<f64>,
    /// Which direction is better.
    pub improvement: Improvement,
    /// The series' values, oldest first.
    pub values: &'a [f64],
    /// How many candidate rebases the series has (see [`crate::profile::suggest_rebases`]).
    pub suggested_rebases: usize,
}

/// The rule: an assurance icon is not reliable when the series has a candidate rebase (its
/// limits span a shift), or when it says "consistently failing" and the latest
/// [`LATEST_PERIODS`] values all meet the target, or "consistently passing" and they all miss
/// it. `None` when the icon stands (and always when there is no icon).
pub fn reliability(e: &AssuranceEvidence) -> Option<AssuranceNote> {
    let icon = e.icon?;
    let mut reasons = Vec::new();
    if let Some(t) = e.target
        && e.values.len() >= LATEST_PERIODS
    {
        let latest = &e.values[e.values.len() - LATEST_PERIODS..];
        let meets = |v: f64| match e.improvement {
            Improvement::Increase => Some(v >= t),
            Improvement::Decrease => Some(v <= t),
            Improvement::Neutral => None,
        };
        let all = |want: bool| latest.iter().all(|&v| meets(v) == Some(want));
        match icon {
            AssuranceIcon::Fail if all(true) => reasons.push(Unreliable::LatestMeetTarget),
            AssuranceIcon::Pass if all(false) => reasons.push(Unreliable::LatestMissTarget),
            _ => {}
        }
    }
    if e.suggested_rebases > 0 {
        reasons.push(Unreliable::LimitsSpanShift);
    }
    AssuranceNote::of(reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(icon: AssuranceIcon, values: &[f64], rebases: usize) -> AssuranceEvidence<'_> {
        AssuranceEvidence {
            icon: Some(icon),
            target: Some(10.0),
            improvement: Improvement::Increase,
            values,
            suggested_rebases: rebases,
        }
    }

    #[test]
    fn a_shift_makes_any_icon_unreliable() {
        // Mixed about the target: only the shift speaks against the icon.
        let values = [9.0, 11.0, 9.0, 11.0];
        for icon in [
            AssuranceIcon::Pass,
            AssuranceIcon::Fail,
            AssuranceIcon::Inconsistent,
        ] {
            let note = reliability(&evidence(icon, &values, 1)).expect("not reliable");
            assert_eq!(note.reasons, vec![Unreliable::LimitsSpanShift]);
            assert_eq!(
                note.text,
                "Assurance not reliable: the limits span a shift; review the suggested rebase"
            );
        }
    }

    #[test]
    fn latest_periods_that_contradict_the_icon_make_it_unreliable() {
        let meeting = [5.0, 6.0, 10.0, 11.0, 12.0];
        let note = reliability(&evidence(AssuranceIcon::Fail, &meeting, 0)).unwrap();
        assert_eq!(note.reasons, vec![Unreliable::LatestMeetTarget]);
        let missing = [15.0, 16.0, 9.0, 8.0, 9.5];
        let note = reliability(&evidence(AssuranceIcon::Pass, &missing, 0)).unwrap();
        assert_eq!(note.reasons, vec![Unreliable::LatestMissTarget]);
        // Lower is better: the same values meet a target of 10 the other way round.
        let lower = AssuranceEvidence {
            improvement: Improvement::Decrease,
            ..evidence(AssuranceIcon::Fail, &missing, 2)
        };
        let note = reliability(&lower).unwrap();
        assert_eq!(
            note.reasons,
            vec![Unreliable::LatestMeetTarget, Unreliable::LimitsSpanShift]
        );
        assert_eq!(
            note.text,
            "Assurance not reliable: the latest 3 periods all meet the target, and the limits span a shift; review the suggested rebase"
        );
    }

    #[test]
    fn otherwise_the_icon_stands() {
        // Two of the latest three meet: not a contradiction.
        let mixed = [5.0, 6.0, 11.0, 9.0, 12.0];
        assert_eq!(reliability(&evidence(AssuranceIcon::Fail, &mixed, 0)), None);
        // Failing and the latest all fail: the icon says what happened.
        let failing = [5.0, 6.0, 7.0, 6.0];
        assert_eq!(
            reliability(&evidence(AssuranceIcon::Fail, &failing, 0)),
            None
        );
        // Hit and miss is never contradicted by the latest periods.
        let meeting = [11.0, 12.0, 13.0];
        assert_eq!(
            reliability(&evidence(AssuranceIcon::Inconsistent, &meeting, 0)),
            None
        );
        // Too few points to judge the latest three, and no icon at all.
        assert_eq!(
            reliability(&evidence(AssuranceIcon::Fail, &[11.0, 12.0], 0)),
            None
        );
        let none = AssuranceEvidence {
            icon: None,
            ..evidence(AssuranceIcon::Fail, &meeting, 1)
        };
        assert_eq!(reliability(&none), None);
    }
}
