//! The simple lines of a long-form KPI CSV ([`crate::lines`]) read on two threads when the
//! machine has two cores: this one reads the file (and hashes it) a batch of whole lines at a
//! time and builds the series, while a second splits, parses and checks each batch's rows
//! ([`Reading::clean_row`]), which needs nothing of the reading so far. The rows come back in
//! the order of the file and are taken one by one as before, so the series, flags, warnings,
//! errors and their lines are exactly those of reading on one thread: a row that is anything
//! but plain (an error, a skipped row, a flag, an indicator not in the set) is taken again
//! from its text by [`Reading::row`], the one place every row's problems are recorded.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Read;
use std::sync::mpsc;

use crate::data::{Columns, PeriodCache, Reading, Row};
use crate::kpiset::{Indicator, KpiSet};
use crate::lines::{self, Line, Stop};

/// Bytes of lines in a batch: small enough that the two threads work together from the first
/// batch to the last, large enough that handing one over costs nothing beside its rows.
const BATCH: usize = 1 << 18;

/// Batches handed over and not yet taken back.
const IN_FLIGHT: usize = 2;

/// A row as the second thread leaves it.
enum Taken<'a> {
    /// A kept row of an indicator read from the file, checked, with nothing to record but
    /// the row itself; `same` when the line before in the batch had the same organisation
    /// and indicator.
    Clean {
        org: (usize, usize),
        same: bool,
        ind: &'a Indicator,
        row: Row,
    },
    /// A row of an organisation not kept.
    NotKept { org: (usize, usize) },
    /// Any other row: its line, and where its text is in the batch.
    Other { line: u64, at: (usize, usize) },
}

/// Whole lines `buf[start..whole]` to take, and (when taken) their rows.
struct Batch<'a> {
    buf: Vec<u8>,
    start: usize,
    whole: usize,
    taken: Vec<Taken<'a>>,
    /// A line that is not simple, where the csv crate must read on.
    stop: Option<(usize, u64)>,
}

/// Splits, parses and checks the rows of each batch in turn (the second thread's part).
struct Taker<'a> {
    cols: Columns,
    width: usize,
    keep: Option<&'a BTreeSet<String>>,
    indicators: BTreeMap<&'a str, &'a Indicator>,
    periods: PeriodCache,
    fields: Vec<(u32, u32)>,
    /// The line of the next batch's first line.
    line: u64,
    /// Whether a line was not simple: the batches after it are left as they are.
    stopped: bool,
}

impl<'a> Taker<'a> {
    fn take(&mut self, mut b: Batch<'a>) -> Batch<'a> {
        if self.stopped {
            return b;
        }
        let (cols, keep, indicators) = (self.cols, self.keep, &self.indicators);
        let periods = &mut self.periods;
        let buf = &b.buf;
        let taken = &mut b.taken;
        // The organisation and indicator of the line before, and what they are.
        let mut before: Option<(&str, &str, bool, Option<&'a Indicator>)> = None;
        let mut row = |line: u64, l: &Line<'_>| {
            let (org_at, ind_at) = (l.span(cols.organisation), l.span(cols.indicator));
            // The text lives in `buf`, which outlives the line: the fields are taken from it.
            let (org, ind_id) = (text_at(buf, org_at), text_at(buf, ind_at));
            let (same_org, kept) = match before {
                Some((o, _, kept, _)) if o == org => (true, kept),
                _ => (false, keep.is_none_or(|k| k.contains(org))),
            };
            let (same_ind, ind) = match before {
                Some((_, i, _, ind)) if i == ind_id => (true, ind),
                _ => (false, indicators.get(ind_id).copied()),
            };
            before = Some((org, ind_id, kept, ind));
            let same = same_org && same_ind;
            let org = org_at;
            taken.push(match ind {
                _ if !kept => Taken::NotKept { org },
                Some(ind) if ind.measure.is_none() => {
                    match Reading::clean_row(ind, cols, periods, line, l) {
                        Some(row) => Taken::Clean {
                            org,
                            same,
                            ind,
                            row,
                        },
                        None => Taken::Other {
                            line,
                            at: l.bounds(),
                        },
                    }
                }
                _ => Taken::Other {
                    line,
                    at: l.bounds(),
                },
            });
        };
        let (start, whole) = (b.start, b.whole);
        let stop = lines::whole_lines(
            buf,
            start,
            whole,
            &mut self.line,
            self.width,
            &mut self.fields,
            &mut row,
        );
        if let Some(Stop::Line { at, line }) = stop {
            b.stop = Some((at, line));
            self.stopped = true;
        }
        b
    }
}

/// `buf[a..b]` as text (a field of a line already found to be UTF-8).
fn text_at(buf: &[u8], (a, b): (usize, usize)) -> &str {
    std::str::from_utf8(&buf[a..b]).unwrap_or("")
}

/// Where the batches are taken: on this thread, or on a second one.
enum Worker<'a> {
    Here(Box<Taker<'a>>, VecDeque<Batch<'a>>),
    There(mpsc::SyncSender<Batch<'a>>, mpsc::Receiver<Batch<'a>>),
}

