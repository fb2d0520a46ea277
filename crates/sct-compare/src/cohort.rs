//! One round of a cohort: the heatmap of organisations × domains and × capabilities (level
//! names in the cells), the distribution across organisations per capability and domain
//! (counts at each level, median and quartiles, coverage), each organisation's position
//! against its peers as a quarter of the cohort (never a rank; equal levels share a
//! position), and the programme's summary sentences.
//!
//! Fairness rules: positions are judged on level ranks (the answers' resolution), never on
//! fractional scores; n/a and unanswered answers are counted and shown, never imputed; a
//! comparison is flagged unsafe where coverage is low or differs much from the cohort's.

use serde::Serialize;

use sct_core::model::CapabilityToolkit;

use crate::attributes::OrgAttributes;
use crate::load::{Cell, OrgResponse};

/// Coverage below this makes an organisation's (or a capability's) comparison unsafe.
pub const SAFE_COVERAGE: f64 = 0.75;
/// An organisation whose coverage differs from the cohort's median by more than this is
/// flagged: its domain levels rest on different capabilities from its peers'.
pub const COVERAGE_SPREAD: f64 = 0.25;

/// The toolkit's structure: levels, domains and capabilities in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frame {
    /// `id@version`.
    pub toolkit: String,
    /// Level names, lowest first.
    pub levels: Vec<String>,
    /// Domains in order.
    pub domains: Vec<FrameDomain>,
}

/// A domain of the frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameDomain {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Capabilities (id, title) in order.
    pub capabilities: Vec<(String, String)>,
}

impl Frame {
    /// The frame of a toolkit.
    pub fn of(toolkit: &CapabilityToolkit) -> Frame {
        Frame {
            toolkit: format!("{}@{}", toolkit.id.get_ref(), toolkit.version.get_ref()),
            levels: toolkit.levels.iter().map(|l| l.name.clone()).collect(),
            domains: toolkit
                .domains
                .iter()
                .map(|d| FrameDomain {
                    id: d.id.get_ref().clone(),
                    title: d.title.clone(),
                    capabilities: d
                        .capabilities
                        .iter()
                        .map(|c| (c.id.get_ref().clone(), c.title.clone()))
                        .collect(),
                })
                .collect(),
        }
    }

    /// Every capability (domain index, id, title) in order.
    pub fn capabilities(&self) -> impl Iterator<Item = (usize, &str, &str)> {
        self.domains.iter().enumerate().flat_map(|(i, d)| {
            d.capabilities
                .iter()
                .map(move |(id, t)| (i, id.as_str(), t.as_str()))
        })
    }

    /// The name of a level rank.
    pub fn level_name(&self, rank: u8) -> String {
        self.levels
            .get(usize::from(rank).wrapping_sub(1))
            .cloned()
            .unwrap_or_else(|| format!("level {rank}"))
    }
}

/// Quartiles of sorted values by linear interpolation between order statistics (R's type 7,
/// Excel's QUARTILE.INC): (lower quartile, median, upper quartile).
pub fn quartiles(sorted: &[f64]) -> Option<(f64, f64, f64)> {
    if sorted.is_empty() {
        return None;
    }
    let q = |p: f64| {
        let h = (sorted.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
    };
    Some((q(0.25), q(0.5), q(0.75)))
}

/// Quartiles method in words.
pub const QUARTILE_METHOD: &str = "Medians and quartiles of level ranks (Starting out = 1 … Mastering = 5) by linear interpolation between the ordered values (R type 7, Excel QUARTILE.INC).";

/// Where an organisation stands against its peers on one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// A level above the cohort's upper quartile.
    TopQuarter,
    /// Between the quartiles (inclusive): the middle half.
    MiddleHalf,
    /// A level below the cohort's lower quartile.
    BottomQuarter,
}

impl Position {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Position::TopQuarter => "top quarter",
            Position::MiddleHalf => "middle half",
            Position::BottomQuarter => "bottom quarter",
        }
    }

    /// Judged on whole levels: strictly above the upper quartile or below the lower one.
    /// Equal levels always share a position.
    pub fn of(rank: u8, q1: f64, q3: f64) -> Position {
        let r = f64::from(rank);
        if r > q3 {
            Position::TopQuarter
        } else if r < q1 {
            Position::BottomQuarter
        } else {
            Position::MiddleHalf
        }
    }
}

