#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! SimulateCustomPolicy request/response shapes and semantics.
use iamd_policy::simulate::*;
use iamd_policy::{ErrorCode, Position};
use serde_json::{Value, json};

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap()
}

fn run(v: Value) -> Value {
    let out = simulate_json(&v.to_string(), now()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&out).unwrap()
}

const POLICY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObject\",\n    \"Resource\": \"arn:aws:s3:::b/*\",\n    \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}\n  }\n}";

#[test]
fn allowed_with_positions_and_context() {
    let r = run(json!({
        "PolicyInputList": [POLICY],
        "ActionNames": ["s3:GetObject", "s3:PutObject"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
        "ContextEntries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"}]
    }));
    let res = r["EvaluationResults"].as_array().unwrap();
    assert_eq!(res.len(), 2);
    assert_eq!(res[0]["EvalActionName"], "s3:GetObject");
    assert_eq!(res[0]["EvalResourceName"], "arn:aws:s3:::b/k");
    assert_eq!(res[0]["EvalDecision"], "allowed");
    let m = &res[0]["MatchedStatements"][0];
    assert_eq!(m["SourcePolicyId"], "PolicyInputList.1");
    assert_eq!(m["SourcePolicyType"], "none");
    // The statement object starts at line 3, column 16 and ends after line 8's "}".
    assert_eq!(m["StartPosition"], json!({"Line": 3, "Column": 16}));
    assert_eq!(m["EndPosition"], json!({"Line": 8, "Column": 4}));
    assert_eq!(res[1]["EvalDecision"], "implicitDeny");
    assert_eq!(res[1]["MatchedStatements"], json!([]));
    assert_eq!(r["IsTruncated"], false);
}

#[test]
fn missing_context_values_are_reported() {
    let r = run(
        json!({"PolicyInputList": [POLICY], "ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::b/k"]}),
    );
    let e = &r["EvaluationResults"][0];
    assert_eq!(e["EvalDecision"], "implicitDeny");
    assert_eq!(e["MissingContextValues"], json!(["aws:SourceIp"]));
}

#[test]
fn explicit_deny_and_boundary_detail() {
    let deny = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}}"#;
    let all = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}"#;
    let boundary = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}"#;
    let r = run(json!({
        "PolicyInputList": [all, deny],
        "PermissionsBoundaryPolicyInputList": [boundary],
        "ActionNames": ["iam:DeleteUser", "iam:GetUser", "iam:CreateUser"]
    }));
    let res = &r["EvaluationResults"];
    assert_eq!(res[0]["EvalDecision"], "explicitDeny");
    assert_eq!(
        res[0]["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.2"
    );
    assert_eq!(res[1]["EvalDecision"], "allowed");
    assert_eq!(
        res[1]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        true
    );
    assert_eq!(res[2]["EvalDecision"], "implicitDeny");
    assert_eq!(
        res[2]["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
    // With "*" as resource, EvalDecisionDetails is absent.
    assert!(res[1].get("EvalDecisionDetails").is_none());
}

#[test]
fn several_resources_give_resource_specific_results() {
    let r = run(
        json!({"PolicyInputList": [POLICY], "ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::b/k", "arn:aws:s3:::c/k"],
        "ContextEntries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"}]}),
    );
    let res = r["EvaluationResults"].as_array().unwrap();
    assert_eq!(res.len(), 2);
    assert_eq!(
        res[0]["ResourceSpecificResults"][0]["EvalResourceName"],
        "arn:aws:s3:::b/k"
    );
    assert_eq!(
        res[0]["ResourceSpecificResults"][0]["EvalResourceDecision"],
        "allowed"
    );
    assert_eq!(
        res[1]["ResourceSpecificResults"][0]["EvalResourceDecision"],
        "implicitDeny"
    );
}

