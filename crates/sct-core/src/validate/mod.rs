//! Validation: checks of a framework on its own, of references between frameworks, and of a
//! response against its framework. Every finding is a [`Diagnostic`](crate::diagnostic::Diagnostic)
//! located in the file that holds the problem.

mod framework;
mod response;

pub use framework::{
    check_round_alone, check_round_references, check_toolkit, check_toolkit_references,
};
pub use response::{ResolveOptions, ResolvedFrameworks, resolve_frameworks, resolve_response};

/// Whether `s` is a kebab-case identifier: lower-case ASCII letters and digits in groups
/// joined by single hyphens.
pub fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Levenshtein distance, for "did you mean" hints on mistyped ids.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_ids() {
        assert!(is_kebab_id("capability-toolkit"));
        assert!(is_kebab_id("baseline-2026-03"));
        assert!(!is_kebab_id("Capability"));
        assert!(!is_kebab_id("a--b"));
        assert!(!is_kebab_id("-a"));
        assert!(!is_kebab_id("a_b"));
        assert!(!is_kebab_id(""));
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        let c = ["integrated-needs-assessment", "intelligence-function"];
        assert_eq!(
            closest("integrated-need-assessment", c.iter().copied()),
            Some("integrated-needs-assessment")
        );
        assert_eq!(closest("market-shaping", c.iter().copied()), None);
    }
}
