//! AWS managed policies through the operations: lookups, versions, usage filters, and
//! `ListPolicies` paging through all 1,582 without a store scan per policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use std::collections::HashSet;

use iamd_wire::{Params, Value};

use crate::testing::World;
use crate::{IamError, aws_policies, explain, policies, roles, users};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const GOOD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const LAMBDA_BASIC: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const LAMBDA_EXECUTE: &str = "arn:aws:iam::aws:policy/AWSLambdaExecute";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

fn s<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
}

fn list_params(pairs: &[(&str, Value)]) -> Params {
    Params(
        pairs
            .iter()
            .fold(Value::object(), |v, (k, x)| v.with(k, x.clone())),
    )
}

/// Every `PolicyName` of a `ListPolicies` answer, and its marker.
fn page(v: &Value) -> (Vec<String>, Option<String>) {
    let names = v
        .get("Policies")
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            p.get("PolicyName")
                .and_then(Value::as_str)
                .map(String::from)
        })
        .collect();
    let truncated = v.get("IsTruncated").and_then(Value::as_bool) == Some(true);
    let marker = v.get("Marker").and_then(Value::as_str).map(String::from);
    assert_eq!(truncated, marker.is_some());
    (names, marker)
}

/// Pages through `ListPolicies` with `extra` parameters; returns every name and the most
/// scans one page made.
fn list_all(w: &World, extra: &[(&str, Value)], max_items: i64) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut most = 0;
    loop {
        let mut pairs: Vec<(&str, Value)> = extra.to_vec();
        pairs.push(("MaxItems", Value::Int(max_items)));
        if let Some(m) = &marker {
            pairs.push(("Marker", Value::Str(m.clone())));
        }
        let (r, scans) = w.call_counting_scans(policies::list_policies, &list_params(&pairs));
        most = most.max(scans);
        let (mut got, next) = page(&r.unwrap());
        assert!(got.len() as i64 <= max_items);
        names.append(&mut got);
        match next {
            Some(m) => marker = Some(m),
            None => return (names, most),
        }
    }
}

#[test]
fn get_policy_of_an_aws_policy_under_a_path() {
    let w = World::new();
    let v = w.ok(policies::get_policy, &[("PolicyArn", LAMBDA_BASIC)]);
    let p = v.get("Policy").unwrap();
    assert_eq!(s(p, &["PolicyName"]), Some("AWSLambdaBasicExecutionRole"));
    assert_eq!(s(p, &["Path"]), Some("/service-role/"));
    assert_eq!(s(p, &["Arn"]), Some(LAMBDA_BASIC));
    assert_eq!(s(p, &["DefaultVersionId"]), Some("v1"));
    assert_eq!(s(p, &["PolicyId"]).map(str::len), Some(21));
    // Its description is not in the data: omitted, not empty.
    assert!(p.get("Description").is_none());
    // A policy whose description is known has it.
    let v = w.ok(
        policies::get_policy,
        &[("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")],
    );
    assert!(s(&v, &["Policy", "Description"]).is_some());
    // The path is part of the ARN.
    let wrong = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole";
    assert!(matches!(
        w.call(policies::get_policy, &[("PolicyArn", wrong)]),
        Err(IamError::NoSuchEntity { .. })
    ));
}

#[test]
fn aws_policy_versions_are_the_default_version_only() {
    let w = World::new();
    let a = aws_policies::by_arn(READ_ONLY).unwrap();
    let v = w.ok(
        policies::get_policy_version,
        &[
            ("PolicyArn", READ_ONLY),
            ("VersionId", a.default_version_id),
        ],
    );
    let doc = s(&v, &["PolicyVersion", "Document"]).unwrap();
    assert_eq!(doc, crate::documents::url_encode(a.document()));
    // The real ReadOnlyAccess: far more than IAM and S3.
    assert!(a.document().len() > 50_000);
    assert!(a.document().contains("\"ec2:Describe*\""));
    assert!(matches!(
        w.call(
            policies::get_policy_version,
            &[("PolicyArn", READ_ONLY), ("VersionId", "v1")]
        ),
        Err(IamError::NoSuchEntity { .. })
    ));
    let v = w.ok(policies::list_policy_versions, &[("PolicyArn", READ_ONLY)]);
    let versions = v.get("Versions").and_then(Value::as_list).unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(s(&versions[0], &["VersionId"]), Some(a.default_version_id));
}

