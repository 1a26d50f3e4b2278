#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One table per validation rule of `RULES`: accepted and rejected documents
//! with the exact message AWS returns, and which rule gives it. Cases marked
//! "moto" are the ones moto records as checked against IAM's CreatePolicy;
//! the sources of every rule are in `RULES` (src/validate.rs).
use iamd_policy::PolicyKind::*;
use iamd_policy::*;

type Want = Result<(), &'static str>;
const OK: Want = Ok(());

/// A 2012-10-17 document with these statements.
fn st(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#)
}
/// A document without Version.
fn nov(body: &str) -> String {
    format!(r#"{{"Statement":[{body}]}}"#)
}
/// An identity statement with this Condition.
fn cond(c: &str) -> String {
    st(&format!(
        r#"{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{c}}}"#
    ))
}
/// An identity statement with this Resource value.
fn res(r: &str) -> String {
    st(&format!(
        r#"{{"Effect":"Allow","Action":"s3:ListBucket","Resource":{r}}}"#
    ))
}
/// An identity statement with this Action value.
fn act(a: &str) -> String {
    st(&format!(
        r#"{{"Effect":"Allow","Action":{a},"Resource":"arn:aws:s3:::example_bucket"}}"#
    ))
}
const GOOD: &str =
    r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}"#;
const TRUST: &str =
    r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#;

