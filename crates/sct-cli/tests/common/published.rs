//! Small files in NHS England's published layouts, and where the real ones are, for the tests
//! of published files given as data (`kpi_import`, `published_data`, `planning_set`).

use std::path::PathBuf;

/// The monthly A&E provider CSV's header row (current wording, CRLF as published).
pub const AE_HEADER: &str = "Period,Org Code,Parent Org,Org name,A&E attendances Type 1,A&E attendances Type 2,A&E attendances Other A&E Department,Attendances over 4hrs Type 1,Attendances over 4hrs Type 2,Attendances over 4hrs Other Department,Patients who have waited 12+ hrs from DTA to admission,Emergency admissions via A&E - Type 1,Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,Other emergency admissions\r\n";

/// The ODS trust file (`etr.csv`: no header row, 27 quoted columns, the ICB in the fourth)
/// for the trusts given as (code, name, ICB).
pub fn etr(trusts: &[(&str, &str, &str)]) -> String {
    let empty = |n: usize| vec!["\"\""; n].join(",");
    trusts
        .iter()
        .map(|(code, name, icb)| {
            format!(
                "\"{code}\",\"{name}\",\"Y58\",\"{icb}\",{},\"X1 1XX\",\"20000101\",{},\"0\",\"\",\"K\",\"\",\"\",\"\"\r\n",
                empty(5),
                empty(10)
            )
        })
        .collect()
}

/// NHS England's own files beside the clone, or `None` (with a message) where they are absent.
pub fn nhs_data() -> Option<PathBuf> {
    let dir = super::root().join("../shared/nhs-data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the published NHS files are not at {}",
            dir.display()
        );
        None
    }
}
