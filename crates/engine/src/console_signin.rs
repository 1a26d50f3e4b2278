//! The console's sign-in: an account (ID or alias), a user name (or the root user) and a
//! password, then an MFA code when the user has a device. Each attempt is checked and counted
//! (lockout) in one write transaction, which also records its `ConsoleLogin` event, so no
//! attempt goes unrecorded. What a signed-in console then does goes through [`Engine::call`]
//! as the principal returned here.

use std::sync::Arc;

use time::OffsetDateTime;

use iamd_iam::passwords::SignIn;
use iamd_iam::records::User;
use iamd_iam::{Ctx, IamError, Principal, accounts, console_login, keys, passwords, records};
use iamd_store::Tx;

use crate::audit::console_login::{self as event, Who};
use crate::{Engine, RequestFacts};

/// One sign-in attempt.
#[derive(Debug, Clone)]
pub struct SignInRequest {
    /// The account's 12-digit ID or its alias.
    pub account: String,
    /// `None`: the root user.
    pub user: Option<String>,
    pub password: String,
}

/// What the console must do before the signed-in user may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordState {
    Current,
    /// `PasswordResetRequired`: change it first.
    ResetRequired,
    /// Older than the password policy's `MaxPasswordAge`: change it first.
    Expired,
    /// Expired under `HardExpiry`: only an administrator can reset it.
    HardExpired,
}

