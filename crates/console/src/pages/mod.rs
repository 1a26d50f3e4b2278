//! The signed-in pages. Each reads and acts through the engine as the session's principal.

pub mod account;
pub mod audit;
pub mod dashboard;
pub mod groups;
pub mod inline_policies;
pub mod policies;
pub mod providers;
pub mod roles;
pub mod root_mfa;
pub mod simulator;
pub mod switch;
pub mod users;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use iamd_wire::{ApiError, Value};

use crate::Console;
use crate::layout;
use crate::web::{Req, Signed, html as respond};

/// A GET page's request and signed-in session.
pub async fn open(c: &Console, request: Request) -> Result<(Req, Signed), Response> {
    let req = crate::signin::read(request).await;
    let s = c.signed_in_live(&req, false).await?;
    Ok((req, s))
}

/// A POST's request and signed-in session, its CSRF token checked.
pub async fn open_post(c: &Console, request: Request) -> Result<(Req, Signed), Response> {
    let req = crate::signin::read(request).await;
    let s = c.signed_in_live(&req, true).await?;
    Ok((req, s))
}

/// A string member.
pub fn st<'v>(v: &'v Value, name: &str) -> &'v str {
    v.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// A list member.
pub fn ls<'v>(v: &'v Value, name: &str) -> &'v [Value] {
    v.get(name).and_then(Value::as_list).unwrap_or_default()
}

/// A timestamp member, ISO 8601.
pub fn when(v: &Value, name: &str) -> String {
    match v.get(name) {
        Some(Value::Time(t)) => iamd_wire::iso8601(*t),
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A policy document as the API returns it (URL-encoded), decoded and pretty-printed.
pub fn document(raw: &str) -> String {
    let decoded: String =
        form_urlencoded::parse(format!("d={}", raw.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| raw.to_string());
    serde_json::from_str::<serde_json::Value>(&decoded)
        .ok()
        .and_then(|j| serde_json::to_string_pretty(&j).ok())
        .unwrap_or(decoded)
}

/// A page, or the error of the call it needed.
pub fn page(s: &Signed, title: &str, body: Markup) -> Response {
    respond(StatusCode::OK, layout::page(s, title, body))
}

pub fn failed(s: &Signed, title: &str, e: &ApiError) -> Response {
    crate::web::error_page(s, title, e)
}

/// A message passed back after an action (`?msg=`), escaped like any text.
pub fn flash(req: &Req) -> Markup {
    html! {
        @if let Some(m) = req.query("msg") { p.ok #flash role="status" { (m) } }
        @if let Some(m) = req.query("err") { p.error #flash-error role="alert" { (m) } }
    }
}

/// Where to go after an action: back to `to`, with the outcome.
pub fn back(to: &str, r: Result<String, ApiError>) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    match r {
        Ok(m) => crate::web::redirect(&format!("{to}{sep}msg={}", crate::web::enc(&m))),
        Err(e) => {
            let text = if e.code == "AccessDenied" {
                format!("Access denied. {}", e.message)
            } else {
                format!("{}: {}", e.code, e.message)
            };
            crate::web::redirect(&format!("{to}{sep}err={}", crate::web::enc(&text)))
        }
    }
}

/// A small inline section for a call that may be denied, without failing the whole page.
pub fn section(r: &Result<Value, ApiError>, body: impl FnOnce(&Value) -> Markup) -> Markup {
    match r {
        Ok(v) => body(v),
        Err(e) => layout::error_box(e),
    }
}

/// A confirmation for destructive forms (progressive enhancement: without JavaScript the form
/// just submits).
pub const CONFIRM: &str = "return confirm('Are you sure?')";
