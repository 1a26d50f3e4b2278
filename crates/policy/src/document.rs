//! Policy documents: parsing and validation with AWS's `MalformedPolicyDocument`
//! messages and precise locations.

use crate::json::{self, Node, Value};
use std::fmt;

/// What a policy document is used for; the rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Attached to a user, group or role, a permissions boundary, or a session
    /// policy: `Principal`/`NotPrincipal` are forbidden, `Resource` required.
    Identity,
    /// Attached to a resource: `Principal`/`NotPrincipal` and `Resource` required.
    Resource,
    /// A role's trust policy (resource-based rules, no `Resource`, only `sts:` actions).
    RoleTrust,
}

/// The `Version` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17`: `${...}` is literal text.
    V2008_10_17,
    /// No `Version` element (AWS treats it as 2008-10-17).
    Missing,
}

impl Version {
    /// True when `${...}` are policy variables.
    pub fn has_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Forbids; wins over any Allow.
    Deny,
}

/// The kind of principal named under `Principal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalClass {
    /// `"AWS"`: accounts, users, roles, sessions, unique IDs.
    Aws,
    /// `"Service"`: AWS service principals.
    Service,
    /// `"Federated"`: identity providers.
    Federated,
    /// `"CanonicalUser"`.
    CanonicalUser,
}

impl PrincipalClass {
    fn name(self) -> &'static str {
        match self {
            PrincipalClass::Aws => "AWS",
            PrincipalClass::Service => "Service",
            PrincipalClass::Federated => "Federated",
            PrincipalClass::CanonicalUser => "CanonicalUser",
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalElement {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// `"Principal": "*"`.
    pub any: bool,
    /// The named principals.
    pub entries: Vec<(PrincipalClass, String)>,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElement {
    /// True for the `Not...` form.
    pub negated: bool,
    /// The patterns as written.
    pub values: Vec<String>,
}

/// One `operator: { key: values }` pair of a `Condition` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionEntry {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The values, as strings (`true`, `10` for JSON booleans and numbers).
    pub values: Vec<String>,
}

/// A 1-based line and column in the policy text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// Line, from 1.
    #[serde(rename = "Line")]
    pub line: usize,
    /// Column in characters, from 1.
    #[serde(rename = "Column")]
    pub column: usize,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` / `NotPrincipal`.
    pub principal: Option<PrincipalElement>,
    /// `Action` / `NotAction`.
    pub action: ListElement,
    /// `Resource` / `NotResource` (absent in trust policies).
    pub resource: Option<ListElement>,
    /// The condition block, flattened.
    pub conditions: Vec<ConditionEntry>,
    /// Where the statement object starts (its `{`).
    pub start: Position,
    /// Just after the statement's closing `}`.
    pub end: Position,
}

/// A parsed and validated policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    /// `Version`.
    pub version: Version,
    /// `Id`.
    pub id: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// The kind it was validated as.
    pub kind: DocumentKind,
}

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// JSON path, e.g. `Statement[1].Action[0]`.
    pub path: String,
    /// Statement index (from 0), when the problem is inside one.
    pub statement: Option<usize>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The AWS error code a [`PolicyError`] maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorCode {
    /// `MalformedPolicyDocument`: the policy text is rejected.
    #[default]
    MalformedPolicyDocument,
    /// `InvalidInput`: a request parameter (simulation input) is invalid.
    InvalidInput,
}

impl ErrorCode {
    /// AWS's error code string.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedPolicyDocument => "MalformedPolicyDocument",
            ErrorCode::InvalidInput => "InvalidInput",
        }
    }
}

/// A policy that AWS would reject (`MalformedPolicyDocument`), or an invalid
/// simulation input (`InvalidInput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The AWS error code.
    pub code: ErrorCode,
    /// AWS's message, for the `MalformedPolicyDocument` error.
    pub message: String,
    /// A longer explanation for humans (CLI).
    pub detail: String,
    /// Where.
    pub location: Location,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} at {}:{}",
            self.message, self.detail, self.location.line, self.location.column
        )?;
        if !self.location.path.is_empty() {
            write!(f, ", {}", self.location.path)?;
        }
        write!(f, ")")
    }
}

