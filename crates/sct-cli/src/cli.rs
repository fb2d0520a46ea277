//! The command-line interface: commands, arguments and their help.

use std::path::PathBuf;

use crate::args::{
    MAX_POINTS, MAX_RUN, count_in, date_value, finite_arg, multiplier_arg, timeout_arg,
};
use clap::{Args, Parser, Subcommand, ValueEnum};
pub use sct_workflows::approve::ApprovedFormat;
pub use sct_workflows::assess::{
    AssessmentChart, CheckFormat, ImageFormat, PlanFormat, ReportFormat as AssessmentReportFormat,
    ResponseFormat, ScoreFormat,
};
pub use sct_workflows::diff::DiffFormat;
pub use sct_workflows::frameworks::{ListFormat, ShowFormat};
pub use sct_workflows::kpi::{FunnelFormat, IprFormat};
pub use sct_workflows::moderate::ModerateFormat;
pub use sct_workflows::plugins::RunFormat as PluginRunFormat;
pub use sct_workflows::spc::SpcFormat;
pub use sct_workflows::toc::{TocDiagramFormat, TocReportFormat};

/// The version `sct --version` prints: the package version, then the git commit in
/// parentheses when built from a git checkout (set by build.rs).
pub const VERSION: &str = env!("SCT_VERSION");

/// Strategic commissioning toolkit: assess ICB capability against frameworks kept as data,
/// validate and score assessments.
#[derive(Debug, Parser)]
#[command(
    name = "sct",
    version = VERSION,
    about = "Strategic commissioning toolkit: assess ICB capability against frameworks kept as data; validate and score assessments.",
    long_about = None
)]
#[command(
    after_help = "Exit status:\n  0  success\n  1  failure (an output could not be written, a plugin failed, a comparison skipped responses)\n  2  bad input or usage (an invalid or missing file, a bad argument, an output that exists without --force, is an approved response, is an input or is not a regular file)\n\nFiles: - reads standard input where a file is read, and -o - writes to standard output.\nColour: --color auto|always|never; NO_COLOR=1 turns it off under auto.\n\nExample:\n  sct score examples/baseline-2026-03/bnssg-illustrative.toml"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Add frameworks from this directory (or file); repeatable. Files here override bundled
    /// frameworks with the same id and version. Also read from SCT_FRAMEWORK_PATH.
    #[arg(long = "framework-dir", global = true, help_heading = "Global options", value_name = "DIR", value_parser = folder_path)]
    pub framework_dirs: Vec<PathBuf>,
    /// Use this organisations table instead of the bundled ICB table (CSV columns:
    /// ods_code, name, region, valid_from, valid_to, population_approx).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FILE"
    )]
    pub organisations: Option<PathBuf>,
    /// Successions table to go with --organisations (CSV columns: predecessor, successor,
    /// effective, share).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FILE",
        requires = "organisations"
    )]
    pub successions: Option<PathBuf>,
    /// Add plugins from this directory (one plugin's, or one holding plugin directories);
    /// repeatable. Searched after plugins/ and SCT_PLUGIN_PATH; a plugin here replaces one
    /// of the same name found earlier.
    #[arg(long = "plugin-dir", global = true, help_heading = "Global options", value_name = "DIR", value_parser = folder_path)]
    pub plugin_dirs: Vec<PathBuf>,
    /// Colour diagnostics: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When to colour diagnostics (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always, even through a pipe or with NO_COLOR set.
    Always,
    /// Never.
    Never,
}

