//! Policy validation as IAM and STS do it: every rule in one place, in the
//! order AWS applies them, with AWS's message and where each rule comes from.
//!
//! AWS stops at the first rule a document breaks, so when a document breaks
//! several rules the message of the earliest rule in [`RULES`] wins. Inside
//! one rule the first problem in document order is reported (resource ARNs:
//! the first in sorted order within a statement, see
//! [`RuleId::ResourceFormat`]).
//!
//! Sources are either a page of the IAM User Guide ("documented") or
//! "observed": behaviour seen on AWS and recorded in public test suites that
//! run against AWS (moto's `tests/test_iam/test_iam_policies.py`, whose cases
//! were checked against IAM's `CreatePolicy`, and LocalStack's AWS-validated
//! snapshots) or in error messages users reported from AWS. Where neither
//! exists the rule says so ("unverified"), and keeps iamd's earlier behaviour.
//!
//! The kinds differ ([`PolicyKind`]): a managed policy (and a permissions
//! boundary, which is a managed policy) needs `"Version": "2012-10-17"`; an
//! inline or session policy may omit `Version` or use `2008-10-17`; identity
//! policies must not name a principal and need resources; trust and
//! resource-based policies need a principal; a trust policy takes no
//! resources and only `sts:` actions; the JSON error differs per API.

use crate::document::{
    ConditionEntry, Diagnostic, DocumentKind, Effect, ErrorCode, ListElement, Location,
    PolicyDocument, PolicyError, Position, PrincipalClass, PrincipalElement, Severity, Statement,
    Version, messages,
};
use crate::json::{self, Node, Value};
use std::fmt;

/// What a policy document is for. The validation rules differ per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// A customer managed policy: `CreatePolicy`, `CreatePolicyVersion`.
    /// `Version` must be `2012-10-17`.
    Managed,
    /// A permissions boundary. Boundaries are managed policies
    /// (`PutUserPermissionsBoundary` takes a policy ARN), so the rules are
    /// those of [`PolicyKind::Managed`].
    PermissionsBoundary,
    /// An inline policy: `PutUserPolicy`, `PutGroupPolicy`, `PutRolePolicy`.
    /// `Version` may be missing or `2008-10-17`.
    Inline,
    /// A session policy: the `Policy` parameter of `AssumeRole`,
    /// `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`,
    /// `GetFederationToken`. Identity-policy rules, STS's JSON message.
    Session,
    /// A role's trust policy: `CreateRole`, `UpdateAssumeRolePolicy`.
    RoleTrust,
    /// A resource-based policy (e.g. `SimulateCustomPolicy`'s
    /// `ResourcePolicy`, `iamd policy validate --kind resource`).
    Resource,
}

impl PolicyKind {
    /// Every kind.
    pub const ALL: [PolicyKind; 6] = [
        PolicyKind::Managed,
        PolicyKind::PermissionsBoundary,
        PolicyKind::Inline,
        PolicyKind::Session,
        PolicyKind::RoleTrust,
        PolicyKind::Resource,
    ];

    /// The document shape the evaluator sees.
    pub fn document_kind(self) -> DocumentKind {
        match self {
            PolicyKind::Managed
            | PolicyKind::PermissionsBoundary
            | PolicyKind::Inline
            | PolicyKind::Session => DocumentKind::Identity,
            PolicyKind::RoleTrust => DocumentKind::RoleTrust,
            PolicyKind::Resource => DocumentKind::Resource,
        }
    }

    /// Identity-based (attached to a principal or a session).
    pub fn is_identity(self) -> bool {
        self.document_kind() == DocumentKind::Identity
    }

    /// `Version` must be `2012-10-17`.
    pub fn requires_version(self) -> bool {
        matches!(self, PolicyKind::Managed | PolicyKind::PermissionsBoundary)
    }
}

impl From<DocumentKind> for PolicyKind {
    /// The kind [`crate::parse`] validates a [`DocumentKind`] as: an identity
    /// document is checked as an inline policy (no `Version` requirement).
    fn from(k: DocumentKind) -> PolicyKind {
        match k {
            DocumentKind::Identity => PolicyKind::Inline,
            DocumentKind::Resource => PolicyKind::Resource,
            DocumentKind::RoleTrust => PolicyKind::RoleTrust,
        }
    }
}

