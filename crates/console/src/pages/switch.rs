//! Switch role: `AssumeRole` as the signed-in identity (into a role of this or another
//! account); the console session then acts as the role session, whose temporary credentials
//! are opened the way the API opens them, until "Switch back" or their expiry.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use maud::html;
use time::OffsetDateTime;

use iamd_engine::PrincipalKind;

use super::{back, flash, open, open_post, page, st};
use crate::Console;
use crate::layout::csrf;
use crate::session::Stage;

pub async fn show(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let account = req
        .query("account")
        .unwrap_or_else(|| s.principal.account.clone());
    let role = req.query("roleName").unwrap_or_default();
    page(
        &s,
        "Switch role",
        html! {
            (flash(&req))
            p { "Act as a role of this or another account. The role's trust policy must allow you, and your permissions must allow sts:AssumeRole on it." }
            form method="post" action="/console/switch-role" { (csrf(&s))
                label { "Account ID" input #switch-account type="text" name="account" value=(account) required; }
                label { "Role name (with its path, if any)" input #switch-role-name type="text" name="role" value=(role) required; }
                button #switch-submit type="submit" { "Switch role" }
            }
        },
    )
}

fn session_name(kind: &PrincipalKind, fallback: &str) -> String {
    let raw = match kind {
        PrincipalKind::User { name, .. } => name.clone(),
        PrincipalKind::AssumedRole { session_name, .. } => session_name.clone(),
        PrincipalKind::FederatedUser { name, .. } => name.clone(),
        PrincipalKind::Root => fallback.to_string(),
    };
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=,.@-_".contains(*c))
        .take(64)
        .collect()
}

pub async fn switch(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let account = req.field("account").unwrap_or_default().trim().to_string();
    let role = req
        .field("role")
        .unwrap_or_default()
        .trim()
        .trim_start_matches('/')
        .to_string();
    let arn = format!("arn:aws:iam::{account}:role/{role}");
    let name = session_name(&s.principal.kind, "console");
    let out = c
        .call(
            &req,
            &s.principal,
            "AssumeRole",
            &[
                ("RoleArn", &arn),
                ("RoleSessionName", &name),
                ("DurationSeconds", "3600"),
            ],
        )
        .await;
    let creds = match out {
        Ok(v) => v.get("Credentials").cloned(),
        Err(e) => return back("/console/switch-role", Err(e)),
    };
    let Some(creds) = creds else {
        return crate::signin::internal("AssumeRole returned no credentials".into());
    };
    let now = OffsetDateTime::now_utc();
    let principal = match c.engine.session_principal_for(
        st(&creds, "SessionToken"),
        st(&creds, "AccessKeyId"),
        now.unix_timestamp(),
    ) {
        Ok(p) => p,
        Err(e) => return crate::signin::internal(e.to_string()),
    };
    let until = principal
        .session
        .as_ref()
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t.expires_at).ok())
        .unwrap_or(now);
    let mut next = s.session.clone();
    next.switched_from = Some(Box::new(s.session.clone()));
    next.stage = Stage::Active { principal };
    next.expires = c.cap(now, until.min(s.session.expires));
    next.account_label = account;
    c.sessions.update(&s.id, next);
    back(
        "/console",
        Ok(format!("You are now acting as role {role}.")),
    )
}

pub async fn back_to(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (_req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some(prev) = s.session.switched_from.clone() {
        let mut prev = *prev;
        prev.last_seen = OffsetDateTime::now_utc();
        c.sessions.update(&s.id, prev);
    }
    crate::web::redirect("/console")
}
