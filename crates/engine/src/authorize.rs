//! The authorize step: every principal but an account's own root is authorized by the policy
//! engine, with AWS's action names, resource ARNs and condition keys for each operation
//! (`iamd-actions`), and the policies that apply to the principal (`iamd-iam::authz`).
//!
//! Compiled policy sets are cached per principal and dropped when a key they were built from
//! changes (see `cache`), so a change to a policy, an attachment or a membership holds on the
//! next request, and unrelated writes leave the cache alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use time::OffsetDateTime;

use iamd_actions::{ActionCheck, Enforcement, ResourceKind, ResourceRef, Source};
use iamd_iam::authz::{self, PolicySources};
use iamd_iam::records::Tag;
use iamd_iam::{IamError, Principal, PrincipalKind};
use iamd_policy::{CompiledPolicy, Context, ContextValue, DocumentKind, PolicySet, Scalar};
use iamd_store::Tx;
use iamd_wire::{ApiError, Operation, Params};

use crate::Engine;
use crate::RequestFacts;
use crate::cache::Recording;
use crate::memo::DecisionMemo;
use crate::table::Entry;

/// The outcome of authorizing one call.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub allowed: bool,
    /// `Allow`, `ExplicitDeny`, `ImplicitDeny`; `Root` for an account's root user (never
    /// evaluated); `NotEvaluated` for operations AWS does not authorize.
    pub decision: &'static str,
    /// The statements that decided (`POLICY-ID#SID-or-index`).
    pub statements: Vec<String>,
    /// The denial as AWS words it.
    pub error: Option<ApiError>,
}

impl Verdict {
    fn allow(decision: &'static str, statements: Vec<String>) -> Verdict {
        Verdict {
            allowed: true,
            decision,
            statements,
            error: None,
        }
    }
    fn deny(decision: &'static str, statements: Vec<String>, error: ApiError) -> Verdict {
        Verdict {
            allowed: false,
            decision,
            statements,
            error: Some(error),
        }
    }
}

pub(crate) fn decision_name(d: iamd_policy::Decision) -> &'static str {
    match d {
        iamd_policy::Decision::Allowed => "Allow",
        iamd_policy::Decision::ExplicitDeny => "ExplicitDeny",
        iamd_policy::Decision::ImplicitDeny => "ImplicitDeny",
    }
}

/// The statements that decided: for a denial every statement that matched (each explicit Deny
/// counts); for an Allow, the first allowing statement of each kind of policy that had to allow
/// (identity, boundary, session, resource). The audit trail keeps these, so an Allow granted by
/// ten overlapping policies records what sufficed, not all ten.
pub(crate) fn statements_of(r: &iamd_policy::EvalResult) -> Vec<String> {
    let name = |m: &iamd_policy::MatchedStatement| match &m.sid {
        Some(sid) => format!("{}#{sid}", m.policy_id),
        None => m.policy_id.to_string(),
    };
    if r.decision != iamd_policy::Decision::Allowed {
        return r.matched.iter().map(name).collect();
    }
    let mut seen = Vec::new();
    r.matched
        .iter()
        .filter(|m| {
            let first = !seen.contains(&m.policy_type);
            seen.push(m.policy_type);
            first
        })
        .map(name)
        .collect()
}

/// A principal's policies, compiled, with what is built once per principal: its own condition
/// keys and its remembered decisions.
pub struct CompiledSet {
    pub set: PolicySet,
    pub principal_tags: Vec<Tag>,
    pub memo: DecisionMemo,
    caller_keys: OnceLock<Arc<Context>>,
}

impl CompiledSet {
    /// The caller's own condition keys (see [`caller_context`]). A set is cached per
    /// principal (a session's per access key), so they are the same for every request.
    pub fn caller_keys(&self, caller: &Principal) -> Arc<Context> {
        self.caller_keys
            .get_or_init(|| Arc::new(caller_context(caller, &self.principal_tags)))
            .clone()
    }
}

