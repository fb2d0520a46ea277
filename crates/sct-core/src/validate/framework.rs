//! Checks of framework files: a toolkit or round on its own, and a round's references to
//! its toolkit.

use std::collections::BTreeMap;

use toml::Spanned;

use crate::assessment::Confidence;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::FrameworkRegistry;
use crate::model::{
    AssessmentRound, CapabilityToolkit, Documents, FrameworkKind, SourceRef, SupportLink,
};
use crate::source::SourceFile;

use super::is_kebab_id;

/// Records ids, reporting the second of any duplicate with the line of the first.
struct IdSet<'a> {
    what: &'static str,
    seen: BTreeMap<String, std::ops::Range<usize>>,
    src: &'a SourceFile,
}

impl<'a> IdSet<'a> {
    fn new(what: &'static str, src: &'a SourceFile) -> Self {
        IdSet {
            what,
            seen: BTreeMap::new(),
            src,
        }
    }

    fn add(&mut self, id: &Spanned<String>, diags: &mut Diagnostics) {
        let value = id.get_ref();
        if !is_kebab_id(value) {
            diags.push(
                self.src
                    .error_at(id.span(), format!("{} id \"{value}\" is not kebab-case", self.what))
                    .expected("lower-case letters, digits and single hyphens, for example integrated-needs-assessment"),
            );
        }
        if let Some(first) = self.seen.get(value) {
            let (line, _) = self.src.line_col(first.start);
            diags.push(
                self.src
                    .error_at(id.span(), format!("duplicate {} id \"{value}\"", self.what))
                    .expected(format!(
                        "a unique id; \"{value}\" is first used at line {line}"
                    )),
            );
        } else {
            self.seen.insert(value.clone(), id.span());
        }
    }
}

fn check_source(
    source: &SourceRef,
    documents: &Documents,
    src: &SourceFile,
    diags: &mut Diagnostics,
) {
    let doc = source.doc.get_ref();
    if !documents.contains_key(doc) {
        let known = documents.keys().cloned().collect::<Vec<_>>().join(", ");
        diags.push(
            src.error_at(
                source.doc.span(),
                format!("source cites document \"{doc}\", which is not in [documents]"),
            )
            .expected(if known.is_empty() {
                "a key of the file's [documents] table (the table is empty)".to_string()
            } else {
                format!("one of: {known}")
            }),
        );
    }
    if source.section.trim().is_empty() {
        diags.push(
            src.error_at(source.doc.span(), "source has an empty section")
                .expected("the section of the document, for example 3.1"),
        );
    }
}

/// The smallest and largest weight a toolkit may give. Weights only matter relative to each
/// other, so a million to one is ample; inside this range a plan's weighted gap (gap ×
/// capability weight × domain weight) and every weighted sum stay far from overflow and
/// underflow, where `1e308` made a score NaN.
pub const WEIGHT_RANGE: (f64, f64) = (1e-6, 1e6);

fn check_weight(
    weight: Option<&Spanned<f64>>,
    what: &str,
    src: &SourceFile,
    diags: &mut Diagnostics,
) {
    if let Some(w) = weight {
        let value = *w.get_ref();
        let (min, max) = WEIGHT_RANGE;
        if !(min..=max).contains(&value) {
            diags.push(
                src.error_at(w.span(), format!("{what} weight {value} is not allowed"))
                    .expected(format!(
                        "a number from {min} to {max} (the default is 1; weights count only relative to each other)"
                    )),
            );
        }
    }
}

fn check_descriptors(
    descriptors: &BTreeMap<Spanned<String>, String>,
    owner: &Spanned<String>,
    what: &str,
    toolkit: &CapabilityToolkit,
    src: &SourceFile,
    diags: &mut Diagnostics,
) {
    for (key, text) in descriptors {
        if toolkit.level_rank(key.get_ref()).is_none() {
            diags.push(
                src.error_at(
                    key.span(),
                    format!("\"{}\" is not a level of this toolkit", key.get_ref()),
                )
                .expected(format!("one of: {}", toolkit.level_list())),
            );
        } else if text.trim().is_empty() {
            diags.push(
                src.error_at(
                    key.span(),
                    format!("empty {what} descriptor for level \"{}\"", key.get_ref()),
                )
                .expected("a sentence saying what this level looks like"),
            );
        }
    }
    for level in toolkit.level_ids() {
        if !descriptors.contains_key(level) {
            diags.push(
                src.error_at(
                    owner.span(),
                    format!(
                        "capability \"{}\" has no {what} descriptor for level \"{level}\"",
                        owner.get_ref()
                    ),
                )
                .expected(format!(
                    "a descriptor for every level: {}",
                    toolkit.level_list()
                )),
            );
        }
    }
}

