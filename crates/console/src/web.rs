//! HTTP plumbing shared by the console's handlers: cookies, forms, CSRF, the signed-in
//! session, responses with security headers, and calls into the engine as the session's
//! principal.

use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use std::net::SocketAddr;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use iamd_engine::{Call, FrontEnd, Input, Principal, RequestFacts};
use iamd_wire::{ApiError, QueryParams, Value};

use crate::session::{Found, Session, Stage};
use crate::{Console, SecureTransport, layout};

pub const SESSION_COOKIE: &str = "iamd-console";
pub const ACCOUNT_COOKIE: &str = "iamd-account";

/// A request's parts as the console reads them.
pub struct Req {
    pub parts: Parts,
    pub form: Vec<(String, String)>,
}

impl Req {
    pub fn new(parts: Parts, body: &Bytes) -> Req {
        let form = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Req { parts, form }
    }

    /// A form field (the first of the name), trimmed of nothing.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated field.
    pub fn fields(&self, name: &str) -> Vec<&str> {
        self.form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A query-string parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        let q = self.parts.uri.query()?;
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        cookie(&self.parts, name)
    }

    pub fn secure(&self) -> bool {
        self.parts.extensions.get::<SecureTransport>().is_some()
    }

    pub fn ip(&self) -> Option<std::net::IpAddr> {
        self.parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    }

    /// The facts of an engine call made for this request.
    pub fn facts(&self) -> RequestFacts {
        let mut f = RequestFacts::new(uuid::Uuid::new_v4().to_string(), FrontEnd::Console);
        f.source_ip = self.ip();
        f.user_agent = self
            .parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        f.secure_transport = self.secure();
        f
    }
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure under TLS.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Headers every console page carries.
fn harden(r: &mut Response) {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub fn html(status: StatusCode, page: Markup) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response();
    harden(&mut r);
    r
}

pub fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    harden(&mut r);
    r
}

pub fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Percent-encodes a path segment or query value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The signed-in session of a request, or the response that replaces the page: the sign-in
/// form, the password change, or (federation) the timeout page.
pub struct Signed {
    pub id: String,
    pub session: Session,
    pub principal: Principal,
}

impl Console {
    /// The session the cookie names (any stage).
    pub fn session(&self, req: &Req) -> (Option<String>, Found) {
        match req.cookie(SESSION_COOKIE) {
            Some(id) => {
                let found = self.sessions.get(&id, OffsetDateTime::now_utc());
                (Some(id), found)
            }
            None => (None, Found::None),
        }
    }

    /// The signed-in session, or the page to show instead.
    pub fn signed_in(&self, req: &Req) -> Result<Signed, Response> {
        match self.session(req) {
            (Some(id), Found::Live(s)) => match &s.stage {
                Stage::Active { principal } => Ok(Signed {
                    principal: principal.clone(),
                    id,
                    session: s,
                }),
                Stage::MustChangePassword { .. } => Err(redirect("/console/change-password")),
                Stage::PendingMfa { .. } => Err(redirect("/console/mfa")),
                Stage::Anonymous => Err(redirect("/console")),
            },
            (_, Found::Expired(s)) => Err(layout::timed_out(&s, req.secure())),
            _ => Err(redirect("/console")),
        }
    }

    /// The signed-in session of a POST whose CSRF token matches.
    pub fn signed_in_post(&self, req: &Req) -> Result<Signed, Response> {
        let s = self.signed_in(req)?;
        check_csrf(req, &s.session)?;
        Ok(s)
    }

    /// [`Console::signed_in`], and a session principal's credentials not revoked since
    /// (`RevokeSessions`): a revoked console session ends, as its API use would.
    pub async fn signed_in_live(&self, req: &Req, post: bool) -> Result<Signed, Response> {
        let s = if post {
            self.signed_in_post(req)?
        } else {
            self.signed_in(req)?
        };
        match self.engine.session_revoked(&s.principal).await {
            Ok(false) => Ok(s),
            Ok(true) => {
                self.sessions.remove(&s.id);
                Err(layout::timed_out(&s.session, req.secure()))
            }
            Err(e) => Err(crate::signin::internal(e.to_string())),
        }
    }

    /// Calls the engine as the signed-in principal with Query parameters, as the API would.
    pub async fn call(
        &self,
        req: &Req,
        who: &Principal,
        operation: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, ApiError> {
        let mut q = QueryParams::default();
        for (k, v) in params {
            q.insert(*k, *v);
        }
        self.call_input(req, who, operation, Input::Query(q)).await
    }

    pub async fn call_input(
        &self,
        req: &Req,
        who: &Principal,
        operation: &str,
        input: Input,
    ) -> Result<Value, ApiError> {
        let call = Call {
            caller: Some(who.clone()),
            operation: operation.to_string(),
            subject: None,
            input,
            facts: req.facts(),
        };
        self.engine.call(call).await.map_err(|e| e.to_api())
    }
}

/// A POST's CSRF token must be the session's.
pub fn check_csrf(req: &Req, s: &Session) -> Result<(), Response> {
    let given = req.field("csrf").unwrap_or_default();
    if !given.is_empty() && bool::from(given.as_bytes().ct_eq(s.csrf.as_bytes())) {
        Ok(())
    } else {
        Err(html(
            StatusCode::FORBIDDEN,
            layout::bare(
                "Request refused",
                maud::html! { p.error { "The form has expired or did not come from this console (CSRF check failed). Reload the page and try again." } },
            ),
        ))
    }
}

/// The response for an engine error on a page: 403 for a denial (naming the action), else the
/// error's own status.
pub fn error_page(s: &Signed, title: &str, e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    html(status, layout::page(s, title, layout::error_box(e)))
}
