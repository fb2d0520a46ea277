//! The simple lines of a long-form KPI CSV ([`crate::lines`]) read on two threads when the
//! machine has two cores: this one reads the file (and hashes it) a batch of whole lines at a
//! time and builds the series, while a second splits, parses and checks each batch's rows
//! ([`Reading::clean_row`]), which needs nothing of the reading so far; when the second has
//! all it can hold and this one would wait for it, this one takes the next batches itself (it
//! has less to do a byte, so the two share the rows as their speeds allow). The rows come back in
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
use crate::period::Period;

/// Bytes of lines in a batch: small enough that the two threads work together from the first
/// batch to the last, large enough that handing one over costs nothing beside its rows.
const BATCH: usize = 1 << 18;

/// Batches handed to the second thread and not yet taken back.
const IN_FLIGHT: usize = 2;

/// Batches read and not yet added to the series: when the second thread has all it can hold
/// and the next batch it took is not back, this thread takes the batches after it itself,
/// up to this many, rather than wait (it has less to do per byte, so the two share the rows).
const AHEAD: usize = 6;

/// A row as the second thread leaves it: 40 bytes, since every row of a batch is written on
/// one thread and read on the other.
enum Taken<'a> {
    /// The series of the [`Taken::Clean`] rows that follow: its organisation (where its text
    /// is in the batch) and indicator.
    Series { org: (u32, u32), ind: &'a Indicator },
    /// A kept row of an indicator read from the file, checked, with nothing to record but
    /// the row itself, of the series of the last [`Taken::Series`].
    Clean(Clean),
    /// A row of an organisation not kept.
    NotKept { org: (u32, u32) },
    /// Any other row: its line, and where its text is in the batch.
    Other { line: u64, at: (u32, u32) },
}

/// A [`Row`] in fewer bytes: the numbers without their `Option`s' room, the line counted
/// from the batch's first.
#[derive(Clone, Copy)]
struct Clean {
    value: f64,
    numerator: f64,
    denominator: f64,
    period: Period,
    line: u32,
    /// Bit 0: a numerator; bit 1: a denominator.
    has: u8,
}

impl Clean {
    fn new(row: Row, first_line: u64) -> Option<Clean> {
        Some(Clean {
            value: row.value,
            numerator: row.numerator.unwrap_or(0.0),
            denominator: row.denominator.unwrap_or(0.0),
            period: row.period,
            line: u32::try_from(row.line - first_line).ok()?,
            has: u8::from(row.numerator.is_some()) | (u8::from(row.denominator.is_some()) << 1),
        })
    }

    fn row(self, first_line: u64) -> Row {
        Row {
            period: self.period,
            value: self.value,
            numerator: (self.has & 1 != 0).then_some(self.numerator),
            denominator: (self.has & 2 != 0).then_some(self.denominator),
            line: first_line + u64::from(self.line),
        }
    }
}

/// Whole lines `buf[start..whole]` to take, and (when taken) their rows. Lines are counted
/// from the batch's first (0), so that a batch can be taken before those ahead of it; the
/// reading adds the line of its first line ([`Batch::first_line`]) as it takes them in order.
struct Batch<'a> {
    buf: Vec<u8>,
    start: usize,
    whole: usize,
    taken: Vec<Taken<'a>>,
    /// The line of the batch's first line, set when its rows are added in order.
    first_line: u64,
    /// Lines in the batch (when taken, and no line stopped it).
    lines: u64,
    /// A line that is not simple, where the csv crate must read on (its line in the batch).
    stop: Option<(usize, u64)>,
}

/// The organisation and indicator of a line as written, whether the organisation is kept, and
/// the set's indicator of that id.
type Before<'b, 'a> = (&'b [u8], &'b [u8], bool, Option<&'a Indicator>);

/// Splits, parses and checks the rows of each batch in turn (the second thread's part).
struct Taker<'a> {
    cols: Columns,
    width: usize,
    keep: Option<&'a BTreeSet<String>>,
    indicators: BTreeMap<&'a str, &'a Indicator>,
    periods: PeriodCache,
    fields: Vec<(u32, u32)>,
    /// Whether a line was not simple: the batches after it are left as they are.
    stopped: bool,
}

