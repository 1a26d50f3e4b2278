//! The authenticated caller.

/// What kind of principal signed the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User { name: String, path: String },
}

/// The caller of a request, as authentication established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: String,
    pub kind: PrincipalKind,
    /// `arn:aws:iam::123456789012:root`, `arn:aws:iam::123456789012:user/path/name`.
    pub arn: String,
    /// The `aws:userid`: the account ID for root, the unique ID (`AIDA…`) for a user.
    pub user_id: String,
    /// The access key the request was signed with.
    pub access_key_id: Option<String>,
}

impl Principal {
    pub fn root(account: &str, access_key_id: Option<String>) -> Principal {
        Principal {
            account: account.to_string(),
            kind: PrincipalKind::Root,
            arn: format!("arn:aws:iam::{account}:root"),
            user_id: account.to_string(),
            access_key_id,
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
        }
    }

    pub fn is_root(&self) -> bool {
        self.kind == PrincipalKind::Root
    }
}

pub fn user_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

pub fn group_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:group{path}{name}")
}