/// AWS managed policies, compiled once per process and shared by every principal's set: their
/// documents never change, and the largest (ReadOnlyAccess, 95 KB) takes milliseconds to
/// compile. At most one entry per AWS managed policy used.
#[derive(Default)]
pub struct AwsCompiled(Mutex<HashMap<&'static str, Arc<CompiledPolicy>>>);

impl AwsCompiled {
    /// The compiled policy when `id` is an AWS managed policy's ARN and `doc` its document.
    fn get_or_compile(
        &self,
        id: &str,
        doc: &str,
        compile: impl FnOnce() -> Option<Arc<CompiledPolicy>>,
    ) -> Option<Arc<CompiledPolicy>> {
        let Some(aws) = iamd_iam::aws_policies::by_arn(id).filter(|a| a.document() == doc) else {
            return compile();
        };
        // Keyed by name: unique among AWS managed policies, and static.
        if let Some(c) = self.lock().get(aws.name) {
            return Some(c.clone());
        }
        let c = compile()?;
        self.lock().insert(aws.name, c.clone());
        Some(c)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Arc<CompiledPolicy>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Compiles stored documents. A stored document was validated when it was written; one that
/// no longer compiles (a newer, stricter parser) grants nothing rather than failing requests.
/// AWS managed policies come from (and go to) `aws`.
pub fn compile(sources: PolicySources, aws: &AwsCompiled) -> CompiledSet {
    let compile_one = |id: &str, doc: &str| -> Option<Arc<CompiledPolicy>> {
        aws.get_or_compile(id, doc, || {
            match CompiledPolicy::from_text(doc, DocumentKind::Identity, id) {
                Ok(c) => Some(Arc::new(c)),
                Err(e) => {
                    tracing::warn!(policy = id, error = %e, "stored policy does not compile; ignored");
                    None
                }
            }
        })
    };
    let identity = sources
        .identity
        .iter()
        .filter_map(|s| compile_one(&s.id, &s.document))
        .collect();
    let session = sources.session.as_ref().map(|list| {
        list.iter()
            .filter_map(|s| compile_one(&s.id, &s.document))
            .collect::<Vec<_>>()
    });
    let permissions_boundary = sources.boundary.as_ref().map(|b| {
        compile_one(&b.id, &b.document).unwrap_or_else(|| {
            Arc::new(
                CompiledPolicy::from_text(
                    r#"{"Version":"2012-10-17","Statement":[]}"#,
                    DocumentKind::Identity,
                    b.id.as_str(),
                )
                .unwrap_or_else(|_| unreachable_empty()),
            )
        })
    });
    let set = PolicySet {
        identity,
        permissions_boundary,
        session,
        ..PolicySet::default()
    };
    CompiledSet {
        memo: DecisionMemo::for_set(&set),
        set,
        principal_tags: sources.principal_tags,
        caller_keys: OnceLock::new(),
    }
}

#[allow(clippy::panic)]
fn unreachable_empty() -> CompiledPolicy {
    panic!("the empty policy document always compiles")
}

/// The compiled policy set of `caller`, from the cache or the store. `epoch` is the policy
/// cache's epoch taken before `tx` began.
pub fn policy_set(
    engine: &Engine,
    tx: &mut dyn Tx,
    caller: &Principal,
    epoch: u64,
) -> Result<Arc<CompiledSet>, IamError> {
    // A session's policies and condition keys differ from its role's or user's: key sessions by
    // their own access key, never by the ARN they share with long-term credentials.
    let key = match &caller.session {
        Some(s) => s.access_key_id.as_str(),
        None => caller.arn.as_str(),
    };
    if let Some(s) = engine.policies.get(key) {
        engine.metrics.cache_lookup("policies", true);
        return Ok(s);
    }
    engine.metrics.cache_lookup("policies", false);
    let mut recording = Recording::new(tx);
    let set = Arc::new(compile(
        authz::sources_for(&mut recording, caller)?,
        &engine.aws_compiled,
    ));
    let reads = recording.reads;
    engine
        .policies
        .insert(epoch, key.to_string(), set.clone(), reads);
    Ok(set)
}

/// The policy engine's view of the caller.
pub fn engine_principal(caller: &Principal) -> iamd_policy::Principal {
    let mut p = match &caller.kind {
        PrincipalKind::Root => iamd_policy::Principal::root(&caller.account),
        PrincipalKind::User { .. } => iamd_policy::Principal::user(&caller.arn),
        PrincipalKind::AssumedRole {
            role_name,
            role_path,
            ..
        } => iamd_policy::Principal::assumed_role(
            &caller.arn,
            &format!("arn:aws:iam::{}:role{role_path}{role_name}", caller.account),
        ),
        PrincipalKind::FederatedUser { .. } => iamd_policy::Principal::federated_user(&caller.arn),
    };
    p.unique_id = Some(caller.user_id.clone());
    p
}

/// The global condition keys of a request.
pub fn global_context(
    caller: &Principal,
    tags: &[Tag],
    facts: &RequestFacts,
    now: OffsetDateTime,
) -> Context {
    request_context(
        Arc::new(caller_context(caller, tags)),
        caller.session.as_deref(),
        facts,
        now,
    )
}

/// The condition keys that describe the caller: its identity, its tags and its session. They
/// do not change from one of its requests to the next.
pub fn caller_context(caller: &Principal, tags: &[Tag]) -> Context {
    let mut c = Context::new();
    if let PrincipalKind::User { name, .. } = &caller.kind {
        c.insert_str("aws:username", name);
    }
    c.insert_str("aws:userid", &caller.user_id);
    c.insert(
        "aws:PrincipalArn",
        ContextValue::single(Scalar::Arn(caller.arn.clone())),
    );
    c.insert_str("aws:PrincipalAccount", &caller.account);
    c.insert_str(
        "aws:PrincipalType",
        match caller.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User { .. } => "User",
            PrincipalKind::AssumedRole { .. } => "AssumedRole",
            PrincipalKind::FederatedUser { .. } => "FederatedUser",
        },
    );
    if let Some(s) = &caller.session {
        // Keys that exist only for temporary credentials.
        c.insert(
            "aws:MultiFactorAuthPresent",
            ContextValue::single(Scalar::Bool(s.mfa_authenticated)),
        );
        c.insert(
            "aws:TokenIssueTime",
            ContextValue::single(Scalar::Date(i128::from(s.issued_at) * 1_000_000_000)),
        );
        if let Some(si) = &s.source_identity {
            c.insert_str("aws:SourceIdentity", si);
        }
        if let iamd_token::SessionPrincipal::AssumedRole {
            federated_provider: Some(fp),
            ..
        } = &s.principal
        {
            c.insert_str("aws:FederatedProvider", fp);
        }
    }
    for t in tags {
        c.insert_str(&format!("aws:PrincipalTag/{}", t.key), &t.value);
    }
    c
}

/// The condition keys of one request, over the caller's.
pub(crate) fn request_context(
    caller_keys: Arc<Context>,
    session: Option<&iamd_token::Session>,
    facts: &RequestFacts,
    now: OffsetDateTime,
) -> Context {
    let mut c = Context::over(caller_keys);
    if let Some(age) = session.and_then(|s| s.mfa_age(now.unix_timestamp())) {
        c.insert(
            "aws:MultiFactorAuthAge",
            ContextValue::single(Scalar::Number(age as f64)),
        );
    }
    if let Some(ip) = facts.source_ip {
        c.insert("aws:SourceIp", ContextValue::single(Scalar::Ip(ip)));
    }
    if let Some(ua) = &facts.user_agent {
        c.insert_str("aws:UserAgent", ua);
    }
    c.insert(
        "aws:SecureTransport",
        ContextValue::single(Scalar::Bool(facts.secure_transport)),
    );
    if let Some(r) = &facts.region {
        c.insert_str("aws:RequestedRegion", r);
    }
    c.with_time(now);
    c
}

/// A resolved resource: its ARN and the tags authorization may look at.
struct Resolved {
    arn: String,
    tags: Vec<Tag>,
}

fn caller_resource(caller: &Principal, tags: &[Tag]) -> Resolved {
    Resolved {
        arn: caller.arn.clone(),
        tags: tags.to_vec(),
    }
}

/// An entity's path and tags for authorization, from the cache or the store.
fn resource_info(
    res: &ResourceCache,
    tx: &mut dyn Tx,
    account: &str,
    kind: &str,
    name: &str,
) -> Result<Option<Arc<authz::ResourceInfo>>, IamError> {
    let key = format!("{account}/{kind}/{}", name.to_ascii_lowercase());
    if let Some(hit) = res.engine.resources.get(&key) {
        res.engine.metrics.cache_lookup("resources", true);
        return Ok(hit);
    }
    res.engine.metrics.cache_lookup("resources", false);
    let mut r = Recording::new(tx);
    let info = authz::resource(&mut r, account, kind, name)?.map(Arc::new);
    let reads = r.reads;
    res.engine
        .resources
        .insert(res.epoch, key, info.clone(), reads);
    Ok(info)
}

/// The resource cache with the epoch taken before the transaction.
struct ResourceCache<'a> {
    engine: &'a Engine,
    epoch: u64,
}

fn resolve(
    res: &ResourceCache,
    tx: &mut dyn Tx,
    account: &str,
    caller: &Principal,
    caller_tags: &[Tag],
    r: &ResourceRef,
    params: &Params,
) -> Result<Resolved, IamError> {
    if let Some(arn) = r.arn_from_request(account, params) {
        let tags = match r {
            ResourceRef::Arn(_) if r.kind_in(params) == Some(ResourceKind::Policy) => {
                authz::policy_tags(tx, account, &arn)?
            }
            _ => Vec::new(),
        };
        return Ok(Resolved { arn, tags });
    }
    let named = |tx: &mut dyn Tx, kind: ResourceKind, name: &str| -> Result<Resolved, IamError> {
        let info = resource_info(res, tx, account, kind.resource_type(), name)?;
        let (path, tags) = info.map_or(("/".to_string(), Vec::new()), |i| {
            (i.path.clone(), i.tags.clone())
        });
        Ok(Resolved {
            arn: kind.arn(account, &path, name),
            tags,
        })
    };
    match *r {
        ResourceRef::Named { kind, param } => match params.str(param) {
            Some(name) => named(tx, kind, name),
            None => Ok(caller_resource(caller, caller_tags)),
        },
        ResourceRef::NamedOrCaller { kind, param } => match params.str(param) {
            Some(name) => named(tx, kind, name),
            None => Ok(caller_resource(caller, caller_tags)),
        },
        ResourceRef::Caller(_) => Ok(caller_resource(caller, caller_tags)),
        ResourceRef::Renamed {
            kind,
            param,
            new_name,
            new_path,
        } => {
            let current = params.str(param).unwrap_or_default();
            let info = resource_info(res, tx, account, kind.resource_type(), current)?;
            let path = params
                .str(new_path)
                .map(str::to_string)
                .or(info.as_ref().map(|i| i.path.clone()))
                .unwrap_or_else(|| "/".to_string());
            let name = params.str(new_name).unwrap_or(current);
            Ok(Resolved {
                arn: kind.arn(account, &path, name),
                tags: info.map(|i| i.tags.clone()).unwrap_or_default(),
            })
        }
        ResourceRef::AccessKeyOwner(param) => {
            let owner = params
                .str(param)
                .map(|id| authz::access_key_owner(tx, account, id))
                .transpose()?
                .flatten();
            match owner {
                Some(name) => named(tx, ResourceKind::User, &name),
                None => Ok(caller_resource(caller, caller_tags)),
            }
        }
        ResourceRef::ServiceLinkedRole(param) => Ok(Resolved {
            arn: params
                .str(param)
                .and_then(|s| {
                    iamd_iam::service_linked_roles::role_arn_for(
                        account,
                        s,
                        params.str("CustomSuffix"),
                    )
                })
                .unwrap_or_else(|| ResourceKind::Role.arn(account, "/", "*")),
            tags: Vec::new(),
        }),
        ResourceRef::DeletionTaskRole(param) => Ok(Resolved {
            arn: params
                .str(param)
                .and_then(|t| iamd_iam::service_linked_roles::role_arn_of_task(account, t))
                .unwrap_or_else(|| ResourceKind::Role.arn(account, "/", "*")),
            tags: Vec::new(),
        }),
        _ => Ok(Resolved {
            arn: r
                .kind()
                .map_or_else(|| "*".to_string(), |k| k.arn(account, "/", "*")),
            tags: Vec::new(),
        }),
    }
}

fn check_context(
    base: &Arc<Context>,
    check: &ActionCheck,
    params: &Params,
    resource: &Resolved,
) -> Context {
    let mut c = Context::over(base.clone());
    for (k, values) in check.request_keys(params) {
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        if refs.len() == 1 {
            c.insert_str(&k, refs[0]);
        } else {
            c.insert_strs(&k, &refs);
        }
    }
    for ks in check.keys {
        if ks.from == Source::ResourceTags {
            let prefix = ks.key.trim_end_matches("${TagKey}");
            for t in &resource.tags {
                c.insert_str(&format!("{prefix}{}", t.key), &t.value);
            }
        }
    }
    c
}

/// One call to authorize.
pub struct Authz<'a> {
    pub caller: &'a Principal,
    pub entry: &'a Entry,
    pub op: &'a Operation,
    pub params: &'a Params,
    pub facts: &'a RequestFacts,
    pub now: OffsetDateTime,
    /// The policy cache's epoch when the transaction began.
    pub policy_epoch: u64,
    /// The resource cache's epoch when the transaction began.
    pub resource_epoch: u64,
}

