//! AssumeRoleWithSAML after the response was verified (`iamd-saml`): AWS's attributes are
//! mapped (`Role` pairs, `RoleSessionName`, `SessionDuration`, `PrincipalTag:*`,
//! `TransitiveTagKeys`, `SourceIdentity`), the role's trust policy decides with the `saml:*`
//! keys, and the assertion's ID is remembered until it expires so it cannot be replayed.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;

use iamd_iam::{IamError, roles};
use iamd_policy::{Context, PolicySet};
use iamd_store::Tx;
use iamd_token::{KeyRing, SessionTag};
use iamd_wire::{ApiError, Params, Value};

use crate::issue::{credentials, session_policies, token_failure};
use crate::web_identity::{find_role, role_session, trust_policy};

const ATTR: &str = "https://aws.amazon.com/SAML/Attributes/";

/// A verified SAML response and the provider that vouched for it.
pub struct SamlIdentity {
    /// `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
    pub provider_arn: String,
    pub provider_name: String,
    pub account: String,
    pub verified: iamd_saml::Verified,
}

fn invalid_token(m: impl Into<String>) -> IamError {
    ApiError::new("InvalidIdentityToken", 400, m).into()
}

fn denied(arn: &str) -> IamError {
    IamError::access_denied(format!(
        "Not authorized to perform sts:AssumeRoleWithSAML on resource {arn}"
    ))
}

fn attr<'v>(v: &'v iamd_saml::Verified, name: &str) -> Option<&'v [String]> {
    v.attributes
        .iter()
        .find(|(n, _)| n == &format!("{ATTR}{name}"))
        .map(|(_, vals)| vals.as_slice())
}

/// `SubjectType` as AWS reports it: `persistent`, `transient`, or the format URI.
fn subject_type(format: &str) -> String {
    match format {
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" => "persistent".into(),
        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient" => "transient".into(),
        other => other.into(),
    }
}

/// AWS's `NameQualifier`: base64(SHA-1(issuer + account ID + "/" + provider name)).
fn name_qualifier(issuer: &str, account: &str, provider: &str) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        format!("{issuer}{account}/{provider}").as_bytes(),
    );
    STANDARD.encode(d.as_ref())
}

fn replay_key(account: &str, id: &str) -> Vec<u8> {
    format!("samlreplay/{account}/{id}").into_bytes()
}

