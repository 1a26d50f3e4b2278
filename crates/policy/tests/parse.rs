#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Parsing and validation, from the IAM JSON policy elements reference and
//! the `MalformedPolicyDocument` messages IAM returns.
use iamd_policy::*;

const I: DocumentKind = DocumentKind::Identity;
const R: DocumentKind = DocumentKind::Resource;
const T: DocumentKind = DocumentKind::RoleTrust;

fn st(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#)
}

/// (rule, kind, document, expected: Ok(()) or the error message prefix)
fn cases() -> Vec<(&'static str, DocumentKind, String, Result<(), &'static str>)> {
    let ok = Ok(());
    vec![
        ("minimal identity policy", I, st(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#), ok),
        ("Statement may be a single object", I, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), ok),
        ("Version 2008-10-17 accepted", I, r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), ok),
        ("Id element accepted", I, r#"{"Version":"2012-10-17","Id":"x-1","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), ok),
        ("Action list", I, st(r#"{"Effect":"Allow","Action":["s3:GetObject","iam:Get*"],"Resource":"*"}"#), ok),
        ("NotAction", I, st(r#"{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}"#), ok),
        ("NotResource", I, st(r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}"#), ok),
        ("Action * alone", I, st(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#), ok),
        ("Sid alphanumeric", I, st(r#"{"Sid":"Stmt1","Effect":"Allow","Action":"s3:*","Resource":"*"}"#), ok),
        ("Condition with several operators", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}}"#), ok),
        ("Condition value list", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":["a","b"]}}}"#), ok),
        ("resource policy with Principal *", R, st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#), ok),
        ("resource policy with AWS account", R, st(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#), ok),
        ("resource policy with user/role/session ARNs", R, st(r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/a","arn:aws:iam::111122223333:role/p/r","arn:aws:sts::111122223333:assumed-role/r/s","arn:aws:iam::111122223333:root","arn:aws:sts::111122223333:federated-user/f"]},"Action":"s3:*","Resource":"*"}"#), ok),
        ("resource policy with unique ID", R, st(r#"{"Effect":"Allow","Principal":{"AWS":"AIDACKCEVSQ6C2EXAMPLE"},"Action":"s3:*","Resource":"*"}"#), ok),
        ("resource policy with Service principal", R, st(r#"{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"s3:*","Resource":"*"}"#), ok),
        ("resource policy with CanonicalUser", R, st(r#"{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:*","Resource":"*"}"#), ok),
        ("resource policy NotPrincipal", R, st(r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/a"},"Action":"s3:*","Resource":"*"}"#), ok),
        ("resource policy Sid may contain spaces", R, st(r#"{"Sid":"Allow read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#), ok),
        ("trust policy", T, st(r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#), ok),
        ("trust policy web identity", T, st(r#"{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:x"}}}"#), ok),
        ("trust policy sts:TagSession", T, st(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}"#), ok),
        ("trust policy sts wildcard", T, st(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:*"}"#), ok),
        // --- errors ---
        ("invalid JSON", I, "{".into(), Err(messages::SYNTAX)),
        ("trailing garbage", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#) + "x", Err(messages::SYNTAX)),
        ("top level must be an object", I, "[]".into(), Err(messages::SYNTAX)),
        ("Statement required", I, r#"{"Version":"2012-10-17"}"#.into(), Err(messages::SYNTAX)),
        ("unknown top-level element", I, r#"{"Version":"2012-10-17","Foo":1,"Statement":[]}"#.into(), Err(messages::SYNTAX)),
        ("unknown Version", I, r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), Err(messages::SYNTAX)),
        ("Version must be a string", I, r#"{"Version":2012,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.into(), Err(messages::SYNTAX)),
        ("Statement must be object or array", I, r#"{"Version":"2012-10-17","Statement":"x"}"#.into(), Err(messages::SYNTAX)),
        ("statement must be an object", I, st(r#""x""#), Err(messages::SYNTAX)),
        ("unknown statement element", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}"#), Err(messages::SYNTAX)),
        ("element names are case-sensitive", I, st(r#"{"effect":"Allow","Action":"s3:*","Resource":"*"}"#), Err(messages::SYNTAX)),
        // Effect ignores case for the grammar, and the legacy parser then wants Allow/Deny exactly.
        ("Effect values are case-sensitive", I, st(r#"{"Effect":"allow","Action":"s3:*","Resource":"*"}"#), Err(messages::LEGACY)),
        ("Effect other than Allow/Deny", I, st(r#"{"Effect":"Permit","Action":"s3:*","Resource":"*"}"#), Err(messages::SYNTAX)),
        ("Effect is required (identity: a syntax error)", I, st(r#"{"Action":"s3:*","Resource":"*"}"#), Err(messages::SYNTAX)),
        ("Effect is required (trust)", T, st(r#"{"Principal":"*","Action":"sts:AssumeRole"}"#), Err(messages::MISSING_EFFECT)),
        ("Action is required", I, st(r#"{"Effect":"Allow","Resource":"*"}"#), Err(messages::MISSING_ACTIONS)),
        ("empty Action list", I, st(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#), Err(messages::MISSING_ACTIONS)),
        ("Resource is required in identity policies", I, st(r#"{"Effect":"Allow","Action":"s3:*"}"#), Err(messages::MISSING_RESOURCES)),
        ("Resource is required in resource policies", R, st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*"}"#), Err(messages::MISSING_RESOURCES)),
        ("Action and NotAction together", I, st(r#"{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}"#), Err(messages::SYNTAX)),
        ("Resource and NotResource together", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}"#), Err(messages::SYNTAX)),
        ("action without vendor", I, st(r#"{"Effect":"Allow","Action":"GetObject","Resource":"*"}"#), Err(messages::ACTION_VENDOR)),
        ("action with two colons", I, st(r#"{"Effect":"Allow","Action":"ec2:ec2:Run","Resource":"*"}"#), Err(messages::ONE_COLON)),
        // IAM checks only the vendor of an action.
        ("action with empty name", I, st(r#"{"Effect":"Allow","Action":"s3:","Resource":"*"}"#), ok),
        ("action with space", I, st(r#"{"Effect":"Allow","Action":"s3:Get Object","Resource":"*"}"#), ok),
        ("vendor with space", I, st(r#"{"Effect":"Allow","Action":"s 3:GetObject","Resource":"*"}"#), Err("Vendor s 3 is not valid")),
        ("Action must be string(s)", I, st(r#"{"Effect":"Allow","Action":5,"Resource":"*"}"#), Err(messages::SYNTAX)),
        ("Action list of strings", I, st(r#"{"Effect":"Allow","Action":["s3:*",1],"Resource":"*"}"#), Err(messages::SYNTAX)),
        ("Resource not an ARN", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}"#), Err("Resource bucket must be in ARN format")),
        ("Resource ARN without service", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws"}"#), Err(messages::RESOURCE_VENDOR)),
        ("Resource ARN too short for S3", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3"}"#), Err("Resource arn:aws:s3 can not contain region information.")),
        ("identity policy must not name a Principal", I, st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#), Err(messages::NO_PRINCIPAL)),
        ("identity policy must not name a NotPrincipal", I, st(r#"{"Effect":"Allow","NotPrincipal":"*","Action":"s3:*","Resource":"*"}"#), Err(messages::NO_PRINCIPAL)),
        ("resource policy needs a Principal", R, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#), Err(messages::MISSING_PRINCIPAL)),
        ("trust policy needs a Principal", T, st(r#"{"Effect":"Allow","Action":"sts:AssumeRole"}"#), Err(messages::MISSING_PRINCIPAL)),
        ("Principal and NotPrincipal together", R, st(r#"{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:*","Resource":"*"}"#), Err(messages::SYNTAX)),
        ("invalid AWS principal", R, st(r#"{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"*"}"#), Err("Invalid principal in policy: \"AWS\":\"bob\"")),
        ("principal ARN with wildcard", R, st(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}"#), Err(messages::INVALID_PRINCIPAL)),
        ("principal ARN of a non-IAM service", R, st(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::bucket"},"Action":"s3:*","Resource":"*"}"#), Err(messages::INVALID_PRINCIPAL)),
        ("11-digit account", R, st(r#"{"Effect":"Allow","Principal":{"AWS":"11112222333"},"Action":"s3:*","Resource":"*"}"#), Err(messages::INVALID_PRINCIPAL)),
        ("unknown principal type", R, st(r#"{"Effect":"Allow","Principal":{"Users":"x"},"Action":"s3:*","Resource":"*"}"#), Err(messages::INVALID_PRINCIPAL)),
        ("Principal must be * or object", R, st(r#"{"Effect":"Allow","Principal":"bob","Action":"s3:*","Resource":"*"}"#), Err(messages::INVALID_PRINCIPAL)),
        ("empty Principal object", R, st(r#"{"Effect":"Allow","Principal":{},"Action":"s3:*","Resource":"*"}"#), Err(messages::INVALID_PRINCIPAL)),
        ("trust policy forbids Resource", T, st(r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}"#), Err("Has prohibited field Resource")),
        ("trust policy forbids NotResource", T, st(r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}"#), Err("Has prohibited field NotResource")),
        ("trust policy only sts actions", T, st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}"#), Err(messages::TRUST_ACTIONS)),
        ("trust policy Action *", T, st(r#"{"Effect":"Allow","Principal":"*","Action":"*"}"#), Err(messages::TRUST_ACTIONS)),
        ("duplicate Sid", I, st(r#"{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}"#), Err(messages::SID_UNIQUE)),
        ("Sid must be alphanumeric in IAM policies", I, st(r#"{"Sid":"my sid","Effect":"Allow","Action":"s3:*","Resource":"*"}"#), Err(messages::SID_ALNUM)),
        ("Sid must be a string", I, st(r#"{"Sid":1,"Effect":"Allow","Action":"s3:*","Resource":"*"}"#), Err(messages::SYNTAX)),
        // AWS accepts unknown condition operators (the condition never matches) and keys without a vendor.
        ("unknown condition operator", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}"#), ok),
        ("operator in the wrong case", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"stringequals":{"aws:username":"a"}}}"#), ok),
        ("unknown set qualifier", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:username":"a"}}}"#), ok),
        ("condition key without vendor", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}"#), ok),
        ("condition key with two colons", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:a:b":"a"}}}"#), ok),
        // Web identity providers' keys are prefixed by the provider's host (and port, path).
        ("OIDC key with host and port", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"127.0.0.1:8443:aud":"a"}}}"#), Ok(())),
        ("EKS OIDC key with a path", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"a"}}}"#), Ok(())),
        ("well-known provider key", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"accounts.google.com:aud":"a"}}}"#), Ok(())),
        ("tag key after / may contain colons", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/a:b":"a"}}}"#), ok),
        ("Condition must be an object", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":[]}"#), Err(messages::SYNTAX)),
        ("condition body must be an object", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":"a"}}"#), Err(messages::SYNTAX)),
        ("condition value must be scalar", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}"#), Err(messages::SYNTAX)),
        ("condition value null", I, st(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":null}}}"#), Err(messages::SYNTAX)),
        ("without Version, syntax errors are legacy-parser errors", I, r#"{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}"#.into(), Err(messages::LEGACY)),
        ("duplicate element", I, st(r#"{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}"#), Err(messages::SYNTAX)),
    ]
}

#[test]
fn parse_table() {
    let mut failures = Vec::new();
    let all = cases();
    for (rule, kind, doc, expect) in &all {
        let got = parse(doc, *kind);
        match (got, expect) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(prefix)) if e.message.starts_with(prefix) => {}
            (got, _) => failures.push(format!("{rule}: got {got:?}, expected {expect:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(all.len() >= 70);
}

#[test]
fn error_locations_point_at_the_problem() {
    let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"s3\", \"Resource\": \"*\"}\n  ]\n}";
    let e = parse(doc, DocumentKind::Identity).unwrap_err();
    assert_eq!(e.message, messages::ACTION_VENDOR);
    assert_eq!(e.location.statement, Some(1));
    assert_eq!(e.location.path, "Statement[1].Action");
    assert_eq!((e.location.line, e.location.column), (5, 35));
    let bad_json = "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [ }";
    let e = parse(bad_json, DocumentKind::Identity).unwrap_err();
    assert_eq!(e.message, messages::SYNTAX);
    assert_eq!(e.location.line, 3);
}

#[test]
fn validate_reports_every_problem() {
    let doc = st(
        r#"{"Effect":"Allow","Action":"s3","Resource":"x"},{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}"#,
    );
    let d = validate_document(&doc, DocumentKind::Identity);
    let errors: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 3, "{d:#?}");
    // Warnings do not fail validation.
    let doc = st(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"aws:x":"true"}}}"#,
    );
    let d = validate_document(&doc, DocumentKind::Identity);
    assert!(d.iter().all(|d| d.severity == Severity::Warning) && !d.is_empty());
    assert!(parse(&doc, DocumentKind::Identity).is_ok());
}

#[test]
fn size_excludes_whitespace() {
    // IAM quotas: "IAM doesn't count white space when calculating the size".
    let compact =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let pretty = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:*\",\n    \"Resource\": \"*\"\n  }\n}\n";
    assert_eq!(policy_size(compact), compact.len());
    assert_eq!(policy_size(pretty), policy_size(compact));
    assert_eq!(policy_size("é x"), 2);
    assert_eq!(
        [
            limits::MANAGED_POLICY,
            limits::USER_INLINE,
            limits::ROLE_INLINE,
            limits::GROUP_INLINE
        ],
        [6144, 2048, 10240, 5120]
    );
    assert_eq!(invalid_character("abc\u{263a}"), Some(3));
    assert_eq!(invalid_character("abc é\t\n"), None);
}

#[test]
fn parsed_document_shape() {
    let doc = parse(&st(r#"{"Sid":"S1","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":false}}}"#), DocumentKind::Identity).unwrap();
    assert_eq!(doc.version, Version::V2012_10_17);
    let s = &doc.statements[0];
    assert_eq!(s.sid.as_deref(), Some("S1"));
    assert_eq!(s.effect, Effect::Deny);
    assert!(s.action.negated && s.resource.as_ref().unwrap().negated);
    assert_eq!(s.conditions[0].values, vec!["false".to_string()]);
    let doc = parse(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        DocumentKind::Identity,
    )
    .unwrap();
    assert_eq!(doc.version, Version::Missing);
}