/// Runs a rule's table: accepted documents validate, rejected ones fail
/// with exactly `message`, given by `rule`.
fn table(rule: RuleId, cases: &[(PolicyKind, String, Want)]) {
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for (i, (kind, doc, want)) in cases.iter().enumerate() {
        match (validate(doc, *kind), want) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(m)) if e.message == *m && e.rule == rule => {}
            (got, _) => failures.push(format!(
                "case {i} ({kind:?}) {doc}\n  want {want:?} from {rule:?}\n  got  {:?}",
                got.map(|_| ()).map_err(|e| (e.rule, e.message))
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rule_json() {
    let trailing_comma = r#"{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Principal":"*","Effect":"Allow",}]}"#;
    table(
        RuleId::Json,
        &[
            (
                Managed,
                "This is not a json document".into(),
                Err(messages::SYNTAX),
            ), // moto
            (Inline, "{".into(), Err(messages::SYNTAX)),
            (Inline, st(GOOD) + "x", Err(messages::SYNTAX)),
            (Managed, "[]".into(), Err(messages::SYNTAX)),
            (Resource, "".into(), Err(messages::SYNTAX)),
            (PermissionsBoundary, "\"x\"".into(), Err(messages::SYNTAX)),
            (
                RoleTrust,
                "{invalid".into(),
                Err(messages::TRUST_INVALID_JSON),
            ),
            (
                RoleTrust,
                trailing_comma.into(),
                Err(messages::TRUST_INVALID_JSON),
            ), // LocalStack
            (
                RoleTrust,
                "assume-role-policy.json".into(),
                Err(messages::TRUST_INVALID_JSON),
            ),
            (
                RoleTrust,
                format!("\u{feff}{}", st(TRUST)),
                Err(messages::TRUST_INVALID_JSON),
            ),
            (
                Session,
                "not json".into(),
                Err(messages::SESSION_INVALID_JSON),
            ),
            (Session, "[1]".into(), Err(messages::SESSION_INVALID_JSON)),
            (Managed, st(GOOD), OK),
            (RoleTrust, st(TRUST), OK),
            (Session, st(GOOD), OK),
        ],
    );
}

#[test]
fn rule_syntax() {
    let s = messages::SYNTAX;
    table(
        RuleId::Syntax,
        &[
            (Managed, r#"{"Version":"2012-10-17"}"#.into(), Err(s)), // moto
            (Managed, st(r#""afd""#), Err(s)),                       // moto
            (
                Managed,
                r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
                Err(s),
            ), // moto
            (
                Managed,
                r#"{"Version":"2012-10-17","Statement":"x"}"#.into(),
                Err(s),
            ),
            (
                Managed,
                format!(r#"{{"Version":"2012-10-17","Statement":{GOOD},"Extra field":"value"}}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Extra field":"value"}"#,
                ),
                Err(s),
            ), // moto
            (
                Managed,
                format!(r#"{{"Version":"2012-10-17","Id":["cd3a"],"Statement":{GOOD}}}"#),
                Err(s),
            ), // moto
            (
                Managed,
                format!(r#"{{"Version":"2012-10-17","Id":{{}},"Statement":{GOOD}}}"#),
                Err(s),
            ), // moto
            (
                Managed,
                format!(r#"{{"Version":"2013-10-17","Statement":{GOOD}}}"#),
                Err(s),
            ), // moto
            (
                Inline,
                format!(r#"{{"Version":2012,"Statement":{GOOD}}}"#),
                Err(s),
            ),
            (
                Managed,
                st(r#"{"Effect":"invalid","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":5,"Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ),
            (
                Managed,
                st(r#"{"Effect":null,"Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ),
            // An identity statement without Effect is a syntax error (moto).
            (
                Managed,
                st(r#"{"Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}"#),
                Err(s),
            ),
            (
                Session,
                st(r#"{"Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ),
            (
                Managed,
                res(r#"{"a":"arn:aws:s3:::example_bucket"}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","NotResource":[]}"#,
                ),
                Err(s),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":"Deny","Action":[[]],"Resource":"arn:aws:s3:::example_bucket"}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Action":[],"Resource":"arn:aws:s3:::example_bucket"}"#,
                ),
                Err(s),
            ), // moto
            (Managed, act("{}"), Err(s)), // moto
            (Managed, act("null"), Err(s)),
            (Managed, res("null"), Err(s)),
            (Managed, res(r#"["arn:aws:s3:::b",null]"#), Err(s)),
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","NotAction":"s3:ListBucket","Action":"iam:dsf","Resource":"arn:aws:s3:::example_bucket"}"#,
                ),
                Err(s),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","NotResource":"*"}"#,
                ),
                Err(s),
            ), // moto
            (
                Resource,
                st(
                    r#"{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:*","Resource":"*"}"#,
                ),
                Err(s),
            ),
            (Managed, cond("[]"), Err(s)),           // moto
            (Managed, cond(r#""a""#), Err(s)),       // moto
            (Managed, cond(r#"{"a":"b"}"#), Err(s)), // moto
            (Managed, cond(r#"{"DateGreaterThan":"b"}"#), Err(s)), // moto
            (Managed, cond(r#"{"DateGreaterThan":[]}"#), Err(s)), // moto
            (Managed, cond(r#"{"DateGreaterThan":{"a":{}}}"#), Err(s)), // moto
            (
                Managed,
                cond(r#"[{"ForAllValues:StringEquals":{"aws:TagKeys":"Department"}}]"#),
                Err(s),
            ), // moto
            (
                Managed,
                cond(r#"{"StringEquals":{"aws:username":null}}"#),
                Err(s),
            ),
            (
                Managed,
                cond(r#"{"StringEquals":{"aws:username":["a",null]}}"#),
                Err(s),
            ),
            (
                Managed,
                cond(r#"{"StringEquals":{"aws:username":[["a"]]}}"#),
                Err(s),
            ),
            (
                Managed,
                st(r#"{"Sid":{},"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(r#"{"Sid":[],"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ), // moto
            (
                Managed,
                st(r#"{"Sid":null,"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ),
            (
                Managed,
                st(r#"{"Sid":1,"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(s),
            ),
            // Each element at most once, at every level (documented).
            (
                Managed,
                st(r#"{"Effect":"Deny","Effect":"Allow","Action":"ec2:*","Resource":"*"}"#),
                Err(s),
            ),
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b","Resource":"arn:aws:s3:::b/*"}"#,
                ),
                Err(s),
            ),
            (
                Managed,
                format!(r#"{{"Version":"2012-10-17","Statement":{GOOD},"Statement":{GOOD}}}"#),
                Err(s),
            ),
            (
                Managed,
                cond(r#"{"StringEquals":{"aws:username":"a","aws:username":"b"}}"#),
                Err(s),
            ),
            (
                Resource,
                st(
                    r#"{"Effect":"Allow","Principal":{"AWS":"111122223333","AWS":"*"},"Action":"s3:*","Resource":"*"}"#,
                ),
                Err(s),
            ),
            (
                Resource,
                st(r#"{"Effect":"Allow","Principal":{"AWS":5},"Action":"s3:*","Resource":"*"}"#),
                Err(s),
            ),
            (
                RoleTrust,
                st(r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Foo":1}"#),
                Err(s),
            ),
            // Without Version the legacy parser reports the problem.
            (
                Inline,
                nov(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}"#),
                Err(messages::LEGACY),
            ),
            (
                RoleTrust,
                nov(r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Foo":1}"#),
                Err(messages::LEGACY),
            ),
            // Accepted.
            (
                Managed,
                format!(r#"{{"Version":"2012-10-17","Statement":{GOOD}}}"#),
                OK,
            ),
            (
                Managed,
                format!(r#"{{"Version":"2012-10-17","Id":"sdfsdfsdf","Statement":{GOOD}}}"#),
                OK,
            ), // moto
            (Managed, cond("{}"), OK),                              // moto
            (Managed, cond(r#"{"x":{},"y":{}}"#), OK),              // moto
            (Managed, cond(r#"{"a":{}}"#), OK),                     // moto
            (Managed, cond(r#"{"DateGreaterThan":{}}"#), OK),       // moto
            (Managed, cond(r#"{"DateGreaterThan":{"a":[]}}"#), OK), // moto
            (Managed, cond(r#"{"StringEqualsIfExists":{"a":"asf"}}"#), OK), // moto
            (
                Managed,
                cond(r#"{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}"#),
                OK,
            ), // moto
            (
                Managed,
                cond(r#"{"Bool":{"aws:SecureTransport":false}}"#),
                OK,
            ), // moto#9715
            (
                Managed,
                cond(r#"{"NumericLessThan":{"s3:max-keys":10}}"#),
                OK,
            ), // documented
            (
                Managed,
                cond(r#"{"StringEquals":{"aws:username":["a",true,3]}}"#),
                OK,
            ),
            // Lenient: unknown operators (never match) and keys without a vendor.
            (Managed, cond(r#"{"x":{"a":"1"}}"#), OK),
            (Managed, cond(r#"{"StringEqual":{"aws:username":"a"}}"#), OK),
            (
                Managed,
                cond(r#"{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}"#),
                OK,
            ),
            (Managed, cond(r#"{"StringEquals":{"username":"a"}}"#), OK),
            (Managed, cond(r#"{"StringEquals":{"aws:a:b":"a"}}"#), OK),
            (
                Managed,
                cond(r#"{"StringEquals":{"aws:username":"a","aws:UserName":"b"}}"#),
                OK,
            ),
            (Inline, format!(r#"{{"Statement":{GOOD}}}"#), OK),
        ],
    );
}

#[test]
fn rule_effect_required() {
    let m = messages::MISSING_EFFECT;
    table(
        RuleId::EffectRequired,
        &[
            (
                RoleTrust,
                st(r#"{"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#),
                Err(m),
            ),
            (
                Resource,
                st(r#"{"Principal":"*","Action":"s3:GetObject","Resource":"*"}"#),
                Err(m),
            ),
            (RoleTrust, st(TRUST), OK),
        ],
    );
}

#[test]
fn rule_version() {
    let v = messages::VERSION_REQUIRED;
    let doc = |version: &str| {
        format!(
            r#"{{{version}"Statement":{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}}}"#
        )
    };
    table(
        RuleId::Version,
        &[
            (Managed, doc(""), Err(v)),                           // moto
            (Managed, doc(r#""Version":"2008-10-17","#), Err(v)), // moto
            (PermissionsBoundary, doc(""), Err(v)),
            (
                PermissionsBoundary,
                doc(r#""Version":"2008-10-17","#),
                Err(v),
            ),
            (Managed, doc(r#""Version":"2012-10-17","#), OK),
            (Managed, doc(r#""Id":"x","Version":"2012-10-17","#), OK), // any order (documented)
            // Only managed policies need the current language.
            (Inline, doc(""), OK),
            (Inline, doc(r#""Version":"2008-10-17","#), OK),
            (Session, doc(""), OK),
            (Session, doc(r#""Version":"2008-10-17","#), OK),
            (RoleTrust, nov(TRUST), OK),
            (
                RoleTrust,
                format!(r#"{{"Version":"2008-10-17","Statement":{TRUST}}}"#),
                OK,
            ),
        ],
    );
}

#[test]
fn rule_legacy_parsing() {
    let l = messages::LEGACY;
    let date = |op: &str, v: &str| cond(&format!(r#"{{"{op}":{{"a":{v}}}}}"#));
    table(
        RuleId::LegacyParsing,
        &[
            (
                Managed,
                st(
                    r#"{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}"#,
                ),
                Err(l),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":"allow","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(l),
            ),
            (
                Inline,
                nov(r#"{"Effect":"DENY","Action":"s3:ListBucket","Resource":"*"}"#),
                Err(l),
            ),
            (
                RoleTrust,
                st(r#"{"Effect":"allow","Principal":"*","Action":"sts:AssumeRole"}"#),
                Err(l),
            ),
            (Managed, date("DateGreaterThan", r#""sdfdsf""#), Err(l)), // moto
            (Managed, date("DateLessThanEquals", r#""234-13""#), Err(l)), // moto
            (
                Managed,
                date("DateLessThanEquals", r#""2016-12-13t2:00:00.593194+1""#),
                Err(l),
            ), // moto
            (
                Managed,
                date(
                    "DateLessThanEquals",
                    r#""2016-12-13t2:00:00.1999999999+10:59""#,
                ),
                Err(l),
            ), // moto
            (
                Managed,
                date("DateLessThan", r#""9223372036854775808""#),
                Err(l),
            ), // moto
            (
                Managed,
                date("DateLessThan", r#"["2020-01-01","tomorrow"]"#),
                Err(l),
            ),
            (
                Managed,
                date("ForAnyValue:DateEqualsIfExists", r#""2020-13-01""#),
                Err(l),
            ),
            (
                Managed,
                date("DateEquals", r#""2020-01-01T25:00:00Z""#),
                Err(l),
            ),
            (Managed, res(r#""arn:aws:s3::example_bucket""#), Err(l)), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"}"#,
                ),
                Err(l),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"}"#,
                ),
                Err(l),
            ), // moto
            (Managed, res(r#""arn:aws::fdsasf""#), Err(l)),            // moto
            (Managed, res(r#""arn:aws:""#), Err(l)),
            // Accepted.
            (
                Managed,
                date("DateGreaterThan", r#""2017-07-01T00:00:00Z""#),
                OK,
            ), // moto
            (Managed, date("DateGreaterThan", r#""01T""#), OK), // moto
            (
                Managed,
                date("DateLessThanEquals", r#""2019-07-01T13:20:15Z""#),
                OK,
            ), // moto
            (
                Managed,
                date(
                    "DateLessThanEquals",
                    r#""2016-12-13T21:20:37.593194+00:00""#,
                ),
                OK,
            ), // moto
            (
                Managed,
                date("DateLessThanEquals", r#""2016-12-13t2:00:00.593194+23""#),
                OK,
            ), // moto
            (Managed, date("DateLessThan", r#""-292275054""#), OK), // moto
            (Managed, date("DateLessThan", r#""1700000000""#), OK),
            (Managed, date("DateLessThan", "1700000000"), OK),
            (Managed, date("StringEquals", r#""sdfdsf""#), OK),
            (Managed, res(r#""arn:aws:fdsasf""#), OK), // moto
            (Managed, res(r#""arn:aws:s33:::example_bucket""#), OK), // moto
            (
                Managed,
                res(r#""arn:aws:invalid-service:us-east-1::example_bucket""#),
                OK,
            ), // moto
        ],
    );
}

#[test]
fn rule_sid_unique() {
    let u = messages::SID_UNIQUE;
    table(
        RuleId::SidUnique,
        &[
            // The second statement also lacks actions: the Sid wins (moto).
            (
                Managed,
                st(
                    r#"{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}"#,
                ),
                Err(u),
            ),
            (
                Inline,
                st(
                    r#"{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}"#,
                ),
                Err(u),
            ),
            (
                RoleTrust,
                st(
                    r#"{"Sid":"A","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Sid":"A","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}"#,
                ),
                Err(u),
            ),
            // "Sid": "" may repeat (moto).
            (
                Managed,
                st(
                    r#"{"Sid":"","Effect":"Allow","Action":"rds:*","Resource":["arn:aws:rds:region:*:*"]},{"Sid":"","Effect":"Allow","Action":["rds:Describe*"],"Resource":["*"]}"#,
                ),
                OK,
            ),
            (
                Managed,
                st(
                    r#"{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}"#,
                ),
                OK,
            ), // moto
            // Sids are compared exactly (unverified).
            (
                Managed,
                st(
                    r#"{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"}"#,
                ),
                OK,
            ),
        ],
    );
}

#[test]
fn rule_sid_alphanumeric() {
    let a = messages::SID_ALNUM;
    let sid = |s: &str| {
        st(&format!(
            r#"{{"Sid":"{s}","Effect":"Allow","Action":"s3:*","Resource":"*"}}"#
        ))
    };
    table(
        RuleId::SidAlphanumeric,
        &[
            (Managed, sid("my sid"), Err(a)),
            (Inline, sid("a-b"), Err(a)),
            (Session, sid("x_y"), Err(a)),
            (PermissionsBoundary, sid("é"), Err(a)),
            (Managed, sid("dsfsdfsdfsdfsdfsadfsd"), OK), // moto
            (Managed, sid("1"), OK),                     // documented
            (Managed, sid(""), OK),
            // Other services' rules: spaces are allowed in resource policies.
            (
                Resource,
                st(
                    r#"{"Sid":"Allow read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#,
                ),
                OK,
            ),
            (
                RoleTrust,
                st(
                    r#"{"Sid":"assume-role","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}"#,
                ),
                OK,
            ),
        ],
    );
}

#[test]
fn rule_principal_forbidden() {
    let p = messages::NO_PRINCIPAL;
    table(
        RuleId::PrincipalForbidden,
        &[
            (
                Managed,
                st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#),
                Err(p),
            ),
            (
                Inline,
                st(
                    r#"{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
                ),
                Err(p),
            ),
            (
                Session,
                st(
                    r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}"#,
                ),
                Err(p),
            ),
            (
                PermissionsBoundary,
                st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#),
                Err(p),
            ),
            (Managed, st(GOOD), OK),
        ],
    );
}

#[test]
fn rule_principal_required() {
    let p = messages::MISSING_PRINCIPAL;
    table(
        RuleId::PrincipalRequired,
        &[
            (
                RoleTrust,
                st(r#"{"Effect":"Allow","Action":"sts:AssumeRole"}"#),
                Err(p),
            ),
            (
                Resource,
                st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#),
                Err(p),
            ),
            (
                RoleTrust,
                st(
                    r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}"#,
                ),
                OK,
            ),
            (RoleTrust, st(TRUST), OK),
        ],
    );
}

#[test]
fn rule_principal_valid() {
    let p = messages::INVALID_PRINCIPAL;
    let aws = |v: &str| {
        st(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":{v}}},"Action":"s3:*","Resource":"*"}}"#
        ))
    };
    table(
        RuleId::PrincipalValid,
        &[
            (
                Resource,
                aws(r#""bob""#),
                Err("Invalid principal in policy: \"AWS\":\"bob\""),
            ),
            (
                Resource,
                aws(r#""arn:aws:iam::111122223333:user/*""#),
                Err("Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:user/*\""),
            ),
            (
                Resource,
                aws(r#""arn:aws:s3:::bucket""#),
                Err("Invalid principal in policy: \"AWS\":\"arn:aws:s3:::bucket\""),
            ),
            (
                Resource,
                aws(r#""11112222333""#),
                Err("Invalid principal in policy: \"AWS\":\"11112222333\""),
            ),
            (
                RoleTrust,
                st(
                    r#"{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
                ),
                Err("Invalid principal in policy: \"Service\":\"*.amazonaws.com\""),
            ),
            (
                Resource,
                st(
                    r#"{"Effect":"Allow","Principal":{"Users":"x"},"Action":"s3:*","Resource":"*"}"#,
                ),
                Err(p),
            ),
            (
                Resource,
                st(r#"{"Effect":"Allow","Principal":"bob","Action":"s3:*","Resource":"*"}"#),
                Err(p),
            ),
            (
                RoleTrust,
                st(r#"{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}"#),
                Err(p),
            ),
            (
                Resource,
                aws(
                    r#"["111122223333","arn:aws:iam::111122223333:user/a","arn:aws:iam::111122223333:role/p/r","arn:aws:sts::111122223333:assumed-role/r/s","arn:aws:iam::111122223333:root","arn:aws:sts::111122223333:federated-user/f","AIDACKCEVSQ6C2EXAMPLE","*"]"#,
                ),
                OK,
            ),
            (
                Resource,
                st(
                    r#"{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:*","Resource":"*"}"#,
                ),
                OK,
            ),
            (
                RoleTrust,
                st(
                    r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:x"}}}"#,
                ),
                OK,
            ),
        ],
    );
}

#[test]
fn rule_actions_required() {
    let a = messages::MISSING_ACTIONS;
    table(
        RuleId::ActionsRequired,
        &[
            (
                Managed,
                st(r#"{"Effect":"Allow","Resource":"arn:aws:s3:::example_bucket"}"#),
                Err(a),
            ), // moto
            (Managed, st(r#"{"Effect":"Allow"}"#), Err(a)), // moto
            (Managed, act("[]"), Err(a)),                   // moto
            (
                Managed,
                st(&format!(r#"{{"Effect":"Deny"}},{GOOD}"#)),
                Err(a),
            ), // moto
            (
                Inline,
                st(r#"{"Effect":"Allow","NotAction":[],"Resource":"*"}"#),
                Err(a),
            ),
            (
                RoleTrust,
                st(r#"{"Effect":"Allow","Principal":"*"}"#),
                Err(a),
            ),
            (
                Managed,
                st(r#"{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}"#),
                OK,
            ), // moto
        ],
    );
}

#[test]
fn rule_resource_format() {
    table(
        RuleId::ResourceFormat,
        &[
            (
                Managed,
                res(r#""invalid resource""#),
                Err("Resource invalid resource must be in ARN format or \"*\"."),
            ), // moto
            (
                Managed,
                res(r#""""#),
                Err("Resource  must be in ARN format or \"*\"."),
            ), // moto
            (
                Managed,
                res(r#"["adf"]"#),
                Err("Resource adf must be in ARN format or \"*\"."),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Sid":"EnableDisableHongKong","Effect":"Allow","Action":["account:EnableRegion","account:DisableRegion"],"Resource":"","Condition":{"StringEquals":{"account:TargetRegion":"ap-east-1"}}},{"Sid":"ViewConsole","Effect":"Allow","Action":["aws-portal:ViewAccount","account:ListRegions"],"Resource":""}"#,
                ),
                Err("Resource  must be in ARN format or \"*\"."),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"}"#),
                Err(
                    "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\".",
                ),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"}"#),
                Err("Partition \"b\" is not valid for resource \"arn:b:cadfsdf:*:*:*\"."),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"}"#,
                ),
                Err("Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."),
            ), // moto
            (
                Managed,
                res(r#""aws:s3:::example_bucket""#),
                Err("Partition \"s3\" is not valid for resource \"arn:s3:::example_bucket:*\"."),
            ), // moto
            (
                Managed,
                res(r#"["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]"#),
                Err(
                    "Partition \"error\" is not valid for resource \"arn:error:s3:::example_bucket\".",
                ),
            ), // moto
            (Managed, res(r#""arn:aws""#), Err(messages::RESOURCE_VENDOR)), // moto
            (
                Managed,
                res(r#""arn:aws:iam:::example_bucket""#),
                Err(messages::IAM_RESOURCE_PATH),
            ), // moto
            (
                Managed,
                res(r#""arn:aws:iam::123456789012:*/cdk-*""#),
                Err(messages::IAM_RESOURCE_PATH),
            ),
            (
                Managed,
                res(
                    r#""arn:aws:iam::aws:role-template/cloudwatch.amazonaws.com/CloudWatchOmniAWSIntegrationForOrgRoleTemplate:1""#,
                ),
                OK,
            ), // AWSCloudWatchOmniServiceRolePolicy, an AWS managed policy
            (
                Managed,
                res(r#""arn:aws:iam:us-east-1::example_bucket""#),
                Err(
                    "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.",
                ),
            ), // moto
            (
                Managed,
                res(r#""arn:aws:s3:us-east-1::example_bucket""#),
                Err(
                    "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.",
                ),
            ), // moto
            (
                Resource,
                st(
                    r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"bucket"}"#,
                ),
                Err("Resource bucket must be in ARN format or \"*\"."),
            ),
            // Without Version the legacy parser reports it (observed for
            // PutRolePolicy with an account in the region field).
            (
                Inline,
                nov(
                    r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam:123456789012:user/dev"}"#,
                ),
                Err(messages::LEGACY),
            ),
            // Accepted (moto unless noted).
            (Managed, res(r#"["arn:aws:s3:::example_bucket","*"]"#), OK),
            (Managed, res(r#""arn:aws:iam:::user/example_bucket""#), OK),
            (Managed, res(r#""arn:aws:s33:::example_bucket""#), OK),
            (Managed, res(r#""arn:aws:fdsasf""#), OK),
            (
                Managed,
                res(r#""arn:aws:cloudwatch:us-east-1::example_bucket""#),
                OK,
            ),
            (
                Managed,
                res(r#""arn:aws:ec2:us-east-1::example_bucket""#),
                OK,
            ),
            (
                Managed,
                res(r#""arn:aws:invalid-service:::example_bucket""#),
                OK,
            ),
            (
                Managed,
                res(r#""arn:aws:ec2:region:account-id:instance/*""#),
                OK,
            ),
            (
                Managed,
                res(
                    r#"["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point","arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"]"#,
                ),
                OK,
            ),
            (Managed, res(r#""arn:aws:iam::*:user/${aws:username}""#), OK),
            (Managed, res(r#""arn:aws:iam::123456789012:root""#), OK), // observed message: "root"
            (Managed, res(r#""arn:aws:iam::*:*""#), OK),
            (
                Managed,
                res(r#""arn:aws:s3:us-east-1:123456789012:job/*""#),
                OK,
            ), // documented S3 resource type
            (Managed, res(r#""arn:aws-cn:s3:::b""#), OK), // documented partition
            (Managed, res(r#""arn:aws-us-gov:s3:::b""#), OK),
            (Managed, res(r#""arn:*:s3:::b""#), OK), // documented wildcard
        ],
    );
}

#[test]
fn rule_action_vendor() {
    table(
        RuleId::ActionVendor,
        &[
            (Managed, act(r#""invalid""#), Err(messages::ACTION_VENDOR)), // moto
            (
                Managed,
                st(r#"{"Effect":"Allow","NotAction":"","Resource":"arn:aws:s3:::example_bucket"}"#),
                Err(messages::ACTION_VENDOR),
            ), // moto
            (
                Managed,
                act(r#""a a:ListBucket""#),
                Err("Vendor a a is not valid"),
            ), // moto
            (
                Managed,
                act(r#""s3:List:Bucket""#),
                Err(messages::ONE_COLON),
            ), // moto
            (
                Managed,
                st(
                    r#"{"Effect":"Allow","Action":"s3s:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Effect":"Allow","Action":"s:3s:ListBucket","Resource":"arn:aws:s3:::example_bucket"}"#,
                ),
                Err(messages::ONE_COLON),
            ), // moto
            (
                Managed,
                act(r#"["s3:GetObject","GetObject"]"#),
                Err(messages::ACTION_VENDOR),
            ),
            (
                RoleTrust,
                st(r#"{"Effect":"Allow","Principal":"*","Action":"AssumeRole"}"#),
                Err(messages::ACTION_VENDOR),
            ),
            // Accepted: the name is not checked, nor is the vendor known (moto).
            (Managed, act(r#""iam: asdf safdsf af ""#), OK),
            (Managed, act(r#""*""#), OK),
            (Managed, act(r#""service-prefix:action-name""#), OK),
            (
                Managed,
                act(r#""aaaaaadsfdsafsadfsadfaaaaa:ListBucket""#),
                OK,
            ),
            (Managed, act(r#""s3-s:ListBucket""#), OK),
            (Managed, act(r#""s3.s:ListBucket""#), OK),
            (Managed, act(r#""fsx:ListBucket""#), OK),
            (Managed, act(r#""s3:""#), OK),
            (Managed, act(r#""code*:Get*""#), OK),
        ],
    );
}

#[test]
fn rule_trust_actions() {
    let t = messages::TRUST_ACTIONS;
    let a = |v: &str| {
        st(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"111122223333"}},"Action":{v}}}"#
        ))
    };
    table(
        RuleId::TrustActions,
        &[
            (RoleTrust, a(r#""s3:GetObject""#), Err(t)),
            (RoleTrust, a(r#""*""#), Err(t)),
            (RoleTrust, a(r#"["sts:AssumeRole","iam:PassRole"]"#), Err(t)),
            (RoleTrust, a(r#""sts:*""#), OK),
            (
                RoleTrust,
                a(r#"["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]"#),
                OK,
            ),
            (
                RoleTrust,
                st(r#"{"Effect":"Deny","Principal":"*","NotAction":"s3:*"}"#),
                OK,
            ),
        ],
    );
}

#[test]
fn rule_trust_no_resource() {
    table(
        RuleId::TrustNoResource,
        &[
            (
                RoleTrust,
                st(
                    r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}"#,
                ),
                Err("Has prohibited field Resource"),
            ),
            (
                RoleTrust,
                st(
                    r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"cognito"}"#,
                ),
                Err("Has prohibited field Resource"),
            ),
            (
                RoleTrust,
                st(
                    r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}"#,
                ),
                Err("Has prohibited field NotResource"),
            ),
            (RoleTrust, st(TRUST), OK),
        ],
    );
}

#[test]
fn rule_resources_required() {
    let r = messages::MISSING_RESOURCES;
    table(
        RuleId::ResourcesRequired,
        &[
            (
                Managed,
                st(r#"{"Effect":"Allow","Action":"s3:ListBucket"}"#),
                Err(r),
            ), // moto
            (
                Managed,
                st(r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}"#),
                Err(r),
            ), // moto
            (
                Inline,
                st(r#"{"Effect":"Allow","Action":"s3:ListBucket","NotResource":[]}"#),
                Err(r),
            ),
            (
                Session,
                st(r#"{"Effect":"Allow","Action":"s3:ListBucket"}"#),
                Err(r),
            ),
            (
                Resource,
                st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*"}"#),
                Err(r),
            ),
            (RoleTrust, st(TRUST), OK),
            (Managed, st(GOOD), OK),
        ],
    );
}

/// A document that breaks several rules gets the message of the rule AWS
/// checks first (each case observed, moto, unless noted).
#[test]
fn precedence() {
    let cases: &[(PolicyKind, String, &str)] = &[
        // Syntax before the managed Version rule.
        (
            Managed,
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}}"#.into(),
            messages::SYNTAX,
        ),
        // Version before legacy parsing and duplicate Sids.
        (
            Managed,
            nov(
                r#"{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}"#,
            ),
            messages::VERSION_REQUIRED,
        ),
        (
            Managed,
            nov(
                r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#,
            ),
            messages::VERSION_REQUIRED,
        ),
        (
            Managed,
            nov(
                r#"{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}"#,
            ),
            messages::VERSION_REQUIRED,
        ),
        // Legacy parsing before duplicate Sids, missing actions and resources.
        (
            Managed,
            st(
                r#"{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}"#,
            ),
            messages::LEGACY,
        ),
        (
            Managed,
            st(r#"{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#),
            messages::LEGACY,
        ),
        (
            Managed,
            st(r#"{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"}"#),
            messages::LEGACY,
        ),
        (
            Managed,
            st(r#"{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}"#),
            messages::LEGACY,
        ),
        // Legacy date parsing before the resource's partition.
        (
            Managed,
            st(
                r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}"#,
            ),
            messages::LEGACY,
        ),
        // Duplicate Sids before missing actions.
        (
            Managed,
            st(
                r#"{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow"}"#,
            ),
            messages::SID_UNIQUE,
        ),
        // Missing actions before resource errors.
        (
            Managed,
            st(
                r#"{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"bucket"}"#,
            ),
            messages::MISSING_ACTIONS,
        ),
        // Resource errors before action vendor errors.
        (
            Managed,
            st(r#"{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}"#),
            "Resource sdfsadf must be in ARN format or \"*\".",
        ),
        // Action vendor errors before missing resources.
        (
            Managed,
            st(r#"{"Effect":"Allow","Action":"invalid"}"#),
            messages::ACTION_VENDOR,
        ),
        // --- Documents with several errors (issue 15). ---
        // Not JSON wins over everything, a missing Version included: the version is
        // read from the parsed document (moto: json.loads runs first).
        (Managed, r#"{"Statement":["#.into(), messages::SYNTAX),
        (Managed, r#"{"Statement":[]} x"#.into(), messages::SYNTAX),
        // A bad Effect is a syntax error, reported before a bad action vendor (moto: Effect
        // "invalid" is a syntax error; vendors are checked last).
        (
            Managed,
            st(r#"{"Effect":"invalid","Action":"invalid","Resource":"*"}"#),
            messages::SYNTAX,
        ),
        // An Effect in the wrong case fails legacy parsing, before the vendor (moto: "aLLow").
        (
            Managed,
            st(r#"{"Effect":"allow","Action":"invalid","Resource":"*"}"#),
            messages::LEGACY,
        ),
        // A managed policy without Version: the Version message, whatever else is wrong.
        (
            Managed,
            nov(r#"{"Effect":"Allow","Action":"invalid","Resource":"sdfsadf"}"#),
            messages::VERSION_REQUIRED,
        ),
        // An error of an earlier rule in a later statement wins over a later rule's error in
        // the first statement: rules are applied to the whole document one after the other
        // (moto: {"Effect":"Deny"} then a statement with a bad resource reports the actions).
        (
            Managed,
            st(
                r#"{"Effect":"Allow","Action":"invalid","Resource":"*"},{"Effect":"Allow","Action":"s3:x","Resource":"sdfsadf"}"#,
            ),
            "Resource sdfsadf must be in ARN format or \"*\".",
        ),
        // Within one rule, the first statement in document order. Not found on AWS; iamd's
        // behaviour kept (moto's implementation, not its AWS-checked cases, would report the
        // last statement's resource error and every Action before any NotAction).
        (
            Managed,
            st(
                r#"{"Effect":"Allow","Action":"s3:x","Resource":"first"},{"Effect":"Allow","Action":"s3:x","Resource":"arn:aws:iam:us-east-1::user/x"}"#,
            ),
            "Resource first must be in ARN format or \"*\".",
        ),
        (
            Managed,
            st(
                r#"{"Effect":"Allow","NotAction":"a a:x","Resource":"*"},{"Effect":"Allow","Action":"invalid","Resource":"*"}"#,
            ),
            "Vendor a a is not valid",
        ),
        // Within one statement's action list, the first in document order (moto raises at
        // the first bad action of a list).
        (Managed, act(r#"["s3:a:b","invalid"]"#), messages::ONE_COLON),
        // Within one statement's resource list, the first in sorted order (moto's AWS-checked
        // two-resource case: "arn:error:s3:::…" reported before "arn:error:s3::…").
        (
            Managed,
            res(r#"["zzz","arn:aws:iam:us-east-1::user/x"]"#),
            "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information.",
        ),
        // A trust policy: a missing Principal before a non-STS action.
        (
            RoleTrust,
            st(r#"{"Effect":"Allow","Action":"s3:GetObject"}"#),
            messages::MISSING_PRINCIPAL,
        ),
    ];
    let mut failures = Vec::new();
    for (kind, doc, want) in cases {
        match validate(doc, *kind) {
            Err(e) if e.message == *want => {}
            got => failures.push(format!(
                "{doc}\n  want {want:?}\n  got  {:?}",
                got.map(|_| ())
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The rule list itself: in precedence order, every rule sourced, and every
/// rule has a table above.
#[test]
fn rules_table_is_complete() {
    let tested = [
        RuleId::Json,
        RuleId::Syntax,
        RuleId::EffectRequired,
        RuleId::Version,
        RuleId::LegacyParsing,
        RuleId::SidUnique,
        RuleId::SidAlphanumeric,
        RuleId::PrincipalForbidden,
        RuleId::PrincipalRequired,
        RuleId::PrincipalValid,
        RuleId::ActionsRequired,
        RuleId::ResourceFormat,
        RuleId::ActionVendor,
        RuleId::TrustActions,
        RuleId::TrustNoResource,
        RuleId::ResourcesRequired,
    ];
    let ids: Vec<RuleId> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, tested);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "RULES out of order");
    for r in RULES {
        assert!(
            !r.kinds.is_empty() && !r.messages.is_empty() && !r.sources.is_empty(),
            "{r:?}"
        );
        for s in r.sources {
            if let Source::Documented(url) = s {
                assert!(url.starts_with("https://docs.aws.amazon.com/"), "{url}");
            }
        }
    }
    // Every kind gets the JSON and syntax rules; only managed kinds the Version rule.
    for k in PolicyKind::ALL {
        assert!(RULES[0].applies_to(k) && RULES[1].applies_to(k));
        let version = RULES.iter().find(|r| r.id == RuleId::Version).unwrap();
        assert_eq!(version.applies_to(k), k.requires_version());
    }
}

#[test]
fn kinds_map_to_document_kinds() {
    assert_eq!(Managed.document_kind(), DocumentKind::Identity);
    assert_eq!(PermissionsBoundary.document_kind(), DocumentKind::Identity);
    assert_eq!(Inline.document_kind(), DocumentKind::Identity);
    assert_eq!(Session.document_kind(), DocumentKind::Identity);
    assert_eq!(RoleTrust.document_kind(), DocumentKind::RoleTrust);
    assert_eq!(Resource.document_kind(), DocumentKind::Resource);
    assert_eq!(PolicyKind::from(DocumentKind::Identity), Inline);
    let doc = validate(&st(GOOD), Managed).unwrap();
    assert_eq!(doc.kind, DocumentKind::Identity);
    assert_eq!(doc.version, Version::V2012_10_17);
    // parse() keeps its meaning: identity documents as inline policies.
    assert!(parse(&nov(GOOD), DocumentKind::Identity).is_ok());
    assert!(validate(&nov(GOOD), Managed).is_err());
    // parse() reads stored documents: iamd stores an empty boundary for a
    // boundary whose policy is gone; AWS refuses one from a client.
    let empty = r#"{"Version":"2012-10-17","Statement":[]}"#;
    assert!(
        parse(empty, DocumentKind::Identity)
            .unwrap()
            .statements
            .is_empty()
    );
    assert!(CompiledPolicy::from_text(empty, DocumentKind::Identity, "b").is_ok());
    let e = validate(empty, PermissionsBoundary).unwrap_err();
    assert_eq!(
        (e.rule, e.message.as_str()),
        (RuleId::Syntax, messages::SYNTAX)
    );
    assert!(
        validate_document(empty, DocumentKind::Identity)
            .iter()
            .any(|d| d.severity == Severity::Error)
    );
}

#[test]
fn errors_carry_locations() {
    let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"s3\", \"Resource\": \"*\"}\n  ]\n}";
    let e = validate(doc, Managed).unwrap_err();
    assert_eq!(
        (e.rule, e.message.as_str()),
        (RuleId::ActionVendor, messages::ACTION_VENDOR)
    );
    assert_eq!(e.location.statement, Some(1));
    assert_eq!(e.location.path, "Statement[1].Action");
    assert_eq!((e.location.line, e.location.column), (5, 35));
    let e = validate("{\n \"Statement\": [ }", RoleTrust).unwrap_err();
    assert_eq!(e.message, messages::TRUST_INVALID_JSON);
    assert_eq!(e.location.line, 2);
    let pe: PolicyError = e.clone().into();
    assert_eq!(
        (pe.code, pe.message),
        (ErrorCode::MalformedPolicyDocument, e.message)
    );
}

#[test]
fn diagnose_lists_every_problem_and_warnings() {
    // The three errors of three rules, in text order.
    let doc = st(
        r#"{"Effect":"Allow","Action":"s3","Resource":"x"},{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}"#,
    );
    let d = diagnose(&doc, Inline);
    let errors: Vec<&str> = d
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.error.message.as_str())
        .collect();
    assert_eq!(
        errors,
        [
            messages::ACTION_VENDOR,
            "Resource x must be in ARN format or \"*\".",
            messages::SID_ALNUM
        ]
    );
    // Accepted documents can still carry warnings.
    let doc = cond(
        r#"{"StringEqual":{"aws:username":"a"},"NullIfExists":{"aws:x":"true"},"StringEquals":{"aws:y":[]}}"#,
    );
    assert!(validate(&doc, Managed).is_ok());
    let d = diagnose(&doc, Managed);
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(d.iter().all(|d| d.severity == Severity::Warning));
    assert!(d[0].error.detail.contains("never matches"));
}