#[derive(Debug, Clone)]
pub enum SignInOutcome {
    /// Signed in (recorded as a successful `ConsoleLogin`).
    SignedIn {
        principal: Principal,
        password: PasswordState,
    },
    /// The password is right; the user must give a code of one of these MFA devices.
    MfaRequired {
        principal: Principal,
        password: PasswordState,
        serials: Vec<String>,
    },
    /// Unknown account or user, wrong password, or locked: one answer for all.
    Failed,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl Engine {
    /// The account ID for a sign-in URL's identifier (an account ID or alias), and its alias.
    pub fn console_account_blocking(
        &self,
        id_or_alias: &str,
    ) -> Result<Option<(String, Option<String>)>, IamError> {
        iamd_store::read(self.store.as_ref(), |tx| {
            resolve(tx, id_or_alias).and_then(|id| match id {
                Some(id) => Ok(Some((id.clone(), accounts::get(tx, &id)?.alias))),
                None => Ok(None),
            })
        })
    }

    /// Checks a sign-in's password (with lockout) and records the attempt. Argon2 runs here:
    /// call from a blocking thread, or through [`Engine::console_sign_in`].
    pub fn console_sign_in_blocking(
        &self,
        req: &SignInRequest,
        facts: &RequestFacts,
    ) -> Result<SignInOutcome, IamError> {
        let now = OffsetDateTime::now_utc();
        let audit = self.config.audit;
        let key = self.audit.chain_key().clone();
        let region = self.config.region.clone();
        iamd_store::write(self.store.as_ref(), |tx| {
            let Some(account) = resolve(tx, &req.account)? else {
                console_login::spend_a_check(&req.password);
                return Ok(SignInOutcome::Failed);
            };
            let (checked, principal, password_state) = match &req.user {
                None => {
                    let c = console_login::check_root_sign_in(tx, &account, &req.password, now)?;
                    (
                        c,
                        Some(Principal::root(&account, None)),
                        PasswordState::Current,
                    )
                }
                Some(name) => {
                    let user = records::get::<User>(tx, &keys::user(&account, name))?;
                    let c = passwords::check_sign_in(tx, &account, name, &req.password, now)?;
                    if c == SignIn::NoProfile {
                        console_login::spend_a_check(&req.password);
                    }
                    let state = match &c {
                        SignIn::Ok { expired: true, .. } => {
                            let hard =
                                passwords::policy(tx, &account)?.is_some_and(|p| p.hard_expiry);
                            if hard {
                                PasswordState::HardExpired
                            } else {
                                PasswordState::Expired
                            }
                        }
                        SignIn::Ok {
                            reset_required: true,
                            ..
                        } => PasswordState::ResetRequired,
                        _ => PasswordState::Current,
                    };
                    let p = user.map(|u| Principal::user(&account, &u.name, &u.path, &u.id, None));
                    (c, p, state)
                }
            };
            let ok = matches!(checked, SignIn::Ok { .. });
            if ok && let Some(p) = &principal {
                let serials = if p.is_root() {
                    console_login::root_mfa_serials(tx, &account)?
                } else {
                    console_login::user_mfa_serials(tx, &account, &p.user_id)?
                };
                if !serials.is_empty() && password_state != PasswordState::HardExpired {
                    // Recorded once the code is checked.
                    return Ok(SignInOutcome::MfaRequired {
                        principal: p.clone(),
                        password: password_state,
                        serials,
                    });
                }
            }
            let success = ok && password_state != PasswordState::HardExpired;
            if audit {
                let who = principal.as_ref().map_or(Who::Unknown, Who::Known);
                let e = event::event(who, &account, facts, &region, success, false, now);
                event::append(tx, &key, &account, &e)?;
            }
            Ok(match (success, principal, ok) {
                (true, Some(principal), _) => SignInOutcome::SignedIn {
                    principal,
                    password: password_state,
                },
                (false, Some(principal), true) => SignInOutcome::SignedIn {
                    principal,
                    password: PasswordState::HardExpired,
                },
                _ => SignInOutcome::Failed,
            })
        })
    }

    /// [`Engine::console_sign_in_blocking`] off the async threads.
    pub async fn console_sign_in(
        self: &Arc<Engine>,
        req: SignInRequest,
        facts: RequestFacts,
    ) -> Result<SignInOutcome, IamError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.console_sign_in_blocking(&req, &facts))
            .await
            .map_err(|_| IamError::from(iamd_wire::ApiError::service_failure()))?
    }

    /// Checks the MFA code of a sign-in whose password was right (a code is used once), and
    /// records the sign-in. `Ok(None)`: a wrong code; else the principal the console acts as:
    /// for an IAM user, a session of the user with MFA in its request context (as AWS's console
    /// sessions have `aws:MultiFactorAuthPresent`), lasting `lifetime` seconds.
    pub fn console_mfa_blocking(
        &self,
        principal: &Principal,
        serials: &[String],
        code: &str,
        facts: &RequestFacts,
        lifetime: i64,
    ) -> Result<Option<Principal>, IamError> {
        let now = OffsetDateTime::now_utc();
        let audit = self.config.audit;
        let key = self.audit.chain_key().clone();
        let region = self.config.region.clone();
        let ring = self.sealing_ring();
        let account = principal.account.clone();
        iamd_store::write(self.store.as_ref(), |tx: &mut dyn Tx| {
            let ctx = Ctx {
                caller: principal,
                account: &account,
                now,
                limits: &self.config.limits,
                master: &self.master,
                ring: &ring,
            };
            // The root user's devices belong to no user.
            let owner = (!principal.is_root()).then_some(principal.user_id.as_str());
            let mut ok = false;
            for serial in serials {
                match iamd_iam::mfa::check_code(tx, &ctx, owner, serial, code) {
                    Ok(()) => {
                        ok = true;
                        break;
                    }
                    Err(IamError::AccessDenied { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            let signed_in = match (ok, &principal.kind) {
                (false, _) => None,
                (true, iamd_iam::PrincipalKind::User { .. }) => {
                    Some(mfa_session(principal, now, lifetime)?)
                }
                (true, _) => Some(principal.clone()),
            };
            if audit {
                let who = signed_in.as_ref().unwrap_or(principal);
                let e = event::event(Who::Known(who), &account, facts, &region, ok, true, now);
                event::append(tx, &key, &account, &e)?;
            }
            Ok(signed_in)
        })
    }

    /// [`Engine::console_mfa_blocking`] off the async threads.
    pub async fn console_mfa(
        self: &Arc<Engine>,
        principal: Principal,
        serials: Vec<String>,
        code: String,
        facts: RequestFacts,
        lifetime: i64,
    ) -> Result<Option<Principal>, IamError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || {
            engine.console_mfa_blocking(&principal, &serials, &code, &facts, lifetime)
        })
        .await
        .map_err(|_| IamError::from(iamd_wire::ApiError::service_failure()))?
    }

    /// The console's root user enables (`Some` codes) or removes (`None`) its MFA device.
    /// Only the root user itself, signed in with its password, may; the action is recorded as
    /// `EnableMFADevice` / `DeactivateMFADevice`.
    pub fn console_root_mfa_blocking(
        &self,
        caller: &Principal,
        serial: &str,
        codes: Option<(&str, &str)>,
        facts: &RequestFacts,
    ) -> Result<(), IamError> {
        let now = OffsetDateTime::now_utc();
        let name = if codes.is_some() {
            "EnableMFADevice"
        } else {
            "DeactivateMFADevice"
        };
        let account = caller.account.clone();
        let result = if !caller.is_root()
            || caller.session.is_some()
            || caller.access_key_id.is_some()
        {
            Err(IamError::access_denied(format!(
                "User: {} is not authorized to perform: iam:{name} on the root user's MFA device: only the root user, signed in to the console, may",
                caller.arn
            )))
        } else {
            let key = self.audit.chain_key().clone();
            let audit = self.config.audit;
            let region = self.config.region.clone();
            iamd_store::write(self.store.as_ref(), |tx| {
                match codes {
                    Some((c1, c2)) => console_login::enable_root_mfa(
                        tx,
                        &self.master,
                        &account,
                        serial,
                        c1,
                        c2,
                        now,
                    )?,
                    None => console_login::remove_root_mfa(tx, &account, serial)?,
                }
                if audit {
                    let e = event::action_event(caller, facts, &region, name, serial, None, now);
                    event::append(tx, &key, &account, &e)?;
                }
                Ok::<_, IamError>(())
            })
        };
        if let Err(e) = &result
            && self.config.audit
        {
            let api = e.to_api();
            let ev = event::action_event(
                caller,
                facts,
                &self.config.region,
                name,
                serial,
                Some((&api.code, &api.message)),
                now,
            );
            let key = self.audit.chain_key().clone();
            let _ = iamd_store::write(self.store.as_ref(), |tx| {
                event::append(tx, &key, &account, &ev)
            });
        }
        result
    }

    /// [`Engine::console_root_mfa_blocking`] off the async threads.
    pub async fn console_root_mfa(
        self: &Arc<Engine>,
        caller: Principal,
        serial: String,
        codes: Option<(String, String)>,
        facts: RequestFacts,
    ) -> Result<(), IamError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || {
            let codes = codes.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            engine.console_root_mfa_blocking(&caller, &serial, codes, &facts)
        })
        .await
        .map_err(|_| IamError::from(iamd_wire::ApiError::service_failure()))?
    }

    /// Sets the root user's console password (`iamd account set-root-password`).
    pub fn set_root_password(&self, account: &str, password: &str) -> Result<(), IamError> {
        let now = OffsetDateTime::now_utc();
        iamd_store::write(self.store.as_ref(), |tx| {
            console_login::set_root_password(tx, account, password, now)
        })
    }
}

