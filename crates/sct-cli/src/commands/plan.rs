//! `sct plan`: the development plan drawn up from an organisation's assessment.

use std::path::Path;
use std::process::ExitCode;

use sct_core::individuals::{check_individuals, summarise};
use sct_core::plan::{self, PlanInputs};
use sct_core::{Error, ResolveOptions, Sct};
use sct_report::plan as present;
use sct_report::render::Templates;

use crate::cli::{PlanArgs, PlanFormat};
use crate::outputs::{emit, emit_bytes, extension};

use super::parse_date_arg;
use super::report::report_error;

pub fn run(sct: &Sct, args: PlanArgs) -> Result<ExitCode, Error> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| parse_date_arg("--as-of", d))
        .transpose()?;
    let assessed = sct.assess_file(
        &args.response,
        ResolveOptions {
            strict: args.strict,
        },
        as_of,
    )?;
    let toolkit = assessed.frameworks.toolkit;
    let individuals = match &args.individuals {
        Some(dir) => {
            let people = sct.load_individuals(dir)?;
            check_individuals(&people, &assessed.assessment.ods_code, toolkit)?;
            Some(summarise(toolkit, &assessed.assessment, &people))
        }
        None => None,
    };
    let previous = match &args.against {
        Some(path) => Some(sct.validate_file(path, ResolveOptions::default())?.0),
        None => None,
    };
    let plan = plan::build(PlanInputs {
        frameworks: &assessed.frameworks,
        assessment: &assessed.assessment,
        score: &assessed.score,
        individuals: individuals.as_ref(),
        previous: previous.as_ref(),
        organisations: &sct.organisations,
    })?;
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("html" | "htm") => PlanFormat::Html,
            Some("json") => PlanFormat::Json,
            Some("csv") => PlanFormat::Csv,
            Some("xlsx") => PlanFormat::Xlsx,
            _ => PlanFormat::Md,
        });
    let mut inputs: Vec<&Path> = vec![&args.response];
    if let Some(p) = &args.against {
        inputs.push(p);
    }
    match format {
        PlanFormat::Xlsx => {
            let bytes = present::xlsx(&plan).map_err(report_error)?;
            emit_bytes(&args.out, &bytes, &inputs)?;
        }
        PlanFormat::Json => emit(&args.out, &present::json(&plan), &inputs)?,
        PlanFormat::Csv => emit(&args.out, &present::csv(&plan), &inputs)?,
        PlanFormat::Html | PlanFormat::Md => {
            let name = if format == PlanFormat::Html {
                "plan.html"
            } else {
                "plan.md"
            };
            let templates = Templates::load_only(args.template_dir.as_deref(), &[name])
                .map_err(report_error)?;
            let text = if format == PlanFormat::Html {
                present::html(&templates, &plan)
            } else {
                present::markdown(&templates, &plan)
            }
            .map_err(report_error)?;
            emit(&args.out, &text, &inputs)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