/// The validation rules, in the order AWS applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// The text is JSON and its top level is an object.
    Json,
    /// The document has the policy grammar's shape.
    Syntax,
    /// Trust and resource-based statements have an `Effect`.
    EffectRequired,
    /// Managed policies use `Version` `2012-10-17`.
    Version,
    /// What IAM's legacy parser refuses.
    LegacyParsing,
    /// Statement IDs are unique.
    SidUnique,
    /// Statement IDs of identity policies are alphanumeric.
    SidAlphanumeric,
    /// Identity policies name no principal.
    PrincipalForbidden,
    /// Trust and resource-based policies name a principal.
    PrincipalRequired,
    /// Principals are well formed.
    PrincipalValid,
    /// Every statement has actions.
    ActionsRequired,
    /// Resources are ARNs of a known partition, with a service, and without a
    /// region where the service's ARNs take none.
    ResourceFormat,
    /// Actions are `vendor:action`.
    ActionVendor,
    /// Trust policies allow only `sts:` actions.
    TrustActions,
    /// Trust policies name no resource.
    TrustNoResource,
    /// Identity and resource-based statements have resources.
    ResourcesRequired,
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An AWS documentation page (URL, with anchor where there is one).
    Documented(&'static str),
    /// Behaviour seen on AWS: what was observed and where it is recorded.
    Observed(&'static str),
    /// No public evidence found: iamd's earlier behaviour, kept.
    Unverified(&'static str),
}

/// One validation rule.
pub struct Rule {
    /// Its identifier (the precedence order).
    pub id: RuleId,
    /// What it checks.
    pub summary: &'static str,
    /// The policy kinds it applies to.
    pub kinds: &'static [PolicyKind],
    /// AWS's messages (`{…}` marks a part filled in from the document).
    pub messages: &'static [&'static str],
    /// Where the rule, its messages and its place in the order come from.
    pub sources: &'static [Source],
    check: fn(&Input<'_>, &mut Out),
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("summary", &self.summary)
            .field("kinds", &self.kinds)
            .field("messages", &self.messages)
            .field("sources", &self.sources)
            .finish()
    }
}

impl Rule {
    /// True when the rule applies to `kind`.
    pub fn applies_to(&self, kind: PolicyKind) -> bool {
        self.kinds.contains(&kind)
    }
}

use PolicyKind::*;

const ALL_KINDS: &[PolicyKind] = &PolicyKind::ALL;
const IDENTITY: &[PolicyKind] = &[Managed, PermissionsBoundary, Inline, Session];
const MANAGED: &[PolicyKind] = &[Managed, PermissionsBoundary];
const WITH_PRINCIPAL: &[PolicyKind] = &[RoleTrust, Resource];
const WITH_RESOURCES: &[PolicyKind] = &[Managed, PermissionsBoundary, Inline, Session, Resource];
const TRUST: &[PolicyKind] = &[RoleTrust];

const MOTO: &str =
    "moto tests/test_iam/test_iam_policies.py (cases checked against IAM CreatePolicy)";

/// Every rule, in the order AWS applies them: the first rule a document
/// breaks gives the error.
pub static RULES: &[Rule] = &[
    Rule {
        id: RuleId::Json,
        summary: "the text is JSON and its top level is an object",
        kinds: ALL_KINDS,
        messages: &[
            messages::SYNTAX,
            messages::TRUST_INVALID_JSON,
            messages::SESSION_INVALID_JSON,
        ],
        sources: &[
            Source::Observed(
                "CreatePolicy/Put*Policy: \"Syntax errors in policy.\" (moto case \"This is not a json document\"; aws-samples/amazon-ecs-firelens-examples#50, a trailing comma)",
            ),
            Source::Observed(
                "CreateRole: \"This policy contains invalid Json\" (LocalStack #8453, AWS-validated test; AWSCookbook/Security#2; brendanhay/amazonka#434)",
            ),
            Source::Observed(
                "STS session policy: \"The policy is not in the valid JSON format.\" (Apache Hadoop S3A assumed-role troubleshooting, MalformedPolicyDocumentException from AWSSecurityTokenService)",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_policies.html#morethanonepolicyblock",
            ),
        ],
        check: check_json,
    },
    Rule {
        id: RuleId::Syntax,
        summary: "only the grammar's elements, each once, with the grammar's types; Version is 2012-10-17 or 2008-10-17; Statement is a non-empty object or list; Effect is Allow or Deny in any case; Action/Resource are strings or lists of strings; Sid and Id are strings; condition values are strings, numbers or booleans (never null)",
        kinds: ALL_KINDS,
        messages: &[messages::SYNTAX, messages::LEGACY],
        sources: &[
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_policies.html#duplicateelement",
            ),
            Source::Observed(MOTO),
            Source::Observed(
                "boolean condition values accepted: getmoto/moto#9715 (tested against AWS)",
            ),
            Source::Observed(
                "an identity statement without Effect is a syntax error, not \"Missing required field Effect\" (moto)",
            ),
            Source::Observed(
                "condition keys without a vendor prefix accepted (moto: key \"a\"); unknown condition operators accepted (iamd issue 15; note that moto records {\"x\": {\"a\": \"1\"}} as a syntax error, an unknown operator only passing with an empty body)",
            ),
            Source::Unverified(
                "documents without Version (inline, session, trust): the message is \"The policy failed legacy parsing\"",
            ),
        ],
        check: check_syntax,
    },
    Rule {
        id: RuleId::EffectRequired,
        summary: "trust and resource-based statements have an Effect",
        kinds: WITH_PRINCIPAL,
        messages: &[messages::MISSING_EFFECT],
        sources: &[Source::Unverified(
            "iamd's earlier message for trust and resource policies",
        )],
        check: check_effect_required,
    },
    Rule {
        id: RuleId::Version,
        summary: "managed policies (and permissions boundaries) have Version 2012-10-17",
        kinds: MANAGED,
        messages: &[messages::VERSION_REQUIRED],
        sources: &[
            Source::Observed(
                "moto: no Version, and Version 2008-10-17, give this message from CreatePolicy; it wins over legacy parsing and duplicate Sids",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
            ),
        ],
        check: check_version,
    },
    Rule {
        id: RuleId::LegacyParsing,
        summary: "Effect spelled exactly Allow or Deny; Date condition values that parse as ISO 8601 or epoch seconds; resources with \"::\" have at least five colons and a service",
        kinds: ALL_KINDS,
        messages: &[messages::LEGACY],
        sources: &[Source::Observed(
            "moto: \"denY\", \"aLLow\", \"allow\"; DateGreaterThan \"sdfdsf\", \"234-13\", \"9223372036854775808\"; \"arn:aws:s3::example_bucket\", \"arn:aws::::example_bucket\", \"arn:aws::fdsasf\"",
        )],
        check: check_legacy,
    },
    Rule {
        id: RuleId::SidUnique,
        summary: "non-empty Sids are unique (\"Sid\": \"\" may repeat)",
        kinds: ALL_KINDS,
        messages: &[messages::SID_UNIQUE],
        sources: &[
            Source::Observed("moto: duplicate \"sdf\" rejected, repeated \"\" accepted"),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
            ),
        ],
        check: check_sid_unique,
    },
    Rule {
        id: RuleId::SidAlphanumeric,
        summary: "identity policies' Sids use only A-Z, a-z, 0-9",
        kinds: IDENTITY,
        messages: &[messages::SID_ALNUM],
        sources: &[Source::Documented(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html#policies-grammar-notes-strings",
        )],
        check: check_sid_alphanumeric,
    },
    Rule {
        id: RuleId::PrincipalForbidden,
        summary: "identity policies have no Principal or NotPrincipal",
        kinds: IDENTITY,
        messages: &[messages::NO_PRINCIPAL],
        sources: &[Source::Documented(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html#policies-grammar-notes",
        )],
        check: check_principal_forbidden,
    },
    Rule {
        id: RuleId::PrincipalRequired,
        summary: "trust and resource-based statements have Principal or NotPrincipal",
        kinds: WITH_PRINCIPAL,
        messages: &[messages::MISSING_PRINCIPAL],
        sources: &[Source::Documented(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html#policies-grammar-notes",
        )],
        check: check_principal_required,
    },
    Rule {
        id: RuleId::PrincipalValid,
        summary: "Principal is \"*\" or a non-empty map of AWS/Service/Federated/CanonicalUser to accounts, IAM/STS principal ARNs, unique IDs or \"*\"",
        kinds: WITH_PRINCIPAL,
        messages: &[
            messages::INVALID_PRINCIPAL,
            "Invalid principal in policy: \"{type}\":\"{value}\"",
        ],
        sources: &[Source::Documented(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        )],
        check: check_principal_valid,
    },
    Rule {
        id: RuleId::ActionsRequired,
        summary: "every statement has Action or NotAction, not an empty list",
        kinds: ALL_KINDS,
        messages: &[messages::MISSING_ACTIONS],
        sources: &[Source::Observed(
            "moto: {\"Effect\":\"Allow\"} and \"Action\": [] give this message, after Sid uniqueness",
        )],
        check: check_actions_required,
    },
    Rule {
        id: RuleId::ResourceFormat,
        summary: "each resource is \"*\" or partition:service:...: a known partition (or *), a service, no region for IAM and S3 bucket ARNs, an IAM resource type",
        kinds: WITH_RESOURCES,
        messages: &[
            "Resource {resource} must be in ARN format or \"*\".",
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{service}:{region}:{account}:{resource}\".",
            messages::RESOURCE_VENDOR,
            "IAM resource {resource} cannot contain region information.",
            "Resource {resource} can not contain region information.",
            messages::IAM_RESOURCE_PATH,
        ],
        sources: &[
            Source::Observed(
                "moto: every message, \"arn:aws:s33:::x\" and \"arn:aws:fdsasf\" accepted, s3 access points may carry a region; reported after missing actions and before action vendors",
            ),
            Source::Observed(
                "the IAM path message with \"root\": Terraform PutRolePolicy error quoted in public repositories (2025)",
            ),
            Source::Observed(
                "without Version the message is \"The policy failed legacy parsing\": Graylog2/graylog-plugin-aws#172 (PutRolePolicy, an account ID in an IAM ARN's region field)",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies",
            ),
        ],
        check: check_resource_format,
    },
    Rule {
        id: RuleId::ActionVendor,
        summary: "each action is \"*\" or vendor:name with one colon and a vendor of letters, digits, '-', '.' (and wildcards); the name may be anything",
        kinds: ALL_KINDS,
        messages: &[
            messages::ACTION_VENDOR,
            messages::ONE_COLON,
            "Vendor {vendor} is not valid",
        ],
        sources: &[
            Source::Observed(
                "moto: \"invalid\", NotAction \"\", \"s3:List:Bucket\", \"a a:ListBucket\"; \"iam: asdf safdsf af \" accepted; reported before missing resources",
            ),
            Source::Documented(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html#policies-grammar-notes-strings",
            ),
        ],
        check: check_action_vendor,
    },
    Rule {
        id: RuleId::TrustActions,
        summary: "trust policies' Action values are sts: actions",
        kinds: TRUST,
        messages: &[messages::TRUST_ACTIONS],
        sources: &[Source::Observed(
            "CreateRole error quoted in many public issues; iamd's earlier rule",
        )],
        check: check_trust_actions,
    },
    Rule {
        id: RuleId::TrustNoResource,
        summary: "trust policies have no Resource or NotResource",
        kinds: TRUST,
        messages: &[
            "Has prohibited field Resource",
            "Has prohibited field NotResource",
        ],
        sources: &[
            Source::Observed(
                "CreateRole: \"Has prohibited field Resource\" (error quoted in public repositories)",
            ),
            Source::Unverified("the NotResource wording"),
        ],
        check: check_trust_no_resource,
    },
    Rule {
        id: RuleId::ResourcesRequired,
        summary: "identity and resource-based statements have Resource or NotResource, not an empty list",
        kinds: WITH_RESOURCES,
        messages: &[messages::MISSING_RESOURCES],
        sources: &[Source::Observed(
            "moto: missing and empty Resource give this message, after action vendor errors ({\"Effect\":\"Allow\",\"Action\":\"invalid\"} reports the vendor)",
        )],
        check: check_resources_required,
    },
];

