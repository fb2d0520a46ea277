//! Blank response templates: every capability listed with its level descriptors as comments
//! and blank fields to fill in. A blank template validates (with coverage 0), so users can
//! check their file as they go.

use std::fmt::Write as _;

use crate::assessment::{Answer, AnswerLevel, Assessment};
use crate::load::LoadedFramework;
use crate::model::{
    AssessmentRound, Capability, CapabilityToolkit, PreviousDoc, Rater, ResponseType,
};
use crate::provenance::SCT_VERSION;

/// A TOML string literal for `s`.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Whether an answer says anything worth carrying (a level, n/a, evidence or a target).
fn has_content(a: &Answer) -> bool {
    !matches!(a.level, AnswerLevel::Unanswered)
        || !a.evidence.is_empty()
        || a.target.is_some()
        || !a.rationale.trim().is_empty()
}

/// Writes `text` as comment lines of at most about 96 characters, each starting `prefix`.
fn comment(out: &mut String, prefix: &str, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + word.len() + 1 > 96 {
            let _ = writeln!(out, "{prefix}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{prefix}{line}");
    }
}

/// The blank template for a round (with its milestones) or a toolkit alone.
pub fn response_template(
    toolkit_file: &LoadedFramework,
    toolkit: &CapabilityToolkit,
    round: Option<(&LoadedFramework, &AssessmentRound)>,
    response_type: ResponseType,
) -> String {
    let t = Template {
        toolkit_file,
        toolkit,
        round,
        response_type,
        rater: None,
        carry: None,
    };
    t.write()
}

/// As [`response_template`], for one rater of a team assessment: the organisation's template
/// with the `[rater]` named and its `[status]` a draft of theirs.
pub fn rater_template(
    toolkit_file: &LoadedFramework,
    toolkit: &CapabilityToolkit,
    round: Option<(&LoadedFramework, &AssessmentRound)>,
    rater: &Rater,
) -> String {
    let t = Template {
        toolkit_file,
        toolkit,
        round,
        response_type: ResponseType::Organisation,
        rater: Some(rater),
        carry: None,
    };
    t.write()
}

/// An earlier response to start the next round's from.
#[derive(Debug, Clone, Copy)]
pub struct CarryForward<'a> {
    /// The earlier response, resolved against its own toolkit.
    pub earlier: &'a Assessment,
    /// The earlier response's toolkit (its levels name the carried answers' ranks).
    pub earlier_toolkit: &'a CapabilityToolkit,
    /// The `[previous]` table to write.
    pub previous: &'a PreviousDoc,
    /// The organisation's name and ODS code, when not the earlier response's (a successor).
    pub organisation: Option<(&'a str, &'a str)>,
}

/// The template for a round (or toolkit) started from an earlier response: every answer
/// carried forward and marked `carried_over = true`, to review, with a `[previous]` table
/// naming the earlier file. Answers are carried by capability id and level id, so a
/// capability the toolkit no longer has is left out (and listed in a comment).
pub fn response_template_from(
    toolkit_file: &LoadedFramework,
    toolkit: &CapabilityToolkit,
    round: Option<(&LoadedFramework, &AssessmentRound)>,
    carry: CarryForward<'_>,
) -> String {
    let t = Template {
        toolkit_file,
        toolkit,
        round,
        response_type: carry.earlier.response_type,
        rater: None,
        carry: Some(carry),
    };
    t.write()
}

/// What a template is made from.
struct Template<'a> {
    toolkit_file: &'a LoadedFramework,
    toolkit: &'a CapabilityToolkit,
    round: Option<(&'a LoadedFramework, &'a AssessmentRound)>,
    response_type: ResponseType,
    /// The rater, for one rater's view of a team assessment.
    rater: Option<&'a Rater>,
    carry: Option<CarryForward<'a>>,
}

