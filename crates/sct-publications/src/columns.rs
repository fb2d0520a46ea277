//! Finding a publication's columns by their headers. Headers are compared as published but
//! forgiving the noise real files carry: case, surrounding and repeated spaces, a byte-order
//! mark. A column that is not there is an error naming the header expected and the nearest
//! header found.

use crate::error::PublicationError;

/// A header as compared: trimmed, spaces collapsed, lower case, without a byte-order mark.
pub fn normalise(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A file's header row, ready for lookups.
#[derive(Debug, Clone)]
pub struct Header {
    /// The headers as published.
    pub raw: Vec<String>,
    normalised: Vec<String>,
    /// Headers that are some expected column's: never offered as the nearest to another.
    claimed: Vec<bool>,
}

impl Header {
    /// Reads a header row.
    pub fn new<'a>(fields: impl IntoIterator<Item = &'a str>) -> Header {
        let raw: Vec<String> = fields.into_iter().map(str::to_string).collect();
        let normalised: Vec<String> = raw.iter().map(|h| normalise(h)).collect();
        let claimed = vec![false; normalised.len()];
        Header {
            raw,
            normalised,
            claimed,
        }
    }

    /// Marks the headers that are one of the layout's expected columns, so that a missing
    /// column's nearest header is never another column that is present as it should be.
    pub fn claim<'a>(&mut self, expected: impl IntoIterator<Item = &'a str>) {
        for name in expected {
            let wanted = normalise(name);
            for (n, claimed) in self.normalised.iter().zip(&mut self.claimed) {
                *claimed |= *n == wanted;
            }
        }
    }

    /// The index of the first column with one of `names` (any spelling the publication has
    /// used), if present.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            let wanted = normalise(name);
            self.normalised.iter().position(|h| *h == wanted)
        })
    }

    /// Whether every one of `names` is present.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.find(&[n]).is_some())
    }

    /// The index of a required column; the error names the file, the publication, the header
    /// expected (its current spelling) and the nearest header found.
    pub fn require(
        &self,
        file: &str,
        publication: &str,
        names: &[&str],
    ) -> Result<usize, PublicationError> {
        self.find(names)
            .ok_or_else(|| PublicationError::MissingColumn {
                file: file.to_string(),
                publication: publication.to_string(),
                expected: names[0].to_string(),
                nearest: self.nearest(names[0]),
            })
    }

    /// The header most like `name`, when one is close enough to be a likely rename.
    pub fn nearest(&self, name: &str) -> Option<String> {
        let wanted = normalise(name);
        self.raw
            .iter()
            .zip(&self.normalised)
            .zip(&self.claimed)
            .filter(|((_, n), claimed)| !n.is_empty() && !**claimed)
            .map(|((raw, n), _)| (edit_distance(&wanted, n), abbreviates(&wanted, n), raw))
            .filter(|(d, abbreviated, _)| *abbreviated || *d <= wanted.chars().count().max(4) / 2)
            .min_by_key(|(d, _, _)| *d)
            .map(|(_, _, raw)| raw.clone())
    }
}

/// Whether one header's words begin the other's, in order (`org code` and `organisation
/// code`): a rename that spells a word out, or cuts one short.
fn abbreviates(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    a.len() == b.len()
        && a.len() > 1
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x.starts_with(y) || y.starts_with(x))
}

/// The Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_despite_case_spacing_and_a_bom() {
        let h = Header::new(["\u{feff}Period", "Org  Code ", "ORG NAME"]);
        assert_eq!(h.find(&["period"]), Some(0));
        assert_eq!(h.find(&["Org Code"]), Some(1));
        assert_eq!(h.find(&["Org name"]), Some(2));
        assert_eq!(h.find(&["Parent Org"]), None);
    }

    #[test]
    fn a_missing_column_names_the_nearest_header() {
        let h = Header::new(["Period", "Org Cde", "Org name"]);
        let err = h.require("f.csv", "A&E", &["Org Code"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.csv is missing the column \"Org Code\" of A&E; the nearest header is \"Org Cde\""
        );
        let err = h
            .require("f.csv", "A&E", &["Emergency admissions"])
            .unwrap_err();
        assert!(err.to_string().ends_with("no header is close"), "{err}");
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("hs", "hrs"), 1);
    }
}
