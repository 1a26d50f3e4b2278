//! Console passwords: login profiles, ChangePassword, the account password policy, and the
//! sign-in check (with lockout) the console uses. Passwords are stored as Argon2id hashes only
//! and never returned or logged.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::records::{self, User};
use crate::users::{self, required};
use crate::{Ctx, EntityKind, IamError, PrincipalKind, keys};

/// Failed sign-ins in a row before the profile is locked, and for how long.
pub const LOCKOUT_FAILURES: u32 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    /// PHC string: `$argon2id$v=19$…`.
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub changed: OffsetDateTime,
    pub reset_required: bool,
    /// Earlier hashes, newest first (PasswordReusePrevention).
    #[serde(default)]
    pub history: Vec<String>,
    #[serde(default)]
    pub failures: u32,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
}

/// `UpdateAccountPasswordPolicy`'s fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: i64,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change: bool,
    pub max_age_days: Option<i64>,
    pub reuse_prevention: Option<i64>,
    pub hard_expiry: bool,
}

pub fn profile_key(account: &str, user_id: &str) -> Vec<u8> {
    format!("login/{account}/{user_id}").into_bytes()
}
fn policy_key(account: &str) -> Vec<u8> {
    format!("pwpolicy/{account}").into_bytes()
}

pub fn policy(tx: &mut dyn Tx, account: &str) -> Result<Option<PasswordPolicy>, IamError> {
    records::get(tx, &policy_key(account))
}

fn hash(password: &str) -> Result<String, IamError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| IamError::internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches a stored hash. A stored hash that does not parse is a corrupt
/// record, not a wrong password.
fn matches(hash: &str, password: &str) -> Result<bool, IamError> {
    let h = PasswordHash::new(hash)
        .map_err(|e| IamError::internal(format!("a stored password hash does not parse: {e}")))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &h)
        .is_ok())
}

fn violation(message: &str) -> IamError {
    IamError::PasswordPolicyViolation {
        message: message.to_string(),
    }
}

