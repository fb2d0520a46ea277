//! `template --from`: the next round's response started from the last one, every answer
//! carried forward and marked carried over, with a `[previous]` table naming the earlier
//! file (relative to where the template is written) and its SHA-256.

use std::path::{Component, Path, PathBuf};

use sct_core::model::{PreviousDoc, ResponseDoc};
use sct_core::plan::relation;
use sct_core::setting::Setting;
use sct_core::template::{CarryForward, response_template_from};
use sct_core::validate::ResolvedFrameworks;
use sct_core::{Diagnostic, ResolveOptions, SourceFile};

use crate::assess::{ResponseFormat, TemplateOptions};
use crate::document::Output;
use crate::error::{Error, Result};
use crate::session::Session;

/// The template of `frameworks` started from the response at `from`.
pub(crate) fn template_from(
    session: &Session,
    options: &TemplateOptions,
    frameworks: &ResolvedFrameworks<'_>,
    from: &Path,
) -> Result<Output<'static>> {
    let sct = &session.sct;
    let (earlier, earlier_fw) = sct.validate_file(from, ResolveOptions::default())?;
    let mut notices = Vec::new();
    let organisation = match options.organisation.as_deref() {
        Some(code) => Some(successor(session, from, &earlier.ods_code, code)?),
        None => {
            notices.extend(succeeded(session, &earlier.ods_code));
            None
        }
    };
    let previous = PreviousDoc {
        round: earlier.round.clone().unwrap_or_default(),
        ods_code: earlier.ods_code.clone(),
        file: relative_name(from, options.written_to.as_deref()),
        sha256: earlier.source_sha256.clone(),
    };
    let text = response_template_from(
        frameworks.toolkit_file,
        frameworks.toolkit,
        frameworks.round,
        CarryForward {
            earlier: &earlier,
            earlier_toolkit: earlier_fw.toolkit,
            previous: &previous,
            organisation: organisation.as_ref().map(|(n, c)| (n.as_str(), c.as_str())),
        },
    );
    let output = match options.format {
        ResponseFormat::Toml => Output::text(text),
        ResponseFormat::Json | ResponseFormat::Xlsx => {
            let src = SourceFile::from_text("template.toml", &text);
            let doc = sct_core::load::parse_toml::<ResponseDoc>(&src)
                .map_err(sct_core::Error::Invalid)?;
            if options.format == ResponseFormat::Json {
                Output::text(sct_core::response_text::response_json(&doc))
            } else {
                let (bytes, notes) =
                    sct_xlsx::response_workbook(frameworks, doc.response_type, Some(&doc))?;
                let mut out = Output::bytes(bytes);
                out.notices = notes.into_iter().map(Diagnostic::warning).collect();
                out
            }
        }
    };
    Ok(output.with_notices(notices))
}

/// The organisation asked for, when the earlier response is its own or a predecessor's:
/// its name (from the organisations table) and code.
fn successor(
    session: &Session,
    from: &Path,
    earlier: &str,
    code: &str,
) -> Result<(String, String)> {
    let orgs = &session.sct.organisations;
    let code = code.trim().to_ascii_uppercase();
    let Some(org) = orgs.get(&code) else {
        return Err(Error::options(
            format!("{code} is not in the organisations table"),
            "the ODS code of an organisation in the table",
            [Setting::Organisation, Setting::Organisations],
        ));
    };
    if relation(orgs, earlier, &code).is_none() {
        return Err(Error::options(
            format!(
                "{} is a response of {earlier}, which is neither {code} nor a predecessor of it in the successions table",
                from.display()
            ),
            format!("an earlier response of {code} or of an organisation that passed to it"),
            [Setting::CarryFrom, Setting::Organisation],
        ));
    }
    Ok((org.name.clone(), code))
}

/// A note when the earlier response's organisation has passed to successors, so the next
/// round's response is probably theirs.
fn succeeded(session: &Session, code: &str) -> Option<Diagnostic> {
    let successors: Vec<String> = session
        .sct
        .organisations
        .successions
        .iter()
        .filter(|s| s.predecessor.eq_ignore_ascii_case(code))
        .map(|s| format!("{} (from {})", s.successor, s.effective))
        .collect();
    (!successors.is_empty()).then(|| {
        Diagnostic::warning(format!(
            "{code} passed to {}; the template keeps {code}",
            successors.join(" and ")
        ))
        .expected("the successor's ODS code, to start its response from this one")
        .settings([Setting::Organisation])
    })
}

/// `file` named relative to the folder `output` is written to (so that the two can move
/// together), else as given.
fn relative_name(file: &Path, output: Option<&Path>) -> String {
    let as_given = || file.display().to_string();
    let Some(output) = output else {
        return as_given();
    };
    let base = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (Ok(file), Ok(base)) = (file.canonicalize(), base.canonicalize()) else {
        return as_given();
    };
    let (f, b): (Vec<Component>, Vec<Component>) =
        (file.components().collect(), base.components().collect());
    let common = f.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        // Nothing shared but the root: a path climbing to it would say no more.
        return file.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        f[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earlier_file_is_named_from_the_output_folder() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let file = here.join("src/carry.rs");
        assert_eq!(
            relative_name(&here.join("Cargo.toml"), Some(&here.join("src/x.toml"))),
            "../Cargo.toml"
        );
        assert_eq!(
            relative_name(&file, Some(&here.join("src/x.toml"))),
            "carry.rs"
        );
        assert_eq!(relative_name(Path::new("a/b.toml"), None), "a/b.toml");
    }
}
