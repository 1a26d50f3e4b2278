//! Sign-in (`/console`, `/signin/<account id or alias>`), MFA, the forced password change, and
//! sign-out. The password checks, lockout and `ConsoleLogin` events are the engine's; here are
//! the forms, the per-address rate limit and the session's life.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use time::OffsetDateTime;

use iamd_engine::{PasswordState, Principal, SignInOutcome, SignInRequest};

use crate::layout::{bare, error_box};
use crate::session::{Found, SIGNED_IN_LIFETIME, Session, Stage};
use crate::web::{
    ACCOUNT_COOKIE, Req, SESSION_COOKIE, check_csrf, html as respond, redirect, set_cookie,
    with_cookie,
};
use crate::{Console, pages};

/// AWS's answer for a wrong account, user name or password (and, here, a locked profile).
pub const FAILED: &str = "Your authentication information is incorrect. Please try again.";

async fn split(request: Request) -> Req {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    Req::new(parts, &bytes)
}

pub async fn read(request: Request) -> Req {
    split(request).await
}

/// The anonymous session of this browser (created when missing) and its cookie to set.
fn anonymous(c: &Console, req: &Req) -> Result<(Session, Option<String>), Response> {
    if let (Some(_), Found::Live(s)) = c.session(req) {
        return Ok((s, None));
    }
    let s = Session::anonymous(OffsetDateTime::now_utc()).map_err(internal)?;
    let id = c.sessions.insert(s.clone()).map_err(internal)?;
    Ok((s, Some(set_cookie(SESSION_COOKIE, &id, req.secure(), None))))
}

pub fn internal(e: String) -> Response {
    tracing::error!(error = %e, "console failure");
    respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        bare(
            "Error",
            html! { p.error { "Something went wrong on the server." } },
        ),
    )
}

