//! A host running many jobs in one process forgets one job's files before the next (its own
//! test binary: forgetting is process-wide).

use sct_files::{Overwrite, read_input, write_atomic};

#[test]
fn forgetting_lets_the_next_job_replace_the_last_ones_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.toml");
    std::fs::write(&input, "x").unwrap();
    read_input(&input).unwrap();
    let out = dir.path().join("out.json");
    write_atomic(&out, b"1", Overwrite::Replace, &[]).unwrap();
    assert!(write_atomic(&input, b"2", Overwrite::Replace, &[]).is_err());
    assert!(write_atomic(&out, b"2", Overwrite::Replace, &[]).is_err());
    sct_files::forget_all();
    write_atomic(&input, b"2", Overwrite::Replace, &[]).unwrap();
    sct_files::forget_all();
    write_atomic(&out, b"2", Overwrite::Replace, &[]).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"2");
}
