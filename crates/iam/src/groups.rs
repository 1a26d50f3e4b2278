//! IAM groups and membership.

use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::pagination::page;
use crate::principal::group_arn;
use crate::records::{self, Group};
use crate::users::{self, required};
use crate::{Conflict, Ctx, EntityKind, IamError, Quota, accounts, ids, keys};

fn no_such_group(name: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::Group,
        name,
        format!("The group with name {name} cannot be found."),
    )
}

fn group_exists(name: &str) -> IamError {
    IamError::already_exists(
        EntityKind::Group,
        name,
        format!("Group with name {name} already exists."),
    )
}

pub fn find(tx: &mut dyn Tx, account: &str, name: &str) -> Result<Group, IamError> {
    records::get(tx, &keys::group(account, name))?.ok_or_else(|| no_such_group(name))
}

fn find_by_id(tx: &mut dyn Tx, account: &str, id: &str) -> Result<Option<Group>, IamError> {
    let Some(lname) = tx.get(&keys::group_id(id))? else {
        return Ok(None);
    };
    let lname = String::from_utf8_lossy(&lname).into_owned();
    records::get(tx, &keys::group(account, &lname))
}

pub fn to_value(account: &str, g: &Group) -> Value {
    Value::object()
        .with("Path", g.path.as_str())
        .with("GroupName", g.name.as_str())
        .with("GroupId", g.id.as_str())
        .with("Arn", group_arn(account, &g.path, &g.name))
        .with("CreateDate", g.created)
}

pub fn create_group(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "GroupName")?;
    let path = p.str("Path").unwrap_or("/");
    let mut account = accounts::get(tx, ctx.account)?;
    if tx.get(&keys::group(ctx.account, name))?.is_some() {
        return Err(group_exists(name));
    }
    if account.groups >= ctx.limits.groups_per_account {
        return Err(IamError::limit_exceeded(
            Quota::GroupsPerAccount,
            ctx.limits.groups_per_account as usize,
        ));
    }
    let group = Group {
        id: ids::unique_id("AGPA")?,
        name: name.to_string(),
        path: path.to_string(),
        created: ctx.now,
    };
    records::put(tx, &keys::group(ctx.account, name), &group)?;
    tx.put(&keys::group_id(&group.id), keys::lower(name).as_bytes())?;
    account.groups += 1;
    accounts::put(tx, &account)?;
    Ok(Value::object().with("Group", to_value(ctx.account, &group)))
}

pub fn get_group(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let group = find(tx, ctx.account, required(p, "GroupName")?)?;
    let pg = page(
        tx,
        &keys::members(ctx.account, &group.id),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, k, _| {
            let user_id = keys::last_segment(k).to_string();
            Ok(users::find_by_id(tx, ctx.account, &user_id)?
                .map(|u| users::to_value(ctx.account, &u, false)))
        },
    )?;
    Ok(pg.finish(
        Value::object()
            .with("Group", to_value(ctx.account, &group))
            .with("Users", Value::List(pg.items.clone())),
    ))
}

pub fn list_groups(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let pg = page(
        tx,
        &keys::groups(ctx.account),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let g: Group =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(g.path
                .starts_with(prefix)
                .then(|| to_value(ctx.account, &g)))
        },
    )?;
    Ok(pg.finish(Value::object().with("Groups", Value::List(pg.items.clone()))))
}

pub fn update_group(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "GroupName")?;
    let mut group = find(tx, ctx.account, name)?;
    if let Some(path) = p.str("NewPath") {
        group.path = path.to_string();
    }
    if let Some(new_name) = p.str("NewGroupName") {
        if keys::lower(new_name) != keys::lower(name) {
            if tx.get(&keys::group(ctx.account, new_name))?.is_some() {
                return Err(group_exists(new_name));
            }
            tx.delete(&keys::group(ctx.account, name))?;
            tx.put(&keys::group_id(&group.id), keys::lower(new_name).as_bytes())?;
        }
        group.name = new_name.to_string();
    }
    records::put(tx, &keys::group(ctx.account, &group.name), &group)?;
    Ok(Value::object())
}

pub fn delete_group(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "GroupName")?;
    let group = find(tx, ctx.account, name)?;
    if !tx
        .scan(&keys::members(ctx.account, &group.id), None, 1)?
        .is_empty()
    {
        return Err(IamError::delete_conflict(
            EntityKind::Group,
            name,
            Conflict::GroupMembers,
        ));
    }
    if !tx
        .scan(&keys::inlines(ctx.account, "group", &group.id), None, 1)?
        .is_empty()
    {
        return Err(IamError::delete_conflict(
            EntityKind::Group,
            name,
            Conflict::InlinePolicies,
        ));
    }
    if !tx
        .scan(
            &keys::attached_all(ctx.account, "group", &group.id),
            None,
            1,
        )?
        .is_empty()
    {
        return Err(IamError::delete_conflict(
            EntityKind::Group,
            name,
            Conflict::AttachedPolicies,
        ));
    }
    tx.delete(&keys::group(ctx.account, name))?;
    tx.delete(&keys::group_id(&group.id))?;
    let mut account = accounts::get(tx, ctx.account)?;
    account.groups = account.groups.saturating_sub(1);
    accounts::put(tx, &account)?;
    Ok(Value::object())
}

pub fn add_user_to_group(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let group = find(tx, ctx.account, required(p, "GroupName")?)?;
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let membership = keys::member(ctx.account, &group.id, &user.id);
    if tx.get(&membership)?.is_some() {
        return Ok(Value::object());
    }
    let limit = ctx.limits.groups_per_user as usize;
    let current = tx.scan(&keys::user_groups(ctx.account, &user.id), None, limit + 1)?;
    if current.len() >= limit {
        return Err(IamError::limit_exceeded(Quota::GroupsPerUser, limit));
    }
    tx.put(&membership, b"")?;
    tx.put(&keys::user_group(ctx.account, &user.id, &group.id), b"")?;
    Ok(Value::object())
}

pub fn remove_user_from_group(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let group_name = required(p, "GroupName")?;
    let user_name = required(p, "UserName")?;
    let group = find(tx, ctx.account, group_name)?;
    let user = users::find(tx, ctx.account, user_name)?;
    if !tx.delete(&keys::member(ctx.account, &group.id, &user.id))? {
        return Err(IamError::no_such_entity(
            EntityKind::GroupMember,
            user_name,
            format!("The user with name {user_name} cannot be found in group {group_name}."),
        ));
    }
    tx.delete(&keys::user_group(ctx.account, &user.id, &group.id))?;
    Ok(Value::object())
}

pub fn list_groups_for_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let pg = page(
        tx,
        &keys::user_groups(ctx.account, &user.id),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, k, _| {
            let gid = keys::last_segment(k).to_string();
            Ok(find_by_id(tx, ctx.account, &gid)?.map(|g| to_value(ctx.account, &g)))
        },
    )?;
    Ok(pg.finish(Value::object().with("Groups", Value::List(pg.items.clone()))))
}