#[test]
fn list_policies_pages_through_every_aws_policy() {
    let w = World::new();
    w.ok(
        policies::create_policy,
        &[("PolicyName", "mine"), ("PolicyDocument", GOOD)],
    );
    let expected: Vec<String> = aws_policies::all()
        .iter()
        .map(|a| a.name.to_string())
        .collect();
    let (names, most_scans) = list_all(&w, &[("Scope", Value::from("AWS"))], 100);
    assert_eq!(names, expected);
    // Attachment counts are read for the page only: two scans per item, not per policy.
    assert!(most_scans <= 2 * 100 + 2, "{most_scans} scans for one page");

    let (names, _) = list_all(&w, &[("Scope", Value::from("All"))], 1000);
    assert_eq!(names.len(), expected.len() + 1);
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
    let (names, _) = list_all(&w, &[("Scope", Value::from("Local"))], 100);
    assert_eq!(names, ["mine"]);

    let (names, _) = list_all(
        &w,
        &[
            ("Scope", Value::from("AWS")),
            ("PathPrefix", Value::from("/service-role/")),
        ],
        100,
    );
    let wanted = aws_policies::all()
        .iter()
        .filter(|a| a.path == "/service-role/")
        .count();
    assert_eq!(names.len(), wanted);
    assert!(names.contains(&"AWSLambdaBasicExecutionRole".to_string()));
}

#[test]
fn list_policies_usage_filters() {
    let w = World::new();
    w.ok(
        roles::create_role,
        &[("RoleName", "fn"), ("AssumeRolePolicyDocument", TRUST)],
    );
    w.ok(users::create_user, &[("UserName", "alice")]);
    w.ok(
        policies::create_policy,
        &[("PolicyName", "mine"), ("PolicyDocument", GOOD)],
    );
    w.ok(
        policies::create_policy,
        &[("PolicyName", "unused"), ("PolicyDocument", GOOD)],
    );
    w.ok(
        policies::attach_role_policy,
        &[("RoleName", "fn"), ("PolicyArn", LAMBDA_EXECUTE)],
    );
    w.ok(
        policies::attach_user_policy,
        &[("UserName", "alice"), ("PolicyArn", LAMBDA_EXECUTE)],
    );
    w.ok(
        policies::attach_role_policy,
        &[
            ("RoleName", "fn"),
            ("PolicyArn", "arn:aws:iam::123456789012:policy/mine"),
        ],
    );
    // ReadOnlyAccess is 95 KB: no customer-policy size quota applies to AWS policies.
    w.ok(
        policies::put_user_permissions_boundary,
        &[("UserName", "alice"), ("PermissionsBoundary", READ_ONLY)],
    );

    let attached = |extra: &[(&str, Value)]| {
        let mut pairs = vec![("OnlyAttached", Value::Bool(true))];
        pairs.extend_from_slice(extra);
        let (mut names, _) = list_all(&w, &pairs, 100);
        names.sort();
        names
    };
    assert_eq!(
        attached(&[]),
        ["AWSLambdaExecute", "ReadOnlyAccess", "mine"]
    );
    assert_eq!(
        attached(&[("PolicyUsageFilter", Value::from("PermissionsPolicy"))]),
        ["AWSLambdaExecute", "mine"]
    );
    assert_eq!(
        attached(&[("PolicyUsageFilter", Value::from("PermissionsBoundary"))]),
        ["ReadOnlyAccess"]
    );
    assert_eq!(attached(&[("Scope", Value::from("Local"))]), ["mine"]);
    assert_eq!(
        attached(&[("Scope", Value::from("AWS"))]),
        ["AWSLambdaExecute", "ReadOnlyAccess"]
    );

    let v = w.ok(policies::get_policy, &[("PolicyArn", LAMBDA_EXECUTE)]);
    assert_eq!(
        v.get("Policy")
            .and_then(|p| p.get("AttachmentCount"))
            .and_then(Value::as_int),
        Some(2)
    );

    // GetAccountAuthorizationDetails lists the AWS policies in use, by name, with documents.
    let v = w
        .call_with(
            explain::get_account_authorization_details,
            &list_params(&[("Filter", Value::List(vec![Value::from("AWSManagedPolicy")]))]),
        )
        .unwrap();
    let names: Vec<&str> = v
        .get("Policies")
        .and_then(Value::as_list)
        .unwrap()
        .iter()
        .filter_map(|p| s(p, &["PolicyName"]))
        .collect();
    assert_eq!(names, ["AWSLambdaExecute", "ReadOnlyAccess"]);
}