impl std::error::Error for PolicyError {}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// AWS rejects the document.
    Error,
    /// Accepted, but probably not what was meant.
    Warning,
}

/// One finding of [`validate_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The problem (errors: AWS's message in `message`).
    pub error: PolicyError,
}

/// AWS's messages.
pub mod messages {
    /// Malformed JSON, unknown elements, wrong types.
    pub const SYNTAX: &str = "Syntax errors in policy.";
    /// Anything malformed in a document without `Version` (legacy parser).
    pub const LEGACY: &str = "The policy failed legacy parsing";
    /// Identity policy with Principal/NotPrincipal.
    pub const NO_PRINCIPAL: &str = "Policy document should not specify a principal.";
    /// Resource-based policy without Principal/NotPrincipal.
    pub const MISSING_PRINCIPAL: &str = "Missing required field Principal";
    /// Statement without Effect.
    pub const MISSING_EFFECT: &str = "Missing required field Effect";
    /// Statement without Action/NotAction.
    pub const MISSING_ACTIONS: &str = "Policy statement must contain actions.";
    /// Statement without Resource/NotResource.
    pub const MISSING_RESOURCES: &str = "Policy statement must contain resources.";
    /// Action without a service prefix.
    pub const ACTION_VENDOR: &str =
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    /// Action or condition key with two colons.
    pub const ONE_COLON: &str = "Actions/Condition can contain only one colon.";
    /// Malformed action.
    pub const INVALID_ACTION: &str = "Policy has invalid action";
    /// Trust policy with a non-STS action.
    pub const TRUST_ACTIONS: &str = "AssumeRole policy may only specify STS AssumeRole actions.";
    /// Duplicate Sid.
    pub const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
    /// Non-alphanumeric Sid in an IAM policy.
    pub const SID_ALNUM: &str = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
    /// Prefix of the invalid-principal message.
    pub const INVALID_PRINCIPAL: &str = "Invalid principal in policy";
}

struct Ctx<'a> {
    text: &'a str,
    kind: DocumentKind,
    legacy: bool,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn push(
        &mut self,
        sev: Severity,
        msg: &str,
        detail: String,
        path: String,
        stmt: Option<usize>,
        at: usize,
    ) {
        let msg = if self.legacy && msg == messages::SYNTAX {
            messages::LEGACY
        } else {
            msg
        };
        let (line, column) = json::line_col(self.text, at);
        self.diags.push(Diagnostic {
            severity: sev,
            error: PolicyError {
                code: ErrorCode::MalformedPolicyDocument,
                message: msg.to_string(),
                detail,
                location: Location {
                    path,
                    statement: stmt,
                    line,
                    column,
                },
            },
        });
    }
    fn err(
        &mut self,
        msg: &str,
        detail: impl Into<String>,
        path: &str,
        stmt: Option<usize>,
        at: usize,
    ) {
        self.push(
            Severity::Error,
            msg,
            detail.into(),
            path.to_string(),
            stmt,
            at,
        );
    }
    fn warn(&mut self, detail: impl Into<String>, path: &str, stmt: Option<usize>, at: usize) {
        self.push(
            Severity::Warning,
            "",
            detail.into(),
            path.to_string(),
            stmt,
            at,
        );
    }
    fn pos(&self, at: usize) -> Position {
        let (line, column) = json::line_col(self.text, at);
        Position { line, column }
    }
}

