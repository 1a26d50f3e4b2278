//! IAM's semantics over iamd's store.
//!
//! Each operation is a function `fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>`: the
//! transport decodes and validates the request against the model, runs the function inside one
//! transaction, and encodes the returned value. What is here is what no model says: uniqueness,
//! identifiers, quotas, conflicts, AWS's messages.

pub mod access_keys;
pub mod account;
pub mod accounts;
pub mod authz;
pub mod authz_message;
pub mod aws_policies;
pub mod certificates;
pub mod console_login;
pub mod credentials;
pub mod delegation;
pub mod documents;
pub mod entities;
mod error;
pub mod explain;
pub mod groups;
pub mod ids;
pub mod inline;
pub mod keyring;
pub mod keys;
pub mod mfa;
pub mod oidc;
pub mod organizations;
pub mod outbound_federation;
mod pagination;
pub mod passwords;
pub mod policies;
pub mod principal;
pub mod records;
pub mod roles;
pub mod saml_providers;
pub mod secrets;
pub mod service_credentials;
pub mod service_linked_roles;
#[cfg(test)]
mod shapes_tests;
pub mod sts_preferences;
pub mod tags;
#[cfg(test)]
mod testing;
pub mod users;

pub use error::{Conflict, EntityKind, IamError, Quota};
pub use principal::{Principal, PrincipalKind};

use time::OffsetDateTime;

use crate::secrets::MasterKey;

/// AWS's default quotas (IAM and STS quotas page). Configuration, not constants: a deployment
/// may raise them.
#[derive(Debug, Clone)]
pub struct Limits {
    pub users_per_account: u32,
    pub groups_per_account: u32,
    pub groups_per_user: u32,
    pub tags_per_resource: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            users_per_account: 5000,
            groups_per_account: 300,
            groups_per_user: 10,
            tags_per_resource: 50,
        }
    }
}

/// What every operation knows about its request.
pub struct Ctx<'a> {
    /// The authenticated caller.
    pub caller: &'a Principal,
    /// The account the operation acts in (the caller's).
    pub account: &'a str,
    pub now: OffsetDateTime,
    pub limits: &'a Limits,
    /// Seals new secrets (access keys).
    pub master: &'a MasterKey,
    /// Seals session tokens (STS).
    pub ring: &'a iamd_token::KeyRing,
}