/// A policy AWS would refuse: the rule it breaks and AWS's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The rule.
    pub rule: RuleId,
    /// AWS's message (the `MalformedPolicyDocument` error's message).
    pub message: String,
    /// A longer explanation for humans.
    pub detail: String,
    /// Where.
    pub location: Location,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&PolicyError::from(self.clone()), f)
    }
}

impl std::error::Error for ValidationError {}

impl From<ValidationError> for PolicyError {
    fn from(e: ValidationError) -> PolicyError {
        PolicyError {
            code: ErrorCode::MalformedPolicyDocument,
            message: e.message,
            detail: e.detail,
            location: e.location,
        }
    }
}

/// Validates `text` as a policy of `kind` the way AWS does: the first rule
/// of [`RULES`] it breaks gives the error.
pub fn validate(text: &str, kind: PolicyKind) -> Result<PolicyDocument, ValidationError> {
    validate_with(text, kind, false)
}

/// [`validate`], except that an empty `Statement` list is accepted when
/// `empty_ok`: [`crate::parse`] reads documents iamd stored, and iamd stores
/// `{"Version":"2012-10-17","Statement":[]}` for a permissions boundary
/// whose policy is gone (it allows nothing). AWS refuses such a document
/// when it is written.
pub(crate) fn validate_with(
    text: &str,
    kind: PolicyKind,
    empty_ok: bool,
) -> Result<PolicyDocument, ValidationError> {
    let parsed = json::parse(text);
    let mut inp = Input::new(text, kind, &parsed);
    inp.empty_ok = empty_ok;
    let mut out = Out::new(inp.legacy);
    for rule in RULES.iter().filter(|r| r.applies_to(kind)) {
        out.rule = rule.id;
        (rule.check)(&inp, &mut out);
        if let Some(f) = out.findings.first() {
            return Err(f.to_error(text));
        }
    }
    build(&inp).ok_or_else(|| ValidationError {
        rule: RuleId::Json,
        message: json_message(kind).to_string(),
        detail: "empty document".into(),
        location: Location::default(),
    })
}

/// Every problem in a document (for `iamd policy validate`): the errors of
/// every rule, and warnings about what AWS accepts but never matches, in
/// text order.
pub fn diagnose(text: &str, kind: PolicyKind) -> Vec<Diagnostic> {
    let parsed = json::parse(text);
    let inp = Input::new(text, kind, &parsed);
    let mut out = Out::new(inp.legacy);
    for rule in RULES.iter().filter(|r| r.applies_to(kind)) {
        out.rule = rule.id;
        (rule.check)(&inp, &mut out);
    }
    warnings(&inp, &mut out);
    let mut d: Vec<Diagnostic> = out
        .findings
        .iter()
        .map(|f| Diagnostic {
            severity: Severity::Error,
            error: f.to_error(text).into(),
        })
        .chain(out.warnings.iter().map(|f| Diagnostic {
            severity: Severity::Warning,
            error: PolicyError {
                code: ErrorCode::MalformedPolicyDocument,
                message: String::new(),
                detail: f.detail.clone(),
                location: f.location(text),
            },
        }))
        .collect();
    d.sort_by_key(|d| (d.error.location.line, d.error.location.column));
    d
}

// ---------------------------------------------------------------------------
// The document as JSON, before any rule.

type Members = [(String, usize, Node)];

struct RawStmt<'a> {
    index: usize,
    path: String,
    node: &'a Node,
    members: Option<&'a Members>,
}

impl<'a> RawStmt<'a> {
    fn get(&self, name: &str) -> Option<&'a Node> {
        self.members?.iter().find(|m| m.0 == name).map(|m| &m.2)
    }
    fn st(&self) -> Option<usize> {
        Some(self.index)
    }
    fn sub(&self, name: &str) -> String {
        format!("{}.{name}", self.path)
    }
    /// `Action` or `NotAction` (whichever comes first), with its name.
    fn either(&self, a: &'static str, b: &'static str) -> Option<(&'static str, &'a Node)> {
        self.get(a)
            .map(|n| (a, n))
            .or_else(|| self.get(b).map(|n| (b, n)))
    }
}

struct Raw<'a> {
    root: &'a Node,
    members: &'a Members,
    version: Option<&'a Node>,
    statement: Option<&'a Node>,
    statements: Vec<RawStmt<'a>>,
}

struct Input<'a> {
    kind: PolicyKind,
    text: &'a str,
    parsed: &'a Result<Node, json::SyntaxError>,
    raw: Option<Raw<'a>>,
    legacy: bool,
    /// Accept an empty Statement list (stored documents, see [`validate_with`]).
    empty_ok: bool,
}

impl<'a> Input<'a> {
    fn new(text: &'a str, kind: PolicyKind, parsed: &'a Result<Node, json::SyntaxError>) -> Self {
        let raw = raw(parsed);
        // Without a Version element IAM uses its legacy parser (managed
        // policies are refused earlier, by the Version rule).
        let legacy = !kind.requires_version() && raw.as_ref().is_some_and(|r| r.version.is_none());
        Input {
            kind,
            text,
            parsed,
            raw,
            legacy,
            empty_ok: false,
        }
    }
}

fn raw(parsed: &Result<Node, json::SyntaxError>) -> Option<Raw<'_>> {
    let root = parsed.as_ref().ok()?;
    let Value::Object(members) = &root.value else {
        return None;
    };
    let get = |n: &str| members.iter().find(|m| m.0 == n).map(|m| &m.2);
    let statement = get("Statement");
    let stmt = |index: usize, path: String, node| RawStmt {
        index,
        path,
        node,
        members: match &node.value {
            Value::Object(m) => Some(m.as_slice()),
            _ => None,
        },
    };
    let statements = match statement.map(|s| (s, &s.value)) {
        Some((s, Value::Object(_))) => vec![stmt(0, "Statement".into(), s)],
        Some((_, Value::Array(items))) => items
            .iter()
            .enumerate()
            .map(|(i, n)| stmt(i, format!("Statement[{i}]"), n))
            .collect(),
        _ => Vec::new(),
    };
    Some(Raw {
        root,
        members,
        version: get("Version"),
        statement,
        statements,
    })
}

struct Finding {
    rule: RuleId,
    message: String,
    detail: String,
    path: String,
    statement: Option<usize>,
    offset: usize,
}

impl Finding {
    fn location(&self, text: &str) -> Location {
        let (line, column) = json::line_col(text, self.offset);
        Location {
            path: self.path.clone(),
            statement: self.statement,
            line,
            column,
        }
    }
    fn to_error(&self, text: &str) -> ValidationError {
        ValidationError {
            rule: self.rule,
            message: self.message.clone(),
            detail: self.detail.clone(),
            location: self.location(text),
        }
    }
}

struct Out {
    rule: RuleId,
    legacy: bool,
    findings: Vec<Finding>,
    warnings: Vec<Finding>,
}