/// Checks support links: each names a strand or a milestone, strands are strands of the
/// toolkit's `[planning]`, sources cite known documents. (Milestone ids are checked against
/// the rounds that use the toolkit, by [`check_toolkit_references`].)
fn check_support(
    links: &[SupportLink],
    t: &CapabilityToolkit,
    src: &SourceFile,
    diags: &mut Diagnostics,
) {
    for link in links {
        check_source(&link.source, &t.documents, src, diags);
        if link.strands.is_empty() && link.milestones.is_empty() {
            diags.push(
                src.error_at(
                    link.source.doc.span(),
                    "a support link names no strand and no milestone",
                )
                .expected("strands = [...] and/or milestones = [...]"),
            );
        }
        for s in &link.strands {
            if t.planning.strand(s.get_ref()).is_none() {
                let known: Vec<&str> = t
                    .planning
                    .strands
                    .iter()
                    .map(|x| x.id.get_ref().as_str())
                    .collect();
                let mut d = src
                    .error_at(
                        s.span(),
                        format!(
                            "support names strand \"{}\", which is not in [[planning.strands]]",
                            s.get_ref()
                        ),
                    )
                    .expected(if known.is_empty() {
                        "a strand id of [[planning.strands]] (the toolkit defines none)".to_string()
                    } else {
                        format!("one of: {}", known.join(", "))
                    });
                if let Some(near) = super::closest(s.get_ref(), known.iter().copied()) {
                    d = d.hint(format!("did you mean \"{near}\"?"));
                }
                diags.push(d);
            }
        }
    }
}

/// Checks the `[planning]` table: strand ids and sources, the rule's keys, confidences.
fn check_planning(t: &CapabilityToolkit, src: &SourceFile, diags: &mut Diagnostics) {
    let p = &t.planning;
    let mut strand_ids = IdSet::new("strand", src);
    for s in &p.strands {
        strand_ids.add(&s.id, diags);
        check_source(&s.source, &t.documents, src, diags);
        if s.title.trim().is_empty() {
            diags.push(
                src.error_at(
                    s.id.span(),
                    format!("strand \"{}\" has no title", s.id.get_ref()),
                )
                .expected("a title, for example \"Organisational development\""),
            );
        }
    }
    if let Some(source) = &p.source {
        check_source(source, &t.documents, src, diags);
    }
    if p.order.is_empty() {
        diags.push(
            Diagnostic::error("[planning] order is empty")
                .in_file(&src.name)
                .expected("at least one key, for example [\"weighted-gap\", \"milestone-due\"]"),
        );
    }
    for (i, key) in p.order.iter().enumerate() {
        if p.order[..i].contains(key) {
            diags.push(
                Diagnostic::error(format!("[planning] order names \"{}\" twice", key.as_str()))
                    .in_file(&src.name)
                    .expected("each key once"),
            );
        }
    }
    for c in &p.validate_confidence {
        if Confidence::parse(c.get_ref()).is_none() {
            diags.push(
                src.error_at(c.span(), format!("\"{}\" is not a confidence", c.get_ref()))
                    .expected("low, medium or high"),
            );
        }
    }
}

