//! `sct convert`: a response from one format to another (TOML, JSON, Excel workbook). The
//! response is validated first, so what is written is a response sct accepts.

use std::process::ExitCode;

use sct_core::load::parse_toml;
use sct_core::model::ResponseDoc;
use sct_core::response_text::{response_json, response_toml};
use sct_core::validate::resolve_frameworks;
use sct_core::{Diagnostic, Diagnostics, Error, ResolveOptions, Sct};

use crate::cli::{ConvertArgs, ResponseFormat};
use crate::outputs::{emit, emit_bytes, extension};

use super::workbook_error;

pub fn run(sct: &Sct, args: ConvertArgs) -> Result<ExitCode, Error> {
    let format = match args.format {
        Some(f) => f,
        None => {
            match extension(&args.out).as_deref() {
                Some("toml") => ResponseFormat::Toml,
                Some("xlsx") => ResponseFormat::Xlsx,
                Some("json") => ResponseFormat::Json,
                other => {
                    return Err(Error::Invalid(Diagnostics(vec![
                    Diagnostic::error(match other {
                        Some(ext) => format!("cannot tell the output format from \".{ext}\""),
                        None => "no output format: give -o FILE.toml|.xlsx|.json or --format".to_string(),
                    })
                    .expected("-o FILE.toml, -o FILE.xlsx or -o FILE.json, or --format toml|xlsx|json"),
                ])));
                }
            }
        }
    };
    let read = sct.read_response(&args.response)?;
    let (assessment, _) = sct.validate_read(&read, ResolveOptions::default())?;
    for w in assessment.warnings.iter() {
        crate::style::eprint(&w.to_string());
    }
    let doc = parse_toml::<ResponseDoc>(&read.source).map_err(Error::Invalid)?;
    let inputs = [args.response.as_path()];
    match format {
        ResponseFormat::Toml => {
            let comment = vec![
                format!(
                    "Converted by sct {} from {} (sha256 {}).",
                    sct_core::provenance::SCT_VERSION,
                    args.response.display(),
                    read.source.sha256
                ),
                "Level descriptors: `sct template ROUND` writes them as comments; `sct frameworks show TOOLKIT` lists them.".to_string(),
            ];
            emit(&args.out, &response_toml(&doc, &comment), &inputs)?;
        }
        ResponseFormat::Json => emit(&args.out, &response_json(&doc), &inputs)?,
        ResponseFormat::Xlsx => {
            let frameworks = resolve_frameworks(&read.source, &doc, &sct.registry)?;
            let (bytes, notes) =
                sct_xlsx::response_workbook(&frameworks, doc.response_type, Some(&doc))
                    .map_err(workbook_error)?;
            for note in notes {
                crate::style::eprint(&format!("warning: {note}\n"));
            }
            emit_bytes(&args.out, &bytes, &inputs)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