/// Where and whether to write an output.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write to FILE instead of standard output (written atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show and validate frameworks (capability toolkits, assessment rounds).
    #[command(subcommand)]
    Frameworks(FrameworksCommand),
    /// Write a blank response for a round or toolkit: TOML with every capability's level
    /// descriptors as comments, or (-o FILE.xlsx) an Excel workbook with dropdowns.
    #[command(
        after_help = "Examples:\n  sct template baseline-2026-03 -o my-icb-2026-03.toml\n  sct template baseline-2026-03 -o my-icb-2026-03.xlsx\n  sct template baseline-2026-03 --rater \"Asha Patel\" --rater-role \"Director of Finance\" -o asha.xlsx\n  sct template reassessment-2027-03 --from my-icb-2026-03.toml -o my-icb-2027-03.toml"
    )]
    Template(TemplateArgs),
    /// Check a response against its framework: ids, levels, dates, organisation; report
    /// coverage.
    #[command(after_help = "Example:\n  sct validate my-icb-2026-03.toml --strict")]
    Validate(ValidateArgs),
    /// Score a response: domain and overall scores with coverage, confidence, evidence,
    /// gap to target, milestones, method and provenance.
    #[command(
        after_help = "Example:\n  sct score examples/baseline-2026-03/bnssg-illustrative.toml --format json -o score.json"
    )]
    Score(ScoreArgs),
    /// Write the assessment report: board summary, charts, capabilities with descriptors and
    /// evidence, milestones, method and provenance.
    #[command(
        after_help = "Examples:\n  sct report examples/baseline-2026-03/bnssg-illustrative.toml -o report.html\n  sct report my-icb.toml --individuals people/ -o report.md\n  sct report my-icb.toml -o board-paper.docx"
    )]
    Report(ReportArgs),
    /// Say what changed between two responses: per capability the level, confidence,
    /// evidence and target; capabilities new or gone; answers carried over. Across rounds, and
    /// from a predecessor ICB's response to its successor's (the successions table).
    #[command(
        after_help = "Examples:\n  sct diff examples/baseline-2026-03/bnssg-illustrative.toml examples/cohort/reassessment-2027-03/QUY.toml\n  sct diff last-year.xlsx this-year.toml -o changes.md\n  sct diff last-year.toml this-year.toml --format json -o changes.json"
    )]
    Diff(DiffArgs),
    /// Turn an assessment into a development plan: ranked priorities (rule stated), support
    /// needed by strand of the development programme, individual development by role group,
    /// a timeline, and progress against a previous response.
    #[command(
        after_help = "Examples:\n  sct plan examples/baseline-2026-03/bnssg-illustrative.toml -o plan.html\n  sct plan my-icb.toml --individuals people/ --against my-icb-2026-03.toml -o plan.xlsx\n  sct plan my-icb.toml -o plan.docx"
    )]
    Plan(PlanArgs),
    /// Draw one chart of a response, for slides: the radar of domain scores, or one domain's
    /// capability bars.
    #[command(
        after_help = "Examples:\n  sct chart radar examples/baseline-2026-03/bnssg-illustrative.toml -o radar.png\n  sct chart bars examples/baseline-2026-03/bnssg-illustrative.toml --domain evaluating-impact -o bars.svg"
    )]
    Chart(ChartArgs),
    /// KPI evaluation: statistical process control and KPI reviews.
    #[command(subcommand)]
    Kpi(KpiCommand),
    /// Theories of change: check one, report on it with live status from KPI data, draw it.
    #[command(subcommand)]
    Toc(TocCommand),
    /// Print the JSON Schema of a file format, for editors.
    #[command(after_help = "Example:\n  sct schema response > response.schema.json")]
    Schema(SchemaArgs),
    /// Plugins for local measures: list, check, run and install them.
    #[command(subcommand)]
    Plugins(PluginsCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    #[command(
        after_help = "Examples:\n  sct completions bash > ~/.local/share/bash-completion/completions/sct\n  sct completions zsh -o ~/.zfunc/_sct\n  sct completions fish > ~/.config/fish/completions/sct.fish"
    )]
    Completions(CompletionsArgs),
    /// Compare ICBs: a cohort's assessments side by side (heatmaps, distributions, quarter
    /// positions), groups such as leadership clusters, change since an earlier round across
    /// reorganisations, people's competencies, and KPI funnel plots.
    #[command(
        after_help = "Inputs: response files, or directories holding them (walked for *.toml; an orgs.csv and a kpis.csv at a directory's top are used as --orgs and --kpis).\n\nExamples:\n  sct compare examples/cohort/ -o cohort.html\n  sct compare responses/ --round reassessment-2027-03 --against baseline-2026-03 --group-by region -o cohort.md\n  sct compare responses/ --orgs orgs.csv --kpis kpis.csv --skip-invalid -o cohort.json\n  sct compare responses/ --kpis downloads/ae/ --lookup etr.csv -o cohort.html"
    )]
    Compare(CompareArgs),
    /// Print the man page for sct (roff).
    #[command(
        after_help = "Examples:\n  sct man -o sct.1 && man -l sct.1\n  sct man > ~/.local/share/man/man1/sct.1"
    )]
    Man(ManArgs),
    /// Convert a response between TOML, JSON and the Excel workbook, losing nothing. The
    /// response is validated first; an invalid one is refused with its errors.
    #[command(
        after_help = "Examples:\n  sct convert filled-in.xlsx -o my-icb-2026-03.toml\n  sct convert my-icb-2026-03.toml -o my-icb-2026-03.xlsx\n  sct convert my-icb-2026-03.toml -o my-icb-2026-03.json"
    )]
    Convert(ConvertArgs),
    /// Moderate a team's assessment: several raters' responses for one organisation and round
    /// side by side (each rater's level and confidence, spread, median, flags, evidence pooled
    /// with who cited it, Krippendorff's alpha) as a workbook or TOML record for the moderator
    /// to fill in; `sct moderate apply` turns the filled record into the agreed response.
    #[command(
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true,
        after_help = "Method: docs/methods/moderation.md.\n\nExamples:\n  sct moderate ann.toml bob.toml cy.xlsx -o moderation.xlsx\n  sct moderate ann.toml bob.toml cy.xlsx -o moderation.toml\n  sct moderate apply moderation.xlsx -o agreed.toml\n  sct moderate apply moderation.toml --moderator \"A. Chair\" --moderator-role \"ICB chair\" --on 2026-03-24 -o agreed.toml"
    )]
    Moderate(ModerateArgs),
    /// Record the board's approval of a moderated response: [status] approved and [approval]
    /// (by, on, minute). The approved file is read-only for sct from then on: no command
    /// writes over it, even with --force.
    #[command(
        after_help = "Example:\n  sct approve agreed.toml --by \"ICB board\" --on 2026-03-26 --minute \"Board, 26 March 2026, item 7\" -o approved.toml"
    )]
    Approve(ApproveArgs),
}

/// Arguments of `sct moderate`.
#[derive(Debug, Args)]
pub struct ModerateArgs {
    #[command(subcommand)]
    pub command: Option<ModerateCommand>,
    /// The raters' responses (TOML, JSON or filled .xlsx workbooks, any mix), each with a
    /// [rater] table, all for one organisation and round.
    #[arg(required = true, value_name = "RESPONSES")]
    pub responses: Vec<PathBuf>,
    /// Output format (default: from the -o extension, else toml): xlsx or toml for the
    /// record the moderator fills in; html, md or json for the consolidated view.
    #[arg(long, value_enum)]
    pub format: Option<ModerateFormat>,
    /// Use moderation.html, moderation.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `sct moderate`'s subcommands.
#[derive(Debug, Subcommand)]
pub enum ModerateCommand {
    /// Make the agreed response from a filled moderation record (.xlsx or .toml): the raters'
    /// files it names are read again and checked against their SHA-256, the locked cells
    /// against what the files say, each agreed level against the levels; an agreed level
    /// outside every rater's needs a rationale.
    #[command(
        after_help = "Example:\n  sct moderate apply moderation.xlsx --moderator \"A. Chair\" --on 2026-03-24 -o agreed.toml"
    )]
    Apply(ModerateApplyArgs),
}

