//! Decisions per second on a realistic policy set: 10 identity policies × 5
//! statements with wildcards, policy variables and conditions, plus compile
//! time per policy. Run: `cargo bench -p iamd-policy --bench eval`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iamd_policy::*;
use std::hint::black_box;
use std::sync::Arc;

/// The same set is written in Cedar in benches/policy-vs-cedar.
pub fn policy_text(i: usize) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{"Sid": "Home{i}", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
      "Resource": "arn:aws:s3:::bucket-{i}/home/${{aws:username}}/*",
      "Condition": {{"Bool": {{"aws:SecureTransport": "true"}}}}}},
    {{"Sid": "Describe{i}", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*",
      "Condition": {{"StringEquals": {{"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}}}},
    {{"Sid": "NoAdmin{i}", "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:role/admin-*",
      "Condition": {{"NotIpAddress": {{"aws:SourceIp": "10.0.0.0/8"}}}}}},
    {{"Sid": "Table{i}", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
      "Resource": "arn:aws:dynamodb:*:111122223333:table/t{i}-*",
      "Condition": {{"ForAllValues:StringEquals": {{"dynamodb:Attributes": ["id", "name", "email"]}}}}}},
    {{"Sid": "Queue{i}", "Effect": "Allow", "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:*:111122223333:q-{i}",
      "Condition": {{"DateLessThan": {{"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
                     "StringEquals": {{"aws:PrincipalTag/team": "team-{i}"}}}}}}
  ]
}}"#
    )
}

fn setup() -> (PolicySet, Principal, Context) {
    let set = PolicySet {
        identity: (0..10)
            .map(|i| {
                Arc::new(
                    CompiledPolicy::from_text(
                        &policy_text(i),
                        DocumentKind::Identity,
                        format!("p{i}"),
                    )
                    .unwrap(),
                )
            })
            .collect(),
        ..Default::default()
    };
    let p = Principal::user("arn:aws:iam::111122223333:user/alice");
    let mut c = Context::new();
    c.insert_str("aws:username", "alice")
        .insert_str("aws:PrincipalTag/team", "team-3")
        .insert_str("aws:RequestedRegion", "eu-west-1")
        .insert(
            "aws:SecureTransport",
            ContextValue::single(Scalar::Bool(true)),
        )
        .insert(
            "aws:SourceIp",
            ContextValue::single(Scalar::Ip("10.1.2.3".parse().unwrap())),
        )
        .insert_strs("dynamodb:Attributes", &["id", "name"]);
    c.with_time(time::OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap());
    (set, p, c)
}

fn bench(c: &mut Criterion) {
    let (set, p, ctx) = setup();
    let reqs = [
        (
            "s3_allowed_with_variable",
            "s3:GetObject",
            "arn:aws:s3:::bucket-3/home/alice/report.pdf",
            Decision::Allowed,
        ),
        (
            "sqs_allowed_two_conditions",
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:111122223333:q-3",
            Decision::Allowed,
        ),
        (
            "iam_implicit_deny",
            "iam:CreateUser",
            "arn:aws:iam::111122223333:user/bob",
            Decision::ImplicitDeny,
        ),
        (
            "ec2_allowed_region",
            "ec2:DescribeInstances",
            "*",
            Decision::Allowed,
        ),
    ];
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    for (name, action, resource, expect) in reqs {
        let req = Request {
            principal: &p,
            action,
            resource,
            context: &ctx,
        };
        assert_eq!(evaluate(&req, &set).decision, expect, "{name}");
        g.bench_function(name, |b| {
            b.iter(|| evaluate(black_box(&req), black_box(&set)))
        });
    }
    g.finish();
    let text = policy_text(7);
    let mut g = c.benchmark_group("compile");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_validate_compile_one_policy", |b| {
        b.iter(|| {
            CompiledPolicy::from_text(black_box(&text), DocumentKind::Identity, "p7").unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