/// The distribution of one measure (a capability's level, or a domain's level) across the
/// organisations of a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Organisations at each level, lowest first.
    pub counts: Vec<usize>,
    /// Answered n/a.
    pub not_applicable: usize,
    /// Not answered.
    pub unanswered: usize,
    /// Answered with a level.
    pub answered: usize,
    /// answered / (organisations − n/a).
    pub coverage: Option<f64>,
    /// Median level rank.
    pub median: Option<f64>,
    /// Lower quartile.
    pub q1: Option<f64>,
    /// Upper quartile.
    pub q3: Option<f64>,
    /// The median in words (a level name, or "between A and B").
    pub median_words: String,
    /// Why comparing on it is unsafe, if it is.
    pub unsafe_note: Option<String>,
}

impl Distribution {
    /// The distribution of `cells` over `levels` levels.
    pub fn of(cells: &[Cell], frame: &Frame) -> Distribution {
        let mut counts = vec![0usize; frame.levels.len()];
        let (mut na, mut missing) = (0, 0);
        let mut ranks = Vec::with_capacity(cells.len());
        for c in cells {
            match c {
                Cell::Level(r) => {
                    if let Some(n) = counts.get_mut(usize::from(*r).wrapping_sub(1)) {
                        *n += 1;
                    }
                    ranks.push(f64::from(*r));
                }
                Cell::NotApplicable => na += 1,
                Cell::Unanswered => missing += 1,
            }
        }
        ranks.sort_by(f64::total_cmp);
        let q = quartiles(&ranks);
        let applicable = cells.len() - na;
        let coverage = (applicable > 0).then(|| ranks.len() as f64 / applicable as f64);
        let median_words = match q {
            None => "no answers".to_string(),
            Some((_, m, _)) if m.fract() == 0.0 => frame.level_name(m as u8),
            Some((_, m, _)) => format!(
                "between {} and {}",
                frame.level_name(m.floor() as u8),
                frame.level_name(m.ceil() as u8)
            ),
        };
        let unsafe_note = match coverage {
            Some(c) if c < SAFE_COVERAGE => Some(format!(
                "only {} of {applicable} organisations answered ({:.0} %): comparing on it is unsafe",
                ranks.len(),
                c * 100.0
            )),
            None => Some("no organisation answered".to_string()),
            _ => None,
        };
        Distribution {
            counts,
            not_applicable: na,
            unanswered: missing,
            answered: ranks.len(),
            coverage,
            median: q.map(|q| q.1),
            q1: q.map(|q| q.0),
            q3: q.map(|q| q.2),
            median_words,
            unsafe_note,
        }
    }

    /// The position of a level against this distribution.
    pub fn position(&self, rank: u8) -> Option<Position> {
        Some(Position::of(rank, self.q1?, self.q3?))
    }
}

/// One cell of the heatmap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatCell {
    /// The level rank, when answered.
    pub rank: Option<u8>,
    /// What the cell says: a level name, `n/a`, `not answered` or `no score`.
    pub text: String,
    /// The domain score behind a domain cell (two decimals in reports).
    pub score: Option<f64>,
    /// Position against the cohort.
    pub position: Option<Position>,
}

/// One organisation's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgRow {
    /// ODS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its group (region, cluster or another field), when grouping.
    pub group: Option<String>,
    /// Coverage of the whole toolkit.
    pub coverage: Option<f64>,
    /// Why comparing it is unsafe, if it is.
    pub unsafe_note: Option<String>,
    /// Per domain, in frame order.
    pub domains: Vec<HeatCell>,
    /// Per capability, in frame order.
    pub capabilities: Vec<HeatCell>,
    /// Domains in the top, middle and bottom quarters: counts.
    pub quarters: [usize; 3],
    /// The response file.
    pub file: String,
}

/// One capability across the cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its domain's id.
    pub domain: String,
    /// The distribution.
    pub distribution: Distribution,
}

/// One domain across the cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Distribution of the organisations' domain levels.
    pub distribution: Distribution,
    /// Its sentence for the programme, e.g. "14 of 42 organisations at 'Starting out' in
    /// Evaluating impact".
    pub summary: String,
}

/// A round of the cohort, compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortView {
    /// The round.
    pub round: String,
    /// Organisations, ordered by group then code.
    pub organisations: Vec<OrgRow>,
    /// Domains.
    pub domains: Vec<DomainView>,
    /// Capabilities, in frame order.
    pub capabilities: Vec<CapabilityView>,
    /// The cohort's median coverage.
    pub median_coverage: Option<f64>,
}