/// Arguments of `sct moderate apply`.
#[derive(Debug, Args)]
pub struct ModerateApplyArgs {
    /// The filled moderation record (.xlsx or .toml), in the folder with the raters' files.
    pub record: PathBuf,
    /// The moderator's name (default: the record's).
    #[arg(long, value_name = "NAME")]
    pub moderator: Option<String>,
    /// The moderator's role (default: the record's).
    #[arg(long, value_name = "ROLE")]
    pub moderator_role: Option<String>,
    /// The date the levels were agreed, YYYY-MM-DD (default: the record's).
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub on: Option<sct_core::Date>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List the known frameworks.
    #[command(after_help = "Example:\n  sct frameworks list --format json")]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show one framework: its levels, domains and capabilities, or its milestones.
    #[command(
        after_help = "Examples:\n  sct frameworks show capability-toolkit\n  sct frameworks show capability-toolkit --format toml > my-toolkit.toml"
    )]
    Show {
        /// Framework id.
        id: String,
        /// Version (default: the latest known).
        #[arg(long)]
        version: Option<String>,
        /// Output format: text, json, or the file's own toml (to copy and edit).
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Validate framework files or directories, including their references to other frameworks.
    #[command(
        after_help = "Examples:\n  sct frameworks validate my-frameworks/\n  sct frameworks validate my-frameworks/ --format json"
    )]
    Validate {
        /// Files or directories.
        #[arg(required = true, value_parser = folder_path)]
        paths: Vec<PathBuf>,
        /// Output format: text, or JSON (schema `sct-frameworks-validate/1`; invalid input is
        /// reported in it too, with exit status 2).
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// A round id (for example baseline-2026-03) or a toolkit id.
    pub framework: String,
    /// Version of the round or toolkit (default: the latest known).
    #[arg(long)]
    pub version: Option<String>,
    /// An individual self-assessment template (individual competencies only).
    #[arg(long)]
    pub individual: bool,
    /// One rater's template for a team assessment: their name, written in [rater] (and on
    /// the workbook's Organisation sheet), with the status a draft.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["individual", "from"])]
    pub rater: Option<String>,
    /// The rater's role, for example "Director of Finance".
    #[arg(long, value_name = "ROLE", requires = "rater")]
    pub rater_role: Option<String>,
    /// The rater's email address, if they want it recorded.
    #[arg(long, value_name = "EMAIL", requires = "rater")]
    pub rater_email: Option<String>,
    /// Start from an earlier response (TOML, JSON or a filled .xlsx workbook): every answer
    /// carried forward and marked carried over, to review.
    #[arg(long, value_name = "RESPONSE")]
    pub from: Option<PathBuf>,
    /// The organisation's ODS code, when it is not the earlier response's (a successor ICB
    /// starting from its predecessor's response).
    #[arg(long, value_name = "CODE", requires = "from")]
    pub org: Option<String>,
    /// Output format (default: from the -o extension, else toml).
    #[arg(long, value_enum)]
    pub format: Option<ResponseFormat>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Arguments of `sct diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier response (TOML, JSON or a filled .xlsx workbook).
    pub old: PathBuf,
    /// The later response, of the same organisation or a successor of it.
    pub new: PathBuf,
    /// Output format (default: from the -o extension, else text).
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Arguments of `sct convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The response to convert (TOML, JSON or a filled .xlsx workbook).
    pub response: PathBuf,
    /// Output format (default: from the -o extension).
    #[arg(long, value_enum)]
    pub format: Option<ResponseFormat>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Arguments of `sct approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The agreed (moderated) response: TOML, JSON or a filled .xlsx workbook.
    pub response: PathBuf,
    /// Who approved it, for example "ICB board".
    #[arg(long, value_name = "WHO")]
    pub by: String,
    /// When, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub on: sct_core::Date,
    /// The minute that records it, for example "Board, 26 March 2026, item 7".
    #[arg(long, value_name = "TEXT")]
    pub minute: String,
    /// Output format (default: from the -o extension, else toml).
    #[arg(long, value_enum)]
    pub format: Option<ApprovedFormat>,
    /// Write where a file exists (replacing it), and approve a response that has not been
    /// moderated. An approved response is never replaced.
    #[arg(long)]
    pub force: bool,
    /// Write to FILE instead of standard output (written atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The response file (TOML, JSON or a filled .xlsx workbook).
    pub response: PathBuf,
    /// Treat unanswered capabilities as errors.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The response file (TOML, JSON or a filled .xlsx workbook).
    pub response: PathBuf,
    /// Output format (default: from the -o extension, else table).
    #[arg(long, value_enum)]
    pub format: Option<ScoreFormat>,
    /// Judge milestones as of this date, YYYY-MM-DD (default: the assessed date).
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub as_of: Option<sct_core::Date>,
    /// Treat unanswered capabilities as errors.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The organisation's response file (TOML, JSON or a filled .xlsx workbook).
    pub response: PathBuf,
    /// Output format (default: from the -o extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<AssessmentReportFormat>,
    /// A directory of individual self-assessments of the same organisation, shown as
    /// distributions beside the organisation's rating (groups under 5 people withheld).
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub individuals: Option<PathBuf>,
    /// Use report.html, report.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    /// An earlier response: the report says what changed since (default: the one the
    /// response's [previous] table names, when found unchanged beside it).
    #[arg(long, value_name = "RESPONSE")]
    pub previous: Option<PathBuf>,
    /// Date milestones and the report as of this date, YYYY-MM-DD (default: the assessed date).
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub as_of: Option<sct_core::Date>,
    /// Treat unanswered capabilities as errors.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
    Json,
    Csv,
}

/// Arguments of `sct plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The organisation's response file (TOML, JSON or a filled .xlsx workbook).
    pub response: PathBuf,
    /// A directory of individual self-assessments of the same organisation: development needs
    /// per role group (groups under 5 people withheld).
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub individuals: Option<PathBuf>,
    /// A previous response (an earlier round, possibly of a predecessor ICB) to show progress
    /// against.
    #[arg(long, value_name = "PREVIOUS")]
    pub against: Option<PathBuf>,
    /// Output format (default: from the -o extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<PlanFormat>,
    /// Use plan.html, plan.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    /// Date milestones and the plan as of this date, YYYY-MM-DD (default: the assessed date).
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub as_of: Option<sct_core::Date>,
    /// Treat unanswered capabilities as errors.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Which chart.
    #[arg(value_enum)]
    pub kind: AssessmentChart,
    /// The response file (TOML, JSON or a filled .xlsx workbook).
    pub response: PathBuf,
    /// For bars: the domain id (see `sct frameworks show capability-toolkit`).
    #[arg(long)]
    pub domain: Option<String>,
    /// Output format (default: from the -o extension, else svg).
    #[arg(long, value_enum)]
    pub format: Option<ImageFormat>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum KpiCommand {
    /// An SPC chart of one series: XmR (Making Data Count), run chart (Anhøj rules) or Laney's
    /// p′ or u′ chart: centre, limits, special causes, icons.
    #[command(
        after_help = "Method: docs/methods/spc.md (XmR, NHSRplotthedots 0.2.2 defaults) and docs/methods/run-charts.md and laney.md (run, p′, u′; qicharts2).\n\nExamples:\n  sct kpi spc ae.csv --improvement increase --target 78 --format csv\n  sct kpi spc outcomes.csv --improvement increase --chart run\n  sct kpi spc ae-counts.csv --improvement increase --chart pprime --summary summary.json\n  sct kpi spc downloads/ae/ --lookup etr.csv --org QUY --indicator ae-4-hour --improvement increase --chart pprime -o quy-ae.svg"
    )]
    Spc(KpiSpcArgs),
    /// A KPI review for one organisation: per timeframe and indicator, the latest value against
    /// plan, year to date, SPC variation and assurance icons, small SPC charts and data-quality
    /// flags, with a board summary.
    #[command(
        after_help = "Data: CSV with columns organisation,indicator,period,value[,numerator,denominator];\nperiods as 2025-04-01, 2025-W14, 2025-04, 2025/26 Q1 or 2025/26.\n\nExamples:\n  sct kpi review --set scf-three-timeframes --data examples/kpi/bnssg-kpis.csv --org QUY -o review.html\n  sct kpi review --data examples/kpi/bnssg-kpis.csv --org QUY -o review.docx"
    )]
    Review(KpiReviewArgs),
    /// The integrated performance report: one row per indicator (and organisation), grouped by
    /// the framework's three timeframes, with latest value, plan, variance, last three values,
    /// sparkline, variation and assurance icons named in words, chart and rule profile.
    #[command(
        after_help = "Examples:\n  sct kpi ipr --set scf-three-timeframes --data examples/kpi/bnssg-kpis.csv --org QUY -o ipr.html\n  sct kpi ipr --data kpis.csv --orgs all --as-of 2025-03-31 -o ipr.xlsx\n  sct kpi ipr --data examples/kpi/bnssg-kpis.csv --org QUY -o ipr.docx"
    )]
    Ipr(KpiIprArgs),
    /// A funnel plot comparing organisations on one indicator: proportions by the Fingertips
    /// method (Wilson score limits; with over-dispersion, the arcsine method) or indirectly
    /// standardised ratios by Spiegelhalter's method (exact Poisson limits, optional
    /// over-dispersion), 95 % and 99.8 % limits.
    #[command(
        after_help = "Method: docs/methods/funnels.md.\nInput: CSV with columns org,numerator,denominator (--type proportion) or org,observed,expected (--type ratio).\n\nExamples:\n  sct kpi funnel screening.csv --type proportion -o funnel.csv\n  sct kpi funnel ae-4-hour.csv --type proportion --overdispersion -o funnel.svg\n  sct kpi funnel mortality.csv --type ratio --overdispersion -o funnel.svg"
    )]
    Funnel(KpiFunnelArgs),
    /// Read NHS England's and OHID's published files as downloaded (A&E monthly CSV, RTT full
    /// extract or its zip, AmbSYS, Fingertips) into the long-form KPI CSV, with a provenance
    /// record (each file's SHA-256, layout and periods; which providers went into each ICB).
    #[command(
        after_help = "Method: docs/methods/publications.md.\n\nExamples:\n  sct kpi import ae-2025/ -o ae.csv\n  sct kpi import ae-2025/ --lookup etr.csv --level icb --unmapped drop -o ae-icb.csv\n  sct kpi import Full-CSV-data-file-Nov24.zip --level icb --follow-successions -o rtt.csv"
    )]
    Import(KpiImportArgs),
}

