//! Early revocation of temporary credentials, beyond AWS: one session by its access key ID, or
//! every session of a principal (a role, a user's GetSessionToken or GetFederationToken
//! sessions, one role session by its ARN) issued before a time. Revocations live in the store,
//! so every server sees them; each server caches an account's revocations and drops the cache
//! when the change feed touches them, so a revocation holds on the next request.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use iamd_iam::{Ctx, IamError, Principal, PrincipalKind};
use iamd_store::{StoreError, Tx};
use iamd_wire::{ApiError, Params, Value};

use crate::Engine;
use crate::cache::Recording;

fn prefix(account: &str) -> Vec<u8> {
    format!("revocation/{account}/").into_bytes()
}
fn key_of_access_key(account: &str, id: &str) -> Vec<u8> {
    format!("revocation/{account}/key/{id}").into_bytes()
}
fn key_of_principal(account: &str, arn: &str) -> Vec<u8> {
    format!("revocation/{account}/principal/{}", arn.replace('/', "|")).into_bytes()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
    /// Sessions issued before this time (unix seconds) are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_before: Option<i64>,
    pub revoked_at: i64,
    pub revoked_by: String,
}

impl Revocation {
    fn value(&self) -> Value {
        let t = |s: i64| OffsetDateTime::from_unix_timestamp(s).ok();
        Value::object()
            .with_opt("AccessKeyId", self.access_key_id.clone())
            .with_opt("PrincipalArn", self.principal_arn.clone())
            .with_opt("IssuedBefore", self.issued_before.and_then(t))
            .with_opt("RevokedAt", t(self.revoked_at))
            .with("RevokedBy", self.revoked_by.as_str())
    }
}

fn all(tx: &mut dyn Tx, account: &str) -> Result<Vec<Revocation>, StoreError> {
    tx.scan(&prefix(account), None, usize::MAX)?
        .iter()
        .map(|(_, v)| {
            serde_json::from_slice(v).map_err(|_| StoreError::Corrupt("revocation".into()))
        })
        .collect()
}

/// `RevokeSessions`: by `AccessKeyId` (that session), or by `PrincipalArn` (its sessions
/// issued before `IssuedBefore`, now by default).
pub fn revoke_sessions(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let revoked_at = ctx.now.unix_timestamp();
    let before = match p.get("IssuedBefore") {
        Some(Value::Time(t)) => t.unix_timestamp(),
        _ => revoked_at + 1,
    };
    let (key, r) = match (p.str("AccessKeyId"), p.str("PrincipalArn")) {
        (Some(id), None) => (
            key_of_access_key(ctx.account, id),
            Revocation {
                access_key_id: Some(id.to_string()),
                principal_arn: None,
                issued_before: None,
                revoked_at,
                revoked_by: ctx.caller.arn.clone(),
            },
        ),
        (None, Some(arn)) => {
            let account = arn.split(':').nth(4).unwrap_or_default();
            if account != ctx.account {
                return Err(ApiError::invalid_input(format!(
                    "{arn} is not a principal of account {}.",
                    ctx.account
                ))
                .into());
            }
            (
                key_of_principal(ctx.account, arn),
                Revocation {
                    access_key_id: None,
                    principal_arn: Some(arn.to_string()),
                    issued_before: Some(before),
                    revoked_at,
                    revoked_by: ctx.caller.arn.clone(),
                },
            )
        }
        _ => {
            return Err(ApiError::invalid_input(
                "Give exactly one of AccessKeyId and PrincipalArn.",
            )
            .into());
        }
    };
    let bytes = serde_json::to_vec(&r).map_err(|e| IamError::Internal(e.to_string()))?;
    tx.put(&key, &bytes)?;
    Ok(Value::object().with("Revocation", r.value()))
}

/// `ListSessionRevocations`: the caller's account's revocations.
pub fn list_session_revocations(tx: &mut dyn Tx, ctx: &Ctx, _: &Params) -> Result<Value, IamError> {
    let list = all(tx, ctx.account)?;
    Ok(Value::object().with(
        "Revocations",
        Value::List(list.iter().map(Revocation::value).collect()),
    ))
}

/// The ARNs a session can be revoked by: its own, its role's, its issuing user's.
fn arns_of(p: &Principal) -> Vec<String> {
    let mut out = vec![p.arn.clone()];
    match &p.kind {
        PrincipalKind::AssumedRole {
            role_name,
            role_path,
            ..
        } => out.push(format!(
            "arn:aws:iam::{}:role{role_path}{role_name}",
            p.account
        )),
        PrincipalKind::FederatedUser { issuer_name, .. } => {
            out.push(format!("arn:aws:iam::{}:user/{issuer_name}", p.account))
        }
        _ => {}
    }
    out
}

/// Whether a revocation refuses this session.
fn refuses(revocations: &[Revocation], p: &Principal) -> bool {
    let Some(s) = &p.session else {
        return false;
    };
    let arns = arns_of(p);
    revocations.iter().any(|r| {
        r.access_key_id.as_deref() == Some(s.access_key_id.as_str())
            || (r
                .principal_arn
                .as_ref()
                .is_some_and(|a| arns.iter().any(|x| x == a) || matches_user_path(a, &arns))
                && r.issued_before.is_some_and(|b| s.issued_at < b))
    })
}

/// A user ARN given without its path still names the user.
fn matches_user_path(revoked: &str, arns: &[String]) -> bool {
    let name = |a: &str| a.rsplit('/').next().map(str::to_string);
    revoked.contains(":user/")
        && arns
            .iter()
            .any(|a| a.contains(":user/") && name(a) == name(revoked))
}

impl Engine {
    /// Whether `p` (temporary credentials) has been revoked. Reads the store only when the
    /// account's revocations are not cached.
    pub async fn session_revoked(self: &Arc<Engine>, p: &Principal) -> Result<bool, IamError> {
        if p.session.is_none() {
            return Ok(false);
        }
        // Commits by other processes (`iamd sessions revoke`) are noticed here (at most every
        // quarter second), and drop the cached revocations.
        let _ = self.store.generation();
        if let Some(list) = self.revocations.get(&p.account) {
            return Ok(refuses(&list, p));
        }
        let engine = self.clone();
        let principal = p.clone();
        tokio::task::spawn_blocking(move || engine.session_revoked_blocking(&principal))
            .await
            .map_err(|_| IamError::from(ApiError::service_failure()))?
    }

    pub fn session_revoked_blocking(&self, p: &Principal) -> Result<bool, IamError> {
        if p.session.is_none() {
            return Ok(false);
        }
        let _ = self.store.generation();
        let epoch = self.revocations.epoch();
        let list = match self.revocations.get(&p.account) {
            Some(l) => l,
            None => {
                let (list, reads) = iamd_store::read(self.store.as_ref(), |tx| {
                    let mut r = Recording::new(tx);
                    let list = all(&mut r, &p.account)?;
                    Ok::<_, StoreError>((Arc::new(list), r.reads))
                })?;
                self.revocations
                    .insert(epoch, p.account.clone(), list.clone(), reads);
                list
            }
        };
        Ok(refuses(&list, p))
    }
}