/// Authorizes the call. `Err` only when authorization itself failed (a store failure); a
/// denial is a [`Verdict`] with AWS's `AccessDenied`.
pub fn authorize(engine: &Engine, tx: &mut dyn Tx, a: &Authz) -> Result<Verdict, IamError> {
    let Authz {
        caller,
        entry,
        op,
        params,
        facts,
        now,
        policy_epoch,
        resource_epoch,
    } = *a;
    let account = caller.account.as_str();
    if caller.dev_unverified
        && entry
            .authorization
            .is_some_and(|a| a.enforcement == Enforcement::IdentityAndTrust)
    {
        return dev_root_trust(tx, caller, params, facts, now);
    }
    if caller.is_root() && caller.session.is_none() {
        return Ok(Verdict::allow("Root", Vec::new()));
    }
    let Some(auth) = entry.authorization else {
        let e = ApiError::access_denied(format!(
            "User: {} is not authorized to perform: {}:{}",
            caller.arn,
            op.service.name(),
            op.name
        ));
        return Ok(Verdict::deny("ImplicitDeny", Vec::new(), e));
    };
    match auth.enforcement {
        Enforcement::NotAuthorized | Enforcement::TrustPolicyOnly => {
            return Ok(Verdict::allow("NotEvaluated", Vec::new()));
        }
        Enforcement::Identity | Enforcement::IdentityAndTrust => {}
    }
    if let Err(e) = session_restrictions(caller, op) {
        return Ok(Verdict::deny("ImplicitDeny", Vec::new(), e));
    }
    if caller.is_root() {
        return Ok(Verdict::allow("Root", Vec::new()));
    }
    let compiled = policy_set(engine, tx, caller, policy_epoch)?;
    let trust = match auth.enforcement {
        Enforcement::IdentityAndTrust => Some(trust_policy(tx, params)?),
        _ => None,
    };
    let principal = engine_principal(caller);
    let mut base = request_context(
        compiled.caller_keys(caller),
        caller.session.as_deref(),
        facts,
        now,
    );
    if let (Some(serial), Some(code)) = (params.str("SerialNumber"), params.str("TokenCode")) {
        // An MFA code in an STS request counts for this request's conditions (a trust policy's
        // aws:MultiFactorAuthPresent); the operation then uses the code up.
        let user_id = match caller.kind {
            PrincipalKind::User { .. } => Some(caller.user_id.as_str()),
            _ => None,
        };
        if !iamd_iam::mfa::code_is_valid(tx, &engine.master, account, user_id, serial, code, now)? {
            let e = ApiError::access_denied(
                "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
            );
            return Ok(Verdict::deny("ImplicitDeny", Vec::new(), e));
        }
        base.insert(
            "aws:MultiFactorAuthPresent",
            ContextValue::single(Scalar::Bool(true)),
        );
        base.insert(
            "aws:MultiFactorAuthAge",
            ContextValue::single(Scalar::Number(0.0)),
        );
    }
    let base = Arc::new(base);
    let mut statements = Vec::new();
    let res = ResourceCache {
        engine,
        epoch: resource_epoch,
    };
    for check in auth.applicable(params) {
        let resource = resolve(
            &res,
            tx,
            account,
            caller,
            &compiled.principal_tags,
            &check.resource,
            params,
        )?;
        let mut context = check_context(&base, check, params, &resource);
        for ks in check.keys.iter().filter(|k| k.from == Source::Stored) {
            if ks.key == "iam:ServiceSpecificCredentialServiceName"
                && let Some(service) = iamd_iam::service_credentials::service_of(
                    tx,
                    account,
                    params.str("UserName").or(match &caller.kind {
                        PrincipalKind::User { name, .. } => Some(name.as_str()),
                        _ => None,
                    }),
                    params.str("ServiceSpecificCredentialId"),
                )?
            {
                context.insert_str(ks.key, &service);
            }
        }
        let request = iamd_policy::Request {
            principal: &principal,
            action: check.action,
            resource: &resource.arn,
            context: &context,
        };
        let by_trust = trust.is_some()
            && resource.arn.contains(":role/")
            && check.action.to_ascii_lowercase().starts_with("sts:");
        let memo_key = match by_trust {
            true => None,
            false => compiled.memo.key(check.action, &resource.arn, &context),
        };
        if let Some(hit) = memo_key.as_deref().and_then(|k| compiled.memo.get(k))
            && hit.decision == iamd_policy::Decision::Allowed
        {
            statements.extend(hit.statements.iter().cloned());
            continue;
        }
        let result = match &trust {
            Some((policy, owner)) if by_trust => {
                let mut set = compiled.set.clone();
                set.resource = Some(policy.clone());
                set.resource_owner = Some(owner.clone());
                let mut r = iamd_policy::evaluate(&request, &set);
                // Unlike other resource-based policies, a role's trust policy must itself allow
                // the caller: an identity-based Allow alone never lets anyone assume a role.
                if r.is_allowed() && r.resource != iamd_policy::Outcome::Allow {
                    r.decision = iamd_policy::Decision::ImplicitDeny;
                    r.denied_by = Some(iamd_policy::PolicyType::Resource);
                }
                r
            }
            _ => iamd_policy::evaluate(&request, &compiled.set),
        };
        if let Some(k) = memo_key {
            compiled
                .memo
                .insert(k, result.decision, statements_of(&result));
        }
        // With the password policy's AllowUsersToChangePassword, every IAM user may change
        // their own password, whatever their policies say (unless a policy explicitly denies).
        let password_self_service = op.name == "ChangePassword"
            && result.decision == iamd_policy::Decision::ImplicitDeny
            && iamd_iam::passwords::users_may_change_password(tx, account)?;
        if !result.is_allowed() && !password_self_service {
            let reason = result.denial_reason(check.action).unwrap_or_default();
            let mut e = ApiError::access_denied(format!(
                "User: {} is not authorized to perform: {} on resource: {} {reason}",
                caller.arn, check.action, resource.arn
            ));
            e.encoded_authorization = encode_denial(
                engine,
                caller,
                check.action,
                &resource.arn,
                &result,
                &context,
            );
            return Ok(Verdict::deny(
                decision_name(result.decision),
                statements_of(&result),
                e,
            ));
        }
        statements.extend(statements_of(&result));
    }
    Ok(Verdict::allow("Allow", statements))
}

