//! Inline policies of users, groups and roles: Put/Get/Delete/List{User,Group,Role}Policy.

use iamd_policy::PolicyKind;
use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::entities::{self, Kind};
use crate::pagination::page;
use crate::records::{self, InlinePolicy};
use crate::users::required;
use crate::{Ctx, EntityKind, IamError, Quota, documents, keys};

/// AWS's quotas on the total size of an entity's inline policies (characters, white space
/// excluded).
pub fn aggregate_limit(kind: Kind) -> usize {
    match kind {
        Kind::User => 2048,
        Kind::Group => 5120,
        Kind::Role => 10240,
    }
}

/// Every inline policy of an entity (by unique ID).
pub fn all(
    tx: &mut dyn Tx,
    account: &str,
    kind: Kind,
    id: &str,
) -> Result<Vec<InlinePolicy>, IamError> {
    let mut out = Vec::new();
    for (_, v) in tx.scan(&keys::inlines(account, kind.as_str(), id), None, usize::MAX)? {
        out.push(serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    }
    Ok(out)
}

fn put(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    crate::service_linked_roles::ensure_modifiable(&entity)?;
    let name = required(p, "PolicyName")?;
    let doc = required(p, "PolicyDocument")?;
    documents::validate(doc, PolicyKind::Inline)?;
    let others: usize = all(tx, ctx.account, kind, &entity.id)?
        .iter()
        .filter(|i| keys::lower(&i.name) != keys::lower(name))
        .map(|i| iamd_policy::policy_size(&i.document))
        .sum();
    let limit = aggregate_limit(kind);
    if others + iamd_policy::policy_size(doc) > limit {
        return Err(IamError::limit_exceeded(
            Quota::InlinePolicySize {
                owner: kind,
                entity: entity.name,
            },
            limit,
        ));
    }
    let record = InlinePolicy {
        name: name.to_string(),
        document: doc.to_string(),
    };
    records::put(
        tx,
        &keys::inline(ctx.account, kind.as_str(), &entity.id, name),
        &record,
    )?;
    Ok(Value::object())
}

fn no_such(kind: Kind, name: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::InlinePolicy(kind),
        name,
        format!(
            "The {} policy with name {name} cannot be found.",
            kind.as_str()
        ),
    )
}

fn get(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    let name = required(p, "PolicyName")?;
    let record: InlinePolicy = records::get(
        tx,
        &keys::inline(ctx.account, kind.as_str(), &entity.id, name),
    )?
    .ok_or_else(|| no_such(kind, name))?;
    Ok(Value::object()
        .with(kind.param(), entity.name.as_str())
        .with("PolicyName", record.name.as_str())
        .with("PolicyDocument", documents::url_encode(&record.document)))
}

fn delete(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    crate::service_linked_roles::ensure_modifiable(&entity)?;
    let name = required(p, "PolicyName")?;
    if !tx.delete(&keys::inline(ctx.account, kind.as_str(), &entity.id, name))? {
        return Err(no_such(kind, name));
    }
    Ok(Value::object())
}

fn list(tx: &mut dyn Tx, ctx: &Ctx, p: &Params, kind: Kind) -> Result<Value, IamError> {
    let entity = entities::from_params(tx, ctx, kind, p)?;
    let pg = page(
        tx,
        &keys::inlines(ctx.account, kind.as_str(), &entity.id),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let i: InlinePolicy =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(Some(Value::Str(i.name)))
        },
    )?;
    Ok(pg.finish(Value::object().with("PolicyNames", Value::List(pg.items.clone()))))
}

pub fn put_user_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    put(tx, ctx, p, Kind::User)
}
pub fn put_group_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    put(tx, ctx, p, Kind::Group)
}
pub fn put_role_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    put(tx, ctx, p, Kind::Role)
}
pub fn get_user_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    get(tx, ctx, p, Kind::User)
}
pub fn get_group_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    get(tx, ctx, p, Kind::Group)
}
pub fn get_role_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    get(tx, ctx, p, Kind::Role)
}
pub fn delete_user_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    delete(tx, ctx, p, Kind::User)
}
pub fn delete_group_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    delete(tx, ctx, p, Kind::Group)
}
pub fn delete_role_policy(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    delete(tx, ctx, p, Kind::Role)
}
pub fn list_user_policies(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    list(tx, ctx, p, Kind::User)
}
pub fn list_group_policies(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    list(tx, ctx, p, Kind::Group)
}
pub fn list_role_policies(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    list(tx, ctx, p, Kind::Role)
}
