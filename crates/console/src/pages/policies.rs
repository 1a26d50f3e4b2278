//! Policies: AWS managed and customer managed, their versions and attachments, and a JSON
//! editor whose documents the engine validates (AWS's messages, with line and column).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use iamd_wire::{ApiError, Value};

use super::{CONFIRM, back, document, failed, flash, ls, open, open_post, page, st, when};
use crate::Console;
use crate::layout::{csrf, error_box};
use crate::web::{Signed, enc, html as respond};

const TEMPLATE: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"iam:Get*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

pub async fn list(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let scope = match req.query("scope").as_deref() {
        Some("AWS") => "AWS",
        Some("All") => "All",
        _ => "Local",
    };
    let q = req.query("q").unwrap_or_default().to_ascii_lowercase();
    let mut all: Vec<Value> = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut params = vec![("Scope", scope), ("MaxItems", "1000")];
        if let Some(m) = &marker {
            params.push(("Marker", m));
        }
        match c.call(&req, &s.principal, "ListPolicies", &params).await {
            Ok(v) => {
                all.extend(ls(&v, "Policies").iter().cloned());
                match v.get("Marker").and_then(Value::as_str) {
                    Some(m) if v.get("IsTruncated").and_then(Value::as_bool) == Some(true) => {
                        marker = Some(m.to_string())
                    }
                    _ => break,
                }
            }
            Err(e) => return failed(&s, "Policies", &e),
        }
    }
    let shown: Vec<&Value> = all
        .iter()
        .filter(|p| q.is_empty() || st(p, "PolicyName").to_ascii_lowercase().contains(&q))
        .take(200)
        .collect();
    page(
        &s,
        "Policies",
        html! {
            (flash(&req))
            p { a.button #create-policy href="/console/policies/new" { "Create policy" } }
            form method="get" action="/console/policies" {
                select name="scope" {
                    option value="Local" selected[scope == "Local"] { "Customer managed" }
                    option value="AWS" selected[scope == "AWS"] { "AWS managed" }
                    option value="All" selected[scope == "All"] { "All" }
                }
                " " input type="search" name="q" value=(q) placeholder="Filter by name";
                " " button.secondary type="submit" { "Show" }
            }
            p { (all.len()) " policies" @if shown.len() < all.len() { ", " (shown.len()) " shown" } }
            table #policies {
                tr { th { "Policy name" } th { "Type" } th { "Attachments" } th { "Default version" } th { "Updated" } }
                @for p in &shown {
                    tr { td { a href={ "/console/policy?arn=" (enc(st(p, "Arn"))) } { (st(p, "PolicyName")) } }
                         td { (if st(p, "Arn").starts_with("arn:aws:iam::aws:") { "AWS managed" } else { "Customer managed" }) }
                         td { (p.get("AttachmentCount").and_then(Value::as_int).unwrap_or_default()) }
                         td { (st(p, "DefaultVersionId")) } td { (when(p, "UpdateDate")) } }
                }
            }
        },
    )
}

/// Where in `doc` the engine's `MalformedPolicyDocument` error is: the policy validator (the
/// engine's, run here on the text alone) finds the same error with its line, column and JSON
/// path. `None` for other errors.
pub fn locate(
    doc: &str,
    kind: iamd_policy::PolicyKind,
    e: &ApiError,
) -> Option<(usize, usize, String)> {
    if e.code != "MalformedPolicyDocument" {
        return None;
    }
    match iamd_policy::validate(doc, kind) {
        Err(v) if v.message == e.message && v.location.line > 0 => {
            let mut at = format!("line {}, column {}", v.location.line, v.location.column);
            if !v.location.path.is_empty() {
                at.push_str(&format!(", at {}", v.location.path));
            }
            if !v.detail.is_empty() {
                at.push_str(&format!(": {}", v.detail));
            }
            Some((v.location.line, v.location.column, at))
        }
        _ => None,
    }
}

/// The error's position (see [`locate`]) added to a message.
pub fn with_position(doc: &str, kind: iamd_policy::PolicyKind, mut e: ApiError) -> ApiError {
    if let Some((_, _, at)) = locate(doc, kind, &e) {
        e.message = format!("{} ({at})", e.message);
    }
    e
}

