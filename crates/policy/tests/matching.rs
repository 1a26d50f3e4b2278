#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Action and Resource matching (IAM JSON policy elements: Action, NotAction,
//! Resource, NotResource; policy variables in Resource).
mod common;
use common::*;
use iamd_policy::Decision;

/// (rule, Action element JSON, request action, expected match)
const ACTIONS: &[(&str, &str, &str, bool)] = &[
    (
        "exact action",
        r#""iam:CreateUser""#,
        "iam:CreateUser",
        true,
    ),
    (
        "action names are case-insensitive",
        r#""iam:createuser""#,
        "iam:CreateUser",
        true,
    ),
    (
        "service prefix is case-insensitive",
        r#""IAM:CreateUser""#,
        "iam:CreateUser",
        true,
    ),
    (
        "request case does not matter",
        r#""iam:CreateUser""#,
        "IAM:CREATEUSER",
        true,
    ),
    (
        "different action",
        r#""iam:CreateUser""#,
        "iam:DeleteUser",
        false,
    ),
    (
        "different service",
        r#""iam:CreateUser""#,
        "sts:CreateUser",
        false,
    ),
    ("service wildcard", r#""iam:*""#, "iam:CreateUser", true),
    (
        "service wildcard other service",
        r#""iam:*""#,
        "s3:GetObject",
        false,
    ),
    ("prefix wildcard", r#""iam:Get*""#, "iam:GetUser", true),
    (
        "prefix wildcard no match",
        r#""iam:Get*""#,
        "iam:ListUsers",
        false,
    ),
    ("suffix wildcard", r#""iam:*User""#, "iam:CreateUser", true),
    (
        "suffix wildcard no match",
        r#""iam:*User""#,
        "iam:CreateUsers",
        false,
    ),
    (
        "middle wildcard",
        r#""iam:*Access*""#,
        "iam:CreateAccessKey",
        true,
    ),
    ("? wildcard", r#""iam:GetUse?""#, "iam:GetUser", true),
    (
        "? needs exactly one",
        r#""iam:GetUse?""#,
        "iam:GetUse",
        false,
    ),
    ("* matches everything", r#""*""#, "anything:Goes", true),
    (
        "wildcard in service part",
        r#""i*:GetUser""#,
        "iam:GetUser",
        true,
    ),
    ("wildcard service *:*", r#""*:*""#, "s3:GetObject", true),
    (
        "list: any entry",
        r#"["s3:GetObject","iam:GetUser"]"#,
        "iam:GetUser",
        true,
    ),
    (
        "list: none",
        r#"["s3:GetObject","iam:GetUser"]"#,
        "iam:ListUsers",
        false,
    ),
    (
        "list mixing services and wildcards",
        r#"["s3:Get*","iam:List*"]"#,
        "iam:ListUsers",
        true,
    ),
    (
        "wildcard case-insensitive",
        r#""iam:get*""#,
        "iam:GetUser",
        true,
    ),
    ("sts action", r#""sts:AssumeRole""#, "sts:AssumeRole", true),
    (
        "sts wildcard does not cover AssumeRoleWithSAML? it does",
        r#""sts:AssumeRole*""#,
        "sts:AssumeRoleWithSAML",
        true,
    ),
];

#[test]
fn action_table() {
    let mut f = Vec::new();
    for (rule, action, req, expect) in ACTIONS {
        let p = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":{action},"Resource":"*"}}}}"#
        );
        let got = decide(&p, req, "*", &ctx(&[])) == Decision::Allowed;
        if got != *expect {
            f.push(format!("{rule}: {action} vs {req}: {got}"));
        }
        // NotAction: the complement.
        let p = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","NotAction":{action},"Resource":"*"}}}}"#
        );
        let got = decide(&p, req, "*", &ctx(&[])) == Decision::Allowed;
        if got == *expect {
            f.push(format!("NotAction {rule}: {action} vs {req}: {got}"));
        }
    }
    assert!(f.is_empty(), "{}", f.join("\n"));
}

/// (rule, Resource element JSON, request resource, context, expected)
type Ctx<'a> = &'a [(&'a str, &'a str, &'a [&'a str])];
const RESOURCES: &[(&str, &str, &str, Ctx, bool)] = &[
    (
        "* matches any resource",
        r#""*""#,
        "arn:aws:s3:::b/k",
        &[],
        true,
    ),
    (
        "exact ARN",
        r#""arn:aws:iam::111122223333:user/alice""#,
        "arn:aws:iam::111122223333:user/alice",
        &[],
        true,
    ),
    (
        "ARN is case-sensitive",
        r#""arn:aws:iam::111122223333:user/Alice""#,
        "arn:aws:iam::111122223333:user/alice",
        &[],
        false,
    ),
    (
        "wildcard in resource part",
        r#""arn:aws:s3:::b/*""#,
        "arn:aws:s3:::b/a/b/c",
        &[],
        true,
    ),
    (
        "wildcard does not match other bucket",
        r#""arn:aws:s3:::b/*""#,
        "arn:aws:s3:::c/a",
        &[],
        false,
    ),
    (
        "bucket ARN is not matched by bucket/*",
        r#""arn:aws:s3:::b/*""#,
        "arn:aws:s3:::b",
        &[],
        false,
    ),
    (
        "wildcard in region and account",
        r#""arn:aws:sns:*:*:topic""#,
        "arn:aws:sns:us-east-1:111122223333:topic",
        &[],
        true,
    ),
    (
        "? in resource",
        r#""arn:aws:iam::111122223333:user/al?ce""#,
        "arn:aws:iam::111122223333:user/alice",
        &[],
        true,
    ),
    (
        "path wildcard",
        r#""arn:aws:iam::111122223333:user/division/*""#,
        "arn:aws:iam::111122223333:user/division/team/bob",
        &[],
        true,
    ),
    (
        "account mismatch",
        r#""arn:aws:iam::111122223333:user/*""#,
        "arn:aws:iam::444455556666:user/bob",
        &[],
        false,
    ),
    (
        "resource part may contain colons",
        r#""arn:aws:logs:us-east-1:1:log-group:*""#,
        "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
        &[],
        true,
    ),
    (
        "list of resources ORed",
        r#"["arn:aws:s3:::a","arn:aws:s3:::b"]"#,
        "arn:aws:s3:::b",
        &[],
        true,
    ),
    (
        "variable in resource",
        r#""arn:aws:s3:::b/home/${aws:username}/*""#,
        "arn:aws:s3:::b/home/alice/x",
        &[("aws:username", "string", &["alice"])],
        true,
    ),
    (
        "variable in resource other user",
        r#""arn:aws:s3:::b/home/${aws:username}/*""#,
        "arn:aws:s3:::b/home/bob/x",
        &[("aws:username", "string", &["alice"])],
        false,
    ),
    (
        "unresolvable variable: resource does not match",
        r#""arn:aws:s3:::b/home/${aws:username}/*""#,
        "arn:aws:s3:::b/home/alice/x",
        &[],
        false,
    ),
    (
        "unresolvable variable with default",
        r#""arn:aws:s3:::b/home/${aws:username, 'shared'}/*""#,
        "arn:aws:s3:::b/home/shared/x",
        &[],
        true,
    ),
    (
        "tag variable in resource",
        r#""arn:aws:iam::111122223333:user/${aws:PrincipalTag/team}-*""#,
        "arn:aws:iam::111122223333:user/blue-1",
        &[("aws:PrincipalTag/team", "string", &["blue"])],
        true,
    ),
    (
        "variable value is literal in resource",
        r#""arn:aws:s3:::b/${aws:username}""#,
        "arn:aws:s3:::b/xyz",
        &[("aws:username", "string", &["*"])],
        false,
    ),
    (
        "variable value literal star matches itself",
        r#""arn:aws:s3:::b/${aws:username}""#,
        "arn:aws:s3:::b/*",
        &[("aws:username", "string", &["*"])],
        true,
    ),
    (
        "${*} literal star",
        r#""arn:aws:s3:::b/a${*}""#,
        "arn:aws:s3:::b/a*",
        &[],
        true,
    ),
    (
        "${*} not a wildcard",
        r#""arn:aws:s3:::b/a${*}""#,
        "arn:aws:s3:::b/abc",
        &[],
        false,
    ),
    (
        "one unresolvable entry, another matches",
        r#"["arn:aws:s3:::b/${aws:username}","arn:aws:s3:::b/pub"]"#,
        "arn:aws:s3:::b/pub",
        &[],
        true,
    ),
    (
        "non-ARN request resource vs ARN pattern",
        r#""arn:aws:s3:::b""#,
        "b",
        &[],
        false,
    ),
];

#[test]
fn resource_table() {
    let mut f = Vec::new();
    for (rule, res, req, c, expect) in RESOURCES {
        let p = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":{res}}}}}"#
        );
        let got = decide(&p, "s3:GetObject", req, &ctx(c)) == Decision::Allowed;
        if got != *expect {
            f.push(format!("{rule}: {res} vs {req}: {got}"));
        }
    }
    assert!(f.is_empty(), "{}", f.join("\n"));
}

/// (rule, NotResource element, request resource, context, expected allow)
const NOT_RESOURCES: &[(&str, &str, &str, Ctx, bool)] = &[
    (
        "NotResource excludes the listed ARN",
        r#""arn:aws:s3:::secret/*""#,
        "arn:aws:s3:::secret/x",
        &[],
        false,
    ),
    (
        "NotResource allows others",
        r#""arn:aws:s3:::secret/*""#,
        "arn:aws:s3:::public/x",
        &[],
        true,
    ),
    (
        "NotResource list",
        r#"["arn:aws:s3:::a","arn:aws:s3:::b"]"#,
        "arn:aws:s3:::b",
        &[],
        false,
    ),
    (
        "NotResource *: matches nothing",
        r#""*""#,
        "arn:aws:s3:::b",
        &[],
        false,
    ),
    (
        "NotResource with unresolvable variable: statement does not apply",
        r#""arn:aws:s3:::b/${aws:username}""#,
        "arn:aws:s3:::c",
        &[],
        false,
    ),
    (
        "NotResource with resolved variable",
        r#""arn:aws:s3:::b/${aws:username}""#,
        "arn:aws:s3:::c",
        &[("aws:username", "string", &["a"])],
        true,
    ),
];

#[test]
fn not_resource_table() {
    let mut f = Vec::new();
    for (rule, res, req, c, expect) in NOT_RESOURCES {
        let p = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","NotResource":{res}}}}}"#
        );
        let got = decide(&p, "s3:GetObject", req, &ctx(c)) == Decision::Allowed;
        if got != *expect {
            f.push(format!("{rule}: {res} vs {req}: {got}"));
        }
    }
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[test]
fn variables_are_literal_in_2008_resources() {
    let p = r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}}"#;
    let c = ctx(&[("aws:username", "string", &["alice"])]);
    assert_eq!(
        decide(p, "s3:GetObject", "arn:aws:s3:::b/alice", &c),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(p, "s3:GetObject", "arn:aws:s3:::b/${aws:username}", &c),
        Decision::Allowed
    );
    let p = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}}"#;
    assert_eq!(
        decide(p, "s3:GetObject", "arn:aws:s3:::b/alice", &c),
        Decision::ImplicitDeny
    );
}

