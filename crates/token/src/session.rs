//! What a session token carries: everything a server needs to authorize a request signed with
//! temporary credentials without reading the database.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The schema version of [`Session`]; bump it (and keep a decoder for the old one) when fields
/// change, because the sealed form is positional.
pub const SESSION_VERSION: u16 = 1;

/// Role chaining (a role session assuming a role) limits the new session to one hour.
pub const CHAINED_MAX_DURATION_SECS: i64 = 3600;

/// A temporary-credentials session.
///
/// Sealed with [`postcard`], which is positional: do not add `skip_serializing_if` or internally
/// tagged enums here, and append new fields only with a new [`SESSION_VERSION`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// [`SESSION_VERSION`] when it was issued.
    pub version: u16,
    /// `ASIA` + 16 characters of `[A-Z2-7]`.
    pub access_key_id: String,
    /// The 40-character secret the client signs with.
    pub secret_access_key: String,
    /// The 12-digit account the session acts in (the role's, or the user's).
    pub account: String,
    /// Who the session is.
    pub principal: SessionPrincipal,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, `arn:aws:sts::ACCOUNT:federated-user/NAME`,
    /// or the user's (root's) own ARN for `GetSessionToken`.
    pub arn: String,
    /// `aws:userid`: `AROA…:SESSION`, `ACCOUNT:NAME`, or the user's `AIDA…` id (the account id
    /// for root).
    pub user_id: String,
    /// The inline session policy (`Policy`), as the JSON text the caller sent.
    pub policy: Option<String>,
    /// Managed session policies (`PolicyArns`).
    pub policy_arns: Vec<String>,
    /// `aws:MultiFactorAuthPresent`.
    pub mfa_authenticated: bool,
    /// When the MFA code was checked (unix seconds); `aws:MultiFactorAuthAge` is `now` minus this.
    pub mfa_auth_time: Option<i64>,
    /// Session tags (`aws:PrincipalTag/…` in later requests), in the order given.
    pub tags: Vec<SessionTag>,
    /// Tag keys that pass on when this session assumes another role.
    pub transitive_tag_keys: Vec<String>,
    /// `sts:SourceIdentity` / `aws:SourceIdentity`, once set it stays for the chain.
    pub source_identity: Option<String>,
    /// `aws:TokenIssueTime` (unix seconds).
    pub issued_at: i64,
    /// The credentials' `Expiration` (unix seconds); the token is refused from this second on.
    pub expires_at: i64,
    /// The ARN of the principal that called STS to get this session.
    pub issuer: String,
    /// 0 for a session obtained with long-term credentials (or a web identity); the issuer's
    /// depth plus one when a role session assumed this role.
    pub chain_depth: u8,
    /// The ring key the token was sealed with. [`crate::seal`] ignores it; [`crate::open`] sets it
    /// from the token's authenticated header.
    pub key_id: u32,
}

/// The kind of principal a session is, with what each kind needs later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionPrincipal {
    /// `AssumeRole`, `AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`.
    AssumedRole {
        /// The role's ARN (with its path).
        role_arn: String,
        /// The role's `AROA…` id.
        role_id: String,
        /// `RoleSessionName` (or the name AWS derives for web identities).
        session_name: String,
        /// `aws:FederatedProvider` for web identity and SAML sessions.
        federated_provider: Option<String>,
    },
    /// `GetFederationToken`: acts with the issuing user's current policies intersected with the
    /// session policies.
    FederatedUser {
        /// The `Name` parameter.
        name: String,
        /// The IAM user that called `GetFederationToken`.
        issuer_user_arn: String,
    },
    /// `GetSessionToken`: the user (or root) itself, typically with MFA.
    SessionOf(SessionOwner),
}

/// Whose session a `GetSessionToken` session is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionOwner {
    /// An IAM user.
    User {
        /// The user's ARN.
        user_arn: String,
        /// The user's `AIDA…` id.
        user_id: String,
    },
    /// The account's root user.
    Root,
}

/// A session tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTag {
    /// Tag key (case-insensitive for uniqueness in AWS; kept as given).
    pub key: String,
    /// Tag value.
    pub value: String,
}

impl SessionTag {
    /// A tag from a key and a value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> SessionTag {
        SessionTag {
            key: key.into(),
            value: value.into(),
        }
    }
}

impl Session {
    /// Whether the session has expired at `now` (unix seconds).
    pub fn is_expired(&self, now_unix: i64) -> bool {
        now_unix >= self.expires_at
    }

    /// Seconds left at `now`, 0 once expired.
    pub fn remaining_secs(&self, now_unix: i64) -> i64 {
        (self.expires_at - now_unix).max(0)
    }

    /// Whether this session came from role chaining, so that a role it assumes is limited to
    /// [`CHAINED_MAX_DURATION_SECS`].
    pub fn is_chained(&self) -> bool {
        self.chain_depth > 0
    }

    /// `aws:MultiFactorAuthAge` at `now`: seconds since MFA, absent without MFA.
    pub fn mfa_age(&self, now_unix: i64) -> Option<i64> {
        if !self.mfa_authenticated {
            return None;
        }
        self.mfa_auth_time.map(|t| (now_unix - t).max(0))
    }

    /// The value of session tag `key` (compared case-insensitively, as AWS does).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.key.eq_ignore_ascii_case(key))
            .map(|t| t.value.as_str())
    }

    /// The tags a role assumed from this session inherits: the transitive ones.
    pub fn transitive_tags(&self) -> impl Iterator<Item = &SessionTag> {
        self.tags.iter().filter(|t| {
            self.transitive_tag_keys
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&t.key))
        })
    }

    /// The role session name, for assumed-role sessions.
    pub fn role_session_name(&self) -> Option<&str> {
        match &self.principal {
            SessionPrincipal::AssumedRole { session_name, .. } => Some(session_name),
            _ => None,
        }
    }
}

/// `arn:aws:sts::ACCOUNT:assumed-role/ROLE_NAME/SESSION_NAME` (the role's path is not part of it).
pub fn assumed_role_arn(account: &str, role_name: &str, session_name: &str) -> String {
    format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}")
}

/// `AROA…:SESSION_NAME`, the assumed role's `aws:userid`.
pub fn assumed_role_user_id(role_id: &str, session_name: &str) -> String {
    format!("{role_id}:{session_name}")
}

/// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
pub fn federated_user_arn(account: &str, name: &str) -> String {
    format!("arn:aws:sts::{account}:federated-user/{name}")
}

/// `ACCOUNT:NAME`, the federated user's `aws:userid`.
pub fn federated_user_id(account: &str, name: &str) -> String {
    format!("{account}:{name}")
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("version", &self.version)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account", &self.account)
            .field("principal", &self.principal)
            .field("arn", &self.arn)
            .field("user_id", &self.user_id)
            .field("policy", &self.policy)
            .field("policy_arns", &self.policy_arns)
            .field("mfa_authenticated", &self.mfa_authenticated)
            .field("mfa_auth_time", &self.mfa_auth_time)
            .field("tags", &self.tags)
            .field("transitive_tag_keys", &self.transitive_tag_keys)
            .field("source_identity", &self.source_identity)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("issuer", &self.issuer)
            .field("chain_depth", &self.chain_depth)
            .field("key_id", &self.key_id)
            .finish()
    }
}
