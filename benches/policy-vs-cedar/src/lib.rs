//! One realistic decision set written twice: 10 IAM identity policies × 5
//! statements (wildcards, policy variables, conditions) for iamd-policy, and
//! the equivalent 50 Cedar policies for cedar-policy 4.14.
//!
//! IAM wildcards on actions become Cedar action groups (`Action::"s3:Get*"`),
//! `${aws:username}` becomes a comparison with a context attribute, and ARN
//! wildcards become `like` patterns.

use std::str::FromStr;
use std::sync::Arc;

/// The IAM policy `i` (same text as crates/policy/benches/eval.rs).
pub fn iam_policy(i: usize) -> String {
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

/// The Cedar equivalent of IAM policy `i` (five Cedar policies).
pub fn cedar_policies(i: usize) -> String {
    format!(
        r#"
@id("Home{i}")
permit(principal, action in [Action::"s3:Get*", Action::"s3:List*"], resource)
when {{ resource.arn like "arn:aws:s3:::bucket-{i}/home/*" && resource has home && resource.home == context.username && context.secure_transport }};
@id("Describe{i}")
permit(principal, action in Action::"ec2:Describe*", resource)
when {{ ["eu-west-1", "us-east-1"].contains(context.region) }};
@id("NoAdmin{i}")
forbid(principal, action in Action::"iam:*", resource)
when {{ resource.arn like "arn:aws:iam::*:role/admin-*" && !context.source_ip.isInRange(ip("10.0.0.0/8")) }};
@id("Table{i}")
permit(principal, action in [Action::"dynamodb:GetItem", Action::"dynamodb:Query"], resource)
when {{ resource.arn like "arn:aws:dynamodb:*:111122223333:table/t{i}-*" && ["id", "name", "email"].containsAll(context.attributes) }};
@id("Queue{i}")
permit(principal, action == Action::"sqs:SendMessage", resource)
when {{ resource.arn like "arn:aws:sqs:*:111122223333:q-{i}" && context.epoch_time < 1893456000 && principal.team == "team-{i}" }};
"#
    )
}

/// The requests of the benchmark: (name, action, resource ARN, expected allow).
pub const REQUESTS: &[(&str, &str, &str, bool)] = &[
    ("s3_allowed_with_variable", "s3:GetObject", "arn:aws:s3:::bucket-3/home/alice/report.pdf", true),
    ("sqs_allowed_two_conditions", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q-3", true),
    ("iam_implicit_deny", "iam:CreateUser", "arn:aws:iam::111122223333:user/bob", false),
    ("ec2_allowed_region", "ec2:DescribeInstances", "*", true),
];

/// iamd side.
pub struct Iam {
    pub set: iamd_policy::PolicySet,
    pub principal: iamd_policy::Principal,
    pub context: iamd_policy::Context,
}

pub fn iam_setup() -> Iam {
    use iamd_policy::*;
    let set = PolicySet {
        identity: (0..10)
            .map(|i| {
                Arc::new(
                    CompiledPolicy::from_text(&iam_policy(i), DocumentKind::Identity, format!("p{i}"))
                        .unwrap_or_else(|e| panic!("{e}")),
                )
            })
            .collect(),
        ..Default::default()
    };
    let principal = Principal::user("arn:aws:iam::111122223333:user/alice");
    let mut c = Context::new();
    c.insert_str("aws:username", "alice")
        .insert_str("aws:PrincipalTag/team", "team-3")
        .insert_str("aws:RequestedRegion", "eu-west-1")
        .insert("aws:SecureTransport", ContextValue::single(Scalar::Bool(true)))
        .insert(
            "aws:SourceIp",
            ContextValue::single(Scalar::Ip("10.1.2.3".parse().unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()))),
        )
        .insert_strs("dynamodb:Attributes", &["id", "name"]);
    if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(1_750_000_000) {
        c.with_time(t);
    }
    Iam { set, principal, context: c }
}

/// Cedar side: policies, entities, and one prepared request per REQUESTS row.
pub struct Cedar {
    pub policies: cedar_policy::PolicySet,
    pub entities: cedar_policy::Entities,
    pub requests: Vec<cedar_policy::Request>,
}

pub fn cedar_setup() -> Cedar {
    use cedar_policy::*;
    let src: String = (0..10).map(cedar_policies).collect();
    let policies = PolicySet::from_str(&src).unwrap_or_else(|e| panic!("{e:?}"));
    let mut ents = vec![serde_json::json!({"uid": {"type": "User", "id": "alice"}, "attrs": {"team": "team-3"}, "parents": []})];
    for (group, members) in [
        ("s3:Get*", vec!["s3:GetObject"]),
        ("s3:List*", vec![]),
        ("ec2:Describe*", vec!["ec2:DescribeInstances"]),
        ("iam:*", vec!["iam:CreateUser"]),
    ] {
        ents.push(serde_json::json!({"uid": {"type": "Action", "id": group}, "attrs": {}, "parents": []}));
        for m in members {
            ents.push(serde_json::json!({"uid": {"type": "Action", "id": m}, "attrs": {}, "parents": [{"type": "Action", "id": group}]}));
        }
    }
    for a in ["sqs:SendMessage", "dynamodb:GetItem", "dynamodb:Query"] {
        ents.push(serde_json::json!({"uid": {"type": "Action", "id": a}, "attrs": {}, "parents": []}));
    }
    for (_, _, arn, _) in REQUESTS {
        let mut attrs = serde_json::json!({"arn": arn});
        if arn.contains("/home/alice/") {
            attrs["home"] = "alice".into();
        }
        ents.push(serde_json::json!({"uid": {"type": "Resource", "id": arn}, "attrs": attrs, "parents": []}));
    }
    let entities = Entities::from_json_value(serde_json::Value::Array(ents), None).unwrap_or_else(|e| panic!("{e:?}"));
    let ctx = serde_json::json!({
        "username": "alice",
        "secure_transport": true,
        "region": "eu-west-1",
        "source_ip": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}},
        "attributes": ["id", "name"],
        "epoch_time": 1_750_000_000i64,
    });
    let requests = REQUESTS
        .iter()
        .map(|(_, action, arn, _)| {
            let p = EntityUid::from_str(r#"User::"alice""#).unwrap_or_else(|e| panic!("{e:?}"));
            let a = EntityUid::from_str(&format!(r#"Action::"{action}""#)).unwrap_or_else(|e| panic!("{e:?}"));
            let r = EntityUid::from_str(&format!(r#"Resource::"{arn}""#)).unwrap_or_else(|e| panic!("{e:?}"));
            let c = Context::from_json_value(ctx.clone(), None).unwrap_or_else(|e| panic!("{e:?}"));
            Request::new(p, a, r, c, None).unwrap_or_else(|e| panic!("{e:?}"))
        })
        .collect();
    Cedar { policies, entities, requests }
}
