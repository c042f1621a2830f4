//! The hot paths of `validate`, on a simulated stream of the built-in catalog: reading an
//! envelope, finding a line's shard key, checking a payload, and interpreting whole lines.
//! Whole-process comparisons with other validators live in `bench/compare.sh`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plotline::compile::Catalog;
use plotline::engine::envelope;
use plotline::engine::{Interpreter, Limits, Place};
use plotline::simulate::{self, Options};

fn catalog() -> Catalog {
    let (files, _) = plotline::config::load_builtin();
    plotline::compile::compile(&files)
        .0
        .expect("the built-in catalog compiles")
}

fn stream(catalog: &Catalog, events: u64) -> Vec<Vec<u8>> {
    let options = Options {
        events,
        open: 1000,
        violations: 0.01,
        seed: 7,
        lifecycles: Vec::new(),
        start_ts: 1_732_435_200_000,
        cut: true,
    };
    let mut out = Vec::new();
    simulate::simulate(catalog, &options, &mut out).expect("simulate");
    out.split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn hot_paths(c: &mut Criterion) {
    let catalog = catalog();
    let lines = stream(&catalog, 20_000);
    let mut group = c.benchmark_group("lines");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("envelope::parse", |b| {
        b.iter(|| lines.iter().filter(|l| envelope::parse(l).is_ok()).count())
    });
    group.bench_function("envelope::key_of", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| envelope::key_of(l).is_some())
                .count()
        })
    });
    group.bench_function("interpreter::line", |b| {
        b.iter(|| {
            let mut interpreter = Interpreter::new(&catalog, Limits::default());
            let mut violations = 0u64;
            for (i, line) in lines.iter().enumerate() {
                let place = Place {
                    file_index: 0,
                    file: "bench",
                    line: i as u64 + 1,
                };
                interpreter.line(place, line, false, &mut |_| violations += 1);
            }
            violations
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    c.bench_function("load and compile the built-in catalog", |b| b.iter(catalog));
}

criterion_group!(benches, hot_paths, load);
criterion_main!(benches);