impl<'a> Worker<'a> {
    fn send(&mut self, b: Batch<'a>) {
        match self {
            Worker::Here(taker, done) => done.push_back(taker.take(b)),
            Worker::There(tx, _) => {
                // The second thread stops only when this one stops sending.
                let _ = tx.send(b);
            }
        }
    }

    fn recv(&mut self) -> Option<Batch<'a>> {
        match self {
            Worker::Here(_, done) => done.pop_front(),
            Worker::There(_, rx) => rx.recv().ok(),
        }
    }
}

/// How the simple lines ended.
pub(crate) enum End {
    /// At the end of the input.
    Input,
    /// The input could not be read.
    Io(std::io::Error),
    /// At a line that is not simple, on `line`: `rest` is the file's bytes from it up to
    /// what is still unread.
    Line { rest: Vec<u8>, line: u64 },
}

/// Whether to take the rows on a second thread: only when there is a second core, and more
/// than one buffer of input (a small file is read before a thread would have started).
pub(crate) fn two_threads(ended: bool) -> bool {
    !ended && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// Reads the simple lines of `input` into `reading`, from byte `start` of `buf` (the first
/// bytes read, after the header) on line 2, on a second thread when `threads`.
pub(crate) fn read_simple<R: Read>(
    input: &mut R,
    buf: Vec<u8>,
    start: usize,
    width: usize,
    set: &KpiSet,
    reading: &mut Reading<'_>,
    threads: bool,
) -> End {
    let (cols, keep) = (reading.cols, reading.keep);
    let taker = || Taker {
        cols,
        width,
        keep,
        indicators: set
            .indicators
            .iter()
            .map(|i| (i.id.get_ref().as_str(), i))
            .collect(),
        periods: PeriodCache::new(),
        fields: Vec::with_capacity(width),
        line: 2,
        stopped: false,
    };
    let mut buf = buf;
    if threads {
        let mut taker = taker();
        let done = std::thread::scope(|s| {
            let (to_taker, batches) = mpsc::sync_channel::<Batch<'_>>(IN_FLIGHT);
            let (to_reader, taken) = mpsc::sync_channel::<Batch<'_>>(IN_FLIGHT);
            let rows = move || {
                for b in batches {
                    if to_reader.send(taker.take(b)).is_err() {
                        break;
                    }
                }
            };
            let spawned = std::thread::Builder::new()
                .name("kpi-rows".into())
                .spawn_scoped(s, rows);
            if spawned.is_err() {
                return Err(buf);
            }
            let mut worker = Worker::There(to_taker, taken);
            Ok(pump(input, buf, start, width, reading, &mut worker))
        });
        match done {
            Ok(end) => return end,
            // No thread to be had: the batches are taken here.
            Err(back) => buf = back,
        }
    }
    let mut worker = Worker::Here(Box::new(taker()), VecDeque::new());
    pump(input, buf, start, width, reading, &mut worker)
}

/// Reads batches of whole lines, hands each to `worker`, and takes their rows back in order.
fn pump<'a, R: Read>(
    input: &mut R,
    mut buf: Vec<u8>,
    mut start: usize,
    width: usize,
    reading: &mut Reading<'_>,
    worker: &mut Worker<'a>,
) -> End {
    let mut spare: Vec<(Vec<u8>, Vec<Taken<'a>>)> = Vec::new();
    let mut in_flight = 0;
    let mut reading_done = false;
    let mut error = None;
    let mut stopped: Option<(Vec<u8>, u64)> = None;
    let mut fields = Vec::with_capacity(width);
    let mut want = BATCH;
    loop {
        if !reading_done && in_flight < IN_FLIGHT {
            let ended = match lines::fill(input, &mut buf, start + want) {
                Ok(ended) => ended,
                Err(e) => {
                    error = Some(e);
                    reading_done = true;
                    continue;
                }
            };
            // Whole lines of about a batch, unless the input ended.
            let cut = buf.len().min(start + BATCH);
            let whole = match memchr::memrchr(b'\n', &buf[start..cut]) {
                Some(i) => start + i + 1,
                None => match memchr::memchr(b'\n', &buf[cut..]) {
                    Some(i) => cut + i + 1,
                    None if ended => buf.len(),
                    None => {
                        // One line longer than the buffer: read more of it.
                        want = 2 * (buf.len() - start).max(BATCH);
                        continue;
                    }
                },
            };
            want = BATCH;
            let (mut next, taken) = spare.pop().unwrap_or_default();
            next.clear();
            next.extend_from_slice(&buf[whole..]);
            reading_done = ended && next.is_empty();
            let b = Batch {
                buf: std::mem::replace(&mut buf, next),
                start,
                whole,
                taken,
                stop: None,
            };
            start = 0;
            worker.send(b);
            in_flight += 1;
            if !reading_done && in_flight < IN_FLIGHT {
                continue;
            }
        }
        if in_flight == 0 {
            break;
        }
        let Some(mut b) = worker.recv() else { break };
        in_flight -= 1;
        match &mut stopped {
            // After a line that is not simple, the batches are the csv crate's to read.
            Some((rest, _)) => rest.extend_from_slice(&b.buf[b.start..b.whole]),
            None => {
                reading.take_batch(&b, width, &mut fields);
                if let Some((at, line)) = b.stop {
                    stopped = Some((b.buf[at..b.whole].to_vec(), line));
                    reading_done = true;
                }
            }
        }
        b.taken.clear();
        spare.push((std::mem::take(&mut b.buf), b.taken));
    }
    match (stopped, error) {
        (Some((mut rest, line)), _) => {
            rest.extend_from_slice(&buf[start..]);
            End::Line { rest, line }
        }
        (None, Some(e)) => End::Io(e),
        (None, None) => End::Input,
    }
}

impl Reading<'_> {
    /// Takes the rows of a batch, in order, as [`Reading::row`] takes each.
    fn take_batch(&mut self, b: &Batch<'_>, width: usize, fields: &mut Vec<(u32, u32)>) {
        let mut clean_before = false;
        for t in &b.taken {
            match *t {
                Taken::Clean {
                    org,
                    same,
                    ind,
                    row,
                } => {
                    self.rows_read += 1;
                    self.rows_kept += 1;
                    match &mut self.current {
                        // The series of the row before, which that row was added to.
                        Some((_, series)) if same && clean_before => series.push(row),
                        _ => {
                            let org = text_at(&b.buf, org);
                            self.kept(org);
                            self.push_row(org, ind.id.get_ref(), row);
                        }
                    }
                    clean_before = true;
                }
                Taken::NotKept { org } => {
                    self.rows_read += 1;
                    self.kept(text_at(&b.buf, org));
                    clean_before = false;
                }
                Taken::Other { line, at: (a, z) } => {
                    let text = text_at(&b.buf, (a, z));
                    lines::split(text.as_bytes(), width, fields);
                    self.row(line, &Line::new(text, fields, a));
                    clean_before = false;
                }
            }
        }
    }
}
