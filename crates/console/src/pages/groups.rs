//! User groups: list, create, members, policies, delete.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::Response;
use maud::html;

use iamd_wire::ApiError;

use super::inline_policies::{self, Owner};
use super::{CONFIRM, back, failed, flash, ls, open, open_post, page, section, st, when};
use crate::Console;
use crate::layout::csrf;
use crate::web::enc;

pub async fn list(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let groups = match c
        .call(&req, &s.principal, "ListGroups", &[("MaxItems", "1000")])
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&s, "User groups", &e),
    };
    page(
        &s,
        "User groups",
        html! {
            (flash(&req))
            table #groups {
                tr { th { "Group name" } th { "ARN" } th { "Created" } }
                @for g in ls(&groups, "Groups") {
                    tr { td { a href={ "/console/groups/" (enc(st(g, "GroupName"))) } { (st(g, "GroupName")) } }
                         td.mono { (st(g, "Arn")) } td { (when(g, "CreateDate")) } }
                }
            }
            div.card { h2 { "Create group" }
                form method="post" action="/console/groups" { (csrf(&s))
                    label { "Group name" input #group-name type="text" name="name" required; }
                    label { "Attach policy (ARN, optional)" input type="text" name="policy"; }
                    button #create-group type="submit" { "Create group" } } }
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
    if let Err(e) = c
        .call(&req, p, "CreateGroup", &[("GroupName", &name)])
        .await
    {
        return back("/console/groups", Err(e));
    }
    let to = format!("/console/groups/{}", enc(&name));
    let policy = req.field("policy").unwrap_or_default().trim();
    if !policy.is_empty()
        && let Err(e) = c
            .call(
                &req,
                p,
                "AttachGroupPolicy",
                &[("GroupName", &name), ("PolicyArn", policy)],
            )
            .await
    {
        return back(&to, Err(e));
    }
    back(&to, Ok(format!("Group {name} created.")))
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
    let g = [("GroupName", name.as_str())];
    let group = match c.call(&req, p, "GetGroup", &g).await {
        Ok(v) => v,
        Err(e) => return failed(&s, &name, &e),
    };
    let attached = c.call(&req, p, "ListAttachedGroupPolicies", &g).await;
    let inline = inline_policies::fetch(&c, &req, p, Owner::Group, &name).await;
    let base = format!("/console/groups/{}", enc(&name));
    let f = |a: &str| format!("{base}/{a}");
    page(
        &s,
        &format!("Group {name}"),
        html! {
            (flash(&req))
            form method="post" action=(f("delete")) onsubmit=(CONFIRM) { (csrf(&s)) button type="submit" { "Delete group" } }
            div.card #members { h2 { "Users" }
                ul { @for u in ls(&group, "Users") {
                    li { a href={ "/console/users/" (enc(st(u, "UserName"))) } { (st(u, "UserName")) } " "
                         form method="post" action=(f("remove-user")) style="display:inline" { (csrf(&s))
                            input type="hidden" name="user" value=(st(u, "UserName"));
                            button.secondary type="submit" { "Remove" } } }
                } }
                form method="post" action=(f("add-user")) { (csrf(&s))
                    input type="text" name="user" placeholder="User name" required; " " button type="submit" { "Add user" } } }
            div.card #permissions { h2 { "Permissions policies" }
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
                    input type="text" name="arn" placeholder="Policy ARN" required; " " button type="submit" { "Attach policy" } } }
        },
    )
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
    let to = format!("/console/groups/{}", enc(&name));
    let field = |n: &str| req.field(n).unwrap_or_default().trim().to_string();
    if let Some(r) = inline_policies::act(&c, &req, p, Owner::Group, &name, &action).await {
        return back(&to, r);
    }
    let r: Result<String, ApiError> = match action.as_str() {
        "add-user" => c
            .call(
                &req,
                p,
                "AddUserToGroup",
                &[("GroupName", &name), ("UserName", &field("user"))],
            )
            .await
            .map(|_| "User added.".into()),
        "remove-user" => c
            .call(
                &req,
                p,
                "RemoveUserFromGroup",
                &[("GroupName", &name), ("UserName", &field("user"))],
            )
            .await
            .map(|_| "User removed.".into()),
        "attach" => c
            .call(
                &req,
                p,
                "AttachGroupPolicy",
                &[("GroupName", &name), ("PolicyArn", &field("arn"))],
            )
            .await
            .map(|_| "Policy attached.".into()),
        "detach" => c
            .call(
                &req,
                p,
                "DetachGroupPolicy",
                &[("GroupName", &name), ("PolicyArn", &field("arn"))],
            )
            .await
            .map(|_| "Policy detached.".into()),
        "delete" => {
            let g = [("GroupName", name.as_str())];
            let mut r = Ok(());
            if let Ok(v) = c.call(&req, p, "GetGroup", &g).await {
                for u in ls(&v, "Users") {
                    if let Err(e) = c
                        .call(
                            &req,
                            p,
                            "RemoveUserFromGroup",
                            &[("GroupName", &name), ("UserName", st(u, "UserName"))],
                        )
                        .await
                    {
                        r = Err(e);
                    }
                }
            }
            if let Ok(v) = c.call(&req, p, "ListAttachedGroupPolicies", &g).await {
                for a in ls(&v, "AttachedPolicies") {
                    if let Err(e) = c
                        .call(
                            &req,
                            p,
                            "DetachGroupPolicy",
                            &[("GroupName", &name), ("PolicyArn", st(a, "PolicyArn"))],
                        )
                        .await
                    {
                        r = Err(e);
                    }
                }
            }
            match r {
                Ok(()) => match c.call(&req, p, "DeleteGroup", &g).await {
                    Ok(_) => return back("/console/groups", Ok(format!("Group {name} deleted."))),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        }
        _ => return crate::web::redirect(&to),
    };
    back(&to, r)
}