/// Number of characters AWS counts against policy size quotas: every
/// character except white space.
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Byte offset of the first character outside what IAM accepts in a policy
/// document (tab, LF, CR, U+0020..=U+00FF), if any.
pub fn invalid_character(text: &str) -> Option<usize> {
    text.char_indices()
        .find(|(_, c)| !matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
        .map(|(i, _)| i)
}

/// Parses and validates; the first error is returned.
pub fn parse(text: &str, kind: DocumentKind) -> Result<PolicyDocument, PolicyError> {
    let (doc, diags) = analyze(text, kind);
    if let Some(d) = diags.into_iter().find(|d| d.severity == Severity::Error) {
        return Err(d.error);
    }
    doc.ok_or_else(|| PolicyError {
        code: ErrorCode::MalformedPolicyDocument,
        message: messages::SYNTAX.into(),
        detail: "empty document".into(),
        location: Location::default(),
    })
}

/// Every problem found in a document (errors and warnings), in text order.
pub fn validate_document(text: &str, kind: DocumentKind) -> Vec<Diagnostic> {
    let mut d = analyze(text, kind).1;
    d.sort_by_key(|d| (d.error.location.line, d.error.location.column));
    d
}

fn str_list<'n>(
    c: &mut Ctx,
    node: &'n Node,
    path: &str,
    stmt: Option<usize>,
) -> Option<Vec<(&'n str, usize)>> {
    match &node.value {
        Value::String(s) => Some(vec![(s.as_str(), node.start)]),
        Value::Array(items) => {
            let mut out = Vec::new();
            for (i, it) in items.iter().enumerate() {
                match &it.value {
                    Value::String(s) => out.push((s.as_str(), it.start)),
                    other => {
                        c.err(
                            messages::SYNTAX,
                            format!("expected a string, found {}", other.type_name()),
                            &format!("{path}[{i}]"),
                            stmt,
                            it.start,
                        );
                        return None;
                    }
                }
            }
            Some(out)
        }
        other => {
            c.err(
                messages::SYNTAX,
                format!(
                    "expected a string or an array of strings, found {}",
                    other.type_name()
                ),
                path,
                stmt,
                node.start,
            );
            None
        }
    }
}

pub(crate) fn analyze(text: &str, kind: DocumentKind) -> (Option<PolicyDocument>, Vec<Diagnostic>) {
    let mut c = Ctx {
        text,
        kind,
        legacy: false,
        diags: Vec::new(),
    };
    let root = match json::parse(text) {
        Ok(r) => r,
        Err(e) => {
            c.err(
                messages::SYNTAX,
                format!("invalid JSON: {}", e.what),
                "",
                None,
                e.offset,
            );
            return (None, c.diags);
        }
    };
    let Value::Object(members) = &root.value else {
        c.err(
            messages::SYNTAX,
            "the policy must be a JSON object",
            "",
            None,
            root.start,
        );
        return (None, c.diags);
    };
    let mut version = Version::Missing;
    let mut id = None;
    let mut statement_node = None;
    let version_node = members.iter().find(|m| m.0 == "Version");
    c.legacy = version_node.is_none();
    let mut seen: Vec<&str> = Vec::new();
    for (name, at, node) in members {
        if seen.contains(&name.as_str()) {
            c.err(
                messages::SYNTAX,
                format!("duplicate element {name}"),
                name,
                None,
                *at,
            );
        }
        seen.push(name);
        match name.as_str() {
            "Version" => match &node.value {
                Value::String(v) if v == "2012-10-17" => version = Version::V2012_10_17,
                Value::String(v) if v == "2008-10-17" => version = Version::V2008_10_17,
                _ => c.err(
                    messages::SYNTAX,
                    "Version must be \"2012-10-17\" or \"2008-10-17\"",
                    "Version",
                    None,
                    node.start,
                ),
            },
            "Id" => match &node.value {
                Value::String(v) => id = Some(v.clone()),
                _ => c.err(
                    messages::SYNTAX,
                    "Id must be a string",
                    "Id",
                    None,
                    node.start,
                ),
            },
            "Statement" => statement_node = Some(node),
            _ => c.err(
                messages::SYNTAX,
                format!("unknown policy element {name}"),
                name,
                None,
                *at,
            ),
        }
    }
    let Some(snode) = statement_node else {
        c.err(
            messages::SYNTAX,
            "missing required element Statement",
            "",
            None,
            root.start,
        );
        return (None, c.diags);
    };
    let items: Vec<(&Node, String)> = match &snode.value {
        Value::Object(_) => vec![(snode, "Statement".to_string())],
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, n)| (n, format!("Statement[{i}]")))
            .collect(),
        other => {
            c.err(
                messages::SYNTAX,
                format!(
                    "Statement must be an object or an array, found {}",
                    other.type_name()
                ),
                "Statement",
                None,
                snode.start,
            );
            return (None, c.diags);
        }
    };
    if items.is_empty() {
        c.warn(
            "the policy has no statements and grants nothing",
            "Statement",
            None,
            snode.start,
        );
    }
    let mut statements = Vec::new();
    let mut sids: Vec<String> = Vec::new();
    for (idx, (node, path)) in items.iter().enumerate() {
        if let Some(s) = statement(&mut c, node, path, idx, version) {
            if let Some(sid) = &s.sid {
                if sids.contains(sid) {
                    c.err(
                        messages::SID_UNIQUE,
                        format!("Sid {sid:?} is used twice"),
                        &format!("{path}.Sid"),
                        Some(idx),
                        node.start,
                    );
                }
                sids.push(sid.clone());
            }
            statements.push(s);
        }
    }
    let ok = !c.diags.iter().any(|d| d.severity == Severity::Error);
    let doc = ok.then_some(PolicyDocument {
        version,
        id,
        statements,
        kind,
    });
    (doc, c.diags)
}

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

