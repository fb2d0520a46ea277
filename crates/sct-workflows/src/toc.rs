//! Theories of change: checked, reported on (the chain, its indicators with live status from
//! KPI data and plugin measures, the capabilities behind each node) and drawn.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::provenance::{FileUsed, PluginUsed};
use sct_core::{Date, ResolveOptions, SourceFile};
use sct_kpi::data::KpiData;
use sct_kpi::data_file::read_kpi_data_file;
use sct_report::charts::ChartFormat;
use sct_report::render::Templates;
use sct_report::toc_diagram::{self, TocDrawing};
use sct_report::toc_report;
use sct_toc::export::{Statuses, to_dot, to_mermaid};
use sct_toc::load::{LoadedToc, find};
use sct_toc::report::{CapabilityInfo, ReportInputs, TocReport, build, status_map};
use sct_toc::status::{KpiSource, MeasureData, MeasureSource};

use crate::assess::{CheckFormat, invalid_as_json, json_text};
use crate::document::{Document, Output, StreamError};
use crate::error::Result;
use crate::format::formats;
use crate::measures::{PluginOptions, toc_measures};
use crate::session::Session;

formats! {
    /// Formats of the theory-of-change report.
    pub enum TocReportFormat {
        /// One self-contained HTML file, with the diagram inline.
        Html => ["html", "htm"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
        /// JSON (schema `sct-toc-report/1`).
        Json => ["json"],
    }
    fallback Md
}

formats! {
    /// Formats of the theory-of-change diagram.
    pub enum TocDiagramFormat {
        /// Accessible SVG.
        Svg => ["svg"],
        /// PNG image.
        Png => ["png"],
        /// Graphviz DOT.
        Dot => ["dot", "gv"],
        /// Mermaid flowchart.
        Mmd => ["mmd", "mermaid"],
    }
    fallback Svg
}

/// KPI data and plugin measures for the live status of a theory of change.
#[derive(Debug, Clone, Default)]
pub struct TocKpiOptions {
    /// KPI data (long-form CSV) for live status; needs `org`.
    pub kpi_data: Option<PathBuf>,
    /// The organisation's code in the KPI data, and for plugin measures.
    pub org: Option<String>,
    /// Leave out KPI data after this date.
    pub as_of: Option<Date>,
    /// How plugin measures are computed.
    pub plugins: PluginOptions,
}

/// Options of [`check`].
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// A theory-of-change file, or the id\[@version\] of a known one.
    pub toc: String,
    /// The format.
    pub format: CheckFormat,
}

/// Checks a theory of change (cycles, unknown nodes, backward links, reachability,
/// unmeasured outcomes, links without assumptions, unknown KPIs) and gives its metrics.
///
/// ```
/// use sct_workflows::{Session, assess::CheckFormat, toc::{CheckOptions, check}};
/// let session = Session::bundled()?;
/// let options = CheckOptions { toc: "scf-commissioning-toc".into(), format: CheckFormat::Text };
/// let text = String::from_utf8(check(&session, &options)?.document.into_bytes()?)?;
/// assert!(text.starts_with("ok: "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(session: &Session, options: &CheckOptions) -> Result<Output<'static>> {
    let loaded = match find(&options.toc, &session.sct.registry) {
        Ok(loaded) => loaded,
        Err(e) => {
            let file = Path::new(&options.toc)
                .exists()
                .then_some(options.toc.as_str());
            return invalid_as_json(options.format, "sct-toc-check/1", file, e);
        }
    };
    let m = sct_toc::metrics::metrics(&loaded.toc, &loaded.graph);
    if options.format == CheckFormat::Json {
        return Ok(Output::text(json_text(&serde_json::json!({
            "schema": "sct-toc-check/1",
            "file": loaded.source.name,
            "valid": true,
            "id": loaded.toc.id.get_ref(),
            "version": loaded.toc.version.get_ref(),
            "metrics": m,
            "diagnostics": loaded.warnings,
        }))));
    }
    let notices = loaded.warnings.iter().cloned().collect();
    Ok(Output::text(check_text(&loaded, &m)).with_notices(notices))
}

