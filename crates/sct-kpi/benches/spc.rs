//! SPC core throughput: one long series and many short ones (target: 50 million points a
//! second on one core). Every case calls the public [`spc`] (XmR) or [`chart`] (run chart,
//! p′ chart) once per series, so the short cases include the per-series overhead
//! (validation, result allocation, segment set-up).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sct_kpi::chart::{ChartChoice, ChartInput, ChartKind, ChartOptions, chart};
use sct_kpi::spc::{SpcOptions, spc};

/// A deterministic noisy series with shifts, so every rule has work to do.
fn series(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed | 1;
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state % 1000) as f64 / 100.0;
            let level = if (i / 40) % 3 == 0 { 50.0 } else { 55.0 };
            level + noise
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let options = SpcOptions::default();
    let long = series(1_000_000, 7);
    let mut g = c.benchmark_group("spc");
    g.throughput(Throughput::Elements(long.len() as u64));
    g.bench_function("one series of 1,000,000 points", |b| {
        b.iter(|| spc(black_box(&long), &[], &options).expect("valid"))
    });

    // 42 organisations × 60 indicators, 120 months each.
    let short: Vec<Vec<f64>> = (0..2_520).map(|k| series(120, k + 1)).collect();
    g.throughput(Throughput::Elements((short.len() * 120) as u64));
    g.bench_function("2,520 series of 120 points (42 ICBs x 60 KPIs)", |b| {
        b.iter(|| {
            for s in &short {
                black_box(spc(black_box(s), &[], &options).expect("valid"));
            }
        })
    });

    // The same with a rebase halfway and limits fixed after 24 points: two segments a series.
    let fixed = SpcOptions {
        fix_after: Some(24),
        ..SpcOptions::default()
    };
    g.bench_function(
        "2,520 series of 120 points, rebased at 60, fix-after 24",
        |b| {
            b.iter(|| {
                for s in &short {
                    black_box(spc(black_box(s), &[60], &fixed).expect("valid"));
                }
            })
        },
    );
    g.finish();
}

/// Deterministic counts for a p′ chart: denominators of 20,000 to 30,000 (A&E attendances in
/// a month) and numerators near 70 % of them, with shifts.
fn counts(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|i| {
            let d = 20_000.0 + (next() % 10_000) as f64;
            let p = if (i / 40) % 3 == 0 { 0.70 } else { 0.72 } + (next() % 1000) as f64 / 50_000.0;
            ((d * p).floor(), d)
        })
        .unzip()
}

fn bench_charts(c: &mut Criterion) {
    let long = series(1_000_000, 7);
    let short: Vec<Vec<f64>> = (0..2_520).map(|k| series(120, k + 1)).collect();
    let run = ChartOptions {
        chart: ChartChoice::Only(ChartKind::Run),
        ..ChartOptions::default()
    };
    let mut g = c.benchmark_group("runchart");
    g.throughput(Throughput::Elements(long.len() as u64));
    g.bench_function("one series of 1,000,000 points", |b| {
        b.iter(|| chart(ChartInput::Values(black_box(&long)), &[], &run).expect("valid"))
    });
    g.throughput(Throughput::Elements((short.len() * 120) as u64));
    g.bench_function("2,520 series of 120 points (42 ICBs x 60 KPIs)", |b| {
        b.iter(|| {
            for s in &short {
                black_box(chart(ChartInput::Values(black_box(s)), &[], &run).expect("valid"));
            }
        })
    });
    g.finish();

    let (x, n) = counts(1_000_000, 7);
    let short: Vec<(Vec<f64>, Vec<f64>)> = (0..2_520).map(|k| counts(120, k + 1)).collect();
    let pprime = ChartOptions {
        chart: ChartChoice::Only(ChartKind::PPrime),
        ..ChartOptions::default()
    };
    let mut g = c.benchmark_group("pprime");
    g.throughput(Throughput::Elements(x.len() as u64));
    g.bench_function("one series of 1,000,000 points", |b| {
        b.iter(|| {
            let input = ChartInput::Counts {
                numerators: black_box(&x),
                denominators: black_box(&n),
            };
            chart(input, &[], &pprime).expect("valid")
        })
    });
    // The same chart again, with the freed result memory kept by the allocator. A p′ chart of
    // a million points returns 18 MB (values, s_i, types, rules); glibc hands blocks that
    // large back to the kernel when they are dropped, so every iteration above also times
    // the kernel mapping and zeroing about 4,400 fresh pages (about 8 ms of its 20 here).
    // Held, as a long-running process or one reviewing many series holds it, this times the
    // chart itself. Both figures are reported (`bench`).
    if hold_freed_memory() {
        g.throughput(Throughput::Elements(x.len() as u64));
        g.bench_function("one series of 1,000,000 points, freed memory held", |b| {
            b.iter(|| {
                let input = ChartInput::Counts {
                    numerators: black_box(&x),
                    denominators: black_box(&n),
                };
                chart(input, &[], &pprime).expect("valid")
            })
        });
    }
    g.throughput(Throughput::Elements((short.len() * 120) as u64));
    g.bench_function("2,520 series of 120 points (42 ICBs x 60 KPIs)", |b| {
        b.iter(|| {
            for (x, n) in &short {
                let input = ChartInput::Counts {
                    numerators: black_box(x),
                    denominators: black_box(n),
                };
                black_box(chart(input, &[], &pprime).expect("valid"));
            }
        })
    });
    g.finish();
}

/// Asks glibc to keep freed blocks of up to 32 MB in the heap (its largest mmap threshold)
/// instead of returning them to the kernel; `false` where that cannot be asked.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn hold_freed_memory() -> bool {
    // SAFETY: mallopt only changes the allocator's thresholds; it is called before any other
    // thread of this process allocates in parallel with it (criterion runs benches in turn).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1
            && libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30) == 1
    }
}

/// Elsewhere the allocator's policy is left as it is, and the held case is not run.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn hold_freed_memory() -> bool {
    false
}

/// The machine's memory bandwidth as the figure the core's rates are compared with: one
/// thread summing 1 GiB of `f64` (far beyond every cache), in eight independent lanes so that
/// the additions wait on memory rather than on each other. Reported in values a second, the
/// unit of the core's rates (one value is 8 bytes).
fn bench_bandwidth(c: &mut Criterion) {
    let values = vec![1.0_f64; 1 << 27];
    let mut g = c.benchmark_group("memory");
    g.sample_size(10);
    g.throughput(Throughput::Elements(values.len() as u64));
    g.bench_function("sum of 1 GiB of f64, one thread", |b| {
        b.iter(|| {
            let mut lanes = [0.0_f64; 8];
            for chunk in black_box(&values).chunks_exact(8) {
                for (lane, &v) in lanes.iter_mut().zip(chunk) {
                    *lane += v;
                }
            }
            lanes.iter().sum::<f64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_charts, bench_bandwidth);
criterion_main!(benches);
