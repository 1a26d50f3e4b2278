//! IAM roles and instance profiles.

use iamd_policy::PolicyKind;
use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::entities::Kind;
use crate::pagination::page;
use crate::records::{self, InstanceProfile, Role};
use crate::users::required;
use crate::{
    Conflict, Ctx, EntityKind, IamError, Quota, accounts, documents, ids, keys, policies,
    service_linked_roles, tags,
};

/// AWS's default quotas.
pub const ROLES_PER_ACCOUNT: u32 = 1000;
pub const INSTANCE_PROFILES_PER_ACCOUNT: u32 = 1000;
pub const ROLE_TRUST_POLICY_SIZE: usize = 2048;
pub const ROLES_PER_INSTANCE_PROFILE: usize = 1;

pub fn role_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role{path}{name}")
}

pub fn instance_profile_arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:instance-profile{path}{name}")
}

fn no_such_role(name: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::Role,
        name,
        format!("The role with name {name} cannot be found."),
    )
}

pub fn find(tx: &mut dyn Tx, account: &str, name: &str) -> Result<Role, IamError> {
    records::get(tx, &keys::role(account, name))?.ok_or_else(|| no_such_role(name))
}

pub fn find_by_id(tx: &mut dyn Tx, account: &str, id: &str) -> Result<Option<Role>, IamError> {
    let Some(lname) = tx.get(&keys::role_id(id))? else {
        return Ok(None);
    };
    let lname = String::from_utf8_lossy(&lname).into_owned();
    records::get(tx, &keys::role(account, &lname))
}

/// The `Role` structure. `ListRoles` leaves out tags, the boundary and last use, as AWS does.
pub fn to_value(account: &str, r: &Role, full: bool) -> Value {
    let mut v = Value::object()
        .with("Path", r.path.as_str())
        .with("RoleName", r.name.as_str())
        .with("RoleId", r.id.as_str())
        .with("Arn", role_arn(account, &r.path, &r.name))
        .with("CreateDate", r.created)
        .with(
            "AssumeRolePolicyDocument",
            documents::url_encode(&r.assume_role_policy),
        )
        .with_opt("Description", r.description.as_deref())
        .with("MaxSessionDuration", r.max_session_duration);
    if full {
        if let Some(b) = &r.permissions_boundary {
            v = v.with("PermissionsBoundary", policies::boundary_value(b));
        }
        if !r.tags.is_empty() {
            v = v.with("Tags", tags::to_value(&r.tags));
        }
        let last = match &r.last_used {
            Some(l) => Value::object()
                .with("LastUsedDate", l.date)
                .with("Region", l.region.as_str()),
            None => Value::object(),
        };
        v = v.with("RoleLastUsed", last);
    }
    v
}

/// The `Role` of CreateRole's and UpdateRoleDescription's answers: no `MaxSessionDuration` and
/// no `RoleLastUsed`, which only GetRole (and the lists) carry. Observed in LocalStack's
/// AWS-recorded snapshots (tests/aws/services/iam/test_iam_roles.snapshot.json:
/// `create-role-response`, `update-role-description-response`).
fn written_role(account: &str, r: &Role) -> Value {
    let mut v = to_value(account, r, true);
    if let Value::Struct(m) = &mut v {
        m.retain(|(k, _)| k != "RoleLastUsed" && k != "MaxSessionDuration");
    }
    v
}

fn check_trust_policy(doc: &str) -> Result<(), IamError> {
    documents::check_size(doc, ROLE_TRUST_POLICY_SIZE, Quota::TrustPolicySize)?;
    documents::validate(doc, PolicyKind::RoleTrust)?;
    Ok(())
}