impl Out {
    fn new(legacy: bool) -> Out {
        Out {
            rule: RuleId::Json,
            legacy,
            findings: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn fail(
        &mut self,
        message: impl Into<String>,
        detail: impl Into<String>,
        path: &str,
        statement: Option<usize>,
        offset: usize,
    ) {
        let mut message = message.into();
        // Without a Version element IAM parses with its legacy parser, which
        // reports its errors as legacy-parsing failures.
        if self.legacy && matches!(self.rule, RuleId::Syntax | RuleId::ResourceFormat) {
            message = messages::LEGACY.to_string();
        }
        self.findings.push(Finding {
            rule: self.rule,
            message,
            detail: detail.into(),
            path: path.to_string(),
            statement,
            offset,
        });
    }

    fn warn(&mut self, detail: impl Into<String>, path: &str, statement: Option<usize>, at: usize) {
        self.warnings.push(Finding {
            rule: self.rule,
            message: String::new(),
            detail: detail.into(),
            path: path.to_string(),
            statement,
            offset: at,
        });
    }
}

/// A string or a list of strings: the strings with their offsets, or the
/// offset of the first value that is not a string.
fn strings(n: &Node) -> Result<Vec<(&str, usize)>, usize> {
    match &n.value {
        Value::String(s) => Ok(vec![(s.as_str(), n.start)]),
        Value::Array(items) => items
            .iter()
            .map(|it| match &it.value {
                Value::String(s) => Ok((s.as_str(), it.start)),
                _ => Err(it.start),
            })
            .collect(),
        _ => Err(n.start),
    }
}

/// A condition value: string, number or boolean.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn json_message(kind: PolicyKind) -> &'static str {
    match kind {
        RoleTrust => messages::TRUST_INVALID_JSON,
        Session => messages::SESSION_INVALID_JSON,
        _ => messages::SYNTAX,
    }
}

// ---------------------------------------------------------------------------
// The rules.

/// [`RuleId::Json`]: the text must be JSON whose top level is an object
/// (one policy object, troubleshoot_policies.html#morethanonepolicyblock).
/// The message depends on the API (observed): IAM's policy APIs say
/// "Syntax errors in policy.", CreateRole/UpdateAssumeRolePolicy say "This
/// policy contains invalid Json", STS says "The policy is not in the valid
/// JSON format.".
fn check_json(inp: &Input<'_>, out: &mut Out) {
    let msg = json_message(inp.kind);
    match &inp.parsed {
        Err(e) => out.fail(msg, format!("invalid JSON: {}", e.what), "", None, e.offset),
        Ok(root) if !matches!(root.value, Value::Object(_)) => out.fail(
            msg,
            format!(
                "the policy must be a JSON object, found {}",
                root.value.type_name()
            ),
            "",
            None,
            root.start,
        ),
        Ok(_) => {}
    }
}

const TOP_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const V2012: &str = "2012-10-17";
const V2008: &str = "2008-10-17";

fn duplicates(members: &Members, path: &str, st: Option<usize>, out: &mut Out) {
    for (i, (name, at, _)) in members.iter().enumerate() {
        if members.iter().take(i).any(|m| m.0 == *name) {
            let p = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            out.fail(
                messages::SYNTAX,
                format!("{name} appears twice"),
                &p,
                st,
                *at,
            );
        }
    }
}

/// [`RuleId::Syntax`]: the grammar (reference_policies_grammar.html):
/// - only `Version`, `Id`, `Statement` at the top and the nine statement
///   elements, each at most once ("Individual elements must not contain
///   multiple instances of the same key", grammar notes and
///   troubleshoot_policies.html#duplicateelement) — also inside `Principal`
///   and `Condition`;
/// - `Version` is `2012-10-17` or `2008-10-17` (observed: `2013-10-17` is a
///   syntax error); `Id` and `Sid` are strings (observed: `[]`, `{}`);
/// - `Statement` is an object or a non-empty list of objects (observed:
///   `[]` and `["afd"]` are syntax errors);
/// - not both `Action` and `NotAction`, `Resource` and `NotResource`,
///   `Principal` and `NotPrincipal` (observed);
/// - `Effect` is a string equal to Allow or Deny ignoring case (observed:
///   "invalid" is a syntax error, "allow" fails legacy parsing instead); in
///   identity policies a missing Effect is a syntax error (observed);
/// - `Action`, `NotAction`, `Resource`, `NotResource` and principal values
///   are a string or a list of strings (observed: `{}`, `[[]]`, `["x", {}]`);
/// - `Condition` maps operators to maps of keys to a value or a list of
///   values (observed: `[]`, `"a"`, `{"a": "b"}`, `{"DateGreaterThan": []}`,
///   `{"DateGreaterThan": {"a": {}}}`); a value is a string, number or
///   boolean (documented: `<condition_value>`; booleans observed in
///   getmoto/moto#9715), never null or an object.
///
/// Lenient where AWS is (observed): condition keys without a vendor prefix
/// (moto's key "a") and unknown condition operators (issue 15) are
/// accepted; so are `Id` in identity policies and action names with spaces.
/// An unknown operator never matches at evaluation (not documented by AWS;
/// [`crate::CompiledPolicy`]). Conflicting evidence: moto records
/// `{"x": {"a": "1"}}` as "Syntax errors in policy." (an unknown operator
/// passing only with an empty body); should AWS be found to do that, the
/// change is one arm in [`condition_syntax`].
fn check_syntax(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    duplicates(raw.members, "", None, out);
    for (name, at, node) in raw.members {
        match name.as_str() {
            "Version" => match &node.value {
                Value::String(v) if v == V2012 || v == V2008 => {}
                _ => out.fail(
                    messages::SYNTAX,
                    "Version must be \"2012-10-17\" or \"2008-10-17\"",
                    "Version",
                    None,
                    node.start,
                ),
            },
            "Id" => {
                if !matches!(node.value, Value::String(_)) {
                    out.fail(
                        messages::SYNTAX,
                        format!("Id must be a string, found {}", node.value.type_name()),
                        "Id",
                        None,
                        node.start,
                    )
                }
            }
            n if TOP_ELEMENTS.contains(&n) => {}
            _ => out.fail(
                messages::SYNTAX,
                format!("unknown policy element {name}"),
                name,
                None,
                *at,
            ),
        }
    }
    match raw.statement.map(|s| (s, &s.value)) {
        None => out.fail(
            messages::SYNTAX,
            "missing required element Statement",
            "",
            None,
            raw.root.start,
        ),
        Some((s, Value::Array(items))) if items.is_empty() && !inp.empty_ok => out.fail(
            messages::SYNTAX,
            "the Statement list is empty",
            "Statement",
            None,
            s.start,
        ),
        Some((_, Value::Array(_) | Value::Object(_))) => {}
        Some((s, other)) => out.fail(
            messages::SYNTAX,
            format!(
                "Statement must be an object or a list of objects, found {}",
                other.type_name()
            ),
            "Statement",
            None,
            s.start,
        ),
    }
    for s in &raw.statements {
        statement_syntax(inp.kind, s, out);
    }
}

fn statement_syntax(kind: PolicyKind, s: &RawStmt<'_>, out: &mut Out) {
    let st = s.st();
    let Some(members) = s.members else {
        out.fail(
            messages::SYNTAX,
            format!(
                "a statement must be an object, found {}",
                s.node.value.type_name()
            ),
            &s.path,
            st,
            s.node.start,
        );
        return;
    };
    duplicates(members, &s.path, st, out);
    for (name, at, _) in members {
        if !STATEMENT_ELEMENTS.contains(&name.as_str()) {
            out.fail(
                messages::SYNTAX,
                format!("unknown statement element {name}"),
                &s.sub(name),
                st,
                *at,
            );
        }
    }
    for (a, b) in [
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
        ("Principal", "NotPrincipal"),
    ] {
        if let (Some(_), Some(n)) = (s.get(a), s.get(b)) {
            out.fail(
                messages::SYNTAX,
                format!("{a} and {b} cannot both appear"),
                &s.sub(b),
                st,
                n.start,
            );
        }
    }
    match s.get("Effect") {
        None if kind.is_identity() => out.fail(
            messages::SYNTAX,
            "the statement has no Effect",
            &s.path,
            st,
            s.node.start,
        ),
        None => {}
        Some(n) => match &n.value {
            Value::String(e)
                if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") => {}
            _ => out.fail(
                messages::SYNTAX,
                "Effect must be \"Allow\" or \"Deny\"",
                &s.sub("Effect"),
                st,
                n.start,
            ),
        },
    }
    if let Some(n) = s.get("Sid")
        && !matches!(n.value, Value::String(_))
    {
        out.fail(
            messages::SYNTAX,
            format!("Sid must be a string, found {}", n.value.type_name()),
            &s.sub("Sid"),
            st,
            n.start,
        );
    }
    for name in ["Action", "NotAction", "Resource", "NotResource"] {
        if let Some(n) = s.get(name)
            && let Err(at) = strings(n)
        {
            out.fail(
                messages::SYNTAX,
                format!("{name} must be a string or a list of strings"),
                &s.sub(name),
                st,
                at,
            );
        }
    }
    for name in ["Principal", "NotPrincipal"] {
        if let Some(Value::Object(m)) = s.get(name).map(|n| &n.value) {
            let path = s.sub(name);
            duplicates(m, &path, st, out);
            for (k, _, v) in m {
                if let Err(at) = strings(v) {
                    out.fail(
                        messages::SYNTAX,
                        format!("{name}.{k} must be a string or a list of strings"),
                        &format!("{path}.{k}"),
                        st,
                        at,
                    );
                }
            }
        }
    }
    if let Some(n) = s.get("Condition") {
        condition_syntax(n, &s.sub("Condition"), st, out);
    }
}

fn condition_syntax(n: &Node, path: &str, st: Option<usize>, out: &mut Out) {
    let Value::Object(ops) = &n.value else {
        out.fail(
            messages::SYNTAX,
            format!("Condition must be an object, found {}", n.value.type_name()),
            path,
            st,
            n.start,
        );
        return;
    };
    duplicates(ops, path, st, out);
    for (op, _, body) in ops {
        let opath = format!("{path}.{op}");
        let Value::Object(keys) = &body.value else {
            out.fail(
                messages::SYNTAX,
                format!("{op} must map condition keys to values"),
                &opath,
                st,
                body.start,
            );
            continue;
        };
        duplicates(keys, &opath, st, out);
        for (key, _, vals) in keys {
            let bad = match &vals.value {
                Value::Array(items) => items.iter().find(|it| scalar(&it.value).is_none()),
                v => scalar(v).is_none().then_some(vals),
            };
            if let Some(b) = bad {
                out.fail(
                    messages::SYNTAX,
                    format!(
                        "condition values are strings, numbers or booleans, found {}",
                        b.value.type_name()
                    ),
                    &format!("{opath}.{key}"),
                    st,
                    b.start,
                );
            }
        }
    }
}

/// [`RuleId::EffectRequired`]: a trust or resource-based statement without
/// `Effect` gets "Missing required field Effect" (unverified: iamd's earlier
/// message; for identity policies AWS reports a syntax error, observed).
fn check_effect_required(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in raw.statements.iter().filter(|s| s.members.is_some()) {
        if s.get("Effect").is_none() {
            out.fail(
                messages::MISSING_EFFECT,
                "the statement has no Effect",
                &s.path,
                s.st(),
                s.node.start,
            );
        }
    }
}

/// [`RuleId::Version`]: a managed policy (or a permissions boundary) with no
/// `Version`, or `"Version": "2008-10-17"`, gets "Policy document must be
/// version 2012-10-17 or greater." (observed, moto's CreatePolicy cases; it
/// wins over legacy-parsing failures and duplicate Sids). Inline, session
/// and trust policies may still use the 2008 language
/// (reference_policies_elements_version.html describes both versions).
fn check_version(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    match raw.version.map(|v| (v, &v.value)) {
        Some((_, Value::String(v))) if v == V2012 => {}
        Some((v, _)) => out.fail(
            messages::VERSION_REQUIRED,
            "managed policies must use \"Version\": \"2012-10-17\"",
            "Version",
            None,
            v.start,
        ),
        None => out.fail(
            messages::VERSION_REQUIRED,
            "managed policies must include \"Version\": \"2012-10-17\"",
            "",
            None,
            raw.root.start,
        ),
    }
}

/// Strips `ForAllValues:`/`ForAnyValue:` and `IfExists` from an operator.
fn base_operator(op: &str) -> &str {
    let op = op
        .strip_prefix("ForAnyValue:")
        .or_else(|| op.strip_prefix("ForAllValues:"))
        .unwrap_or(op);
    op.strip_suffix("IfExists").unwrap_or(op)
}

/// Python's `int()` on a policy string: surrounding white space, a sign,
/// digits (with single `_` between digits).
fn py_int(s: &str) -> Option<i128> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..)?),
        Some(b'+') => (false, t.get(1..)?),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let mut v: i128 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        v = v.checked_mul(10)?.checked_add(i128::from(c as u8 - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

fn in_range(s: &str, lo: i128, hi: i128) -> bool {
    py_int(s).is_some_and(|v| (lo..=hi).contains(&v))
}

/// What IAM's legacy parser accepts as a date condition value (observed,
/// as recorded by moto): epoch seconds in 0..=i64::MAX, or an ISO 8601
/// date-time whose fields are in range (years -292275054..=292278993, i.e.
/// Java's date range), with an optional `Z` or `+hh[:mm]` offset and up to
/// nine fractional digits.
pub(crate) fn legacy_date_ok(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if !lower.contains('t') && !v.contains('-') {
        return in_range(v, 0, i128::from(i64::MAX));
    }
    let (date, time) = lower.split_once('t').unwrap_or((lower.as_str(), ""));
    let (negative, date_body) = match date.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, date),
    };
    let parts: Vec<&str> = date_body.split('-').collect();
    let year = parts.first().copied().unwrap_or("");
    let year_ok = if negative {
        in_range(&format!("-{year}"), -292_275_054, 292_278_993)
    } else {
        in_range(year, -292_275_054, 292_278_993)
    };
    if !year_ok || parts.len() >= 4 {
        return false;
    }
    if parts.get(1).is_some_and(|m| !in_range(m, 1, 12))
        || parts.get(2).is_some_and(|d| !in_range(d, 1, 31))
    {
        return false;
    }
    let tparts: Vec<&str> = time.split(':').collect();
    if let Some(h) = tparts.first()
        && !h.is_empty()
        && !in_range(h, 0, 23)
    {
        return false;
    }
    if tparts.get(1).is_some_and(|m| !in_range(m, 0, 59)) {
        return false;
    }
    let Some(sec) = tparts.get(2) else {
        return true;
    };
    let seconds = if let Some((s, rest)) = sec.split_once('z') {
        if !rest.is_empty() {
            return false;
        }
        s
    } else if let Some((s, tz)) = sec.split_once('+') {
        let (h, m) = match tz.split_once(':') {
            Some((h, m)) => (h, Some(m)),
            None => (tz, None),
        };
        if h.len() != 2 || !in_range(h, 0, 23) {
            return false;
        }
        if m.is_some_and(|m| m.len() != 2 || !in_range(m, 0, 59)) {
            return false;
        }
        s
    } else {
        sec
    };
    let (whole, frac) = match seconds.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (seconds, None),
    };
    in_range(whole, 0, 59) && frac.is_none_or(|f| in_range(f, 0, 999_999_999))
}

