//! AssumeRoleWithWebIdentity: an unsigned request whose caller proves itself with an OpenID
//! Connect ID token. The server verifies the token (signature, issuer, audience, expiry); here
//! the role's trust policy alone decides, with the token's claims as condition keys.

use std::sync::Arc;

use time::OffsetDateTime;

use iamd_iam::{EntityKind, IamError, roles};
use iamd_policy::{CompiledPolicy, Context, DocumentKind, PolicySet};
use iamd_store::Tx;
use iamd_token::{KeyRing, Session, SessionPrincipal};
use iamd_wire::{Params, Value};

use crate::issue::{credentials, parse_role_arn, session_policies, token_failure};

/// A verified web identity.
#[derive(Debug, Clone)]
pub struct WebIdentity {
    /// The principal trust policies name: the provider's ARN
    /// (`arn:aws:iam::ACCOUNT:oidc-provider/NAME`) or a well-known name (`accounts.google.com`).
    pub provider: String,
    /// The token's `iss`.
    pub issuer: String,
    pub subject: String,
    pub audience: String,
    /// `NAME:sub`, `NAME:aud`, `NAME:amr`, … with their values.
    pub condition_keys: Vec<(String, Vec<String>)>,
}

fn denied(arn: &str) -> IamError {
    IamError::access_denied(format!(
        "Not authorized to perform sts:AssumeRoleWithWebIdentity on resource {arn}"
    ))
}

/// The role `RoleArn` names, or `denied` when there is none (AWS does not say a role is missing);
/// a store failure stays one.
pub(crate) fn find_role(
    tx: &mut dyn Tx,
    arn: &str,
    denied: impl FnOnce() -> IamError,
) -> Result<(String, iamd_iam::records::Role), IamError> {
    let (account, name) =
        parse_role_arn(arn).ok_or_else(|| IamError::validation(format!("{arn} is invalid")))?;
    match roles::find(tx, account, name) {
        Ok(role) => Ok((account.to_string(), role)),
        Err(e) if e.is_not_found(EntityKind::Role) => Err(denied()),
        Err(e) => Err(e),
    }
}

/// The role's trust policy, compiled. It was validated when stored, so a failure here is a
/// corrupt record.
pub(crate) fn trust_policy(
    role: &iamd_iam::records::Role,
    role_arn: &str,
) -> Result<CompiledPolicy, IamError> {
    CompiledPolicy::from_text(
        &role.assume_role_policy,
        DocumentKind::RoleTrust,
        format!("{role_arn}/trust"),
    )
    .map_err(|e| IamError::internal(format!("the trust policy of {role_arn}: {e}")))
}

/// A fresh role session (new credentials) for `role` in `account`, not yet sealed.
pub(crate) fn role_session(
    account: &str,
    role: &iamd_iam::records::Role,
    session_name: &str,
    duration: i64,
    now: OffsetDateTime,
    issuer: &str,
    federated_provider: Option<String>,
) -> Result<Session, IamError> {
    let creds = iamd_token::mint_credentials()
        .map_err(|e| token_failure("minting session credentials", e))?;
    let t = now.unix_timestamp();
    Ok(Session {
        version: iamd_token::SESSION_VERSION,
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        account: account.to_string(),
        principal: SessionPrincipal::AssumedRole {
            role_arn: roles::role_arn(account, &role.path, &role.name),
            role_id: role.id.clone(),
            session_name: session_name.to_string(),
            federated_provider,
        },
        arn: iamd_token::assumed_role_arn(account, &role.name, session_name),
        user_id: iamd_token::assumed_role_user_id(&role.id, session_name),
        policy: None,
        policy_arns: Vec::new(),
        mfa_authenticated: false,
        mfa_auth_time: None,
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        issued_at: t,
        expires_at: t + duration,
        issuer: issuer.to_string(),
        chain_depth: 0,
        key_id: 0,
    })
}