impl<'a> Taker<'a> {
    fn take(&mut self, mut b: Batch<'a>) -> Batch<'a> {
        if self.stopped {
            return b;
        }
        if u32::try_from(b.whole).is_err() {
            // Offsets in the batch are kept in 32 bits: a batch this long (a line of gigabytes)
            // is the csv crate's to read.
            b.stop = Some((b.start, 0));
            self.stopped = true;
            return b;
        }
        let (cols, keep, indicators) = (self.cols, self.keep, &self.indicators);
        let periods = &mut self.periods;
        let buf = &b.buf;
        let taken = &mut b.taken;
        // The organisation and indicator of the line before, and what they are.
        let mut before: Option<Before<'_, 'a>> = None;
        // Whether the row before was clean, so that this one, of the same series, follows it.
        let mut clean_before = false;
        let mut row = |line: u64, l: &Line<'_>| {
            let (org_at, ind_at) = (l.span(cols.organisation), l.span(cols.indicator));
            let (org, ind_id) = (&buf[org_at.0..org_at.1], &buf[ind_at.0..ind_at.1]);
            let (same_org, kept) = match before {
                Some((o, _, kept, _)) if lines::same_field(o, org) => (true, kept),
                _ => (false, keep.is_none_or(|k| k.contains(text_at(buf, org_at)))),
            };
            let (same_ind, ind) = match before {
                Some((_, i, _, ind)) if lines::same_field(i, ind_id) => (true, ind),
                _ => (false, indicators.get(text_at(buf, ind_at)).copied()),
            };
            before = Some((org, ind_id, kept, ind));
            let same = same_org && same_ind && clean_before;
            // Within 32 bits, as the batch is.
            let org = (org_at.0 as u32, org_at.1 as u32);
            let clean = match ind {
                Some(ind) if kept && ind.measure.is_none() => {
                    Reading::clean_row(ind, cols, periods, line, l)
                        .and_then(|row| Clean::new(row, 0))
                        .map(|row| (ind, row))
                }
                _ => None,
            };
            clean_before = clean.is_some();
            let next = match clean {
                Some((_, row)) if same => Taken::Clean(row),
                Some((ind, row)) => {
                    taken.push(Taken::Series { org, ind });
                    Taken::Clean(row)
                }
                None if !kept => Taken::NotKept { org },
                None => {
                    let (a, z) = l.bounds();
                    Taken::Other {
                        line,
                        at: (a as u32, z as u32),
                    }
                }
            };
            taken.push(next);
        };
        let (start, whole) = (b.start, b.whole);
        let mut line = 0;
        let stop = lines::whole_lines(
            buf,
            start,
            whole,
            &mut line,
            self.width,
            &mut self.fields,
            &mut row,
        );
        b.lines = line;
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

/// A range of a batch's bytes kept in 32 bits, as a range.
fn wide((a, b): (u32, u32)) -> (usize, usize) {
    (a as usize, b as usize)
}

/// Where the batches are taken: on this thread, or on a second one and (when it is busy)
/// on this one.
enum Worker<'a> {
    Here(Box<Taker<'a>>, VecDeque<Batch<'a>>),
    There(Box<Shared<'a>>),
}

/// Batches taken on a second thread and on this one, added to the series in the order read.
struct Shared<'a> {
    to_taker: mpsc::SyncSender<Batch<'a>>,
    taken: mpsc::Receiver<Batch<'a>>,
    /// This thread's taker, for the batches it takes itself.
    here: Taker<'a>,
    /// Every batch handed on and not yet added, in order: taken here (`Some`), or on the
    /// second thread (`None` until it is back).
    order: VecDeque<Option<Batch<'a>>>,
    /// Batches with the second thread.
    away: usize,
    /// Which batches to take here: when the second thread is busy, or (for the tests,
    /// whatever the timing) every other batch.
    every_other: bool,
    handed: usize,
}

impl<'a> Worker<'a> {
    /// Whether another batch should be read now, `in_flight` being handed on and not added:
    /// on two threads, while the second has room or this one would wait for it.
    fn wants(&mut self, in_flight: usize) -> bool {
        match self {
            Worker::Here(..) => in_flight < IN_FLIGHT,
            Worker::There(w) => in_flight < AHEAD && (w.away < IN_FLIGHT || !w.front_back()),
        }
    }

    fn send(&mut self, b: Batch<'a>) {
        match self {
            Worker::Here(taker, done) => done.push_back(taker.take(b)),
            Worker::There(w) => {
                w.handed += 1;
                let here = match w.every_other {
                    true => w.handed.is_multiple_of(2),
                    false => w.away >= IN_FLIGHT,
                };
                if here {
                    let b = w.here.take(b);
                    w.order.push_back(Some(b));
                } else {
                    // The second thread stops only when this one stops sending.
                    let _ = w.to_taker.send(b);
                    w.away += 1;
                    w.order.push_back(None);
                }
            }
        }
    }