/// The level `sct kpi import` writes rows at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportLevelArg {
    /// As each file gives them: providers (trusts), ICBs, regions, England.
    #[value(alias = "trust")]
    Published,
    /// ICBs: A&E summed from providers through --lookup; RTT by commissioner; Fingertips ICB
    /// rows.
    Icb,
}

#[derive(Debug, Args)]
pub struct KpiImportArgs {
    /// Published files, or folders of them (every CSV and zip in a folder, in name order).
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// The layout, when it should not be told from each file's first row: ae-monthly,
    /// rtt-full-extract, ambsys or fingertips.
    #[arg(long, value_name = "LAYOUT", value_parser = publication_value)]
    pub layout: Option<sct_publications::Publication>,
    /// An organisation lookup: the ODS trust file (etr.csv) or the ONS sub-ICB to ICB lookup
    /// (CSV). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub lookup: Vec<PathBuf>,
    /// The level of the rows written.
    #[arg(long, value_enum, default_value = "published")]
    pub level: ImportLevelArg,
    /// Follow the ICB successions (the bundled table, or --successions): a predecessor's
    /// figures summed into its successor; a part succession is listed and left.
    #[arg(long)]
    pub follow_successions: bool,
    /// At ICB level, what becomes of providers no lookup knows: refuse (the default, listing
    /// them), keep (as their own rows) or drop (listed in the provenance record).
    #[arg(long, value_enum, default_value = "refuse")]
    pub unmapped: sct_workflows::import::Unmapped,
    /// Where to write the provenance record (JSON; default: beside -o, as
    /// NAME.provenance.json).
    #[arg(long, value_name = "FILE")]
    pub provenance: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// A publication's id as `--layout` takes it.
fn publication_value(text: &str) -> Result<sct_publications::Publication, String> {
    sct_publications::Publication::parse(text).ok_or_else(|| {
        format!(
            "\"{text}\" is not a layout sct reads; expected one of: {}",
            sct_publications::Publication::ALL
                .iter()
                .map(|p| p.id())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[derive(Debug, Args)]
pub struct KpiIprArgs {
    /// The KPI set: a kpi-set TOML file, or the id[@version] of a known one.
    #[arg(long, value_name = "SET", default_value = "scf-three-timeframes")]
    pub set: String,
    /// The KPI data: the long-form CSV, or the same columns as Parquet (told by the file's
    /// first bytes). Optional when the set's indicators name plugin measures, which then
    /// supply every series.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// One organisation's ODS code.
    #[arg(
        long,
        value_name = "CODE",
        conflicts_with = "orgs",
        required_unless_present = "orgs"
    )]
    pub org: Option<String>,
    /// `all`: every organisation in the data, one row per indicator and organisation.
    #[arg(long, value_enum, value_name = "all")]
    pub orgs: Option<OrgsArg>,
    /// As of this date, YYYY-MM-DD (default: the end of the latest period with data).
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub as_of: Option<sct_core::Date>,
    /// Output format (default: from the -o extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<IprFormat>,
    /// Use ipr.html, ipr.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    #[command(flatten)]
    pub spc: SpcProfileArgs,
    #[command(flatten)]
    pub rows: KpiRowArgs,
    #[command(flatten)]
    pub plugins: KpiPluginArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct KpiFunnelArgs {
    /// CSV with a header: org,numerator,denominator (proportion) or org,observed,expected
    /// (ratio); the organisation column may be named organisation, as in the KPI data.
    pub input: PathBuf,
    /// What the indicator is.
    #[arg(long = "type", value_enum)]
    pub kind: FunnelTypeArg,
    /// Values and limits are printed times this (default: 100 for proportions, i.e. percent;
    /// 1 for ratios).
    #[arg(long, value_name = "M", value_parser = multiplier_arg, allow_negative_numbers = true)]
    pub multiplier: Option<f64>,
    /// Widen the limits for over-dispersion and judge outliers against them: proportions by
    /// the arcsine method (FunnelPlotR), ratios by the SHMI approach.
    #[arg(long)]
    pub overdispersion: bool,
    /// Output format (default: from the -o extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<FunnelFormat>,
    /// The chart's title (SVG and PNG; default: the indicator's name when the input's
    /// `indicator` column or file name names one of a known KPI set, else the file's stem).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Plugin measures for KPI-set indicators that name one (`measure = "plugin:NAME/MEASURE"`).
#[derive(Debug, Args)]
pub struct KpiPluginArgs {
    /// A data file for a plugin whose measures the KPI set's indicators name
    /// (`measure = "plugin:NAME/MEASURE"`), as NAME=PATH; repeatable. Plugin measures are
    /// computed for each organisation reviewed.
    #[arg(long, value_name = "NAME=PATH")]
    pub plugin_data: Vec<String>,
    #[command(flatten)]
    pub plugin: PluginRunOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrgsArg {
    /// Every organisation in the data.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FunnelTypeArg {
    /// Proportions (numerator/denominator), Fingertips method.
    Proportion,
    /// Indirectly standardised ratios (observed/expected), Spiegelhalter's method.
    Ratio,
}

#[derive(Debug, Args)]
pub struct KpiReviewArgs {
    /// The KPI set: a kpi-set TOML file, or the id[@version] of a known one.
    #[arg(long, value_name = "SET", default_value = "scf-three-timeframes")]
    pub set: String,
    /// The KPI data: the long-form CSV (streamed; only the organisation's rows are kept), or
    /// the same columns as Parquet (told by the file's first bytes; only those columns are
    /// read). Optional when the set's indicators name plugin measures, which then supply
    /// every series.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// The organisation's ODS code.
    #[arg(long, value_name = "CODE")]
    pub org: String,
    /// Review as of this date, YYYY-MM-DD: later data are left out and data are late against
    /// it (default: the end of the latest period with data).
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub as_of: Option<sct_core::Date>,
    /// Output format (default: from the -o extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Use kpi-review.html, kpi-review.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    #[command(flatten)]
    pub spc: SpcProfileArgs,
    #[command(flatten)]
    pub rows: KpiRowArgs,
    #[command(flatten)]
    pub plugins: KpiPluginArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImprovementArg {
    Increase,
    Decrease,
    Neutral,
}

#[derive(Debug, Args)]
pub struct KpiSpcArgs {
    /// CSV with a header; columns `date` and `value` unless --date-col/--value-col say otherwise.
    /// Or NHS England's published files as downloaded (a file, or a folder of monthly files):
    /// the series of --org and --indicator is charted.
    pub input: PathBuf,
    /// Which direction is better. Optional for published files: an indicator of the known KPI
    /// sets takes theirs.
    #[arg(long, value_enum)]
    pub improvement: Option<ImprovementArg>,
    /// The target, for the assurance icon.
    #[arg(long, allow_negative_numbers = true, value_parser = finite_arg)]
    pub target: Option<f64>,
    /// Start a new segment (new mean and limits) at this date; repeatable.
    #[arg(long, value_name = "DATE")]
    pub rebase: Vec<String>,
    /// Compute each segment's mean and limits from its first N points (N >= 12).
    #[arg(long, value_name = "N", value_parser = count_in(0, MAX_POINTS))]
    pub fix_after: Option<usize>,
    /// XmR: do not screen out large moving ranges.
    #[arg(long)]
    pub no_screen_outliers: bool,
    /// Points on one side of the centre that make a shift (XmR, and --run-rules fixed).
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = count_in(0, MAX_RUN))]
    pub shift_length: usize,
    /// Rising or falling points that make a trend (XmR, and --run-rules fixed).
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = count_in(0, MAX_RUN))]
    pub trend_length: usize,
    /// The date column.
    #[arg(long, default_value = "date")]
    pub date_col: String,
    /// The value column.
    #[arg(long, default_value = "value")]
    pub value_col: String,
    /// The chart: xmr (Making Data Count), run (median and runs analysis), pprime or uprime
    /// (Laney, from numerators and denominators), or auto (per segment: run below
    /// --min-points points, else xmr).
    #[arg(long, value_enum, default_value_t = SpcChartArg::Xmr)]
    pub chart: SpcChartArg,
    /// With --chart auto, segments with fewer points than this get a run chart (default 15;
    /// 13 under --profile mdc, where an XmR segment with fewer gets no limits, flags or icons).
    #[arg(long, value_name = "N", value_parser = count_in(1, MAX_POINTS))]
    pub min_points: Option<usize>,
    /// The numerator column (p′, u′).
    #[arg(long, default_value = "numerator")]
    pub numerator_col: String,
    /// The denominator column (p′, u′).
    #[arg(long, default_value = "denominator")]
    pub denominator_col: String,
    /// Proportions and rates are printed times this (p′, u′; 100 = percent).
    #[arg(long, default_value_t = 100.0, value_name = "X", value_parser = multiplier_arg, allow_negative_numbers = true)]
    pub multiplier: f64,
    /// p′ and u′: screen out moving ranges of z at or above 3.267 times their mean (off by
    /// default, Laney's method); XmR under --profile mdc: screen moving ranges (off by default).
    /// XmR under ptd-0.2.2 screens unless --no-screen-outliers.
    #[arg(long)]
    pub screen_outliers: bool,
    /// Rules of the runs analysis of run, p′ and u′ charts: anhoj (adapt to the number of
    /// points) or fixed (--shift-length points on one side, --trend-length rising or falling).
    #[arg(long, value_enum, default_value_t = RunRulesArg::Anhoj)]
    pub run_rules: RunRulesArg,
    /// Output format (default: from the -o extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<SpcFormat>,
    /// Also write the summary JSON (icons and one group per segment) to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub spc: SpcProfileArgs,
    /// The rebase log to apply (CSV: indicator,organisation,date,reason,approved_by,approved_on;
    /// default: INPUT's stem + .rebase-log.csv beside it, when that exists).
    #[arg(long, value_name = "CSV")]
    pub rebase_log: Option<PathBuf>,
    /// The indicator charted: only the rebase log's rows for it apply, and the chart is
    /// titled by its name in a known KPI set (default: the indicator the data's `indicator`
    /// column or file name names, if any). From published files, the indicator taken from
    /// them (such as ae-4-hour; the only one, when they give one).
    #[arg(long, value_name = "ID")]
    pub indicator: Option<String>,
    /// Apply only the rebase log's rows for this organisation. From published files, the
    /// organisation charted (a provider, or an ICB with --lookup or --level icb).
    #[arg(long, value_name = "CODE")]
    pub org: Option<String>,
    /// A row whose value (or numerator or denominator) is empty or not a number becomes a
    /// shown gap, not an error, on every chart.
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub published: PublishedArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// How `sct kpi review`, `ipr`, `spc` and `sct compare` read NHS England's published files
/// given as their data (docs/methods/publications.md), as `sct kpi import` would.
#[derive(Debug, Args)]
pub struct PublishedArgs {
    /// With published files as the data: an organisation lookup (the ODS trust file etr.csv,
    /// or the ONS sub-ICB lookup) to sum providers to ICBs. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub lookup: Vec<PathBuf>,
    /// With published files as the data: the level of the rows (default: icb with --lookup,
    /// else published).
    #[arg(long, value_enum)]
    pub level: Option<ImportLevelArg>,
    /// With published files as the data: follow the ICB successions (the bundled table, or
    /// --successions), a predecessor's figures summed into its successor.
    #[arg(long)]
    pub follow_successions: bool,
    /// With published files at ICB level: what becomes of providers no lookup knows: keep (the
    /// default, as their own rows), drop (left out) or refuse (listing them).
    #[arg(long, value_enum, default_value = "keep")]
    pub unmapped: sct_workflows::import::Unmapped,
}

/// How `sct kpi review` and `ipr` treat the KPI data's rows: the rebase log applied to them,
/// and what an invalid value becomes.
#[derive(Debug, Args)]
pub struct KpiRowArgs {
    /// The rebase log (default: the data file's stem + .rebase-log.csv beside it, when that
    /// exists).
    #[arg(long, value_name = "CSV")]
    pub rebase_log: Option<PathBuf>,
    /// A row whose value is empty or not a number is left out as a shown gap, not an error.
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub published: PublishedArgs,
}

/// The SPC rule profile options shared by `sct kpi spc`, `review` and `ipr`.
#[derive(Debug, Args)]
pub struct SpcProfileArgs {
    /// The SPC rule profile (docs/methods/spc-profiles.md): ptd-0.2.2 (NHSRplotthedots 0.2.2,
    /// docs/methods/spc.md; the default, or the KPI set's) or mdc (Making Data Count's tools).
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<ProfileArg>,
    /// Also judge under this profile and list where the two differ (`sct kpi spc`: XmR charts
    /// only, the profiles being XmR rule sets; review and ipr compare every chart's icons).
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub compare_profile: Option<ProfileArg>,
    /// mdc: what a point flagged both high and low becomes (default improvement).
    #[arg(long, value_enum)]
    pub conflict: Option<ConflictArg>,
    /// Treat values either side of a gap (missing periods) as consecutive.
    #[arg(long)]
    pub join_gaps: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// NHSRplotthedots 0.2.2 (docs/methods/spc.md).
    #[value(name = "ptd-0.2.2")]
    Ptd022,
    /// NHS England's Making Data Count tools, as this toolkit reads them.
    Mdc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConflictArg {
    /// A point flagged both high and low is an improvement.
    Improvement,
    /// It is a concern.
    Concern,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpcChartArg {
    /// XmR (Making Data Count), docs/methods/spc.md.
    Xmr,
    /// Run chart: median and runs analysis.
    Run,
    /// Laney's p′ chart of proportions.
    Pprime,
    /// Laney's u′ chart of rates.
    Uprime,
    /// Per segment: a run chart below --min-points points, else XmR.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunRulesArg {
    /// Anhøj rules: longest run and number of crossings, limits adapted to the points.
    #[value(alias = "anhoej")]
    Anhoj,
    /// Fixed rules: --shift-length points on one side of the centre, --trend-length rising
    /// or falling.
    Fixed,
}

#[derive(Debug, Subcommand)]
pub enum TocCommand {
    /// Check a theory of change: cycles, unknown nodes, backward links, reachability,
    /// unmeasured outcomes, links without assumptions, unknown KPIs; and print its metrics.
    #[command(
        after_help = "Examples:\n  sct toc check scf-commissioning-toc\n  sct toc check examples/theory-of-change/bnssg-toc.toml --format json"
    )]
    Check(TocCheckArgs),
    /// A report on a theory of change: the chain, indicators, live status and roll-up from
    /// KPI data, the capabilities behind each node, links and assumptions, metrics.
    #[command(
        after_help = "Example:\n  sct toc report examples/theory-of-change/bnssg-toc.toml --kpi-data examples/kpi/bnssg-kpis.csv --org QUY -o toc.html"
    )]
    Report(TocReportArgs),
    /// Draw a theory of change: a layered left-to-right diagram (one column per node type,
    /// crossings reduced) as SVG or PNG, or export it as Graphviz DOT or Mermaid.
    #[command(
        after_help = "Examples:\n  sct toc diagram scf-commissioning-toc -o toc.svg\n  sct toc diagram examples/theory-of-change/bnssg-toc.toml -o toc.png\n  sct toc diagram examples/theory-of-change/bnssg-toc.toml --kpi-data examples/kpi/bnssg-kpis.csv --org QUY -o toc.svg\n  sct toc diagram examples/theory-of-change/bnssg-toc.toml -o toc.mmd"
    )]
    Diagram(TocDiagramArgs),
}

