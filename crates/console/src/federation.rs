//! The federation endpoint (`GET /federation`), as AWS's sign-in service has it:
//! - `Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}[&SessionDuration=N]`
//!   verifies temporary credentials as the API would (token opened with the key ring, secret
//!   compared in constant time, revocations honoured) and answers `{"SigninToken": …}`, a token
//!   sealed under the master key that is good for 15 minutes;
//! - `Action=login&Issuer=…&Destination=…&SigninToken=…` opens a console session as that
//!   federated user or role session, acting with the session's policies, until the session
//!   duration ends; then the user sees the timeout page with the Issuer's link.
//!
//! Durations: federated users' (`GetFederationToken`) credentials take `SessionDuration` from
//! 900 to 43200 seconds (default 43200). Role credentials refuse `SessionDuration`: their
//! console session lasts as long as the credentials do.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use iamd_engine::{Principal, PrincipalKind};

use crate::Console;
use crate::session::{Session, Stage};
use crate::web::{Req, SESSION_COOKIE, redirect, set_cookie, with_cookie};

/// How long a sign-in token may be used after it is issued (AWS: 15 minutes).
const TOKEN_LIFETIME: i64 = 15 * 60;
const TOKEN_CONTEXT: &str = "iamd-console-signin-token";

#[derive(Deserialize)]
struct Credentials {
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(rename = "sessionKey")]
    session_key: String,
    #[serde(rename = "sessionToken")]
    session_token: String,
}

/// What a sign-in token carries (sealed).
#[derive(Serialize, Deserialize)]
struct Sealed {
    /// The credentials' access key ID and session token.
    k: String,
    t: String,
    /// When the token was issued, and how long the console session may last (seconds).
    i: i64,
    d: i64,
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_string(),
    )
        .into_response()
}

fn bad(text: &str) -> Response {
    plain(StatusCode::BAD_REQUEST, text)
}

pub async fn handle(State(c): State<Arc<Console>>, request: Request) -> Response {
    let req = crate::signin::read(request).await;
    match req.query("Action").as_deref() {
        Some("getSigninToken") => get_signin_token(&c, &req).await,
        Some("login") => login(&c, &req).await,
        _ => bad("Action must be getSigninToken or login."),
    }
}

/// The principal of temporary credentials, verified as the API verifies them.
async fn verify(
    c: &Console,
    key_id: &str,
    secret: &str,
    token: &str,
) -> Result<Principal, Response> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let p = c
        .engine
        .session_principal_for(token, key_id, now)
        .map_err(|_| {
            plain(
                StatusCode::FORBIDDEN,
                "The security token included in the request is invalid or expired.",
            )
        })?;
    let known = p
        .session
        .as_ref()
        .map(|s| s.secret_access_key.as_bytes())
        .unwrap_or_default();
    if !bool::from(known.ct_eq(secret.as_bytes())) {
        return Err(plain(
            StatusCode::FORBIDDEN,
            "The security token included in the request is invalid.",
        ));
    }
    match c.engine.session_revoked(&p).await {
        Ok(false) => Ok(p),
        Ok(true) => Err(plain(
            StatusCode::FORBIDDEN,
            "The security token included in the request is invalid.",
        )),
        Err(_) => Err(plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal failure.",
        )),
    }
}

async fn get_signin_token(c: &Console, req: &Req) -> Response {
    let Some(session) = req.query("Session") else {
        return bad("Session is required.");
    };
    let Ok(creds) = serde_json::from_str::<Credentials>(&session) else {
        return bad("Session must be JSON with sessionId, sessionKey and sessionToken.");
    };
    let p = match verify(
        c,
        &creds.session_id,
        &creds.session_key,
        &creds.session_token,
    )
    .await
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let requested = req.query("SessionDuration");
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let expires = p.session.as_ref().map(|s| s.expires_at).unwrap_or(now);
    let duration = match (&p.kind, requested) {
        (PrincipalKind::AssumedRole { .. }, Some(_)) => {
            return bad(
                "The SessionDuration parameter is not supported for role credentials: the console session lasts as long as the credentials.",
            );
        }
        (PrincipalKind::AssumedRole { .. }, None) => (expires - now).clamp(0, 43_200),
        (PrincipalKind::FederatedUser { .. }, d) => match d.map(|d| d.parse::<i64>()) {
            None => 43_200,
            Some(Ok(d)) if (900..=43_200).contains(&d) => d,
            Some(_) => return bad("SessionDuration must be between 900 and 43200 seconds."),
        },
        _ => {
            return bad(
                "Only temporary credentials of a federated user (GetFederationToken) or a role session (AssumeRole) can sign in to the console.",
            );
        }
    };
    let sealed = Sealed {
        k: creds.session_id,
        t: creds.session_token,
        i: now,
        d: duration,
    };
    let json = serde_json::to_string(&sealed).unwrap_or_default();
    match c.engine.master.seal(&json, TOKEN_CONTEXT) {
        Ok(token) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "SigninToken": token }).to_string(),
        )
            .into_response(),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal failure."),
    }
}

