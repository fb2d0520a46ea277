//! The promises of `sct-files`: no output replaces an input (by any path), anything that is
//! not a regular file, or another output; nothing is left half-written.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sct_files::{OutputError, Overwrite, read_input, write_atomic};

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_existing_output_is_kept_unless_replacing_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.txt");
    std::fs::write(&p, "first").unwrap();
    let err = write_atomic(&p, b"second", Overwrite::Refuse, &[]).unwrap_err();
    assert!(matches!(err, OutputError::Exists { .. }), "{err}");
    assert!(err.is_bad_input());
    assert_eq!(std::fs::read(&p).unwrap(), b"first");
    write_atomic(&p, b"third", Overwrite::Replace, &[]).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"third");
    assert_eq!(files_in(dir.path()), ["out.txt"], "no temporary file left");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "outputs are readable, not private temp files");
    }
}

#[test]
fn an_output_in_a_missing_folder_names_the_folder_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("no-such-folder").join("out.html");
    let err = write_atomic(&p, b"x", Overwrite::Refuse, &[]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot write {}: the folder ", p.display()))
            && text.ends_with("no-such-folder does not exist"),
        "{text}"
    );
    assert!(!err.is_bad_input(), "the environment, not the command line");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn two_outputs_of_one_command_never_go_to_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    write_atomic(&out, b"first output", Overwrite::Replace, &[]).unwrap();
    let link = dir.path().join("summary.json");
    std::os::unix::fs::symlink(&out, &link).unwrap();
    let err = write_atomic(&link, b"second output", Overwrite::Replace, &[]).unwrap_err();
    assert!(matches!(err, OutputError::AlreadyWritten { .. }), "{err}");
    assert!(err.to_string().contains("already an output"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"first output");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_socket_at_the_output_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let socket = dir.path().join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let mut specials = vec![(socket.clone(), "a socket")];
    if made.is_ok_and(|s| s.success()) {
        specials.push((fifo.clone(), "a named pipe (FIFO)"));
    } else {
        eprintln!("skipped the FIFO case: mkfifo is not available");
    }
    for (path, kind) in specials {
        let link = dir.path().join(format!(
            "link-to-{}",
            path.file_name().unwrap().to_string_lossy()
        ));
        std::os::unix::fs::symlink(&path, &link).unwrap();
        for target in [&path, &link] {
            let err = write_atomic(target, b"x", Overwrite::Replace, &[]).unwrap_err();
            assert!(matches!(err, OutputError::NotRegular { .. }), "{err}");
            assert!(err.to_string().contains(kind), "{err}");
            assert!(err.is_bad_input());
            let meta = std::fs::symlink_metadata(&path).unwrap();
            assert!(
                !meta.is_file(),
                "{} was replaced by a regular file",
                path.display()
            );
        }
    }
    let names = files_in(dir.path());
    assert!(names.iter().all(|n| !n.starts_with(".sct-")), "{names:?}");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_regular_file_is_written_through_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("2026-03.html");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("latest.html");
    std::os::unix::fs::symlink("2026-03.html", &link).unwrap();
    write_atomic(&link, b"new", Overwrite::Replace, &[]).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&real).unwrap(), b"new");
    let dangling = dir.path().join("dangling.html");
    std::os::unix::fs::symlink("nowhere.html", &dangling).unwrap();
    let err = write_atomic(&dangling, b"x", Overwrite::Replace, &[]).unwrap_err();
    assert!(matches!(err, OutputError::DanglingLink { .. }), "{err}");
    assert!(!dir.path().join("nowhere.html").exists());
}

/// Ways of naming one file: through a linked folder, `.` and `..`, a symbolic link to the
/// file, a hard link to it.
#[derive(Debug, Clone)]
enum Route {
    Plain,
    DotDot,
    LinkedFolder,
    FileLink,
    HardLink,
}

fn route(dir: &Path, input: &Path, how: &Route, n: usize) -> PathBuf {
    let name = input.file_name().unwrap();
    match how {
        Route::Plain => input.to_path_buf(),
        Route::DotDot => dir.join("sub").join("..").join(".").join(name),
        Route::LinkedFolder => {
            let link = dir.join(format!("folder-link-{n}"));
            std::os::unix::fs::symlink(dir, &link).unwrap();
            link.join(name)
        }
        Route::FileLink => {
            let link = dir.join(format!("file-link-{n}"));
            std::os::unix::fs::symlink(input, &link).unwrap();
            link
        }
        Route::HardLink => {
            let link = dir.join(format!("hard-link-{n}"));
            std::fs::hard_link(input, &link).unwrap();
            link
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever path leads to a file this process read, writing an output there is refused
    /// and the file keeps its bytes.
    #[cfg(unix)]
    #[test]
    fn an_input_is_never_overwritten_by_any_path_to_it(
        how in prop_oneof![
            Just(Route::Plain), Just(Route::DotDot), Just(Route::LinkedFolder),
            Just(Route::FileLink), Just(Route::HardLink)
        ],
        read_by in prop_oneof![
            Just(Route::Plain), Just(Route::DotDot), Just(Route::LinkedFolder), Just(Route::FileLink)
        ],
        content in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let input = dir.path().join("kpi-set.toml");
        std::fs::write(&input, &content).unwrap();
        let read_path = route(dir.path(), &input, &read_by, 0);
        prop_assert_eq!(read_input(&read_path).unwrap(), content.clone());
        let out = route(dir.path(), &input, &how, 1);
        let err = write_atomic(&out, b"replaced", Overwrite::Replace, &[]).unwrap_err();
        prop_assert!(matches!(err, OutputError::IsInput { .. }), "{}", err);
        prop_assert_eq!(std::fs::read(&input).unwrap(), content);
    }
}

#[test]
fn outputs_checked_together_refuse_two_names_for_one_new_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = dir.path().join("spc.csv");
    let same = dir.path().join("sub").join("..").join("spc.csv");
    let other = dir.path().join("summary.json");
    sct_files::check_outputs(&[&out, &other], Overwrite::Refuse, &[]).unwrap();
    let err = sct_files::check_outputs(&[&out, &same], Overwrite::Refuse, &[]).unwrap_err();
    assert!(matches!(err, OutputError::AlreadyWritten { .. }), "{err}");
    assert!(
        files_in(dir.path()) == ["sub"],
        "nothing written by a check"
    );
}

#[test]
fn a_streamed_output_that_fails_half_way_leaves_the_old_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.csv");
    std::fs::write(&p, "old").unwrap();
    let err = sct_files::write_atomic_with(&p, Overwrite::Replace, &[], |w| {
        w.write_all(&[b'x'; 100_000])?;
        Err(std::io::Error::other("the writer stopped"))
    })
    .unwrap_err();
    assert!(err.to_string().contains("the writer stopped"), "{err}");
    assert_eq!(std::fs::read(&p).unwrap(), b"old");
    assert_eq!(files_in(dir.path()), ["out.csv"]);
    // Written in pieces larger than the buffer, every byte arrives.
    let q = dir.path().join("big.csv");
    sct_files::write_atomic_with(&q, Overwrite::Replace, &[], |w| {
        for _ in 0..3 {
            w.write_all(&[b'y'; 100_000])?;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(std::fs::read(&q).unwrap().len(), 300_000);
}