    fn recv(&mut self) -> Option<Batch<'a>> {
        match self {
            Worker::Here(_, done) => done.pop_front(),
            Worker::There(w) => match w.order.pop_front()? {
                Some(b) => Some(b),
                None => {
                    w.away -= 1;
                    w.taken.recv().ok()
                }
            },
        }
    }
}

impl Shared<'_> {
    /// Whether the next batch to add is there to be added, without waiting.
    fn front_back(&mut self) -> bool {
        match self.order.front_mut() {
            Some(Some(_)) => true,
            Some(front @ None) => match self.taken.try_recv() {
                Ok(b) => {
                    self.away -= 1;
                    *front = Some(b);
                    true
                }
                Err(_) => false,
            },
            None => false,
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

/// On how many threads the rows are taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Split {
    /// On this thread.
    One,
    /// On a second thread when there is a second core and more than one buffer of input (a
    /// small file is read before a thread would have started), and on this one while the
    /// second is busy.
    Two,
    /// On two threads, every other batch on each whatever the timing or the input: for the
    /// tests, so that a batch taken on this thread is always among those they compare.
    #[cfg(test)]
    EveryOther,
}

impl Split {
    /// The split to use for an input whose first buffer `ended` it or not.
    pub(crate) fn for_input(self, ended: bool) -> Split {
        let two = !ended && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        match self {
            Split::Two if !two => Split::One,
            split => split,
        }
    }
}

/// Reads the simple lines of `input` into `reading`, from byte `start` of `buf` (the first
/// bytes read, after the header) on line 2, on the threads `split` says.
pub(crate) fn read_simple<R: Read>(
    input: &mut R,
    buf: Vec<u8>,
    start: usize,
    width: usize,
    set: &KpiSet,
    reading: &mut Reading<'_>,
    split: Split,
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
        stopped: false,
    };
    let mut buf = buf;
    if split != Split::One {
        let (mut there, here) = (taker(), taker());
        let done = std::thread::scope(|s| {
            let (to_taker, batches) = mpsc::sync_channel::<Batch<'_>>(IN_FLIGHT);
            let (to_reader, taken) = mpsc::sync_channel::<Batch<'_>>(IN_FLIGHT);
            let rows = move || {
                for b in batches {
                    if to_reader.send(there.take(b)).is_err() {
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
            let mut worker = Worker::There(Box::new(Shared {
                to_taker,
                taken,
                here,
                order: VecDeque::new(),
                away: 0,
                every_other: split != Split::Two,
                handed: 0,
            }));
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
    // The line of the first line of the next batch to add.
    let mut line = 2;
    loop {
        if !reading_done && worker.wants(in_flight) {
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
                first_line: 0,
                lines: 0,
                stop: None,
            };
            start = 0;
            worker.send(b);
            in_flight += 1;
            continue;
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
                b.first_line = line;
                line += b.lines;
                reading.take_batch(&b, width, &mut fields);
                if let Some((at, stop)) = b.stop {
                    stopped = Some((b.buf[at..b.whole].to_vec(), b.first_line + stop));
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
        // The series of the clean rows that follow, until the first is added to it.
        let mut series = None;
        for t in &b.taken {
            match *t {
                Taken::Series { org, ind } => series = Some((org, ind)),
                Taken::Clean(row) => {
                    self.rows_read += 1;
                    self.rows_kept += 1;
                    let row = row.row(b.first_line);
                    match (series.take(), self.series.current()) {
                        // The series of the row before, which that row was added to.
                        (None, Some(current)) => current.push(row),
                        (Some((org, ind)), _) => {
                            let org = text_at(&b.buf, wide(org));
                            self.kept(org);
                            self.push_row(org, ind.id.get_ref(), row);
                        }
                        // Not made: every run of clean rows starts with its series.
                        (None, None) => {}
                    }
                }
                Taken::NotKept { org } => {
                    self.rows_read += 1;
                    self.kept(text_at(&b.buf, wide(org)));
                }
                Taken::Other { line, at } => {
                    let text = text_at(&b.buf, wide(at));
                    lines::split(text.as_bytes(), width, fields);
                    let line = b.first_line + line;
                    self.row(line, &Line::new(text, fields, at.0 as usize));
                }
            }
        }
    }
}
