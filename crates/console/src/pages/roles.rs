//! Roles: list, create (with a trust policy), the trust policy editor, permissions, delete, and
//! "Revoke active sessions" as AWS does it: an inline policy `AWSRevokeOlderSessions` that
//! denies everything to sessions issued before now (`aws:TokenIssueTime`).

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::Response;
use maud::html;
use time::OffsetDateTime;

use iamd_wire::{ApiError, Value};

use super::inline_policies::{self, Owner};
use super::{CONFIRM, back, document, failed, flash, ls, open, open_post, page, section, st, when};
use crate::Console;
use crate::layout::csrf;
use crate::web::{Req, Signed, enc};

fn default_trust(account: &str) -> String {
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {{ \"AWS\": \"arn:aws:iam::{account}:root\" }},\n      \"Action\": \"sts:AssumeRole\"\n    }}\n  ]\n}}"
    )
}

/// The policy AWS's console attaches to revoke a role's sessions issued before `now`.
pub fn revoke_policy(now: OffsetDateTime) -> String {
    let t = iamd_wire::iso8601(now);
    format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Deny\",\"Action\":[\"*\"],\"Resource\":[\"*\"],\"Condition\":{{\"DateLessThan\":{{\"aws:TokenIssueTime\":\"{t}\"}}}}}}]}}"
    )
}

pub async fn list(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let roles = match c
        .call(&req, &s.principal, "ListRoles", &[("MaxItems", "1000")])
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&s, "Roles", &e),
    };
    page(
        &s,
        "Roles",
        html! {
            (flash(&req))
            table #roles {
                tr { th { "Role name" } th { "ARN" } th { "Created" } th { "Max session" } }
                @for r in ls(&roles, "Roles") {
                    tr { td { a href={ "/console/roles/" (enc(st(r, "RoleName"))) } { (st(r, "RoleName")) } }
                         td.mono { (st(r, "Arn")) } td { (when(r, "CreateDate")) }
                         td { (r.get("MaxSessionDuration").and_then(Value::as_int).unwrap_or(3600)) " s" } }
                }
            }
            div.card {
                h2 { "Create role" }
                form #create-role method="post" action="/console/roles" { (csrf(&s))
                    label { "Role name" input #role-name type="text" name="name" required; }
                    label { "Trust policy" textarea #trust-document name="trust" spellcheck="false" { (default_trust(&s.principal.account)) } }
                    label { "Permissions policy (ARN, optional)" input #role-policy type="text" name="policy"; }
                    button #create-role-submit type="submit" { "Create role" }
                }
            }
        },
    )
}

pub async fn create(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let name = req.field("name").unwrap_or_default().trim().to_string();
    let trust = req.field("trust").unwrap_or_default();
    if let Err(e) = c
        .call(
            &req,
            p,
            "CreateRole",
            &[("RoleName", &name), ("AssumeRolePolicyDocument", trust)],
        )
        .await
    {
        return back("/console/roles", Err(e));
    }
    let to = format!("/console/roles/{}", enc(&name));
    let policy = req.field("policy").unwrap_or_default().trim();
    if !policy.is_empty()
        && let Err(e) = c
            .call(
                &req,
                p,
                "AttachRolePolicy",
                &[("RoleName", &name), ("PolicyArn", policy)],
            )
            .await
    {
        return back(&to, Err(e));
    }
    back(&to, Ok(format!("Role {name} created.")))
}

