//! Lookups in the embedded AWS managed policies. Run:
//! `cargo bench -p iamd-managed-policies --bench lookup`.
//! The cold, first-touch costs (process start, first page-in) are measured by
//! `cargo run --release -p iamd-managed-policies --example rss`, since a loop only sees warm ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use criterion::{Criterion, criterion_group, criterion_main};
use iamd_managed_policies as mp;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    c.bench_function("all", |b| b.iter(|| black_box(mp::all()).len()));
    c.bench_function("all/arns (ListPolicies' metadata pass)", |b| {
        b.iter(|| {
            mp::all()
                .iter()
                .map(|p| p.arn().len() + p.path.len() + p.default_version_id.len())
                .sum::<usize>()
        })
    });
    c.bench_function("all/policy_id (derived ids for every policy)", |b| {
        b.iter(|| mp::all().iter().map(|p| p.policy_id().len()).sum::<usize>())
    });
    c.bench_function("by_name ReadOnlyAccess", |b| {
        b.iter(|| {
            mp::by_name(black_box("ReadOnlyAccess"))
                .unwrap()
                .create_date
        })
    });
    let lambda = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    c.bench_function("by_arn service-role/AWSLambdaBasicExecutionRole", |b| {
        b.iter(|| mp::by_arn(black_box(lambda)).unwrap().create_date)
    });
    c.bench_function("by_arn miss", |b| {
        b.iter(|| mp::by_arn(black_box("arn:aws:iam::aws:policy/NoSuchPolicy")).is_none())
    });
    let ro = mp::by_name("ReadOnlyAccess").unwrap();
    c.bench_function("document ReadOnlyAccess", |b| {
        b.iter(|| black_box(ro).document().len())
    });
    c.bench_function("document ReadOnlyAccess + to_string", |b| {
        b.iter(|| black_box(ro).document().to_string())
    });
    c.bench_function("document ReadOnlyAccess + serde_json parse", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(ro).document()).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
