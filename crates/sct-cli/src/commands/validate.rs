//! `sct validate`.

use std::process::ExitCode;

use serde_json::json;

use sct_core::assessment::AnswerLevel;
use sct_core::{Error, ResolveOptions, Sct};

use crate::cli::{ValidateArgs, ValidateFormat};
use crate::outputs::{invalid_as_json, print, print_text};

pub fn run(sct: &Sct, args: ValidateArgs) -> Result<ExitCode, Error> {
    let options = ResolveOptions {
        strict: args.strict,
    };
    let result = sct.validate_file(&args.response, options);
    let name = if sct_core::source::is_stdin(&args.response) {
        sct_core::source::STDIN_NAME.to_string()
    } else {
        args.response.display().to_string()
    };
    match (result, args.format) {
        (Ok((a, _)), ValidateFormat::Text) => {
            for w in a.warnings.iter() {
                crate::style::eprint(&w.to_string());
            }
            let total = a.answers.len();
            let answered = a
                .answers
                .values()
                .filter(|x| matches!(x.level, AnswerLevel::Level { .. }))
                .count();
            let na = a
                .answers
                .values()
                .filter(|x| matches!(x.level, AnswerLevel::NotApplicable { .. }))
                .count();
            let applicable = total - na;
            let pct = if applicable > 0 {
                answered as f64 * 100.0 / applicable as f64
            } else {
                0.0
            };
            print_text(&format!(
                "{name}: valid ({} {}); coverage {answered} of {applicable} applicable capabilities answered ({pct:.0}%), {na} n/a; {} warning(s)\n",
                a.toolkit_id,
                a.toolkit_version,
                a.warnings.warning_count()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        (Ok((a, _)), ValidateFormat::Json) => {
            let answered = a
                .answers
                .values()
                .filter(|x| matches!(x.level, AnswerLevel::Level { .. }))
                .count();
            let na = a
                .answers
                .values()
                .filter(|x| matches!(x.level, AnswerLevel::NotApplicable { .. }))
                .count();
            let v = json!({
                "schema": "sct-validate/1",
                "file": name,
                "valid": true,
                "toolkit": a.toolkit_id,
                "toolkit_version": a.toolkit_version,
                "coverage": { "answered": answered, "not_applicable": na, "applicable": a.answers.len() - na },
                "diagnostics": a.warnings,
            });
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        (Err(e), ValidateFormat::Json) => invalid_as_json("sct-validate/1", Some(&name), e),
        (Err(e), _) => Err(e),
    }
}
