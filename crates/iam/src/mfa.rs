//! Virtual MFA devices: create, enable with two consecutive codes, resync, deactivate, delete,
//! list, tags — and the check STS uses for `SerialNumber`/`TokenCode`. Seeds are sealed under
//! the master key; a code once used is never accepted again for its device.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use iamd_store::{StoreError, Tx};
use iamd_wire::{Params, Value};

use crate::pagination::page;
use crate::records;
use crate::records::Tag;
use crate::users::{self, required};
use crate::{Conflict, Ctx, EntityKind, IamError, PrincipalKind, Quota, keys, tags};

/// AWS's quota: MFA devices per user.
pub const DEVICES_PER_USER: usize = 8;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaDevice {
    pub serial: String,
    pub name: String,
    pub path: String,
    /// The seed, sealed under the master key (context: the serial number).
    pub seed: String,
    /// The user it is enabled for (unique ID), if any.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub enabled: Option<OffsetDateTime>,
    /// The last time step whose code was accepted (replays are refused).
    #[serde(default)]
    pub last_step: u64,
    /// Clock drift of the device, in steps, learned by ResyncMFADevice.
    #[serde(default)]
    pub drift: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

fn device_key(account: &str, serial: &str) -> Vec<u8> {
    format!("mfa/{account}/{}", serial.replace('/', "|")).into_bytes()
}
fn devices_key(account: &str) -> Vec<u8> {
    format!("mfa/{account}/").into_bytes()
}
pub fn user_device_key(account: &str, user_id: &str, serial: &str) -> Vec<u8> {
    format!("usermfa/{account}/{user_id}/{}", serial.replace('/', "|")).into_bytes()
}
pub fn user_devices_key(account: &str, user_id: &str) -> Vec<u8> {
    format!("usermfa/{account}/{user_id}/").into_bytes()
}

fn no_such_device(serial: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::MfaDevice,
        serial,
        format!("MFA Device with serial number {serial} does not exist."),
    )
}

pub(crate) fn find(tx: &mut dyn Tx, account: &str, serial: &str) -> Result<MfaDevice, IamError> {
    records::get(tx, &device_key(account, serial))?.ok_or_else(|| no_such_device(serial))
}

pub(crate) fn save(tx: &mut dyn Tx, account: &str, d: &MfaDevice) -> Result<(), IamError> {
    records::put(tx, &device_key(account, &d.serial), d)
}

/// The device's seed, opened. A seed that does not open or decode is a corrupt record.
pub(crate) fn seed(master: &crate::secrets::MasterKey, d: &MfaDevice) -> Result<Vec<u8>, IamError> {
    let b32 = master.open(&d.seed, &d.serial).ok_or_else(|| {
        IamError::internal(format!(
            "the seed of MFA device {} does not open with this master key",
            d.serial
        ))
    })?;
    iamd_mfa::base32::decode(&b32).ok_or_else(|| {
        IamError::internal(format!("the seed of MFA device {} is not base32", d.serial))
    })
}

fn now_unix(ctx: &Ctx) -> u64 {
    u64::try_from(ctx.now.unix_timestamp()).unwrap_or_default()
}

pub fn create_virtual_mfa_device(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let name = required(p, "VirtualMFADeviceName")?;
    let path = p.str("Path").unwrap_or("/");
    let serial = format!("arn:aws:iam::{}:mfa{path}{name}", ctx.account);
    if tx.get(&device_key(ctx.account, &serial))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::MfaDevice,
            serial,
            "MFADevice entity at the same path and name already exists.",
        ));
    }
    let mut new_tags = Vec::new();
    tags::merge(
        &mut new_tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    let s = iamd_mfa::Seed::generate()
        .map_err(|e| IamError::internal(format!("generating an MFA seed: {e}")))?;
    let b32 = s.to_base32();
    let account_name = crate::accounts::get(tx, ctx.account)?
        .alias
        .unwrap_or_else(|| ctx.account.to_string());
    let png = iamd_mfa::qr_code_png(&s.aws_otpauth_uri(name, &account_name))
        .map_err(|e| IamError::internal(format!("drawing an MFA QR code: {e}")))?;
    let device = MfaDevice {
        serial: serial.clone(),
        name: name.to_string(),
        path: path.to_string(),
        seed: ctx.master.seal(&b32, &serial)?,
        user_id: None,
        enabled: None,
        last_step: 0,
        drift: 0,
        tags: new_tags,
        created: ctx.now,
    };
    save(tx, ctx.account, &device)?;
    let mut v = Value::object()
        .with("SerialNumber", serial.as_str())
        .with("Base32StringSeed", Value::Blob(b32.into_bytes()))
        .with("QRCodePNG", Value::Blob(png));
    if !device.tags.is_empty() {
        v = v.with("Tags", tags::to_value(&device.tags));
    }
    Ok(Value::object().with("VirtualMFADevice", v))
}

