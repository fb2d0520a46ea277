//! The README and everything under `docs/` link only to files inside the repository, and every
//! link resolves: a relative path names a file or directory that exists, without leaving the
//! repository, and an anchor (`#section`) names a heading of the file it points into. Links to
//! the web (`https:`, `mailto:`) are not followed.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Markdown files checked: the README and every `.md` file under `docs/`.
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut out = vec![root().join("README.md")];
    walk(&root().join("docs"), &mut out);
    out
}

/// The targets of inline links `[text](target)` outside fenced code blocks, with the line each
/// is on.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((n + 1, after[..end].trim().to_string()));
            rest = &after[end..];
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped,
/// spaces made hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (outside fenced code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.insert(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// `path` with `.` and `..` resolved without touching the file system; `None` if it climbs
/// above the start.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// What is wrong with one link of `doc` (a path relative to the repository), if anything.
fn check(doc: &Path, target: &str) -> Option<String> {
    if target.starts_with("https:") || target.starts_with("http:") || target.starts_with("mailto:")
    {
        return None;
    }
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let file = if path.is_empty() {
        doc.to_path_buf()
    } else {
        if Path::new(path).is_absolute() {
            return Some("an absolute path".into());
        }
        let Some(file) = normalise(&doc.parent().unwrap_or(Path::new("")).join(path)) else {
            return Some("leaves the repository".into());
        };
        file
    };
    let full = root().join(&file);
    if !full.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    if !anchor.is_empty() && full.is_file() {
        let text = std::fs::read_to_string(&full).unwrap();
        if !anchors(&text).contains(anchor) {
            return Some(format!("{} has no heading #{anchor}", file.display()));
        }
    }
    None
}

#[test]
fn readme_and_docs_links_resolve_inside_the_repository() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for full in documents() {
        let doc = full.strip_prefix(root()).unwrap().to_path_buf();
        let text = std::fs::read_to_string(&full).unwrap();
        for (line, target) in links(&text) {
            checked += 1;
            if let Some(problem) = check(&doc, &target) {
                problems.push(format!("{}:{line}: ({target}): {problem}", doc.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 40, "only {checked} links found");
}

#[test]
fn the_readme_links_the_methods_and_the_architecture() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let targets: Vec<String> = links(&readme).into_iter().map(|(_, t)| t).collect();
    for wanted in ["docs/architecture.md", "docs/methods/README.md"] {
        assert!(
            targets.iter().any(|t| t == wanted),
            "README has no link to {wanted}"
        );
    }
    assert!(
        !readme.contains("../shared"),
        "the README points outside the repository"
    );
}

#[test]
fn the_link_checker_catches_what_it_should() {
    assert_eq!(
        slug(" The score JSON (`sct score --format json`, schema `sct-score/1`)"),
        "the-score-json-sct-score---format-json-schema-sct-score1"
    );
    let readme = Path::new("README.md");
    assert!(check(readme, "../shared/spec/spc.md").is_some());
    assert!(check(readme, "docs/methods/no-such.md").is_some());
    assert!(check(readme, "#no-such-heading").is_some());
    assert!(check(readme, "docs/methods/spc.md").is_none());
    assert!(check(readme, "https://example.org/").is_none());
}
