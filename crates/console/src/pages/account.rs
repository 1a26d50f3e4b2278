//! Account settings (password policy, alias) and the credential report download.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use iamd_wire::{ApiError, Value};

use super::{CONFIRM, back, failed, flash, ls, open, open_post, page};
use crate::Console;
use crate::layout::{csrf, error_box};

fn b(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool) == Some(true)
}
fn i(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_int)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

pub async fn show(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let policy = c.call(&req, p, "GetAccountPasswordPolicy", &[]).await;
    let aliases = c.call(&req, p, "ListAccountAliases", &[]).await;
    let pp = policy
        .as_ref()
        .ok()
        .and_then(|v| v.get("PasswordPolicy"))
        .cloned()
        .unwrap_or(Value::object());
    page(
        &s,
        "Account settings",
        html! {
            (flash(&req))
            div.card #password-policy {
                h2 { "Password policy" }
                @match &policy {
                    Ok(_) => p { "A custom password policy is set." },
                    Err(e) if e.code == "NoSuchEntity" => p { "This account uses the IAM default password policy." },
                    Err(e) => (error_box(e)),
                }
                form method="post" action="/console/account" { (csrf(&s))
                    label { "Minimum length" input type="text" name="min" value=(i(&pp, "MinimumPasswordLength")) placeholder="8"; }
                    label { input type="checkbox" name="upper" value="true" checked[b(&pp, "RequireUppercaseCharacters")]; " Require at least one uppercase letter" }
                    label { input type="checkbox" name="lower" value="true" checked[b(&pp, "RequireLowercaseCharacters")]; " Require at least one lowercase letter" }
                    label { input type="checkbox" name="numbers" value="true" checked[b(&pp, "RequireNumbers")]; " Require at least one number" }
                    label { input type="checkbox" name="symbols" value="true" checked[b(&pp, "RequireSymbols")]; " Require at least one symbol" }
                    label { input type="checkbox" name="change" value="true" checked[b(&pp, "AllowUsersToChangePassword")]; " Allow users to change their own password" }
                    label { "Expire passwords after (days, empty: never)" input type="text" name="maxage" value=(i(&pp, "MaxPasswordAge")); }
                    label { "Prevent reuse of the last N passwords" input type="text" name="reuse" value=(i(&pp, "PasswordReusePrevention")); }
                    label { input type="checkbox" name="hard" value="true" checked[b(&pp, "HardExpiry")]; " Expired passwords require an administrator reset" }
                    button #save-password-policy type="submit" name="action" value="password-policy" { "Save changes" }
                }
                @if policy.is_ok() {
                    form method="post" action="/console/account" onsubmit=(CONFIRM) { (csrf(&s))
                        button.secondary type="submit" name="action" value="delete-password-policy" { "Use the IAM default" } }
                }
            }
            div.card #alias {
                h2 { "Account alias" }
                @match &aliases {
                    Ok(v) => { @for a in ls(v, "AccountAliases") {
                        p { span #current-alias { (a.as_str().unwrap_or_default()) } " "
                            form method="post" action="/console/account" style="display:inline" { (csrf(&s))
                                input type="hidden" name="alias" value=(a.as_str().unwrap_or_default());
                                button.secondary type="submit" name="action" value="delete-alias" { "Delete" } } }
                    } }
                    Err(e) => (error_box(e)),
                }
                form method="post" action="/console/account" { (csrf(&s))
                    input #alias-input type="text" name="alias" placeholder="my-company" required; " "
                    button #create-alias type="submit" name="action" value="alias" { "Create alias" } }
            }
        },
    )
}

pub async fn act(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let yes = |n: &str| {
        if req.field(n) == Some("true") {
            "true"
        } else {
            "false"
        }
    };
    let r: Result<String, ApiError> = match req.field("action").unwrap_or_default() {
        "password-policy" => {
            let mut params = vec![
                ("RequireUppercaseCharacters", yes("upper")),
                ("RequireLowercaseCharacters", yes("lower")),
                ("RequireNumbers", yes("numbers")),
                ("RequireSymbols", yes("symbols")),
                ("AllowUsersToChangePassword", yes("change")),
                ("HardExpiry", yes("hard")),
            ];
            for (field, param) in [
                ("min", "MinimumPasswordLength"),
                ("maxage", "MaxPasswordAge"),
                ("reuse", "PasswordReusePrevention"),
            ] {
                let v = req.field(field).unwrap_or_default().trim();
                if !v.is_empty() {
                    params.push((param, v));
                }
            }
            c.call(&req, p, "UpdateAccountPasswordPolicy", &params)
                .await
                .map(|_| "Password policy saved.".into())
        }
        "delete-password-policy" => c
            .call(&req, p, "DeleteAccountPasswordPolicy", &[])
            .await
            .map(|_| "Password policy deleted.".into()),
        "alias" => c
            .call(
                &req,
                p,
                "CreateAccountAlias",
                &[(
                    "AccountAlias",
                    req.field("alias").unwrap_or_default().trim(),
                )],
            )
            .await
            .map(|_| "Alias created.".into()),
        "delete-alias" => c
            .call(
                &req,
                p,
                "DeleteAccountAlias",
                &[("AccountAlias", req.field("alias").unwrap_or_default())],
            )
            .await
            .map(|_| "Alias deleted.".into()),
        _ => return crate::web::redirect("/console/account"),
    };
    back("/console/account", r)
}

/// `GET /console/credential-report`: the page; with `?download=1`, generates the report
/// (GenerateCredentialReport) and downloads it (GetCredentialReport) as CSV.
pub async fn report(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    if req.query("download").is_none() {
        return page(
            &s,
            "Credential report",
            html! {
                p { "The report lists every user of the account and the status of their credentials: passwords, access keys, MFA devices." }
                p { a.button #download-report href="/console/credential-report?download=1" { "Download credential report" } }
            },
        );
    }
    if let Err(e) = c.call(&req, p, "GenerateCredentialReport", &[]).await {
        return failed(&s, "Credential report", &e);
    }
    match c.call(&req, p, "GetCredentialReport", &[]).await {
        Ok(v) => {
            let csv = match v.get("Content") {
                Some(Value::Blob(b)) => b.clone(),
                _ => Vec::new(),
            };
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"credential_report.csv\"",
                    ),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                csv,
            )
                .into_response()
        }
        Err(e) => failed(&s, "Credential report", &e),
    }
}
