//! AssumeRoleWithWebIdentity: an unsigned request whose caller proves itself with an OpenID
//! Connect ID token. The server verifies the token (signature, issuer, audience, expiry); here
//! the role's trust policy alone decides, with the token's claims as condition keys.

use std::sync::Arc;

use time::OffsetDateTime;

use iamd_iam::{IamError, roles};
use iamd_policy::{CompiledPolicy, Context, DocumentKind, PolicySet};
use iamd_store::Tx;
use iamd_token::{KeyRing, Session, SessionPrincipal};
use iamd_wire::{ApiError, Params, Value};

use crate::issue::{credentials, parse_role_arn, session_policies};

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
    ApiError::access_denied(format!(
        "Not authorized to perform sts:AssumeRoleWithWebIdentity on resource {arn}"
    ))
    .into()
}

/// A fresh role session (new credentials) for `role` in `account`, not yet sealed.
fn role_session(
    account: &str,
    role: &iamd_iam::records::Role,
    session_name: &str,
    duration: i64,
    now: OffsetDateTime,
    issuer: &str,
    federated_provider: Option<String>,
) -> Result<Session, IamError> {
    let creds =
        iamd_token::mint_credentials().map_err(|_| IamError::from(ApiError::service_failure()))?;
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
    let (account, name) = parse_role_arn(arn)
        .ok_or_else(|| IamError::from(ApiError::validation(format!("{arn} is invalid"))))?;
    let role = roles::find(tx, account, name).map_err(|_| denied(arn))?;
    let role_arn = roles::role_arn(account, &role.path, &role.name);
    let trust = CompiledPolicy::from_text(
        &role.assume_role_policy,
        DocumentKind::RoleTrust,
        format!("{role_arn}/trust"),
    )
    .map_err(|_| denied(arn))?;
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
        return Err(ApiError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
        .into());
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
    let token = iamd_token::seal(&s, ring)
        .map_err(|e| IamError::from(ApiError::new(e.code(), e.status(), e.message())))?;
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
    let denied = || -> IamError {
        ApiError::access_denied(format!(
            "ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: {arn}"
        ))
        .into()
    };
    let (account, name) = parse_role_arn(arn)
        .ok_or_else(|| IamError::from(ApiError::validation(format!("{arn} is invalid"))))?;
    let role = roles::find(tx, account, name).map_err(|_| denied())?;
    if tx
        .scan(&iamd_iam::keys::role_profiles(account, &role.id), None, 1)?
        .is_empty()
    {
        return Err(
            ApiError::invalid_input(format!("Role {arn} is not in an instance profile.")).into(),
        );
    }
    let role_arn = roles::role_arn(account, &role.path, &role.name);
    let trust = CompiledPolicy::from_text(
        &role.assume_role_policy,
        DocumentKind::RoleTrust,
        format!("{role_arn}/trust"),
    )
    .map_err(|_| denied())?;
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
    let token = iamd_token::seal(&s, ring)
        .map_err(|e| IamError::from(ApiError::new(e.code(), e.status(), e.message())))?;
    Ok(Value::object()
        .with("Credentials", credentials(&s, &token)?)
        .with(
            "AssumedRoleUser",
            Value::object()
                .with("AssumedRoleId", user_id)
                .with("Arn", session_arn),
        ))
}