/// Checks a toolkit's references to other frameworks: every milestone its support links name
/// is a milestone of a round that uses this toolkit (id and version; when no round uses it,
/// they cannot be checked and a warning says so), and every `moves` names a node of a theory
/// of change or, as `kpi:<id>`, an indicator of a KPI set, known to the registry.
pub fn check_toolkit_references(
    t: &CapabilityToolkit,
    src: &SourceFile,
    registry: &FrameworkRegistry,
) -> Diagnostics {
    let mut diags = check_moves(t, src, registry);
    let links: Vec<&SupportLink> = t
        .domains
        .iter()
        .flat_map(|d| {
            d.support
                .iter()
                .chain(d.capabilities.iter().flat_map(|c| c.support.iter()))
        })
        .collect();
    if links.iter().all(|l| l.milestones.is_empty()) {
        return diags;
    }
    let rounds: Vec<&AssessmentRound> = registry
        .iter()
        .filter_map(|f| f.as_round())
        .filter(|r| {
            r.toolkit.id.get_ref() == t.id.get_ref()
                && r.toolkit.version.get_ref() == t.version.get_ref()
        })
        .collect();
    if rounds.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "no assessment round uses {} {}, so the milestones its support links name cannot be checked",
                t.id.get_ref(),
                t.version.get_ref()
            ))
            .in_file(&src.name),
        );
        return diags;
    }
    let known: BTreeMap<&str, ()> = rounds
        .iter()
        .flat_map(|r| r.milestones.iter().map(|m| (m.id.get_ref().as_str(), ())))
        .collect();
    let round_ids: Vec<&str> = rounds.iter().map(|r| r.id.get_ref().as_str()).collect();
    for link in links {
        for m in &link.milestones {
            if !known.contains_key(m.get_ref().as_str()) {
                let mut d = src
                    .error_at(
                        m.span(),
                        format!(
                            "support names milestone \"{}\", which no round using {} {} has",
                            m.get_ref(),
                            t.id.get_ref(),
                            t.version.get_ref()
                        ),
                    )
                    .expected(format!(
                        "a milestone id of {}: {}",
                        round_ids.join(", "),
                        known.keys().copied().collect::<Vec<_>>().join(", ")
                    ));
                if let Some(near) = super::closest(m.get_ref(), known.keys().copied()) {
                    d = d.hint(format!("did you mean \"{near}\"?"));
                }
                diags.push(d);
            }
        }
    }
    diags
}

/// The ids a framework of a kind read by another crate declares, read leniently from its
/// text: a theory of change's nodes, a KPI set's indicators.
#[derive(Default, serde::Deserialize)]
struct DeclaredIds {
    #[serde(default)]
    nodes: Vec<DeclaredId>,
    #[serde(default)]
    indicators: Vec<DeclaredId>,
}

#[derive(serde::Deserialize)]
struct DeclaredId {
    id: String,
}

/// Checks that each capability's `moves` names something that exists: a node of a theory of
/// change, or `kpi:<id>`, an indicator of a KPI set, among the frameworks the registry holds
/// (the bundled ones and any added). A name that matches nothing is an error at the name,
/// as an unknown milestone or strand is: the report would silently link it to nothing.
fn check_moves(
    t: &CapabilityToolkit,
    src: &SourceFile,
    registry: &FrameworkRegistry,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let moves: Vec<(&str, &Spanned<String>)> = t
        .domains
        .iter()
        .flat_map(|d| &d.capabilities)
        .flat_map(|c| c.moves.iter().map(move |m| (c.id.get_ref().as_str(), m)))
        .collect();
    if moves.is_empty() {
        return diags;
    }
    let mut nodes: Vec<(String, &str)> = Vec::new();
    let mut kpis: Vec<(String, &str)> = Vec::new();
    for fw in registry.iter() {
        let out = match fw.header.kind {
            FrameworkKind::TheoryOfChange => &mut nodes,
            FrameworkKind::KpiSet => &mut kpis,
            _ => continue,
        };
        // A file that does not parse is reported by its own checks, where it is used.
        let ids: DeclaredIds = toml::from_str(&fw.source.text).unwrap_or_default();
        out.extend(
            ids.nodes
                .into_iter()
                .chain(ids.indicators)
                .map(|n| (n.id, fw.id())),
        );
    }
    let framework_ids = |list: &[(String, &str)]| {
        let mut ids: Vec<&str> = list.iter().map(|(_, fw)| *fw).collect();
        ids.dedup();
        ids.join(", ")
    };
    for (capability, m) in moves {
        let name = m.get_ref().as_str();
        let (id, list, what) = match name.strip_prefix("kpi:") {
            Some(kpi) => (kpi, &kpis, "an indicator of any KPI set"),
            None => (name, &nodes, "a node of any theory of change"),
        };
        if list.iter().any(|(known, _)| known == id) {
            continue;
        }
        let mut d = src
            .error_at(
                m.span(),
                format!("capability \"{capability}\" moves \"{name}\", which is not {what}"),
            )
            .expected(format!(
                "a node id of a theory of change ({}), or kpi:<id> with an indicator of a KPI set ({})",
                framework_ids(&nodes),
                framework_ids(&kpis)
            ));
        if let Some(near) = super::closest(id, list.iter().map(|(known, _)| known.as_str())) {
            let near = if name.starts_with("kpi:") {
                format!("kpi:{near}")
            } else {
                near.to_string()
            };
            d = d.hint(format!("did you mean \"{near}\"?"));
        }
        diags.push(d);
    }
    diags
}

