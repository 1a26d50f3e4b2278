//! Managed policies (customer and AWS), their versions, attachments and permissions boundaries.

use std::collections::HashMap;

use iamd_policy::PolicyKind;
use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::aws_policies::{self, AwsPolicy};
use crate::entities::{self, Entity, Kind};
use crate::pagination::page_slice;
use crate::records::{self, ManagedPolicy, PolicyVersion};
use crate::users::required;
use crate::{
    Conflict, Ctx, EntityKind, IamError, Quota, accounts, documents, ids, keys, roles, tags, users,
};

pub const MANAGED_POLICY_SIZE: usize = 6144;
pub const POLICIES_PER_ACCOUNT: u32 = 1500;
pub const VERSIONS_PER_POLICY: usize = 5;
pub const ATTACHED_PER_ENTITY: usize = 10;

/// A managed policy found by ARN.
pub enum Managed {
    Aws(&'static AwsPolicy),
    Local(ManagedPolicy),
}

pub fn policy_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:policy{path}{name}")
}

/// `arn:aws:iam::ACCOUNT:policy/PATH/NAME` → (account, path, name).
fn split_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, rest) = rest.split_once(":policy")?;
    let cut = rest.rfind('/')?;
    Some((account, rest.get(..=cut)?, rest.get(cut + 1..)?))
}

fn not_attachable(arn: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::ManagedPolicy,
        arn,
        format!("Policy {arn} does not exist or is not attachable."),
    )
}

fn invalid_arn(arn: &str) -> IamError {
    IamError::invalid_input(format!("ARN {arn} is not valid."))
}

/// The managed policy `arn` names, visible from the context's account.
pub fn resolve(tx: &mut dyn Tx, account: &str, arn: &str) -> Result<Managed, IamError> {
    let Some((acct, path, name)) = split_arn(arn) else {
        return Err(invalid_arn(arn));
    };
    if acct == aws_policies::AWS_ACCOUNT {
        return aws_policies::by_arn(arn)
            .map(Managed::Aws)
            .ok_or_else(|| not_attachable(arn));
    }
    if acct != account {
        return Err(not_attachable(arn));
    }
    match records::get::<ManagedPolicy>(tx, &keys::policy(account, name))? {
        Some(p) if p.path == path && p.name == name => Ok(Managed::Local(p)),
        _ => Err(not_attachable(arn)),
    }
}

