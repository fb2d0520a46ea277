//! A file the installed guard keeps is never replaced, even when replacing is asked for; any
//! other file is written as before. (Its own test binary: the guard is process-wide.)

use sct_files::{OutputError, Overwrite, check_output, install_guard, write_atomic};

fn keep_marked(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.starts_with("KEEP").then(|| "a kept file".to_string())
}

#[test]
fn a_kept_file_is_refused_whatever_the_overwrite_setting() {
    install_guard(keep_marked);
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.toml");
    std::fs::write(&kept, "KEEP me").unwrap();
    for mode in [Overwrite::Refuse, Overwrite::Replace] {
        let err = write_atomic(&kept, b"new", mode, &[]).unwrap_err();
        assert!(matches!(err, OutputError::ReadOnly { .. }), "{err:?}");
        assert!(err.to_string().contains("is a kept file"), "{err}");
        assert!(err.is_bad_input());
        assert!(check_output(&kept, mode, &[]).is_err());
    }
    assert_eq!(std::fs::read(&kept).unwrap(), b"KEEP me");
    // Through a link, the file it names is the one looked at.
    #[cfg(unix)]
    {
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&kept, &link).unwrap();
        let err = write_atomic(&link, b"new", Overwrite::Replace, &[]).unwrap_err();
        assert!(matches!(err, OutputError::ReadOnly { .. }), "{err:?}");
    }
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "plain").unwrap();
    write_atomic(&other, b"new", Overwrite::Replace, &[]).unwrap();
    assert_eq!(std::fs::read(&other).unwrap(), b"new");
}