#[test]
fn resource_policy_cross_account() {
    let id =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let bucket = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    let r = run(
        json!({"PolicyInputList": [id], "ActionNames": ["s3:GetObject", "s3:PutObject"], "ResourceArns": ["arn:aws:s3:::b/k"],
        "ResourcePolicy": bucket, "ResourceOwner": "arn:aws:iam::444455556666:root", "CallerArn": "arn:aws:iam::111122223333:user/alice"}),
    );
    let res = &r["EvaluationResults"];
    assert_eq!(res[0]["EvalDecision"], "allowed");
    assert_eq!(
        res[0]["EvalDecisionDetails"],
        json!({"IAM Policy": "allowed", "Resource Policy": "allowed"})
    );
    let types: Vec<&str> = res[0]["MatchedStatements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["SourcePolicyType"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["none", "resource"]);
    assert_eq!(res[1]["EvalDecision"], "implicitDeny");
    assert_eq!(
        res[1]["EvalDecisionDetails"]["Resource Policy"],
        "implicitDeny"
    );
}

#[test]
fn same_account_resource_policy_naming_the_caller() {
    let bucket = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"*"}}"#;
    let r = run(
        json!({"PolicyInputList": [], "ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::b/k"],
        "ResourcePolicy": bucket, "CallerArn": "arn:aws:iam::111122223333:user/alice"}),
    );
    assert_eq!(r["EvaluationResults"][0]["EvalDecision"], "allowed");
    assert_eq!(r["EvaluationResults"][0]["EvalDecisionDetails"], json!({}));
}

#[test]
fn current_time_comes_from_now() {
    let p = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"},"NumericGreaterThan":{"aws:EpochTime":1700000000}}}}"#;
    let r = run(json!({"PolicyInputList": [p], "ActionNames": ["s3:GetObject"]}));
    assert_eq!(r["EvaluationResults"][0]["EvalDecision"], "allowed");
    let r = run(
        json!({"PolicyInputList": [p], "ActionNames": ["s3:GetObject"],
        "ContextEntries": [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2020-01-01T00:00:00Z"], "ContextKeyType": "date"}]}),
    );
    assert_eq!(r["EvaluationResults"][0]["EvalDecision"], "implicitDeny");
}

#[test]
fn pagination() {
    let p =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let r = run(
        json!({"PolicyInputList": [p], "ActionNames": ["s3:A", "s3:B", "s3:C"], "MaxItems": 2}),
    );
    assert_eq!(r["EvaluationResults"].as_array().unwrap().len(), 2);
    assert_eq!(r["IsTruncated"], true);
    let r = run(
        json!({"PolicyInputList": [p], "ActionNames": ["s3:A", "s3:B", "s3:C"], "MaxItems": 2, "Marker": r["Marker"]}),
    );
    assert_eq!(r["EvaluationResults"][0]["EvalActionName"], "s3:C");
    assert_eq!(r["IsTruncated"], false);
}

#[test]
fn errors() {
    let bad =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3","Resource":"*"}}"#;
    let e = simulate_json(
        &json!({"PolicyInputList": [bad], "ActionNames": ["s3:GetObject"]}).to_string(),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedPolicyDocument);
    assert!(e.location.path.starts_with("PolicyInputList.1"));
    let e = simulate_json(&json!({"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
        "ContextEntries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["nope"], "ContextKeyType": "ip"}]}).to_string(), now()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let e = simulate_json(
        &json!({"PolicyInputList": [], "ActionNames": []}).to_string(),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let bucket = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#;
    let e = simulate_json(
        &json!({"PolicyInputList": [], "ActionNames": ["s3:GetObject"], "ResourcePolicy": bucket})
            .to_string(),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.location.path, "CallerArn");
}

#[test]
fn serde_names_match_the_iam_model() {
    let req = SimulateRequest {
        policy_input_list: vec!["{}".into()],
        action_names: vec!["iam:GetUser".into()],
        context_entries: vec![ContextEntry {
            context_key_name: "aws:username".into(),
            context_key_values: vec!["a".into()],
            context_key_type: "string".into(),
        }],
        ..Default::default()
    };
    let v = serde_json::to_value(&req).unwrap();
    assert!(v.get("PolicyInputList").is_some() && v.get("ActionNames").is_some());
    assert_eq!(v["ContextEntries"][0]["ContextKeyType"], "string");
    let p = Position { line: 1, column: 2 };
    assert_eq!(
        serde_json::to_value(p).unwrap(),
        json!({"Line": 1, "Column": 2})
    );
}
