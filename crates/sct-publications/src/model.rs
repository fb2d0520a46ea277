//! The data every reader produces: observations of a measure for an organisation and period,
//! with the numerator and denominator where the publication gives them.

use std::fmt;

use serde::Serialize;

use crate::detect::Publication;

/// What kind of organisation a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgLevel {
    /// A provider: an NHS trust, an independent sector provider, a walk-in centre.
    Provider,
    /// A sub-ICB location (a former CCG area).
    SubIcb,
    /// An integrated care board.
    Icb,
    /// An NHS England region.
    Region,
    /// England as a whole (a publication's total row).
    National,
    /// A local authority (Fingertips).
    LocalAuthority,
    /// Any other area type a publication uses, as it names it.
    Other,
}

impl OrgLevel {
    /// The name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgLevel::Provider => "provider",
            OrgLevel::SubIcb => "sub-icb",
            OrgLevel::Icb => "icb",
            OrgLevel::Region => "region",
            OrgLevel::National => "national",
            OrgLevel::LocalAuthority => "local-authority",
            OrgLevel::Other => "other",
        }
    }
}

/// An organisation as a publication names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Organisation {
    /// Its code (ODS for NHS bodies; `ENGLAND` for the national total row).
    pub code: String,
    /// Its name as published, trimmed.
    pub name: String,
    /// What kind of organisation it is.
    pub level: OrgLevel,
    /// The code of the body it reports to, where the publication gives one (a provider's
    /// region in the A&E file, a provider's commissioner in RTT).
    pub parent: Option<String>,
}

/// The period an observation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Period {
    /// A calendar month.
    Month {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u32,
    },
    /// An NHS financial year, April to March, by the year it starts.
    FinancialYear {
        /// The year of its April.
        start: i32,
    },
    /// An NHS financial quarter (Q1 is April to June).
    Quarter {
        /// The year of the financial year's April.
        start: i32,
        /// The quarter, 1 to 4.
        quarter: u32,
    },
    /// A calendar year.
    CalendarYear {
        /// The year.
        year: i32,
    },
    /// Several years pooled, such as `2021 - 23`.
    Pooled {
        /// The first year.
        from: i32,
        /// The last year.
        to: i32,
        /// Whether the years are financial years (`2021/22 - 23/24`).
        financial: bool,
    },
}

impl fmt::Display for Period {
    /// The period as `sct`'s KPI files write it: `2025-09`, `2025/26`; calendar and pooled
    /// years, which those files do not have, as `2025` and `2021-2023`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::FinancialYear { start } => {
                write!(f, "{start:04}/{:02}", (start + 1).rem_euclid(100))
            }
            Period::Quarter { start, quarter } => {
                write!(
                    f,
                    "{start:04}/{:02} Q{quarter}",
                    (start + 1).rem_euclid(100)
                )
            }
            Period::CalendarYear { year } => write!(f, "{year:04}"),
            Period::Pooled { from, to, .. } => write!(f, "{from:04}-{to:04}"),
        }
    }
}

/// How a measure's observations combine across organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeasureKind {
    /// A count: summed.
    Count,
    /// A share, numerator over denominator, written as a percentage: numerators and
    /// denominators summed, then divided.
    Proportion,
    /// A mean, total over count: totals and counts summed, then divided.
    Mean,
    /// A figure that cannot be combined (a centile, a published rate): never aggregated.
    AsPublished,
}

/// Where an ICB's figure for a measure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IcbBasis {
    /// Summed from the providers an organisation lookup places in the ICB (A&E).
    SummedFromProviders,
    /// Published for the ICB itself: by commissioner (RTT) or area (Fingertips).
    Published,
    /// No ICB figure: ambulance trusts serve several ICBs, and the ODS file names only a
    /// trust's host ICB.
    None,
}

/// A measure a publication reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// A&E: share of attendances (all types) admitted, transferred or discharged within 4
    /// hours of arrival.
    AeFourHourAll,
    /// A&E: the same for type 1 (major emergency) departments.
    AeFourHourType1,
    /// A&E: attendances, all types.
    AeAttendances,
    /// A&E: patients waiting 12 hours or more from decision to admit to admission.
    AeTwelveHourDecisionToAdmit,
    /// Emergency admissions, via A&E and otherwise.
    EmergencyAdmissions,
    /// RTT: incomplete pathways (people waiting to start treatment).
    RttIncompletePathways,
    /// RTT: share of incomplete pathways (with a known clock start) waiting 18 weeks or less.
    RttWithin18Weeks,
    /// RTT: incomplete pathways waiting over 52 weeks.
    RttOver52Weeks,
    /// RTT: incomplete pathways waiting over 65 weeks.
    RttOver65Weeks,
    /// RTT: incomplete pathways waiting over 78 weeks.
    RttOver78Weeks,
    /// RTT: incomplete pathways waiting over 104 weeks.
    RttOver104Weeks,
    /// Ambulance: Category 1 mean response time, in seconds.
    AmbulanceCategory1Mean,
    /// Ambulance: Category 1 90th centile response time, in seconds.
    AmbulanceCategory1Centile90,
    /// Ambulance: Category 2 mean response time, in seconds.
    AmbulanceCategory2Mean,
    /// Ambulance: Category 2 90th centile response time, in seconds.
    AmbulanceCategory2Centile90,
    /// Cancer: the 28-day Faster Diagnosis Standard (told within 28 days of referral).
    CancerFasterDiagnosis28Day,
    /// Cancer: the 31-day combined standard (treated within 31 days of the decision to treat).
    Cancer31Day,
    /// Cancer: the 62-day combined standard (treated within 62 days of referral).
    Cancer62Day,
    /// A Fingertips indicator, as published. `series` tells apart the sex and age
    /// breakdowns of one indicator (0 for the first one in the file); the extract's
    /// `series` names each.
    Fingertips {
        /// The Fingertips indicator id.
        indicator: u32,
        /// Which breakdown (sex and age) of the indicator.
        series: u16,
    },
}

