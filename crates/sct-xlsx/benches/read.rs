//! Benchmarks of the workbook round trip. The figure: reading a filled workbook of 40
//! capabilities in under 20 ms. Measured on a larger one: the bundled example (50
//! capabilities, 49 answered, with evidence, targets and milestones), read from memory into
//! its response, then also validated and scored. Writing the template is measured too.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use sct_core::load::parse_toml;
use sct_core::model::{ResponseDoc, ResponseType};
use sct_core::validate::resolve_frameworks;
use sct_core::{ReadResponse, Sct, SourceFile};

fn bench(c: &mut Criterion) {
    let sct = sct_xlsx::install(Sct::bundled().expect("bundled frameworks"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/baseline-2026-03/bnssg-illustrative.toml");
    let src = SourceFile::read(&path).expect("the bundled example exists");
    let doc = parse_toml::<ResponseDoc>(&src).expect("parses");
    let fw = resolve_frameworks(&src, &doc, &sct.registry).expect("resolves");
    let (bytes, _) =
        sct_xlsx::response_workbook(&fw, ResponseType::Organisation, Some(&doc)).expect("writes");

    c.bench_function(
        "xlsx: read a filled workbook (50 capabilities, 49 answered)",
        |b| {
            b.iter(|| {
                sct_xlsx::read_workbook_bytes("b.xlsx", black_box(&bytes), &sct.registry)
                    .expect("reads")
            })
        },
    );
    c.bench_function(
        "xlsx: read + validate + score a filled workbook (50 capabilities, 49 answered)",
        |b| {
            b.iter(|| {
                let read: ReadResponse =
                    sct_xlsx::read_workbook_bytes("b.xlsx", black_box(&bytes), &sct.registry)
                        .expect("reads");
                let (a, fw) = sct.validate_read(&read, Default::default()).expect("valid");
                let provenance = sct_core::provenance::Provenance::new(
                    &fw.files(),
                    "b.xlsx",
                    &read.source.sha256,
                    &sct.organisations,
                );
                sct_core::score::score(&fw, &a, None, provenance)
            })
        },
    );
    c.bench_function("xlsx: write the blank template workbook", |b| {
        b.iter(|| {
            sct_xlsx::response_workbook(black_box(&fw), ResponseType::Organisation, None)
                .expect("writes")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
