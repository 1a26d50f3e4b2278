//! What the console's sign-in needs beyond IAM users' login profiles (`passwords`): the root
//! user's password (set by `iamd account set-root-password`), with the same lockout, and the
//! MFA devices a signing-in user must answer for. Passwords are Argon2id hashes only.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use iamd_store::Tx;

use crate::passwords::{LOCKOUT_FAILURES, LOCKOUT_MINUTES, SignIn};
use crate::{IamError, keys, records};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RootPassword {
    /// PHC string: `$argon2id$v=19$…`.
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub changed: OffsetDateTime,
    #[serde(default)]
    pub failures: u32,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
}

fn root_key(account: &str) -> Vec<u8> {
    format!("rootpw/{account}").into_bytes()
}

/// AWS's rules for a root user's password: 8 to 128 characters, and at least three of
/// uppercase letters, lowercase letters, numbers and symbols.
pub fn check_root_password_rules(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err("The password must be 8 to 128 characters long.".into());
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| c.is_ascii_punctuation()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err("The password must include at least three of the following: uppercase letters, lowercase letters, numbers, symbols.".into());
    }
    Ok(())
}

/// Sets (or replaces) the root user's console password of an existing account.
pub fn set_root_password(
    tx: &mut dyn Tx,
    account: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<(), IamError> {
    crate::accounts::get(tx, account)?;
    check_root_password_rules(password)
        .map_err(|m| IamError::PasswordPolicyViolation { message: m })?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| IamError::internal(format!("hashing a password: {e}")))?;
    let record = RootPassword {
        hash,
        changed: now,
        failures: 0,
        locked_until: None,
    };
    records::put(tx, &root_key(account), &record)
}

/// Whether the root user has a console password.
pub fn root_has_password(tx: &mut dyn Tx, account: &str) -> Result<bool, IamError> {
    Ok(tx.get(&root_key(account))?.is_some())
}

fn verify(hash: &str, password: &str) -> Result<bool, IamError> {
    let h = PasswordHash::new(hash)
        .map_err(|e| IamError::internal(format!("a stored password hash does not parse: {e}")))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &h)
        .is_ok())
}

/// Spends the time of one password check, so an unknown user name answers as slowly as a
/// wrong password (no user enumeration by timing).
pub fn spend_a_check(password: &str) {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"iamd: not a password")
            .map(|h| h.to_string())
            .ok()
    });
    if let Some(h) = dummy {
        let _ = verify(h, password);
    }
}