/// As [`resolve`], with `None` for an ARN that names no visible policy; a store failure is
/// still an error.
pub fn resolve_existing(
    tx: &mut dyn Tx,
    account: &str,
    arn: &str,
) -> Result<Option<Managed>, IamError> {
    match resolve(tx, account, arn) {
        Ok(m) => Ok(Some(m)),
        Err(IamError::NoSuchEntity { .. } | IamError::InvalidInput { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn version_number(id: &str) -> Option<u32> {
    id.strip_prefix('v')?.parse().ok()
}

fn get_version(
    tx: &mut dyn Tx,
    account: &str,
    p: &ManagedPolicy,
    id: &str,
) -> Result<Option<PolicyVersion>, IamError> {
    match version_number(id) {
        Some(n) => records::get(tx, &keys::policy_version(account, &p.id, n)),
        None => Ok(None),
    }
}

impl Managed {
    pub fn arn(&self, account: &str) -> String {
        match self {
            Managed::Aws(a) => a.arn(),
            Managed::Local(p) => policy_arn(account, &p.path, &p.name),
        }
    }
    pub fn name(&self) -> &str {
        match self {
            Managed::Aws(a) => a.name,
            Managed::Local(p) => &p.name,
        }
    }
    /// The default version's document.
    pub fn document(&self, tx: &mut dyn Tx, account: &str) -> Result<String, IamError> {
        match self {
            Managed::Aws(a) => Ok(a.document().to_string()),
            Managed::Local(p) => get_version(tx, account, p, &p.default_version)?
                .map(|v| v.document)
                .ok_or_else(|| {
                    IamError::internal(format!(
                        "policy {} has no record of its default version {}",
                        p.id, p.default_version
                    ))
                }),
        }
    }
}

fn count(tx: &mut dyn Tx, prefix: &[u8]) -> Result<i64, IamError> {
    let mut n = 0i64;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let batch = tx.scan(prefix, after.as_deref(), 1000)?;
        let Some((last, _)) = batch.last() else {
            return Ok(n);
        };
        after = Some(last.clone());
        n += batch.len() as i64;
    }
}

fn policy_value(
    tx: &mut dyn Tx,
    account: &str,
    m: &Managed,
    full: bool,
) -> Result<Value, IamError> {
    let arn = m.arn(account);
    let attachments = count(tx, &keys::attachments(account, &arn))?;
    let boundaries = count(tx, &keys::boundary_uses(account, &arn))?;
    let v = match m {
        Managed::Aws(a) => Value::object()
            .with("PolicyName", a.name)
            .with("PolicyId", a.policy_id().as_ref())
            .with("Arn", arn.as_str())
            .with("Path", a.path)
            .with("DefaultVersionId", a.default_version_id)
            .with("AttachmentCount", attachments)
            .with("PermissionsBoundaryUsageCount", boundaries)
            .with("IsAttachable", true)
            .with_opt("Description", a.description.filter(|_| full))
            .with("CreateDate", aws_policies::created(a))
            .with("UpdateDate", aws_policies::updated(a)),
        Managed::Local(p) => {
            let mut v = Value::object()
                .with("PolicyName", p.name.as_str())
                .with("PolicyId", p.id.as_str())
                .with("Arn", arn.as_str())
                .with("Path", p.path.as_str())
                .with("DefaultVersionId", p.default_version.as_str())
                .with("AttachmentCount", attachments)
                .with("PermissionsBoundaryUsageCount", boundaries)
                .with("IsAttachable", true)
                .with_opt(
                    "Description",
                    if full { p.description.as_deref() } else { None },
                )
                .with("CreateDate", p.created)
                .with("UpdateDate", p.updated);
            if full && !p.tags.is_empty() {
                v = v.with("Tags", tags::to_value(&p.tags));
            }
            v
        }
    };
    Ok(v)
}

pub fn create_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "PolicyName")?;
    let path = p.str("Path").unwrap_or("/");
    let doc = required(p, "PolicyDocument")?;
    documents::check_size(doc, MANAGED_POLICY_SIZE, Quota::ManagedPolicySize)?;
    documents::validate(doc, PolicyKind::Managed)?;
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let mut account = accounts::get(tx, ctx.account)?;
    if tx.get(&keys::policy(ctx.account, name))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::ManagedPolicy,
            name,
            format!("A policy called {name} already exists. Duplicate names are not allowed."),
        ));
    }
    if account.policies >= POLICIES_PER_ACCOUNT {
        return Err(IamError::limit_exceeded(
            Quota::CustomerManagedPolicies,
            POLICIES_PER_ACCOUNT as usize,
        ));
    }
    let policy = ManagedPolicy {
        id: ids::unique_id("ANPA")?,
        name: name.to_string(),
        path: path.to_string(),
        created: ctx.now,
        updated: ctx.now,
        default_version: "v1".to_string(),
        next_version: 2,
        description: p.str("Description").map(str::to_string),
        tags: new_tags,
    };
    records::put(tx, &keys::policy(ctx.account, name), &policy)?;
    let version = PolicyVersion {
        version_id: "v1".to_string(),
        document: doc.to_string(),
        created: ctx.now,
    };
    records::put(
        tx,
        &keys::policy_version(ctx.account, &policy.id, 1),
        &version,
    )?;
    account.policies += 1;
    accounts::put(tx, &account)?;
    let v = policy_value(tx, ctx.account, &Managed::Local(policy), true)?;
    Ok(Value::object().with("Policy", v))
}

pub fn get_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let m = resolve(tx, ctx.account, required(p, "PolicyArn")?)?;
    let v = policy_value(tx, ctx.account, &m, true)?;
    Ok(Value::object().with("Policy", tags::always(v)))
}

