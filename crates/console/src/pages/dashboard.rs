//! The dashboard: the account's sign-in URL and alias, resource counts, and the security
//! status AWS's IAM dashboard shows (root MFA, root access keys, password policy, unused
//! credentials), each read through the engine (a denied read shows as denied).

use axum::http::header;
use axum::response::Response;
use maud::html;

use iamd_wire::Value;

use super::{flash, ls, page, section};
use crate::Console;
use crate::layout::csrf;
use crate::web::Req;

fn count(summary: &Value, key: &str) -> i64 {
    match summary.get("SummaryMap") {
        Some(Value::Map(m)) => m
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_int())
            .unwrap_or_default(),
        _ => 0,
    }
}

pub async fn show(c: &Console, req: &Req) -> Response {
    let s = match c.signed_in_live(req, false).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let p = &s.principal;
    let summary = c.call(req, p, "GetAccountSummary", &[]).await;
    let aliases = c.call(req, p, "ListAccountAliases", &[]).await;
    let policy = c.call(req, p, "GetAccountPasswordPolicy", &[]).await;
    let host = req
        .parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if req.secure() { "https" } else { "http" };
    let alias = aliases
        .as_ref()
        .ok()
        .and_then(|a| ls(a, "AccountAliases").first())
        .and_then(Value::as_str)
        .map(str::to_string);
    let ident = alias.clone().unwrap_or_else(|| p.account.clone());
    // IAM users, also when signed in with MFA (a session of the user).
    let is_user = p.user_name().is_some();
    let root_devices: Vec<String> = if p.is_root() && p.session.is_none() {
        match c.call(req, p, "ListVirtualMFADevices", &[]).await {
            Ok(v) => ls(&v, "VirtualMFADevices")
                .iter()
                // Enabled, and for no user: the root user's.
                .filter(|d| d.get("User").is_none() && d.get("EnableDate").is_some())
                .map(|d| super::st(d, "SerialNumber").to_string())
                .collect(),
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    page(
        &s,
        "IAM dashboard",
        html! {
            (flash(req))
            div.card {
                h2 { "AWS Account" }
                p { "Account ID: " span.mono #account-id { (p.account) } }
                p { "Account alias: " span #alias { (alias.as_deref().unwrap_or("none")) } }
                p { "Sign-in URL for IAM users in this account: "
                    a #signin-url href={ "/signin/" (ident) } { (scheme) "://" (host) "/signin/" (ident) } }
            }
            div.card #resources {
                h2 { "IAM resources" }
                (section(&summary, |v| html! {
                    table { tr { th { "User groups" } th { "Users" } th { "Roles" } th { "Policies" } th { "Identity providers" } }
                        tr { td #count-groups { (count(v, "Groups")) } td #count-users { (count(v, "Users")) }
                             td #count-roles { (count(v, "Roles")) } td #count-policies { (count(v, "Policies")) }
                             td { (count(v, "Providers")) } } }
                }))
            }
            div.card #security {
                h2 { "Security recommendations" }
                (section(&summary, |v| html! {
                    ul {
                        @if count(v, "AccountMFAEnabled") == 1 { li.ok { "The root user has MFA." } }
                        @else { li.warn #root-mfa-missing { "Add MFA for the root user." } }
                        @if count(v, "AccountAccessKeysPresent") == 1 { li.warn #root-keys { "The root user has access keys: deactivate or remove them." } }
                        @else { li.ok { "The root user has no active access keys." } }
                        @match &policy {
                            Ok(_) => li.ok { "A password policy is set." },
                            Err(e) if e.code == "NoSuchEntity" => li.warn { "Set a password policy (" a href="/console/account" { "Account settings" } ")." },
                            Err(e) => li { (crate::layout::error_box(e)) },
                        }
                        li { "Unused credentials: see the " a href="/console/credential-report" { "credential report" } "." }
                    }
                }))
            }
            @if p.is_root() && p.session.is_none() {
                div.card #root-mfa {
                    h2 { "Root user MFA" }
                    @for serial in &root_devices {
                        p { span.mono.root-mfa-device { (serial) } " "
                            form method="post" action="/console/root-mfa" style="display:inline" onsubmit=(super::CONFIRM) {
                                (csrf(&s))
                                input type="hidden" name="serial" value=(serial);
                                button.secondary type="submit" name="action" value="remove" { "Remove" } } }
                    }
                    form method="post" action="/console/root-mfa" {
                        (csrf(&s))
                        button #assign-root-mfa type="submit" name="action" value="create" { "Assign MFA device" }
                    }
                }
            }
            @if is_user {
                div.card #my-password {
                    h2 { "My password" }
                    form method="post" action="/console/change-password" {
                        (csrf(&s))
                        label { "Old password" input type="password" name="old" required autocomplete="current-password"; }
                        label { "New password" input type="password" name="new" required autocomplete="new-password"; }
                        label { "Confirm new password" input type="password" name="confirm" required autocomplete="new-password"; }
                        button type="submit" { "Change password" }
                    }
                }
            }
        },
    )
}