/// What IAM's legacy parser accepts as a resource (observed, moto): a value
/// containing `::` needs at least five colons, and the service (third
/// colon-separated field) must not be empty.
fn legacy_resource_ok(r: &str) -> bool {
    r == "*"
        || ((r.matches(':').count() >= 5 || !r.contains("::"))
            && r.split(':').nth(2).is_some_and(|s| !s.is_empty()))
}

/// [`RuleId::LegacyParsing`]: "The policy failed legacy parsing" (observed,
/// moto), for
/// - an `Effect` that is Allow or Deny only when case is ignored ("allow",
///   "denY", "aLLow");
/// - a value of a `Date…` condition operator that is not an epoch time or
///   an ISO 8601 date-time in range ([`legacy_date_ok`]);
/// - a resource that passes [`RuleId::ResourceFormat`] but that the legacy
///   parser refuses ([`legacy_resource_ok`], e.g. `arn:aws:s3::bucket`).
///   Resources are only checked while no resource of this or an earlier
///   statement has a format error (as moto records it).
fn check_legacy(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        let st = s.st();
        if let Some(n) = s.get("Effect")
            && let Value::String(e) = &n.value
            && e != "Allow"
            && e != "Deny"
        {
            out.fail(
                messages::LEGACY,
                "Effect is spelled \"Allow\" or \"Deny\" (case-sensitive)",
                &s.sub("Effect"),
                st,
                n.start,
            );
        }
        let Some(Value::Object(ops)) = s.get("Condition").map(|n| &n.value) else {
            continue;
        };
        for (op, _, body) in ops {
            let Value::Object(keys) = &body.value else {
                continue;
            };
            if !base_operator(op).starts_with("Date") {
                continue;
            }
            for (key, _, vals) in keys {
                let items: Vec<&Node> = match &vals.value {
                    Value::Array(items) => items.iter().collect(),
                    _ => vec![vals],
                };
                for it in items {
                    if let Some(v) = scalar(&it.value)
                        && !legacy_date_ok(&v)
                    {
                        out.fail(
                            messages::LEGACY,
                            format!("{v:?} is not a date the legacy parser reads"),
                            &format!("{}.Condition.{op}.{key}", s.path),
                            st,
                            it.start,
                        );
                    }
                }
            }
        }
    }
    let mut format_error = false;
    for s in &raw.statements {
        let Some((name, n)) = s.either("Resource", "NotResource") else {
            continue;
        };
        let Ok(list) = strings(n) else { continue };
        if list.iter().any(|(r, _)| resource_error(r).is_some()) {
            format_error = true;
        }
        if format_error {
            continue;
        }
        for (r, at) in list {
            if !legacy_resource_ok(r) {
                out.fail(
                    messages::LEGACY,
                    format!("the legacy parser cannot read the resource {r:?}"),
                    &s.sub(name),
                    s.st(),
                    at,
                );
            }
        }
    }
}