#[test]
fn malformed_variables_are_literal_text() {
    // "${" without a closing brace, or an empty "${}", is not a variable.
    let c = ctx(&[("aws:username", "string", &["alice"])]);
    for (pat, res, expect) in [
        (
            "arn:aws:s3:::b/${aws:username",
            "arn:aws:s3:::b/${aws:username",
            true,
        ),
        ("arn:aws:s3:::b/${}", "arn:aws:s3:::b/${}", true),
        (
            "arn:aws:s3:::b/${aws:username}-${aws:username}",
            "arn:aws:s3:::b/alice-alice",
            true,
        ),
        (
            "arn:aws:s3:::b/${aws:username, 'x''y'}",
            "arn:aws:s3:::b/alice",
            true,
        ),
        (
            "arn:aws:s3:::b/${aws:nokey, 'x''y'}",
            "arn:aws:s3:::b/x'y",
            true,
        ),
    ] {
        let p = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{pat}"}}}}"#
        );
        assert_eq!(
            decide(&p, "s3:GetObject", res, &c) == Decision::Allowed,
            expect,
            "{pat}"
        );
    }
}

#[test]
fn principals_from_arns() {
    use iamd_policy::{Principal, PrincipalType};
    let s = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/dev/s1");
    assert_eq!(s.principal_type, PrincipalType::AssumedRole);
    assert_eq!(
        s.role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/dev")
    );
    assert_eq!(s.account, "111122223333");
    assert_eq!(
        Principal::from_arn("arn:aws:iam::111122223333:user/a/b").principal_type,
        PrincipalType::User
    );
    assert_eq!(
        Principal::from_arn("arn:aws:iam::111122223333:root").principal_type,
        PrincipalType::Root
    );
    assert_eq!(
        Principal::from_arn("arn:aws:sts::111122223333:federated-user/f").principal_type,
        PrincipalType::FederatedUser
    );
}