pub fn create_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "RoleName")?;
    let path = p.str("Path").unwrap_or("/");
    service_linked_roles::ensure_path_not_reserved(path)?;
    let trust = required(p, "AssumeRolePolicyDocument")?;
    check_trust_policy(trust)?;
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let mut account = accounts::get(tx, ctx.account)?;
    if tx.get(&keys::role(ctx.account, name))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::Role,
            name,
            format!("Role with name {name} already exists."),
        ));
    }
    if account.roles >= ROLES_PER_ACCOUNT {
        return Err(IamError::limit_exceeded(
            Quota::RolesPerAccount,
            ROLES_PER_ACCOUNT as usize,
        ));
    }
    let role = Role {
        id: ids::unique_id("AROA")?,
        name: name.to_string(),
        path: path.to_string(),
        created: ctx.now,
        assume_role_policy: trust.to_string(),
        description: p.str("Description").map(str::to_string),
        max_session_duration: p.int("MaxSessionDuration").unwrap_or(3600),
        permissions_boundary: None,
        tags: new_tags,
        last_used: None,
    };
    records::put(tx, &keys::role(ctx.account, name), &role)?;
    tx.put(&keys::role_id(&role.id), keys::lower(name).as_bytes())?;
    account.roles += 1;
    accounts::put(tx, &account)?;
    let role = match p.str("PermissionsBoundary") {
        Some(arn) => {
            policies::set_boundary(tx, ctx, Kind::Role, &role.id, arn)?;
            find(tx, ctx.account, name)?
        }
        None => role,
    };
    Ok(Value::object().with("Role", written_role(ctx.account, &role)))
}

pub fn get_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    Ok(Value::object().with("Role", to_value(ctx.account, &role, true)))
}

pub fn list_roles(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let pg = page(
        tx,
        &keys::roles(ctx.account),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let r: Role =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(r.path
                .starts_with(prefix)
                .then(|| to_value(ctx.account, &r, false)))
        },
    )?;
    Ok(pg.finish(Value::object().with("Roles", Value::List(pg.items.clone()))))
}

fn save(tx: &mut dyn Tx, ctx: &Ctx, role: &Role) -> Result<(), IamError> {
    records::put(tx, &keys::role(ctx.account, &role.name), role)
}

pub fn update_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut role = find(tx, ctx.account, required(p, "RoleName")?)?;
    if let Some(d) = p.str("Description") {
        role.description = Some(d.to_string());
    }
    if let Some(m) = p.int("MaxSessionDuration") {
        service_linked_roles::ensure_role_modifiable(&role)?;
        role.max_session_duration = m;
    }
    save(tx, ctx, &role)?;
    Ok(Value::object())
}

pub fn update_role_description(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut role = find(tx, ctx.account, required(p, "RoleName")?)?;
    role.description = Some(required(p, "Description")?.to_string());
    save(tx, ctx, &role)?;
    Ok(Value::object().with("Role", written_role(ctx.account, &role)))
}

pub fn update_assume_role_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let mut role = find(tx, ctx.account, required(p, "RoleName")?)?;
    service_linked_roles::ensure_role_modifiable(&role)?;
    let doc = required(p, "PolicyDocument")?;
    check_trust_policy(doc)?;
    role.assume_role_policy = doc.to_string();
    save(tx, ctx, &role)?;
    Ok(Value::object())
}

pub fn delete_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "RoleName")?;
    let role = find(tx, ctx.account, name)?;
    service_linked_roles::ensure_role_modifiable(&role)?;
    let conflict = |reason| IamError::delete_conflict(EntityKind::Role, name, reason);
    if !tx
        .scan(&keys::role_profiles(ctx.account, &role.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::InstanceProfileRoles));
    }
    if !tx
        .scan(&keys::inlines(ctx.account, "role", &role.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::InlinePolicies));
    }
    if !tx
        .scan(&keys::attached_all(ctx.account, "role", &role.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::AttachedPolicies));
    }
    policies::clear_boundary(
        tx,
        ctx,
        Kind::Role,
        &role.id,
        role.permissions_boundary.as_deref(),
    )?;
    tx.delete(&keys::role(ctx.account, name))?;
    tx.delete(&keys::role_id(&role.id))?;
    let mut account = accounts::get(tx, ctx.account)?;
    account.roles = account.roles.saturating_sub(1);
    accounts::put(tx, &account)?;
    Ok(Value::object())
}

pub fn tag_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut role = find(tx, ctx.account, required(p, "RoleName")?)?;
    tags::merge(
        &mut role.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    save(tx, ctx, &role)?;
    Ok(Value::object())
}

