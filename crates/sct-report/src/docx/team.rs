//! The team parts of the assessment paper, in the words of the HTML report: the board
//! summary's sign-off and moderation block, and the moderation section's table.

use sct_docx::{Block, Document, Paragraph, Table};

use crate::team::TeamSection;

/// The board summary's sign-off and moderation block, when the response records any.
pub(super) fn sign_off(doc: &mut Document, team: Option<&TeamSection>) {
    let Some(team) = team else {
        return;
    };
    doc.heading(3, team.heading.clone());
    let lines = team
        .summary
        .iter()
        .map(|l| {
            Paragraph::new()
                .bold(l.label.clone())
                .plain(format!(" {}", l.text))
        })
        .collect();
    doc.list(false, lines);
}

/// The moderation section: each rater's level, their median and the level agreed.
pub(super) fn moderation(doc: &mut Document, team: Option<&TeamSection>) {
    let Some(m) = team.and_then(|t| t.moderation.as_ref()) else {
        return;
    };
    doc.heading(2, "Moderation");
    doc.paragraph(m.intro.clone());
    let mut header = vec!["Capability".to_string()];
    header.extend(m.rater_names.iter().cloned());
    header.extend(["Median", "Agreed", "Rationale"].map(String::from));
    let mut widths = vec![4];
    widths.extend(m.rater_names.iter().map(|_| 2));
    widths.extend([2, 2, 4]);
    let mut t = Table::new(
        "Each rater's level, their median and the level agreed",
        header,
    )
    .widths(widths);
    for c in &m.capabilities {
        let title = if c.wide {
            format!("{}\n⚑ {} levels apart", c.title, c.spread)
        } else {
            c.title.clone()
        };
        let agreed = if c.departs {
            Paragraph::new().bold(c.agreed.clone())
        } else {
            Paragraph::text(c.agreed.clone())
        };
        let mut cells: Vec<Paragraph> = vec![Paragraph::text(title)];
        cells.extend(c.ratings.iter().map(|r| Paragraph::text(r.clone())));
        cells.push(Paragraph::text(
            c.median.clone().unwrap_or_else(|| "—".into()),
        ));
        cells.push(agreed);
        cells.push(Paragraph::text(c.rationale.clone()));
        t = t.row(cells);
    }
    doc.push(Block::Table(t));
}