/// The check's lines for people.
fn check_text(loaded: &LoadedToc, m: &sct_toc::metrics::TocMetrics) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "ok: {} (theory-of-change {} {}): {} nodes, {} links, {}",
        loaded.source.name,
        loaded.toc.id.get_ref(),
        loaded.toc.version.get_ref(),
        m.nodes,
        m.links,
        sct_core::quote::count_of(loaded.warnings.warning_count(), "warning")
    );
    let pct = |s: Option<f64>| s.map_or("—".to_string(), |x| format!("{:.0} %", x * 100.0));
    let coverage: String = m
        .outcome_coverage
        .iter()
        .map(|h| format!("; {} {} of {}", h.node_type.as_str(), h.measured, h.nodes))
        .collect();
    let _ = writeln!(
        text,
        "outcomes measured: {}{coverage}",
        pct(m.outcomes_measured_share)
    );
    let evidence: Vec<String> = m
        .evidence
        .iter()
        .map(|e| format!("{} {}", e.evidence.as_str(), e.links))
        .collect();
    let _ = writeln!(
        text,
        "links with an assumption: {} of {} ({}); evidence: {}",
        m.links_with_assumption,
        m.links,
        pct(m.assumption_share),
        evidence.join(", ")
    );
    let chain = if m.longest_measured_chain.is_empty() {
        "none".to_string()
    } else {
        format!(
            "{} nodes ({})",
            m.longest_measured_chain.len(),
            m.longest_measured_chain.join(" → ")
        )
    };
    let _ = writeln!(text, "longest measured chain: {chain}");
    text
}

/// Options of [`report`].
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// A theory-of-change file, or the id\[@version\] of a known one.
    pub toc: String,
    /// KPI data and plugin measures for live status.
    pub kpi: TocKpiOptions,
    /// An assessment response: each node's capabilities listed with their current levels.
    pub assessment: Option<PathBuf>,
    /// Templates to use instead of the bundled ones.
    pub template_dir: Option<PathBuf>,
    /// The format.
    pub format: TocReportFormat,
}

/// The report on a theory of change: the chain, indicators, live status and roll-up from
/// KPI data, the capabilities behind each node, links and assumptions, metrics. Streamed:
/// a report of 100,000 nodes is never held whole.
///
/// ```
/// use sct_workflows::{Session, toc::{ReportOptions, TocReportFormat, report}};
/// let session = Session::bundled()?;
/// let options = ReportOptions {
///     toc: "scf-commissioning-toc".into(),
///     kpi: Default::default(),
///     assessment: None,
///     template_dir: None,
///     format: TocReportFormat::Json,
/// };
/// let json = String::from_utf8(report(&session, &options)?.document.into_bytes()?)?;
/// assert!(json.contains("\"schema\": \"sct-toc-report/1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report(session: &Session, options: &ReportOptions) -> Result<Output<'static>> {
    let loaded = find(&options.toc, &session.sct.registry)?;
    let mut notices = Vec::new();
    let live = live_inputs(session, &loaded, &options.kpi, &mut notices)?;
    let (caps, assessment_file) = capabilities(session, options.assessment.as_ref())?;
    let mut r = build_report(
        &loaded,
        &live,
        options.kpi.org.as_deref(),
        caps,
        assessment_file,
    );
    r.provenance.plugins = plugins_used(live.measures.as_ref(), live.data.as_ref());
    let templates = Templates::load(options.template_dir.as_deref())?;
    let document: Document<'static> = match options.format {
        TocReportFormat::Html => {
            let statuses = r.has_status.then(|| status_map(&r));
            // The page's data (the report less its links) first, and the rest of the report
            // dropped, before the diagram is laid out: of 100,000 nodes, each is hundreds of
            // megabytes.
            let (data, links) = toc_report::html_data(&templates, r)?;
            let drawing = TocDrawing::new(&loaded.toc, &loaded.graph, statuses.as_ref())
                .map_err(sct_report::render::ReportError::from)?;
            // Only the theory itself is drawn from now on (not its graph, nor its text).
            let toc = loaded.toc;
            Document::Rendered(Box::new(move |w| {
                let figures =
                    |w: &mut dyn std::io::Write| drawing.write_figures(&toc, statuses.as_ref(), w);
                streamed(toc_report::write_html_data(
                    &templates, data, &links, &figures, w,
                ))
            }))
        }
        TocReportFormat::Md => Document::Rendered(Box::new(move |w| {
            streamed(toc_report::write_markdown(&templates, &r, w))
        })),
        TocReportFormat::Json => {
            Document::Streamed(Box::new(move |w| Ok(toc_report::write_json(&r, w)?)))
        }
    };
    Ok(Output::new(document).with_notices(notices))
}