/// How a managed policy is used in an account: attached to an entity, set as a boundary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub attached: bool,
    pub boundary: bool,
}

/// The ARNs (with `/`s) of the managed policies used under an index `prefix` whose keys are
/// `PREFIX{arn with | for /}/KIND/ID`: one scan per distinct policy, however many entities use
/// it.
fn used_arns(tx: &mut dyn Tx, prefix: &[u8]) -> Result<Vec<String>, IamError> {
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    while let Some((k, _)) = tx.scan(prefix, after.as_deref(), 1)?.into_iter().next() {
        let rest = keys::suffix(&k, prefix);
        let Some((arn, _)) = rest.split_once('/') else {
            // Not an index key this code writes: step over it.
            after = Some(k);
            continue;
        };
        // Every key of this policy sorts before `PREFIX{arn}/\xff` (keys are UTF-8 text).
        let mut next = prefix.to_vec();
        next.extend_from_slice(arn.as_bytes());
        next.extend_from_slice(b"/\xff");
        out.push(arn.replace('|', "/"));
        after = Some(next);
    }
    Ok(out)
}

/// Every managed policy (customer or AWS) used in `account`, by ARN, without a scan per
/// policy: what `ListPolicies --only-attached` and `GetAccountAuthorizationDetails` filter on.
pub fn usage(tx: &mut dyn Tx, account: &str) -> Result<HashMap<String, Usage>, IamError> {
    let mut out: HashMap<String, Usage> = HashMap::new();
    for arn in used_arns(tx, &keys::attachments_in(account))? {
        out.entry(arn).or_default().attached = true;
    }
    for arn in used_arns(tx, &keys::boundary_uses_in(account))? {
        out.entry(arn).or_default().boundary = true;
    }
    Ok(out)
}

/// `ListPolicies`. Scope, path and usage filters apply to the policies' metadata (and one
/// usage index read); attachment counts are read only for the page returned.
pub fn list_policies(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let scope = p.str("Scope").unwrap_or("All");
    let only_attached = p.bool("OnlyAttached").unwrap_or(false);
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let filter = p.str("PolicyUsageFilter");
    let mut all: Vec<Managed> = Vec::new();
    if scope == "All" || scope == "AWS" {
        all.extend(
            aws_policies::all()
                .iter()
                .filter(|a| a.path.starts_with(prefix))
                .map(Managed::Aws),
        );
    }
    if scope == "All" || scope == "Local" {
        for (_, v) in tx.scan(&keys::policies(ctx.account), None, usize::MAX)? {
            let mp: ManagedPolicy =
                serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if mp.path.starts_with(prefix) {
                all.push(Managed::Local(mp));
            }
        }
    }
    if only_attached {
        let used = usage(tx, ctx.account)?;
        all.retain(|m| {
            let u = used.get(&m.arn(ctx.account)).copied().unwrap_or_default();
            match filter {
                Some("PermissionsPolicy") => u.attached,
                Some("PermissionsBoundary") => u.boundary,
                _ => u.attached || u.boundary,
            }
        });
    }
    let refs: Vec<&Managed> = all.iter().collect();
    let pg = page_slice(&refs, p.str("Marker"), p.int("MaxItems"))?;
    let mut items = Vec::with_capacity(pg.items.len());
    for m in &pg.items {
        items.push(policy_value(tx, ctx.account, m, false)?);
    }
    Ok(pg.finish(Value::object().with("Policies", Value::List(items))))
}

fn local(tx: &mut dyn Tx, ctx: &Ctx, arn: &str) -> Result<ManagedPolicy, IamError> {
    match resolve(tx, ctx.account, arn)? {
        Managed::Local(p) => Ok(p),
        Managed::Aws(_) => Err(IamError::UnmodifiableEntity {
            message: format!("Cannot modify AWS managed policy {arn}."),
        }),
    }
}