fn cell_text(cell: Cell, frame: &Frame) -> String {
    match cell {
        Cell::Level(r) => frame.level_name(r),
        Cell::NotApplicable => "n/a".into(),
        Cell::Unanswered => "not answered".into(),
    }
}

/// Compares the organisations of one round. `group_of` gives each organisation's group
/// when grouping.
pub fn cohort_view(
    round: &str,
    orgs: &[&OrgResponse],
    frame: &Frame,
    group_by: Option<&str>,
    attributes: &OrgAttributes,
) -> CohortView {
    let group_of = |o: &OrgResponse| {
        group_by.map(|g| attributes.get(&o.code, g).unwrap_or("(none)").to_string())
    };
    let mut orgs: Vec<&OrgResponse> = orgs.to_vec();
    orgs.sort_by(|a, b| group_of(a).cmp(&group_of(b)).then(a.code.cmp(&b.code)));

    let cap_cells = |id: &str| -> Vec<Cell> {
        orgs.iter()
            .map(|o| o.answers.get(id).copied().unwrap_or(Cell::Unanswered))
            .collect()
    };
    let capabilities: Vec<CapabilityView> = frame
        .capabilities()
        .map(|(d, id, title)| CapabilityView {
            id: id.to_string(),
            title: title.to_string(),
            domain: frame.domains[d].id.clone(),
            distribution: Distribution::of(&cap_cells(id), frame),
        })
        .collect();
    let domain_cells = |id: &str| -> Vec<Cell> {
        orgs.iter()
            .map(|o| match o.domain_levels.get(id).copied().flatten() {
                Some(r) => Cell::Level(r),
                None => Cell::Unanswered,
            })
            .collect()
    };
    let n = orgs.len();
    let domains: Vec<DomainView> = frame
        .domains
        .iter()
        .map(|d| {
            let distribution = Distribution::of(&domain_cells(&d.id), frame);
            let summary = domain_sentence(&d.title, &distribution, frame, n);
            DomainView {
                id: d.id.clone(),
                title: d.title.clone(),
                distribution,
                summary,
            }
        })
        .collect();
    let mut coverages: Vec<f64> = orgs.iter().filter_map(|o| o.coverage).collect();
    coverages.sort_by(f64::total_cmp);
    let median_coverage = quartiles(&coverages).map(|q| q.1);
    let rows = orgs
        .iter()
        .map(|o| {
            org_row(
                o,
                frame,
                (&domains, &capabilities),
                median_coverage,
                group_of(o),
            )
        })
        .collect();
    CohortView {
        round: round.to_string(),
        organisations: rows,
        domains,
        capabilities,
        median_coverage,
    }
}

/// One organisation's row of the heatmaps: its level and position in each domain and
/// capability, how many domains fall in each quarter, and whether it is safe to compare.
fn org_row(
    o: &OrgResponse,
    frame: &Frame,
    (domains, capabilities): (&[DomainView], &[CapabilityView]),
    median_coverage: Option<f64>,
    group: Option<String>,
) -> OrgRow {
    let domain_cells: Vec<HeatCell> = frame
        .domains
        .iter()
        .zip(domains)
        .map(|(d, view)| {
            let rank = o.domain_levels.get(&d.id).copied().flatten();
            HeatCell {
                rank,
                text: rank.map_or("no score".to_string(), |r| frame.level_name(r)),
                score: o.domain_scores.get(&d.id).copied().flatten(),
                position: rank.and_then(|r| view.distribution.position(r)),
            }
        })
        .collect();
    let cap_cells = frame
        .capabilities()
        .zip(capabilities)
        .map(|((_, id, _), view)| {
            let cell = o.answers.get(id).copied().unwrap_or(Cell::Unanswered);
            HeatCell {
                rank: cell.rank(),
                text: cell_text(cell, frame),
                score: None,
                position: cell.rank().and_then(|r| view.distribution.position(r)),
            }
        })
        .collect();
    let mut quarters = [0; 3];
    for c in &domain_cells {
        match c.position {
            Some(Position::TopQuarter) => quarters[0] += 1,
            Some(Position::MiddleHalf) => quarters[1] += 1,
            Some(Position::BottomQuarter) => quarters[2] += 1,
            None => {}
        }
    }
    OrgRow {
        code: o.code.clone(),
        name: o.name.clone(),
        group,
        coverage: o.coverage,
        unsafe_note: unsafe_note(o.coverage, median_coverage),
        domains: domain_cells,
        capabilities: cap_cells,
        quarters,
        file: o.file.clone(),
    }
}

