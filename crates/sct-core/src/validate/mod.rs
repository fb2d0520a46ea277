//! Validation: checks of a framework on its own, of references between frameworks, and of a
//! response against its framework. Every finding is a [`Diagnostic`](crate::diagnostic::Diagnostic)
//! located in the file that holds the problem.

mod framework;
mod response;
mod team;

pub use framework::{
    check_round_alone, check_round_references, check_toolkit, check_toolkit_references,
};
pub(crate) use response::is_not_applicable;
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

/// The Levenshtein distance between `word` and `candidate` when it is at most `max`, else
/// `None`. `rows` is scratch space reused across calls. The work is bounded by the
/// candidate's length, not the word's: a word far longer than the candidate is rejected
/// after counting `candidate + max + 1` of its characters, and the table stops at the first
/// row whose every entry exceeds `max`. So a "did you mean" over every candidate for each of
/// a million mistyped ids, or for a 100 MB one, stays fast.
fn distance_within(
    word: &str,
    candidate: &str,
    max: usize,
    rows: &mut (Vec<usize>, Vec<char>),
) -> Option<usize> {
    let (row, b) = rows;
    b.clear();
    b.extend(candidate.chars());
    let n = b.len();
    if word.chars().take(n + max + 1).count().abs_diff(n) > max {
        return None;
    }
    row.clear();
    row.extend(0..=n);
    for (i, ca) in word.chars().enumerate() {
        // `row` holds the previous row; `diagonal` the entry above-left of the one computed.
        let mut diagonal = row[0];
        row[0] = i + 1;
        let mut smallest = row[0];
        for j in 0..n {
            let above = row[j + 1];
            let value = (diagonal + usize::from(ca != b[j]))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
            row[j + 1] = value;
            smallest = smallest.min(value);
        }
        if smallest > max {
            return None;
        }
    }
    (row[n] <= max).then_some(row[n])
}

/// How many times each character occurs in a word (characters folded into 128 buckets),
/// and how many characters it has.
struct Letters {
    counts: [usize; 128],
    len: usize,
}

impl Letters {
    fn of(word: &str) -> Letters {
        let mut counts = [0; 128];
        let mut len = 0;
        for c in word.chars() {
            counts[(u32::from(c) % 128) as usize] += 1;
            len += 1;
        }
        Letters { counts, len }
    }

    /// A lower bound on the edit distance to `other`, in time linear in `other`: an edit
    /// changes at most one surplus and one shortfall of a character, so the distance is at
    /// least the larger of the two totals. (Folding characters into buckets only lowers it.)
    fn differ_from(&self, other: &str) -> usize {
        let mut left = self.counts;
        // Every character of the word is surplus until `other` matches it.
        let (mut surplus, mut shortfall) = (self.len, 0);
        for c in other.chars() {
            let bucket = &mut left[(u32::from(c) % 128) as usize];
            if *bucket > 0 {
                *bucket -= 1;
                surplus -= 1;
            } else {
                shortfall += 1;
            }
        }
        surplus.max(shortfall)
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo (within a third
/// of the candidate's length, and at least 2); of equally close ones, the first alphabetically.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut rows = (Vec::new(), Vec::new());
    let mut best: Option<(usize, &str)> = None;
    let letters = Letters::of(word);
    for c in candidates {
        let max = (c.len() / 3).max(2);
        if letters.differ_from(c) > max {
            continue;
        }
        if let Some(d) = distance_within(word, c, max, &mut rows)
            && best.is_none_or(|b| (d, c) < b)
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
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
        // A word far longer than any candidate is rejected without comparing it in full.
        let huge = "integrated-needs-assessment".repeat(400_000);
        assert_eq!(closest(&huge, c.iter().copied()), None);
    }

    /// Levenshtein distance, the whole table: what [`distance_within`] must agree with.
    fn edit_distance(a: &str, b: &str) -> usize {
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

    proptest::proptest! {
        #[test]
        fn bounded_distance_agrees_with_the_full_table(
            a in "[a-d-]{0,14}",
            b in "[a-d-]{0,14}",
            max in 0usize..8,
        ) {
            let full = edit_distance(&a, &b);
            let mut rows = (Vec::new(), Vec::new());
            proptest::prop_assert_eq!(
                distance_within(&a, &b, max, &mut rows),
                (full <= max).then_some(full)
            );
            proptest::prop_assert!(Letters::of(&a).differ_from(&b) <= full);
        }
    }
}