/// Only web addresses become the timeout page's link.
fn issuer_link(issuer: Option<String>) -> Option<String> {
    issuer.filter(|i| i.starts_with("https://") || i.starts_with("http://"))
}

/// Only console paths of this server are destinations (no open redirect): a path, or the
/// path of a full URL (AWS's `Destination` is a console URL).
fn destination(d: Option<String>) -> String {
    let d = d.unwrap_or_default();
    let path = match d.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/console", |i| &rest[i..]),
        None => d.as_str(),
    };
    let rest = path.strip_prefix("/console");
    let ok = rest.is_some_and(|r| r.is_empty() || r.starts_with('/') || r.starts_with('?'))
        && !path.contains("//")
        && !path.contains('\\');
    if ok {
        path.to_string()
    } else {
        "/console".to_string()
    }
}

async fn login(c: &Console, req: &Req) -> Response {
    let Some(token) = req.query("SigninToken") else {
        return bad("SigninToken is required.");
    };
    let Some(sealed) = c
        .engine
        .master
        .open(&token, TOKEN_CONTEXT)
        .and_then(|j| serde_json::from_str::<Sealed>(&j).ok())
    else {
        return plain(StatusCode::FORBIDDEN, "The sign-in token is invalid.");
    };
    let now = OffsetDateTime::now_utc();
    if now.unix_timestamp() - sealed.i > TOKEN_LIFETIME {
        return plain(StatusCode::FORBIDDEN, "The sign-in token has expired.");
    }
    let ts = now.unix_timestamp();
    let p = match c.engine.session_principal_for(&sealed.t, &sealed.k, ts) {
        Ok(p) => p,
        Err(_) => {
            return plain(
                StatusCode::FORBIDDEN,
                "The credentials of the sign-in token have expired.",
            );
        }
    };
    match c.engine.session_revoked(&p).await {
        Ok(false) => {}
        _ => return plain(StatusCode::FORBIDDEN, "The sign-in token is invalid."),
    }
    let issuer = issuer_link(req.query("Issuer"));
    let end = c.cap(now, now + Duration::seconds(sealed.d));
    let label = p.account.clone();
    let s = Session {
        stage: Stage::Active { principal: p },
        csrf: match crate::session::random_token() {
            Ok(t) => t,
            Err(e) => return crate::signin::internal(e),
        },
        created: now,
        expires: end,
        last_seen: now,
        issuer,
        switched_from: None,
        account_label: label,
        federated: true,
    };
    // A new session, whatever the browser had.
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        c.sessions.remove(&old);
    }
    match c.sessions.insert(s) {
        Ok(id) => with_cookie(
            redirect(&destination(req.query("Destination"))),
            &set_cookie(SESSION_COOKIE, &id, req.secure(), None),
        ),
        Err(e) => crate::signin::internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_stay_in_the_console() {
        assert_eq!(destination(None), "/console");
        assert_eq!(
            destination(Some("https://console.aws.amazon.com/console/home".into())),
            "/console/home"
        );
        assert_eq!(
            destination(Some("https://evil.example/".into())),
            "/console"
        );
        assert_eq!(
            destination(Some("/console//evil.example".into())),
            "/console"
        );
        assert_eq!(destination(Some("/console/users".into())), "/console/users");
    }

    #[test]
    fn only_web_issuers() {
        assert_eq!(issuer_link(Some("javascript:alert(1)".into())), None);
        assert_eq!(
            issuer_link(Some("https://intranet.example/".into())),
            Some("https://intranet.example/".into())
        );
    }
}
