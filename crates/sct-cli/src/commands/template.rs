//! `sct template`: a blank response as TOML (descriptors as comments) or as an Excel workbook
//! (chosen by `--format` or the `-o` extension).

use std::process::ExitCode;

use sct_core::model::ResponseType;
use sct_core::template::response_template;
use sct_core::validate::ResolvedFrameworks;
use sct_core::{Error, Sct};

use crate::cli::{ResponseFormat, TemplateArgs};
use crate::outputs::{emit, emit_bytes, extension};

use super::workbook_error;

pub fn run(sct: &Sct, args: TemplateArgs) -> Result<ExitCode, Error> {
    let fw = sct.registry.get(&args.framework, args.version.as_deref())?;
    let response_type = if args.individual {
        ResponseType::Individual
    } else {
        ResponseType::Organisation
    };
    let frameworks = if let Some(round) = fw.as_round() {
        let toolkit_file = sct.registry.get(
            round.toolkit.id.get_ref(),
            Some(round.toolkit.version.get_ref()),
        )?;
        let toolkit = toolkit_file
            .as_toolkit()
            .ok_or_else(|| Error::UnknownFramework {
                wanted: format!("capability toolkit {}", round.toolkit.id.get_ref()),
                known: "see `sct frameworks list`".into(),
            })?;
        ResolvedFrameworks {
            toolkit_file,
            toolkit,
            round: Some((fw, round)),
        }
    } else if let Some(toolkit) = fw.as_toolkit() {
        ResolvedFrameworks {
            toolkit_file: fw,
            toolkit,
            round: None,
        }
    } else {
        return Err(Error::UnknownFramework {
            wanted: format!(
                "a round or capability toolkit called {} ({} is a {} framework)",
                args.framework,
                fw.id(),
                fw.header.kind
            ),
            known: "see `sct frameworks list`".into(),
        });
    };
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("xlsx") => ResponseFormat::Xlsx,
            Some("json") => ResponseFormat::Json,
            _ => ResponseFormat::Toml,
        });
    match format {
        ResponseFormat::Xlsx => {
            let (bytes, _) = sct_xlsx::response_workbook(&frameworks, response_type, None)
                .map_err(workbook_error)?;
            emit_bytes(&args.out, &bytes, &[])?;
        }
        ResponseFormat::Toml => {
            let text = response_template(
                frameworks.toolkit_file,
                frameworks.toolkit,
                frameworks.round,
                response_type,
            );
            emit(&args.out, &text, &[])?;
        }
        ResponseFormat::Json => {
            return Err(Error::Invalid(sct_core::Diagnostics(vec![
                sct_core::Diagnostic::error(
                    "sct template writes TOML or an Excel workbook, not JSON",
                )
                .expected(
                    "-o FILE.toml or -o FILE.xlsx (a JSON response can be made with `sct convert`)",
                ),
            ])));
        }
    }
    Ok(ExitCode::SUCCESS)
}
