#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Evaluation logic: "Policy evaluation logic", "Cross-account policy
//! evaluation logic", "Permissions boundaries for IAM entities" (evaluating
//! effective permissions with boundaries), "Session policies".
mod common;
use common::*;
use iamd_policy::*;
use std::sync::Arc;

const ACCT: &str = "111122223333";
const OTHER: &str = "444455556666";

fn allow(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"A","Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
    )
}
fn deny(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"D","Effect":"Deny","Action":"{action}","Resource":"*"}}]}}"#
    )
}
fn res_policy(effect: &str, principal: &str, action: &str) -> Arc<CompiledPolicy> {
    named(
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"R","Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":"*"}}]}}"#
        ),
        DocumentKind::Resource,
        "bucket-policy",
    )
}
fn alice() -> Principal {
    Principal::user(&format!("arn:aws:iam::{ACCT}:user/alice"))
}
fn session() -> Principal {
    Principal::assumed_role(
        &format!("arn:aws:sts::{ACCT}:assumed-role/dev/s1"),
        &format!("arn:aws:iam::{ACCT}:role/team/dev"),
    )
}

struct Case {
    rule: &'static str,
    principal: Principal,
    identity: Vec<String>,
    boundary: Option<String>,
    session: Option<Vec<String>>,
    resource: Option<Arc<CompiledPolicy>>,
    owner: Option<&'static str>,
    expect: Decision,
    denied_by: Option<PolicyType>,
}

fn case(rule: &'static str, expect: Decision) -> Case {
    Case {
        rule,
        principal: alice(),
        identity: vec![],
        boundary: None,
        session: None,
        resource: None,
        owner: None,
        expect,
        denied_by: None,
    }
}

impl Case {
    fn id(mut self, p: String) -> Self {
        self.identity.push(p);
        self
    }
    fn pb(mut self, p: String) -> Self {
        self.boundary = Some(p);
        self
    }
    fn sess(mut self, p: Vec<String>) -> Self {
        self.session = Some(p);
        self
    }
    fn res(mut self, p: Arc<CompiledPolicy>, owner: &'static str) -> Self {
        self.resource = Some(p);
        self.owner = Some(owner);
        self
    }
    fn who(mut self, p: Principal) -> Self {
        self.principal = p;
        self
    }
    fn because(mut self, t: PolicyType) -> Self {
        self.denied_by = Some(t);
        self
    }
}