pub async fn show(
    State(c): State<Arc<Console>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let r = [("RoleName", name.as_str())];
    let role = match c.call(&req, p, "GetRole", &r).await {
        Ok(v) => v.get("Role").cloned().unwrap_or(Value::object()),
        Err(e) => return failed(&s, &name, &e),
    };
    let attached = c.call(&req, p, "ListAttachedRolePolicies", &r).await;
    let inline = inline_policies::fetch(&c, &req, p, Owner::Role, &name).await;
    let base = format!("/console/roles/{}", enc(&name));
    let f = |a: &str| format!("{base}/{a}");
    let switch = format!(
        "/console/switch-role?account={}&roleName={}",
        enc(&s.principal.account),
        enc(&name)
    );
    page(
        &s,
        &format!("Role {name}"),
        html! {
            (flash(&req))
            p { "ARN: " span.mono #role-arn { (st(&role, "Arn")) } }
            p { "Link to switch roles in the console: " a #switch-link href=(switch) { (switch) } }
            form method="post" action=(f("delete")) onsubmit=(CONFIRM) { (csrf(&s)) button #delete-role type="submit" { "Delete role" } }
            div.card #trust {
                h2 { "Trust relationships" }
                form method="post" action=(f("trust")) { (csrf(&s))
                    textarea #trust-editor name="document" spellcheck="false" { (document(st(&role, "AssumeRolePolicyDocument"))) }
                    button #update-trust type="submit" { "Update policy" } }
            }
            div.card #permissions {
                h2 { "Permissions policies" }
                (section(&attached, |v| html! {
                    table { @for a in ls(v, "AttachedPolicies") {
                        tr { td { a href={ "/console/policy?arn=" (enc(st(a, "PolicyArn"))) } { (st(a, "PolicyName")) } }
                             td { form method="post" action=(f("detach")) { (csrf(&s))
                                input type="hidden" name="arn" value=(st(a, "PolicyArn"));
                                button.secondary type="submit" { "Detach" } } } }
                    } }
                }))
                (inline_policies::render(&s, &base, &inline))
                form method="post" action=(f("attach")) { (csrf(&s))
                    input type="text" name="arn" placeholder="Policy ARN" required; " " button type="submit" { "Attach policy" } }
            }
            div.card #sessions {
                h2 { "Revoke sessions" }
                p { "Denies every permission to sessions of this role issued before now, with an inline policy named AWSRevokeOlderSessions. New sessions are not affected." }
                form method="post" action=(f("revoke")) onsubmit=(CONFIRM) { (csrf(&s))
                    button #revoke-sessions type="submit" { "Revoke active sessions" } }
            }
        },
    )
}

async fn delete_role(c: &Console, req: &Req, s: &Signed, name: &str) -> Result<(), ApiError> {
    let p = &s.principal;
    let r = [("RoleName", name)];
    for a in ls(
        &c.call(req, p, "ListAttachedRolePolicies", &r).await?,
        "AttachedPolicies",
    ) {
        c.call(
            req,
            p,
            "DetachRolePolicy",
            &[("RoleName", name), ("PolicyArn", st(a, "PolicyArn"))],
        )
        .await?;
    }
    for n in ls(
        &c.call(req, p, "ListRolePolicies", &r).await?,
        "PolicyNames",
    ) {
        c.call(
            req,
            p,
            "DeleteRolePolicy",
            &[
                ("RoleName", name),
                ("PolicyName", n.as_str().unwrap_or_default()),
            ],
        )
        .await?;
    }
    for ip in ls(
        &c.call(req, p, "ListInstanceProfilesForRole", &r).await?,
        "InstanceProfiles",
    ) {
        c.call(
            req,
            p,
            "RemoveRoleFromInstanceProfile",
            &[
                ("RoleName", name),
                ("InstanceProfileName", st(ip, "InstanceProfileName")),
            ],
        )
        .await?;
    }
    c.call(req, p, "DeleteRole", &r).await.map(|_| ())
}

pub async fn act(
    State(c): State<Arc<Console>>,
    Path((name, action)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let to = format!("/console/roles/{}", enc(&name));
    let field = |n: &str| req.field(n).unwrap_or_default().to_string();
    if let Some(r) = inline_policies::act(&c, &req, p, Owner::Role, &name, &action).await {
        return back(&to, r);
    }
    let r: Result<String, ApiError> = match action.as_str() {
        "trust" => {
            let doc = field("document");
            c.call(
                &req,
                p,
                "UpdateAssumeRolePolicy",
                &[("RoleName", &name), ("PolicyDocument", &doc)],
            )
            .await
            .map(|_| "Trust policy updated.".into())
            .map_err(|e| {
                super::policies::with_position(&doc, iamd_policy::PolicyKind::RoleTrust, e)
            })
        }
        "attach" => c
            .call(
                &req,
                p,
                "AttachRolePolicy",
                &[("RoleName", &name), ("PolicyArn", field("arn").trim())],
            )
            .await
            .map(|_| "Policy attached.".into()),
        "detach" => c
            .call(
                &req,
                p,
                "DetachRolePolicy",
                &[("RoleName", &name), ("PolicyArn", &field("arn"))],
            )
            .await
            .map(|_| "Policy detached.".into()),
        "revoke" => c
            .call(
                &req,
                p,
                "PutRolePolicy",
                &[
                    ("RoleName", &name),
                    ("PolicyName", "AWSRevokeOlderSessions"),
                    ("PolicyDocument", &revoke_policy(OffsetDateTime::now_utc())),
                ],
            )
            .await
            .map(|_| "Sessions issued before now are revoked.".into()),
        "delete" => match delete_role(&c, &req, &s, &name).await {
            Ok(()) => return back("/console/roles", Ok(format!("Role {name} deleted."))),
            Err(e) => Err(e),
        },
        _ => return crate::web::redirect(&to),
    };
    back(&to, r)
}
