//! iamd's web console: server-rendered pages (maud) over the engine.
//!
//! - Sign-in at `/console` (account field, remembered in a cookie) and
//!   `/signin/<account id or alias>`: IAM users with their password and MFA, the root user
//!   with the password `iamd account set-root-password` set. The checks, lockout and
//!   `ConsoleLogin` events are the engine's; the console adds a per-address rate limit.
//! - Sessions live on the server (`session`): a random ID in an HttpOnly, SameSite=Lax cookie
//!   (Secure under TLS), a new ID at sign-in, removed at sign-out; every form carries the
//!   session's CSRF token and every POST is checked.
//! - Every page and action is an [`iamd_engine::Engine::call`] as the signed-in principal, with
//!   the Query API's parameters: the console can do what that principal's policies allow, and
//!   every action is in the audit trail. A denial names the action.
//! - `/federation`: `getSigninToken` and `login`, console sessions for temporary credentials.

// Guards return the response that replaces the page (a redirect, the sign-in form): one per
// request, so its size does not matter.
#![allow(clippy::result_large_err)]

mod federation;
mod layout;
mod pages;
mod session;
mod signin;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use iamd_engine::Engine;

pub use session::Sessions;

/// Marks a request that came over TLS (the HTTPS listener adds it): cookies get `Secure`, and
/// calls carry `aws:SecureTransport` true.
#[derive(Debug, Clone, Copy)]
pub struct SecureTransport;

/// How the console behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Testing only (`--dev`): every console session ends after this many seconds, so a test
    /// can watch a real expiry.
    pub session_cap_seconds: Option<i64>,
    /// Sign-in attempts allowed per client address per minute.
    pub signin_attempts_per_minute: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_cap_seconds: None,
            signin_attempts_per_minute: 30,
        }
    }
}

/// The console's state.
pub struct Console {
    pub engine: Arc<Engine>,
    pub sessions: Sessions,
    pub limiter: session::RateLimiter,
    pub settings: Settings,
}

impl Console {
    pub fn new(engine: Arc<Engine>, settings: Settings) -> Console {
        Console {
            limiter: session::RateLimiter::new(
                settings.signin_attempts_per_minute,
                time::Duration::minutes(1),
            ),
            sessions: Sessions::default(),
            settings,
            engine,
        }
    }

    /// The end of a session that would last until `until`, under the testing cap.
    pub(crate) fn cap(
        &self,
        now: time::OffsetDateTime,
        until: time::OffsetDateTime,
    ) -> time::OffsetDateTime {
        match self.settings.session_cap_seconds {
            Some(s) => until.min(now + time::Duration::seconds(s)),
            None => until,
        }
    }
}

/// The console's routes.
pub fn router(console: Arc<Console>) -> Router {
    use pages::*;
    Router::new()
        .route("/console", get(signin::console))
        .route("/console/", get(signin::console))
        .route("/signin/{ident}", get(signin::signin_for))
        .route("/signin", post(signin::signin_post))
        .route("/console/mfa", get(signin::mfa).post(signin::mfa_post))
        .route(
            "/console/change-password",
            get(signin::change).post(signin::change_post),
        )
        .route("/console/signout", post(signin::signout))
        .route("/federation", get(federation::handle))
        .route("/console/users", get(users::list).post(users::create))
        .route("/console/users/{name}", get(users::show))
        .route("/console/users/{name}/{action}", post(users::act))
        .route("/console/groups", get(groups::list).post(groups::create))
        .route("/console/groups/{name}", get(groups::show))
        .route("/console/groups/{name}/{action}", post(groups::act))
        .route("/console/roles", get(roles::list).post(roles::create))
        .route("/console/roles/{name}", get(roles::show))
        .route("/console/roles/{name}/{action}", post(roles::act))
        .route(
            "/console/policies",
            get(policies::list).post(policies::create),
        )
        .route("/console/policies/new", get(policies::new))
        .route("/console/policy", get(policies::show).post(policies::act))
        .route("/console/account", get(account::show).post(account::act))
        .route("/console/credential-report", get(account::report))
        .route("/console/audit", get(audit::show))
        .route(
            "/console/simulator",
            get(simulator::show).post(simulator::run),
        )
        .route(
            "/console/providers",
            get(providers::list).post(providers::create),
        )
        .route(
            "/console/switch-role",
            get(switch::show).post(switch::switch),
        )
        .route("/console/switch-back", post(switch::back_to))
        .route("/console/root-mfa", post(root_mfa::act))
        .with_state(console)
}
