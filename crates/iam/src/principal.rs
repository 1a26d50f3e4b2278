//! The authenticated caller.

use std::sync::{Arc, OnceLock};

use iamd_token::Session;

/// What kind of principal signed the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User { name: String, path: String },
    /// A role session (`AssumeRole`, web identity).
    AssumedRole {
        role_name: String,
        role_path: String,
        role_id: String,
        session_name: String,
    },
    /// A `GetFederationToken` session, acting with its issuing user's current permissions
    /// intersected with its session policies.
    FederatedUser { name: String, issuer_name: String },
}

/// The caller of a request, as authentication established it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account: String,
    pub kind: PrincipalKind,
    /// `arn:aws:iam::123456789012:root`, `arn:aws:iam::123456789012:user/path/name`,
    /// `arn:aws:sts::123456789012:assumed-role/ROLE/SESSION`, `…:federated-user/NAME`.
    pub arn: String,
    /// The `aws:userid`: the account ID for root, `AIDA…` for a user, `AROA…:SESSION` for a role
    /// session, `ACCOUNT:NAME` for a federated user.
    pub user_id: String,
    /// The access key the request was signed with.
    pub access_key_id: Option<String>,
    /// Temporary credentials: the opened session token.
    pub session: Option<Arc<Session>>,
    /// `--dev` only: an access key the store does not know, acting as root without a signature
    /// check. Such a root may assume roles (their trust policies still decide), which AWS
    /// refuses to an account's real root user.
    pub dev_unverified: bool,
    /// The audit trail's `userIdentity` of this principal as JSON text, built on first use and
    /// shared by clones: a cached session's principal builds it once, not per request.
    pub audit_identity: Arc<OnceLock<Arc<serde_json::value::RawValue>>>,
}

impl PartialEq for Principal {
    fn eq(&self, other: &Self) -> bool {
        self.arn == other.arn && self.access_key_id == other.access_key_id
    }
}

impl Principal {
    pub fn root(account: &str, access_key_id: Option<String>) -> Principal {
        Principal {
            account: account.to_string(),
            kind: PrincipalKind::Root,
            arn: format!("arn:aws:iam::{account}:root"),
            user_id: account.to_string(),
            access_key_id,
            session: None,
            dev_unverified: false,
            audit_identity: Arc::default(),
        }
    }

    /// `--dev`'s stand-in for an unknown access key: the account's root, unverified.
    pub fn dev_root(account: &str, access_key_id: String) -> Principal {
        Principal {
            dev_unverified: true,
            ..Principal::root(account, Some(access_key_id))
        }
    }

    pub fn user(account: &str, name: &str, path: &str, id: &str, key: Option<String>) -> Principal {
        Principal {
            account: account.to_string(),
            kind: PrincipalKind::User {
                name: name.to_string(),
                path: path.to_string(),
            },
            arn: user_arn(account, path, name),
            user_id: id.to_string(),
            access_key_id: key,
            session: None,
            dev_unverified: false,
            audit_identity: Arc::default(),
        }
    }

    /// The principal a session token stands for.
    pub fn from_session(s: Arc<Session>) -> Principal {
        use iamd_token::{SessionOwner, SessionPrincipal};
        let account = s.account.clone();
        let kind = match &s.principal {
            SessionPrincipal::AssumedRole {
                role_arn,
                role_id,
                session_name,
                ..
            } => {
                let (path, name) = split_path_name(role_arn, ":role");
                PrincipalKind::AssumedRole {
                    role_name: name,
                    role_path: path,
                    role_id: role_id.clone(),
                    session_name: session_name.clone(),
                }
            }
            SessionPrincipal::FederatedUser {
                name,
                issuer_user_arn,
            } => PrincipalKind::FederatedUser {
                name: name.clone(),
                issuer_name: split_path_name(issuer_user_arn, ":user").1,
            },
            SessionPrincipal::SessionOf(SessionOwner::User { user_arn, .. }) => {
                let (path, name) = split_path_name(user_arn, ":user");
                PrincipalKind::User { name, path }
            }
            SessionPrincipal::SessionOf(SessionOwner::Root) => PrincipalKind::Root,
        };
        Principal {
            account,
            kind,
            arn: s.arn.clone(),
            user_id: s.user_id.clone(),
            access_key_id: Some(s.access_key_id.clone()),
            session: Some(s),
            dev_unverified: false,
            audit_identity: Arc::default(),
        }
    }

    pub fn is_root(&self) -> bool {
        self.kind == PrincipalKind::Root
    }

    /// The IAM user's name, for users and their `GetSessionToken` sessions.
    pub fn user_name(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::User { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether the request was signed with temporary credentials.
    pub fn is_session(&self) -> bool {
        self.session.is_some()
    }
}

/// `arn:aws:iam::ACCT:user/a/b/name` → (`/a/b/`, `name`) for the resource type after `marker`.
fn split_path_name(arn: &str, marker: &str) -> (String, String) {
    let rest = arn.split_once(marker).map(|(_, r)| r).unwrap_or(arn);
    match rest.rfind('/') {
        Some(i) => (rest[..=i].to_string(), rest[i + 1..].to_string()),
        None => ("/".to_string(), rest.to_string()),
    }
}

pub fn user_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

pub fn group_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:group{path}{name}")
}