pub fn assume_role_with_web_identity(
    tx: &mut dyn Tx,
    ring: &KeyRing,
    now: OffsetDateTime,
    p: &Params,
    id: &WebIdentity,
) -> Result<Value, IamError> {
    let arn = p.str("RoleArn").unwrap_or_default();
    let session_name = p.str("RoleSessionName").unwrap_or_default();
    let (account, role) = find_role(tx, arn, || denied(arn))?;
    let account = account.as_str();
    let role_arn = roles::role_arn(account, &role.path, &role.name);
    let trust = trust_policy(&role, &role_arn)?;
    let principal = iamd_policy::Principal::federated(&id.provider, account);
    let mut context = Context::new();
    for (k, values) in &id.condition_keys {
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        context.insert_strs(k, &refs);
    }
    context.insert_str("aws:FederatedProvider", &id.provider);
    context.insert_str("sts:RoleSessionName", session_name);
    context.with_time(now);
    let set = PolicySet {
        resource: Some(Arc::new(trust)),
        resource_owner: Some(account.to_string()),
        ..PolicySet::default()
    };
    let request = iamd_policy::Request {
        principal: &principal,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: &role_arn,
        context: &context,
    };
    if !iamd_policy::evaluate(&request, &set).is_allowed() {
        return Err(denied(arn));
    }
    let duration = p.int("DurationSeconds").unwrap_or(3600);
    if duration > role.max_session_duration {
        return Err(IamError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let mut s = role_session(
        account,
        &role,
        session_name,
        duration,
        now,
        &id.provider,
        Some(id.provider.clone()),
    )?;
    let (session_arn, user_id) = (s.arn.clone(), s.user_id.clone());
    let packed = session_policies(tx, account, p, &mut s)?;
    let token =
        iamd_token::seal(&s, ring).map_err(|e| token_failure("sealing a session token", e))?;
    Ok(Value::object()
        .with("Credentials", credentials(&s, &token)?)
        .with("SubjectFromWebIdentityToken", id.subject.as_str())
        .with(
            "AssumedRoleUser",
            Value::object()
                .with("AssumedRoleId", user_id)
                .with("Arn", session_arn),
        )
        .with("PackedPolicySize", packed as i64)
        .with("Provider", id.issuer.as_str())
        .with("Audience", id.audience.as_str()))
}

/// Role credentials for an instance (the metadata agent): as AWS's EC2 does for an instance
/// profile, the role's trust policy must allow the service `ec2.amazonaws.com` to assume it.
/// (The caller's `iam:PassRole` is checked by the server before this runs.)
pub fn assume_role_for_instance(
    tx: &mut dyn Tx,
    ring: &KeyRing,
    now: OffsetDateTime,
    p: &Params,
    issuer: &str,
) -> Result<Value, IamError> {
    let arn = p.str("RoleArn").unwrap_or_default();
    let session_name = p.str("RoleSessionName").unwrap_or("instance");
    let denied = || {
        IamError::access_denied(format!(
            "ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: {arn}"
        ))
    };
    let (account, role) = find_role(tx, arn, denied)?;
    let account = account.as_str();
    if tx
        .scan(&iamd_iam::keys::role_profiles(account, &role.id), None, 1)?
        .is_empty()
    {
        return Err(IamError::invalid_input(format!(
            "Role {arn} is not in an instance profile."
        )));
    }
    let role_arn = roles::role_arn(account, &role.path, &role.name);
    let trust = trust_policy(&role, &role_arn)?;
    let principal = iamd_policy::Principal::service("ec2.amazonaws.com");
    let mut context = Context::new();
    context.with_time(now);
    let set = PolicySet {
        resource: Some(Arc::new(trust)),
        resource_owner: Some(account.to_string()),
        ..PolicySet::default()
    };
    let request = iamd_policy::Request {
        principal: &principal,
        action: "sts:AssumeRole",
        resource: &role_arn,
        context: &context,
    };
    if !iamd_policy::evaluate(&request, &set).is_allowed() {
        return Err(denied());
    }
    let duration = p
        .int("DurationSeconds")
        .unwrap_or(3600)
        .min(role.max_session_duration);
    let s = role_session(account, &role, session_name, duration, now, issuer, None)?;
    let (session_arn, user_id) = (s.arn.clone(), s.user_id.clone());
    let token =
        iamd_token::seal(&s, ring).map_err(|e| token_failure("sealing a session token", e))?;
    Ok(Value::object()
        .with("Credentials", credentials(&s, &token)?)
        .with(
            "AssumedRoleUser",
            Value::object()
                .with("AssumedRoleId", user_id)
                .with("Arn", session_arn),
        ))
}
