//! Policy documents: parsing and validation with AWS's `MalformedPolicyDocument`
//! messages and precise locations.

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

/// AWS's messages. Which rule gives which message, and where each comes
/// from: [`crate::RULES`].
pub mod messages {
    /// IAM's message for malformed JSON and for anything outside the grammar.
    pub const SYNTAX: &str = "Syntax errors in policy.";
    /// IAM's legacy parser refused the document.
    pub const LEGACY: &str = "The policy failed legacy parsing";
    /// CreateRole/UpdateAssumeRolePolicy: the trust policy is not JSON.
    pub const TRUST_INVALID_JSON: &str = "This policy contains invalid Json";
    /// STS: the session policy is not JSON.
    pub const SESSION_INVALID_JSON: &str = "The policy is not in the valid JSON format.";
    /// A managed policy without `"Version": "2012-10-17"`.
    pub const VERSION_REQUIRED: &str = "Policy document must be version 2012-10-17 or greater.";
    /// Identity policy with Principal/NotPrincipal.
    pub const NO_PRINCIPAL: &str = "Policy document should not specify a principal.";
    /// Trust or resource-based policy without Principal/NotPrincipal.
    pub const MISSING_PRINCIPAL: &str = "Missing required field Principal";
    /// Trust or resource-based statement without Effect.
    pub const MISSING_EFFECT: &str = "Missing required field Effect";
    /// Statement without Action/NotAction.
    pub const MISSING_ACTIONS: &str = "Policy statement must contain actions.";
    /// Statement without Resource/NotResource.
    pub const MISSING_RESOURCES: &str = "Policy statement must contain resources.";
    /// Action without a service prefix.
    pub const ACTION_VENDOR: &str =
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    /// Action with two colons.
    pub const ONE_COLON: &str = "Actions/Condition can contain only one colon.";
    /// Resource ARN without a service.
    pub const RESOURCE_VENDOR: &str =
        "Resource vendor must be fully qualified and cannot contain regexes.";
    /// IAM resource ARN whose resource part is not an IAM resource type.
    pub const IAM_RESOURCE_PATH: &str = "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.";
    /// Trust policy with a non-STS action.
    pub const TRUST_ACTIONS: &str = "AssumeRole policy may only specify STS AssumeRole actions.";
    /// Duplicate Sid.
    pub const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
    /// Non-alphanumeric Sid in an IAM policy.
    pub const SID_ALNUM: &str = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
    /// Prefix of the invalid-principal message.
    pub const INVALID_PRINCIPAL: &str = "Invalid principal in policy";
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

/// Parses and validates a document of `kind` (an identity document as an
/// inline policy: [`crate::PolicyKind::from`]); the error is the one AWS
/// reports first. Made for documents iamd stored: an empty `Statement` list
/// is accepted (a policy that grants nothing). To validate what a client
/// sends, use [`crate::validate`] with the exact [`crate::PolicyKind`].
pub fn parse(text: &str, kind: DocumentKind) -> Result<PolicyDocument, PolicyError> {
    crate::validate::validate_with(text, kind.into(), true).map_err(PolicyError::from)
}

/// Every problem found in a document (errors and warnings), in text order.
pub fn validate_document(text: &str, kind: DocumentKind) -> Vec<Diagnostic> {
    crate::validate::diagnose(text, kind.into())
}