#[derive(Debug, Args)]
pub struct TocDiagramArgs {
    /// A theory-of-change TOML file, or the id[@version] of a known one.
    pub toc: String,
    #[command(flatten)]
    pub kpi: TocKpiArgs,
    /// Output format (default: from the -o extension: .svg, .png, .dot or .gv, .mmd; else svg).
    #[arg(long, value_enum)]
    pub format: Option<TocDiagramFormat>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TocCheckArgs {
    /// A theory-of-change TOML file, or the id[@version] of a known one.
    pub toc: String,
    /// Output format: text, or JSON (schema `sct-toc-check/1`: the findings and metrics;
    /// invalid input is reported in it too, with exit status 2).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// KPI data for live status of a theory of change.
#[derive(Debug, Args)]
pub struct TocKpiArgs {
    /// KPI data (CSV or Parquet, as for `sct kpi review`) for live status.
    #[arg(long, value_name = "FILE", requires = "org")]
    pub kpi_data: Option<PathBuf>,
    /// The organisation's ODS code in the KPI data (and for plugin measures).
    #[arg(long, value_name = "CODE")]
    pub org: Option<String>,
    /// Leave out KPI data after this date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = date_value)]
    pub as_of: Option<sct_core::Date>,
    /// A data file for a plugin whose measures the indicators name
    /// (`measure = "plugin:NAME/MEASURE"`), as NAME=PATH; repeatable. Plugin measures are
    /// computed for --org.
    #[arg(long, value_name = "NAME=PATH")]
    pub plugin_data: Vec<String>,
    #[command(flatten)]
    pub plugin: PluginRunOptions,
}

#[derive(Debug, Args)]
pub struct TocReportArgs {
    /// A theory-of-change TOML file, or the id[@version] of a known one.
    pub toc: String,
    #[command(flatten)]
    pub kpi: TocKpiArgs,
    /// An assessment response: list each node's capabilities with their current levels.
    #[arg(long, value_name = "RESPONSE")]
    pub assessment: Option<PathBuf>,
    /// Output format (default: from the -o extension, else md).
    #[arg(long, value_enum)]
    pub format: Option<TocReportFormat>,
    /// Use toc-report.html, toc-report.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// capability, assessment-round or response.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(sct_core::schema::SCHEMA_KINDS))]
    pub kind: String,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List the plugins found (plugins/, SCT_PLUGIN_PATH, --plugin-dir) with their kind,
    /// version and measures.
    #[command(
        after_help = "Example:\n  sct plugins list\n  sct --plugin-dir ~/my-plugins plugins list"
    )]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Check plugins: manifest, file inside the plugin's directory, sha256, handshake
    /// (protocol version) and describe (which must agree with the manifest).
    #[command(
        after_help = "Examples:\n  sct plugins check\n  sct plugins check neighbourhood-measures --isolate\n  sct plugins check --format json"
    )]
    Check(PluginsCheckArgs),
    /// Compute a plugin's measure and write its series (or evidence items) as CSV or JSON.
    #[command(
        after_help = "Examples:\n  sct plugins run waiting-list-weekly long-waits --data plugins/waiting-list-weekly/sample/waiting-list.csv --org QUY --param weeks=52 -o long-waits.csv\n  sct plugins run capability-evidence milestone-documents --data plugins/capability-evidence/sample/evidence -o evidence.json"
    )]
    Run(PluginsRunArgs),
    /// Copy a built library (.so, .dylib, .dll) or a script into a plugin directory and write
    /// its manifest, with the checksum of the copy and the measures its describe gives.
    #[command(
        after_help = "Examples:\n  cargo build --release -p waiting-list-weekly\n  sct plugins install target/release/libwaiting_list_weekly.so --to plugins\n  sct plugins install my_measure.py --to ~/my-plugins"
    )]
    Install(PluginsInstallArgs),
    /// The child side of --isolate (not for direct use).
    #[command(name = "__isolated-call", hide = true)]
    IsolatedCall {
        /// The plugin's directory.
        dir: PathBuf,
        /// handshake, describe or compute (request on standard input).
        verb: String,
    },
}