/// A session of an IAM user who signed in with MFA, as `GetSessionToken` with a code makes
/// one: the user's current policies, with `aws:MultiFactorAuthPresent` and
/// `aws:MultiFactorAuthAge`. It is never sealed into a token: only the console holds it.
fn mfa_session(
    user: &Principal,
    now: OffsetDateTime,
    lifetime: i64,
) -> Result<Principal, IamError> {
    use iamd_token::{SessionOwner, SessionPrincipal};
    let creds = iamd_token::mint_credentials()
        .map_err(|e| IamError::internal(format!("minting console session credentials: {e}")))?;
    let at = now.unix_timestamp();
    let s = iamd_token::Session {
        version: iamd_token::SESSION_VERSION,
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        account: user.account.clone(),
        principal: SessionPrincipal::SessionOf(SessionOwner::User {
            user_arn: user.arn.clone(),
            user_id: user.user_id.clone(),
        }),
        arn: user.arn.clone(),
        user_id: user.user_id.clone(),
        policy: None,
        policy_arns: Vec::new(),
        mfa_authenticated: true,
        mfa_auth_time: Some(at),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        issued_at: at,
        expires_at: at + lifetime,
        issuer: user.arn.clone(),
        chain_depth: 0,
        key_id: 0,
    };
    Ok(Principal::from_session(Arc::new(s)))
}

/// The account an identifier names: a 12-digit ID that exists, or an alias.
fn resolve(tx: &mut dyn Tx, id_or_alias: &str) -> Result<Option<String>, IamError> {
    if is_account_id(id_or_alias) {
        return Ok(tx
            .get(&keys::account(id_or_alias))?
            .map(|_| id_or_alias.to_string()));
    }
    iamd_iam::account::account_for_alias(tx, &id_or_alias.to_ascii_lowercase())
}
