//! Inter-rater agreement: Krippendorff's alpha for ordinal data, as defined in Krippendorff,
//! K. (2011) *Computing Krippendorff's Alpha-Reliability* (Annenberg School for Communication,
//! University of Pennsylvania) and *Content Analysis*, 4th edn (2019), chapter 12. Levels are
//! ordered but not evenly spaced, so the ordinal difference function is the one that fits.
//! Missing ratings (skipped, or n/a) are simply absent: a capability rated by fewer than two
//! raters has no pair to compare and does not count. The method is written out in
//! `docs/methods/moderation.md`.

use std::collections::BTreeMap;

/// Krippendorff's alpha for ordinal values. `units` holds, for each unit (a capability), the
/// values the raters gave it, missing ones left out. `None` when alpha is undefined: fewer
/// than two pairable values, or every pairable value the same (no variation to judge
/// agreement against).
pub fn ordinal_alpha(units: &[Vec<usize>]) -> Option<f64> {
    let coincidences = Coincidences::of(units)?;
    coincidences.alpha()
}

/// The coincidence matrix of the pairable values and its marginal totals.
struct Coincidences {
    /// `o[c][k]`: coincidences of the c-th and k-th distinct values (in value order).
    o: Vec<Vec<f64>>,
    /// Marginal totals `n_c`.
    n_c: Vec<f64>,
    /// The number of pairable values `n`.
    n: f64,
}