/// A report written into a stream, its two errors as one.
fn streamed(
    written: std::io::Result<std::result::Result<(), sct_report::render::ReportError>>,
) -> std::result::Result<(), StreamError> {
    Ok(written?.map_err(crate::error::Error::from)?)
}

/// Options of [`diagram`].
#[derive(Debug, Clone)]
pub struct DiagramOptions {
    /// A theory-of-change file, or the id\[@version\] of a known one.
    pub toc: String,
    /// KPI data and plugin measures: each node drawn with its live status.
    pub kpi: TocKpiOptions,
    /// The format.
    pub format: TocDiagramFormat,
}

/// A theory of change drawn: a layered left-to-right diagram (one column per node type,
/// crossings reduced) as SVG or PNG, or exported as Graphviz DOT or Mermaid.
pub fn diagram(session: &Session, options: &DiagramOptions) -> Result<Output<'static>> {
    let loaded = find(&options.toc, &session.sct.registry)?;
    let mut notices: Vec<Diagnostic> = loaded.warnings.iter().cloned().collect();
    let live = live_inputs(session, &loaded, &options.kpi, &mut notices)?;
    // With KPI data, each node is drawn with its live status and the roll-up.
    let statuses: Option<Statuses> = (live.data.is_some() || live.measures.is_some()).then(|| {
        let r = build_report(&loaded, &live, options.kpi.org.as_deref(), Vec::new(), None);
        status_map(&r)
    });
    let chart_error = sct_report::render::ReportError::from;
    let output = match options.format {
        TocDiagramFormat::Svg => {
            // Drawn straight into the output: the SVG of 100,000 nodes is hundreds of
            // megabytes. Measured and laid out first, so that nothing is written on an error.
            let drawing = TocDrawing::new(&loaded.toc, &loaded.graph, statuses.as_ref())
                .map_err(chart_error)?;
            Output::new(Document::Rendered(Box::new(move |w| {
                let drawn = drawing.write_svg(&loaded.toc, statuses.as_ref(), w)?;
                Ok(drawn.map_err(|e| crate::error::Error::from(chart_error(e)))?)
            })))
        }
        TocDiagramFormat::Png => {
            let (toc, graph, statuses) = (&loaded.toc, &loaded.graph, statuses.as_ref());
            let png = toc_diagram::toc_diagram(toc, graph, statuses, ChartFormat::Png);
            Output::bytes(png.map_err(chart_error)?)
        }
        TocDiagramFormat::Dot => Output::text(to_dot(&loaded.toc, statuses.as_ref())),
        TocDiagramFormat::Mmd => Output::text(to_mermaid(&loaded.toc, statuses.as_ref())),
    };
    Ok(output.with_notices(notices))
}

/// The KPI data, review date and plugin measures behind a theory's live status.
struct LiveInputs {
    data: Option<KpiData>,
    as_of: Option<chrono::NaiveDate>,
    measures: Option<(MeasureData, Vec<PluginUsed>)>,
}

/// The KPI data and plugin measures `options` name. KPIs of the set that are plugin
/// measures are computed for the organisation.
fn live_inputs(
    session: &Session,
    loaded: &LoadedToc,
    options: &TocKpiOptions,
    notices: &mut Vec<Diagnostic>,
) -> Result<LiveInputs> {
    let data = match (&options.kpi_data, &options.org) {
        (Some(d), Some(org)) => {
            let mut data = kpi_data(loaded, d, org, notices)?;
            if let Some((set, _)) = &loaded.kpi_set
                && set.indicators.iter().any(|i| i.measure.is_some())
            {
                let orgs = std::slice::from_ref(org);
                crate::measures::fill_kpi_measures(
                    session,
                    set,
                    &mut data,
                    orgs,
                    &options.plugins,
                    notices,
                );
            }
            Some(data)
        }
        _ => None,
    };
    let org = options.org.as_deref();
    let measures = toc_measures(session, &loaded.toc, org, &options.plugins, notices);
    Ok(LiveInputs {
        data,
        as_of: options.as_of.map(|d| d.0),
        measures,
    })
}

