//! GetSessionToken, GetFederationToken and AssumeRole: who may get which session, for how long,
//! with which session policies, tags and MFA state.

use iamd_iam::{Ctx, EntityKind, IamError, PrincipalKind, mfa, policies, roles};
use iamd_policy::PolicyKind;
use iamd_store::Tx;
use iamd_token::{Session, SessionOwner, SessionPrincipal, SessionTag, TokenError};
use iamd_wire::{Params, Value};

/// Session policies, tags and transitive keys together may use this much packed space (AWS
/// reports the share used as `PackedPolicySize`, a percentage).
const PACKED_LIMIT: usize = 2048;

fn validation(message: impl Into<String>) -> IamError {
    IamError::validation(message)
}

/// Sealing and minting fail only on our side (no sealing key, the random source).
pub(crate) fn token_failure(what: &str, e: TokenError) -> IamError {
    IamError::internal(format!("{what}: {e}"))
}

/// `Credentials` of a response.
pub(crate) fn credentials(s: &Session, token: &str) -> Result<Value, IamError> {
    let expiration = time::OffsetDateTime::from_unix_timestamp(s.expires_at)
        .map_err(|e| IamError::internal(format!("a session's expiration: {e}")))?;
    Ok(Value::object()
        .with("AccessKeyId", s.access_key_id.as_str())
        .with("SecretAccessKey", s.secret_access_key.as_str())
        .with("SessionToken", token)
        .with("Expiration", expiration))
}

fn seal(ctx: &Ctx, s: &Session) -> Result<String, IamError> {
    iamd_token::seal(s, ctx.ring).map_err(|e| token_failure("sealing a session token", e))
}

/// A session with fresh credentials and the common fields filled.
fn new_session(
    ctx: &Ctx,
    principal: SessionPrincipal,
    arn: String,
    user_id: String,
    duration: i64,
) -> Result<Session, IamError> {
    let creds = iamd_token::mint_credentials()
        .map_err(|e| token_failure("minting session credentials", e))?;
    let now = ctx.now.unix_timestamp();
    let inherited = ctx.caller.session.as_deref();
    Ok(Session {
        version: iamd_token::SESSION_VERSION,
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        account: ctx.account.to_string(),
        principal,
        arn,
        user_id,
        policy: None,
        policy_arns: Vec::new(),
        // MFA state carries over when a session is used to get another one.
        mfa_authenticated: inherited.is_some_and(|s| s.mfa_authenticated),
        mfa_auth_time: inherited.and_then(|s| s.mfa_auth_time),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: inherited.and_then(|s| s.source_identity.clone()),
        issued_at: now,
        expires_at: now + duration,
        issuer: ctx.caller.arn.clone(),
        chain_depth: inherited.map_or(0, |s| s.chain_depth.saturating_add(1)),
        key_id: 0,
    })
}

/// `SerialNumber` + `TokenCode`: checked against the caller's MFA device.
fn check_mfa(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, s: &mut Session) -> Result<(), IamError> {
    match (p.str("SerialNumber"), p.str("TokenCode")) {
        (None, None) => Ok(()),
        (Some(serial), Some(code)) => {
            let user_id = match &ctx.caller.kind {
                PrincipalKind::User { .. } => Some(ctx.caller.user_id.as_str()),
                PrincipalKind::Root => None,
                _ => {
                    return Err(IamError::access_denied(
                        "MultiFactorAuthentication failed: MFA devices belong to IAM users.",
                    ));
                }
            };
            mfa::check_code(tx, ctx, user_id, serial, code)?;
            s.mfa_authenticated = true;
            s.mfa_auth_time = Some(ctx.now.unix_timestamp());
            Ok(())
        }
        _ => Err(validation(
            "SerialNumber and TokenCode must be given together.",
        )),
    }
}