/// [`RuleId::SidUnique`]: "Statement IDs (SID) in a single policy must be
/// unique." for a repeated non-empty Sid; `"Sid": ""` may repeat (observed,
/// moto). Sids are compared exactly.
fn check_sid_unique(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    let mut seen: Vec<&str> = Vec::new();
    for s in &raw.statements {
        if let Some(n) = s.get("Sid")
            && let Value::String(sid) = &n.value
        {
            if sid.is_empty() {
                continue;
            }
            if seen.contains(&sid.as_str()) {
                out.fail(
                    messages::SID_UNIQUE,
                    format!("Sid {sid:?} is used twice"),
                    &s.sub("Sid"),
                    s.st(),
                    n.start,
                );
            }
            seen.push(sid);
        }
    }
}

/// [`RuleId::SidAlphanumeric`]: "For IAM policies, basic alphanumeric
/// characters (A-Z,a-z,0-9) are the only allowed characters in the Sid
/// value" (documented, grammar notes on `sid_string`). The message is the
/// one IAM returns; its place after Sid uniqueness is unverified.
fn check_sid_alphanumeric(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        if let Some(n) = s.get("Sid")
            && let Value::String(sid) = &n.value
            && !sid.chars().all(|c| c.is_ascii_alphanumeric())
        {
            out.fail(
                messages::SID_ALNUM,
                format!("Sid {sid:?} is not alphanumeric"),
                &s.sub("Sid"),
                s.st(),
                n.start,
            );
        }
    }
}

/// [`RuleId::PrincipalForbidden`]: "The `principal_block` element ... must
/// not be included in identity-based policies" (documented, grammar notes).
/// Message: "Policy document should not specify a principal." (CreatePolicy
/// error reported widely; its place in the order is unverified).
fn check_principal_forbidden(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        if let Some((name, n)) = s.either("Principal", "NotPrincipal") {
            out.fail(
                messages::NO_PRINCIPAL,
                "identity-based policies cannot name a principal",
                &s.sub(name),
                s.st(),
                n.start,
            );
        }
    }
}