pub fn assume_role_with_saml(
    tx: &mut dyn Tx,
    ring: &KeyRing,
    now: OffsetDateTime,
    p: &Params,
    id: &SamlIdentity,
) -> Result<Value, IamError> {
    let arn = p.str("RoleArn").unwrap_or_default();
    let v = &id.verified;
    // Replays: the ID is kept (with its expiry) in the same transaction that issues the session.
    let rkey = replay_key(&id.account, &v.assertion_id);
    if let Some(until) = tx.get(&rkey)? {
        let until = std::str::from_utf8(&until)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(i64::MAX);
        if until > now.unix_timestamp() {
            return Err(invalid_token("The SAML assertion has already been used."));
        }
    }
    // The Role attribute must pair this role with this provider.
    let pairs = attr(v, "Role").unwrap_or_default();
    let paired = pairs.iter().any(|pair| {
        let parts: Vec<&str> = pair.split(',').map(str::trim).collect();
        parts.len() == 2 && parts.contains(&arn) && parts.contains(&id.provider_arn.as_str())
    });
    if !paired {
        return Err(denied(arn));
    }
    let session_name = attr(v, "RoleSessionName")
        .and_then(|s| s.first())
        .cloned()
        .ok_or_else(|| invalid_token("The SAML assertion has no RoleSessionName attribute."))?;
    let name_ok = (2..=64).contains(&session_name.len())
        && session_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !name_ok {
        return Err(invalid_token(
            "The RoleSessionName attribute is not a valid session name.",
        ));
    }
    let (account, role) = find_role(tx, arn, || denied(arn))?;
    if account != id.account {
        return Err(denied(arn));
    }
    let role_arn = roles::role_arn(&account, &role.path, &role.name);
    let trust = trust_policy(&role, &role_arn)?;
    let principal = iamd_policy::Principal::federated(&id.provider_arn, &account);
    let sub_type = subject_type(&v.subject_format);
    let qualifier = name_qualifier(&v.issuer, &account, &id.provider_name);
    let mut context = Context::new();
    context.insert_str("saml:aud", &v.recipient);
    context.insert_str("saml:iss", &v.issuer);
    context.insert_str("saml:sub", &v.subject);
    context.insert_str("saml:sub_type", &sub_type);
    context.insert_str("saml:namequalifier", &qualifier);
    context.insert_str("aws:FederatedProvider", &id.provider_arn);
    context.insert_str("sts:RoleSessionName", &session_name);
    // Other attributes by their short names (`saml:eduPersonAffiliation`, …).
    for (name, values) in &v.attributes {
        let short = name.rsplit(['/', ':']).next().unwrap_or(name);
        if !name.starts_with(ATTR) && !short.is_empty() {
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            context.insert_strs(&format!("saml:{}", short.to_ascii_lowercase()), &refs);
        }
    }
    let mut tags = Vec::new();
    for (name, values) in &v.attributes {
        if let Some(k) = name.strip_prefix(&format!("{ATTR}PrincipalTag:")) {
            let value = values.first().cloned().unwrap_or_default();
            if tags
                .iter()
                .any(|t: &SessionTag| t.key.eq_ignore_ascii_case(k))
            {
                return Err(IamError::invalid_parameter_value(
                    "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
                ));
            }
            context.insert_str(&format!("aws:RequestTag/{k}"), &value);
            tags.push(SessionTag::new(k, value));
        }
    }
    if !tags.is_empty() {
        let keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
        context.insert_strs("aws:TagKeys", &keys);
    }
    let source_identity = attr(v, "SourceIdentity").and_then(|s| s.first()).cloned();
    if let Some(si) = &source_identity {
        context.insert_str("sts:SourceIdentity", si);
    }
    context.with_time(now);
    let set = PolicySet {
        resource: Some(Arc::new(trust)),
        resource_owner: Some(account.clone()),
        ..PolicySet::default()
    };
    let evaluate = |action: &str| {
        iamd_policy::evaluate(
            &iamd_policy::Request {
                principal: &principal,
                action,
                resource: &role_arn,
                context: &context,
            },
            &set,
        )
        .is_allowed()
    };
    if !evaluate("sts:AssumeRoleWithSAML")
        || (!tags.is_empty() && !evaluate("sts:TagSession"))
        || (source_identity.is_some() && !evaluate("sts:SetSourceIdentity"))
    {
        return Err(denied(arn));
    }
    let requested = p.int("DurationSeconds");
    let from_idp = attr(v, "SessionDuration")
        .and_then(|s| s.first())
        .and_then(|s| s.parse::<i64>().ok());
    let duration = requested.or(from_idp).unwrap_or(3600);
    if duration > role.max_session_duration {
        return Err(IamError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let mut s = role_session(
        &account,
        &role,
        &session_name,
        duration,
        now,
        &id.provider_arn,
        Some(id.provider_arn.clone()),
    )?;
    s.tags = tags;
    for k in attr(v, "TransitiveTagKeys").unwrap_or_default() {
        if !s.tags.iter().any(|t| t.key.eq_ignore_ascii_case(k)) {
            return Err(invalid_token(format!(
                "The transitive tag key {k} is not one of the assertion's principal tags."
            )));
        }
        s.transitive_tag_keys.push(k.clone());
    }
    s.source_identity = source_identity.clone();
    let (session_arn, user_id) = (s.arn.clone(), s.user_id.clone());
    let packed = session_policies(tx, &account, p, &mut s)?;
    let token =
        iamd_token::seal(&s, ring).map_err(|e| token_failure("sealing a session token", e))?;
    tx.put(
        &rkey,
        v.not_on_or_after.unix_timestamp().to_string().as_bytes(),
    )?;
    Ok(Value::object()
        .with("Credentials", credentials(&s, &token)?)
        .with(
            "AssumedRoleUser",
            Value::object()
                .with("AssumedRoleId", user_id)
                .with("Arn", session_arn),
        )
        .with("PackedPolicySize", packed as i64)
        .with("Subject", v.subject.as_str())
        .with("SubjectType", sub_type)
        .with("Issuer", v.issuer.as_str())
        .with("Audience", v.recipient.as_str())
        .with("NameQualifier", qualifier)
        .with_opt("SourceIdentity", source_identity))
}
