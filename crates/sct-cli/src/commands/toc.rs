//! `sct toc check|report|diagram`.

use crate::error::CliError;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::provenance::{FileUsed, PluginUsed};
use sct_core::{Error, ResolveOptions, Sct, SourceFile};
use sct_kpi::data::{KpiData, read_kpi_data};
use sct_report::render::Templates;
use sct_report::toc_report;
use sct_toc::load::{LoadedToc, find};
use sct_toc::report::{CapabilityInfo, ReportInputs, TocReport, build};
use sct_toc::status::{KpiSource, MeasureData, MeasureSource};

use super::report::report_error;
use crate::cli::{
    CheckFormat, GlobalArgs, TocCheckArgs, TocCommand, TocKpiArgs, TocReportArgs, TocReportFormat,
};
use crate::outputs::{
    emit_rendered, emit_with, extension, invalid_as_json, print_json, print_text,
};

pub fn run(global: &GlobalArgs, cmd: TocCommand) -> Result<ExitCode, CliError> {
    let sct = super::load(global)?;
    match cmd {
        TocCommand::Check(args) => check(&sct, args),
        TocCommand::Report(args) => report(global, &sct, args),
        TocCommand::Diagram(args) => super::toc_draw::diagram(global, &sct, args),
    }
}

fn check(sct: &Sct, args: TocCheckArgs) -> Result<ExitCode, CliError> {
    let loaded = match find(&args.toc, &sct.registry) {
        Ok(loaded) => loaded,
        Err(e) if args.format == CheckFormat::Json => {
            let file = Path::new(&args.toc).exists().then_some(args.toc.as_str());
            return invalid_as_json("sct-toc-check/1", file, e);
        }
        Err(e) => return Err(e.into()),
    };
    let m = sct_toc::metrics::metrics(&loaded.toc, &loaded.graph);
    if args.format == CheckFormat::Json {
        print_json(&serde_json::json!({
            "schema": "sct-toc-check/1",
            "file": loaded.source.name,
            "valid": true,
            "id": loaded.toc.id.get_ref(),
            "version": loaded.toc.version.get_ref(),
            "metrics": m,
            "diagnostics": loaded.warnings,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for w in loaded.warnings.iter() {
        crate::style::eprint(&w.to_string());
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "ok: {} (theory-of-change {} {}): {} nodes, {} links, {} warning(s)",
        loaded.source.name,
        loaded.toc.id.get_ref(),
        loaded.toc.version.get_ref(),
        m.nodes,
        m.links,
        loaded.warnings.warning_count()
    );
    let pct = |s: Option<f64>| s.map_or("—".to_string(), |x| format!("{:.0} %", x * 100.0));
    let _ = writeln!(
        text,
        "outcomes measured: {}{}",
        pct(m.outcomes_measured_share),
        m.outcome_coverage
            .iter()
            .map(|h| format!("; {} {} of {}", h.node_type.as_str(), h.measured, h.nodes))
            .collect::<String>()
    );
    let _ = writeln!(
        text,
        "links with an assumption: {} of {} ({}); evidence: {}",
        m.links_with_assumption,
        m.links,
        pct(m.assumption_share),
        m.evidence
            .iter()
            .map(|e| format!("{} {}", e.evidence.as_str(), e.links))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        text,
        "longest measured chain: {}",
        if m.longest_measured_chain.is_empty() {
            "none".to_string()
        } else {
            format!(
                "{} nodes ({})",
                m.longest_measured_chain.len(),
                m.longest_measured_chain.join(" → ")
            )
        }
    );
    print_text(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Reads the KPI data for one organisation, against the theory of change's KPI set.
fn kpi_data(loaded: &LoadedToc, data: &Path, org: &str) -> Result<KpiData, Error> {
    let Some((set, _)) = &loaded.kpi_set else {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!(
                "--kpi-data needs a KPI set, but {} names none that is known",
                loaded.source.name
            ))
            .expected("kpi_set = \"<the id of a known KPI set>\" in the theory of change"),
        ])));
    };
    let keep: BTreeSet<String> = [org.to_string()].into();
    let name = data.display().to_string();
    let kpi = read_kpi_data(
        std::io::BufReader::new(sct_core::source::open_input(data)?),
        &name,
        set,
        Some(&keep),
    )
    .map_err(Error::Invalid)?;
    for w in &kpi.warnings {
        crate::style::eprint(&format!("warning: {w}\n"));
    }
    if !kpi.organisations.contains(org) {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!("no rows for organisation {org} in {name}"))
                .expected("--org with an organisation code in the file's `organisation` column"),
        ])));
    }
    Ok(kpi)
}

