//! Rendering reports with tera templates. The templates live in `sct-assets` (`reports/`)
//! and are compiled in, so an installed `sct` needs no files; `--template-dir`
//! points at a user's copy to restyle a report without rebuilding. Every value a template
//! prints is escaped for its output unless the template says otherwise: HTML templates with
//! HTML escaping, Markdown templates with [`markdown::text`] (the `md` filter does the same,
//! and `code` writes a code span with [`markdown::code`]), so neither a built-in template nor
//! a user's copy can forget a value. A user's templates are bounded
//! (`template_bounds`): recursion is refused before rendering, and what a rendering
//! builds is limited, so a template ends in a report or an error naming it, never in the
//! process aborting.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::charts::ChartError;
use crate::markdown;
use crate::pieces::{self, PieceWriter};
use crate::template_bounds;

/// The templates a report uses, by name (the file name in `reports/`).
pub const TEMPLATE_NAMES: [&str; 15] = [
    "report.html",
    "report.md",
    "report.css",
    "kpi-review.html",
    "kpi-review.md",
    "toc-report.html",
    "toc-report.md",
    "plan.html",
    "plan.md",
    "ipr.html",
    "ipr.md",
    "compare.html",
    "compare.md",
    "moderation.html",
    "moderation.md",
];

const BUILTIN: [(&str, &str); 15] = sct_assets::reports::TEMPLATES;

/// Errors rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template could not be parsed or rendered; the message names the file and line.
    #[error("template {file}: {message}")]
    Template {
        /// The template file (a path, or `bundled:reports/NAME`).
        file: String,
        /// What went wrong, with the line where tera gives one.
        message: String,
    },
    /// A template directory or file could not be read.
    #[error("cannot read template {}: {}", path.display(), sct_files::io_words(source))]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A spreadsheet could not be written.
    #[error("cannot write the spreadsheet: {0}")]
    Spreadsheet(String),
}

/// Loaded templates, ready to render.
pub struct Templates {
    /// The HTML templates (tera's HTML autoescaping).
    tera: Tera,
    /// The Markdown templates (`*.md`), every value escaped as Markdown text.
    markdown: Tera,
    files: BTreeMap<String, String>,
    css: String,
    /// Whether any template is the user's: every rendering is then bounded.
    bounded: bool,
    /// The templates read from the user's directory, by name.
    user: BTreeSet<String>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("files", &self.files)
            .finish()
    }
}

/// Every message in a tera error's chain, joined, so the line and column tera reports for a
/// parse error are kept. The calls of the bounds' own checks are left out (their messages
/// say what was checked), so a check failing deep in nested macros reads once.
fn chain(err: &tera::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.retain(|p| !template_bounds::is_check_call(p));
    parts.join(": ").replace('\n', " ")
}

impl Templates {
    /// The templates compiled into `sct`.
    pub fn builtin() -> Result<Templates, ReportError> {
        Templates::load(None)
    }

    /// The compiled-in templates, with any of `report.html`, `report.md` and `report.css`
    /// found in `dir` taking their place.
    pub fn load(dir: Option<&Path>) -> Result<Templates, ReportError> {
        Templates::load_filtered(dir, None)
    }

    /// As [`Templates::load`], compiling only the templates named (and `report.css`): a
    /// command that renders one report need not parse every other report's templates.
    pub fn load_only(dir: Option<&Path>, names: &[&str]) -> Result<Templates, ReportError> {
        Templates::load_filtered(dir, Some(names))
    }

