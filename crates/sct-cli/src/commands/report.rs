//! `sct report` and `sct chart`.

use std::process::ExitCode;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::individuals::{check_individuals, summarise};
use sct_core::{Error, ResolveOptions, Sct};
use sct_report::charts::{self, ChartFormat};
use sct_report::render::{ReportError, Templates};
use sct_report::{assessment, report};

use crate::cli::{ChartArgs, ChartFormatArg, ChartKind, ReportArgs, ReportFormat};
use crate::outputs::{emit, emit_bytes, extension};

use super::parse_date_arg;

/// Report errors are the user's (a broken template) or a failure to draw.
pub(crate) fn report_error(e: ReportError) -> Error {
    match e {
        ReportError::Template { file, message } => Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!("template {file}: {message}")).in_file(file.clone()),
        ])),
        ReportError::Io { path, source } => Error::Io {
            path,
            action: "read",
            source,
        },
        ReportError::Chart(c) => Error::Io {
            path: "chart".into(),
            action: "draw",
            source: std::io::Error::other(c.to_string()),
        },
        ReportError::Spreadsheet(message) => Error::Io {
            path: "spreadsheet".into(),
            action: "write",
            source: std::io::Error::other(message),
        },
    }
}

pub fn run(sct: &Sct, args: ReportArgs) -> Result<ExitCode, Error> {
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
    let individuals = match &args.individuals {
        Some(dir) => {
            let people = sct.load_individuals(dir)?;
            check_individuals(
                &people,
                &assessed.assessment.ods_code,
                assessed.frameworks.toolkit,
            )?;
            Some(summarise(
                assessed.frameworks.toolkit,
                &assessed.assessment,
                &people,
            ))
        }
        None => None,
    };
    let mut r = report::build(
        &assessed.score,
        assessed.frameworks.toolkit,
        &assessed.assessment,
        individuals,
        as_of,
    );
    // The development plan's top priorities (an individual self-assessment has no plan).
    r.report.plan = sct_core::plan::build(sct_core::plan::PlanInputs {
        frameworks: &assessed.frameworks,
        assessment: &assessed.assessment,
        score: &assessed.score,
        individuals: None,
        previous: None,
        organisations: &sct.organisations,
    })
    .ok()
    .map(|p| report::plan_excerpt(&p));
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("html" | "htm") => ReportFormat::Html,
            Some("json") => ReportFormat::Json,
            Some("csv") => ReportFormat::Csv,
            _ => ReportFormat::Md,
        });
    let templates = Templates::load(args.template_dir.as_deref()).map_err(report_error)?;
    let text = match format {
        ReportFormat::Html => assessment::html(&templates, &r).map_err(report_error)?,
        ReportFormat::Md => assessment::markdown(&templates, &r).map_err(report_error)?,
        ReportFormat::Json => assessment::json(&r),
        ReportFormat::Csv => assessment::csv(&r),
    };
    emit(&args.out, &text, &[&args.response])?;
    Ok(ExitCode::SUCCESS)
}

pub fn chart(sct: &Sct, args: ChartArgs) -> Result<ExitCode, Error> {
    let assessed = sct.assess_file(&args.response, ResolveOptions::default(), None)?;
    let r = report::build(
        &assessed.score,
        assessed.frameworks.toolkit,
        &assessed.assessment,
        None,
        None,
    );
    let format = match args.format {
        Some(ChartFormatArg::Png) => ChartFormat::Png,
        Some(ChartFormatArg::Svg) => ChartFormat::Svg,
        None if extension(&args.out).as_deref() == Some("png") => ChartFormat::Png,
        None => ChartFormat::Svg,
    };
    let bytes = match args.kind {
        ChartKind::Radar => charts::radar(&assessment::radar_chart(&r), format),
        ChartKind::Bars => {
            let ids: Vec<&str> = r.score.domains.iter().map(|d| d.id.as_str()).collect();
            let Some(id) = args.domain.as_deref() else {
                return Err(Error::Invalid(Diagnostics(vec![
                    Diagnostic::error("`sct chart bars` draws one domain: --domain is required")
                        .expected(format!("--domain with one of: {}", ids.join(", "))),
                ])));
            };
            let Some(chart) = assessment::domain_bar_chart(&r, id) else {
                return Err(Error::Invalid(Diagnostics(vec![
                    Diagnostic::error(format!("\"{id}\" is not a domain of {}", r.score.toolkit))
                        .expected(format!("one of: {}", ids.join(", "))),
                ])));
            };
            charts::bars(&chart, format)
        }
    }
    .map_err(|e| report_error(ReportError::Chart(e)))?;
    emit_bytes(&args.out, &bytes, &[&args.response])?;
    Ok(ExitCode::SUCCESS)
}