/// Reads the KPI data for one organisation, against the theory of change's KPI set.
fn kpi_data(
    loaded: &LoadedToc,
    data: &Path,
    org: &str,
    notices: &mut Vec<Diagnostic>,
) -> Result<KpiData> {
    let invalid = |d: Diagnostic| sct_core::Error::Invalid(Diagnostics(vec![d]));
    let Some((set, _)) = &loaded.kpi_set else {
        return Err(invalid(
            Diagnostic::error(format!(
                "KPI data needs a KPI set, but {} names none that is known",
                loaded.source.name
            ))
            .expected("kpi_set = \"<the id of a known KPI set>\" in the theory of change")
            .settings([sct_core::setting::Setting::TocKpiData]),
        )
        .into());
    };
    let keep: BTreeSet<String> = [org.to_string()].into();
    let name = data.display().to_string();
    let file = sct_core::source::open_input(data)?;
    let kpi = read_kpi_data_file(file, &name, set, Some(&keep), false)
        .map_err(sct_core::Error::Invalid)?;
    notices.extend(
        kpi.warnings
            .iter()
            .map(|w| Diagnostic::warning(w.to_string())),
    );
    if !kpi.organisations.contains(org) {
        return Err(invalid(
            Diagnostic::error(format!("no rows for organisation {org} in {name}"))
                .expected("an organisation code in the file's `organisation` column")
                .settings([sct_core::setting::Setting::Organisation]),
        )
        .into());
    }
    Ok(kpi)
}

/// The toolkit's capabilities with what they move, and their levels from an assessment
/// (without one: the newest capability toolkit known, no levels).
fn capabilities(
    session: &Session,
    assessment: Option<&PathBuf>,
) -> Result<(Vec<CapabilityInfo>, Option<FileUsed>)> {
    let sct = &session.sct;
    let Some(path) = assessment else {
        let toolkit = sct.registry.iter().filter_map(|f| f.as_toolkit()).last();
        let caps = toolkit.map(|t| capability_infos(t, |_| None));
        return Ok((caps.unwrap_or_default(), None));
    };
    let assessed = sct.assess_file(path, ResolveOptions::default(), None)?;
    let levels: HashMap<&str, Option<String>> = assessed
        .score
        .domains
        .iter()
        .flat_map(|d| &d.capabilities)
        .map(|c| {
            let na = (c.state == "n/a").then(|| "n/a".to_string());
            (c.id.as_str(), c.level_name.clone().or(na))
        })
        .collect();
    let caps = capability_infos(assessed.frameworks.toolkit, |id| {
        levels
            .get(id)
            .cloned()
            .flatten()
            .or_else(|| Some("not answered".into()))
    });
    let src = SourceFile::read(path)?;
    let file = FileUsed {
        file: src.name,
        sha256: src.sha256,
    };
    Ok((caps, Some(file)))
}

/// The toolkit's capabilities that move some node, each with the level `level` gives it.
fn capability_infos(
    toolkit: &sct_core::model::CapabilityToolkit,
    level: impl Fn(&str) -> Option<String>,
) -> Vec<CapabilityInfo> {
    toolkit
        .domains
        .iter()
        .flat_map(|d| &d.capabilities)
        .filter(|c| !c.moves.is_empty())
        .map(|c| CapabilityInfo {
            id: c.id.get_ref().clone(),
            title: c.title.clone(),
            moves: c.moves.iter().map(|m| m.get_ref().clone()).collect(),
            level: level(c.id.get_ref()),
        })
        .collect()
}

/// The plugins behind a report's series: those of the theory's own measures and those of its
/// KPI set's plugin-measure KPIs, one entry per plugin.
fn plugins_used(
    measures: Option<&(MeasureData, Vec<PluginUsed>)>,
    data: Option<&KpiData>,
) -> Vec<PluginUsed> {
    let mut by_name: BTreeMap<String, PluginUsed> = BTreeMap::new();
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

/// Builds the report, with statuses when KPI data or measures were given.
fn build_report(
    loaded: &LoadedToc,
    live: &LiveInputs,
    org: Option<&str>,
    capabilities: Vec<CapabilityInfo>,
    assessment_file: Option<FileUsed>,
) -> TocReport {
    let kpi = match (&live.data, org, &loaded.kpi_set) {
        (Some(data), Some(organisation), Some((set, _))) => Some(KpiSource {
            data,
            set,
            organisation,
            as_of: live.as_of,
        }),
        _ => None,
    };
    let inputs = ReportInputs {
        kpi,
        kpi_data_file: live.data.as_ref().and_then(|d| d.source.clone()),
        capabilities,
        assessment_file,
        measures: live.measures.as_ref().map(|(data, _)| MeasureSource {
            data,
            as_of: live.as_of,
        }),
    };
    build(loaded, &inputs)
}