fn cases() -> Vec<Case> {
    use Decision::*;
    use PolicyType::*;
    let user_arn = r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#;
    let role_arn = r#"{"AWS":"arn:aws:iam::111122223333:role/team/dev"}"#;
    let session_arn = r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/dev/s1"}"#;
    let account = r#"{"AWS":"111122223333"}"#;
    let account_root = r#"{"AWS":"arn:aws:iam::111122223333:root"}"#;
    let other_account = r#"{"AWS":"444455556666"}"#;
    vec![
        // Default: implicit deny.
        case("no policy: implicit deny", ImplicitDeny).because(Identity),
        case("identity allow", Allowed).id(allow("s3:GetObject")),
        case("identity allow for another action", ImplicitDeny)
            .id(allow("s3:PutObject"))
            .because(Identity),
        case(
            "explicit deny overrides allow in the same policy set",
            ExplicitDeny,
        )
        .id(allow("s3:*"))
        .id(deny("s3:GetObject")),
        case("deny alone", ExplicitDeny).id(deny("s3:*")),
        case("allow from any of several identity policies", Allowed)
            .id(allow("iam:*"))
            .id(allow("s3:Get*")),
        // Permissions boundaries.
        case("boundary allows and identity allows", Allowed)
            .id(allow("s3:GetObject"))
            .pb(allow("s3:*")),
        case("boundary does not allow: implicit deny", ImplicitDeny)
            .id(allow("s3:GetObject"))
            .pb(allow("iam:*"))
            .because(PermissionsBoundary),
        case("boundary alone grants nothing", ImplicitDeny)
            .pb(allow("s3:*"))
            .because(Identity),
        case("deny in boundary", ExplicitDeny)
            .id(allow("s3:*"))
            .pb(deny("s3:*")),
        // Session policies.
        case("session policy allows", Allowed)
            .who(session())
            .id(allow("s3:*"))
            .sess(vec![allow("s3:GetObject")]),
        case("session policy does not allow", ImplicitDeny)
            .who(session())
            .id(allow("s3:*"))
            .sess(vec![allow("s3:PutObject")])
            .because(Session),
        case("session policies are a union", Allowed)
            .who(session())
            .id(allow("s3:*"))
            .sess(vec![allow("s3:PutObject"), allow("s3:GetObject")]),
        case("empty session policy list grants nothing", ImplicitDeny)
            .who(session())
            .id(allow("s3:*"))
            .sess(vec![])
            .because(Session),
        case("session policy cannot exceed identity", ImplicitDeny)
            .who(session())
            .id(allow("iam:*"))
            .sess(vec![allow("s3:*")])
            .because(Identity),
        case("deny in session policy", ExplicitDeny)
            .who(session())
            .id(allow("s3:*"))
            .sess(vec![deny("s3:*")]),
        case("boundary and session both must allow", ImplicitDeny)
            .who(session())
            .id(allow("s3:*"))
            .pb(allow("iam:*"))
            .sess(vec![allow("s3:*")])
            .because(PermissionsBoundary),
        case("identity, boundary and session allow", Allowed)
            .who(session())
            .id(allow("s3:*"))
            .pb(allow("s3:*"))
            .sess(vec![allow("s3:*")]),
        // Same-account resource-based policies.
        case("resource policy naming the user grants alone", Allowed)
            .res(res_policy("Allow", user_arn, "s3:GetObject"), ACCT),
        case("user ARN grant is not limited by the boundary", Allowed)
            .pb(allow("iam:*"))
            .res(res_policy("Allow", user_arn, "s3:GetObject"), ACCT),
        case(
            "resource policy Principal * grants in the same account",
            Allowed,
        )
        .res(res_policy("Allow", r#""*""#, "s3:GetObject"), ACCT),
        case("Principal * grant is limited by the boundary", ImplicitDeny)
            .pb(allow("iam:*"))
            .res(res_policy("Allow", r#""*""#, "s3:GetObject"), ACCT)
            .because(PermissionsBoundary),
        case(
            "resource policy naming the account delegates to identity policies",
            ImplicitDeny,
        )
        .res(res_policy("Allow", account, "s3:GetObject"), ACCT)
        .because(Identity),
        case("account root ARN delegates too", ImplicitDeny)
            .res(res_policy("Allow", account_root, "s3:GetObject"), ACCT)
            .because(Identity),
        case("account delegation plus identity allow", Allowed)
            .id(allow("s3:GetObject"))
            .res(res_policy("Allow", account, "s3:GetObject"), ACCT),
        case(
            "resource policy naming the role grants a session of it",
            Allowed,
        )
        .who(session())
        .res(res_policy("Allow", role_arn, "s3:GetObject"), ACCT),
        case("role ARN grant is limited by the boundary", ImplicitDeny)
            .who(session())
            .pb(allow("iam:*"))
            .res(res_policy("Allow", role_arn, "s3:GetObject"), ACCT)
            .because(PermissionsBoundary),
        case(
            "role ARN grant is limited by session policies",
            ImplicitDeny,
        )
        .who(session())
        .sess(vec![allow("iam:*")])
        .res(res_policy("Allow", role_arn, "s3:GetObject"), ACCT)
        .because(Session),
        case("role ARN grant with boundary allowing", Allowed)
            .who(session())
            .pb(allow("s3:*"))
            .res(res_policy("Allow", role_arn, "s3:GetObject"), ACCT),
        case(
            "role-session ARN grant is not limited by the boundary",
            Allowed,
        )
        .who(session())
        .pb(allow("iam:*"))
        .res(res_policy("Allow", session_arn, "s3:GetObject"), ACCT),
        case(
            "role-session ARN grant is not limited by session policies",
            Allowed,
        )
        .who(session())
        .sess(vec![allow("iam:*")])
        .res(res_policy("Allow", session_arn, "s3:GetObject"), ACCT),
        case("resource policy naming someone else", ImplicitDeny)
            .res(
                res_policy(
                    "Allow",
                    r#"{"AWS":"arn:aws:iam::111122223333:user/bob"}"#,
                    "s3:GetObject",
                ),
                ACCT,
            )
            .because(Identity),
        case("deny in resource policy beats identity allow", ExplicitDeny)
            .id(allow("s3:*"))
            .res(res_policy("Deny", user_arn, "s3:GetObject"), ACCT),
        case("deny in resource policy beats a direct grant", ExplicitDeny)
            .id(deny("s3:GetObject"))
            .res(res_policy("Allow", user_arn, "s3:GetObject"), ACCT),
        case("resource policy for another action", ImplicitDeny)
            .res(res_policy("Allow", user_arn, "s3:PutObject"), ACCT)
            .because(Identity),
        // Cross-account.
        case("cross-account: both sides allow", Allowed)
            .id(allow("s3:GetObject"))
            .res(res_policy("Allow", account, "s3:GetObject"), OTHER),
        case("cross-account: identity only", ImplicitDeny)
            .id(allow("s3:GetObject"))
            .because(Resource)
            .res(res_policy("Allow", other_account, "s3:GetObject"), OTHER),
        case(
            "cross-account: resource only, even naming the user",
            ImplicitDeny,
        )
        .res(res_policy("Allow", user_arn, "s3:GetObject"), OTHER)
        .because(Identity),
        case(
            "cross-account: resource naming the user plus identity",
            Allowed,
        )
        .id(allow("s3:*"))
        .res(res_policy("Allow", user_arn, "s3:GetObject"), OTHER),
        case("cross-account: boundary still applies", ImplicitDeny)
            .id(allow("s3:*"))
            .pb(allow("iam:*"))
            .res(res_policy("Allow", account, "s3:GetObject"), OTHER)
            .because(PermissionsBoundary),
        case("cross-account: session policy still applies", ImplicitDeny)
            .who(session())
            .id(allow("s3:*"))
            .sess(vec![allow("iam:*")])
            .res(res_policy("Allow", account, "s3:GetObject"), OTHER)
            .because(Session),
        case(
            "cross-account: explicit deny in resource policy",
            ExplicitDeny,
        )
        .id(allow("s3:*"))
        .res(res_policy("Deny", r#""*""#, "s3:GetObject"), OTHER),
        case("cross-account: no resource policy at all", ImplicitDeny)
            .id(allow("s3:*"))
            .because(Resource)
            .res(
                named(
                    &deny("s3:PutObject").replace(r#""Effect""#, r#""Principal":"*","Effect""#),
                    DocumentKind::Resource,
                    "x",
                ),
                OTHER,
            ),
        case("cross-account: role session, role named", Allowed)
            .who(session())
            .id(allow("s3:*"))
            .res(res_policy("Allow", role_arn, "s3:GetObject"), OTHER),
    ]
}

#[test]
fn evaluation_table() {
    let mut f = Vec::new();
    let all = cases();
    for c in &all {
        let set = PolicySet {
            identity: c.identity.iter().map(|p| identity(p)).collect(),
            permissions_boundary: c.boundary.as_deref().map(identity),
            session: c
                .session
                .as_ref()
                .map(|v| v.iter().map(|p| identity(p)).collect()),
            resource: c.resource.clone(),
            resource_owner: c.owner.map(String::from),
        };
        let empty = Context::new();
        let r = evaluate(
            &Request {
                principal: &c.principal,
                action: "s3:GetObject",
                resource: "arn:aws:s3:::bucket/key",
                context: &empty,
            },
            &set,
        );
        if r.decision != c.expect || (c.denied_by.is_some() && r.denied_by != c.denied_by) {
            f.push(format!(
                "{}: got {:?} ({:?}), expected {:?} ({:?})",
                c.rule, r.decision, r.denied_by, c.expect, c.denied_by
            ));
        }
        match r.decision {
            Decision::ExplicitDeny => assert!(
                r.matched.iter().all(|m| m.effect == Effect::Deny) && !r.matched.is_empty(),
                "{}",
                c.rule
            ),
            Decision::Allowed => assert!(
                r.matched.iter().all(|m| m.effect == Effect::Allow) && !r.matched.is_empty(),
                "{}",
                c.rule
            ),
            Decision::ImplicitDeny => assert!(r.matched.is_empty(), "{}", c.rule),
        }
    }
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[test]
fn denial_reasons_use_aws_wording() {
    let set = PolicySet {
        identity: vec![identity(&allow("s3:*"))],
        permissions_boundary: Some(identity(&allow("iam:*"))),
        ..Default::default()
    };
    let (p, c) = (alice(), Context::new());
    let r = evaluate(
        &Request {
            principal: &p,
            action: "s3:GetObject",
            resource: "*",
            context: &c,
        },
        &set,
    );
    assert_eq!(
        r.denial_reason("s3:GetObject").unwrap(),
        "because no permissions boundary allows the s3:GetObject action"
    );
    let set = PolicySet::default();
    let r = evaluate(
        &Request {
            principal: &p,
            action: "iam:CreateUser",
            resource: "*",
            context: &c,
        },
        &set,
    );
    assert_eq!(
        r.denial_reason("iam:CreateUser").unwrap(),
        "because no identity-based policy allows the iam:CreateUser action"
    );
    let set = PolicySet {
        identity: vec![identity(&deny("iam:*"))],
        ..Default::default()
    };
    let r = evaluate(
        &Request {
            principal: &p,
            action: "iam:CreateUser",
            resource: "*",
            context: &c,
        },
        &set,
    );
    assert_eq!(
        r.denial_reason("iam:CreateUser").unwrap(),
        "with an explicit deny in an identity-based policy"
    );
    let set = PolicySet {
        identity: vec![identity(&allow("iam:*"))],
        permissions_boundary: Some(identity(&deny("iam:*"))),
        ..Default::default()
    };
    let r = evaluate(
        &Request {
            principal: &p,
            action: "iam:CreateUser",
            resource: "*",
            context: &c,
        },
        &set,
    );
    assert_eq!(
        r.denial_reason("iam:CreateUser").unwrap(),
        "with an explicit deny in a permissions boundary"
    );
    assert_eq!(r.matched[0].policy_type, PolicyType::PermissionsBoundary);
}

#[test]
fn matched_statements_and_missing_keys() {
    let p1 = named(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Read","Effect":"Allow","Action":"s3:Get*","Resource":"*"},
        {"Sid":"Tls","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
        {"Sid":"Other","Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"true"}}}]}"#,
        DocumentKind::Identity,
        "arn:aws:iam::111122223333:policy/p1",
    );
    let set = PolicySet {
        identity: vec![p1],
        ..Default::default()
    };
    let (p, c) = (alice(), Context::new());
    let r = evaluate(
        &Request {
            principal: &p,
            action: "s3:GetObject",
            resource: "*",
            context: &c,
        },
        &set,
    );
    assert_eq!(r.decision, Decision::Allowed);
    assert_eq!(r.matched.len(), 1);
    assert_eq!(r.matched[0].sid.as_deref(), Some("Read"));
    assert_eq!(r.matched[0].statement_index, 0);
    assert_eq!(
        &*r.matched[0].policy_id,
        "arn:aws:iam::111122223333:policy/p1"
    );
    assert_eq!(
        r.missing_context_keys,
        vec!["aws:SecureTransport".to_string()]
    );
}

#[test]
fn trust_policies() {
    // A trust policy is a resource-based policy on the role.
    let trust_user = named(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}}"#,
        DocumentKind::RoleTrust,
        "trust",
    );
    let trust_acct = named(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyz"}}}}"#,
        DocumentKind::RoleTrust,
        "trust",
    );
    let trust_svc = named(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
        DocumentKind::RoleTrust,
        "trust",
    );
    let trust_fed = named(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"app"}}}}"#,
        DocumentKind::RoleTrust,
        "trust",
    );
    let role = "arn:aws:iam::111122223333:role/r";
    let run = |p: &Principal, set: &PolicySet, action: &str, c: &Context| {
        evaluate(
            &Request {
                principal: p,
                action,
                resource: role,
                context: c,
            },
            set,
        )
        .decision
    };
    let empty = Context::new();
    let same = PolicySet {
        resource: Some(trust_user),
        resource_owner: Some(ACCT.into()),
        ..Default::default()
    };
    assert_eq!(
        run(&alice(), &same, "sts:AssumeRole", &empty),
        Decision::Allowed,
        "same-account user named in trust policy"
    );
    let cross = PolicySet {
        resource: Some(trust_acct.clone()),
        resource_owner: Some(ACCT.into()),
        ..Default::default()
    };
    let bob = Principal::user("arn:aws:iam::444455556666:user/bob");
    let ext = ctx(&[("sts:ExternalId", "string", &["xyz"])]);
    assert_eq!(
        run(&bob, &cross, "sts:AssumeRole", &ext),
        Decision::ImplicitDeny,
        "cross-account needs identity allow"
    );
    let cross_with_id = PolicySet {
        identity: vec![identity(&allow("sts:AssumeRole"))],
        ..cross.clone()
    };
    assert_eq!(
        run(&bob, &cross_with_id, "sts:AssumeRole", &ext),
        Decision::Allowed
    );
    assert_eq!(
        run(&bob, &cross_with_id, "sts:AssumeRole", &empty),
        Decision::ImplicitDeny,
        "ExternalId missing"
    );
    let svc = PolicySet {
        resource: Some(trust_svc),
        resource_owner: Some(ACCT.into()),
        ..Default::default()
    };
    assert_eq!(
        run(
            &Principal::service("ec2.amazonaws.com"),
            &svc,
            "sts:AssumeRole",
            &empty
        ),
        Decision::Allowed
    );
    assert_eq!(
        run(
            &Principal::service("lambda.amazonaws.com"),
            &svc,
            "sts:AssumeRole",
            &empty
        ),
        Decision::ImplicitDeny
    );
    let fed = PolicySet {
        resource: Some(trust_fed),
        resource_owner: Some(ACCT.into()),
        ..Default::default()
    };
    let g = Principal::federated("accounts.google.com", ACCT);
    let aud = ctx(&[("accounts.google.com:aud", "string", &["app"])]);
    assert_eq!(
        run(&g, &fed, "sts:AssumeRoleWithWebIdentity", &aud),
        Decision::Allowed
    );
    assert_eq!(
        run(&g, &fed, "sts:AssumeRoleWithWebIdentity", &empty),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_principal_semantics() {
    // NotPrincipal with Deny: everyone except the listed principals is denied.
    let pol = named(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"},
        {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        DocumentKind::Resource,
        "b",
    );
    let set = PolicySet {
        resource: Some(pol),
        resource_owner: Some(ACCT.into()),
        ..Default::default()
    };
    let c = Context::new();
    let bob = Principal::user("arn:aws:iam::111122223333:user/bob");
    let d = |p: &Principal| {
        evaluate(
            &Request {
                principal: p,
                action: "s3:GetObject",
                resource: "*",
                context: &c,
            },
            &set,
        )
        .decision
    };
    assert_eq!(d(&alice()), Decision::Allowed);
    assert_eq!(d(&bob), Decision::ExplicitDeny);
    assert_eq!(d(&Principal::anonymous()), Decision::ExplicitDeny);
}

#[test]
fn principal_matching_rules() {
    // AWS principal forms: account ID, root ARN, user ARN, role ARN (matches
    // its sessions), session ARN, unique ID, "*".
    let mut u = alice();
    u.unique_id = Some("AIDACKCEVSQ6C2EXAMPLE".into());
    let s = session();
    let cases: &[(&str, &Principal, bool)] = &[
        (r#""*""#, &u, true),
        (r#"{"AWS":"*"}"#, &u, true),
        (r#"{"AWS":"111122223333"}"#, &u, true),
        (r#"{"AWS":"444455556666"}"#, &u, false),
        (r#"{"AWS":"arn:aws:iam::111122223333:root"}"#, &s, true),
        (
            r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
            &u,
            true,
        ),
        (
            r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
            &s,
            false,
        ),
        (r#"{"AWS":"AIDACKCEVSQ6C2EXAMPLE"}"#, &u, true),
        (
            r#"{"AWS":"arn:aws:iam::111122223333:role/team/dev"}"#,
            &s,
            true,
        ),
        (r#"{"AWS":"arn:aws:iam::111122223333:role/dev"}"#, &s, false),
        (
            r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/dev/s1"}"#,
            &s,
            true,
        ),
        (
            r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/dev/s2"}"#,
            &s,
            false,
        ),
        (r#"{"Service":"ec2.amazonaws.com"}"#, &u, false),
        (
            r#"{"AWS":["444455556666","arn:aws:iam::111122223333:user/alice"]}"#,
            &u,
            true,
        ),
    ];
    let c = Context::new();
    for (pr, who, expect) in cases {
        let set = PolicySet {
            resource: Some(res_policy("Allow", pr, "s3:GetObject")),
            resource_owner: Some(OTHER.into()),
            identity: vec![identity(&allow("s3:*"))],
            ..Default::default()
        };
        let got = evaluate(
            &Request {
                principal: who,
                action: "s3:GetObject",
                resource: "*",
                context: &c,
            },
            &set,
        )
        .decision
            == Decision::Allowed;
        assert_eq!(got, *expect, "{pr} for {}", who.arn);
    }
}