    fn load_filtered(dir: Option<&Path>, only: Option<&[&str]>) -> Result<Templates, ReportError> {
        let mut texts: BTreeMap<String, (String, String)> = BUILTIN
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    (format!("bundled:reports/{name}"), text.to_string()),
                )
            })
            .collect();
        let mut user = BTreeSet::new();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(ReportError::Io {
                    path: dir.to_path_buf(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
                });
            }
            for name in TEMPLATE_NAMES {
                let path = dir.join(name);
                if path.is_file() {
                    let text = sct_files::read_input(&path)
                        .and_then(|bytes| {
                            String::from_utf8(bytes).map_err(|e| {
                                std::io::Error::new(std::io::ErrorKind::InvalidData, e)
                            })
                        })
                        .map_err(|source| ReportError::Io {
                            path: path.clone(),
                            source,
                        })?;
                    let file = path.display().to_string();
                    if !name.ends_with(".css") {
                        // Before tera parses it: its parser recurses on nesting.
                        template_bounds::check_source(&text).map_err(|message| {
                            ReportError::Template {
                                file: file.clone(),
                                message,
                            }
                        })?;
                        user.insert(name.to_string());
                    }
                    texts.insert(name.to_string(), (file, text));
                }
            }
        }
        let (mut tera, mut markdown) = (engine(false), engine(true));
        let bounded = !user.is_empty();
        if bounded {
            template_bounds::register(&mut tera);
            template_bounds::register(&mut markdown);
        }
        let css = texts
            .get("report.css")
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        for (name, (file, text)) in &texts {
            if name.ends_with(".css") || only.is_some_and(|o| !o.contains(&name.as_str())) {
                continue;
            }
            let engine = if is_markdown(name) {
                &mut markdown
            } else {
                &mut tera
            };
            engine
                .add_raw_template(name, text)
                .map_err(|e| ReportError::Template {
                    file: file.clone(),
                    message: chain(&e),
                })?;
        }
        let files: BTreeMap<String, String> = texts.into_iter().map(|(n, (f, _))| (n, f)).collect();
        if bounded {
            for engine in [&mut tera, &mut markdown] {
                template_bounds::check_parsed(engine, &user).map_err(|r| {
                    ReportError::Template {
                        file: files.get(&r.template).cloned().unwrap_or(r.template),
                        message: r.message,
                    }
                })?;
                template_bounds::bound_values(engine, &user);
            }
        }
        Ok(Templates {
            tera,
            markdown,
            files,
            css,
            bounded,
            user,
        })
    }

    /// Whether template `name` is the user's copy (from `--template-dir`), not the bundled
    /// one: a report may then give it data the bundled template does not need.
    pub fn is_users(&self, name: &str) -> bool {
        self.user.contains(name)
    }

    /// Renders template `name` with `data` (serialised as the context's top level) and
    /// `extra` values.
    pub fn render<T: Serialize>(
        &self,
        name: &str,
        data: &T,
        extra: &[(&str, Value)],
    ) -> Result<String, ReportError> {
        let data = serde_json::to_value(data).map_err(|e| ReportError::Template {
            file: self.file(name),
            message: e.to_string(),
        })?;
        self.render_value(name, data, extra.to_vec())
    }

    /// As [`Templates::render`], the page written into `out` (see
    /// [`Templates::render_value_to`]), with the `extra` values moved in, not copied.
    pub fn render_to<T: Serialize>(
        &self,
        name: &str,
        data: &T,
        extra: Vec<(&str, Value)>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<(), ReportError>> {
        match serde_json::to_value(data) {
            Ok(data) => self.render_value_to(name, data, extra, out),
            Err(e) => Ok(Err(ReportError::Template {
                file: self.file(name),
                message: e.to_string(),
            })),
        }
    }

    /// `data` as the context's top level of template `name` (see
    /// [`Templates::render_value_to`]): built ahead of rendering, so that what it was built
    /// from can be dropped first.
    pub fn data_value<T: Serialize>(&self, name: &str, data: &T) -> Result<Value, ReportError> {
        serde_json::to_value(data).map_err(|e| ReportError::Template {
            file: self.file(name),
            message: e.to_string(),
        })
    }

    /// As [`Templates::render`], with the context's top level already a JSON object and the
    /// `extra` values moved in, not copied: for reports whose drawn pieces run to megabytes
    /// (`sct kpi ipr --orgs all`).
    pub fn render_value(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
    ) -> Result<String, ReportError> {
        let mut bytes = Vec::new();
        let file = || self.file(name);
        match self.render_value_to(name, data, extra, &mut bytes) {
            Ok(Ok(())) => String::from_utf8(bytes).map_err(|e| ReportError::Template {
                file: file(),
                message: e.to_string(),
            }),
            Ok(Err(e)) => Err(e),
            // Writing to memory fails only past the bounds, reported as the template's.
            Err(e) => Err(ReportError::Template {
                file: file(),
                message: e.to_string(),
            }),
        }
    }

    /// As [`Templates::render_value`], the page written into `out` as it is rendered, never
    /// held whole: for reports of hundreds of megabytes. The outer error is `out`'s (the
    /// output could not be written), the inner the template's (including a user's template
    /// that would write far more than the report's data).
    pub fn render_value_to(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<(), ReportError>> {
        self.render_pieces_to(name, data, extra, &mut |_, _| Ok(Ok(false)), out)
    }

    /// As [`Templates::render_value_to`], with each piece's marker that the page prints
    /// ([`pieces::marker`], given to the template in `extra` for it to print `safe`) replaced
    /// by the piece `pieces` writes: for pages whose bulk (thousands of table rows and
    /// charts) is written by sct straight into `out`, never held whole.
    pub fn render_pieces_to<'p>(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
        pieces: &'p mut PieceWriter<'p>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<(), ReportError>> {
        let (ctx, data_bytes) = match self.context(name, data, extra) {
            Ok(found) => found,
            Err(e) => return Ok(Err(e)),
        };
        let engine = if is_markdown(name) {
            &self.markdown
        } else {
            &self.tera
        };
        let template_error = |message: String| {
            Ok(Err(ReportError::Template {
                file: self.file(name),
                message,
            }))
        };
        // A user's template is bounded: what it writes, and the pieces it prints again.
        let rendering = self
            .bounded
            .then(|| template_bounds::Rendering::start(data_bytes));
        let limit = rendering.as_ref().map_or(usize::MAX, |r| r.output_limit());
        let mut splicer = pieces::Splicer::new(out, limit, pieces);
        let rendered = engine
            .render_to(name, &ctx, &mut splicer)
            .map_err(|e| match e.kind {
                tera::ErrorKind::Io(kind) => (Some(std::io::Error::new(kind, chain(&e))), e),
                _ => (None, e),
            })
            .and_then(|()| {
                splicer
                    .finish()
                    .map_err(|e| (Some(e), tera::Error::msg("")))
            });
        drop(rendering);
        if let Some(e) = splicer.take_failure() {
            return Ok(Err(e));
        }
        match rendered {
            Ok(()) => Ok(Ok(())),
            Err(_) if splicer.exceeded() => template_error(splicer.refusal()),
            Err((Some(io), _)) => Err(io),
            Err((None, e)) => template_error(chain(&e)),
        }
    }

    /// The context of template `name`: `data`'s top level, the stylesheet and `extra`; and,
    /// when a user's template is loaded, the data's size that bounds the rendering.
    fn context(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
    ) -> Result<(Context, usize), ReportError> {
        let file = self.file(name);
        let mut data = match data {
            Value::Object(map) => map,
            other => {
                return Err(ReportError::Template {
                    file,
                    message: format!("the report's data is not an object but {other}"),
                });
            }
        };
        data.insert("css".into(), Value::String(self.css.clone()));
        for (k, v) in extra {
            data.insert(k.to_string(), v);
        }
        let data = Value::Object(data);
        let data_bytes = if self.bounded { data_size(&data) } else { 0 };
        let ctx = Context::from_value(data).map_err(|e| ReportError::Template {
            file,
            message: chain(&e),
        })?;
        Ok((ctx, data_bytes))
    }

    /// The file template `name` was read from, for messages.
    fn file(&self, name: &str) -> String {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }
}

/// The size of the report's data as the template limits count it (see
/// [`template_bounds::size_of`]), at any depth: the data is the report's own.
fn data_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Array(items) => items
            .iter()
            .fold(8usize, |n, i| n.saturating_add(8 + data_size(i))),
        Value::Object(map) => map.iter().fold(8usize, |n, (k, i)| {
            n.saturating_add(8 + k.len()).saturating_add(data_size(i))
        }),
        _ => 8,
    }
}