/// How plugins are run.
#[derive(Debug, Clone, Args)]
pub struct PluginRunOptions {
    /// Run native plugins in a child sct process, so a crash (segfault, abort) is an error
    /// instead of the end of sct.
    #[arg(long)]
    pub isolate: bool,
    /// Stop a command plugin (or an isolated call) after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = timeout_arg, allow_negative_numbers = true)]
    pub timeout: f64,
    /// Refuse a plugin reply larger than this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 32, value_parser = count_in(1, 1024))]
    pub max_output_mb: usize,
}

#[derive(Debug, Args)]
pub struct PluginsCheckArgs {
    /// The plugin (default: every plugin found).
    pub name: Option<String>,
    /// Output format: text, or JSON (schema `sct-plugins-check/1`: each plugin's result;
    /// the exit status is as for text).
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    #[command(flatten)]
    pub plugin: PluginRunOptions,
}

#[derive(Debug, Args)]
pub struct PluginsRunArgs {
    /// The plugin's name.
    pub plugin: String,
    /// The measure's id.
    pub measure: String,
    /// A parameter of the measure, NAME=VALUE; repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A local data file or folder for the plugin; repeatable.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// The organisation's ODS code.
    #[arg(long, value_name = "CODE")]
    pub org: Option<String>,
    /// The first period wanted, as the measure writes periods (2025-W14, 2025-04).
    #[arg(long, value_name = "PERIOD")]
    pub from: Option<String>,
    /// The last period wanted.
    #[arg(long, value_name = "PERIOD")]
    pub to: Option<String>,
    /// Output format (default: from the -o extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<PluginRunFormat>,
    #[command(flatten)]
    pub plugin_options: PluginRunOptions,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PluginsInstallArgs {
    /// The built library or the script.
    pub file: PathBuf,
    /// The plugin's name (default: the name its describe gives).
    #[arg(long)]
    pub name: Option<String>,
    /// The directory to install into (the plugin goes in DIR/NAME/).
    #[arg(long, value_name = "DIR", default_value = "plugins", value_parser = folder_path)]
    pub to: PathBuf,
    /// The program that runs a script (default: python3 for .py, Rscript for .R).
    #[arg(long, value_name = "PROGRAM")]
    pub interpreter: Option<String>,
    /// Replace an installed plugin of the same name.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub plugin: PluginRunOptions,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Response files or directories of them.
    #[arg(required = true, value_name = "DIR-OR-FILE", value_parser = folder_path)]
    pub inputs: Vec<PathBuf>,
    /// The round to compare (default: the latest round in the inputs).
    #[arg(long, value_name = "ID")]
    pub round: Option<String>,
    /// Compare with this earlier round (default: the round before --round in the inputs, if
    /// any).
    #[arg(long, value_name = "ROUND")]
    pub against: Option<String>,
    /// Group organisations by this column of the organisations table: region, cluster or any
    /// other (default: cluster where the table has it, else region).
    #[arg(long, value_name = "FIELD")]
    pub group_by: Option<String>,
    /// Organisations table: CSV with a code column and any of name, region, population,
    /// cluster, or other columns to group by.
    #[arg(long, value_name = "CSV")]
    pub orgs: Option<PathBuf>,
    /// KPI data (long form, CSV or Parquet, as sct kpi review reads) for funnel plots and
    /// small-multiple SPC charts; or NHS England's published files as downloaded (a file, or a
    /// folder of them), read as sct kpi import reads them.
    #[arg(long, value_name = "FILE")]
    pub kpis: Option<PathBuf>,
    #[command(flatten)]
    pub published: PublishedArgs,
    /// The KPI set the data follow: a kpi-set TOML file, or the id[@version] of a known one.
    #[arg(long, value_name = "SET", default_value = "scf-three-timeframes")]
    pub set: String,
    /// Capability mapping between the rounds' toolkit versions: CSV with columns from,to
    /// (earlier id, later id).
    #[arg(long, value_name = "CSV")]
    pub mapping: Option<PathBuf>,
    /// Go on past malformed response files: list them in the report and exit with status 1.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Output format (default: from the -o extension, else md; -o FILE.xlsx writes the cohort
    /// tables as an Excel workbook with a chart beside each).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Use compare.html, compare.md and report.css from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR", value_parser = folder_path)]
    pub template_dir: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Parses an argument that names a folder (or several files found by walking one), refusing
/// `-`: standard input is one stream, not a folder of files.
fn folder_path(arg: &str) -> Result<PathBuf, String> {
    if arg == "-" {
        return Err(
            "`-` (standard input) cannot stand for a folder or a set of files; expected a path"
                .to_string(),
        );
    }
    Ok(PathBuf::from(arg))
}
