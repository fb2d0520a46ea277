//! The series of a KPI data file as its rows are read: each series' rows ([`SeriesRows`]),
//! found by organisation and indicator. Rows of one series usually come together, so the
//! series the last row went into is kept at hand, and the others are looked up only when
//! the series changes. A reader that knows its series by something cheaper than their texts
//! (the Parquet reader's text ids) keeps the place of each ([`SeriesStore::enter`]) and goes
//! back to it by that ([`SeriesStore::enter_at`]), with no look-up at all.

use std::collections::HashMap;

use crate::data::Row;
use crate::series_rows::SeriesRows;

/// The series read so far (see the module).
#[derive(Default)]
pub(crate) struct SeriesStore {
    /// Each series' rows, in the order the series were first met.
    series: Vec<SeriesRows>,
    /// Where each series is among them, by organisation, then indicator.
    index: HashMap<String, HashMap<String, usize>>,
    /// The series the last row went into, and its organisation and indicator.
    current: Option<(usize, String, String)>,
    /// Rows of the series read last: room for as many is made for the next one.
    last_len: usize,
    /// Indicators of the organisation a series was last added to: room for as many is made
    /// for the next organisation's.
    last_inds: usize,
}

impl SeriesStore {
    /// The series the last row went into.
    #[inline]
    pub(crate) fn current(&mut self) -> Option<&mut SeriesRows> {
        let (at, _, _) = self.current.as_ref()?;
        self.series.get_mut(*at)
    }

    /// Adds a row to the series of `org` and `ind`.
    #[inline]
    pub(crate) fn push(&mut self, org: &str, ind: &str, row: Row) {
        if let Some((at, o, i)) = &self.current
            && o == org
            && i == ind
        {
            self.series[*at].push(row);
            return;
        }
        let at = self.enter(org, ind);
        self.series[at].push(row);
    }

    /// Makes the series of `org` and `ind` the current one (a new one, with no rows, the
    /// first time); its place, for [`SeriesStore::enter_at`].
    pub(crate) fn enter(&mut self, org: &str, ind: &str) -> usize {
        if let Some((at, o, i)) = &self.current
            && o == org
            && i == ind
        {
            return *at;
        }
        self.leave();
        let found = self.index.get(org).and_then(|inds| inds.get(ind)).copied();
        let at = found.unwrap_or_else(|| {
            let at = self.series.len();
            self.series.push(SeriesRows::with_capacity(self.last_len));
            let inds = match self.index.get_mut(org) {
                Some(inds) => inds,
                None => {
                    // Room for as many indicators as the organisation before had (most
                    // likely as many as this one will): no growing a map an organisation.
                    let room = self.last_inds;
                    self.index
                        .entry(org.to_string())
                        .or_insert_with(|| HashMap::with_capacity(room))
                }
            };
            self.last_inds = inds.len() + 1;
            inds.insert(ind.to_string(), at);
            at
        });
        self.make_current(at, org, ind);
        at
    }

    /// Makes the series at `at` (from [`SeriesStore::enter`]) the current one, known to be
    /// of `org` and `ind`.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    #[inline]
    pub(crate) fn enter_at(&mut self, at: usize, org: &str, ind: &str) -> &mut SeriesRows {
        if !matches!(&self.current, Some((now, _, _)) if *now == at) {
            self.leave();
            self.make_current(at, org, ind);
        }
        &mut self.series[at]
    }

    /// Notes the series at `at`, of `org` and `ind`, as the current one (its texts kept in
    /// the room of the last one's).
    fn make_current(&mut self, at: usize, org: &str, ind: &str) {
        let (mut o, mut i) = match self.current.take() {
            Some((_, o, i)) => (o, i),
            None => Default::default(),
        };
        o.clear();
        i.clear();
        o.push_str(org);
        i.push_str(ind);
        self.current = Some((at, o, i));
    }

    /// Puts the current series aside: its rows are most likely all read, so its spare room
    /// is given back (a file of many short series would otherwise hold up to twice their
    /// rows), and as much is made for the next new one.
    fn leave(&mut self) {
        if let Some((at, _, _)) = &self.current {
            let series = &mut self.series[*at];
            self.last_len = series.len();
            series.shrink();
        }
    }

    /// Every series with its organisation and indicator, in their order.
    pub(crate) fn into_sorted(self) -> Vec<((String, String), SeriesRows)> {
        // Organisations sorted, then each one's indicators: the series themselves (a few
        // hundred bytes each) are moved once, into place.
        let mut series = self.series;
        let mut orgs: Vec<(String, HashMap<String, usize>)> = self.index.into_iter().collect();
        orgs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(series.len());
        for (org, inds) in orgs {
            let mut inds: Vec<(String, usize)> = inds.into_iter().collect();
            inds.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (ind, at) in inds {
                if let Some(rows) = series.get_mut(at) {
                    out.push(((org.clone(), ind), std::mem::take(rows)));
                }
            }
        }
        out
    }
}
