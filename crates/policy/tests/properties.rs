#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests: monotonicity of Deny and Allow, and wildcard matching
//! against a regex-built reference matcher.
use iamd_policy::*;
use proptest::prelude::*;
use std::sync::Arc;

// ---------- wildcard matching vs. a reference regex ----------

fn reference(pattern: &str, text: &str, ci: bool) -> bool {
    let mut re = String::from(if ci { "(?is)^" } else { "(?s)^" });
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap().is_match(text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn wildcard_agrees_with_regex(p in "[ab*?é:/]{0,8}", t in "[abAé:/]{0,10}", ci in any::<bool>()) {
        // Case-insensitivity is ASCII-only in IAM action matching; keep the
        // reference comparable by only using ASCII letters that differ in case.
        let expect = reference(&p, &t, ci && t.is_ascii() && p.is_ascii());
        let got = wildcard_match(&p, &t, ci && t.is_ascii() && p.is_ascii());
        prop_assert_eq!(got, expect, "pattern {:?} text {:?}", p, t);
    }
}

// ---------- monotonicity ----------

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    not_action: bool,
    action: &'static str,
    resource: &'static str,
    cond: Option<&'static str>,
    principal: &'static str,
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:*",
    "s3:Get*",
    "iam:*",
    "*",
    "s3:PutObject",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::c/*",
    "arn:aws:s3:::b/${aws:username}",
];
const CONDS: &[&str] = &[
    r#"{"StringEquals":{"aws:username":"alice"}}"#,
    r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
    r#"{"StringNotEquals":{"aws:username":"bob"}}"#,
    r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}"#,
    r#"{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]}}"#,
    r#"{"NumericLessThanIfExists":{"s3:max-keys":"10"}}"#,
];
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:role/dev"}"#,
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/dev/s"}"#,
    r#"{"AWS":"444455556666"}"#,
];

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        prop::sample::select(ACTIONS),
        prop::sample::select(RESOURCES),
        prop::option::weighted(0.4, prop::sample::select(CONDS)),
        prop::sample::select(PRINCIPALS),
    )
        .prop_map(
            |(allow, not_action, action, resource, cond, principal)| Stmt {
                allow,
                not_action,
                action,
                resource,
                cond,
                principal,
            },
        )
}

fn doc(stmts: &[Stmt], resource_based: bool) -> String {
    let body: Vec<String> = stmts
        .iter()
        .map(|s| {
            let mut o = format!(
                r#"{{"Effect":"{}","{}":"{}","Resource":"{}""#,
                if s.allow { "Allow" } else { "Deny" },
                if s.not_action { "NotAction" } else { "Action" },
                s.action,
                s.resource
            );
            if resource_based {
                o.push_str(&format!(r#","Principal":{}"#, s.principal));
            }
            if let Some(c) = s.cond {
                o.push_str(&format!(r#","Condition":{c}"#));
            }
            o.push('}');
            o
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    )
}

#[derive(Debug, Clone)]
struct Set {
    identity: Vec<Vec<Stmt>>,
    boundary: Option<Vec<Stmt>>,
    session: Option<Vec<Vec<Stmt>>>,
    resource: Option<Vec<Stmt>>,
    other_owner: bool,
}

fn set() -> impl Strategy<Value = Set> {
    (
        prop::collection::vec(prop::collection::vec(stmt(), 0..3), 0..3),
        prop::option::of(prop::collection::vec(stmt(), 0..3)),
        prop::option::of(prop::collection::vec(
            prop::collection::vec(stmt(), 0..2),
            0..2,
        )),
        prop::option::of(prop::collection::vec(stmt(), 0..3)),
        any::<bool>(),
    )
        .prop_map(|(identity, boundary, session, resource, other_owner)| Set {
            identity,
            boundary,
            session,
            resource,
            other_owner,
        })
}

fn compile(s: &Set) -> PolicySet {
    let c = |st: &Vec<Stmt>, kind| {
        if st.is_empty() {
            // AWS refuses a policy without statements ("Syntax errors in
            // policy."); the evaluator still treats one as granting nothing.
            let empty = PolicyDocument {
                version: Version::V2012_10_17,
                id: None,
                statements: Vec::new(),
                kind,
            };
            return Arc::new(CompiledPolicy::compile(&empty, "p"));
        }
        Arc::new(
            CompiledPolicy::from_text(&doc(st, kind == DocumentKind::Resource), kind, "p").unwrap(),
        )
    };
    PolicySet {
        identity: s
            .identity
            .iter()
            .map(|p| c(p, DocumentKind::Identity))
            .collect(),
        permissions_boundary: s.boundary.as_ref().map(|p| c(p, DocumentKind::Identity)),
        session: s
            .session
            .as_ref()
            .map(|v| v.iter().map(|p| c(p, DocumentKind::Identity)).collect()),
        resource: s.resource.as_ref().map(|p| c(p, DocumentKind::Resource)),
        resource_owner: s.resource.as_ref().map(|_| {
            if s.other_owner {
                "444455556666".into()
            } else {
                "111122223333".into()
            }
        }),
    }
}

#[derive(Debug, Clone)]
struct Req {
    session: bool,
    action: &'static str,
    resource: &'static str,
    username: bool,
    tls: bool,
    tags: Option<Vec<&'static str>>,
}

fn req() -> impl Strategy<Value = Req> {
    (
        any::<bool>(),
        prop::sample::select(
            &[
                "s3:GetObject",
                "s3:PutObject",
                "iam:CreateUser",
                "ec2:RunInstances",
            ][..],
        ),
        prop::sample::select(
            &[
                "arn:aws:s3:::b/k",
                "arn:aws:s3:::b/alice",
                "arn:aws:s3:::c/k",
                "*",
            ][..],
        ),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::collection::vec(
            prop::sample::select(&["a", "ab", "b"][..]),
            0..3,
        )),
    )
        .prop_map(|(session, action, resource, username, tls, tags)| Req {
            session,
            action,
            resource,
            username,
            tls,
            tags,
        })
}

fn decide(s: &Set, r: &Req) -> Decision {
    let set = compile(s);
    let p = if r.session {
        Principal::assumed_role(
            "arn:aws:sts::111122223333:assumed-role/dev/s",
            "arn:aws:iam::111122223333:role/dev",
        )
    } else {
        Principal::user("arn:aws:iam::111122223333:user/alice")
    };
    let mut c = Context::new();
    if r.username && !r.session {
        c.insert_str("aws:username", "alice");
    }
    c.insert(
        "aws:SecureTransport",
        ContextValue::single(Scalar::Bool(r.tls)),
    );
    if let Some(t) = &r.tags {
        c.insert_strs("aws:TagKeys", t);
    }
    evaluate(
        &Request {
            principal: &p,
            action: r.action,
            resource: r.resource,
            context: &c,
        },
        &set,
    )
    .decision
}

/// Where to add a statement: 0 new identity policy, 1 existing identity
/// policy, 2 boundary, 3 session policy, 4 resource policy.
fn add(s: &Set, where_: u8, st: Stmt) -> Set {
    let mut s = s.clone();
    match where_ {
        0 => s.identity.push(vec![st]),
        1 => match s.identity.first_mut() {
            Some(p) => p.push(st),
            None => s.identity.push(vec![st]),
        },
        2 => match &mut s.boundary {
            Some(b) => b.push(st),
            None => s.identity.push(vec![st]),
        },
        3 => match &mut s.session {
            Some(v) if !v.is_empty() => v[0].push(st),
            Some(v) => v.push(vec![st]),
            None => s.identity.push(vec![st]),
        },
        _ => match &mut s.resource {
            Some(r) => r.push(st),
            None => s.identity.push(vec![st]),
        },
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]
    #[test]
    fn added_deny_never_allows(s in set(), r in req(), st in stmt(), w in 0u8..5) {
        let before = decide(&s, &r);
        let after = decide(&add(&s, w, Stmt { allow: false, ..st }), &r);
        if before != Decision::Allowed {
            prop_assert_ne!(after, Decision::Allowed);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn added_allow_never_denies(s in set(), r in req(), st in stmt(), w in 0u8..5) {
        let before = decide(&s, &r);
        let after = decide(&add(&s, w, Stmt { allow: true, ..st }), &r);
        if before == Decision::Allowed {
            prop_assert_eq!(after, Decision::Allowed);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,200}") {
        let _ = validate_document(&s, DocumentKind::Identity);
        let _ = parse(&s, DocumentKind::Resource);
    }
}

// ---------- the validator on arbitrary, policy-shaped JSON ----------

/// JSON built from policy words, so that most documents get past the JSON
/// rule and exercise the later ones.
fn policy_json() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "Version",
        "2012-10-17",
        "2008-10-17",
        "Id",
        "Statement",
        "Sid",
        "Effect",
        "Allow",
        "Deny",
        "allow",
        "Principal",
        "NotPrincipal",
        "AWS",
        "Service",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "StringEquals",
        "DateLessThan",
        "ForAnyValue:StringLikeIfExists",
        "x",
        "",
        "*",
        "s3:GetObject",
        "sts:AssumeRole",
        "s3",
        "a:b:c",
        "arn:aws:s3:::b/*",
        "arn:aws:iam::111122223333:user/a",
        "arn:aws:iam:x::y",
        "arn:aws:s3::b",
        "arn:aws",
        "a:b",
        "111122223333",
        "aws:username",
        "2020-01-01T00:00:00Z",
        "2020-13-01",
        "sdf",
        "1",
        "é",
    ]);
    let leaf = prop_oneof![
        word.clone().prop_map(|w| format!("{w:?}")),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("12".to_string()),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((word.clone(), inner), 0..6).prop_map(|m| {
                let body: Vec<String> = m.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    #[test]
    fn validator_never_panics(s in "\\PC{0,200}") {
        for k in PolicyKind::ALL {
            let _ = validate(&s, k);
            let _ = diagnose(&s, k);
        }
    }

    #[test]
    fn validate_agrees_with_diagnose(s in policy_json()) {
        for k in PolicyKind::ALL {
            let errors: Vec<String> = diagnose(&s, k)
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.error.message)
                .collect();
            match validate(&s, k) {
                // Accepted documents have no errors and compile.
                Ok(doc) => {
                    prop_assert!(errors.is_empty(), "{:?} {} {:?}", k, s, errors);
                    prop_assert_eq!(doc.kind, k.document_kind());
                    let _ = CompiledPolicy::compile(&doc, "p");
                }
                // The reported error is one of the document's errors.
                Err(e) => prop_assert!(errors.contains(&e.message), "{:?} {} {:?} {:?}", k, s, e, errors),
            }
        }
    }

    #[test]
    fn wrapped_statements_validate_like_aws(st in policy_json()) {
        let s = format!(r#"{{"Version":"2012-10-17","Statement":{st}}}"#);
        for k in PolicyKind::ALL {
            if let Err(e) = validate(&s, k) {
                prop_assert!(RULES.iter().any(|r| r.id == e.rule && r.applies_to(k)));
            }
        }
    }
}