impl Template<'_> {
    fn write(&self) -> String {
        let mut out = String::new();
        self.heading(&mut out);
        self.carried_heading(&mut out);
        self.fields(&mut out);
        self.team(&mut out);
        self.capabilities(&mut out);
        self.milestones(&mut out);
        out
    }

    /// What a carried-forward template says about the answers it carries.
    fn carried_heading(&self, out: &mut String) {
        let Some(c) = self.carry else {
            return;
        };
        comment(
            out,
            "# ",
            &format!(
                "Started from {} ({}): every answer is carried over and marked carried_over = true. Review each one; change what has changed, and remove carried_over (or set it to false) once it has been looked at again. `sct diff` and the report show what changed and what is merely carried over.",
                c.previous.file,
                c.earlier.round.as_deref().unwrap_or("no round")
            ),
        );
        let gone: Vec<&str> = c
            .earlier
            .answers
            .iter()
            .filter(|(id, a)| self.toolkit.capability(id).is_none() && has_content(a))
            .map(|(id, _)| id.as_str())
            .collect();
        if !gone.is_empty() {
            comment(
                out,
                "# ",
                &format!(
                    "Not carried over, as this toolkit has no such capability: {}.",
                    gone.join(", ")
                ),
            );
        }
        let _ = writeln!(out);
    }
    /// The title, what it was made from, how to fill it in, and the levels.
    fn heading(&self, out: &mut String) {
        let Template {
            toolkit_file,
            toolkit,
            round,
            response_type,
            ..
        } = *self;
        let title = round
            .map(|(_, r)| r.title.as_str())
            .unwrap_or(toolkit.title.as_str());
        let kind_words = match response_type {
            ResponseType::Organisation => "organisation self-assessment",
            ResponseType::Individual => "individual self-assessment",
        };
        let _ = writeln!(out, "# {title}: {kind_words}");
        let made_from = match round {
            Some((f, _)) => format!(
                "{} {} and {} {}",
                f.id(),
                f.version(),
                toolkit_file.id(),
                toolkit_file.version()
            ),
            None => format!("{} {}", toolkit_file.id(), toolkit_file.version()),
        };
        let _ = writeln!(out, "# Made by sct {SCT_VERSION} from {made_from}.");
        let _ = writeln!(out, "#");
        comment(
            out,
            "# ",
            "Fill in each capability's level with one of the level ids below, or \"n/a\" with a reason. Blank values (\"\") mean not answered yet: they lower coverage but are not errors. Check the file as you go with `sct validate FILE`, and score it with `sct score FILE`.",
        );
        let _ = writeln!(out, "#");
        let _ = writeln!(out, "# Levels (lowest first):");
        for level in &toolkit.levels {
            let drafted = if level.drafted {
                " [name is this toolkit's drafting]"
            } else {
                ""
            };
            comment(
                out,
                "#   ",
                &format!(
                    "{} ({}){drafted}: {}",
                    level.id.get_ref(),
                    level.name,
                    level.description
                ),
            );
        }
        let _ = writeln!(out);
    }

    /// The response's own fields: type, round or framework, dates, organisation, respondent.
    fn fields(&self, out: &mut String) {
        let Template {
            toolkit_file,
            round,
            response_type,
            ..
        } = *self;
        let _ = writeln!(out, "type = {}", quoted(response_type.as_str()));
        match round {
            Some((f, r)) => {
                let _ = writeln!(out, "round = {}", quoted(f.id()));
                let _ = writeln!(
                    out,
                    "framework_version = {}",
                    quoted(toolkit_file.version())
                );
                let _ = writeln!(
                    out,
                    "assessed = \"\"          # YYYY-MM-DD, from {} to {}",
                    r.window.opens.get_ref(),
                    r.window.closes.get_ref()
                );
            }
            None => {
                let _ = writeln!(out, "framework = {}", quoted(toolkit_file.id()));
                let _ = writeln!(
                    out,
                    "framework_version = {}",
                    quoted(toolkit_file.version())
                );
                let _ = writeln!(out, "assessed = \"\"          # YYYY-MM-DD");
            }
        }
        self.notice_and_organisation(out);
        match response_type {
            ResponseType::Organisation => {
                let _ = writeln!(out, "[respondent]");
                match self.carry {
                    Some(c) => {
                        let _ = writeln!(out, "role = {}", quoted(&c.earlier.respondent_role));
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "role = \"\"              # who completed it, e.g. \"Director of Strategy\""
                        );
                    }
                }
                if let Some((_, r)) = round {
                    let _ = writeln!(out, "signed_off_by = \"\"     # {}", r.signed_off_by);
                } else {
                    let _ = writeln!(out, "signed_off_by = \"\"");
                }
            }
            ResponseType::Individual => {
                let _ = writeln!(out, "[person]");
                let person = self.carry.and_then(|c| c.earlier.person.as_ref());
                let _ = writeln!(
                    out,
                    "id = {}                # a pseudonymous id, not a name",
                    quoted(person.map(|p| p.id.as_str()).unwrap_or_default())
                );
                let _ = writeln!(
                    out,
                    "role_group = {}        # e.g. \"Commissioning managers\"",
                    quoted(person.map(|p| p.role_group.as_str()).unwrap_or_default())
                );
            }
        }
        self.previous(out);
    }

    /// The notice and the organisation: the earlier response's (or the successor given) when
    /// carrying one forward, else blank.
    fn notice_and_organisation(&self, out: &mut String) {
        if let Some(c) = self.carry {
            let (name, code) = c.organisation.unwrap_or((
                c.earlier.organisation_name.as_str(),
                c.earlier.ods_code.as_str(),
            ));
            let _ = writeln!(out, "notice = {}", quoted(&c.earlier.notice));
            let _ = writeln!(out);
            let _ = writeln!(out, "[organisation]");
            let _ = writeln!(out, "name = {}", quoted(name));
            let _ = writeln!(out, "ods_code = {}", quoted(code));
            let _ = writeln!(out);
        } else {
            let _ = writeln!(
                out,
                "notice = \"\"            # repeated on every output, e.g. \"Draft for board discussion\""
            );
            let _ = writeln!(out);
            let _ = writeln!(out, "[organisation]");
            let _ = writeln!(out, "name = \"\"");
            let _ = writeln!(
                out,
                "ods_code = \"\"          # e.g. \"QUY\"; checked against the organisations table"
            );
            let _ = writeln!(out);
        }
    }

    /// The `[previous]` table of a carried-forward template.
    fn previous(&self, out: &mut String) {
        if let Some(c) = self.carry {
            let p = c.previous;
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "[previous]              # the response these answers were carried over from"
            );
            let _ = writeln!(out, "round = {}", quoted(&p.round));
            let _ = writeln!(out, "ods_code = {}", quoted(&p.ods_code));
            let _ = writeln!(out, "file = {}", quoted(&p.file));
            let _ = writeln!(out, "sha256 = {}", quoted(&p.sha256));
        }
    }

    /// The rater and the response's stage, when the template is one rater's.
    fn team(&self, out: &mut String) {
        let Some(rater) = self.rater else {
            return;
        };
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[rater]                  # one rater's view, for moderation with the others'"
        );
        let _ = writeln!(out, "name = {}", quoted(&rater.name));
        let _ = writeln!(out, "role = {}", quoted(&rater.role));
        if !rater.email.is_empty() {
            let _ = writeln!(out, "email = {}", quoted(&rater.email));
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[status]                 # draft while rating; \"submitted\" when handed in"
        );
        let _ = writeln!(out, "stage = \"draft\"");
    }

    /// Each domain's capabilities (those of an individual's competencies for an individual
    /// response), with their level descriptors as comments.
    fn capabilities(&self, out: &mut String) {
        let Template {
            toolkit,
            response_type,
            ..
        } = *self;
        let levels = toolkit.level_ids().collect::<Vec<_>>().join(" | ");
        for domain in &toolkit.domains {
            let caps: Vec<_> = domain
                .capabilities
                .iter()
                .filter(|c| response_type == ResponseType::Organisation || c.individual.is_some())
                .collect();
            if caps.is_empty() {
                continue;
            }
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "# ==== {} {} ({}) ====",
                domain.section,
                domain.title,
                domain.kind.as_str()
            );
            if !domain.summary.is_empty() {
                comment(out, "# ", &domain.summary);
            }
            for cap in caps {
                self.capability(out, cap, &levels);
            }
        }
    }

    /// One capability: heading, summary, descriptors and the blank fields.
    fn capability(&self, out: &mut String, cap: &Capability, levels: &str) {
        let Template {
            toolkit,
            response_type,
            ..
        } = *self;
        let _ = writeln!(out);
        let (heading, descriptors): (String, Vec<(&str, &str)>) =
            match (response_type, &cap.individual) {
                (ResponseType::Individual, Some(ind)) => (
                    format!("{}: {}", cap.title, ind.competency),
                    toolkit
                        .level_ids()
                        .filter_map(|l| ind.descriptor(l).map(|d| (l, d)))
                        .collect(),
                ),
                _ => (
                    cap.title.clone(),
                    toolkit
                        .level_ids()
                        .filter_map(|l| cap.descriptor(l).map(|d| (l, d)))
                        .collect(),
                ),
            };
        let _ = writeln!(out, "# ---- {heading} ----");
        if !cap.summary.is_empty() {
            comment(out, "# ", &cap.summary);
        }
        for (level, text) in descriptors {
            comment(out, "#   ", &format!("{level}: {text}"));
        }
        let _ = writeln!(out, "[capabilities.{}]", cap.id.get_ref());
        if let Some(answer) = self.carried(cap) {
            self.carried_answer(out, answer, levels);
            return;
        }
        let _ = writeln!(out, "level = \"\"             # {levels} | n/a");
        let _ = writeln!(out, "confidence = \"\"        # low | medium | high");
        let _ = writeln!(
            out,
            "evidence = []           # e.g. [\"Board paper 2026-02-12, item 7\", \"https://...\"]"
        );
        let _ = writeln!(
            out,
            "reason = \"\"            # required with level = \"n/a\""
        );
        let _ = writeln!(out, "target_level = \"\"");
        let _ = writeln!(out, "target_date = \"\"       # YYYY-MM-DD");
        let _ = writeln!(out, "rationale = \"\"");
    }

    /// The earlier answer of `cap`, when one is carried and it says something.
    fn carried(&self, cap: &Capability) -> Option<&Answer> {
        let c = self.carry?;
        c.earlier
            .answers
            .get(cap.id.get_ref())
            .filter(|a| has_content(a))
    }

    /// A carried answer's fields, levels named by this toolkit's ids (by rank), marked.
    fn carried_answer(&self, out: &mut String, a: &Answer, levels: &str) {
        // A level is carried by its id in the earlier toolkit, so a toolkit whose scale
        // changed keeps only the levels it still has (the rest are left blank, to answer).
        let earlier = self.carry.map(|c| c.earlier_toolkit);
        let id = |rank: Option<usize>| {
            rank.and_then(|r| earlier.and_then(|t| t.level_by_rank(r)))
                .map(|l| l.id.get_ref().as_str())
                .filter(|l| self.toolkit.level_rank(l).is_some())
                .map(str::to_string)
                .unwrap_or_default()
        };
        let (level, reason) = match &a.level {
            AnswerLevel::Level { rank } => (id(Some(*rank)), String::new()),
            AnswerLevel::NotApplicable { reason } => ("n/a".to_string(), reason.clone()),
            AnswerLevel::Unanswered => (String::new(), String::new()),
        };
        let _ = writeln!(out, "level = {}  # {levels} | n/a", quoted(&level));
        let confidence = a.confidence.map(|c| c.as_str()).unwrap_or_default();
        let _ = writeln!(
            out,
            "confidence = {}  # low | medium | high",
            quoted(confidence)
        );
        let evidence: Vec<String> = a.evidence.iter().map(|e| quoted(e)).collect();
        let _ = writeln!(out, "evidence = [{}]", evidence.join(", "));
        let _ = writeln!(out, "reason = {}", quoted(&reason));
        let _ = writeln!(out, "target_level = {}", quoted(&id(a.target)));
        match a.target_date {
            Some(d) => {
                let _ = writeln!(out, "target_date = {d}");
            }
            None => {
                let _ = writeln!(out, "target_date = \"\"       # YYYY-MM-DD");
            }
        }
        let _ = writeln!(out, "rationale = {}", quoted(&a.rationale));
        let _ = writeln!(out, "carried_over = true  # remove once reviewed");
    }

    /// The round's milestones, for an organisation's response.
    fn milestones(&self, out: &mut String) {
        let Template {
            round,
            response_type,
            ..
        } = *self;
        if let (Some((f, r)), ResponseType::Organisation) = (round, response_type)
            && !r.milestones.is_empty()
        {
            let _ = writeln!(out);
            let _ = writeln!(out, "# ==== Milestones of {} ====", f.id());
            comment(
                out,
                "# ",
                "status: complete | on-track | at-risk | not-started. completed_on only with status = \"complete\".",
            );
            for m in &r.milestones {
                let _ = writeln!(out);
                let _ = writeln!(out, "# ---- {} ----", m.title);
                for d in &m.due {
                    let used = if m.due.len() > 1 && d.used_for_status {
                        " [used for status]"
                    } else {
                        ""
                    };
                    comment(
                        out,
                        "#   ",
                        &format!(
                            "due {} ({}; {}){used}",
                            d.date.get_ref(),
                            d.as_written,
                            d.source
                        ),
                    );
                }
                let _ = writeln!(out, "[milestones.{}]", m.id.get_ref());
                let _ = writeln!(out, "status = \"\"");
                let _ = writeln!(out, "completed_on = \"\"");
                let _ = writeln!(out, "note = \"\"");
            }
        }
    }
}
