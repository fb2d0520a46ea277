//! Property tests: no input, however broken, panics a loader or the validator.

mod common;

use proptest::prelude::*;
use sct_core::load::{LoadedFramework, Origin, parse_toml};
use sct_core::model::ResponseDoc;
use sct_core::{Error, SourceFile};

use common::*;

fn try_all(sct: &sct_core::Sct, bytes: Vec<u8>) {
    let Ok(src) = SourceFile::from_bytes("fuzz.toml".into(), bytes) else {
        return;
    };
    let _ = parse_toml::<ResponseDoc>(&src);
    let _ = LoadedFramework::parse(src.clone(), Origin::Bundled);
    // Every diagnostic of an invalid file names the file.
    if let Err(Error::Invalid(d)) = sct.validate_source(&src, Default::default()) {
        assert!(
            d.iter()
                .all(|x| x.location.as_ref().is_some_and(|l| l.file == "fuzz.toml")),
            "{d}"
        );
    }
}

/// A valid response over the mini toolkit, to mutate.
const VALID: &str = "round = \"mini-round\"\nassessed = 2026-03-20\n[organisation]\nname = \"Org A\"\nods_code = \"AAA\"\n[capabilities.a1]\nlevel = \"low\"\nconfidence = \"high\"\nevidence = [\"x\"]\ntarget_level = \"high\"\ntarget_date = 2027-03-31\n[capabilities.a2]\nlevel = \"n/a\"\nreason = \"r\"\n[milestones.early]\nstatus = \"complete\"\ncompleted_on = 2026-03-01\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let sct = mini_sct(MINI_TOOLKIT);
        try_all(&sct, bytes);
    }

    #[test]
    fn mutated_responses_never_panic(
        cut in 0usize..VALID.len(),
        insert in "[\\[\\]=\"a-z0-9 ./\\n-]{0,12}",
        level in "[a-zA-Z/ -]{0,10}",
        date in "[0-9-]{0,12}",
    ) {
        let sct = mini_sct(MINI_TOOLKIT);
        let mut cut = cut;
        while !VALID.is_char_boundary(cut) { cut -= 1; }
        let mutated = format!("{}{}{}", &VALID[..cut], insert, &VALID[cut..]);
        try_all(&sct, mutated.into_bytes());
        let replaced = VALID.replace("\"low\"", &format!("{level:?}")).replace("2027-03-31", &format!("{date:?}"));
        try_all(&sct, replaced.into_bytes());
    }

    #[test]
    fn mutated_frameworks_never_panic(
        line in 0usize..80,
        action in 0u8..3,
        insert in "[\\[\\]={}\"a-z0-9 .,-]{0,16}",
    ) {
        let lines: Vec<&str> = MINI_TOOLKIT.lines().collect();
        let i = line % lines.len();
        let mut out: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        match action {
            0 => { out.remove(i); }
            1 => { let l = out[i].clone(); out.insert(i, l); }
            _ => { out[i] = insert; }
        }
        let text = out.join("\n");
        let _ = LoadedFramework::parse(SourceFile::from_text("fw.toml", text.clone()), Origin::Bundled);
        let round = MINI_ROUND.lines().enumerate().filter(|(j, _)| *j != i % 40).map(|(_, l)| l).collect::<Vec<_>>().join("\n");
        let _ = LoadedFramework::parse(SourceFile::from_text("r.toml", round), Origin::Bundled);
    }
}