impl Coincidences {
    /// Each unit with `m >= 2` values adds, for every ordered pair of values from different
    /// raters, `1 / (m - 1)` to their cell (Krippendorff 2011, section C).
    fn of(units: &[Vec<usize>]) -> Option<Coincidences> {
        let pairable = || units.iter().filter(|u| u.len() >= 2);
        let index: BTreeMap<usize, usize> = {
            let mut values: Vec<usize> = pairable().flatten().copied().collect();
            values.sort_unstable();
            values.dedup();
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (v, i))
                .collect()
        };
        if index.is_empty() {
            return None;
        }
        let size = index.len();
        let mut o = vec![vec![0.0; size]; size];
        for unit in pairable() {
            let weight = 1.0 / (unit.len() - 1) as f64;
            for (i, a) in unit.iter().enumerate() {
                for (j, b) in unit.iter().enumerate() {
                    if i != j {
                        o[index[a]][index[b]] += weight;
                    }
                }
            }
        }
        let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
        let n = n_c.iter().sum();
        Some(Coincidences { o, n_c, n })
    }

    /// The squared ordinal difference between the c-th and k-th values: the number of values
    /// between them, counting half of each end, squared.
    fn ordinal_delta2(&self, c: usize, k: usize) -> f64 {
        let (lo, hi) = if c <= k { (c, k) } else { (k, c) };
        let between: f64 = self.n_c[lo..=hi].iter().sum();
        let d = between - (self.n_c[lo] + self.n_c[hi]) / 2.0;
        d * d
    }

    /// `alpha = 1 - (n - 1) * sum(o_ck d2_ck) / sum(n_c n_k d2_ck)`.
    fn alpha(&self) -> Option<f64> {
        let size = self.n_c.len();
        let (mut observed, mut expected) = (0.0, 0.0);
        for c in 0..size {
            for k in 0..size {
                let d2 = self.ordinal_delta2(c, k);
                observed += self.o[c][k] * d2;
                expected += self.n_c[c] * self.n_c[k] * d2;
            }
        }
        if self.n < 2.0 || expected == 0.0 {
            return None;
        }
        Some(1.0 - (self.n - 1.0) * observed / expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// Krippendorff (2011), section C: four observers, twelve units, missing values; the
    /// published ordinal alpha is 0.815.
    #[test]
    fn the_published_example_gives_its_ordinal_alpha() {
        let units = vec![
            vec![1, 1, 1],
            vec![2, 2, 3, 2],
            vec![3, 3, 3, 3],
            vec![3, 3, 3, 3],
            vec![2, 2, 2, 2],
            vec![1, 2, 3, 4],
            vec![4, 4, 4, 4],
            vec![1, 1, 2, 1],
            vec![2, 2, 2, 2],
            vec![5, 5, 5],
            vec![1, 1],
            vec![3],
        ];
        let alpha = ordinal_alpha(&units).unwrap();
        assert_abs_diff_eq!(alpha, 0.815, epsilon = 0.0005);
        // The same data through the `krippendorff` Python package (0.9.0), an independent
        // implementation, gives 0.8153875037548814.
        assert_abs_diff_eq!(alpha, 0.815_387_503_754_881_4, epsilon = 1e-12);
    }

    /// Worked by hand from the definition: two raters, three units (1,1), (2,3), (3,3).
    /// Values 1,1 | 2,3 | 3,3: n_1 = 2, n_2 = 1, n_3 = 3, n = 6. Coincidences: o_11 = 2,
    /// o_23 = o_32 = 1, o_33 = 2. d2(2,3) = (1 + 3 - (1 + 3) / 2)^2 = 4, d2(1,2) =
    /// (2 + 1 - 1.5)^2 = 2.25, d2(1,3) = (2 + 1 + 3 - 2.5)^2 = 12.25.
    /// Observed: 2 * 4 = 8. Expected: 2 * (2*1*2.25 + 2*3*12.25 + 1*3*4) = 2 * 90 = 180.
    /// alpha = 1 - 5 * 8 / 180 = 0.7777...
    #[test]
    fn a_small_case_worked_by_hand() {
        let alpha = ordinal_alpha(&[vec![1, 1], vec![2, 3], vec![3, 3]]).unwrap();
        assert_abs_diff_eq!(alpha, 1.0 - 5.0 * 8.0 / 180.0, epsilon = 1e-12);
    }

    /// Missing ratings: a unit with one value has no pair and changes nothing; units are
    /// weighted by 1 / (m - 1), so a third rater on one unit counts as the definition says.
    /// (1,1) | (2,3) | (3,3,2) | (4): the lone 4 is not pairable. The three-value unit adds
    /// 1/2 for each of its six ordered pairs: o_33 = 1, o_23 = o_32 = 1 + 1 = 2; o_11 = 2.
    /// n_1 = 2, n_2 = 2, n_3 = 3, n = 7. d2(2,3) = (5 - 2.5)^2 = 6.25, d2(1,2) = (4 - 2)^2 =
    /// 4, d2(1,3) = (7 - 2.5)^2 = 20.25. Observed = 2 * 2 * 6.25 = 25. Expected = 2 * (2*2*4
    /// + 2*3*20.25 + 2*3*6.25) = 350. alpha = 1 - 6 * 25 / 350 = 4/7.
    #[test]
    fn missing_ratings_are_left_out_and_uneven_units_weighted() {
        let units = [vec![1, 1], vec![2, 3], vec![3, 3, 2], vec![4]];
        let alpha = ordinal_alpha(&units).unwrap();
        assert_abs_diff_eq!(alpha, 4.0 / 7.0, epsilon = 1e-12);
    }

    #[test]
    fn perfect_agreement_is_one_and_no_variation_is_undefined() {
        let alpha = ordinal_alpha(&[vec![1, 1], vec![3, 3], vec![2, 2, 2]]).unwrap();
        assert_abs_diff_eq!(alpha, 1.0, epsilon = 1e-12);
        assert_eq!(ordinal_alpha(&[vec![2, 2], vec![2, 2]]), None);
        assert_eq!(ordinal_alpha(&[vec![2], vec![3]]), None);
        assert_eq!(ordinal_alpha(&[]), None);
    }

    #[test]
    fn systematic_disagreement_is_below_zero() {
        let alpha = ordinal_alpha(&[vec![1, 5], vec![5, 1], vec![1, 5]]).unwrap();
        assert!(alpha < 0.0, "{alpha}");
    }
}
