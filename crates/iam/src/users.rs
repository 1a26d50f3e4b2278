//! IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and their tags.

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::pagination::page;
use crate::principal::user_arn;
use crate::records::{self, Account, User};
use crate::{Conflict, Ctx, EntityKind, IamError, PrincipalKind, Quota, accounts, ids, keys, tags};

/// A required string member (the model's validation has already checked it is present).
pub(crate) fn required<'p>(params: &'p Params, name: &str) -> Result<&'p str, IamError> {
    params.str(name).ok_or_else(|| {
        IamError::validation(format!(
            "1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// AWS's answer when a role or federated session omits `UserName` where it defaults to the
/// calling user.
pub(crate) fn non_user_credentials() -> IamError {
    IamError::validation("Must specify userName when calling with non-User credentials")
}

pub(crate) fn no_such_user(name: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::User,
        name,
        format!("The user with name {name} cannot be found."),
    )
}

fn user_exists(name: &str) -> IamError {
    IamError::already_exists(
        EntityKind::User,
        name,
        format!("User with name {name} already exists."),
    )
}

/// The user named `name` in the context's account.
pub fn find(tx: &mut dyn Tx, account: &str, name: &str) -> Result<User, IamError> {
    records::get(tx, &keys::user(account, name))?.ok_or_else(|| no_such_user(name))
}

/// The user with unique ID `id`, if it exists in `account`.
pub fn find_by_id(tx: &mut dyn Tx, account: &str, id: &str) -> Result<Option<User>, IamError> {
    let Some(lname) = tx.get(&keys::user_id(id))? else {
        return Ok(None);
    };
    let lname = String::from_utf8_lossy(&lname).into_owned();
    records::get(tx, &keys::user(account, &lname))
}

/// The `User` structure. `ListUsers` leaves out tags and the boundary, as AWS does.
pub fn to_value(account: &str, u: &User, full: bool) -> Value {
    let mut v = Value::object()
        .with("Path", u.path.as_str())
        .with("UserName", u.name.as_str())
        .with("UserId", u.id.as_str())
        .with("Arn", user_arn(account, &u.path, &u.name))
        .with("CreateDate", u.created)
        .with_opt("PasswordLastUsed", u.password_last_used);
    if full {
        if let Some(b) = &u.permissions_boundary {
            v = v.with("PermissionsBoundary", crate::policies::boundary_value(b));
        }
        if !u.tags.is_empty() {
            v = v.with("Tags", tags::to_value(&u.tags));
        }
    }
    v
}

pub fn create_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "UserName")?;
    let path = p.str("Path").unwrap_or("/");
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let mut account: Account = accounts::get(tx, ctx.account)?;
    if tx.get(&keys::user(ctx.account, name))?.is_some() {
        return Err(user_exists(name));
    }
    if account.users >= ctx.limits.users_per_account {
        return Err(IamError::limit_exceeded(
            Quota::UsersPerAccount,
            ctx.limits.users_per_account as usize,
        ));
    }
    let user = User {
        id: ids::unique_id("AIDA")?,
        name: name.to_string(),
        path: path.to_string(),
        created: ctx.now,
        tags: new_tags,
        permissions_boundary: None,
        password_last_used: None,
    };
    records::put(tx, &keys::user(ctx.account, name), &user)?;
    tx.put(&keys::user_id(&user.id), keys::lower(name).as_bytes())?;
    account.users += 1;
    accounts::put(tx, &account)?;
    let user = match p.str("PermissionsBoundary") {
        Some(arn) => {
            crate::policies::set_boundary(tx, ctx, crate::entities::Kind::User, &user.id, arn)?;
            find(tx, ctx.account, name)?
        }
        None => user,
    };
    Ok(Value::object().with("User", to_value(ctx.account, &user, true)))
}

pub fn get_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = match (p.str("UserName"), &ctx.caller.kind) {
        (Some(name), _) => find(tx, ctx.account, name)?,
        (None, PrincipalKind::User { name, .. }) => find(tx, ctx.account, name)?,
        (None, PrincipalKind::AssumedRole { .. } | PrincipalKind::FederatedUser { .. }) => {
            return Err(non_user_credentials());
        }
        (None, PrincipalKind::Root) => {
            // The root user: AWS answers with the account ID as its ID and the root ARN.
            let account = accounts::get(tx, ctx.account)?;
            return Ok(Value::object().with(
                "User",
                Value::object()
                    .with("UserId", ctx.account)
                    .with("Arn", ctx.caller.arn.as_str())
                    .with("CreateDate", account.created),
            ));
        }
    };
    Ok(Value::object().with("User", to_value(ctx.account, &user, true)))
}

