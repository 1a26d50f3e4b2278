//! Users: list and search, create (with a console password, a policy and a group), delete, and
//! each user's groups, policies, tags and security credentials (access keys with the secret
//! shown once and a CSV download, console password, MFA by QR code, SSH keys, signing
//! certificates).

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::response::Response;
use base64::Engine as _;
use maud::{Markup, html};

use iamd_wire::{ApiError, Value};

use super::inline_policies::{self, Owner};
use super::{CONFIRM, back, failed, flash, ls, open, open_post, page, section, st, when};
use crate::Console;
use crate::layout::csrf;
use crate::web::{Req, Signed, enc};

pub async fn list(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let users = match c
        .call(&req, &s.principal, "ListUsers", &[("MaxItems", "1000")])
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&s, "Users", &e),
    };
    let q = req.query("q").unwrap_or_default().to_ascii_lowercase();
    let shown: Vec<&Value> = ls(&users, "Users")
        .iter()
        .filter(|u| q.is_empty() || st(u, "UserName").to_ascii_lowercase().contains(&q))
        .collect();
    page(
        &s,
        "Users",
        html! {
            (flash(&req))
            form method="get" action="/console/users" {
                input #search type="search" name="q" value=(q) placeholder="Find users by name";
                " " button.secondary type="submit" { "Search" }
            }
            table #users {
                tr { th { "User name" } th { "Path" } th { "ARN" } th { "Created" } th { "Password last used" } }
                @for u in &shown {
                    tr { td { a href={ "/console/users/" (enc(st(u, "UserName"))) } { (st(u, "UserName")) } }
                         td { (st(u, "Path")) } td.mono { (st(u, "Arn")) } td { (when(u, "CreateDate")) }
                         td { (when(u, "PasswordLastUsed")) } }
                }
            }
            div.card {
                h2 { "Create user" }
                form #create-user method="post" action="/console/users" {
                    (csrf(&s))
                    label { "User name" input #new-user-name type="text" name="name" required; }
                    label { "Path (optional)" input type="text" name="path" placeholder="/"; }
                    label { "Console password (optional)" input #new-user-password type="password" name="password" autocomplete="new-password"; }
                    label { input #new-user-reset type="checkbox" name="reset" value="true"; " User must create a new password at next sign-in" }
                    label { "Attach policy (ARN, optional)" input #new-user-policy type="text" name="policy" placeholder="arn:aws:iam::aws:policy/IAMReadOnlyAccess"; }
                    label { "Add to group (optional)" input type="text" name="group"; }
                    button #create-user-submit type="submit" { "Create user" }
                }
            }
        },
    )
}

/// `POST /console/users`: CreateUser, then the password, policy and group asked for, each a
/// call of its own (as the console on AWS makes them).
pub async fn create(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = &s.principal;
    let name = req.field("name").unwrap_or_default().trim().to_string();
    let mut params = vec![("UserName", name.as_str())];
    let path = req.field("path").unwrap_or_default().trim();
    if !path.is_empty() {
        params.push(("Path", path));
    }
    if let Err(e) = c.call(&req, p, "CreateUser", &params).await {
        return back("/console/users", Err(e));
    }
    let to = format!("/console/users/{}", enc(&name));
    let password = req.field("password").unwrap_or_default();
    if !password.is_empty() {
        let reset = if req.field("reset") == Some("true") {
            "true"
        } else {
            "false"
        };
        let r = c
            .call(
                &req,
                p,
                "CreateLoginProfile",
                &[
                    ("UserName", &name),
                    ("Password", password),
                    ("PasswordResetRequired", reset),
                ],
            )
            .await;
        if let Err(e) = r {
            return back(&to, Err(e));
        }
    }
    let policy = req.field("policy").unwrap_or_default().trim();
    if !policy.is_empty()
        && let Err(e) = c
            .call(
                &req,
                p,
                "AttachUserPolicy",
                &[("UserName", &name), ("PolicyArn", policy)],
            )
            .await
    {
        return back(&to, Err(e));
    }
    let group = req.field("group").unwrap_or_default().trim();
    if !group.is_empty()
        && let Err(e) = c
            .call(
                &req,
                p,
                "AddUserToGroup",
                &[("UserName", &name), ("GroupName", group)],
            )
            .await
    {
        return back(&to, Err(e));
    }
    back(&to, Ok(format!("User {name} created.")))
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
    let u = [("UserName", name.as_str())];
    let user = match c.call(&req, p, "GetUser", &u).await {
        Ok(v) => v,
        Err(e) => return failed(&s, &name, &e),
    };
    let groups = c.call(&req, p, "ListGroupsForUser", &u).await;
    let attached = c.call(&req, p, "ListAttachedUserPolicies", &u).await;
    let inline = inline_policies::fetch(&c, &req, p, Owner::User, &name).await;
    let keys = c.call(&req, p, "ListAccessKeys", &u).await;
    let login = c.call(&req, p, "GetLoginProfile", &u).await;
    let mfa = c.call(&req, p, "ListMFADevices", &u).await;
    let ssh = c.call(&req, p, "ListSSHPublicKeys", &u).await;
    let certs = c.call(&req, p, "ListSigningCertificates", &u).await;
    let user = user.get("User").cloned().unwrap_or(Value::object());
    let base = format!("/console/users/{}", enc(&name));
    let f = |action: &str| format!("{base}/{action}");
    page(
        &s,
        &format!("User {name}"),
        html! {
            (flash(&req))
            p { "ARN: " span.mono #user-arn { (st(&user, "Arn")) } }
            p { "Created: " (when(&user, "CreateDate")) }
            form method="post" action=(f("delete")) onsubmit=(CONFIRM) {
                (csrf(&s)) button #delete-user type="submit" { "Delete user" }
            }
            div.card #permissions {
                h2 { "Permissions policies" }
                (section(&attached, |v| html! {
                    table { tr { th { "Policy" } th {} }
                        @for a in ls(v, "AttachedPolicies") {
                            tr { td { a href={ "/console/policy?arn=" (enc(st(a, "PolicyArn"))) } { (st(a, "PolicyName")) } }
                                 td { form method="post" action=(f("detach")) { (csrf(&s))
                                      input type="hidden" name="arn" value=(st(a, "PolicyArn"));
                                      button.secondary type="submit" { "Detach" } } } }
                        } }
                }))
                (inline_policies::render(&s, &base, &inline))
                form method="post" action=(f("attach")) { (csrf(&s))
                    input type="text" name="arn" placeholder="Policy ARN" required; " "
                    button type="submit" { "Attach policy" } }
            }
            div.card #groups {
                h2 { "Groups" }
                (section(&groups, |v| html! {
                    ul { @for g in ls(v, "Groups") {
                        li { a href={ "/console/groups/" (enc(st(g, "GroupName"))) } { (st(g, "GroupName")) } " "
                             form method="post" action=(f("remove-group")) style="display:inline" { (csrf(&s))
                                input type="hidden" name="group" value=(st(g, "GroupName"));
                                button.secondary type="submit" { "Remove" } } }
                    } }
                }))
                form method="post" action=(f("add-group")) { (csrf(&s))
                    input type="text" name="group" placeholder="Group name" required; " "
                    button type="submit" { "Add to group" } }
            }
            div.card #tags {
                h2 { "Tags" }
                table { tr { th { "Key" } th { "Value" } th {} }
                    @for t in ls(&user, "Tags") {
                        tr { td { (st(t, "Key")) } td { (st(t, "Value")) }
                             td { form method="post" action=(f("untag")) { (csrf(&s))
                                  input type="hidden" name="key" value=(st(t, "Key"));
                                  button.secondary type="submit" { "Remove" } } } }
                    } }
                form method="post" action=(f("tag")) { (csrf(&s))
                    input type="text" name="key" placeholder="Key" required; " "
                    input type="text" name="value" placeholder="Value"; " "
                    button type="submit" { "Add tag" } }
            }
            div.card #credentials {
                h2 { "Security credentials" }
                h3 { "Console password" }
                @match &login {
                    Ok(v) => p #console-password { "Enabled"
                        @if v.get("LoginProfile").and_then(|l| l.get("PasswordResetRequired")).and_then(Value::as_bool) == Some(true) { " (reset required)" } },
                    Err(e) if e.code == "NoSuchEntity" => p #console-password { "Not enabled" },
                    Err(e) => (crate::layout::error_box(e)),
                }
                form method="post" action=(f("password")) { (csrf(&s))
                    input type="password" name="password" placeholder="New password" required autocomplete="new-password"; " "
                    label style="display:inline" { input type="checkbox" name="reset" value="true"; " require reset" } " "
                    button type="submit" { "Set console password" } }
                @if login.is_ok() {
                    form method="post" action=(f("delete-password")) onsubmit=(CONFIRM) { (csrf(&s))
                        button.secondary type="submit" { "Disable console access" } }
                }
                h3 { "Multi-factor authentication (MFA)" }
                (section(&mfa, |v| html! {
                    table #mfa-devices { tr { th { "Serial number" } th { "Enabled" } th {} }
                        @for d in ls(v, "MFADevices") {
                            tr { td.mono { (st(d, "SerialNumber")) } td { (when(d, "EnableDate")) }
                                 td { form method="post" action=(f("mfa-remove")) onsubmit=(CONFIRM) { (csrf(&s))
                                      input type="hidden" name="serial" value=(st(d, "SerialNumber"));
                                      button.secondary type="submit" { "Remove" } } } }
                        } }
                }))
                form method="post" action=(f("mfa-create")) { (csrf(&s))
                    input #mfa-name type="text" name="device" value=(name) required; " "
                    button #assign-mfa type="submit" { "Assign MFA device" } }
                h3 { "Access keys" }
                (section(&keys, |v| html! {
                    table #access-keys { tr { th { "Access key ID" } th { "Status" } th { "Created" } th {} }
                        @for k in ls(v, "AccessKeyMetadata") {
                            tr { td.mono { (st(k, "AccessKeyId")) } td { (st(k, "Status")) } td { (when(k, "CreateDate")) }
                                 td {
                                    form method="post" action=(f("key-status")) style="display:inline" { (csrf(&s))
                                        input type="hidden" name="key" value=(st(k, "AccessKeyId"));
                                        input type="hidden" name="status" value=(if st(k, "Status") == "Active" { "Inactive" } else { "Active" });
                                        button.secondary type="submit" { (if st(k, "Status") == "Active" { "Deactivate" } else { "Activate" }) } }
                                    " "
                                    form method="post" action=(f("delete-key")) style="display:inline" onsubmit=(CONFIRM) { (csrf(&s))
                                        input type="hidden" name="key" value=(st(k, "AccessKeyId"));
                                        button.secondary type="submit" { "Delete" } } } }
                        } }
                }))
                form method="post" action=(f("create-key")) { (csrf(&s))
                    button #create-key type="submit" { "Create access key" } }
                h3 { "SSH public keys" }
                (section(&ssh, |v| html! {
                    table #ssh-keys { tr { th { "SSH key ID" } th { "Status" } th { "Uploaded" } th {} }
                        @for k in ls(v, "SSHPublicKeys") {
                            (credential_row(&s, &f("ssh-status"), &f("ssh-delete"), st(k, "SSHPublicKeyId"), st(k, "Status"), &when(k, "UploadDate")))
                        } }
                }))
                form method="post" action=(f("ssh-upload")) { (csrf(&s))
                    textarea name="body" placeholder="ssh-rsa AAAA…" style="min-height:4em" {}
                    button type="submit" { "Upload SSH public key" } }
                h3 { "Signing certificates" }
                (section(&certs, |v| html! {
                    table #signing-certificates { tr { th { "Certificate ID" } th { "Status" } th { "Uploaded" } th {} }
                        @for k in ls(v, "Certificates") {
                            (credential_row(&s, &f("cert-status"), &f("cert-delete"), st(k, "CertificateId"), st(k, "Status"), &when(k, "UploadDate")))
                        } }
                }))
                form method="post" action=(f("cert-upload")) { (csrf(&s))
                    textarea name="body" placeholder="-----BEGIN CERTIFICATE-----" style="min-height:4em" {}
                    button type="submit" { "Upload signing certificate" } }
            }
        },
    )
}

