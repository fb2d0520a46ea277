//! The A&E reader on small files of our own in each layout variant the real files show
//! (line endings, junk trailing columns, the total row's spellings, trailing spaces, quoted
//! names, the pre-2021 wording), and its errors on renamed columns, bad cells and unknown
//! layouts. Never a panic on a mangled file.

use proptest::prelude::*;
use sct_publications::{Measure, OrgLevel, Period, PublicationError, read_bytes};

const CURRENT_HEADER: &str = "Period,Org Code,Parent Org,Org name,A&E attendances Type 1,A&E attendances Type 2,A&E attendances Other A&E Department,A&E attendances Booked Appointments Type 1,A&E attendances Booked Appointments Type 2,A&E attendances Booked Appointments Other Department,Attendances over 4hrs Type 1,Attendances over 4hrs Type 2,Attendances over 4hrs Other Department,Attendances over 4hrs Booked Appointments Type 1,Attendances over 4hrs Booked Appointments Type 2,Attendances over 4hrs Booked Appointments Other Department,Patients who have waited 4-12 hs from DTA to admission,Patients who have waited 12+ hrs from DTA to admission,Emergency admissions via A&E - Type 1,Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,Other emergency admissions";

/// Two made-up providers and their total, in the current wording.
fn current(eol: &str, total: &str, junk: bool) -> String {
    let junk_header = if junk { ",,,,,,a" } else { "" };
    let junk_cells = if junk { ",,,,,," } else { "" };
    let rows = [
        format!("{CURRENT_HEADER}{junk_header}"),
        format!(
            "MSitAE-MARCH-2026,RXA,NHS ENGLAND MIDLANDS ,\"TRUST A, WITH A COMMA NHS TRUST\",1000,0,500,10,0,20,300,0,50,1,0,2,40,12,250,0,0,100{junk_cells}"
        ),
        format!(
            "MSitAE-MARCH-2026,RXB,NHS ENGLAND LONDON,TRUST B NHS FOUNDATION TRUST ,2000,100,0,0,0,0,700,10,0,0,0,0,90,30,600,20,0,300{junk_cells}"
        ),
        format!("{total}3000,100,500,10,0,20,1000,10,50,1,0,2,130,42,850,20,0,400{junk_cells}"),
    ];
    let mut text = rows.join(eol);
    text.push_str(eol);
    text
}

fn read(text: &str) -> Result<sct_publications::Extract, PublicationError> {
    read_bytes("fixture.csv", text.as_bytes(), None)
}

fn value(extract: &sct_publications::Extract, code: &str, measure: Measure) -> (f64, Option<f64>) {
    let o = extract
        .observations
        .iter()
        .find(|o| o.organisation.code == code && o.measure == measure)
        .unwrap_or_else(|| panic!("{code} {measure:?}"));
    (o.numerator.unwrap(), o.denominator)
}

#[test]
fn every_variant_of_the_current_wording_reads_the_same() {
    let variants = [
        current("\n", "MSitAE-MARCH-2026,TOTAL,TOTAL,TOTAL,", false),
        current("\r\n", "Total,Total ,Total,Total,", true),
        current("\n", "MSitAE-MARCH-2026,Total,Total,Total,", false),
    ];
    for text in &variants {
        let e = read(text).unwrap();
        assert_eq!(
            e.periods,
            [Period::Month {
                year: 2026,
                month: 3
            }]
        );
        // All types, booked appointments included: 1000+500+10+20 attendances, 300+50+1+2 over.
        assert_eq!(
            value(&e, "RXA", Measure::AeFourHourAll),
            (1530.0 - 353.0, Some(1530.0))
        );
        assert_eq!(
            value(&e, "RXA", Measure::AeFourHourType1),
            (1010.0 - 301.0, Some(1010.0))
        );
        assert_eq!(
            value(&e, "RXA", Measure::AeTwelveHourDecisionToAdmit),
            (12.0, None)
        );
        assert_eq!(
            value(&e, "RXA", Measure::EmergencyAdmissions),
            (350.0, None)
        );
        assert_eq!(value(&e, "ENGLAND", Measure::AeAttendances), (3630.0, None));
        let a = e
            .observations
            .iter()
            .find(|o| o.organisation.code == "RXA")
            .unwrap();
        assert_eq!(a.organisation.name, "TRUST A, WITH A COMMA NHS TRUST");
        assert_eq!(
            a.organisation.parent.as_deref(),
            Some("NHS ENGLAND MIDLANDS")
        );
        assert_eq!(a.line, 2);
        let b = e
            .observations
            .iter()
            .find(|o| o.organisation.code == "RXB")
            .unwrap();
        assert_eq!(b.organisation.name, "TRUST B NHS FOUNDATION TRUST");
        let national = e
            .observations
            .iter()
            .filter(|o| o.organisation.level == OrgLevel::National);
        assert_eq!(national.count(), 5);
    }
}