pub fn delete_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = required(p, "PolicyArn")?;
    let policy = local(tx, ctx, arn)?;
    if !tx
        .scan(&keys::attachments(ctx.account, arn), None, 1)?
        .is_empty()
        || !tx
            .scan(&keys::boundary_uses(ctx.account, arn), None, 1)?
            .is_empty()
    {
        return Err(IamError::delete_conflict(
            EntityKind::ManagedPolicy,
            arn,
            Conflict::PolicyInUse,
        ));
    }
    let versions = tx.scan(&keys::policy_versions(ctx.account, &policy.id), None, 10)?;
    if versions.len() > 1 {
        return Err(IamError::delete_conflict(
            EntityKind::ManagedPolicy,
            arn,
            Conflict::PolicyVersions,
        ));
    }
    for (k, _) in versions {
        tx.delete(&k)?;
    }
    tx.delete(&keys::policy(ctx.account, &policy.name))?;
    let mut account = accounts::get(tx, ctx.account)?;
    account.policies = account.policies.saturating_sub(1);
    accounts::put(tx, &account)?;
    Ok(Value::object())
}

fn version_value(v: &PolicyVersion, default: &str, with_document: bool) -> Value {
    let out = Value::object();
    let out = if with_document {
        out.with("Document", documents::url_encode(&v.document))
    } else {
        out
    };
    out.with("VersionId", v.version_id.as_str())
        .with("IsDefaultVersion", v.version_id == default)
        .with("CreateDate", v.created)
}

/// The one version iamd serves of an AWS managed policy: its default version, created when the
/// policy was last updated.
fn aws_version_value(a: &AwsPolicy, with_document: bool) -> Value {
    let out = Value::object();
    let out = if with_document {
        out.with("Document", documents::url_encode(a.document()))
    } else {
        out
    };
    out.with("VersionId", a.default_version_id)
        .with("IsDefaultVersion", true)
        .with("CreateDate", aws_policies::updated(a))
}

fn versions(
    tx: &mut dyn Tx,
    account: &str,
    policy: &ManagedPolicy,
) -> Result<Vec<PolicyVersion>, IamError> {
    let mut out = Vec::new();
    for (_, v) in tx.scan(&keys::policy_versions(account, &policy.id), None, 100)? {
        out.push(serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    }
    Ok(out)
}

pub fn create_policy_version(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = required(p, "PolicyArn")?;
    let mut policy = local(tx, ctx, arn)?;
    let doc = required(p, "PolicyDocument")?;
    documents::check_size(doc, MANAGED_POLICY_SIZE, Quota::ManagedPolicySize)?;
    documents::validate(doc, PolicyKind::Managed)?;
    if versions(tx, ctx.account, &policy)?.len() >= VERSIONS_PER_POLICY {
        return Err(IamError::limit_exceeded(
            Quota::VersionsPerPolicy,
            VERSIONS_PER_POLICY,
        ));
    }
    let n = policy.next_version;
    let version = PolicyVersion {
        version_id: format!("v{n}"),
        document: doc.to_string(),
        created: ctx.now,
    };
    records::put(
        tx,
        &keys::policy_version(ctx.account, &policy.id, n),
        &version,
    )?;
    policy.next_version = n + 1;
    policy.updated = ctx.now;
    if p.bool("SetAsDefault").unwrap_or(false) {
        policy.default_version = version.version_id.clone();
    }
    records::put(tx, &keys::policy(ctx.account, &policy.name), &policy)?;
    Ok(Value::object().with(
        "PolicyVersion",
        version_value(&version, &policy.default_version, false),
    ))
}

pub fn get_policy_version(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = required(p, "PolicyArn")?;
    let id = required(p, "VersionId")?;
    let v = match resolve(tx, ctx.account, arn)? {
        Managed::Aws(a) if a.default_version_id == id => aws_version_value(a, true),
        Managed::Local(policy) => match get_version(tx, ctx.account, &policy, id)? {
            Some(v) => version_value(&v, &policy.default_version, true),
            None => return Err(no_such_version(arn, id)),
        },
        Managed::Aws(_) => return Err(no_such_version(arn, id)),
    };
    Ok(Value::object().with("PolicyVersion", v))
}

fn no_such_version(arn: &str, id: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::PolicyVersion,
        id,
        format!("Policy {arn} version {id} does not exist or is not attachable."),
    )
}

