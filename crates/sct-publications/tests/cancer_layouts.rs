//! The cancer waiting times reader on rows of our own in the extract's layout: the Faster
//! Diagnosis Standard summed over its routes and cancer types; the 31- and 62-day standards
//! from one cut of their patients (by cancer type), never both cuts; halves kept; other
//! standards left out; a bad count named with its line; never a panic.

use proptest::prelude::*;
use sct_publications::{Measure, Period, Publication, read_bytes};

const ROWS: &str = "PERIOD,YEAR,MONTH,STANDARD,ORG CODE,STAGE/ROUTE,TREATMENT MODALITY,CANCER TYPE,TOTAL TREATED,WITHIN STANDARD,BREACHES\n\
2025-04-01,2025/26,APR,28-day FDS,RXA,URGENT SUSPECTED CANCER,,Suspected breast cancer,100,80,20\n\
2025-04-01,2025/26,APR,28-day FDS,RXA,NATIONAL SCREENING PROGRAMME,,Suspected lung cancer,50,30,20\n\
2025-04-01,2025/26,APR,62-day Combined,RXA,Urgent Suspected Cancer,ALL MODALITIES,Breast,10,8,2\n\
2025-04-01,2025/26,APR,62-day Combined,RXA,Urgent Suspected Cancer,ALL MODALITIES,Lung,4.5,2.5,2\n\
2025-04-01,2025/26,APR,62-day Combined,RXA,Urgent Suspected Cancer,Surgery,ALL CANCERS,14.5,10.5,4\n\
2025-04-01,2025/26,APR,2WW,RXA,Urgent Suspected Cancer,,Breast,9,9,0\n\
2026-01-01,2025/26,JAN,31-day Combined,RXA,First Treatment,Surgery,ALL CANCERS,7,7,0\n";

fn find(e: &sct_publications::Extract, m: Measure) -> (Option<f64>, Option<f64>, Period) {
    let o = e.observations.iter().find(|o| o.measure == m).unwrap();
    (o.numerator, o.denominator, o.period)
}

#[test]
fn each_standard_is_within_over_total_from_one_cut_of_its_patients() {
    let e = read_bytes("cwt.csv", ROWS.as_bytes(), None).unwrap();
    assert_eq!(e.publication, Publication::CancerWaitingTimes);
    let april = Period::Month {
        year: 2025,
        month: 4,
    };
    assert_eq!(
        find(&e, Measure::CancerFasterDiagnosis28Day),
        (Some(110.0), Some(150.0), april)
    );
    // By cancer type, halves kept: (8 + 2.5) of (10 + 4.5); the modality cut is not added.
    assert_eq!(
        find(&e, Measure::Cancer62Day),
        (Some(10.5), Some(14.5), april)
    );
    // January of 2025/26 is January 2026; a file with only the modality cut uses it.
    assert_eq!(
        find(&e, Measure::Cancer31Day),
        (
            Some(7.0),
            Some(7.0),
            Period::Month {
                year: 2026,
                month: 1
            }
        )
    );
    assert_eq!(e.observations.len(), 3, "the 2WW standard is not read");
}

#[test]
fn a_bad_count_names_its_line() {
    let text = ROWS.replacen(",100,80,20", ",100,eighty,20", 1);
    let err = read_bytes("cwt.csv", text.as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "cwt.csv:2: WITHIN STANDARD is \"eighty\"; expected a number of patients (halves allowed)"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mangled_extracts_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = ROWS.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let _ = read_bytes("m.csv", &bytes, None);
        let _ = read_bytes("m.csv", &bytes, Some(Publication::CancerWaitingTimes));
    }
}