/// A row of an SSH key or a signing certificate: its ID, status and upload date, with buttons
/// to flip its status and to delete it (both posted with the session's CSRF token).
fn credential_row(
    s: &Signed,
    status_to: &str,
    delete_to: &str,
    id: &str,
    status: &str,
    uploaded: &str,
) -> Markup {
    let active = status == "Active";
    html! {
        tr { td.mono { (id) } td { (status) } td { (uploaded) }
             td {
                form method="post" action=(status_to) style="display:inline" { (csrf(s))
                    input type="hidden" name="id" value=(id);
                    input type="hidden" name="status" value=(if active { "Inactive" } else { "Active" });
                    button.secondary type="submit" { (if active { "Deactivate" } else { "Activate" }) } }
                " "
                form method="post" action=(delete_to) style="display:inline" onsubmit=(CONFIRM) { (csrf(s))
                    input type="hidden" name="id" value=(id);
                    button.secondary type="submit" { "Delete" } } } }
    }
}

/// The page that shows a new access key's secret, this once, with its CSV.
fn key_page(s: &Signed, user: &str, key: &Value) -> Response {
    let id = st(key, "AccessKeyId");
    let secret = st(key, "SecretAccessKey");
    let csv = format!("Access key ID,Secret access key\n{id},{secret}\n");
    let href = format!(
        "data:text/csv;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(csv)
    );
    page(
        s,
        "Access key created",
        html! {
            p.warn { "This is the only time the secret access key can be viewed or downloaded. You cannot recover it later; you can create a new access key at any time." }
            table { tr { th { "Access key ID" } th { "Secret access key" } }
                    tr { td.mono #new-key-id { (id) } td.mono #new-key-secret { (secret) } } }
            p { a #download-csv.button href=(href) download={ (user) "_accessKeys.csv" } { "Download .csv file" } }
            p { a href={ "/console/users/" (enc(user)) } { "Done" } }
        },
    )
}

/// The page of a new virtual MFA device: its QR code (the engine's `QRCodePNG`) and the form
/// for two consecutive codes.
pub fn mfa_page(s: &Signed, action: &str, device: &Value, error: Option<Markup>) -> Response {
    let png = match device.get("QRCodePNG") {
        Some(Value::Blob(b)) => base64::engine::general_purpose::STANDARD.encode(b),
        _ => String::new(),
    };
    let seed = match device.get("Base32StringSeed") {
        Some(Value::Blob(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    let serial = st(device, "SerialNumber");
    page(
        s,
        "Set up a virtual MFA device",
        html! {
            @if let Some(e) = error { (e) }
            ol {
                li { "Install a compatible authenticator app." }
                li { "Scan this QR code with it:" br;
                     img #mfa-qr src={ "data:image/png;base64," (png) } alt="QR code of the MFA device's secret";
                     details { summary { "Show secret key" } code #mfa-seed { (seed) } } }
                li { "Enter two consecutive codes from the app:" }
            }
            form method="post" action=(action) { (csrf(s))
                input type="hidden" name="serial" value=(serial);
                label { "MFA code 1" input #mfa-code1 type="text" name="code1" inputmode="numeric" required; }
                label { "MFA code 2" input #mfa-code2 type="text" name="code2" inputmode="numeric" required; }
                button #mfa-enable type="submit" { "Add MFA" }
            }
        },
    )
}

/// `POST /console/users/<name>/<action>`.
pub async fn act(
    State(c): State<Arc<Console>>,
    Path((name, action)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = s.principal.clone();
    let to = format!("/console/users/{}", enc(&name));
    let field = |n: &str| req.field(n).unwrap_or_default().trim().to_string();
    let u = name.as_str();
    if let Some(r) = inline_policies::act(&c, &req, &p, Owner::User, u, &action).await {
        return back(&to, r);
    }
    let r: Result<String, ApiError> = match action.as_str() {
        "delete" => match delete_user(&c, &req, &s, u).await {
            Ok(()) => return back("/console/users", Ok(format!("User {u} deleted."))),
            Err(e) => Err(e),
        },
        "attach" => c
            .call(
                &req,
                &p,
                "AttachUserPolicy",
                &[("UserName", u), ("PolicyArn", &field("arn"))],
            )
            .await
            .map(|_| "Policy attached.".into()),
        "detach" => c
            .call(
                &req,
                &p,
                "DetachUserPolicy",
                &[("UserName", u), ("PolicyArn", &field("arn"))],
            )
            .await
            .map(|_| "Policy detached.".into()),
        "add-group" => c
            .call(
                &req,
                &p,
                "AddUserToGroup",
                &[("UserName", u), ("GroupName", &field("group"))],
            )
            .await
            .map(|_| "Added to the group.".into()),
        "remove-group" => c
            .call(
                &req,
                &p,
                "RemoveUserFromGroup",
                &[("UserName", u), ("GroupName", &field("group"))],
            )
            .await
            .map(|_| "Removed from the group.".into()),
        "tag" => c
            .call(
                &req,
                &p,
                "TagUser",
                &[
                    ("UserName", u),
                    ("Tags.member.1.Key", &field("key")),
                    ("Tags.member.1.Value", &field("value")),
                ],
            )
            .await
            .map(|_| "Tag added.".into()),
        "untag" => c
            .call(
                &req,
                &p,
                "UntagUser",
                &[("UserName", u), ("TagKeys.member.1", &field("key"))],
            )
            .await
            .map(|_| "Tag removed.".into()),
        "create-key" => match c
            .call(&req, &p, "CreateAccessKey", &[("UserName", u)])
            .await
        {
            Ok(v) => {
                let key = v.get("AccessKey").cloned().unwrap_or(Value::object());
                return key_page(&s, u, &key);
            }
            Err(e) => Err(e),
        },
        "delete-key" => c
            .call(
                &req,
                &p,
                "DeleteAccessKey",
                &[("UserName", u), ("AccessKeyId", &field("key"))],
            )
            .await
            .map(|_| "Access key deleted.".into()),
        "key-status" => c
            .call(
                &req,
                &p,
                "UpdateAccessKey",
                &[
                    ("UserName", u),
                    ("AccessKeyId", &field("key")),
                    ("Status", &field("status")),
                ],
            )
            .await
            .map(|_| "Access key updated.".into()),
        "password" => {
            let pw = req.field("password").unwrap_or_default();
            let reset = if req.field("reset") == Some("true") {
                "true"
            } else {
                "false"
            };
            let params = [
                ("UserName", u),
                ("Password", pw),
                ("PasswordResetRequired", reset),
            ];
            match c
                .call(&req, &p, "GetLoginProfile", &[("UserName", u)])
                .await
            {
                Ok(_) => c.call(&req, &p, "UpdateLoginProfile", &params).await,
                Err(e) if e.code == "NoSuchEntity" => {
                    c.call(&req, &p, "CreateLoginProfile", &params).await
                }
                Err(e) => Err(e),
            }
            .map(|_| "Console password set.".into())
        }
        "delete-password" => c
            .call(&req, &p, "DeleteLoginProfile", &[("UserName", u)])
            .await
            .map(|_| "Console access disabled.".into()),
        "mfa-create" => match c
            .call(
                &req,
                &p,
                "CreateVirtualMFADevice",
                &[("VirtualMFADeviceName", &field("device"))],
            )
            .await
        {
            Ok(v) => {
                let d = v
                    .get("VirtualMFADevice")
                    .cloned()
                    .unwrap_or(Value::object());
                return mfa_page(&s, &format!("{to}/mfa-enable"), &d, None);
            }
            Err(e) => Err(e),
        },
        "mfa-enable" => {
            let serial = field("serial");
            c.call(
                &req,
                &p,
                "EnableMFADevice",
                &[
                    ("UserName", u),
                    ("SerialNumber", &serial),
                    ("AuthenticationCode1", &field("code1")),
                    ("AuthenticationCode2", &field("code2")),
                ],
            )
            .await
            .map(|_| "MFA device assigned.".into())
        }
        "mfa-remove" => {
            let serial = field("serial");
            match c
                .call(
                    &req,
                    &p,
                    "DeactivateMFADevice",
                    &[("UserName", u), ("SerialNumber", &serial)],
                )
                .await
            {
                Ok(_) => c
                    .call(
                        &req,
                        &p,
                        "DeleteVirtualMFADevice",
                        &[("SerialNumber", &serial)],
                    )
                    .await
                    .map(|_| "MFA device removed.".into()),
                Err(e) => Err(e),
            }
        }
        "ssh-upload" => c
            .call(
                &req,
                &p,
                "UploadSSHPublicKey",
                &[("UserName", u), ("SSHPublicKeyBody", &field("body"))],
            )
            .await
            .map(|_| "SSH public key uploaded.".into()),
        "cert-upload" => c
            .call(
                &req,
                &p,
                "UploadSigningCertificate",
                &[("UserName", u), ("CertificateBody", &field("body"))],
            )
            .await
            .map(|_| "Signing certificate uploaded.".into()),
        "ssh-status" => c
            .call(
                &req,
                &p,
                "UpdateSSHPublicKey",
                &[
                    ("UserName", u),
                    ("SSHPublicKeyId", &field("id")),
                    ("Status", &field("status")),
                ],
            )
            .await
            .map(|_| "SSH public key updated.".into()),
        "ssh-delete" => c
            .call(
                &req,
                &p,
                "DeleteSSHPublicKey",
                &[("UserName", u), ("SSHPublicKeyId", &field("id"))],
            )
            .await
            .map(|_| "SSH public key deleted.".into()),
        "cert-status" => c
            .call(
                &req,
                &p,
                "UpdateSigningCertificate",
                &[
                    ("UserName", u),
                    ("CertificateId", &field("id")),
                    ("Status", &field("status")),
                ],
            )
            .await
            .map(|_| "Signing certificate updated.".into()),
        "cert-delete" => c
            .call(
                &req,
                &p,
                "DeleteSigningCertificate",
                &[("UserName", u), ("CertificateId", &field("id"))],
            )
            .await
            .map(|_| "Signing certificate deleted.".into()),
        _ => return crate::web::redirect(&to),
    };
    if action == "mfa-enable"
        && let Err(e) = &r
    {
        // Leave no unassigned device behind after a failed attempt.
        let _ = c
            .call(
                &req,
                &p,
                "DeleteVirtualMFADevice",
                &[("SerialNumber", &field("serial"))],
            )
            .await;
        return back(&to, Err(e.clone()));
    }
    back(&to, r)
}

/// Deletes a user the way the console does: its password, keys, MFA devices, group
/// memberships and policies first, each through the engine, then the user.
async fn delete_user(c: &Console, req: &Req, s: &Signed, u: &str) -> Result<(), ApiError> {
    let p = &s.principal;
    let name = [("UserName", u)];
    match c.call(req, p, "DeleteLoginProfile", &name).await {
        Ok(_) => {}
        Err(e) if e.code == "NoSuchEntity" => {}
        Err(e) => return Err(e),
    }
    for k in ls(
        &c.call(req, p, "ListAccessKeys", &name).await?,
        "AccessKeyMetadata",
    ) {
        c.call(
            req,
            p,
            "DeleteAccessKey",
            &[("UserName", u), ("AccessKeyId", st(k, "AccessKeyId"))],
        )
        .await?;
    }
    for d in ls(
        &c.call(req, p, "ListMFADevices", &name).await?,
        "MFADevices",
    ) {
        let serial = st(d, "SerialNumber");
        c.call(
            req,
            p,
            "DeactivateMFADevice",
            &[("UserName", u), ("SerialNumber", serial)],
        )
        .await?;
        let _ = c
            .call(
                req,
                p,
                "DeleteVirtualMFADevice",
                &[("SerialNumber", serial)],
            )
            .await;
    }
    for g in ls(&c.call(req, p, "ListGroupsForUser", &name).await?, "Groups") {
        c.call(
            req,
            p,
            "RemoveUserFromGroup",
            &[("UserName", u), ("GroupName", st(g, "GroupName"))],
        )
        .await?;
    }
    for a in ls(
        &c.call(req, p, "ListAttachedUserPolicies", &name).await?,
        "AttachedPolicies",
    ) {
        c.call(
            req,
            p,
            "DetachUserPolicy",
            &[("UserName", u), ("PolicyArn", st(a, "PolicyArn"))],
        )
        .await?;
    }
    for n in ls(
        &c.call(req, p, "ListUserPolicies", &name).await?,
        "PolicyNames",
    ) {
        c.call(
            req,
            p,
            "DeleteUserPolicy",
            &[
                ("UserName", u),
                ("PolicyName", n.as_str().unwrap_or_default()),
            ],
        )
        .await?;
    }
    c.call(req, p, "DeleteUser", &name).await.map(|_| ())
}