/// Checks a new password against the account's policy (or AWS's default policy when none is
/// set: at least 8 characters and three of the four character classes) and its history.
fn check_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    user: &User,
    password: &str,
    history: &[String],
) -> Result<(), IamError> {
    let upper = password.chars().any(|c| c.is_ascii_uppercase());
    let lower = password.chars().any(|c| c.is_ascii_lowercase());
    let number = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password.chars().any(|c| c.is_ascii_punctuation());
    match policy(tx, ctx.account)? {
        None => {
            if password.chars().count() < 8 {
                return Err(violation("Password should have a minimum length of 8"));
            }
            if [upper, lower, number, symbol]
                .iter()
                .filter(|b| **b)
                .count()
                < 3
            {
                return Err(violation(
                    "Password should include at least three of the following: uppercase letters, lowercase letters, numbers, symbols",
                ));
            }
            if password.eq_ignore_ascii_case(&user.name) || password == ctx.account {
                return Err(violation(
                    "Password should not be your user name or account ID",
                ));
            }
        }
        Some(pp) => {
            if (password.chars().count() as i64) < pp.minimum_length {
                return Err(violation(&format!(
                    "Password should have a minimum length of {}",
                    pp.minimum_length
                )));
            }
            if pp.require_uppercase && !upper {
                return Err(violation(
                    "Password should have at least one uppercase letter",
                ));
            }
            if pp.require_lowercase && !lower {
                return Err(violation(
                    "Password should have at least one lowercase letter",
                ));
            }
            if pp.require_numbers && !number {
                return Err(violation("Password should have at least one number"));
            }
            if pp.require_symbols && !symbol {
                return Err(violation("Password should have at least one symbol"));
            }
            if let Some(n) = pp.reuse_prevention {
                let n = usize::try_from(n).unwrap_or_default();
                for h in history.iter().take(n) {
                    if matches(h, password)? {
                        return Err(violation(&format!(
                            "Password should not be one of your previous {n} passwords"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

fn no_profile(name: &str) -> IamError {
    IamError::no_such_entity(
        EntityKind::LoginProfile,
        name,
        format!("Login Profile for User {name} cannot be found."),
    )
}

fn profile_value(user: &User, p: &LoginProfile) -> Value {
    Value::object()
        .with("UserName", user.name.as_str())
        .with("CreateDate", p.created)
        .with("PasswordResetRequired", p.reset_required)
}

pub fn create_login_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    if tx.get(&profile_key(ctx.account, &user.id))?.is_some() {
        return Err(IamError::already_exists(
            EntityKind::LoginProfile,
            user.name.as_str(),
            format!("Login Profile for user {} already exists.", user.name),
        ));
    }
    let password = required(p, "Password")?;
    check_policy(tx, ctx, &user, password, &[])?;
    let profile = LoginProfile {
        hash: hash(password)?,
        created: ctx.now,
        changed: ctx.now,
        reset_required: p.bool("PasswordResetRequired").unwrap_or(false),
        history: Vec::new(),
        failures: 0,
        locked_until: None,
    };
    records::put(tx, &profile_key(ctx.account, &user.id), &profile)?;
    Ok(Value::object().with("LoginProfile", profile_value(&user, &profile)))
}

pub fn get_login_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = match (p.str("UserName"), &ctx.caller.kind) {
        (Some(n), _) => users::find(tx, ctx.account, n)?,
        (None, PrincipalKind::User { name, .. }) => users::find(tx, ctx.account, name)?,
        _ => return Err(users::non_user_credentials()),
    };
    let profile: LoginProfile = records::get(tx, &profile_key(ctx.account, &user.id))?
        .ok_or_else(|| no_profile(&user.name))?;
    Ok(Value::object().with("LoginProfile", profile_value(&user, &profile)))
}

fn set_password(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    user: &User,
    profile: &mut LoginProfile,
    password: &str,
) -> Result<(), IamError> {
    let mut history = vec![profile.hash.clone()];
    history.extend(profile.history.iter().cloned());
    check_policy(tx, ctx, user, password, &history)?;
    history.truncate(24);
    profile.history = history;
    profile.hash = hash(password)?;
    profile.changed = ctx.now;
    profile.failures = 0;
    profile.locked_until = None;
    Ok(())
}

pub fn update_login_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    let mut profile: LoginProfile = records::get(tx, &profile_key(ctx.account, &user.id))?
        .ok_or_else(|| no_profile(&user.name))?;
    if let Some(pw) = p.str("Password") {
        set_password(tx, ctx, &user, &mut profile, pw)?;
    }
    if let Some(r) = p.bool("PasswordResetRequired") {
        profile.reset_required = r;
    }
    records::put(tx, &profile_key(ctx.account, &user.id), &profile)?;
    Ok(Value::object())
}

pub fn delete_login_profile(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let user = users::find(tx, ctx.account, required(p, "UserName")?)?;
    if !tx.delete(&profile_key(ctx.account, &user.id))? {
        return Err(no_profile(&user.name));
    }
    Ok(Value::object())
}

/// `ChangePassword`: the calling IAM user's own password, the old one required.
pub fn change_password(tx: &mut dyn Tx, ctx: &Ctx, p: &Params) -> Result<Value, IamError> {
    let PrincipalKind::User { name, .. } = &ctx.caller.kind else {
        return Err(IamError::InvalidUserType);
    };
    let user = users::find(tx, ctx.account, name)?;
    let mut profile: LoginProfile = records::get(tx, &profile_key(ctx.account, &user.id))?
        .ok_or_else(|| no_profile(&user.name))?;
    if !matches(&profile.hash, required(p, "OldPassword")?)? {
        return Err(IamError::access_denied("The old password is incorrect."));
    }
    set_password(tx, ctx, &user, &mut profile, required(p, "NewPassword")?)?;
    profile.reset_required = false;
    records::put(tx, &profile_key(ctx.account, &user.id), &profile)?;
    Ok(Value::object())
}

/// Whether the account's password policy lets every user change their own password (AWS then
/// allows ChangePassword without an identity policy granting it).
pub fn users_may_change_password(tx: &mut dyn Tx, account: &str) -> Result<bool, IamError> {
    Ok(policy(tx, account)?.is_some_and(|p| p.allow_users_to_change))
}

/// The outcome of a console sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    Ok { reset_required: bool, expired: bool },
    WrongPassword,
    Locked { until: OffsetDateTime },
    NoProfile,
}

/// Checks a console password, counting failures: after [`LOCKOUT_FAILURES`] wrong passwords
/// in a row the profile is locked for [`LOCKOUT_MINUTES`]. Run in a write transaction.
pub fn check_sign_in(
    tx: &mut dyn Tx,
    account: &str,
    user_name: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<SignIn, IamError> {
    let Some(user) = records::get::<User>(tx, &keys::user(account, user_name))? else {
        return Ok(SignIn::NoProfile);
    };
    let key = profile_key(account, &user.id);
    let Some(mut profile) = records::get::<LoginProfile>(tx, &key)? else {
        return Ok(SignIn::NoProfile);
    };
    if let Some(until) = profile.locked_until.filter(|u| *u > now) {
        return Ok(SignIn::Locked { until });
    }
    if !matches(&profile.hash, password)? {
        profile.failures += 1;
        if profile.failures >= LOCKOUT_FAILURES {
            profile.locked_until = Some(now + Duration::minutes(LOCKOUT_MINUTES));
            profile.failures = 0;
        }
        records::put(tx, &key, &profile)?;
        return Ok(SignIn::WrongPassword);
    }
    let max_age = policy(tx, account)?.and_then(|p| p.max_age_days);
    let expired = max_age.is_some_and(|d| profile.changed + Duration::days(d) < now);
    profile.failures = 0;
    profile.locked_until = None;
    records::put(tx, &key, &profile)?;
    let mut user = user;
    user.password_last_used = Some(now);
    records::put(tx, &keys::user(account, &user.name), &user)?;
    Ok(SignIn::Ok {
        reset_required: profile.reset_required,
        expired,
    })
}

pub fn update_account_password_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    p: &Params,
) -> Result<Value, IamError> {
    let pp = PasswordPolicy {
        minimum_length: p.int("MinimumPasswordLength").unwrap_or(6),
        require_symbols: p.bool("RequireSymbols").unwrap_or(false),
        require_numbers: p.bool("RequireNumbers").unwrap_or(false),
        require_uppercase: p.bool("RequireUppercaseCharacters").unwrap_or(false),
        require_lowercase: p.bool("RequireLowercaseCharacters").unwrap_or(false),
        allow_users_to_change: p.bool("AllowUsersToChangePassword").unwrap_or(false),
        max_age_days: p.int("MaxPasswordAge"),
        reuse_prevention: p.int("PasswordReusePrevention"),
        hard_expiry: p.bool("HardExpiry").unwrap_or(false),
    };
    records::put(tx, &policy_key(ctx.account), &pp)?;
    Ok(Value::object())
}

pub fn get_account_password_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    let pp = policy(tx, ctx.account)?.ok_or_else(|| {
        IamError::no_such_entity(
            EntityKind::PasswordPolicy,
            ctx.account,
            format!(
                "The Password Policy with domain name {} cannot be found.",
                ctx.account
            ),
        )
    })?;
    let v = Value::object()
        .with("MinimumPasswordLength", pp.minimum_length)
        .with("RequireSymbols", pp.require_symbols)
        .with("RequireNumbers", pp.require_numbers)
        .with("RequireUppercaseCharacters", pp.require_uppercase)
        .with("RequireLowercaseCharacters", pp.require_lowercase)
        .with("AllowUsersToChangePassword", pp.allow_users_to_change)
        .with("ExpirePasswords", pp.max_age_days.is_some())
        .with_opt("MaxPasswordAge", pp.max_age_days)
        .with_opt("PasswordReusePrevention", pp.reuse_prevention)
        .with("HardExpiry", pp.hard_expiry);
    Ok(Value::object().with("PasswordPolicy", v))
}

pub fn delete_account_password_policy(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    _p: &Params,
) -> Result<Value, IamError> {
    if !tx.delete(&policy_key(ctx.account))? {
        return Err(IamError::no_such_entity(
            EntityKind::PasswordPolicy,
            ctx.account,
            "The account policy with name PasswordPolicy cannot be found.",
        ));
    }
    Ok(Value::object())
}