fn editor(s: &Signed, name: &str, description: &str, doc: &str, error: Option<Markup>) -> Markup {
    html! {
        @if let Some(e) = error { div #policy-error { (e) } }
        form #policy-form method="post" action="/console/policies" {
            (csrf(s))
            label { "Policy name" input #policy-name type="text" name="name" value=(name) required; }
            label { "Description" input type="text" name="description" value=(description); }
            label { "Policy document (JSON)" textarea #policy-document name="document" spellcheck="false" { (doc) } }
            button #policy-submit type="submit" { "Create policy" }
        }
        // Progressive enhancement: say at once when the text is not JSON at all; the engine
        // still validates everything on submit.
        script { (maud::PreEscaped(r#"
(function(){var t=document.getElementById('policy-document');if(!t)return;
var n=document.createElement('p');n.id='json-hint';t.parentNode.appendChild(n);
function c(){try{JSON.parse(t.value);n.textContent='';}catch(e){n.textContent='Not valid JSON yet: '+e.message;}}
t.addEventListener('input',c);
var p=document.getElementById('policy-error-position');if(p){var l=+p.dataset.line,col=+p.dataset.column,i=0;
var lines=t.value.split('\n');for(var k=0;k<l-1&&k<lines.length;k++){i+=lines[k].length+1;}i+=col-1;
t.focus();t.setSelectionRange(i,i+1);}})();"#)) }
    }
}

pub async fn new(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (_req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    page(&s, "Create policy", editor(&s, "", "", TEMPLATE, None))
}

/// `POST /console/policies`: CreatePolicy; the engine's validation errors are shown on the
/// editor, with the document kept.
pub async fn create(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = req.field("name").unwrap_or_default().trim().to_string();
    let description = req.field("description").unwrap_or_default().to_string();
    let doc = req.field("document").unwrap_or_default().to_string();
    let mut params = vec![
        ("PolicyName", name.as_str()),
        ("PolicyDocument", doc.as_str()),
    ];
    if !description.is_empty() {
        params.push(("Description", description.as_str()));
    }
    match c.call(&req, &s.principal, "CreatePolicy", &params).await {
        Ok(v) => {
            let arn = v.get("Policy").map(|p| st(p, "Arn")).unwrap_or_default();
            back(
                &format!("/console/policy?arn={}", enc(arn)),
                Ok(format!("Policy {name} created.")),
            )
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            let at = locate(&doc, iamd_policy::PolicyKind::Managed, &e);
            let error = html! {
                (error_box(&e))
                @if let Some((line, column, text)) = &at {
                    p #policy-error-position data-line=(line) data-column=(column) { "Where: " (text) }
                }
            };
            respond(
                status,
                crate::layout::page(
                    &s,
                    "Create policy",
                    editor(&s, &name, &description, &doc, Some(error)),
                ),
            )
        }
    }
}

pub async fn show(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let arn = req.query("arn").unwrap_or_default();
    let policy = match c.call(&req, p, "GetPolicy", &[("PolicyArn", &arn)]).await {
        Ok(v) => v.get("Policy").cloned().unwrap_or(Value::object()),
        Err(e) => return failed(&s, "Policy", &e),
    };
    let versions = c
        .call(&req, p, "ListPolicyVersions", &[("PolicyArn", &arn)])
        .await;
    let version = req
        .query("version")
        .unwrap_or_else(|| st(&policy, "DefaultVersionId").to_string());
    let doc = c
        .call(
            &req,
            p,
            "GetPolicyVersion",
            &[("PolicyArn", &arn), ("VersionId", &version)],
        )
        .await;
    let entities = c
        .call(&req, p, "ListEntitiesForPolicy", &[("PolicyArn", &arn)])
        .await;
    let aws = arn.starts_with("arn:aws:iam::aws:");
    let text = doc
        .as_ref()
        .ok()
        .and_then(|d| d.get("PolicyVersion"))
        .map(|v| document(st(v, "Document")))
        .unwrap_or_default();
    page(
        &s,
        &format!("Policy {}", st(&policy, "PolicyName")),
        html! {
            (flash(&req))
            p { "ARN: " span.mono { (arn) } }
            @if !st(&policy, "Description").is_empty() { p { (st(&policy, "Description")) } }
            h2 { "Version " (version) }
            @match &doc { Err(e) => (error_box(e)), Ok(_) => pre #policy-json.card { (text) } }
            div.card #versions {
                h2 { "Versions" }
                @match &versions { Err(e) => (error_box(e)), Ok(v) => table {
                    tr { th { "Version" } th { "Default" } th { "Created" } th {} }
                    @for ver in ls(v, "Versions") {
                        tr { td { a href={ "/console/policy?arn=" (enc(&arn)) "&version=" (st(ver, "VersionId")) } { (st(ver, "VersionId")) } }
                             td { (if ver.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true) { "default" } else { "" }) }
                             td { (when(ver, "CreateDate")) }
                             td { @if !aws && ver.get("IsDefaultVersion").and_then(Value::as_bool) != Some(true) {
                                form method="post" action="/console/policy" style="display:inline" { (csrf(&s))
                                    input type="hidden" name="arn" value=(arn); input type="hidden" name="version" value=(st(ver, "VersionId"));
                                    button.secondary type="submit" name="action" value="set-default" { "Set as default" } }
                                " "
                                form method="post" action="/console/policy" style="display:inline" onsubmit=(CONFIRM) { (csrf(&s))
                                    input type="hidden" name="arn" value=(arn); input type="hidden" name="version" value=(st(ver, "VersionId"));
                                    button.secondary type="submit" name="action" value="delete-version" { "Delete" } } } } }
                    } } }
            }
            div.card #attached {
                h2 { "Attached entities" }
                @match &entities { Err(e) => (error_box(e)), Ok(v) => ul {
                    @for g in ls(v, "PolicyGroups") { li { "Group " a href={ "/console/groups/" (enc(st(g, "GroupName"))) } { (st(g, "GroupName")) } } }
                    @for u in ls(v, "PolicyUsers") { li { "User " a href={ "/console/users/" (enc(st(u, "UserName"))) } { (st(u, "UserName")) } } }
                    @for r in ls(v, "PolicyRoles") { li { "Role " a href={ "/console/roles/" (enc(st(r, "RoleName"))) } { (st(r, "RoleName")) } } }
                } }
            }
            @if !aws {
                div.card {
                    h2 { "Edit: create a new version" }
                    form method="post" action="/console/policy" { (csrf(&s))
                        input type="hidden" name="arn" value=(arn);
                        textarea #version-document name="document" spellcheck="false" { (text) }
                        label { input type="checkbox" name="default" value="true" checked; " Set as default" }
                        button type="submit" name="action" value="new-version" { "Save changes" }
                    }
                    form method="post" action="/console/policy" onsubmit=(CONFIRM) { (csrf(&s))
                        input type="hidden" name="arn" value=(arn);
                        button.secondary #delete-policy type="submit" name="action" value="delete" { "Delete policy" }
                    }
                }
            }
        },
    )
}

/// `POST /console/policy`: new version, default version, delete a version, delete the policy.
pub async fn act(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let arn = req.field("arn").unwrap_or_default().to_string();
    let to = format!("/console/policy?arn={}", enc(&arn));
    let version = req.field("version").unwrap_or_default();
    let r: Result<String, ApiError> = match req.field("action").unwrap_or_default() {
        "new-version" => {
            let default = if req.field("default") == Some("true") {
                "true"
            } else {
                "false"
            };
            let doc = req.field("document").unwrap_or_default();
            c.call(
                &req,
                p,
                "CreatePolicyVersion",
                &[
                    ("PolicyArn", &arn),
                    ("PolicyDocument", doc),
                    ("SetAsDefault", default),
                ],
            )
            .await
            .map(|_| "New version saved.".into())
            .map_err(|e| with_position(doc, iamd_policy::PolicyKind::Managed, e))
        }
        "set-default" => c
            .call(
                &req,
                p,
                "SetDefaultPolicyVersion",
                &[("PolicyArn", &arn), ("VersionId", version)],
            )
            .await
            .map(|_| format!("Version {version} is the default.")),
        "delete-version" => c
            .call(
                &req,
                p,
                "DeletePolicyVersion",
                &[("PolicyArn", &arn), ("VersionId", version)],
            )
            .await
            .map(|_| format!("Version {version} deleted.")),
        "delete" => match c
            .call(&req, p, "DeletePolicy", &[("PolicyArn", &arn)])
            .await
        {
            Ok(_) => return back("/console/policies", Ok("Policy deleted.".into())),
            Err(e) => Err(e),
        },
        _ => return crate::web::redirect(&to),
    };
    back(&to, r)
}
