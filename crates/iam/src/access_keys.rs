//! Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey. The secret is
//! in the CreateAccessKey response only; the store keeps it sealed under the master key.

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::pagination::page;
use crate::records::{self, AccessKey, KeyOwner};
use crate::{Ctx, EntityKind, IamError, PrincipalKind, Quota, ids, keys, users};

/// AWS's quota: two access keys per user (and per root user).
pub const KEYS_PER_USER: usize = 2;

/// Whose keys a request is about: `UserName`, or else the caller itself.
enum Owner {
    Root,
    User { id: String, name: String },
}

fn owner(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Owner, IamError> {
    let name = match (p.str("UserName"), &ctx.caller.kind) {
        (Some(n), _) => n.to_string(),
        (None, PrincipalKind::User { name, .. }) => name.clone(),
        (None, PrincipalKind::Root) => return Ok(Owner::Root),
        (None, _) => return Err(users::non_user_credentials()),
    };
    let u = users::find(tx, ctx.account, &name)?;
    Ok(Owner::User {
        id: u.id,
        name: u.name,
    })
}

impl Owner {
    fn index(&self) -> &str {
        match self {
            Owner::Root => "root",
            Owner::User { id, .. } => id,
        }
    }
    fn user_name(&self) -> Option<&str> {
        match self {
            Owner::Root => None,
            Owner::User { name, .. } => Some(name),
        }
    }
    fn matches(&self, k: &AccessKey) -> bool {
        match (self, &k.owner) {
            (Owner::Root, KeyOwner::Root) => true,
            (Owner::User { id, .. }, KeyOwner::User { id: kid }) => id == kid,
            _ => false,
        }
    }
}

fn no_such_key(id: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::AccessKey,
        id,
        format!("The Access Key with id {id} cannot be found."),
    )
}

fn find(tx: &mut dyn Tx, ctx: &Ctx, owner: &Owner, id: &str) -> Result<AccessKey, IamError> {
    match records::get::<AccessKey>(tx, &keys::access_key(id))? {
        Some(k) if k.account == ctx.account && owner.matches(&k) => Ok(k),
        _ => Err(no_such_key(id)),
    }
}

pub fn create_access_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let owner = owner(tx, ctx, p)?;
    let existing = tx.scan(
        &keys::owner_keys(ctx.account, owner.index()),
        None,
        KEYS_PER_USER + 1,
    )?;
    if existing.len() >= KEYS_PER_USER {
        return Err(IamError::limit_exceeded(
            Quota::AccessKeysPerUser,
            KEYS_PER_USER,
        ));
    }
    let id = ids::access_key_id("AKIA")?;
    let secret = ids::secret_access_key()?;
    let key = AccessKey {
        id: id.clone(),
        account: ctx.account.to_string(),
        owner: match &owner {
            Owner::Root => KeyOwner::Root,
            Owner::User { id, .. } => KeyOwner::User { id: id.clone() },
        },
        secret: ctx.master.seal(&secret, &id)?,
        status: "Active".to_string(),
        created: ctx.now,
    };
    records::put(tx, &keys::access_key(&id), &key)?;
    tx.put(&keys::owner_key(ctx.account, owner.index(), &id), b"")?;
    let v = Value::object()
        .with_opt("UserName", owner.user_name())
        .with("AccessKeyId", id.as_str())
        .with("Status", "Active")
        .with("SecretAccessKey", secret)
        .with("CreateDate", ctx.now);
    Ok(Value::object().with("AccessKey", v))
}

pub fn list_access_keys(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let owner = owner(tx, ctx, p)?;
    let pg = page(
        tx,
        &keys::owner_keys(ctx.account, owner.index()),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, k, _| {
            let id = keys::last_segment(k).to_string();
            Ok(
                records::get::<AccessKey>(tx, &keys::access_key(&id))?.map(|key| {
                    Value::object()
                        .with_opt("UserName", owner.user_name())
                        .with("AccessKeyId", key.id.as_str())
                        .with("Status", key.status.as_str())
                        .with("CreateDate", key.created)
                }),
            )
        },
    )?;
    Ok(pg.finish(Value::object().with("AccessKeyMetadata", Value::List(pg.items.clone()))))
}

pub fn update_access_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let owner = owner(tx, ctx, p)?;
    let id = users::required(p, "AccessKeyId")?;
    let status = users::required(p, "Status")?;
    if status != "Active" && status != "Inactive" {
        return Err(IamError::validation(
            "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
        ));
    }
    let mut key = find(tx, ctx, &owner, id)?;
    key.status = status.to_string();
    records::put(tx, &keys::access_key(id), &key)?;
    Ok(Value::object())
}

pub fn delete_access_key(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let owner = owner(tx, ctx, p)?;
    let id = users::required(p, "AccessKeyId")?;
    find(tx, ctx, &owner, id)?;
    tx.delete(&keys::access_key(id))?;
    tx.delete(&keys::owner_key(ctx.account, owner.index(), id))?;
    Ok(Value::object())
}
