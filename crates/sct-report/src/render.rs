//! Rendering reports with tera templates. The templates live in the workspace's `reports/`
//! directory and are compiled in, so an installed `sct` needs no files; `--template-dir`
//! points at a user's copy to restyle a report without rebuilding. HTML templates are
//! autoescaped; the Markdown template escapes with the `md` filter.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::charts::ChartError;

/// The templates a report uses, by name (the file name in `reports/`).
pub const TEMPLATE_NAMES: [&str; 13] = [
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
];

const BUILTIN: [(&str, &str); 13] = [
    ("report.html", include_str!("../../../reports/report.html")),
    ("report.md", include_str!("../../../reports/report.md")),
    ("report.css", include_str!("../../../reports/report.css")),
    (
        "kpi-review.html",
        include_str!("../../../reports/kpi-review.html"),
    ),
    (
        "kpi-review.md",
        include_str!("../../../reports/kpi-review.md"),
    ),
    (
        "toc-report.html",
        include_str!("../../../reports/toc-report.html"),
    ),
    (
        "toc-report.md",
        include_str!("../../../reports/toc-report.md"),
    ),
    ("plan.html", include_str!("../../../reports/plan.html")),
    ("plan.md", include_str!("../../../reports/plan.md")),
    ("ipr.html", include_str!("../../../reports/ipr.html")),
    ("ipr.md", include_str!("../../../reports/ipr.md")),
    (
        "compare.html",
        include_str!("../../../reports/compare.html"),
    ),
    ("compare.md", include_str!("../../../reports/compare.md")),
];

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
    #[error("cannot read template {}: {source}", path.display())]
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
    tera: Tera,
    files: BTreeMap<String, String>,
    css: String,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("files", &self.files)
            .finish()
    }
}

/// Every message in a tera error's chain, joined, so the line and column tera reports for a
/// parse error are kept.
fn chain(err: &tera::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
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
                    let text =
                        std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
                            path: path.clone(),
                            source,
                        })?;
                    texts.insert(name.to_string(), (path.display().to_string(), text));
                }
            }
        }
        let mut tera = Tera::default();
        tera.register_filter("md", md_filter);
        tera.register_filter("score", score_filter);
        tera.register_filter("or_dash", or_dash_filter);
        tera.register_filter("num", num_filter);
        let css = texts
            .get("report.css")
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        for (name, (file, text)) in &texts {
            if name.ends_with(".css") || only.is_some_and(|o| !o.contains(&name.as_str())) {
                continue;
            }
            tera.add_raw_template(name, text)
                .map_err(|e| ReportError::Template {
                    file: file.clone(),
                    message: chain(&e),
                })?;
        }
        Ok(Templates {
            tera,
            files: texts.into_iter().map(|(n, (f, _))| (n, f)).collect(),
            css,
        })
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

    /// As [`Templates::render`], with the context's top level already a JSON object and the
    /// `extra` values moved in, not copied: for reports whose drawn pieces run to megabytes
    /// (`sct kpi ipr --orgs all`).
    pub fn render_value(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
    ) -> Result<String, ReportError> {
        let ctx = self.context(name, data, extra)?;
        self.tera
            .render(name, &ctx)
            .map_err(|e| ReportError::Template {
                file: self.file(name),
                message: chain(&e),
            })
    }

    /// As [`Templates::render_value`], the page written into `out` as it is rendered, never
    /// held whole: for reports of hundreds of megabytes. The outer error is `out`'s (the
    /// output could not be written), the inner the template's.
    pub fn render_value_to(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<(), ReportError>> {
        let ctx = match self.context(name, data, extra) {
            Ok(ctx) => ctx,
            Err(e) => return Ok(Err(e)),
        };
        match self.tera.render_to(name, &ctx, out) {
            Ok(()) => Ok(Ok(())),
            Err(e) => match e.kind {
                tera::ErrorKind::Io(kind) => Err(std::io::Error::new(kind, chain(&e))),
                _ => Ok(Err(ReportError::Template {
                    file: self.file(name),
                    message: chain(&e),
                })),
            },
        }
    }

    /// The context of template `name`: `data`'s top level, the stylesheet and `extra`.
    fn context(
        &self,
        name: &str,
        data: Value,
        extra: Vec<(&str, Value)>,
    ) -> Result<Context, ReportError> {
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
        Context::from_value(Value::Object(data)).map_err(|e| ReportError::Template {
            file,
            message: chain(&e),
        })
    }

    /// The file template `name` was read from, for messages.
    fn file(&self, name: &str) -> String {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }
}

/// Escapes text for GitHub-flavoured Markdown (including inside table cells): Markdown
/// punctuation and HTML are backslash-escaped or turned into entities; line breaks become
/// spaces.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(match value {
        Value::String(s) => escape_markdown(s),
        Value::Null => String::new(),
        other => escape_markdown(&other.to_string()),
    }))
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