pub fn untag_role(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut role = find(tx, ctx.account, required(p, "RoleName")?)?;
    tags::remove(&mut role.tags, p);
    save(tx, ctx, &role)?;
    Ok(Value::object())
}

pub fn list_role_tags(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    tags::list(&role.tags, p)
}

pub fn put_role_permissions_boundary(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    service_linked_roles::ensure_role_modifiable(&role)?;
    policies::set_boundary(
        tx,
        ctx,
        Kind::Role,
        &role.id,
        required(p, "PermissionsBoundary")?,
    )?;
    Ok(Value::object())
}

pub fn delete_role_permissions_boundary(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    service_linked_roles::ensure_role_modifiable(&role)?;
    policies::clear_boundary(
        tx,
        ctx,
        Kind::Role,
        &role.id,
        role.permissions_boundary.as_deref(),
    )?;
    Ok(Value::object())
}

// Instance profiles.

fn no_such_profile(name: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::InstanceProfile,
        name,
        format!("Instance Profile {name} cannot be found."),
    )
}

pub fn find_profile(
    tx: &mut dyn Tx,
    account: &str,
    name: &str,
) -> Result<InstanceProfile, IamError> {
    records::get(tx, &keys::instance_profile(account, name))?.ok_or_else(|| no_such_profile(name))
}

/// An `InstanceProfile`. Its roles carry no `MaxSessionDuration` (the API reference's
/// GetInstanceProfile example; LocalStack's AWS-recorded test_iam_instance_profiles.snapshot.json
/// `get-with-role`, `list-for-role`).
fn profile_value(tx: &mut dyn Tx, account: &str, ip: &InstanceProfile) -> Result<Value, IamError> {
    let mut roles = Vec::new();
    for id in &ip.roles {
        if let Some(r) = find_by_id(tx, account, id)? {
            let mut v = to_value(account, &r, false);
            if let Value::Struct(m) = &mut v {
                m.retain(|(k, _)| k != "MaxSessionDuration");
            }
            roles.push(v);
        }
    }
    let mut v = Value::object()
        .with("Path", ip.path.as_str())
        .with("InstanceProfileName", ip.name.as_str())
        .with("InstanceProfileId", ip.id.as_str())
        .with("Arn", instance_profile_arn(account, &ip.path, &ip.name))
        .with("CreateDate", ip.created)
        .with("Roles", Value::List(roles));
    if !ip.tags.is_empty() {
        v = v.with("Tags", tags::to_value(&ip.tags));
    }
    Ok(v)
}

pub fn create_instance_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "InstanceProfileName")?;
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let mut account = accounts::get(tx, ctx.account)?;
    if tx
        .get(&keys::instance_profile(ctx.account, name))?
        .is_some()
    {
        return Err(IamError::already_exists(
            EntityKind::InstanceProfile,
            name,
            format!("Instance Profile {name} already exists."),
        ));
    }
    if account.instance_profiles >= INSTANCE_PROFILES_PER_ACCOUNT {
        return Err(IamError::limit_exceeded(
            Quota::InstanceProfilesPerAccount,
            INSTANCE_PROFILES_PER_ACCOUNT as usize,
        ));
    }
    let ip = InstanceProfile {
        id: ids::unique_id("AIPA")?,
        name: name.to_string(),
        path: p.str("Path").unwrap_or("/").to_string(),
        created: ctx.now,
        roles: Vec::new(),
        tags: new_tags,
    };
    records::put(tx, &keys::instance_profile(ctx.account, name), &ip)?;
    account.instance_profiles += 1;
    accounts::put(tx, &account)?;
    Ok(Value::object().with("InstanceProfile", profile_value(tx, ctx.account, &ip)?))
}

/// GetInstanceProfile always sends `Tags`, empty for a profile without tags (LocalStack's
/// AWS-recorded test_iam_instance_profiles.snapshot.json `get-instance-profile`,
/// `get-without-role`), where CreateInstanceProfile and the lists leave it out.
pub fn get_instance_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let ip = find_profile(tx, ctx.account, required(p, "InstanceProfileName")?)?;
    let v = tags::always(profile_value(tx, ctx.account, &ip)?);
    Ok(Value::object().with("InstanceProfile", v))
}