/// `--dev`'s unverified root assuming a role: the root may do anything in its account, so the
/// role's trust policy alone decides (it must name the account or its root).
fn dev_root_trust(
    tx: &mut dyn Tx,
    caller: &Principal,
    params: &Params,
    facts: &RequestFacts,
    now: OffsetDateTime,
) -> Result<Verdict, IamError> {
    let (policy, owner) = trust_policy(tx, params)?;
    let principal = engine_principal(caller);
    let context = global_context(caller, &[], facts, now);
    let arn = params.str("RoleArn").unwrap_or_default();
    let request = iamd_policy::Request {
        principal: &principal,
        action: "sts:AssumeRole",
        resource: arn,
        context: &context,
    };
    let set = iamd_policy::PolicySet {
        resource: Some(policy),
        resource_owner: Some(owner),
        ..iamd_policy::PolicySet::default()
    };
    let r = iamd_policy::evaluate(&request, &set);
    if r.resource == iamd_policy::Outcome::Allow
        && r.decision != iamd_policy::Decision::ExplicitDeny
    {
        return Ok(Verdict::allow("Allow", statements_of(&r)));
    }
    let e = ApiError::access_denied(format!(
        "User: {} is not authorized to perform: sts:AssumeRole on resource: {arn}",
        caller.arn
    ));
    Ok(Verdict::deny(
        decision_name(r.decision),
        statements_of(&r),
        e,
    ))
}