pub fn list_policy_versions(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = required(p, "PolicyArn")?;
    let all: Vec<Value> = match resolve(tx, ctx.account, arn)? {
        Managed::Aws(a) => vec![aws_version_value(a, false)],
        Managed::Local(policy) => {
            let mut vs = versions(tx, ctx.account, &policy)?;
            vs.reverse();
            vs.iter()
                .map(|v| version_value(v, &policy.default_version, false))
                .collect()
        }
    };
    let pg = page_slice(&all, p.str("Marker"), p.int("MaxItems"))?;
    Ok(pg.finish(Value::object().with("Versions", Value::List(pg.items.clone()))))
}

pub fn delete_policy_version(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = required(p, "PolicyArn")?;
    let id = required(p, "VersionId")?;
    let policy = local(tx, ctx, arn)?;
    if policy.default_version == id {
        return Err(IamError::delete_conflict(
            EntityKind::PolicyVersion,
            id,
            Conflict::DefaultVersion,
        ));
    }
    let Some(n) = version_number(id) else {
        return Err(no_such_version(arn, id));
    };
    if !tx.delete(&keys::policy_version(ctx.account, &policy.id, n))? {
        return Err(no_such_version(arn, id));
    }
    Ok(Value::object())
}

pub fn set_default_policy_version(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let arn = required(p, "PolicyArn")?;
    let id = required(p, "VersionId")?;
    let mut policy = local(tx, ctx, arn)?;
    if get_version(tx, ctx.account, &policy, id)?.is_none() {
        return Err(no_such_version(arn, id));
    }
    policy.default_version = id.to_string();
    policy.updated = ctx.now;
    records::put(tx, &keys::policy(ctx.account, &policy.name), &policy)?;
    Ok(Value::object())
}

pub fn tag_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut policy = local(tx, ctx, required(p, "PolicyArn")?)?;
    tags::merge(
        &mut policy.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    records::put(tx, &keys::policy(ctx.account, &policy.name), &policy)?;
    Ok(Value::object())
}

pub fn untag_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut policy = local(tx, ctx, required(p, "PolicyArn")?)?;
    tags::remove(&mut policy.tags, p);
    records::put(tx, &keys::policy(ctx.account, &policy.name), &policy)?;
    Ok(Value::object())
}

pub fn list_policy_tags(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    match resolve(tx, ctx.account, required(p, "PolicyArn")?)? {
        Managed::Local(policy) => tags::list(&policy.tags, p),
        Managed::Aws(_) => tags::list(&[], p),
    }
}

// Attachments.

fn attach(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    crate::service_linked_roles::ensure_modifiable(&entity)?;
    let arn = required(p, "PolicyArn")?;
    let m = resolve(tx, ctx.account, arn)?;
    let arn = m.arn(ctx.account);
    let key = keys::attached(ctx.account, kind.as_str(), &entity.id, &arn);
    if tx.get(&key)?.is_some() {
        return Ok(Value::object());
    }
    let current = tx.scan(
        &keys::attached_all(ctx.account, kind.as_str(), &entity.id),
        None,
        ATTACHED_PER_ENTITY + 1,
    )?;
    if current.len() >= ATTACHED_PER_ENTITY {
        return Err(IamError::limit_exceeded(
            Quota::AttachedPoliciesPer(kind),
            ATTACHED_PER_ENTITY,
        ));
    }
    tx.put(&key, b"")?;
    tx.put(
        &keys::attachment(ctx.account, &arn, kind.as_str(), &entity.id),
        b"",
    )?;
    Ok(Value::object())
}

