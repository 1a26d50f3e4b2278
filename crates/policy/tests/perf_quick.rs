#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Quick timing without criterion: `cargo test --release -p iamd-policy --test perf_quick -- --ignored --nocapture`.
use iamd_policy::*;
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

#[test]
#[ignore]
fn quick_timing() {
    let (set, p, ctx) = setup();
    for (action, resource) in [
        (
            "s3:GetObject",
            "arn:aws:s3:::bucket-3/home/alice/report.pdf",
        ),
        ("iam:CreateUser", "arn:aws:iam::111122223333:user/bob"),
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q-3"),
        ("ec2:DescribeInstances", "*"),
    ] {
        let req = Request {
            principal: &p,
            action,
            resource,
            context: &ctx,
        };
        let n = 1_000_000;
        let t = std::time::Instant::now();
        let mut allowed = 0;
        for _ in 0..n {
            if std::hint::black_box(evaluate(std::hint::black_box(&req), &set)).is_allowed() {
                allowed += 1;
            }
        }
        let el = t.elapsed();
        println!(
            "{action}: {:.0} ns/decision, {:.0} decisions/s (allowed {allowed})",
            el.as_nanos() as f64 / n as f64,
            n as f64 / el.as_secs_f64()
        );
    }
}
