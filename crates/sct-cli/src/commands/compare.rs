//! `sct compare`: load a cohort, compare it, write the report.

use crate::error::CliError;
use std::io::IsTerminal;
use std::process::ExitCode;

use sct_compare::attributes::OrgAttributes;
use sct_compare::load::{collect_files, load_cohort};
use sct_compare::longitudinal::CapabilityMapping;
use sct_compare::{CompareOptions, compare};
use sct_core::{Diagnostic, Diagnostics, Error, Sct, SourceFile};
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;
use sct_report::compare as report;
use sct_report::render::Templates;

use super::report::report_error;
use crate::cli::{CompareArgs, ReportFormat};
use crate::outputs::{emit, emit_bytes, extension};

/// Below this many files no progress bar is drawn (loading is quick).
const PROGRESS_FROM: usize = 50;

/// Reads a capability mapping CSV (`from,to`).
fn read_mapping(path: &std::path::Path) -> Result<CapabilityMapping, Error> {
    let src = SourceFile::read(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(src.text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let (Some(fi), Some(ti)) = (
        headers.iter().position(|h| h == "from"),
        headers.iter().position(|h| h == "to"),
    ) else {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error("the mapping has no `from` and `to` columns")
                .in_file(&src.name)
                .expected(
                    "columns from,to: an earlier round's capability id and the later toolkit's",
                ),
        ])));
    };
    let mut map = std::collections::BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            Error::Invalid(Diagnostics(vec![
                Diagnostic::csv_row(&e, Some(&headers)).at(sct_core::diagnostic::Location {
                    file: src.name.clone(),
                    line: sct_core::csv_line::record_line(src.text.as_bytes(), e.position()),
                    column: 1,
                    snippet: None,
                }),
            ]))
        })?;
        map.insert(
            rec.get(fi).unwrap_or("").to_string(),
            rec.get(ti).unwrap_or("").to_string(),
        );
    }
    Ok(CapabilityMapping {
        source: src.name.clone(),
        map,
    })
}

pub fn run(sct: &Sct, args: CompareArgs) -> Result<ExitCode, CliError> {
    let files = collect_files(sct, &args.inputs)?;
    let bar =
        (std::io::stderr().is_terminal() && files.responses.len() >= PROGRESS_FROM).then(|| {
            let bar = indicatif::ProgressBar::new(files.responses.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "loading {pos}/{len} responses {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
    let tick = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let loaded = load_cohort(sct, &files.responses, args.skip_invalid, threads, &tick)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    for s in &loaded.skipped {
        crate::style::warning(format_args!("skipped {}:\n{}", s.file, s.error));
    }
    let orgs_path = args.orgs.clone().or(files.orgs.clone());
    let attributes = orgs_path
        .as_deref()
        .map(|p| SourceFile::read(p).and_then(|s| OrgAttributes::parse(&s)))
        .transpose()?;
    let kpis_path = args.kpis.clone().or(files.kpis.clone());
    let kpi = match &kpis_path {
        Some(path) => {
            let (set, set_file) = KpiSet::find(&args.set, &sct.registry)?;
            let file = sct_core::source::open_input(path)?;
            let name = path.display().to_string();
            let data = read_kpi_data(std::io::BufReader::new(file), &name, &set, None)
                .map_err(Error::Invalid)?;
            Some((
                set,
                data,
                format!("{name} with KPI set {} {}", set_file.id, set_file.version),
            ))
        }
        None => None,
    };
    let options = CompareOptions {
        round: args.round.clone(),
        against: args.against.clone(),
        group_by: args.group_by.clone(),
        mapping: args.mapping.as_deref().map(read_mapping).transpose()?,
    };
    let skipped = !loaded.skipped.is_empty();
    let comparison = compare(
        sct,
        loaded,
        attributes,
        kpi.as_ref().map(|(s, d, n)| (s, d, n.clone())),
        &options,
    )?;
    let mut inputs: Vec<&std::path::Path> = files.responses.iter().map(|p| p.as_path()).collect();
    inputs.extend(orgs_path.as_deref());
    inputs.extend(kpis_path.as_deref());
    let exit = if skipped {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    // A workbook is chosen by the -o extension (the shared --format values are text formats).
    if args.format.is_none() && extension(&args.out).as_deref() == Some("xlsx") {
        let bytes = sct_report::compare_xlsx::compare_xlsx(&comparison).map_err(report_error)?;
        emit_bytes(&args.out, &bytes, &inputs)?;
        return Ok(exit);
    }
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("html" | "htm") => ReportFormat::Html,
            Some("json") => ReportFormat::Json,
            Some("csv") => ReportFormat::Csv,
            _ => ReportFormat::Md,
        });
    let text = match format {
        ReportFormat::Html => {
            let templates = Templates::load_only(args.template_dir.as_deref(), &["compare.html"])
                .map_err(report_error)?;
            report::html(&templates, &comparison).map_err(report_error)?
        }
        ReportFormat::Md => {
            let templates = Templates::load_only(args.template_dir.as_deref(), &["compare.md"])
                .map_err(report_error)?;
            report::markdown(&templates, &comparison).map_err(report_error)?
        }
        ReportFormat::Json => report::json(&comparison),
        ReportFormat::Csv => report::csv(&comparison),
    };
    emit(&args.out, &text, &inputs)?;
    Ok(exit)
}
