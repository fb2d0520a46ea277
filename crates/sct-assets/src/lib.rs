//! The files `sct` bundles, compiled in so that an installed `sct` needs none of them on disk:
//! the frameworks it assesses against, the table of integrated care boards and their
//! successions, the report templates and the font charts are drawn with.
//!
//! They live inside this crate (`frameworks/`, `organisations/`, `reports/`), so every crate
//! that embeds them packages on its own; the repository's top-level `frameworks/`, `reports/`
//! and `data/organisations/` are links to these folders, where users edit and copy them.
//! This crate holds data only: parsing and checking it is `sct-core`'s job, rendering with it
//! `sct-report`'s.
//!
//! ```
//! let (name, toml) = sct_assets::frameworks::BUNDLED
//!     .iter()
//!     .find(|(name, _)| *name == "capability-toolkit.toml")
//!     .expect("the capability toolkit is bundled");
//! assert!(toml.contains("kind = \"capability\""), "{name}");
//! assert!(sct_assets::organisations::ICBS.starts_with("ods_code,"));
//! ```

/// The bundled frameworks (every TOML file under `frameworks/`, found at build time).
pub mod frameworks {
    include!(concat!(env!("OUT_DIR"), "/frameworks.rs"));
}

/// The organisation tables: the ICBs with the dates each existed, and which ICBs succeeded
/// which on a reorganisation.
pub mod organisations {
    /// `organisations/icbs.csv`: each ICB's ODS code, name, region, the dates it
    /// existed and its approximate population.
    pub const ICBS: &str = include_str!("../organisations/icbs.csv");
    /// `organisations/icb-successions.csv`: each predecessor ICB, its successor, the
    /// date the succession took effect and the share that passed.
    pub const ICB_SUCCESSIONS: &str = include_str!("../organisations/icb-successions.csv");
}

/// The report templates (tera, HTML and Markdown) and the stylesheet the HTML reports inline.
pub mod reports {
    /// Every template, by its file name in `reports/`.
    pub const TEMPLATES: [(&str, &str); 15] = [
        ("report.html", include_str!("../reports/report.html")),
        ("report.md", include_str!("../reports/report.md")),
        ("report.css", include_str!("../reports/report.css")),
        (
            "kpi-review.html",
            include_str!("../reports/kpi-review.html"),
        ),
        ("kpi-review.md", include_str!("../reports/kpi-review.md")),
        (
            "toc-report.html",
            include_str!("../reports/toc-report.html"),
        ),
        ("toc-report.md", include_str!("../reports/toc-report.md")),
        ("plan.html", include_str!("../reports/plan.html")),
        ("plan.md", include_str!("../reports/plan.md")),
        ("ipr.html", include_str!("../reports/ipr.html")),
        ("ipr.md", include_str!("../reports/ipr.md")),
        ("compare.html", include_str!("../reports/compare.html")),
        ("compare.md", include_str!("../reports/compare.md")),
        (
            "moderation.html",
            include_str!("../reports/moderation.html"),
        ),
        ("moderation.md", include_str!("../reports/moderation.md")),
    ];

    /// The template named `name` (a file name in `reports/`), if there is one.
    pub fn template(name: &str) -> Option<&'static str> {
        TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }
}

/// The font every chart's text uses (DejaVu Sans, `reports/fonts/`, with its licence), so a
/// PNG chart does not depend on the fonts of the machine that draws it.
pub mod fonts {
    /// DejaVu Sans, regular.
    pub const DEJAVU_SANS: &[u8] = include_bytes!("../reports/fonts/DejaVuSans.ttf");
    /// DejaVu Sans, bold.
    pub const DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../reports/fonts/DejaVuSans-Bold.ttf");
}