/// The user a request is about (`UserName` or the calling user).
fn target_user(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<records::User, IamError> {
    match (p.str("UserName"), &ctx.caller.kind) {
        (Some(n), _) => users::find(tx, ctx.account, n),
        (None, PrincipalKind::User { name, .. }) => users::find(tx, ctx.account, name),
        _ => Err(users::non_user_credentials()),
    }
}

pub fn enable_mfa_device(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let serial = required(p, "SerialNumber")?;
    let mut d = find(tx, ctx.account, serial)?;
    if d.user_id.is_some() {
        return Err(IamError::already_exists(
            EntityKind::MfaDevice,
            serial,
            "MFA Device is already in use.",
        ));
    }
    if tx
        .scan(
            &user_devices_key(ctx.account, &user.id),
            None,
            DEVICES_PER_USER + 1,
        )?
        .len()
        >= DEVICES_PER_USER
    {
        return Err(IamError::limit_exceeded(
            Quota::MfaDevicesPerUser,
            DEVICES_PER_USER,
        ));
    }
    let secret = seed(ctx.master, &d)?;
    let step = iamd_mfa::verify_consecutive(
        &secret,
        required(p, "AuthenticationCode1")?,
        required(p, "AuthenticationCode2")?,
        now_unix(ctx),
    )
    .ok_or(IamError::InvalidAuthenticationCode)?;
    d.user_id = Some(user.id.clone());
    d.enabled = Some(ctx.now);
    d.last_step = step;
    save(tx, ctx.account, &d)?;
    tx.put(&user_device_key(ctx.account, &user.id, serial), b"")?;
    Ok(Value::object())
}

pub fn resync_mfa_device(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let serial = required(p, "SerialNumber")?;
    let mut d = find(tx, ctx.account, serial)?;
    if d.user_id.as_deref() != Some(user.id.as_str()) {
        return Err(no_such_device(serial));
    }
    let secret = seed(ctx.master, &d)?;
    let r = iamd_mfa::resync(
        &secret,
        required(p, "AuthenticationCode1")?,
        required(p, "AuthenticationCode2")?,
        now_unix(ctx),
        d.last_step,
    )
    .ok_or(IamError::InvalidAuthenticationCode)?;
    d.last_step = r.step;
    d.drift = r.drift_steps;
    save(tx, ctx.account, &d)?;
    Ok(Value::object())
}

pub fn deactivate_mfa_device(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let serial = required(p, "SerialNumber")?;
    let mut d = find(tx, ctx.account, serial)?;
    if d.user_id.as_deref() != Some(user.id.as_str()) {
        return Err(no_such_device(serial));
    }
    d.user_id = None;
    d.enabled = None;
    save(tx, ctx.account, &d)?;
    tx.delete(&user_device_key(ctx.account, &user.id, serial))?;
    Ok(Value::object())
}

pub fn delete_virtual_mfa_device(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let serial = required(p, "SerialNumber")?;
    let d = find(tx, ctx.account, serial)?;
    if d.user_id.is_some() {
        return Err(IamError::delete_conflict(
            EntityKind::MfaDevice,
            serial,
            Conflict::MfaDeviceInUse,
        ));
    }
    tx.delete(&device_key(ctx.account, serial))?;
    Ok(Value::object())
}

pub fn list_mfa_devices(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = target_user(tx, ctx, p)?;
    let pg = page(
        tx,
        &user_devices_key(ctx.account, &user.id),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, k, _| {
            let serial = keys::last_segment(k).replace('|', "/");
            Ok(
                records::get::<MfaDevice>(tx, &device_key(ctx.account, &serial))?.map(|d| {
                    Value::object()
                        .with("UserName", user.name.as_str())
                        .with("SerialNumber", d.serial.as_str())
                        .with_opt("EnableDate", d.enabled)
                }),
            )
        },
    )?;
    Ok(pg.finish(Value::object().with("MFADevices", Value::List(pg.items.clone()))))
}

pub fn list_virtual_mfa_devices(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let status = p.str("AssignmentStatus").unwrap_or("Any");
    let pg = page(
        tx,
        &devices_key(ctx.account),
        p.str("Marker"),
        p.int("MaxItems"),
        |tx, _, v| {
            let d: MfaDevice =
                serde_json::from_slice(v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let assigned = d.user_id.is_some();
            if (status == "Assigned" && !assigned) || (status == "Unassigned" && assigned) {
                return Ok(None);
            }
            let mut out = Value::object().with("SerialNumber", d.serial.as_str());
            if let Some(uid) = &d.user_id
                && let Some(u) = users::find_by_id(tx, ctx.account, uid)?
            {
                out = out.with("User", users::to_value(ctx.account, &u, false));
            }
            out = out.with_opt("EnableDate", d.enabled);
            if !d.tags.is_empty() {
                out = out.with("Tags", tags::to_value(&d.tags));
            }
            Ok(Some(out))
        },
    )?;
    Ok(pg.finish(Value::object().with("VirtualMFADevices", Value::List(pg.items.clone()))))
}

pub fn get_mfa_device(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let serial = required(p, "SerialNumber")?;
    let d = find(tx, ctx.account, serial)?;
    let user = match &d.user_id {
        Some(uid) => users::find_by_id(tx, ctx.account, uid)?,
        None => None,
    };
    if let Some(n) = p.str("UserName")
        && user
            .as_ref()
            .is_none_or(|u| !u.name.eq_ignore_ascii_case(n))
    {
        return Err(no_such_device(serial));
    }
    Ok(Value::object()
        .with_opt("UserName", user.map(|u| u.name))
        .with("SerialNumber", d.serial.as_str())
        .with_opt("EnableDate", d.enabled))
}

pub fn tag_mfa_device(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut d = find(tx, ctx.account, required(p, "SerialNumber")?)?;
    tags::merge(
        &mut d.tags,
        tags::from_params(p)?,
        ctx.limits.tags_per_resource,
    )?;
    save(tx, ctx.account, &d)?;
    Ok(Value::object())
}

pub fn untag_mfa_device(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let mut d = find(tx, ctx.account, required(p, "SerialNumber")?)?;
    tags::remove(&mut d.tags, p);
    save(tx, ctx.account, &d)?;
    Ok(Value::object())
}

pub fn list_mfa_device_tags(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let d = find(tx, ctx.account, required(p, "SerialNumber")?)?;
    tags::list(&d.tags, p)
}

fn mfa_denied() -> IamError {
    IamError::access_denied(
        "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
    )
}

/// The step a `TokenCode` matches for a device enabled for `user_id` (`None`: the root user's),
/// if the code is valid and was not used before. Consumes nothing.
fn matching_step(
    tx: &mut dyn Tx,
    master: &crate::secrets::MasterKey,
    account: &str,
    user_id: Option<&str>,
    serial: &str,
    code: &str,
    now: OffsetDateTime,
) -> Result<(MfaDevice, u64), IamError> {
    // An unknown device is a failed code; a store failure stays one.
    let d = match find(tx, account, serial) {
        Ok(d) => d,
        Err(e) if e.is_not_found(EntityKind::MfaDevice) => return Err(mfa_denied()),
        Err(e) => return Err(e),
    };
    if d.user_id.as_deref() != user_id || d.enabled.is_none() {
        return Err(mfa_denied());
    }
    let secret = seed(master, &d)?;
    let now = u64::try_from(now.unix_timestamp()).unwrap_or_default();
    let step = iamd_mfa::verify_after_with_drift(&secret, code, now, d.last_step, d.drift)
        .ok_or_else(mfa_denied)?;
    Ok((d, step))
}

/// Whether a `TokenCode` is valid now, without using it up (authorization checks it before the
/// operation consumes it with [`check_code`]).
pub fn code_is_valid(
    tx: &mut dyn Tx,
    master: &crate::secrets::MasterKey,
    account: &str,
    user_id: Option<&str>,
    serial: &str,
    code: &str,
    now: OffsetDateTime,
) -> Result<bool, IamError> {
    match matching_step(tx, master, account, user_id, serial, code, now) {
        Ok(_) => Ok(true),
        Err(IamError::AccessDenied { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Checks a `TokenCode` for STS: the device must be enabled for `user_id` (or, with `None`,
/// be the root user's), and the code valid and not used before. Records the step used.
pub fn check_code(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    user_id: Option<&str>,
    serial: &str,
    code: &str,
) -> Result<(), IamError> {
    let (mut d, step) = matching_step(tx, ctx.master, ctx.account, user_id, serial, code, ctx.now)?;
    d.last_step = step;
    save(tx, ctx.account, &d)?;
    Ok(())
}

/// Whether a user still has MFA devices (DeleteUser's conflict).
pub fn user_has_devices(tx: &mut dyn Tx, account: &str, user_id: &str) -> Result<bool, IamError> {
    Ok(!tx
        .scan(&user_devices_key(account, user_id), None, 1)?
        .is_empty())
}