fn statement(
    c: &mut Ctx,
    node: &Node,
    path: &str,
    idx: usize,
    version: Version,
) -> Option<Statement> {
    let st = Some(idx);
    let Value::Object(members) = &node.value else {
        c.err(
            messages::SYNTAX,
            "a statement must be an object",
            path,
            st,
            node.start,
        );
        return None;
    };
    let errors_before = c
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let get = |n: &str| members.iter().find(|m| m.0 == n).map(|m| &m.2);
    let mut seen: Vec<&str> = Vec::new();
    for (name, at, _) in members {
        if !STATEMENT_ELEMENTS.contains(&name.as_str()) {
            c.err(
                messages::SYNTAX,
                format!("unknown statement element {name}"),
                &format!("{path}.{name}"),
                st,
                *at,
            );
        }
        if seen.contains(&name.as_str()) {
            c.err(
                messages::SYNTAX,
                format!("duplicate element {name}"),
                &format!("{path}.{name}"),
                st,
                *at,
            );
        }
        seen.push(name);
    }
    // Sid
    let mut sid = None;
    if let Some(n) = get("Sid") {
        match &n.value {
            Value::String(s) => {
                if c.kind == DocumentKind::Identity
                    && !s.chars().all(|ch| ch.is_ascii_alphanumeric())
                {
                    c.err(
                        messages::SID_ALNUM,
                        format!("Sid {s:?} is not alphanumeric"),
                        &format!("{path}.Sid"),
                        st,
                        n.start,
                    );
                }
                sid = Some(s.clone());
            }
            other => c.err(
                messages::SYNTAX,
                format!("Sid must be a string, found {}", other.type_name()),
                &format!("{path}.Sid"),
                st,
                n.start,
            ),
        }
    }
    // Effect
    let effect = match get("Effect") {
        None => {
            c.err(
                messages::MISSING_EFFECT,
                "the statement has no Effect",
                path,
                st,
                node.start,
            );
            Effect::Deny
        }
        Some(n) => match &n.value {
            Value::String(s) if s == "Allow" => Effect::Allow,
            Value::String(s) if s == "Deny" => Effect::Deny,
            _ => {
                c.err(
                    messages::SYNTAX,
                    "Effect must be \"Allow\" or \"Deny\" (case-sensitive)",
                    &format!("{path}.Effect"),
                    st,
                    n.start,
                );
                Effect::Deny
            }
        },
    };
    // Principal
    let (p, np) = (get("Principal"), get("NotPrincipal"));
    let mut principal = None;
    match (c.kind, p, np) {
        (DocumentKind::Identity, None, None) => {}
        (DocumentKind::Identity, Some(n), _) | (DocumentKind::Identity, None, Some(n)) => {
            c.err(
                messages::NO_PRINCIPAL,
                "identity-based policies cannot name a principal",
                &format!(
                    "{path}.{}",
                    if p.is_some() {
                        "Principal"
                    } else {
                        "NotPrincipal"
                    }
                ),
                st,
                n.start,
            );
        }
        (_, None, None) => c.err(
            messages::MISSING_PRINCIPAL,
            "resource-based policies must name a Principal or NotPrincipal",
            path,
            st,
            node.start,
        ),
        (_, Some(n), Some(_)) => c.err(
            messages::SYNTAX,
            "Principal and NotPrincipal cannot both appear",
            &format!("{path}.NotPrincipal"),
            st,
            n.start,
        ),
        (_, Some(n), None) => {
            principal = principal_element(c, n, &format!("{path}.Principal"), st, false)
        }
        (_, None, Some(n)) => {
            principal = principal_element(c, n, &format!("{path}.NotPrincipal"), st, true)
        }
    }
    // Action
    let action = match (get("Action"), get("NotAction")) {
        (None, None) => {
            c.err(
                messages::MISSING_ACTIONS,
                "the statement has neither Action nor NotAction",
                path,
                st,
                node.start,
            );
            None
        }
        (Some(n), Some(_)) => {
            c.err(
                messages::SYNTAX,
                "Action and NotAction cannot both appear",
                &format!("{path}.NotAction"),
                st,
                n.start,
            );
            None
        }
        (Some(n), None) => actions(c, n, &format!("{path}.Action"), st, false),
        (None, Some(n)) => actions(c, n, &format!("{path}.NotAction"), st, true),
    };
    // Resource
    let resource = match (get("Resource"), get("NotResource")) {
        (None, None) => {
            if c.kind != DocumentKind::RoleTrust {
                c.err(
                    messages::MISSING_RESOURCES,
                    "the statement has neither Resource nor NotResource",
                    path,
                    st,
                    node.start,
                );
            }
            None
        }
        (Some(n), Some(_)) => {
            c.err(
                messages::SYNTAX,
                "Resource and NotResource cannot both appear",
                &format!("{path}.NotResource"),
                st,
                n.start,
            );
            None
        }
        (r, nr) => {
            let (n, negated, name) = match (r, nr) {
                (Some(n), _) => (n, false, "Resource"),
                (None, Some(n)) => (n, true, "NotResource"),
                (None, None) => return None,
            };
            if c.kind == DocumentKind::RoleTrust {
                c.err(
                    &format!("Has prohibited field {name}"),
                    "trust policies apply to the role itself and take no Resource",
                    &format!("{path}.{name}"),
                    st,
                    n.start,
                );
                None
            } else {
                resources(c, n, &format!("{path}.{name}"), st, negated)
            }
        }
    };
    // Condition
    let mut conditions = Vec::new();
    if let Some(n) = get("Condition") {
        condition_block(c, n, &format!("{path}.Condition"), st, &mut conditions);
    }
    let _ = version;
    let errors_after = c
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors_after > errors_before {
        return None;
    }
    Some(Statement {
        sid,
        effect,
        principal,
        action: action?,
        resource,
        conditions,
        start: c.pos(node.start),
        end: c.pos(node.end),
    })
}