/// Checks a capability toolkit on its own: ids, levels, descriptors, weights, bands, sources,
/// the planning table and support links.
pub fn check_toolkit(t: &CapabilityToolkit, src: &SourceFile) -> Diagnostics {
    let mut diags = Diagnostics::default();
    check_planning(t, src, &mut diags);
    if t.kind != FrameworkKind::Capability {
        diags.push(src.error_at(
            t.id.span(),
            "a capability toolkit must have kind = \"capability\"",
        ));
    }
    if t.levels.len() < 2 {
        diags.push(
            src.error_at(
                t.id.span(),
                format!(
                    "the toolkit has {}",
                    crate::quote::count_of(t.levels.len(), "level")
                ),
            )
            .expected("at least 2 [[levels]], lowest first"),
        );
    }
    let mut level_ids = IdSet::new("level", src);
    for level in &t.levels {
        level_ids.add(&level.id, &mut diags);
        if let Some(source) = &level.source {
            check_source(source, &t.documents, src, &mut diags);
        }
    }
    if t.domains.is_empty() {
        diags.push(
            src.error_at(t.id.span(), "the toolkit has no domains")
                .expected("at least one [[domains]]"),
        );
    }
    let domain_ids = check_domains(t, src, &mut diags);
    check_bands(t, src, &mut diags);
    check_crosswalk(t, src, &domain_ids, &mut diags);
    diags
}

/// Domains and their capabilities: unique ids, sources, weights, support and descriptors.
/// Returns the domain ids, which the crosswalk must name.
fn check_domains<'a>(
    t: &CapabilityToolkit,
    src: &'a SourceFile,
    diags: &mut Diagnostics,
) -> IdSet<'a> {
    let mut domain_ids = IdSet::new("domain", src);
    let mut capability_ids = IdSet::new("capability", src);
    for domain in &t.domains {
        domain_ids.add(&domain.id, diags);
        check_source(&domain.source, &t.documents, src, diags);
        check_weight(domain.weight.as_ref(), "domain", src, diags);
        check_support(&domain.support, t, src, diags);
        if domain.capabilities.is_empty() {
            diags.push(
                src.error_at(
                    domain.id.span(),
                    format!("domain \"{}\" has no capabilities", domain.id.get_ref()),
                )
                .expected("at least one [[domains.capabilities]]"),
            );
        }
        for cap in &domain.capabilities {
            capability_ids.add(&cap.id, diags);
            check_source(&cap.source, &t.documents, src, diags);
            check_weight(cap.weight.as_ref(), "capability", src, diags);
            check_support(&cap.support, t, src, diags);
            check_descriptors(&cap.descriptors, &cap.id, "organisational", t, src, diags);
            if let Some(ind) = &cap.individual {
                check_source(&ind.source, &t.documents, src, diags);
                check_descriptors(&ind.descriptors, &cap.id, "individual", t, src, diags);
            }
        }
    }
    domain_ids
}

/// Scoring bands name known levels and rise.
fn check_bands(t: &CapabilityToolkit, src: &SourceFile, diags: &mut Diagnostics) {
    let mut previous: Option<(usize, f64)> = None;
    for band in &t.scoring.bands {
        let Some(rank) = t.level_rank(band.level.get_ref()) else {
            diags.push(
                src.error_at(
                    band.level.span(),
                    format!("band names unknown level \"{}\"", band.level.get_ref()),
                )
                .expected(format!("one of: {}", t.level_list())),
            );
            continue;
        };
        let min = *band.min_score.get_ref();
        if !min.is_finite() {
            diags.push(src.error_at(
                band.min_score.span(),
                "band min_score must be a finite number",
            ));
        }
        if let Some((prev_rank, prev_min)) = previous
            && (rank <= prev_rank || min <= prev_min)
        {
            diags.push(
                src.error_at(band.min_score.span(), "bands must rise: each band a higher level and a higher min_score than the one before")
                    .expected(format!("a level above rank {prev_rank} with min_score above {prev_min}")),
            );
        }
        previous = Some((rank, min));
    }
}