/// Why an organisation's coverage makes it unsafe to compare, if it does.
fn unsafe_note(coverage: Option<f64>, median_coverage: Option<f64>) -> Option<String> {
    match (coverage, median_coverage) {
        (None, _) => Some("no capability answered".to_string()),
        (Some(c), _) if c < SAFE_COVERAGE => Some(format!(
            "answered {:.0} % of applicable capabilities: its levels rest on too few answers to compare safely",
            c * 100.0
        )),
        (Some(c), Some(m)) if (c - m).abs() > COVERAGE_SPREAD => Some(format!(
            "coverage {:.0} % against the cohort's median {:.0} %: it is compared on different capabilities from its peers",
            c * 100.0,
            m * 100.0
        )),
        _ => None,
    }
}

/// The programme's sentence for a domain: how many organisations are at its lowest level
/// reached, and the most common level.
fn domain_sentence(title: &str, d: &Distribution, frame: &Frame, n: usize) -> String {
    let Some(lowest) = d.counts.iter().position(|&c| c > 0) else {
        return format!("No organisation has a level in {title}.");
    };
    let modal = d
        .counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i);
    let name = |i: usize| frame.level_name((i + 1) as u8);
    let mut s = format!(
        "{} of {n} organisations at ‘{}’ in {title}",
        d.counts[lowest],
        name(lowest)
    );
    if modal != lowest {
        s.push_str(&format!(
            "; the most common level is ‘{}’ ({})",
            name(modal),
            d.counts[modal]
        ));
    }
    if d.unanswered > 0 {
        s.push_str(&format!("; {} without a score", d.unanswered));
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn quartiles_hand_worked() {
        // 1,2,3,4: h = 0.75 → 1.75; median 2.5; h = 2.25 → 3.25.
        let (q1, m, q3) = quartiles(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_relative_eq!(q1, 1.75);
        assert_relative_eq!(m, 2.5);
        assert_relative_eq!(q3, 3.25);
        // 1,1,2,3,5: h = 1 → 1; median 2; h = 3 → 3.
        assert_eq!(quartiles(&[1.0, 1.0, 2.0, 3.0, 5.0]), Some((1.0, 2.0, 3.0)));
        assert_eq!(quartiles(&[4.0]), Some((4.0, 4.0, 4.0)));
        assert_eq!(quartiles(&[]), None);
    }

    fn frame() -> Frame {
        Frame {
            toolkit: "t@1".into(),
            levels: [
                "Starting out",
                "Developing",
                "Embedding",
                "Advancing",
                "Mastering",
            ]
            .map(String::from)
            .to_vec(),
            domains: vec![],
        }
    }

    #[test]
    fn distribution_counts_na_and_missing_without_imputing() {
        let cells = [
            Cell::Level(1),
            Cell::Level(1),
            Cell::Level(2),
            Cell::Level(4),
            Cell::NotApplicable,
            Cell::Unanswered,
        ];
        let d = Distribution::of(&cells, &frame());
        assert_eq!(d.counts, vec![2, 1, 0, 1, 0]);
        assert_eq!((d.not_applicable, d.unanswered, d.answered), (1, 1, 4));
        assert_relative_eq!(d.coverage.unwrap(), 0.8);
        assert_relative_eq!(d.median.unwrap(), 1.5);
        assert_eq!(d.median_words, "between Starting out and Developing");
        // q1 = 1, q3 = 2.5: level 4 top quarter, level 1 at the quartile is in the middle half
        // with every other organisation at level 1 (ties as ties).
        assert_eq!(d.position(4), Some(Position::TopQuarter));
        assert_eq!(d.position(1), Some(Position::MiddleHalf));
        assert_eq!(d.position(2), Some(Position::MiddleHalf));
    }

    #[test]
    fn low_coverage_is_flagged_unsafe() {
        let cells = [Cell::Level(3), Cell::Unanswered, Cell::Unanswered];
        let d = Distribution::of(&cells, &frame());
        assert!(d.unsafe_note.unwrap().contains("only 1 of 3"));
    }
}