fn actions(
    c: &mut Ctx,
    n: &Node,
    path: &str,
    st: Option<usize>,
    negated: bool,
) -> Option<ListElement> {
    let list = str_list(c, n, path, st)?;
    if list.is_empty() {
        c.err(
            messages::MISSING_ACTIONS,
            "the action list is empty",
            path,
            st,
            n.start,
        );
        return None;
    }
    let mut values = Vec::new();
    for (a, at) in list {
        if a == "*" {
            if c.kind == DocumentKind::RoleTrust && !negated {
                c.err(
                    messages::TRUST_ACTIONS,
                    "trust policies may only use sts: actions",
                    path,
                    st,
                    at,
                );
            }
            values.push(a.to_string());
            continue;
        }
        let colons = a.matches(':').count();
        if colons == 0 {
            c.err(
                messages::ACTION_VENDOR,
                format!("action {a:?} has no service prefix"),
                path,
                st,
                at,
            );
            continue;
        }
        if colons > 1 {
            c.err(
                messages::ONE_COLON,
                format!("action {a:?} has more than one colon"),
                path,
                st,
                at,
            );
            continue;
        }
        let (vendor, name) = a.split_once(':').unwrap_or_default();
        let ok_chars = |s: &str| {
            !s.is_empty()
                && s.chars().all(|ch| {
                    ch.is_ascii_alphanumeric() || matches!(ch, '*' | '?' | '-' | '_' | '.')
                })
        };
        if !ok_chars(vendor) || !ok_chars(name) {
            c.err(
                messages::INVALID_ACTION,
                format!("action {a:?} is not of the form service:Action"),
                path,
                st,
                at,
            );
            continue;
        }
        if c.kind == DocumentKind::RoleTrust && !negated && !vendor.eq_ignore_ascii_case("sts") {
            c.err(
                messages::TRUST_ACTIONS,
                format!("action {a:?} is not an sts: action"),
                path,
                st,
                at,
            );
            continue;
        }
        values.push(a.to_string());
    }
    Some(ListElement { negated, values })
}