/// [`RuleId::PrincipalRequired`]: "The `principal_block` element is required
/// in resource-based policies ... and in trust policies for IAM roles"
/// (documented, grammar notes). Message "Missing required field Principal"
/// (CreateRole error reported widely).
fn check_principal_required(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in raw.statements.iter().filter(|s| s.members.is_some()) {
        if s.either("Principal", "NotPrincipal").is_none() {
            out.fail(
                messages::MISSING_PRINCIPAL,
                "trust and resource-based policies must name a Principal or NotPrincipal",
                &s.path,
                s.st(),
                s.node.start,
            );
        }
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_unique_id(s: &str) -> bool {
    (16..=128).contains(&s.len())
        && ["AIDA", "AROA", "AGPA", "AIPA"]
            .iter()
            .any(|p| s.starts_with(p))
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// True when `s` is a valid value under `"AWS"` in a Principal: `*`, an
/// account ID, a unique ID, or the ARN of an account root, IAM user or role,
/// role session or federated user, without wildcards (documented,
/// reference_policies_elements_principal.html).
pub(crate) fn valid_aws_principal(s: &str) -> bool {
    if s == "*" || is_account(s) || is_unique_id(s) {
        return true;
    }
    if s.contains('*') || s.contains('?') {
        return false;
    }
    let p = crate::wildcard::arn_parts(s);
    if p[0] != "arn" || !PARTITIONS.contains(&p[1]) || !p[3].is_empty() || !is_account(p[4]) {
        return false;
    }
    let res = p[5];
    match p[2] {
        "iam" => {
            res == "root"
                || res.strip_prefix("user/").is_some_and(|r| !r.is_empty())
                || res.strip_prefix("role/").is_some_and(|r| !r.is_empty())
        }
        "sts" => {
            res.strip_prefix("assumed-role/")
                .is_some_and(|r| r.split('/').count() >= 2 && !r.ends_with('/'))
                || res
                    .strip_prefix("federated-user/")
                    .is_some_and(|r| !r.is_empty())
        }
        _ => false,
    }
}

fn principal_class(name: &str) -> Option<PrincipalClass> {
    match name {
        "AWS" => Some(PrincipalClass::Aws),
        "Service" => Some(PrincipalClass::Service),
        "Federated" => Some(PrincipalClass::Federated),
        "CanonicalUser" => Some(PrincipalClass::CanonicalUser),
        _ => None,
    }
}

fn principal_value_ok(class: PrincipalClass, v: &str) -> bool {
    match class {
        PrincipalClass::Aws => valid_aws_principal(v),
        _ => !v.is_empty() && (v == "*" || !v.contains('*')),
    }
}

/// [`RuleId::PrincipalValid`]: `Principal` is `"*"` or a non-empty map whose
/// keys are AWS, Service, Federated or CanonicalUser; AWS values are account
/// IDs, IAM/STS principal ARNs, unique IDs or `*`; `*` cannot stand for part
/// of a name (documented, reference_policies_elements_principal.html and
/// grammar notes on `principal_id_string`). Message
/// `Invalid principal in policy: "AWS":"…"` (IAM's, reported widely).
fn check_principal_valid(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        let Some((name, n)) = s.either("Principal", "NotPrincipal") else {
            continue;
        };
        let path = s.sub(name);
        let st = s.st();
        match &n.value {
            Value::String(v) if v == "*" => {}
            Value::Object(m) if m.is_empty() => out.fail(
                messages::INVALID_PRINCIPAL,
                "the principal block is empty",
                &path,
                st,
                n.start,
            ),
            Value::Object(m) => {
                for (key, at, v) in m {
                    let Some(class) = principal_class(key) else {
                        out.fail(
                            messages::INVALID_PRINCIPAL,
                            format!("unknown principal type {key}"),
                            &format!("{path}.{key}"),
                            st,
                            *at,
                        );
                        continue;
                    };
                    let Ok(list) = strings(v) else { continue };
                    for (val, vat) in list {
                        if !principal_value_ok(class, val) {
                            out.fail(
                                format!("{}: \"{}\":\"{}\"", messages::INVALID_PRINCIPAL, key, val),
                                "not an account ID, IAM/STS principal ARN, unique ID or \"*\"",
                                &format!("{path}.{key}"),
                                st,
                                vat,
                            );
                        }
                    }
                }
            }
            other => out.fail(
                messages::INVALID_PRINCIPAL,
                format!(
                    "{name} must be \"*\" or an object, found {}",
                    other.type_name()
                ),
                &path,
                st,
                n.start,
            ),
        }
    }
}

/// [`RuleId::ActionsRequired`]: "Policy statement must contain actions." for
/// a statement without `Action`/`NotAction` or with an empty list
/// (observed, moto; reported after duplicate Sids).
fn check_actions_required(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in raw.statements.iter().filter(|s| s.members.is_some()) {
        match s.either("Action", "NotAction") {
            None => out.fail(
                messages::MISSING_ACTIONS,
                "the statement has neither Action nor NotAction",
                &s.path,
                s.st(),
                s.node.start,
            ),
            Some((name, n)) => {
                if matches!(&n.value, Value::Array(a) if a.is_empty()) {
                    out.fail(
                        messages::MISSING_ACTIONS,
                        format!("the {name} list is empty"),
                        &s.sub(name),
                        s.st(),
                        n.start,
                    );
                }
            }
        }
    }
}

/// Partitions a resource ARN may name (documented, reference-arns.html:
/// `aws`, `aws-cn`, `aws-us-gov`; the isolated partitions as the AWS SDKs
/// list them). `*` is accepted too: "You can include a wildcard character
/// (*) in any field of the ARN" (documented,
/// troubleshoot_policies.html#troubleshoot_policies-resource-arn).
pub(crate) const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// IAM resource types (documented, reference_identifiers.html#identifiers-arns;
/// the list is the one in IAM's error message, observed), and `role-template/`,
/// which the message does not list but AWS's own managed policies name
/// (`arn:aws:iam::aws:role-template/…` in AWSCloudWatchOmniServiceRolePolicy
/// and AWSObservabilityAdminTelemetryEnablementServiceRolePolicy, moto 5.2.5's
/// copy of `ListPolicies(Scope=AWS)`): every AWS managed policy must compile.
const IAM_RESOURCE_TYPES: &[&str] = &[
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
    "role-template/",
];

/// S3 resource types whose ARNs carry a region (documented, Service
/// Authorization Reference for Amazon S3: access points, batch jobs, Storage
/// Lens configurations and groups, Access Grants). Access points observed
/// (moto).
const S3_REGIONAL_TYPES: &[&str] = &[
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "access-grants/",
];

/// AWS's message for a resource that fails [`RuleId::ResourceFormat`].
///
/// The fields are cut as IAM cuts them (observed, moto): the text before
/// the first colon is ignored (it is not checked to be `arn`), the partition
/// follows, then the service; the partition message rebuilds the ARN with
/// `*` for missing fields. IAM and S3 are the services whose ARNs take no
/// region (S3's regional resource types excepted); the region field is
/// what follows the service's colon, so `arn:aws:s3` also "contains region
/// information".
pub(crate) fn resource_error(r: &str) -> Option<String> {
    if r == "*" {
        return None;
    }
    let Some((_, rest)) = r.split_once(':') else {
        return Some(format!("Resource {r} must be in ARN format or \"*\"."));
    };
    let (partition, after_partition) = match rest.split_once(':') {
        Some((p, a)) => (p, Some(a)),
        None => (rest, None),
    };
    if partition != "*" && !PARTITIONS.contains(&partition) {
        let remaining: Vec<&str> = after_partition.unwrap_or("").split(':').collect();
        let field = |i: usize| remaining.get(i).copied().unwrap_or("*");
        let first = if remaining.len() == 1 && field(0).is_empty() {
            "*"
        } else {
            field(0)
        };
        let last = if remaining.len() > 3 {
            remaining.get(3..).map(|t| t.join(":")).unwrap_or_default()
        } else {
            "*".to_string()
        };
        return Some(format!(
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{first}:{}:{}:{last}\".",
            field(1),
            field(2)
        ));
    }
    let Some(after_partition) = after_partition else {
        return Some(messages::RESOURCE_VENDOR.to_string());
    };
    let (service, after_service) = after_partition
        .split_once(':')
        .unwrap_or((after_partition, ""));
    let has_region = !after_service.starts_with(':');
    let resource_id = after_service
        .split_once(':')
        .and_then(|(_, a)| a.split_once(':'))
        .map(|(_, r)| r)
        .unwrap_or("");
    match service {
        "iam" if has_region => Some(format!(
            "IAM resource {r} cannot contain region information."
        )),
        "s3" if has_region && !S3_REGIONAL_TYPES.iter().any(|t| resource_id.starts_with(t)) => {
            Some(format!("Resource {r} can not contain region information."))
        }
        "iam"
            if !(resource_id == "*"
                || resource_id == "root"
                || IAM_RESOURCE_TYPES
                    .iter()
                    .any(|t| resource_id.starts_with(t))) =>
        {
            Some(messages::IAM_RESOURCE_PATH.to_string())
        }
        _ => None,
    }
}

/// [`RuleId::ResourceFormat`]: the messages of [`resource_error`], for the
/// first bad resource (observed, moto: "invalid resource", "",
/// "a:bsdfdsafsad", "aws:s3:::example_bucket", "arn:error:s3:::…",
/// "arn:aws", "arn:aws:iam:::example_bucket", "arn:aws:iam:us-east-1::…",
/// "arn:aws:s3:us-east-1::…"). Within a statement's list the first bad
/// resource in sorted order is reported (observed, moto's two-resource
/// case). Reported after missing actions and before action vendor errors
/// (observed, moto: `"s:3:ListBucket"` with `"sdfsadf"` reports the
/// resource).
fn check_resource_format(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        let Some((name, n)) = s.either("Resource", "NotResource") else {
            continue;
        };
        let Ok(mut list) = strings(n) else { continue };
        list.sort();
        for (r, at) in list {
            if let Some(msg) = resource_error(r) {
                out.fail(
                    msg,
                    "a resource is \"*\" or an ARN arn:partition:service:region:account:resource",
                    &s.sub(name),
                    s.st(),
                    at,
                );
            }
        }
    }
}

/// AWS's message for an action that fails [`RuleId::ActionVendor`].
pub(crate) fn action_error(a: &str) -> Option<String> {
    if a == "*" {
        return None;
    }
    let mut parts = a.split(':');
    let vendor = parts.next().unwrap_or("");
    match parts.count() {
        0 => Some(messages::ACTION_VENDOR.to_string()),
        1 => {
            let ok = vendor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '*' | '?'));
            (!ok).then(|| format!("Vendor {vendor} is not valid"))
        }
        _ => Some(messages::ONE_COLON.to_string()),
    }
}