/// The toolkit's capabilities with what they move, and their levels from an assessment.
fn capabilities(
    sct: &Sct,
    assessment: Option<&PathBuf>,
) -> Result<(Vec<CapabilityInfo>, Option<FileUsed>), Error> {
    let Some(path) = assessment else {
        // Without an assessment: the newest bundled or added capability toolkit, no levels.
        let toolkit = sct.registry.iter().filter_map(|f| f.as_toolkit()).last();
        let caps = toolkit
            .map(|t| {
                t.domains
                    .iter()
                    .flat_map(|d| &d.capabilities)
                    .filter(|c| !c.moves.is_empty())
                    .map(|c| CapabilityInfo {
                        id: c.id.get_ref().clone(),
                        title: c.title.clone(),
                        moves: c.moves.iter().map(|m| m.get_ref().clone()).collect(),
                        level: None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Ok((caps, None));
    };
    let assessed = sct.assess_file(path, ResolveOptions::default(), None)?;
    let toolkit = assessed.frameworks.toolkit;
    let levels: std::collections::HashMap<&str, Option<String>> = assessed
        .score
        .domains
        .iter()
        .flat_map(|d| &d.capabilities)
        .map(|c| {
            (
                c.id.as_str(),
                c.level_name
                    .clone()
                    .or_else(|| (c.state == "n/a").then(|| "n/a".to_string())),
            )
        })
        .collect();
    let caps = toolkit
        .domains
        .iter()
        .flat_map(|d| &d.capabilities)
        .filter(|c| !c.moves.is_empty())
        .map(|c| CapabilityInfo {
            id: c.id.get_ref().clone(),
            title: c.title.clone(),
            moves: c.moves.iter().map(|m| m.get_ref().clone()).collect(),
            level: levels
                .get(c.id.get_ref().as_str())
                .cloned()
                .flatten()
                .or_else(|| Some("not answered".into())),
        })
        .collect();
    let src = SourceFile::read(path)?;
    Ok((
        caps,
        Some(FileUsed {
            file: src.name,
            sha256: src.sha256,
        }),
    ))
}

/// The KPI data and review date the `--kpi-data`, `--org` and `--as-of` options name. KPIs
/// of the set that are plugin measures are computed for `--org`.
pub fn kpi_inputs(
    global: &GlobalArgs,
    loaded: &LoadedToc,
    args: &TocKpiArgs,
) -> Result<(Option<KpiData>, Option<chrono::NaiveDate>), Error> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| super::parse_date_arg("--as-of", d))
        .transpose()?;
    let data = match (&args.kpi_data, &args.org, &loaded.kpi_set) {
        (Some(d), Some(org), Some((set, _))) => {
            let mut data = kpi_data(loaded, d, org)?;
            if set.indicators.iter().any(|i| i.measure.is_some()) {
                super::plugin_measures::fill_kpi_measures(
                    global,
                    set,
                    &mut data,
                    std::slice::from_ref(org),
                    &args.plugin_data,
                    &args.plugin,
                )?;
            }
            Some(data)
        }
        (Some(d), Some(org), None) => Some(kpi_data(loaded, d, org)?),
        _ => None,
    };
    Ok((data, as_of.map(|d| d.0)))
}

/// The plugin measures the theory of change names, computed as `--plugin-data`, `--org`
/// and the plugin options say, with the plugins used.
pub fn plugin_measures(
    global: &GlobalArgs,
    loaded: &LoadedToc,
    args: &TocKpiArgs,
) -> Result<Option<(MeasureData, Vec<PluginUsed>)>, Error> {
    super::plugin_measures::toc_measures(
        global,
        &loaded.toc,
        args.org.as_deref(),
        &args.plugin_data,
        &args.plugin,
    )
}

/// The plugins behind a report's series: those of the theory's own measures and those of its
/// KPI set's plugin-measure KPIs, one entry per plugin.
fn plugins_used(
    measures: Option<&(MeasureData, Vec<PluginUsed>)>,
    data: Option<&KpiData>,
) -> Vec<PluginUsed> {
    let mut by_name: std::collections::BTreeMap<String, PluginUsed> = Default::default();
    let all = measures
        .map(|(_, p)| p.as_slice())
        .unwrap_or_default()
        .iter()
        .chain(data.map(|d| d.plugins.as_slice()).unwrap_or_default());
    for p in all {
        match by_name.get_mut(&p.name) {
            Some(seen) => {
                for m in &p.measures {
                    if !seen.measures.contains(m) {
                        seen.measures.push(m.clone());
                    }
                }
                seen.measures.sort();
            }
            None => {
                by_name.insert(p.name.clone(), p.clone());
            }
        }
    }
    by_name.into_values().collect()
}

fn report(global: &GlobalArgs, sct: &Sct, args: TocReportArgs) -> Result<ExitCode, CliError> {
    let loaded = find(&args.toc, &sct.registry)?;
    let (data, as_of) = kpi_inputs(global, &loaded, &args.kpi)?;
    let measures = plugin_measures(global, &loaded, &args.kpi)?;
    let (caps, assessment_file) = capabilities(sct, args.assessment.as_ref())?;
    let mut r = build_report(
        &loaded,
        data.as_ref(),
        args.kpi.org.as_deref(),
        as_of,
        caps,
        assessment_file,
        measures.as_ref().map(|(m, _)| m),
    );
    r.provenance.plugins = plugins_used(measures.as_ref(), data.as_ref());
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("html" | "htm") => TocReportFormat::Html,
            Some("json") => TocReportFormat::Json,
            _ => TocReportFormat::Md,
        });
    let templates = Templates::load(args.template_dir.as_deref()).map_err(report_error)?;
    let svg = match format {
        TocReportFormat::Html => Some(super::toc_draw::report_svg(&loaded, &r)?),
        _ => None,
    };
    let mut inputs: Vec<&Path> = Vec::new();
    let toc_path = Path::new(&args.toc);
    if toc_path.exists() {
        inputs.push(toc_path);
    }
    if let Some(d) = &args.kpi.kpi_data {
        inputs.push(d);
    }
    if let Some(a) = &args.assessment {
        inputs.push(a);
    }
    let plugin_data = super::plugin_measures::data_paths(&args.kpi.plugin_data);
    inputs.extend(plugin_data.iter().map(|p| p.as_path()));
    // Written into the output as rendered: a report of 100,000 nodes is never held whole.
    match svg {
        Some(svg) => emit_rendered(&args.out, &inputs, |w| {
            toc_report::write_html(&templates, &r, svg, w)
        })?,
        None if format == TocReportFormat::Md => emit_rendered(&args.out, &inputs, |w| {
            toc_report::write_markdown(&templates, &r, w)
        })?,
        None => emit_with(&args.out, &inputs, |w| toc_report::write_json(&r, w))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the report with statuses when KPI data were given.
pub fn build_report(
    loaded: &LoadedToc,
    data: Option<&KpiData>,
    org: Option<&str>,
    as_of: Option<chrono::NaiveDate>,
    capabilities: Vec<CapabilityInfo>,
    assessment_file: Option<FileUsed>,
    measures: Option<&MeasureData>,
) -> TocReport {
    let kpi = match (data, org, &loaded.kpi_set) {
        (Some(data), Some(organisation), Some((set, _))) => Some(KpiSource {
            data,
            set,
            organisation,
            as_of,
        }),
        _ => None,
    };
    let inputs = ReportInputs {
        kpi,
        kpi_data_file: data.and_then(|d| d.source.clone()),
        capabilities,
        assessment_file,
        measures: measures.map(|data| MeasureSource { data, as_of }),
    };
    build(loaded, &inputs)
}