pub fn list_instance_profiles(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let pg = page(
        tx,
        &keys::instance_profiles(ctx.account),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, _, v| {
            let ip: InstanceProfile =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if !ip.path.starts_with(prefix) {
                return Ok(None);
            }
            profile_value(tx, ctx.account, &ip).map(Some)
        },
    )?;
    Ok(pg.finish(Value::object().with("InstanceProfiles", Value::List(pg.items.clone()))))
}

pub fn delete_instance_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "InstanceProfileName")?;
    let ip = find_profile(tx, ctx.account, name)?;
    if !ip.roles.is_empty() {
        return Err(IamError::delete_conflict(
            EntityKind::InstanceProfile,
            name,
            Conflict::InstanceProfileRoles,
        ));
    }
    tx.delete(&keys::instance_profile(ctx.account, name))?;
    let mut account = accounts::get(tx, ctx.account)?;
    account.instance_profiles = account.instance_profiles.saturating_sub(1);
    accounts::put(tx, &account)?;
    Ok(Value::object())
}

pub fn add_role_to_instance_profile(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "InstanceProfileName")?;
    let mut ip = find_profile(tx, ctx.account, name)?;
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    if ip.roles.contains(&role.id) {
        return Err(IamError::already_exists(
            EntityKind::InstanceProfileRole,
            role.name.as_str(),
            format!(
                "The role {} is already associated with instance profile {name}.",
                role.name
            ),
        ));
    }
    if ip.roles.len() >= ROLES_PER_INSTANCE_PROFILE {
        return Err(IamError::limit_exceeded(
            Quota::RolesPerInstanceProfile,
            ROLES_PER_INSTANCE_PROFILE,
        ));
    }
    ip.roles.push(role.id.clone());
    records::put(tx, &keys::instance_profile(ctx.account, name), &ip)?;
    tx.put(&keys::role_profile(ctx.account, &role.id, name), b"")?;
    Ok(Value::object())
}

pub fn remove_role_from_instance_profile(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "InstanceProfileName")?;
    let mut ip = find_profile(tx, ctx.account, name)?;
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    if !ip.roles.contains(&role.id) {
        return Err(IamError::no_such_entity(
            EntityKind::InstanceProfileRole,
            role.name.as_str(),
            format!(
                "The role {} is not associated with instance profile {name}.",
                role.name
            ),
        ));
    }
    ip.roles.retain(|r| r != &role.id);
    records::put(tx, &keys::instance_profile(ctx.account, name), &ip)?;
    tx.delete(&keys::role_profile(ctx.account, &role.id, name))?;
    Ok(Value::object())
}

pub fn list_instance_profiles_for_role(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let role = find(tx, ctx.account, required(p, "RoleName")?)?;
    let pg = page(
        tx,
        &keys::role_profiles(ctx.account, &role.id),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, k, _| {
            let name = keys::last_segment(k).to_string();
            match records::get::<InstanceProfile>(tx, &keys::instance_profile(ctx.account, &name))?
            {
                Some(ip) => profile_value(tx, ctx.account, &ip).map(Some),
                None => Ok(None),
            }
        },
    )?;
    Ok(pg.finish(Value::object().with("InstanceProfiles", Value::List(pg.items.clone()))))
}

pub fn tag_instance_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "InstanceProfileName")?;
    let mut ip = find_profile(tx, ctx.account, name)?;
    tags::merge(
        &mut ip.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    records::put(tx, &keys::instance_profile(ctx.account, name), &ip)?;
    Ok(Value::object())
}

pub fn untag_instance_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "InstanceProfileName")?;
    let mut ip = find_profile(tx, ctx.account, name)?;
    tags::remove(&mut ip.tags, p);
    records::put(tx, &keys::instance_profile(ctx.account, name), &ip)?;
    Ok(Value::object())
}

pub fn list_instance_profile_tags(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let ip = find_profile(tx, ctx.account, required(p, "InstanceProfileName")?)?;
    tags::list(&ip.tags, p)
}