/// AWS's limits on what temporary credentials may call, whatever their policies say.
fn session_restrictions(caller: &Principal, op: &Operation) -> Result<(), ApiError> {
    let Some(_) = &caller.session else {
        return Ok(());
    };
    let action = format!("{}:{}", op.service.name(), op.name);
    let refuse = |why: &str| -> ApiError {
        ApiError::access_denied(format!(
            "User: {} is not authorized to perform: {action} because {why}",
            caller.arn
        ))
    };
    match &caller.kind {
        PrincipalKind::FederatedUser { .. } => {
            // The rule covers IAM and STS only; other services (CloudTrail's LookupEvents,
            // iamd's own) are up to the session's policies.
            let iam_or_sts = matches!(op.service.name(), "iam" | "sts");
            if iam_or_sts && op.name != "GetCallerIdentity" {
                return Err(refuse(
                    "federated user sessions may call no IAM operation and no STS operation but GetCallerIdentity",
                ));
            }
        }
        PrincipalKind::User { .. } | PrincipalKind::Root => {
            // GetSessionToken credentials.
            let mfa = caller.session.as_ref().is_some_and(|s| s.mfa_authenticated);
            let sts_ok = matches!(op.name.as_str(), "AssumeRole" | "GetCallerIdentity");
            if op.service.name() == "sts" && !sts_ok {
                return Err(refuse(
                    "GetSessionToken credentials may call only AssumeRole and GetCallerIdentity in STS",
                ));
            }
            if op.service.name() == "iam" && !mfa {
                return Err(refuse(
                    "GetSessionToken credentials without MFA may not call IAM",
                ));
            }
        }
        PrincipalKind::AssumedRole { .. } => {
            if op.name == "GetSessionToken" {
                return Err(refuse(
                    "GetSessionToken may not be called with temporary credentials",
                ));
            }
        }
    }
    Ok(())
}