#[test]
fn the_older_wording_reads_without_booked_appointments() {
    let text = "Period,Org Code,Parent Org,Org name,Number of A&E attendances Type 1,Number of A&E attendances Type 2,Number of A&E attendances Other A&E Department,Number of attendances over 4hrs Type 1,Number of attendances over 4hrs Type 2,Number of attendances over 4hrs Other A&E Department,Number of patients spending >4 hours from decision to admit to admission,Number of patients spending >12 hours from decision to admit to admission,Emergency admissions via A&E - Type 1,Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,Other emergency admissions\nMSitAE-DECEMBER-2018,RXA,NHS ENGLAND NORTH,TRUST A,1000,50,200,100,10,30,20,3,300,5,0,90\n";
    let e = read(text).unwrap();
    assert_eq!(
        e.periods,
        [Period::Month {
            year: 2018,
            month: 12
        }]
    );
    assert_eq!(
        value(&e, "RXA", Measure::AeFourHourAll),
        (1250.0 - 140.0, Some(1250.0))
    );
    assert_eq!(
        value(&e, "RXA", Measure::AeTwelveHourDecisionToAdmit),
        (3.0, None)
    );
    assert_eq!(
        value(&e, "RXA", Measure::EmergencyAdmissions),
        (395.0, None)
    );
}

#[test]
fn a_renamed_column_names_the_file_the_header_expected_and_the_nearest() {
    let text = current("\n", "MSitAE-MARCH-2026,TOTAL,TOTAL,TOTAL,", false).replacen(
        "Attendances over 4hrs Type 1",
        "Attendances over 4 hours T1",
        1,
    );
    let err = read(&text).unwrap_err().to_string();
    assert!(
        err.starts_with("fixture.csv is missing the column \"Attendances over 4hrs Type 1\""),
        "{err}"
    );
    assert!(
        err.contains("the nearest header is \"Attendances over 4 hours T1\""),
        "{err}"
    );
}

#[test]
fn a_bad_cell_names_its_line_column_and_what_was_expected() {
    let text = current("\n", "MSitAE-MARCH-2026,TOTAL,TOTAL,TOTAL,", false).replacen(
        ",1000,0,500,",
        ",1000,0,5OO,",
        1,
    );
    let err = read(&text).unwrap_err().to_string();
    assert_eq!(
        err,
        "fixture.csv:2: A&E attendances Other A&E Department is \"5OO\"; expected a whole number of patients, or blank"
    );
    let text = current("\n", "MSitAE-MARCH-2026,TOTAL,TOTAL,TOTAL,", false).replacen(
        "MSitAE-MARCH-2026,RXB",
        "March,RXB",
        1,
    );
    let err = read(&text).unwrap_err().to_string();
    assert!(
        err.starts_with("fixture.csv:3: Period is \"March\""),
        "{err}"
    );
}

#[test]
fn an_unknown_layout_lists_the_publications_known() {
    let err = read("organisation,indicator,period,value\nQUY,x,2025-01,3\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not a publication sct knows"), "{err}");
    assert!(
        err.contains("A&E Attendances and Emergency Admissions"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any edit of a fixture (bytes changed, inserted or cut) gives a result or an error,
    /// never a panic.
    #[test]
    fn mangled_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = current("\r\n", "Total,Total ,Total,Total,", true).into_bytes();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let _ = read_bytes("m.csv", &bytes, None);
    }
}
