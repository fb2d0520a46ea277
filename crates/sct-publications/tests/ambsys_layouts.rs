//! The AmbSYS reader on a small file of our own: columns found by code in any order, `.` as
//! missing, England, regions and trusts told apart; its errors; never a panic.

use proptest::prelude::*;
use sct_publications::{Measure, OrgLevel, Publication, read_bytes};

const FILE: &str = "Year,Month,Region,Org Code,Org Name,A0,A24,A25,A26,A8,A114,A30,A31,A32,A10\n\
2026,3,Eng,Eng,England,1,6000,600,1000,10,.,180000,1800,3600,100\n\
2026,3,South West,Y58,South West,1,3000,600,900,5,.,90000,1800,3500,50\n\
2026,3,Y58,RYF,SOUTH WESTERN AMBULANCE SERVICE NHS FOUNDATION TRUST,1,.,.,.,.,.,90000,1800,3500,50\n";

#[test]
fn codes_are_found_by_name_and_dots_are_missing() {
    let e = read_bytes("ambsys.csv", FILE.as_bytes(), None).unwrap();
    assert_eq!(e.publication, Publication::AmbSys);
    let find = |code: &str, m: Measure| {
        e.observations
            .iter()
            .find(|o| o.organisation.code == code && o.measure == m)
    };
    let england = find("ENGLAND", Measure::AmbulanceCategory2Mean).unwrap();
    assert_eq!(england.organisation.level, OrgLevel::National);
    assert_eq!(
        (england.numerator, england.denominator, england.value),
        (Some(180000.0), Some(100.0), Some(1800.0))
    );
    assert_eq!(
        find("Y58", Measure::AmbulanceCategory1Centile90)
            .unwrap()
            .value,
        Some(900.0)
    );
    assert_eq!(
        find("Y58", Measure::AmbulanceCategory1Mean)
            .unwrap()
            .organisation
            .level,
        OrgLevel::Region
    );
    let trust = find("RYF", Measure::AmbulanceCategory2Centile90).unwrap();
    assert_eq!(trust.organisation.level, OrgLevel::Provider);
    assert_eq!(trust.organisation.parent.as_deref(), Some("Y58"));
    assert!(
        find("RYF", Measure::AmbulanceCategory1Mean).is_none(),
        "a . is missing, not 0"
    );
}

#[test]
fn a_bad_cell_and_a_missing_code_are_named() {
    let err = read_bytes(
        "a.csv",
        FILE.replacen(",1800,3600,", ",30 min,3600,", 1).as_bytes(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.csv:2: A31 is \"30 min\"; expected a number of seconds or incidents, or . for missing"
    );
    let err = read_bytes(
        "a.csv",
        FILE.replacen("A32", "A32x", 1).as_bytes(),
        Some(Publication::AmbSys),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("missing the column \"A32\""),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mangled_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = FILE.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let _ = read_bytes("m.csv", &bytes, None);
        let _ = read_bytes("m.csv", &bytes, Some(Publication::AmbSys));
    }
}