/// The trust policy of the role in `RoleArn`, compiled, with the account that owns the role.
fn trust_policy(
    tx: &mut dyn Tx,
    params: &Params,
) -> Result<(Arc<CompiledPolicy>, String), IamError> {
    let arn = params.str("RoleArn").unwrap_or_default();
    let (account, name) = parse_role_arn(arn)
        .ok_or_else(|| IamError::from(ApiError::validation(format!("{arn} is invalid"))))?;
    let role = match iamd_iam::roles::find(tx, &account, &name) {
        Ok(r) => r,
        // A store failure is a failure, not a denial.
        Err(e) if e.is_server_fault() => return Err(e),
        Err(_) => {
            return Err(IamError::from(ApiError::access_denied(format!(
                "Not authorized to perform sts:AssumeRole on resource {arn}"
            ))));
        }
    };
    let policy = CompiledPolicy::from_text(
        &role.assume_role_policy,
        DocumentKind::RoleTrust,
        format!("{arn}/trust"),
    )
    // A stored trust policy was validated when written: one that no longer compiles is the
    // server's fault, not the caller's.
    .map_err(|e| {
        IamError::Internal(format!(
            "the trust policy of {arn} does not compile: {}",
            e.message
        ))
    })?;
    Ok((Arc::new(policy), account))
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` → (ACCOUNT, NAME).
pub fn parse_role_arn(arn: &str) -> Option<(String, String)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, rest) = rest.split_once(":role/")?;
    let name = rest.rsplit('/').next()?;
    if account.len() != 12 || name.is_empty() {
        return None;
    }
    Some((account.to_string(), name.to_string()))
}

/// `iam:PassRole` on `role_arn` for `service` (`iam:PassedToService`): what AWS checks when a
/// principal hands a role to a service, such as an instance profile's role to EC2.
pub fn pass_role(
    engine: &Engine,
    tx: &mut dyn Tx,
    a: &Authz,
    role_arn: &str,
    service: &str,
) -> Result<Verdict, IamError> {
    let caller = a.caller;
    if caller.is_root() && caller.session.is_none() {
        return Ok(Verdict::allow("Root", Vec::new()));
    }
    let compiled = policy_set(engine, tx, caller, a.policy_epoch)?;
    let principal = engine_principal(caller);
    let mut context = request_context(
        compiled.caller_keys(caller),
        caller.session.as_deref(),
        a.facts,
        a.now,
    );
    context.insert_str("iam:PassedToService", service);
    let request = iamd_policy::Request {
        principal: &principal,
        action: "iam:PassRole",
        resource: role_arn,
        context: &context,
    };
    let result = iamd_policy::evaluate(&request, &compiled.set);
    if result.is_allowed() {
        return Ok(Verdict::allow("Allow", statements_of(&result)));
    }
    let e = ApiError::access_denied(format!(
        "User: {} is not authorized to perform: iam:PassRole on resource: {role_arn} {}",
        caller.arn,
        result.denial_reason("iam:PassRole").unwrap_or_default()
    ));
    Ok(Verdict::deny(
        decision_name(result.decision),
        statements_of(&result),
        e,
    ))
}

/// The sealed details of a denial, for `DecodeAuthorizationMessage`.
fn encode_denial(
    engine: &Engine,
    caller: &Principal,
    action: &str,
    resource: &str,
    result: &iamd_policy::EvalResult,
    context: &Context,
) -> Option<String> {
    let denial = iamd_iam::authz_message::Denial {
        account: &caller.account,
        principal_arn: &caller.arn,
        principal_id: &caller.user_id,
        action,
        resource,
        explicit_deny: result.decision == iamd_policy::Decision::ExplicitDeny,
        matched: result
            .matched
            .iter()
            .map(|m| {
                (
                    m.policy_id.to_string(),
                    format!("{:?}", m.policy_type),
                    m.sid.as_deref().map(str::to_string),
                    format!("{:?}", m.effect),
                )
            })
            .collect(),
        conditions: context
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.values.iter().map(|s| s.as_text().into_owned()).collect(),
                )
            })
            .collect(),
    };
    iamd_iam::authz_message::encode(&engine.master, &denial)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests
    use super::*;
    use iamd_iam::authz::Source as PolicySource;

    fn sources(list: &[(&str, &str)]) -> PolicySources {
        PolicySources {
            identity: list
                .iter()
                .map(|(id, doc)| PolicySource {
                    id: id.to_string(),
                    document: doc.to_string(),
                })
                .collect(),
            ..PolicySources::default()
        }
    }

    #[test]
    fn aws_managed_policies_are_compiled_once_and_shared() {
        let aws = AwsCompiled::default();
        let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        let doc = iamd_iam::aws_policies::by_arn(arn).unwrap().document();
        let mine = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        let one = compile(sources(&[(arn, doc), ("user/a/inline/p", mine)]), &aws);
        let two = compile(sources(&[("user/b/inline/p", mine), (arn, doc)]), &aws);
        assert_eq!((one.set.identity.len(), two.set.identity.len()), (2, 2));
        assert!(Arc::ptr_eq(&one.set.identity[0], &two.set.identity[1]));
        assert!(!Arc::ptr_eq(&one.set.identity[1], &two.set.identity[0]));
        assert_eq!(aws.lock().len(), 1);
        // An AWS ARN with another document is compiled on its own and never cached.
        let three = compile(sources(&[(arn, mine)]), &aws);
        assert!(!Arc::ptr_eq(&one.set.identity[0], &three.set.identity[0]));
        assert_eq!(aws.lock().len(), 1);
    }
}
