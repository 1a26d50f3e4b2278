//! `iamd policy validate|simulate` as a user runs them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::process::Command;

fn iamd(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iamd"))
        .args(args)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn validate_reports_errors_with_locations_and_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let good = file(
        &dir,
        "good.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}"#,
    );
    let bad = file(
        &dir,
        "bad.json",
        "{\"Version\":\"2012-10-17\",\n \"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
    );
    let (code, out) = iamd(&["policy", "validate", &good]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok"));
    let (code, out) = iamd(&["policy", "validate", &good, &bad]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("bad.json:2:"), "{out}");
    assert!(
        out.contains("Policy document should not specify a principal."),
        "{out}"
    );
    // The same document is a valid resource-based policy.
    let (code, out) = iamd(&["policy", "validate", "--kind", "resource", &bad]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn simulate_answers_with_the_api_response_shape() {
    let dir = tempfile::tempdir().unwrap();
    let input = file(
        &dir,
        "sim.json",
        r#"{"PolicyInputList":["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"iam:DeleteUser\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]}"],
            "ActionNames":["iam:CreateUser","iam:DeleteUser","s3:GetObject"]}"#,
    );
    let (code, out) = iamd(&["policy", "simulate", "--input", &input]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let decisions: Vec<&str> = v["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["EvalDecision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allowed", "explicitDeny", "implicitDeny"]);
    assert_eq!(v["IsTruncated"], false);
}

#[test]
fn simulate_refuses_a_malformed_input_policy() {
    let dir = tempfile::tempdir().unwrap();
    let input = file(
        &dir,
        "sim.json",
        r#"{"PolicyInputList":["{not json"],"ActionNames":["iam:GetUser"]}"#,
    );
    let (code, out) = iamd(&["policy", "simulate", "--input", &input]);
    assert_ne!(code, 0);
    assert!(
        out.contains("MalformedPolicyDocument") || out.contains("InvalidInput"),
        "{out}"
    );
}