/// Escapes text for GitHub-flavoured Markdown (including inside table cells): the same as
/// [`markdown::text`].
pub fn escape_markdown(s: &str) -> String {
    markdown::text(s)
}

/// Whether template `name` is Markdown (escaped as Markdown rather than HTML).
fn is_markdown(name: &str) -> bool {
    name.ends_with(".md")
}

/// A tera instance with sct's filters. For Markdown (`markdown`), every value printed is
/// escaped with [`markdown::text`] unless its last filter is `md`, `code` or `safe`; the
/// HTML instance keeps tera's HTML escaping of `.html` templates.
fn engine(markdown: bool) -> Tera {
    let mut tera = Tera::default();
    if markdown {
        tera.autoescape_on(vec![".md"]);
        tera.set_escape_fn(markdown::text);
    }
    tera.register_filter(
        "md",
        MarkdownFilter {
            code: false,
            markdown,
        },
    );
    tera.register_filter(
        "code",
        MarkdownFilter {
            code: true,
            markdown,
        },
    );
    tera.register_filter("score", score_filter);
    tera.register_filter("or_dash", or_dash_filter);
    tera.register_filter("num", num_filter);
    tera
}

/// The `md` filter (Markdown text) and the `code` filter (a code span). Their output is
/// final in a Markdown template (not escaped again); in an HTML template it is escaped as
/// HTML like any other value.
struct MarkdownFilter {
    code: bool,
    markdown: bool,
}