impl Measure {
    /// Every measure, in a stable order.
    pub const ALL: [Measure; 18] = [
        Measure::AeFourHourAll,
        Measure::AeFourHourType1,
        Measure::AeAttendances,
        Measure::AeTwelveHourDecisionToAdmit,
        Measure::EmergencyAdmissions,
        Measure::RttIncompletePathways,
        Measure::RttWithin18Weeks,
        Measure::RttOver52Weeks,
        Measure::RttOver65Weeks,
        Measure::RttOver78Weeks,
        Measure::RttOver104Weeks,
        Measure::AmbulanceCategory1Mean,
        Measure::AmbulanceCategory1Centile90,
        Measure::AmbulanceCategory2Mean,
        Measure::AmbulanceCategory2Centile90,
        Measure::CancerFasterDiagnosis28Day,
        Measure::Cancer31Day,
        Measure::Cancer62Day,
    ];

    /// The indicator id `sct` writes it under (the bundled KPI sets use these ids).
    pub fn id(self) -> String {
        if let Measure::Fingertips { indicator, series } = self {
            return match series {
                0 => format!("fingertips-{indicator}"),
                n => format!("fingertips-{indicator}-{n}"),
            };
        }
        self.static_id().to_string()
    }

    fn static_id(self) -> &'static str {
        match self {
            Measure::AeFourHourAll => "ae-4-hour",
            Measure::AeFourHourType1 => "ae-4-hour-type-1",
            Measure::AeAttendances => "ae-attendances",
            Measure::AeTwelveHourDecisionToAdmit => "ae-12-hour-dta",
            Measure::EmergencyAdmissions => "emergency-admissions",
            Measure::RttIncompletePathways => "rtt-incomplete-pathways",
            Measure::RttWithin18Weeks => "rtt-18-weeks",
            Measure::RttOver52Weeks => "rtt-over-52-weeks",
            Measure::RttOver65Weeks => "rtt-over-65-weeks",
            Measure::RttOver78Weeks => "rtt-over-78-weeks",
            Measure::RttOver104Weeks => "rtt-over-104-weeks",
            Measure::AmbulanceCategory1Mean => "ambulance-cat1-mean",
            Measure::AmbulanceCategory1Centile90 => "ambulance-cat1-90th",
            Measure::AmbulanceCategory2Mean => "ambulance-cat2-mean",
            Measure::AmbulanceCategory2Centile90 => "ambulance-cat2-90th",
            Measure::CancerFasterDiagnosis28Day => "fds-28-day",
            Measure::Cancer31Day => "cancer-31-day",
            Measure::Cancer62Day => "cancer-62-day",
            Measure::Fingertips { .. } => "fingertips",
        }
    }

    /// The measure's name in words.
    pub fn title(self) -> &'static str {
        match self {
            Measure::AeFourHourAll => "A&E: within 4 hours of arrival (all types)",
            Measure::AeFourHourType1 => "A&E: within 4 hours of arrival (type 1)",
            Measure::AeAttendances => "A&E attendances (all types)",
            Measure::AeTwelveHourDecisionToAdmit => {
                "A&E: waits of 12 hours or more from decision to admit"
            }
            Measure::EmergencyAdmissions => "Emergency admissions",
            Measure::RttIncompletePathways => "RTT: incomplete pathways",
            Measure::RttWithin18Weeks => "RTT: incomplete pathways within 18 weeks",
            Measure::RttOver52Weeks => "RTT: incomplete pathways over 52 weeks",
            Measure::RttOver65Weeks => "RTT: incomplete pathways over 65 weeks",
            Measure::RttOver78Weeks => "RTT: incomplete pathways over 78 weeks",
            Measure::RttOver104Weeks => "RTT: incomplete pathways over 104 weeks",
            Measure::AmbulanceCategory1Mean => "Ambulance: Category 1 mean response (seconds)",
            Measure::AmbulanceCategory1Centile90 => {
                "Ambulance: Category 1 90th centile response (seconds)"
            }
            Measure::AmbulanceCategory2Mean => "Ambulance: Category 2 mean response (seconds)",
            Measure::AmbulanceCategory2Centile90 => {
                "Ambulance: Category 2 90th centile response (seconds)"
            }
            Measure::CancerFasterDiagnosis28Day => "Cancer: Faster Diagnosis Standard (28 days)",
            Measure::Cancer31Day => "Cancer: 31-day combined standard",
            Measure::Cancer62Day => "Cancer: 62-day combined standard",
            Measure::Fingertips { .. } => "Fingertips indicator (named in the extract)",
        }
    }

    /// How its observations combine.
    pub fn kind(self) -> MeasureKind {
        match self {
            Measure::AeFourHourAll
            | Measure::AeFourHourType1
            | Measure::RttWithin18Weeks
            | Measure::CancerFasterDiagnosis28Day
            | Measure::Cancer31Day
            | Measure::Cancer62Day => MeasureKind::Proportion,
            Measure::AeAttendances
            | Measure::AeTwelveHourDecisionToAdmit
            | Measure::EmergencyAdmissions
            | Measure::RttIncompletePathways
            | Measure::RttOver52Weeks
            | Measure::RttOver65Weeks
            | Measure::RttOver78Weeks
            | Measure::RttOver104Weeks => MeasureKind::Count,
            Measure::AmbulanceCategory1Mean | Measure::AmbulanceCategory2Mean => MeasureKind::Mean,
            Measure::AmbulanceCategory1Centile90
            | Measure::AmbulanceCategory2Centile90
            | Measure::Fingertips { .. } => MeasureKind::AsPublished,
        }
    }

    /// Where an ICB's figure for this measure comes from.
    pub fn icb_basis(self) -> IcbBasis {
        match self {
            Measure::AeFourHourAll
            | Measure::AeFourHourType1
            | Measure::AeAttendances
            | Measure::AeTwelveHourDecisionToAdmit
            | Measure::EmergencyAdmissions
            | Measure::CancerFasterDiagnosis28Day
            | Measure::Cancer31Day
            | Measure::Cancer62Day => IcbBasis::SummedFromProviders,
            Measure::RttIncompletePathways
            | Measure::RttWithin18Weeks
            | Measure::RttOver52Weeks
            | Measure::RttOver65Weeks
            | Measure::RttOver78Weeks
            | Measure::RttOver104Weeks
            | Measure::Fingertips { .. } => IcbBasis::Published,
            Measure::AmbulanceCategory1Mean
            | Measure::AmbulanceCategory1Centile90
            | Measure::AmbulanceCategory2Mean
            | Measure::AmbulanceCategory2Centile90 => IcbBasis::None,
        }
    }
}