/// [`RuleId::ActionVendor`]: an action is `*` or `vendor:name` (documented,
/// grammar notes on `action_string`): no colon gives "Actions/Conditions
/// must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", two colons
/// "Actions/Condition can contain only one colon.", a vendor with other
/// characters than letters, digits, `-` and `.` "Vendor {vendor} is not
/// valid" (observed, moto). The action name is not checked (observed:
/// "iam: asdf safdsf af " is accepted), nor is the vendor known. iamd also
/// lets wildcards stand in the vendor (`code*:*`), as the IAM console
/// writes them (documented,
/// troubleshoot_policies.html#troubleshoot_policies-multiple-services).
fn check_action_vendor(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        let Some((name, n)) = s.either("Action", "NotAction") else {
            continue;
        };
        let Ok(list) = strings(n) else { continue };
        for (a, at) in list {
            if let Some(msg) = action_error(a) {
                out.fail(
                    msg,
                    format!("action {a:?} is not of the form service:action"),
                    &s.sub(name),
                    s.st(),
                    at,
                );
            }
        }
    }
}

/// [`RuleId::TrustActions`]: a trust policy's `Action` values are `sts:`
/// actions ("AssumeRole policy may only specify STS AssumeRole actions.",
/// CreateRole's error, reported widely). `NotAction` is not checked.
fn check_trust_actions(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        let Some(n) = s.get("Action") else { continue };
        let Ok(list) = strings(n) else { continue };
        for (a, at) in list {
            let sts = a
                .split_once(':')
                .is_some_and(|(v, _)| v.eq_ignore_ascii_case("sts"));
            if !sts {
                out.fail(
                    messages::TRUST_ACTIONS,
                    format!("action {a:?} is not an sts: action"),
                    &s.sub("Action"),
                    s.st(),
                    at,
                );
            }
        }
    }
}

/// [`RuleId::TrustNoResource`]: a trust policy applies to its role and
/// takes no `Resource` ("Has prohibited field Resource", CreateRole's error
/// quoted publicly; the NotResource wording is unverified).
fn check_trust_no_resource(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        if let Some((name, n)) = s.either("Resource", "NotResource") {
            out.fail(
                format!("Has prohibited field {name}"),
                "trust policies apply to the role itself and take no Resource",
                &s.sub(name),
                s.st(),
                n.start,
            );
        }
    }
}

/// [`RuleId::ResourcesRequired`]: "Policy statement must contain resources."
/// for an identity or resource-based statement without `Resource`/
/// `NotResource` or with an empty list (observed, moto; it is the last
/// check: action vendor errors are reported first).
fn check_resources_required(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in raw.statements.iter().filter(|s| s.members.is_some()) {
        match s.either("Resource", "NotResource") {
            None => out.fail(
                messages::MISSING_RESOURCES,
                "the statement has neither Resource nor NotResource",
                &s.path,
                s.st(),
                s.node.start,
            ),
            Some((name, n)) => {
                if matches!(&n.value, Value::Array(a) if a.is_empty()) {
                    out.fail(
                        messages::MISSING_RESOURCES,
                        format!("the {name} list is empty"),
                        &s.sub(name),
                        s.st(),
                        n.start,
                    );
                }
            }
        }
    }
}

/// What AWS accepts but is probably not what was meant.
fn warnings(inp: &Input<'_>, out: &mut Out) {
    let Some(raw) = &inp.raw else { return };
    for s in &raw.statements {
        let st = s.st();
        let Some(Value::Object(ops)) = s.get("Condition").map(|n| &n.value) else {
            continue;
        };
        for (op, at, body) in ops {
            let opath = format!("{}.Condition.{op}", s.path);
            match crate::condition::Operator::parse(op) {
                None => out.warn(
                    format!("unknown condition operator {op}: AWS accepts it, and the condition never matches"),
                    &opath,
                    st,
                    *at,
                ),
                Some(p) if p.kind == crate::condition::OpKind::Null && p.if_exists => out.warn(
                    "NullIfExists: IfExists has no effect on Null",
                    &opath,
                    st,
                    *at,
                ),
                Some(_) => {}
            }
            let Value::Object(keys) = &body.value else {
                continue;
            };
            for (i, (key, kat, vals)) in keys.iter().enumerate() {
                let kpath = format!("{opath}.{key}");
                if keys
                    .iter()
                    .take(i)
                    .any(|k| k.0 != *key && k.0.eq_ignore_ascii_case(key))
                {
                    out.warn(
                        format!("condition key {key} appears twice under {op} (keys ignore case); the last one is used"),
                        &kpath,
                        st,
                        *kat,
                    );
                }
                if matches!(&vals.value, Value::Array(a) if a.is_empty()) {
                    out.warn(
                        "empty value list: this condition never matches",
                        &kpath,
                        st,
                        vals.start,
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The typed document, once every rule passed.

fn list_element(s: &RawStmt<'_>, a: &'static str, b: &'static str) -> Option<ListElement> {
    let (name, n) = s.either(a, b)?;
    let values = strings(n).ok()?;
    Some(ListElement {
        negated: name == b,
        values: values.into_iter().map(|(v, _)| v.to_string()).collect(),
    })
}

fn principal(s: &RawStmt<'_>) -> Option<PrincipalElement> {
    let (name, n) = s.either("Principal", "NotPrincipal")?;
    let mut el = PrincipalElement {
        negated: name == "NotPrincipal",
        any: false,
        entries: Vec::new(),
    };
    match &n.value {
        Value::String(v) if v == "*" => el.any = true,
        Value::Object(m) => {
            for (key, _, v) in m {
                let class = principal_class(key)?;
                for (val, _) in strings(v).ok()? {
                    el.entries.push((class, val.to_string()));
                }
            }
        }
        _ => return None,
    }
    Some(el)
}

fn conditions(s: &RawStmt<'_>) -> Vec<ConditionEntry> {
    let mut out: Vec<ConditionEntry> = Vec::new();
    let Some(Value::Object(ops)) = s.get("Condition").map(|n| &n.value) else {
        return out;
    };
    for (op, _, body) in ops {
        let Value::Object(keys) = &body.value else {
            continue;
        };
        for (key, _, vals) in keys {
            // Condition keys ignore case: of two spellings the last is used.
            out.retain(|e| !(e.operator == *op && e.key.eq_ignore_ascii_case(key)));
            let values = match &vals.value {
                Value::Array(items) => items.iter().filter_map(|i| scalar(&i.value)).collect(),
                v => scalar(v).into_iter().collect(),
            };
            out.push(ConditionEntry {
                operator: op.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    out
}

fn build(inp: &Input<'_>) -> Option<PolicyDocument> {
    let raw = inp.raw.as_ref()?;
    let text = inp.text;
    let pos = |at: usize| {
        let (line, column) = json::line_col(text, at);
        Position { line, column }
    };
    let version = match raw.version.map(|v| &v.value) {
        Some(Value::String(v)) if v == V2012 => Version::V2012_10_17,
        Some(Value::String(v)) if v == V2008 => Version::V2008_10_17,
        _ => Version::Missing,
    };
    let id = raw
        .members
        .iter()
        .find(|m| m.0 == "Id")
        .and_then(|m| match &m.2.value {
            Value::String(s) => Some(s.clone()),
            _ => None,
        });
    let kind = inp.kind.document_kind();
    let mut statements = Vec::with_capacity(raw.statements.len());
    for s in &raw.statements {
        let effect = match s.get("Effect").map(|n| &n.value) {
            Some(Value::String(e)) if e == "Allow" => Effect::Allow,
            Some(Value::String(e)) if e == "Deny" => Effect::Deny,
            _ => return None,
        };
        statements.push(Statement {
            sid: s.get("Sid").and_then(|n| match &n.value {
                Value::String(v) => Some(v.clone()),
                _ => None,
            }),
            effect,
            principal: if kind == DocumentKind::Identity {
                None
            } else {
                Some(principal(s)?)
            },
            action: list_element(s, "Action", "NotAction")?,
            resource: if kind == DocumentKind::RoleTrust {
                None
            } else {
                Some(list_element(s, "Resource", "NotResource")?)
            },
            conditions: conditions(s),
            start: pos(s.node.start),
            end: pos(s.node.end),
        });
    }
    Some(PolicyDocument {
        version,
        id,
        statements,
        kind,
    })
}