pub fn list_users(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let prefix = p.str("PathPrefix").unwrap_or("/");
    let pg = page(
        tx,
        &keys::users(ctx.account),
        p.str("Marker"),
        p.int("MaxItems"),
        |_, _, v| {
            let u: User = serde_json::from_slice(v)
                .map_err(|e| iamd_store::StoreError::Corrupt(e.to_string()))?;
            Ok(u.path
                .starts_with(prefix)
                .then(|| to_value(ctx.account, &u, false)))
        },
    )?;
    Ok(pg.finish(Value::object().with("Users", Value::List(pg.items.clone()))))
}

pub fn update_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "UserName")?;
    let mut user = find(tx, ctx.account, name)?;
    if let Some(path) = p.str("NewPath") {
        user.path = path.to_string();
    }
    if let Some(new_name) = p.str("NewUserName") {
        if keys::lower(new_name) != keys::lower(name) {
            if tx.get(&keys::user(ctx.account, new_name))?.is_some() {
                return Err(user_exists(new_name));
            }
            tx.delete(&keys::user(ctx.account, name))?;
            tx.put(&keys::user_id(&user.id), keys::lower(new_name).as_bytes())?;
        }
        user.name = new_name.to_string();
    }
    records::put(tx, &keys::user(ctx.account, &user.name), &user)?;
    Ok(Value::object())
}

pub fn delete_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "UserName")?;
    let user = find(tx, ctx.account, name)?;
    let conflict = |reason| IamError::delete_conflict(EntityKind::User, name, reason);
    if !tx
        .scan(&keys::owner_keys(ctx.account, &user.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::AccessKeys));
    }
    if !tx
        .scan(&keys::user_groups(ctx.account, &user.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::GroupMemberships));
    }
    if !tx
        .scan(&keys::inlines(ctx.account, "user", &user.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::InlinePolicies));
    }
    if crate::mfa::user_has_devices(tx, ctx.account, &user.id)? {
        return Err(conflict(Conflict::MfaDevices));
    }
    if tx
        .get(&crate::passwords::profile_key(ctx.account, &user.id))?
        .is_some()
    {
        return Err(conflict(Conflict::LoginProfile));
    }
    if crate::certificates::user_has_signing_certificates(tx, ctx.account, &user.id)? {
        return Err(conflict(Conflict::SigningCertificates));
    }
    if crate::certificates::user_has_ssh_keys(tx, ctx.account, &user.id)? {
        return Err(conflict(Conflict::SshPublicKeys));
    }
    if crate::service_credentials::user_has_credentials(tx, ctx.account, &user.id)? {
        return Err(conflict(Conflict::ServiceSpecificCredentials));
    }
    if !tx
        .scan(&keys::attached_all(ctx.account, "user", &user.id), None, 1)?
        .is_empty()
    {
        return Err(conflict(Conflict::AttachedPolicies));
    }
    crate::policies::clear_boundary(
        tx,
        ctx,
        crate::entities::Kind::User,
        &user.id,
        user.permissions_boundary.as_deref(),
    )?;
    tx.delete(&keys::user(ctx.account, name))?;
    tx.delete(&keys::user_id(&user.id))?;
    let mut account = accounts::get(tx, ctx.account)?;
    account.users = account.users.saturating_sub(1);
    accounts::put(tx, &account)?;
    Ok(Value::object())
}

pub fn tag_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "UserName")?;
    let mut user = find(tx, ctx.account, name)?;
    tags::merge(
        &mut user.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    records::put(tx, &keys::user(ctx.account, name), &user)?;
    Ok(Value::object())
}

pub fn untag_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let name = required(p, "UserName")?;
    let mut user = find(tx, ctx.account, name)?;
    tags::remove(&mut user.tags, p);
    records::put(tx, &keys::user(ctx.account, name), &user)?;
    Ok(Value::object())
}

pub fn list_user_tags(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = find(tx, ctx.account, required(p, "UserName")?)?;
    tags::list(&user.tags, p)
}
