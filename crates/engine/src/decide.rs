//! `Authorize`: another service asks whether a principal may act. The subject is the principal
//! that signed the forwarded request (authenticated by the front end) or one named by ARN; each
//! check is evaluated with AWS's full logic: identity policies, boundary, session policies, and
//! an optional resource-based policy with its owner (both sides across accounts).

use std::sync::Arc;

use iamd_iam::{IamError, Principal, PrincipalKind, roles, users};
use iamd_policy::{CompiledPolicy, Context, DocumentKind};
use iamd_store::Tx;
use iamd_wire::{ApiError, Params, Value};

use crate::authorize::{
    decision_name, engine_principal, global_context, policy_set, request_context, statements_of,
};
use crate::{Engine, RequestFacts};

fn invalid(message: impl Into<String>) -> IamError {
    ApiError::invalid_input(message).into()
}

/// The principal an ARN names: a user, a role (its policies, no session policy) or a root.
pub fn principal_by_arn(tx: &mut dyn Tx, arn: &str) -> Result<Principal, IamError> {
    let rest = arn
        .strip_prefix("arn:aws:iam::")
        .ok_or_else(|| invalid(format!("{arn} is not a user, role or root ARN.")))?;
    let (account, resource) = rest
        .split_once(':')
        .ok_or_else(|| invalid(format!("{arn} is not a user, role or root ARN.")))?;
    if resource == "root" {
        return Ok(Principal::root(account, None));
    }
    let name = resource.rsplit('/').next().unwrap_or_default();
    if resource.starts_with("user/") {
        let u = users::find(tx, account, name)?;
        return Ok(Principal::user(account, &u.name, &u.path, &u.id, None));
    }
    if resource.starts_with("role/") {
        let r = roles::find(tx, account, name)?;
        return Ok(Principal {
            account: account.to_string(),
            kind: PrincipalKind::AssumedRole {
                role_name: r.name.clone(),
                role_path: r.path.clone(),
                role_id: r.id.clone(),
                session_name: String::new(),
            },
            arn: roles::role_arn(account, &r.path, &r.name),
            user_id: r.id,
            access_key_id: None,
            session: None,
            dev_unverified: false,
            audit_identity: Default::default(),
        });
    }
    Err(invalid(format!("{arn} is not a user, role or root ARN.")))
}

fn principal_type(p: &Principal) -> &'static str {
    match p.kind {
        PrincipalKind::Root => "Root",
        PrincipalKind::User { .. } => "IAMUser",
        PrincipalKind::AssumedRole { .. } => "AssumedRole",
        PrincipalKind::FederatedUser { .. } => "FederatedUser",
    }
}