fn resources(
    c: &mut Ctx,
    n: &Node,
    path: &str,
    st: Option<usize>,
    negated: bool,
) -> Option<ListElement> {
    let list = str_list(c, n, path, st)?;
    if list.is_empty() {
        c.err(
            messages::MISSING_RESOURCES,
            "the resource list is empty",
            path,
            st,
            n.start,
        );
        return None;
    }
    let mut values = Vec::new();
    for (r, at) in list {
        if r != "*" && !(r.starts_with("arn:") && r.matches(':').count() >= 5) {
            c.err(
                &format!("Resource {r} must be in ARN format or \"*\"."),
                "a resource is \"*\" or an ARN arn:partition:service:region:account:resource",
                path,
                st,
                at,
            );
            continue;
        }
        values.push(r.to_string());
    }
    Some(ListElement { negated, values })
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_unique_id(s: &str) -> bool {
    s.len() >= 16
        && s.len() <= 128
        && (s.starts_with("AIDA")
            || s.starts_with("AROA")
            || s.starts_with("AGPA")
            || s.starts_with("AIPA"))
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// True when `s` is a valid value under `"AWS"` in a Principal.
pub(crate) fn valid_aws_principal(s: &str) -> bool {
    if s == "*" || is_account(s) || is_unique_id(s) {
        return true;
    }
    if s.contains('*') || s.contains('?') {
        return false;
    }
    let p = crate::wildcard::arn_parts(s);
    if p[0] != "arn"
        || !matches!(
            p[1],
            "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b"
        )
        || !p[3].is_empty()
        || !is_account(p[4])
    {
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

fn principal_element(
    c: &mut Ctx,
    n: &Node,
    path: &str,
    st: Option<usize>,
    negated: bool,
) -> Option<PrincipalElement> {
    let mut el = PrincipalElement {
        negated,
        any: false,
        entries: Vec::new(),
    };
    match &n.value {
        Value::String(s) if s == "*" => {
            el.any = true;
            return Some(el);
        }
        Value::Object(members) => {
            if members.is_empty() {
                c.err(
                    messages::INVALID_PRINCIPAL,
                    "the principal block is empty",
                    path,
                    st,
                    n.start,
                );
                return None;
            }
            for (name, at, v) in members {
                let class = match name.as_str() {
                    "AWS" => PrincipalClass::Aws,
                    "Service" => PrincipalClass::Service,
                    "Federated" => PrincipalClass::Federated,
                    "CanonicalUser" => PrincipalClass::CanonicalUser,
                    _ => {
                        c.err(
                            messages::INVALID_PRINCIPAL,
                            format!("unknown principal type {name}"),
                            &format!("{path}.{name}"),
                            st,
                            *at,
                        );
                        continue;
                    }
                };
                let sub = format!("{path}.{name}");
                let Some(list) = str_list(c, v, &sub, st) else {
                    continue;
                };
                for (val, vat) in list {
                    let ok = match class {
                        PrincipalClass::Aws => valid_aws_principal(val),
                        _ => !val.is_empty() && (val == "*" || !val.contains('*')),
                    };
                    if !ok {
                        let msg = format!(
                            "{}: \"{}\":\"{}\"",
                            messages::INVALID_PRINCIPAL,
                            class.name(),
                            val
                        );
                        c.err(
                            &msg,
                            "not an account ID, IAM/STS principal ARN, unique ID or \"*\"",
                            &sub,
                            st,
                            vat,
                        );
                        continue;
                    }
                    el.entries.push((class, val.to_string()));
                }
            }
        }
        other => {
            c.err(
                messages::INVALID_PRINCIPAL,
                format!(
                    "Principal must be \"*\" or an object, found {}",
                    other.type_name()
                ),
                path,
                st,
                n.start,
            );
            return None;
        }
    }
    Some(el)
}

fn condition_block(
    c: &mut Ctx,
    n: &Node,
    path: &str,
    st: Option<usize>,
    out: &mut Vec<ConditionEntry>,
) {
    let Value::Object(ops) = &n.value else {
        c.err(
            messages::SYNTAX,
            "Condition must be an object",
            path,
            st,
            n.start,
        );
        return;
    };
    for (op, at, body) in ops {
        let opath = format!("{path}.{op}");
        let parsed = crate::condition::Operator::parse(op);
        let Some(parsed) = parsed else {
            c.err(
                messages::SYNTAX,
                format!("unknown condition operator {op}"),
                &opath,
                st,
                *at,
            );
            continue;
        };
        if parsed.kind == crate::condition::OpKind::Null && parsed.if_exists {
            c.warn(
                "NullIfExists: IfExists has no effect on Null",
                &opath,
                st,
                *at,
            );
        }
        let Value::Object(keys) = &body.value else {
            c.err(
                messages::SYNTAX,
                format!("{op} must map condition keys to values"),
                &opath,
                st,
                body.start,
            );
            continue;
        };
        let mut seen_keys: Vec<String> = Vec::new();
        for (key, kat, vals) in keys {
            let kpath = format!("{opath}.{key}");
            // `service:key` has one colon before any `/` (tag keys after `/` may hold colons);
            // web identity providers' keys are prefixed by the provider's host name instead,
            // which may carry a port and a path: `127.0.0.1:8443:aud`,
            // `oidc.eks.REGION.amazonaws.com/id/ID:sub`, `accounts.google.com:aud`.
            let head = key.split('/').next().unwrap_or("");
            let provider_key = head.split(':').next().unwrap_or("").contains('.');
            let colons = if provider_key {
                usize::from(key.contains(':'))
            } else {
                head.matches(':').count()
            };
            match colons {
                0 => {
                    c.err(
                        messages::ACTION_VENDOR,
                        format!("condition key {key:?} has no service prefix"),
                        &kpath,
                        st,
                        *kat,
                    );
                    continue;
                }
                1 => {}
                _ => {
                    c.err(
                        messages::ONE_COLON,
                        format!("condition key {key:?} has more than one colon"),
                        &kpath,
                        st,
                        *kat,
                    );
                    continue;
                }
            }
            let lower = key.to_ascii_lowercase();
            if seen_keys.contains(&lower) {
                c.warn(
                    format!("condition key {key} appears twice under {op}; the last one is used"),
                    &kpath,
                    st,
                    *kat,
                );
                out.retain(|e| !(e.operator == *op && e.key.eq_ignore_ascii_case(key)));
            }
            seen_keys.push(lower);
            let mut values = Vec::new();
            let scalar = |v: &Value| -> Option<String> {
                match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(s) => Some(s.clone()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                }
            };
            match &vals.value {
                Value::Array(items) => {
                    for (i, it) in items.iter().enumerate() {
                        match scalar(&it.value) {
                            Some(s) => values.push(s),
                            None => c.err(messages::SYNTAX, format!("condition values must be strings, numbers or booleans, found {}", it.value.type_name()), &format!("{kpath}[{i}]"), st, it.start),
                        }
                    }
                    if items.is_empty() {
                        c.warn(
                            "empty value list: this condition never matches",
                            &kpath,
                            st,
                            vals.start,
                        );
                    }
                }
                v => match scalar(v) {
                    Some(s) => values.push(s),
                    None => c.err(
                        messages::SYNTAX,
                        format!(
                            "condition values must be strings, numbers or booleans, found {}",
                            v.type_name()
                        ),
                        &kpath,
                        st,
                        vals.start,
                    ),
                },
            }
            out.push(ConditionEntry {
                operator: op.clone(),
                key: key.clone(),
                values,
            });
        }
    }
}