/// Each enabler of the crosswalk is mapped to known domains.
fn check_crosswalk(
    t: &CapabilityToolkit,
    src: &SourceFile,
    domain_ids: &IdSet<'_>,
    diags: &mut Diagnostics,
) {
    for entry in &t.enabler_crosswalk {
        check_source(&entry.source, &t.documents, src, diags);
        if entry.domains.is_empty() {
            diags.push(
                src.error_at(
                    entry.source.doc.span(),
                    format!("enabler \"{}\" is mapped to no domain", entry.enabler),
                )
                .expected("at least one domain id"),
            );
        }
        for d in &entry.domains {
            if !domain_ids.seen.contains_key(d.get_ref()) {
                diags.push(
                    src.error_at(
                        d.span(),
                        format!("crosswalk names unknown domain \"{}\"", d.get_ref()),
                    )
                    .expected(format!(
                        "one of: {}",
                        domain_ids
                            .seen
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
    }
}

/// Checks an assessment round on its own: window, due dates, milestone ids, sources.
pub fn check_round_alone(r: &AssessmentRound, src: &SourceFile) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if r.kind != FrameworkKind::AssessmentRound {
        diags.push(src.error_at(
            r.id.span(),
            "an assessment round must have kind = \"assessment-round\"",
        ));
    }
    if r.window.opens.get_ref() > r.window.closes.get_ref() {
        diags.push(
            src.error_at(
                r.window.closes.span(),
                format!(
                    "the window closes ({}) before it opens ({})",
                    r.window.closes.get_ref(),
                    r.window.opens.get_ref()
                ),
            )
            .expected("closes on or after opens"),
        );
    }
    if r.due.get_ref() < r.window.opens.get_ref() {
        diags.push(
            src.error_at(
                r.due.span(),
                format!(
                    "the round is due ({}) before its window opens ({})",
                    r.due.get_ref(),
                    r.window.opens.get_ref()
                ),
            )
            .expected("a due date on or after the window opens"),
        );
    }
    let mut ids = IdSet::new("milestone", src);
    for m in &r.milestones {
        ids.add(&m.id, &mut diags);
        if m.due.is_empty() {
            diags.push(
                src.error_at(
                    m.id.span(),
                    format!("milestone \"{}\" has no due date", m.id.get_ref()),
                )
                .expected("at least one [[milestones.due]]"),
            );
        }
        for due in &m.due {
            check_source(&due.source, &r.documents, src, &mut diags);
        }
        let used = m.due.iter().filter(|d| d.used_for_status).count();
        if m.due.len() > 1 && used != 1 {
            diags.push(
                src.error_at(
                    m.id.span(),
                    format!(
                        "milestone \"{}\" has {} due dates and {used} marked used_for_status",
                        m.id.get_ref(),
                        m.due.len()
                    ),
                )
                .expected(
                    "exactly one due date with used_for_status = true when sources give several",
                ),
            );
        }
    }
    let mut pids = IdSet::new("programme date", src);
    for p in &r.programme_dates {
        pids.add(&p.id, &mut diags);
        check_source(&p.source, &r.documents, src, &mut diags);
    }
    diags
}

/// Checks a round's references: its toolkit and version exist, and its milestones name
/// capabilities of that toolkit.
pub fn check_round_references(
    r: &AssessmentRound,
    src: &SourceFile,
    registry: &FrameworkRegistry,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let id = r.toolkit.id.get_ref();
    let version = r.toolkit.version.get_ref();
    let versions = registry.versions_of(id);
    if versions.is_empty() {
        diags.push(
            src.error_at(
                r.toolkit.id.span(),
                format!("the round uses toolkit \"{id}\", which is not a known framework"),
            )
            .hint("add the toolkit's file from a directory of extra frameworks, or fix the id")
            .settings([crate::setting::Setting::FrameworkDir]),
        );
        return diags;
    }
    let Ok(fw) = registry.get(id, Some(version)) else {
        diags.push(
            src.error_at(
                r.toolkit.version.span(),
                format!("the round uses {id} version {version}, which is not known"),
            )
            .expected(format!("a known version of {id}: {}", versions.join(", "))),
        );
        return diags;
    };
    let Some(toolkit) = fw.as_toolkit() else {
        diags.push(
            src.error_at(
                r.toolkit.id.span(),
                format!(
                    "\"{id}\" is a {} framework, not a capability toolkit",
                    fw.header.kind
                ),
            )
            .expected("the id of a framework of kind capability"),
        );
        return diags;
    };
    for m in &r.milestones {
        for c in &m.capabilities {
            if toolkit.capability(c.get_ref()).is_none() {
                diags.push(
                    src.error_at(c.span(), format!("milestone \"{}\" names capability \"{}\", which is not in {id} {version}", m.id.get_ref(), c.get_ref()))
                        .expected("a capability id of the round's toolkit"),
                );
            }
        }
    }
    diags
}
