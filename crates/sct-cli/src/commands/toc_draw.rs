//! `sct toc diagram`: the layered diagram as SVG or PNG, or the theory of change as Graphviz
//! DOT or Mermaid.

use crate::error::CliError;
use std::path::Path;
use std::process::ExitCode;

use sct_core::{Error, Sct};
use sct_report::charts::{ChartError, ChartFormat};
use sct_report::toc_diagram::{toc_diagram, toc_svg};
use sct_toc::export::{Statuses, to_dot, to_mermaid};
use sct_toc::load::{LoadedToc, find};
use sct_toc::report::{TocReport, status_map};

use crate::cli::{TocDiagramArgs, TocDiagramFormat};
use crate::outputs::{emit, emit_bytes, extension};

/// A drawing error as the command's error (exit status 1).
pub fn chart_error(e: ChartError) -> Error {
    Error::Io {
        path: "diagram".into(),
        action: "draw",
        source: std::io::Error::other(e.to_string()),
    }
}

/// The diagram as inline SVG for `sct toc report`, with the report's statuses when it has
/// them.
pub fn report_svg(loaded: &LoadedToc, report: &TocReport) -> Result<String, Error> {
    let statuses = report.has_status.then(|| status_map(report));
    toc_svg(&loaded.toc, &loaded.graph, statuses.as_ref()).map_err(chart_error)
}

/// Runs `sct toc diagram`.
pub fn diagram(
    global: &crate::cli::GlobalArgs,
    sct: &Sct,
    args: TocDiagramArgs,
) -> Result<ExitCode, CliError> {
    let loaded = find(&args.toc, &sct.registry)?;
    for w in loaded.warnings.iter() {
        crate::style::eprint(&w.to_string());
    }
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("png") => TocDiagramFormat::Png,
            Some("dot" | "gv") => TocDiagramFormat::Dot,
            Some("mmd" | "mermaid") => TocDiagramFormat::Mmd,
            _ => TocDiagramFormat::Svg,
        });
    // With KPI data, each node is drawn with its live status and the roll-up.
    let (data, as_of) = super::toc::kpi_inputs(global, &loaded, &args.kpi)?;
    let measures = super::toc::plugin_measures(global, &loaded, &args.kpi)?;
    let status_owned: Option<Statuses> = (data.is_some() || measures.is_some()).then(|| {
        let r = super::toc::build_report(
            &loaded,
            data.as_ref(),
            args.kpi.org.as_deref(),
            as_of,
            Vec::new(),
            None,
            measures.as_ref().map(|(m, _)| m),
        );
        status_map(&r)
    });
    let statuses = status_owned.as_ref();
    let toc_path = Path::new(&args.toc);
    let mut inputs: Vec<&Path> = if toc_path.exists() {
        vec![toc_path]
    } else {
        Vec::new()
    };
    if let Some(d) = &args.kpi.kpi_data {
        inputs.push(d);
    }
    let (toc, graph) = (&loaded.toc, &loaded.graph);
    match format {
        TocDiagramFormat::Svg | TocDiagramFormat::Png => {
            let chart = if format == TocDiagramFormat::Png {
                ChartFormat::Png
            } else {
                ChartFormat::Svg
            };
            let bytes = toc_diagram(toc, graph, statuses, chart).map_err(chart_error)?;
            emit_bytes(&args.out, &bytes, &inputs)?;
        }
        TocDiagramFormat::Dot => emit(&args.out, &to_dot(toc, statuses), &inputs)?,
        TocDiagramFormat::Mmd => emit(&args.out, &to_mermaid(toc, statuses), &inputs)?,
    }
    Ok(ExitCode::SUCCESS)
}
