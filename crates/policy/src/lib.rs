//! # iamd-policy: the AWS IAM access policy language
//!
//! Pure (no I/O, no clock, no global state): the current time is an input
//! ([`Context::with_time`], [`simulate::simulate`]).
//!
//! ## Parse and validate
//! - [`validate`]`(text, PolicyKind) -> Result<PolicyDocument, ValidationError>`:
//!   validates as AWS does for a managed, inline, session, trust or
//!   resource-based policy ([`PolicyKind`]); the error is the one AWS reports
//!   first and carries AWS's message. [`RULES`] lists every rule in AWS's
//!   order, with its messages and sources; [`diagnose`] returns every
//!   problem.
//! - [`parse`]`(text, kind) -> Result<PolicyDocument, PolicyError>`: validates
//!   a document as an identity-based policy, a resource-based policy or a role
//!   trust policy ([`DocumentKind`]). [`PolicyError::message`] is AWS's
//!   `MalformedPolicyDocument` message; [`PolicyError::location`] gives the
//!   JSON path, statement index, line and column.
//! - [`validate_document`]`(text, kind) -> Vec<Diagnostic>`: every error and
//!   warning (for `iamd policy validate`).
//! - [`policy_size`]`(text)`: characters counted against IAM quotas (white
//!   space excluded); [`limits`] has the quotas; [`invalid_character`] finds a
//!   character IAM refuses.
//!
//! ## Compile once, evaluate many
//! - [`CompiledPolicy::compile`]`(&doc, id)` / [`CompiledPolicy::from_text`]:
//!   wildcards compiled, statements indexed by service prefix; share it as
//!   `Arc<CompiledPolicy>`.
//! - [`PolicySet`]: identity policies, permissions boundary, session
//!   policies, resource-based policy and the resource owner's account.
//! - [`evaluate`]`(&Request, &PolicySet) -> EvalResult`: AWS's evaluation
//!   logic; the result has the [`Decision`], the deciding
//!   [`MatchedStatement`]s (policy type, id, statement index, Sid), the
//!   policy type that failed to allow ([`EvalResult::denial_reason`] gives the
//!   AccessDenied wording) and the missing context keys.
//!
//! ## Simulation
//! [`simulate::simulate`] runs a `SimulateCustomPolicy` request
//! ([`simulate::SimulateRequest`], JSON field names as in the IAM API) and
//! returns the API's response shape.

//! ## Example
//! ```
//! use iamd_policy::*;
//! use std::sync::Arc;
//!
//! let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
//!     "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/home/${aws:username}/*"}}"#;
//! let policy = CompiledPolicy::from_text(text, DocumentKind::Identity, "user/alice/inline/home")?;
//! let set = PolicySet { identity: vec![Arc::new(policy)], ..Default::default() };
//! let alice = Principal::user("arn:aws:iam::111122223333:user/alice");
//! let mut ctx = Context::new();
//! ctx.insert_str("aws:username", "alice");
//! let req = Request { principal: &alice, action: "s3:GetObject",
//!     resource: "arn:aws:s3:::b/home/alice/notes.txt", context: &ctx };
//! let result = evaluate(&req, &set);
//! assert_eq!(result.decision, Decision::Allowed);
//! assert_eq!(result.matched[0].statement_index, 0);
//!
//! let req = Request { action: "s3:PutObject", ..req };
//! let denied = evaluate(&req, &set);
//! assert_eq!(denied.denial_reason("s3:PutObject").as_deref(),
//!     Some("because no identity-based policy allows the s3:PutObject action"));
//! # Ok::<(), PolicyError>(())
//! ```

#![warn(missing_docs)]

mod compiled;
mod condition;
mod context;
mod document;
mod eval;
mod json;
pub mod simulate;
mod validate;
mod values;
mod wildcard;

pub use compiled::{CompiledPolicy, PrincipalMatch};
pub use condition::{OpKind, Operator, SetOp};
pub use context::{Context, ContextValue, Scalar};
pub use document::{
    ConditionEntry, Diagnostic, DocumentKind, Effect, ErrorCode, ListElement, Location,
    PolicyDocument, PolicyError, Position, PrincipalClass, PrincipalElement, Severity, Statement,
    Version, invalid_character, messages, parse, policy_size, validate_document,
};
pub use eval::{
    Decision, EvalResult, MatchedStatement, Outcome, PolicySet, PolicyType, Principal,
    PrincipalType, Request, evaluate,
};
pub use validate::{PolicyKind, RULES, Rule, RuleId, Source, ValidationError, diagnose, validate};

/// IAM and STS policy size quotas, in characters as [`policy_size`] counts them.
pub mod limits {
    /// Managed policy.
    pub const MANAGED_POLICY: usize = 6_144;
    /// All inline policies of one user together.
    pub const USER_INLINE: usize = 2_048;
    /// All inline policies of one group together.
    pub const GROUP_INLINE: usize = 5_120;
    /// All inline policies of one role together.
    pub const ROLE_INLINE: usize = 10_240;
    /// Role trust policy (default quota; can be raised to 4,096).
    pub const ROLE_TRUST: usize = 2_048;
    /// Session policies passed to STS (plaintext, inline and managed together).
    pub const SESSION_POLICY: usize = 2_048;
}

/// Convenience re-export for wildcard tests and tools: matches `text`
/// against an IAM wildcard pattern (`*`, `?`), case-sensitively or not.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    wildcard::Matcher::new(pattern).matches(text, case_insensitive)
}
