//! Criterion benchmark of the text engine on tweet-sized posts (the evasion and negative
//! fixtures: Arabic, English, Arabizi, evasion-written): `Engine::scan` (keys, lexicon matches,
//! entities, language) and the normalization keys alone. End-to-end CLI numbers and the Python
//! peer comparison are in `bench/scan_text.sh`; results in docs/PERFORMANCE.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use marsad_text::{keys, Engine, KeyOptions, ScanOptions};

fn posts() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let mut out = Vec::new();
    for (name, col) in [("evasion.tsv", 1), ("negatives.tsv", 0)] {
        let text = std::fs::read_to_string(format!("{dir}{name}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            if let Some(t) = line.split('\t').nth(col) {
                out.push(t.to_string());
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let posts = posts();
    let engine = match Engine::with_defaults() {
        Ok(e) => e,
        Err(e) => panic!("engine: {e}"),
    };
    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Elements(posts.len() as u64));
    g.bench_function("scan", |b| {
        b.iter_batched(
            || (),
            |_| {
                let mut n = 0usize;
                for p in &posts {
                    n += engine.scan(p, ScanOptions::default()).matches.len();
                }
                n
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("keys", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for p in &posts {
                n += keys(p, KeyOptions { all: false }).plain.text.len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
