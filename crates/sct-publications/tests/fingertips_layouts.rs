//! The Fingertips reader on small exports of our own: the 27-column and the older 26-column
//! layout (rows one field short, a name with a line break inside quotes), the comparator
//! column's name varying, `n`-prefixed ICB codes, pooled and financial periods, deprivation
//! categories left out, suppressed values skipped; its errors; never a panic.

use proptest::prelude::*;
use sct_publications::{Measure, OrgLevel, Period, Publication, read_bytes};

const NEW: &str = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,Column not used,Time period Sortable,New data,Compared to goal,Time period range\r\n\
100,A made-up rate,,,E92000001,England,England,Persons,18+ yrs,,,2021 - 23,10.5,10.4,10.6,,,1050,10000,,,,,20210000,,,3y\r\n\
100,A made-up rate,E92000001,England,nE54000099,NHS Somewhere Integrated Care Board - QZZ,ICBs,Persons,18+ yrs,,,2021 - 23,12.0,11.0,13.0,,,120,1000,,,,,20210000,,,3y\r\n\
100,A made-up rate,E92000001,England,nE54000099,NHS Somewhere Integrated Care Board - QZZ,ICBs,Persons,18+ yrs,Deprivation,Most deprived,2021 - 23,15.0,,,,,,,,,,,20210000,,,3y\r\n\
100,A made-up rate,E92000001,England,E92000001,England,England,Persons,18+ yrs,,,2021 - 23,10.5,10.4,10.6,,,1050,10000,,,,,20210000,,,3y\r\n\
100,A made-up rate,E92000001,England,nE38000999,Somewhere ICB - 99Z ,ICB sub-locations,Persons,18+ yrs,,,2022/23,,,,,,,,Value suppressed,,,,20220000,,,1y\r\n";

const OLD: &str = "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,Compared to Region value or percentiles,Time period Sortable,New data,Compared to goal\r\n\
200,\"An old rate\n\",,,E92000001,England,Country,Persons,All ages,,,2015,7.5,7.0,8.0,,,75,1000,,,,,20150000,\r\n\
200,\"An old rate\n\",E12000009,South West region,E06000022,Bath and North East Somerset,County & UA,Persons,0-9 yrs,,,2015,4.0,3.0,5.0,,,8,2000,,,,,20150000,\r\n";

#[test]
fn the_current_layout_reads_icbs_pooled_periods_and_limits() {
    let e = read_bytes("ft.csv", NEW.as_bytes(), None).unwrap();
    assert_eq!(e.publication, Publication::Fingertips);
    assert_eq!(
        e.periods,
        [Period::Pooled {
            from: 2021,
            to: 2023,
            financial: false
        }]
    );
    assert_eq!(
        e.observations.len(),
        2,
        "one England, one ICB; category and suppressed rows left out"
    );
    let icb = &e.observations[1];
    assert_eq!(
        (icb.organisation.code.as_str(), icb.organisation.level),
        ("QZZ", OrgLevel::Icb)
    );
    assert_eq!(
        (
            icb.value,
            icb.lower,
            icb.upper,
            icb.numerator,
            icb.denominator
        ),
        (
            Some(12.0),
            Some(11.0),
            Some(13.0),
            Some(120.0),
            Some(1000.0)
        )
    );
    assert_eq!(
        icb.measure,
        Measure::Fingertips {
            indicator: 100,
            series: 0
        }
    );
    assert_eq!(e.title_of(icb.measure), "A made-up rate (Persons, 18+ yrs)");
    assert_eq!(icb.measure.id(), "fingertips-100");
}

#[test]
fn the_older_layout_reads_with_short_rows_and_a_line_break_in_a_name() {
    let e = read_bytes("old.csv", OLD.as_bytes(), None).unwrap();
    assert_eq!(e.periods, [Period::CalendarYear { year: 2015 }]);
    assert_eq!(e.observations[0].organisation.level, OrgLevel::National);
    let la = &e.observations[1];
    assert_eq!(la.organisation.level, OrgLevel::LocalAuthority);
    assert_eq!(
        la.line, 4,
        "the name's line break moves the second row to line 4"
    );
    assert_ne!(
        e.observations[0].measure, la.measure,
        "two ages, two series"
    );
    assert_eq!(la.measure.id(), "fingertips-200-1");
}

#[test]
fn a_bad_period_names_its_line_and_the_forms_known() {
    let text = NEW.replacen("2021 - 23", "21-23", 1);
    let err = read_bytes("ft.csv", text.as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("ft.csv:2: Time period is \"21-23\"; expected a Fingertips time period"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mangled_exports_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        old in any::<bool>(),
    ) {
        let mut bytes = if old { OLD } else { NEW }.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let _ = read_bytes("m.csv", &bytes, None);
        let _ = read_bytes("m.csv", &bytes, Some(Publication::Fingertips));
    }
}