impl tera::Filter for MarkdownFilter {
    fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        Ok(Value::String(if self.code {
            markdown::code(&text)
        } else {
            markdown::text(&text)
        }))
    }

    fn is_safe(&self) -> bool {
        self.markdown
    }
}

fn score_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(match value.as_f64() {
        Some(v) => format!("{v:.2}"),
        None => "—".to_string(),
    }))
}

/// Formats a number with `places` decimals (default 1); no value is a dash. Rounding is done
/// once, here, so every output shows the same figure.
fn num_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let places = args.get("places").and_then(Value::as_u64).unwrap_or(1) as usize;
    Ok(Value::String(match value.as_f64() {
        Some(v) => format_number(v, places),
        None => "—".to_string(),
    }))
}

/// `v` with `places` decimals (at most 6), never "-0.0": the `num` filter, for reports that
/// write their rows in code.
pub(crate) fn format_number(v: f64, places: usize) -> String {
    let places = places.min(6);
    let s = format!("{v:.places$}");
    // "-0.0" reads as a sign error.
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

fn or_dash_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(match value {
        Value::Null => Value::String("—".to_string()),
        Value::String(s) if s.is_empty() => Value::String("—".to_string()),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever a value holds, a Markdown template prints it as text: escaped without a
        /// filter, with `md`, and inside a table row; balanced with `code`.
        #[test]
        fn markdown_templates_escape_every_value(x in proptest::prelude::any::<String>()) {
            let mut tera = engine(true);
            tera.add_raw_template(
                "t.md",
                "{{ x }}\n{{ x | md }}\n| {{ x }} | {{ x | or_dash }} |\n{{ x | code }}\n",
            )
            .unwrap();
            let ctx = Context::from_value(serde_json::json!({ "x": x })).unwrap();
            let out = tera.render("t.md", &ctx).unwrap();
            let lines: Vec<&str> = out.lines().collect();
            proptest::prop_assert_eq!(lines.len(), 4, "{:?}", out);
            let text = markdown::text(&x);
            proptest::prop_assert_eq!(lines[0], text.as_str());
            proptest::prop_assert_eq!(lines[1], text.as_str());
            for line in &lines[..3] {
                proptest::prop_assert!(!line.contains('<'), "{:?}", line);
            }
            // The cell separators are the template's three pipes; every other is escaped.
            let row = lines[2].replace("\\\\", "").replace("\\|", "");
            proptest::prop_assert_eq!(row.matches('|').count(), 3, "{:?}", lines[2]);
            let code = markdown::code(&x);
            proptest::prop_assert_eq!(lines[3], code.as_str());
        }
    }

    #[test]
    fn markdown_escaping_neutralises_markup() {
        assert_eq!(
            escape_markdown("a|b *c* <script>x</script>\n[l](u)"),
            "a\\|b \\*c\\* &lt;script&gt;x&lt;/script&gt; \\[l\\](u)"
        );
    }

    #[test]
    fn a_broken_user_template_names_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("report.md"),
            "line one\n{% if x %}\nno end\n",
        )
        .unwrap();
        let err = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("report.md"), "{err}");
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
        assert!(
            err.contains("4:1") || err.contains("3:") || err.contains("line"),
            "{err}"
        );
    }

    #[test]
    fn builtin_templates_parse() {
        Templates::builtin().unwrap();
    }
}
