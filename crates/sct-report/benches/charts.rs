//! Chart rendering: a radar of 11 domains, a bar chart of 5 capabilities and an SPC chart of
//! 120 points (full size and small), as SVG and PNG.
//!
//! `cargo bench -p sct-report --bench charts -- --warm-up-time 1 --measurement-time 2`

use sct_spc::chart::ChartVariationIcon;
use sct_spc::spc::{AssuranceIcon, PointType, VariationIcon};
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sct_report::charts::{Bar, BarChart, ChartFormat, RadarChart, bars, radar};
use sct_report::spc_chart::{SpcChart, SpcPoint, spc_chart};

fn level_names() -> Vec<String> {
    [
        "Starting out",
        "Developing",
        "Maturing",
        "Embedded",
        "Mastering",
    ]
    .map(String::from)
    .to_vec()
}

fn radar_chart() -> RadarChart {
    let axes = [
        "3.1 Understanding the local context",
        "3.2 Population health management",
        "3.3 Strategic commissioning",
        "3.4 Outcomes-based contracting",
        "3.5 Provider collaboration",
        "4.1 Data and digital infrastructure",
        "4.2 Analytical capability",
        "4.3 Workforce and leadership",
        "4.4 Intelligent healthcare payor",
        "4.5 Financial sustainability",
        "4.6 Public and patient engagement",
    ];
    let score = [2.33, 1.75, 3.0, 2.5, 3.67, 2.0, 2.75, 3.25, 1.8, 2.6, 3.1];
    RadarChart {
        title: "Capability by domain".into(),
        description: "Scores by domain against targets.".into(),
        axes: axes.map(String::from).to_vec(),
        level_names: level_names(),
        score: score.iter().map(|&s| Some(s)).collect(),
        target: score
            .iter()
            .map(|&s| Some((s + 1.0_f64).round().min(5.0)))
            .collect(),
    }
}

fn bar_chart() -> BarChart {
    let bar = |label: &str, level: Option<f64>, target: f64, note: Option<&str>| Bar {
        label: label.into(),
        level,
        target: Some(target),
        note: note.map(String::from),
    };
    BarChart {
        title: "3.1 Understanding the local context".into(),
        description: "Five capabilities: levels against targets.".into(),
        level_names: level_names(),
        bars: vec![
            bar("3.1.1 Population needs assessment", Some(2.0), 4.0, None),
            bar(
                "3.1.2 Using linked data to understand health inequalities",
                Some(3.0),
                4.0,
                None,
            ),
            bar(
                "3.1.3 Community and voluntary sector insight",
                Some(1.0),
                3.0,
                None,
            ),
            bar("3.1.4 Horizon scanning", None, 3.0, Some("not answered")),
            bar("3.1.5 Place-based partnerships", Some(4.5), 5.0, None),
        ],
    }
}

/// 120 monthly points in two segments, some of them special causes.
fn spc(small: bool) -> SpcChart {
    let points = (0..120usize)
        .map(|i| {
            let seg = usize::from(i >= 60);
            let mean = 54.0 + 10.0 * seg as f64;
            SpcPoint {
                label: format!("{}-{:02}-01", 2015 + i / 12, i % 12 + 1),
                value: 50.0 + 10.0 * seg as f64 + ((i * 37) % 17) as f64 / 2.0,
                mean,
                lpl: Some(mean - 6.0),
                upl: Some(mean + 6.0),
                point_type: match i % 11 {
                    0 => PointType::SpecialCauseConcern,
                    5 => PointType::SpecialCauseImprovement,
                    _ => PointType::CommonCause,
                },
                segment: seg,
                note: (i % 11 == 0).then(|| "shift".into()),
            }
        })
        .collect();
    SpcChart {
        title: "A&E: patients seen within 4 hours".into(),
        description: String::new(),
        unit: "%".into(),
        points,
        target: Some(58.0),
        variation_icon: Some(ChartVariationIcon::Spc(VariationIcon::ImprovementHigh)),
        assurance_icon: Some(AssuranceIcon::Inconsistent),
        assurance_note: None,
        small,
        centre_name: String::new(),
    }
}

fn charts(c: &mut Criterion) {
    let (r, b) = (radar_chart(), bar_chart());
    c.bench_function("radar_svg", |bench| {
        bench.iter(|| radar(black_box(&r), ChartFormat::Svg).unwrap())
    });
    c.bench_function("radar_png", |bench| {
        bench.iter(|| radar(black_box(&r), ChartFormat::Png).unwrap())
    });
    c.bench_function("bars_svg", |bench| {
        bench.iter(|| bars(black_box(&b), ChartFormat::Svg).unwrap())
    });
    c.bench_function("bars_png", |bench| {
        bench.iter(|| bars(black_box(&b), ChartFormat::Png).unwrap())
    });
    let (full, small) = (spc(false), spc(true));
    c.bench_function("spc_120_svg", |bench| {
        bench.iter(|| spc_chart(black_box(&full), ChartFormat::Svg).unwrap())
    });
    c.bench_function("spc_120_png", |bench| {
        bench.iter(|| spc_chart(black_box(&full), ChartFormat::Png).unwrap())
    });
    c.bench_function("spc_120_small_svg", |bench| {
        bench.iter(|| spc_chart(black_box(&small), ChartFormat::Svg).unwrap())
    });
}

criterion_group!(benches, charts);
criterion_main!(benches);