fn detach(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    crate::service_linked_roles::ensure_modifiable(&entity)?;
    let arn = required(p, "PolicyArn")?;
    if !tx.delete(&keys::attached(ctx.account, kind.as_str(), &entity.id, arn))? {
        return Err(IamError::no_such_entity(
            EntityKind::PolicyAttachment,
            arn,
            format!("Policy {arn} was not found."),
        ));
    }
    tx.delete(&keys::attachment(
        ctx.account,
        arn,
        kind.as_str(),
        &entity.id,
    ))?;
    Ok(Value::object())
}

pub fn attach_user_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    attach(tx, ctx, p, Kind::User)
}
pub fn attach_group_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    attach(tx, ctx, p, Kind::Group)
}
pub fn attach_role_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    attach(tx, ctx, p, Kind::Role)
}
pub fn detach_user_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    detach(tx, ctx, p, Kind::User)
}
pub fn detach_group_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    detach(tx, ctx, p, Kind::Group)
}
pub fn detach_role_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    detach(tx, ctx, p, Kind::Role)
}

/// The managed policy ARNs attached to an entity.
pub fn attached_arns(
    tx: &mut dyn Tx,
    account: &str,
    kind: Kind,
    entity_id: &str,
) -> Result<Vec<String>, IamError> {
    let prefix = keys::attached_all(account, kind.as_str(), entity_id);
    Ok(tx
        .scan(&prefix, None, usize::MAX)?
        .iter()
        .map(|(k, _)| keys::suffix(k, &prefix).to_string())
        .collect())
}

fn list_attached(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let mut out = Vec::new();
    for arn in attached_arns(tx, ctx.account, kind, &entity.id)? {
        let Some((_, path, name)) = split_arn(&arn) else {
            continue;
        };
        if path.starts_with(prefix) {
            out.push(
                Value::object()
                    .with("PolicyName", name)
                    .with("PolicyArn", arn.as_str()),
            );
        }
    }
    let pg = page_slice(&out, p.str("Marker"), p.int("MaxItems"))?;
    Ok(pg.finish(Value::object().with("AttachedPolicies", Value::List(pg.items.clone()))))
}

pub fn list_attached_user_policies(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    list_attached(tx, ctx, p, Kind::User)
}
pub fn list_attached_group_policies(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    list_attached(tx, ctx, p, Kind::Group)
}
pub fn list_attached_role_policies(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    list_attached(tx, ctx, p, Kind::Role)
}

pub fn list_entities_for_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let arn = resolve(tx, ctx.account, required(p, "PolicyArn")?)?.arn(ctx.account);
    let filter = p.str("EntityFilter");
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let usage = p.str("PolicyUsageFilter");
    let mut found: Vec<Entity> = Vec::new();
    let mut sources = Vec::new();
    if usage != Some("PermissionsBoundary") {
        sources.push(keys::attachments(ctx.account, &arn));
    }
    if usage != Some("PermissionsPolicy") {
        sources.push(keys::boundary_uses(ctx.account, &arn));
    }
    for prefix_key in sources {
        for (k, _) in tx.scan(&prefix_key, None, usize::MAX)? {
            let rest = keys::suffix(&k, &prefix_key).to_string();
            let Some((kind, id)) = rest.split_once('/') else {
                continue;
            };
            let Some(kind) = Kind::parse(kind) else {
                continue;
            };
            if let Some(e) = entities::by_id(tx, ctx.account, kind, id)?
                && e.path.starts_with(prefix)
                && !found.iter().any(|f| f.id == e.id)
            {
                found.push(e);
            }
        }
    }
    let wanted = |k: Kind| match filter {
        None | Some("LocalManagedPolicy") | Some("AWSManagedPolicy") => true,
        Some(f) => f == k.title(),
    };
    let pick = |k: Kind, name_key: &str, id_key: &str| -> Value {
        Value::List(
            found
                .iter()
                .filter(|e| e.kind == k && wanted(k))
                .map(|e| {
                    Value::object()
                        .with(name_key, e.name.as_str())
                        .with(id_key, e.id.as_str())
                })
                .collect(),
        )
    };
    Ok(Value::object()
        .with("PolicyGroups", pick(Kind::Group, "GroupName", "GroupId"))
        .with("PolicyUsers", pick(Kind::User, "UserName", "UserId"))
        .with("PolicyRoles", pick(Kind::Role, "RoleName", "RoleId"))
        .with("IsTruncated", false))
}

