//! iamd-policy vs cedar-policy on the same decisions, in one run.
use cedar_policy::{Authorizer, Decision};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use policy_vs_cedar::*;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let iam = iam_setup();
    let cedar = cedar_setup();
    let auth = Authorizer::new();
    let mut g = c.benchmark_group("decision");
    g.throughput(Throughput::Elements(1));
    for (i, (name, action, resource, expect)) in REQUESTS.iter().enumerate() {
        let req = iamd_policy::Request { principal: &iam.principal, action, resource, context: &iam.context };
        assert_eq!(iamd_policy::evaluate(&req, &iam.set).is_allowed(), *expect, "iamd {name}");
        let creq = &cedar.requests[i];
        let d = auth.is_authorized(creq, &cedar.policies, &cedar.entities).decision();
        assert_eq!(d == Decision::Allow, *expect, "cedar {name}");
        g.bench_function(format!("iamd/{name}"), |b| b.iter(|| iamd_policy::evaluate(black_box(&req), black_box(&iam.set))));
        g.bench_function(format!("cedar/{name}"), |b| {
            b.iter(|| auth.is_authorized(black_box(creq), black_box(&cedar.policies), black_box(&cedar.entities)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