/// `Policy` and `PolicyArns`: validated as identity policies; returns the packed size share.
pub(crate) fn session_policies(
    tx: &mut dyn Tx,
    account: &str,
    p: &Params,
    s: &mut Session,
) -> Result<usize, IamError> {
    let mut used = 0usize;
    if let Some(doc) = p.str("Policy") {
        iamd_policy::validate(doc, PolicyKind::Session)
            .map_err(|e| IamError::malformed_policy(e.message))?;
        used += iamd_policy::policy_size(doc);
        s.policy = Some(doc.to_string());
    }
    for d in p.list("PolicyArns").unwrap_or_default() {
        let Some(arn) = d.get("arn").and_then(Value::as_str) else {
            continue;
        };
        // AWS answers a session policy ARN that names no policy as a malformed policy.
        if policies::resolve_existing(tx, account, arn)?.is_none() {
            return Err(IamError::malformed_policy(format!(
                "Policy {arn} does not exist or is not attachable."
            )));
        }
        used += arn.len();
        s.policy_arns.push(arn.to_string());
    }
    for t in p.list("Tags").unwrap_or_default() {
        let key = t.get("Key").and_then(Value::as_str).unwrap_or_default();
        let value = t.get("Value").and_then(Value::as_str).unwrap_or_default();
        if s.tags.iter().any(|e| e.key.eq_ignore_ascii_case(key)) {
            return Err(IamError::invalid_parameter_value(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        used += key.len() + value.len();
        s.tags.push(SessionTag::new(key, value));
    }
    let percent = (used * 100).div_ceil(PACKED_LIMIT);
    if percent > 100 {
        return Err(IamError::PackedPolicyTooLarge { percent });
    }
    Ok(percent)
}

fn duration(p: &Params, default: i64, max: i64, too_long: &str) -> Result<i64, IamError> {
    let d = p.int("DurationSeconds").unwrap_or(default);
    if d > max {
        return Err(validation(too_long));
    }
    Ok(d)
}

pub fn get_session_token(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    if ctx.caller.is_session() {
        return Err(IamError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    let (owner, duration) = match &ctx.caller.kind {
        // Root sessions are limited to an hour: longer requests get an hour.
        PrincipalKind::Root => (
            SessionOwner::Root,
            p.int("DurationSeconds").unwrap_or(3600).min(3600),
        ),
        PrincipalKind::User { .. } => (
            SessionOwner::User {
                user_arn: ctx.caller.arn.clone(),
                user_id: ctx.caller.user_id.clone(),
            },
            p.int("DurationSeconds").unwrap_or(43_200),
        ),
        _ => {
            return Err(IamError::access_denied(
                "Cannot call GetSessionToken with session credentials",
            ));
        }
    };
    let mut s = new_session(
        ctx,
        SessionPrincipal::SessionOf(owner),
        ctx.caller.arn.clone(),
        ctx.caller.user_id.clone(),
        duration,
    )?;
    check_mfa(tx, ctx, p, &mut s)?;
    let token = seal(ctx, &s)?;
    Ok(Value::object().with("Credentials", credentials(&s, &token)?))
}

pub fn get_federation_token(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let issuer = match &ctx.caller.kind {
        _ if ctx.caller.is_session() => {
            return Err(IamError::access_denied(
                "Cannot call GetFederationToken with session credentials",
            ));
        }
        PrincipalKind::User { .. } | PrincipalKind::Root => ctx.caller.arn.clone(),
        _ => {
            return Err(IamError::access_denied(
                "Cannot call GetFederationToken with session credentials",
            ));
        }
    };
    let name = p.str("Name").unwrap_or_default();
    let duration = if ctx.caller.is_root() {
        p.int("DurationSeconds").unwrap_or(3600).min(3600)
    } else {
        p.int("DurationSeconds").unwrap_or(43_200)
    };
    let arn = iamd_token::federated_user_arn(ctx.account, name);
    let id = iamd_token::federated_user_id(ctx.account, name);
    let principal = SessionPrincipal::FederatedUser {
        name: name.to_string(),
        issuer_user_arn: issuer,
    };
    let mut s = new_session(ctx, principal, arn.clone(), id.clone(), duration)?;
    let packed = session_policies(tx, ctx.account, p, &mut s)?;
    let token = seal(ctx, &s)?;
    Ok(Value::object()
        .with("Credentials", credentials(&s, &token)?)
        .with(
            "FederatedUser",
            Value::object().with("FederatedUserId", id).with("Arn", arn),
        )
        .with("PackedPolicySize", packed as i64))
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` → (ACCOUNT, NAME).
pub(crate) fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, rest) = rest.split_once(":role/")?;
    Some((account, rest.rsplit('/').next()?))
}

pub fn assume_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    // `--dev`'s unverified root is the one exception: suites written for emulators assume
    // roles with dummy keys (its trust policy is still evaluated by the engine).
    if ctx.caller.is_root() && !ctx.caller.is_session() && !ctx.caller.dev_unverified {
        return Err(IamError::access_denied(
            "Roles may not be assumed by root accounts.",
        ));
    }
    let arn = p.str("RoleArn").unwrap_or_default();
    let session_name = p.str("RoleSessionName").unwrap_or_default();
    let Some((account, name)) = parse_role_arn(arn) else {
        return Err(validation(format!("{arn} is invalid")));
    };
    // A role that does not exist is a denial, as AWS answers; a store failure stays one.
    let mut role = match roles::find(tx, account, name) {
        Ok(r) => r,
        Err(e) if e.is_not_found(EntityKind::Role) => {
            return Err(IamError::access_denied(format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {arn}",
                ctx.caller.arn
            )));
        }
        Err(e) => return Err(e),
    };
    let chained = matches!(ctx.caller.kind, PrincipalKind::AssumedRole { .. });
    let duration = if chained {
        duration(
            p,
            3600,
            iamd_token::CHAINED_MAX_DURATION_SECS,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        )?
    } else {
        duration(
            p,
            3600,
            role.max_session_duration,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )?
    };
    let role_arn = roles::role_arn(account, &role.path, &role.name);
    let session_arn = iamd_token::assumed_role_arn(account, &role.name, session_name);
    let user_id = iamd_token::assumed_role_user_id(&role.id, session_name);
    let principal = SessionPrincipal::AssumedRole {
        role_arn,
        role_id: role.id.clone(),
        session_name: session_name.to_string(),
        federated_provider: None,
    };
    let mut s = new_session(
        ctx,
        principal,
        session_arn.clone(),
        user_id.clone(),
        duration,
    )?;
    s.account = account.to_string();
    // Transitive session tags of the calling session carry over to the chained one.
    if let Some(prev) = ctx.caller.session.as_deref() {
        for t in prev.transitive_tags() {
            s.tags.push(t.clone());
        }
        s.transitive_tag_keys = prev.transitive_tag_keys.clone();
    }
    if let Some(si) = p.str("SourceIdentity") {
        if s.source_identity.as_deref().is_some_and(|prev| prev != si) {
            return Err(validation(
                "SourceIdentity cannot be changed once set on a role session chain.",
            ));
        }
        s.source_identity = Some(si.to_string());
    }
    check_mfa(tx, ctx, p, &mut s)?;
    let packed = session_policies(tx, ctx.account, p, &mut s)?;
    for k in p
        .list("TransitiveTagKeys")
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
    {
        if !s.tags.iter().any(|t| t.key.eq_ignore_ascii_case(k)) {
            return Err(IamError::invalid_parameter_value(format!(
                "The specified transitive tag key {k} must be included in the requested tags."
            )));
        }
        s.transitive_tag_keys.push(k.to_string());
    }
    let token = seal(ctx, &s)?;
    role.last_used = Some(iamd_iam::records::RoleLastUsed {
        date: ctx.now,
        region: "us-east-1".to_string(),
    });
    iamd_iam::records::put(tx, &iamd_iam::keys::role(account, &role.name), &role)?;
    Ok(Value::object()
        .with("Credentials", credentials(&s, &token)?)
        .with(
            "AssumedRoleUser",
            Value::object()
                .with("AssumedRoleId", user_id)
                .with("Arn", session_arn),
        )
        .with("PackedPolicySize", packed as i64)
        .with_opt("SourceIdentity", s.source_identity.clone()))
}

/// `GetAccessKeyInfo`: the account an access key belongs to. Long-term keys are looked up;
/// a temporary key is the caller's own session key or unknown (iamd's key IDs do not encode
/// the account, unlike AWS's).
pub fn get_access_key_info(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let id = p.str("AccessKeyId").unwrap_or_default();
    let account = if ctx.caller.access_key_id.as_deref() == Some(id) {
        Some(ctx.caller.account.clone())
    } else {
        iamd_iam::records::get::<iamd_iam::records::AccessKey>(tx, &iamd_iam::keys::access_key(id))?
            .map(|k| k.account)
    };
    match account {
        Some(a) => Ok(Value::object().with("Account", a)),
        None => Err(IamError::invalid_parameter_value(format!(
            "The access key {id} is not known to this server."
        ))),
    }
}

#[cfg(test)]
mod tests;