/// One published figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// Who it is about.
    pub organisation: Organisation,
    /// What it measures.
    pub measure: Measure,
    /// When.
    pub period: Period,
    /// The numerator (for a proportion or mean), or the count.
    pub numerator: Option<f64>,
    /// The denominator (for a proportion or mean).
    pub denominator: Option<f64>,
    /// The value: the count, the percentage (numerator over denominator times 100), the mean,
    /// or the figure as published. `None` where it cannot be computed (a denominator of 0).
    pub value: Option<f64>,
    /// The lower 95% confidence limit, where the publication gives one.
    pub lower: Option<f64>,
    /// The upper 95% confidence limit, where the publication gives one.
    pub upper: Option<f64>,
    /// The line of the file (or row of the sheet) it was read from, one-based.
    pub line: usize,
}

impl Observation {
    /// A count.
    pub fn count(
        organisation: Organisation,
        measure: Measure,
        period: Period,
        count: f64,
        line: usize,
    ) -> Observation {
        Observation {
            organisation,
            measure,
            period,
            numerator: Some(count),
            denominator: None,
            value: Some(count),
            lower: None,
            upper: None,
            line,
        }
    }

    /// A proportion as a percentage; its value is `None` when the denominator is 0.
    pub fn proportion(
        organisation: Organisation,
        measure: Measure,
        period: Period,
        (numerator, denominator): (f64, f64),
        line: usize,
    ) -> Observation {
        Observation {
            organisation,
            measure,
            period,
            numerator: Some(numerator),
            denominator: Some(denominator),
            value: (denominator > 0.0).then(|| 100.0 * numerator / denominator),
            lower: None,
            upper: None,
            line,
        }
    }
}

/// What one file held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extract {
    /// The file as named.
    pub file: String,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// The publication it was read as.
    pub publication: Publication,
    /// The periods it covers, in order.
    pub periods: Vec<Period>,
    /// Every observation, in file order.
    pub observations: Vec<Observation>,
    /// The name of each measure whose name the file gives (Fingertips indicators, with their
    /// sex and age), by measure.
    pub series: Vec<(Measure, String)>,
}

impl Extract {
    /// A measure's name: the file's own where it gives one, else the measure's.
    pub fn title_of(&self, measure: Measure) -> String {
        self.series
            .iter()
            .find(|(m, _)| *m == measure)
            .map_or_else(|| measure.title().to_string(), |(_, name)| name.clone())
    }
}