fn form(csrf: &str, account: Option<&str>, fixed: bool, message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message { p.error #signin-error role="alert" { (m) } }
        form method="post" action="/signin" {
            input type="hidden" name="csrf" value=(csrf);
            @if fixed {
                p { "Account: " strong #account-fixed { (account.unwrap_or_default()) } }
                input type="hidden" name="account" value=(account.unwrap_or_default());
            } @else {
                label { "Account ID (12 digits) or alias"
                    input #account type="text" name="account" value=(account.unwrap_or_default()) required autocomplete="organization"; }
            }
            fieldset {
                legend { "Sign in as" }
                label { input #kind-iam type="radio" name="kind" value="iam" checked; " IAM user" }
                label { input #kind-root type="radio" name="kind" value="root"; " Root user" }
            }
            label { "IAM user name" input #username type="text" name="username" autocomplete="username"; }
            label { "Password" input #password type="password" name="password" required autocomplete="current-password"; }
            button #signin type="submit" { "Sign in" }
        }
    }
}

fn signin_page(
    c: &Console,
    req: &Req,
    account: Option<String>,
    fixed: bool,
    status: StatusCode,
    message: Option<&str>,
) -> Response {
    let (s, cookie) = match anonymous(c, req) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = respond(
        status,
        bare("Sign in", form(&s.csrf, account.as_deref(), fixed, message)),
    );
    match cookie {
        Some(c) => with_cookie(r, &c),
        None => r,
    }
}

/// `GET /console`: the dashboard when signed in, else the sign-in form (the account
/// remembered from the last sign-in).
pub async fn console(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    match c.session(&req) {
        (_, Found::Live(s)) if !matches!(s.stage, Stage::Anonymous) => {
            pages::dashboard::show(&c, &req).await
        }
        (_, Found::Expired(s)) if s.federated => crate::layout::timed_out(&s, req.secure()),
        _ => {
            let remembered = req.cookie(ACCOUNT_COOKIE);
            signin_page(&c, &req, remembered, false, StatusCode::OK, None)
        }
    }
}

/// `GET /signin/<account id or alias>`: the account-specific sign-in URL.
pub async fn signin_for(
    State(c): State<Arc<Console>>,
    Path(ident): Path<String>,
    request: Request,
) -> Response {
    let req = split(request).await;
    signin_page(&c, &req, Some(ident), true, StatusCode::OK, None)
}

fn account_label(c: &Console, ident: &str) -> String {
    match c.engine.console_account_blocking(ident) {
        Ok(Some((id, Some(alias)))) => format!("{alias} ({id})"),
        Ok(Some((id, None))) => id,
        _ => ident.to_string(),
    }
}

/// Starts the signed-in session under a new ID (the anonymous one ends).
fn begin(c: &Console, req: &Req, old: Option<&str>, mut s: Session) -> Response {
    if let Some(old) = old {
        c.sessions.remove(old);
    }
    s.expires = c.cap(s.created, s.expires);
    s.csrf = match crate::session::random_token() {
        Ok(t) => t,
        Err(e) => return internal(e),
    };
    let next = match &s.stage {
        Stage::PendingMfa { .. } => "/console/mfa",
        Stage::MustChangePassword { .. } => "/console/change-password",
        _ => "/console",
    };
    let id = match c.sessions.insert(s) {
        Ok(id) => id,
        Err(e) => return internal(e),
    };
    with_cookie(
        redirect(next),
        &set_cookie(SESSION_COOKIE, &id, req.secure(), None),
    )
}

fn signed_in_session(principal: Principal, state: PasswordState, label: String) -> Session {
    let now = OffsetDateTime::now_utc();
    let stage = match state {
        PasswordState::Current => Stage::Active { principal },
        _ => Stage::MustChangePassword { principal },
    };
    Session {
        stage,
        csrf: String::new(),
        created: now,
        expires: now + SIGNED_IN_LIFETIME,
        last_seen: now,
        issuer: None,
        switched_from: None,
        account_label: label,
        federated: false,
    }
}

/// `POST /signin`.
pub async fn signin_post(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    let (id, s) = match c.session(&req) {
        (Some(id), Found::Live(s)) => (id, s),
        _ => {
            return signin_page(
                &c,
                &req,
                req.field("account").map(str::to_string),
                false,
                StatusCode::FORBIDDEN,
                Some("Your sign-in form expired. Please try again."),
            );
        }
    };
    if let Err(r) = check_csrf(&req, &s) {
        return r;
    }
    let account = req.field("account").unwrap_or_default().trim().to_string();
    if !c.limiter.allow(req.ip(), OffsetDateTime::now_utc()) {
        return signin_page(
            &c,
            &req,
            Some(account),
            false,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many sign-in attempts from your address. Wait a minute and try again."),
        );
    }
    let root = req.field("kind") == Some("root");
    let user = req.field("username").unwrap_or_default().trim().to_string();
    let r = SignInRequest {
        account: account.clone(),
        user: (!root).then_some(user),
        password: req.field("password").unwrap_or_default().to_string(),
    };
    let outcome = c.engine.console_sign_in(r, req.facts()).await;
    let remember = set_cookie(
        ACCOUNT_COOKIE,
        &enc_cookie(&account),
        req.secure(),
        Some(31_536_000),
    );
    match outcome {
        Err(e) => internal(e.to_string()),
        Ok(SignInOutcome::Failed) => signin_page(
            &c,
            &req,
            Some(account),
            false,
            StatusCode::UNAUTHORIZED,
            Some(FAILED),
        ),
        Ok(SignInOutcome::SignedIn {
            password: PasswordState::HardExpired,
            ..
        }) => respond(
            StatusCode::FORBIDDEN,
            bare(
                "Password expired",
                html! { p.error { "Your password has expired. Only an administrator can reset it." } },
            ),
        ),
        Ok(SignInOutcome::SignedIn {
            principal,
            password,
        }) => {
            let label = account_label(&c, &account);
            with_cookie(
                begin(
                    &c,
                    &req,
                    Some(&id),
                    signed_in_session(principal, password, label),
                ),
                &remember,
            )
        }
        Ok(SignInOutcome::MfaRequired {
            principal,
            password,
            serials,
        }) => {
            let label = account_label(&c, &account);
            let mut s = signed_in_session(principal.clone(), password, label);
            s.stage = Stage::PendingMfa {
                principal,
                password,
                serials,
                attempts: 0,
            };
            s.expires = OffsetDateTime::now_utc() + time::Duration::minutes(5);
            with_cookie(begin(&c, &req, Some(&id), s), &remember)
        }
    }
}

/// Cookie values hold an account ID or alias: digits, lowercase letters and hyphens only.
fn enc_cookie(account: &str) -> String {
    account
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

fn mfa_page(csrf: &str, message: Option<&str>, status: StatusCode) -> Response {
    respond(
        status,
        bare(
            "Multi-factor authentication",
            html! {
                @if let Some(m) = message { p.error #signin-error role="alert" { (m) } }
                p { "Enter the code from your MFA device." }
                form method="post" action="/console/mfa" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "MFA code" input #mfa-code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required; }
                    button #mfa-submit type="submit" { "Submit" }
                }
            },
        ),
    )
}

/// `GET /console/mfa`.
pub async fn mfa(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    match c.session(&req) {
        (_, Found::Live(s)) if matches!(s.stage, Stage::PendingMfa { .. }) => {
            mfa_page(&s.csrf, None, StatusCode::OK)
        }
        _ => redirect("/console"),
    }
}

/// `POST /console/mfa`: three wrong codes end the attempt.
pub async fn mfa_post(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    let (id, mut s) = match c.session(&req) {
        (Some(id), Found::Live(s)) if matches!(s.stage, Stage::PendingMfa { .. }) => (id, s),
        _ => return redirect("/console"),
    };
    if let Err(r) = check_csrf(&req, &s) {
        return r;
    }
    let Stage::PendingMfa {
        principal,
        password,
        serials,
        attempts,
    } = s.stage.clone()
    else {
        return redirect("/console");
    };
    if !c.limiter.allow(req.ip(), OffsetDateTime::now_utc()) {
        return mfa_page(
            &s.csrf,
            Some("Too many sign-in attempts from your address. Wait a minute and try again."),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let code = req.field("code").unwrap_or_default().trim().to_string();
    match c
        .engine
        .console_mfa(
            principal.clone(),
            serials.clone(),
            code,
            req.facts(),
            SIGNED_IN_LIFETIME.whole_seconds(),
        )
        .await
    {
        Err(e) => internal(e.to_string()),
        Ok(Some(signed_in)) => {
            let label = s.account_label.clone();
            begin(
                &c,
                &req,
                Some(&id),
                signed_in_session(signed_in, password, label),
            )
        }
        Ok(None) if attempts + 1 >= 3 => {
            c.sessions.remove(&id);
            with_cookie(
                redirect("/console"),
                &set_cookie(SESSION_COOKIE, "", req.secure(), Some(0)),
            )
        }
        Ok(None) => {
            s.stage = Stage::PendingMfa {
                principal,
                password,
                serials,
                attempts: attempts + 1,
            };
            let csrf = s.csrf.clone();
            c.sessions.update(&id, s);
            mfa_page(
                &csrf,
                Some("Your authentication information is incorrect. Please try again."),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

fn change_page(csrf: &str, error: Option<Markup>, status: StatusCode) -> Response {
    respond(
        status,
        bare(
            "Change your password",
            html! {
                @if let Some(e) = error { (e) }
                p { "You must change your password before you continue." }
                form method="post" action="/console/change-password" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "Old password" input #old-password type="password" name="old" required autocomplete="current-password"; }
                    label { "New password" input #new-password type="password" name="new" required autocomplete="new-password"; }
                    label { "Confirm new password" input #confirm-password type="password" name="confirm" required autocomplete="new-password"; }
                    button #change-submit type="submit" { "Confirm password change" }
                }
            },
        ),
    )
}

/// `GET /console/change-password`: the forced change (a signed-in user changes theirs from
/// the dashboard's form, which posts here too).
pub async fn change(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    match c.session(&req) {
        (_, Found::Live(s)) if matches!(s.stage, Stage::MustChangePassword { .. }) => {
            change_page(&s.csrf, None, StatusCode::OK)
        }
        _ => redirect("/console"),
    }
}

/// `POST /console/change-password`: `ChangePassword` through the engine, as the user.
pub async fn change_post(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    let (id, s) = match c.session(&req) {
        (Some(id), Found::Live(s)) => (id, s),
        _ => return redirect("/console"),
    };
    if let Err(r) = check_csrf(&req, &s) {
        return r;
    }
    let (principal, forced) = match &s.stage {
        Stage::MustChangePassword { principal } => (principal.clone(), true),
        Stage::Active { principal } => (principal.clone(), false),
        _ => return redirect("/console"),
    };
    let new = req.field("new").unwrap_or_default();
    if new != req.field("confirm").unwrap_or_default() {
        let e = html! { p.error role="alert" { "The new passwords do not match." } };
        return change_page(&s.csrf, Some(e), StatusCode::BAD_REQUEST);
    }
    let old = req.field("old").unwrap_or_default();
    let r = c
        .call(
            &req,
            &principal,
            "ChangePassword",
            &[("OldPassword", old), ("NewPassword", new)],
        )
        .await;
    match r {
        Ok(_) if forced => {
            let mut s = s;
            s.stage = Stage::Active { principal };
            c.sessions.update(&id, s);
            redirect("/console")
        }
        Ok(_) => redirect("/console?changed=1"),
        Err(e) => change_page(&s.csrf, Some(error_box(&e)), StatusCode::BAD_REQUEST),
    }
}

/// `POST /console/signout`: the session ends on the server.
pub async fn signout(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = split(request).await;
    if let (Some(id), Found::Live(s)) = c.session(&req) {
        if let Err(r) = check_csrf(&req, &s) {
            return r;
        }
        c.sessions.remove(&id);
    }
    with_cookie(
        redirect("/console"),
        &set_cookie(SESSION_COOKIE, "", req.secure(), Some(0)),
    )
}