// Permissions boundaries.

pub fn boundary_value(arn: &str) -> Value {
    Value::object()
        .with("PermissionsBoundaryType", "Policy")
        .with("PermissionsBoundaryArn", arn)
}

/// Sets the boundary of a user or role (by unique ID) to the managed policy `arn`.
pub fn set_boundary(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    arn: &str,
) -> Result<(), IamError> {
    // AWS answers a boundary that names no policy as an invalid ARN.
    let m = resolve_existing(tx, ctx.account, arn)?.ok_or_else(|| invalid_arn(arn))?;
    let arn = m.arn(ctx.account);
    let old = match kind {
        Kind::User => {
            let Some(mut u) = users::find_by_id(tx, ctx.account, id)? else {
                return Ok(());
            };
            let old = u.permissions_boundary.replace(arn.clone());
            records::put(tx, &keys::user(ctx.account, &u.name), &u)?;
            old
        }
        Kind::Role => {
            let Some(mut r) = roles::find_by_id(tx, ctx.account, id)? else {
                return Ok(());
            };
            let old = r.permissions_boundary.replace(arn.clone());
            records::put(tx, &keys::role(ctx.account, &r.name), &r)?;
            old
        }
        Kind::Group => return Ok(()),
    };
    if let Some(old) = old {
        tx.delete(&keys::boundary_use(ctx.account, &old, kind.as_str(), id))?;
    }
    tx.put(
        &keys::boundary_use(ctx.account, &arn, kind.as_str(), id),
        b"",
    )?;
    Ok(())
}

/// Removes the boundary of a user or role (by unique ID).
pub fn clear_boundary(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    current: Option<&str>,
) -> Result<(), IamError> {
    let Some(arn) = current else {
        return Ok(());
    };
    tx.delete(&keys::boundary_use(ctx.account, arn, kind.as_str(), id))?;
    match kind {
        Kind::User => {
            if let Some(mut u) = users::find_by_id(tx, ctx.account, id)? {
                u.permissions_boundary = None;
                records::put(tx, &keys::user(ctx.account, &u.name), &u)?;
            }
        }
        Kind::Role => {
            if let Some(mut r) = roles::find_by_id(tx, ctx.account, id)? {
                r.permissions_boundary = None;
                records::put(tx, &keys::role(ctx.account, &r.name), &r)?;
            }
        }
        Kind::Group => {}
    }
    Ok(())
}

pub fn put_user_permissions_boundary(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    set_boundary(
        tx,
        ctx,
        Kind::User,
        &user.id,
        required(p, "PermissionsBoundary")?,
    )?;
    Ok(Value::object())
}

pub fn delete_user_permissions_boundary(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    clear_boundary(
        tx,
        ctx,
        Kind::User,
        &user.id,
        user.permissions_boundary.as_deref(),
    )?;
    Ok(Value::object())
}

/// The `Policy` structure of the managed policy in `params`' `PolicyArn` (for account details).
pub fn policy_json(tx: &mut dyn Tx, account: &str, params: &Params) -> Result<Value, IamError> {
    let m = resolve(tx, account, required(params, "PolicyArn")?)?;
    policy_value(tx, account, &m, true)
}

/// Every version of a managed policy, with documents, newest first.
pub fn list_policy_versions_for(
    tx: &mut dyn Tx,
    account: &str,
    arn: &str,
) -> Result<Value, IamError> {
    let list = match resolve(tx, account, arn)? {
        Managed::Aws(a) => vec![aws_version_value(a, true)],
        Managed::Local(policy) => {
            let mut vs = versions(tx, account, &policy)?;
            vs.reverse();
            vs.iter()
                .map(|v| version_value(v, &policy.default_version, true))
                .collect()
        }
    };
    Ok(Value::List(list))
}

#[cfg(test)]
mod tests;