/// Checks the root user's console password, with the lockout IAM users have. Run in a write
/// transaction.
pub fn check_root_sign_in(
    tx: &mut dyn Tx,
    account: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<SignIn, IamError> {
    let key = root_key(account);
    let Some(mut rec) = records::get::<RootPassword>(tx, &key)? else {
        spend_a_check(password);
        return Ok(SignIn::NoProfile);
    };
    if let Some(until) = rec.locked_until.filter(|u| *u > now) {
        return Ok(SignIn::Locked { until });
    }
    if !verify(&rec.hash, password)? {
        rec.failures += 1;
        if rec.failures >= LOCKOUT_FAILURES {
            rec.locked_until = Some(now + Duration::minutes(LOCKOUT_MINUTES));
            rec.failures = 0;
        }
        records::put(tx, &key, &rec)?;
        return Ok(SignIn::WrongPassword);
    }
    if rec.failures != 0 || rec.locked_until.is_some() {
        rec.failures = 0;
        rec.locked_until = None;
        records::put(tx, &key, &rec)?;
    }
    Ok(SignIn::Ok {
        reset_required: false,
        expired: false,
    })
}

/// The serial numbers of the MFA devices enabled for a user (by unique ID).
pub fn user_mfa_serials(
    tx: &mut dyn Tx,
    account: &str,
    user_id: &str,
) -> Result<Vec<String>, IamError> {
    Ok(tx
        .scan(
            &crate::mfa::user_devices_key(account, user_id),
            None,
            crate::mfa::DEVICES_PER_USER,
        )?
        .iter()
        .map(|(k, _)| keys::last_segment(k).replace('|', "/"))
        .collect())
}

/// The user ID under which the root user's MFA device is listed (`usermfa/<account>/root/…`,
/// which `GetAccountSummary` counts as `AccountMFAEnabled`). No IAM user ID looks like it.
const ROOT_MFA_OWNER: &str = "root";

/// The serial numbers of the root user's MFA devices.
pub fn root_mfa_serials(tx: &mut dyn Tx, account: &str) -> Result<Vec<String>, IamError> {
    user_mfa_serials(tx, account, ROOT_MFA_OWNER)
}

/// Enables a virtual MFA device (created with `CreateVirtualMFADevice`) for the root user, with
/// two consecutive codes, as `EnableMFADevice` does for users. The API has no root form of it;
/// the console's root user does this.
pub fn enable_root_mfa(
    tx: &mut dyn Tx,
    master: &crate::secrets::MasterKey,
    account: &str,
    serial: &str,
    code1: &str,
    code2: &str,
    now: OffsetDateTime,
) -> Result<(), IamError> {
    let mut d = crate::mfa::find(tx, account, serial)?;
    if d.user_id.is_some() || d.enabled.is_some() {
        return Err(IamError::already_exists(
            crate::EntityKind::MfaDevice,
            serial,
            "MFA Device is already in use.",
        ));
    }
    let secret = crate::mfa::seed(master, &d)?;
    let now_unix = u64::try_from(now.unix_timestamp()).unwrap_or_default();
    let step = iamd_mfa::verify_consecutive(&secret, code1, code2, now_unix)
        .ok_or(IamError::InvalidAuthenticationCode)?;
    d.enabled = Some(now);
    d.last_step = step;
    crate::mfa::save(tx, account, &d)?;
    tx.put(
        &crate::mfa::user_device_key(account, ROOT_MFA_OWNER, serial),
        b"",
    )?;
    Ok(())
}

/// Takes an MFA device away from the root user (it can then be deleted).
pub fn remove_root_mfa(tx: &mut dyn Tx, account: &str, serial: &str) -> Result<(), IamError> {
    let mut d = crate::mfa::find(tx, account, serial)?;
    let key = crate::mfa::user_device_key(account, ROOT_MFA_OWNER, serial);
    if d.user_id.is_some() || tx.get(&key)?.is_none() {
        return Err(IamError::no_such_entity(
            crate::EntityKind::MfaDevice,
            serial,
            format!("MFA Device with serial number {serial} does not exist."),
        ));
    }
    d.enabled = None;
    crate::mfa::save(tx, account, &d)?;
    tx.delete(&key)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_store::{MemoryStore, Store};

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn root_password_checks_and_locks() {
        let store = MemoryStore::new();
        iamd_store::write(&store as &dyn Store, |tx| {
            crate::accounts::create(tx, "111122223333", now())?;
            assert!(matches!(
                set_root_password(tx, "111122223333", "short", now()),
                Err(IamError::PasswordPolicyViolation { .. })
            ));
            set_root_password(tx, "111122223333", "Root-Passw0rd!", now())?;
            assert_eq!(
                check_root_sign_in(tx, "111122223333", "Root-Passw0rd!", now())?,
                SignIn::Ok {
                    reset_required: false,
                    expired: false
                }
            );
            for _ in 0..LOCKOUT_FAILURES {
                assert_eq!(
                    check_root_sign_in(tx, "111122223333", "wrong", now())?,
                    SignIn::WrongPassword
                );
            }
            // Locked: even the right password is refused until the lock ends.
            assert!(matches!(
                check_root_sign_in(tx, "111122223333", "Root-Passw0rd!", now())?,
                SignIn::Locked { .. }
            ));
            let later = now() + Duration::minutes(LOCKOUT_MINUTES + 1);
            assert!(matches!(
                check_root_sign_in(tx, "111122223333", "Root-Passw0rd!", later)?,
                SignIn::Ok { .. }
            ));
            assert_eq!(
                check_root_sign_in(tx, "999988887777", "x", now())?,
                SignIn::NoProfile
            );
            Ok::<_, IamError>(())
        })
        .unwrap();
    }

    #[test]
    fn no_account_no_password() {
        let store = MemoryStore::new();
        let r = iamd_store::write(&store as &dyn Store, |tx| {
            set_root_password(tx, "111122223333", "Root-Passw0rd!", now())
        });
        assert!(r.is_err());
    }
}