/// Adds `{key: [values]}` entries of a context map to `c` (later keys replace earlier ones).
fn add_context(c: &mut Context, map: Option<&Value>) {
    let Some(Value::Map(entries) | Value::Struct(entries)) = map else {
        return;
    };
    for (k, v) in entries {
        let values: Vec<&str> = v
            .as_list()
            .map(|l| l.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match values.as_slice() {
            [one] => c.insert_str(k, one),
            many => c.insert_strs(k, many),
        };
    }
}

/// Evaluates every check for `subject`. Returns the answer and the overall decision.
pub fn decide(
    engine: &Engine,
    tx: &mut dyn Tx,
    subject: &Principal,
    p: &Params,
    facts: &RequestFacts,
    now: time::OffsetDateTime,
    policy_epoch: u64,
) -> Result<(Value, &'static str, Vec<String>), IamError> {
    let resource_policy = resource_policy(p)?;
    let compiled = if subject.is_root() && subject.session.is_none() {
        None
    } else {
        Some(policy_set(engine, tx, subject, policy_epoch)?)
    };
    let tags = compiled
        .as_ref()
        .map(|c| c.principal_tags.clone())
        .unwrap_or_default();
    let mut base = match &compiled {
        Some(c) => request_context(
            c.caller_keys(subject),
            subject.session.as_deref(),
            facts,
            now,
        ),
        None => global_context(subject, &tags, facts, now),
    };
    add_context(&mut base, p.get("Context"));
    let base = Arc::new(base);
    let principal = engine_principal(subject);
    let checks = checks(p)?;
    let mut results = Vec::new();
    let mut overall = "Allow";
    let mut all_statements = Vec::new();
    for check in checks {
        let (action, resource, context) = check_parts(check, &base);
        let request = iamd_policy::Request {
            principal: &principal,
            action,
            resource,
            context: &context,
        };
        let (decision, statements) = match &compiled {
            // An account's root may do anything in its own account, unless a resource policy
            // of another account decides otherwise.
            None => {
                let foreign = p.str("ResourceOwner").is_some_and(|o| o != subject.account);
                match (&resource_policy, foreign) {
                    (Some(rp), true) => {
                        let set = iamd_policy::PolicySet {
                            identity: vec![allow_all()?],
                            resource: Some(rp.clone()),
                            resource_owner: p.str("ResourceOwner").map(str::to_string),
                            ..Default::default()
                        };
                        let r = iamd_policy::evaluate(&request, &set);
                        (decision_name(r.decision), statements_of(&r))
                    }
                    // Another account's resource without a policy granting anything.
                    (None, true) => ("ImplicitDeny", Vec::new()),
                    _ => ("Allow", vec!["root".to_string()]),
                }
            }
            // Without a resource policy or another owner, the principal's remembered decisions
            // apply (the memo knows neither).
            Some(c) if resource_policy.is_none() && p.str("ResourceOwner").is_none() => {
                let key = c.memo.key(action, resource, &context);
                match key.as_deref().and_then(|k| c.memo.get(k)) {
                    Some(hit) => (decision_name(hit.decision), hit.statements.to_vec()),
                    None => {
                        let r = iamd_policy::evaluate(&request, &c.set);
                        let statements = statements_of(&r);
                        if let Some(k) = key {
                            c.memo.insert(k, r.decision, statements.clone());
                        }
                        (decision_name(r.decision), statements)
                    }
                }
            }
            Some(c) => {
                let mut set = c.set.clone();
                set.resource = resource_policy.clone();
                set.resource_owner = p.str("ResourceOwner").map(str::to_string);
                let r = iamd_policy::evaluate(&request, &set);
                (decision_name(r.decision), statements_of(&r))
            }
        };
        overall = combine(overall, decision);
        all_statements.extend(statements.iter().cloned());
        results.push(check_result(action, resource, decision, statements));
    }
    let tag_map = Value::Map(
        tags.iter()
            .map(|t| (t.key.clone(), Value::Str(t.value.clone())))
            .collect(),
    );
    let out = Value::object()
        .with("Decision", overall)
        .with(
            "Principal",
            Value::object()
                .with("Arn", subject.arn.as_str())
                .with("Account", subject.account.as_str())
                .with("UserId", subject.user_id.as_str())
                .with("Type", principal_type(subject))
                .with_opt("AccessKeyId", subject.access_key_id.clone())
                .with("Tags", tag_map),
        )
        .with("Results", Value::List(results));
    Ok((out, overall, all_statements))
}

/// Evaluates every check for an unauthenticated caller (an unsigned request): it has no
/// identity side, so only a resource-based policy granting access to everyone (`"*"`) allows
/// it; without one, every check is an implicit deny.
pub fn decide_anonymous(
    p: &Params,
    facts: &RequestFacts,
    now: time::OffsetDateTime,
) -> Result<(Value, &'static str, Vec<String>), IamError> {
    let resource_policy = resource_policy(p)?;
    let mut base = request_context(Arc::new(Context::new()), None, facts, now);
    add_context(&mut base, p.get("Context"));
    let base = Arc::new(base);
    let principal = iamd_policy::Principal::anonymous();
    let mut results = Vec::new();
    let mut overall = "Allow";
    let mut all_statements = Vec::new();
    for check in checks(p)? {
        let (action, resource, context) = check_parts(check, &base);
        let (decision, statements) = match &resource_policy {
            Some(rp) => {
                let set = iamd_policy::PolicySet {
                    resource: Some(rp.clone()),
                    resource_owner: p.str("ResourceOwner").map(str::to_string),
                    ..Default::default()
                };
                let request = iamd_policy::Request {
                    principal: &principal,
                    action,
                    resource,
                    context: &context,
                };
                let r = iamd_policy::evaluate(&request, &set);
                (decision_name(r.decision), statements_of(&r))
            }
            None => ("ImplicitDeny", Vec::new()),
        };
        overall = combine(overall, decision);
        all_statements.extend(statements.iter().cloned());
        results.push(check_result(action, resource, decision, statements));
    }
    let out = Value::object()
        .with("Decision", overall)
        .with(
            "Principal",
            Value::object()
                .with("Arn", "*")
                .with("Account", "")
                .with("UserId", "")
                .with("Type", "Anonymous")
                .with("Tags", Value::Map(Vec::new())),
        )
        .with("Results", Value::List(results));
    Ok((out, overall, all_statements))
}

/// A check's action, resource and condition keys (its own over the request's).
fn check_parts<'c>(check: &'c Value, base: &Arc<Context>) -> (&'c str, &'c str, Context) {
    let text = |k: &str| check.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut context = Context::over(base.clone());
    add_context(&mut context, check.get("Context"));
    (text("Action"), text("Resource"), context)
}

/// The request's resource-based policy, if it gives one.
fn resource_policy(p: &Params) -> Result<Option<Arc<CompiledPolicy>>, IamError> {
    match p.str("ResourcePolicy") {
        Some(doc) => CompiledPolicy::from_text(doc, DocumentKind::Resource, "resource-policy")
            .map(|c| Some(Arc::new(c)))
            .map_err(|e| IamError::from(ApiError::new("MalformedPolicyDocument", 400, e.message))),
        None => Ok(None),
    }
}

/// The checks asked for: at least one, never an Allow for asking nothing.
fn checks(p: &Params) -> Result<&[Value], IamError> {
    match p.list("Checks") {
        Some(c) if !c.is_empty() => Ok(c),
        _ => Err(invalid("Give at least one check.")),
    }
}

/// The overall decision: any explicit deny wins, then any implicit deny.
fn combine(overall: &'static str, decision: &'static str) -> &'static str {
    match (overall, decision) {
        (_, "ExplicitDeny") | ("ExplicitDeny", _) => "ExplicitDeny",
        (_, "ImplicitDeny") | ("ImplicitDeny", _) => "ImplicitDeny",
        _ => "Allow",
    }
}

fn check_result(action: &str, resource: &str, decision: &str, statements: Vec<String>) -> Value {
    Value::object()
        .with("Action", action)
        .with("Resource", resource)
        .with("Decision", decision)
        .with(
            "Statements",
            Value::List(statements.into_iter().map(Value::Str).collect()),
        )
}

fn allow_all() -> Result<Arc<CompiledPolicy>, IamError> {
    CompiledPolicy::from_text(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        DocumentKind::Identity,
        "root",
    )
    .map(Arc::new)
    .map_err(|e| IamError::Internal(e.message))
}
