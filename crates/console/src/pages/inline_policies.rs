//! Inline policies of a user, group or role: listed, opened in an editor (`?edit=NAME`),
//! written and deleted. Each is an engine call as the signed-in principal, so a document the
//! engine refuses shows AWS's message.

use maud::{Markup, html};

use iamd_engine::Principal;
use iamd_wire::{ApiError, Value};

use super::{CONFIRM, document, ls, section, st};
use crate::Console;
use crate::layout::csrf;
use crate::web::{Req, Signed, enc};

/// Whose inline policies.
#[derive(Clone, Copy)]
pub enum Owner {
    User,
    Group,
    Role,
}

impl Owner {
    fn kind(self) -> &'static str {
        match self {
            Owner::User => "User",
            Owner::Group => "Group",
            Owner::Role => "Role",
        }
    }

    /// `UserName`, `GroupName`, `RoleName`.
    fn param(self) -> String {
        format!("{}Name", self.kind())
    }

    /// `GetUserPolicy`, `PutRolePolicy`, `DeleteGroupPolicy`, …
    fn op(self, verb: &str) -> String {
        format!("{verb}{}Policy", self.kind())
    }
}

/// What the section shows: the names, and the policy open in the editor.
pub struct Inline {
    names: Result<Value, ApiError>,
    editing: String,
    edited: Option<Result<Value, ApiError>>,
}

pub async fn fetch(c: &Console, req: &Req, p: &Principal, owner: Owner, name: &str) -> Inline {
    let param = owner.param();
    let list = format!("List{}Policies", owner.kind());
    let names = c.call(req, p, &list, &[(param.as_str(), name)]).await;
    let editing = req.query("edit").unwrap_or_default();
    let edited = match editing.as_str() {
        "" => None,
        policy => Some(
            c.call(
                req,
                p,
                &owner.op("Get"),
                &[(param.as_str(), name), ("PolicyName", policy)],
            )
            .await,
        ),
    };
    Inline {
        names,
        editing,
        edited,
    }
}

/// The list with edit and delete buttons, and the editor. Actions post to `{base}/put-inline`
/// and `{base}/delete-inline`.
pub fn render(s: &Signed, base: &str, inline: &Inline) -> Markup {
    html! {
        (section(&inline.names, |v| html! {
            table #inline-policies { tr { th { "Inline policy" } th {} }
                @for n in ls(v, "PolicyNames") {
                    @let n = n.as_str().unwrap_or_default();
                    tr { td.inline-policy { (n) }
                         td { a href={ (base) "?edit=" (enc(n)) "#inline-editor" } { "Edit" } " "
                              form method="post" action={ (base) "/delete-inline" } style="display:inline" onsubmit=(CONFIRM) { (csrf(s))
                                  input type="hidden" name="policy" value=(n);
                                  button.secondary type="submit" { "Delete" } } } }
                } }
        }))
        @if let Some(Err(e)) = &inline.edited { (crate::layout::error_box(e)) }
        form #inline-editor method="post" action={ (base) "/put-inline" } { (csrf(s))
            label { "Inline policy name"
                input #inline-name type="text" name="policy" value=(inline.editing) required; }
            label { "Policy document"
                textarea #inline-document name="document" spellcheck="false" style="min-height:10em" required {
                    @if let Some(Ok(v)) = &inline.edited { (document(st(v, "PolicyDocument"))) } } }
            button #inline-save type="submit" { "Save inline policy" } }
    }
}

/// Runs `put-inline` or `delete-inline`; `None` for any other action.
pub async fn act(
    c: &Console,
    req: &Req,
    p: &Principal,
    owner: Owner,
    name: &str,
    action: &str,
) -> Option<Result<String, ApiError>> {
    let field = |n: &str| req.field(n).unwrap_or_default().trim().to_string();
    let param = owner.param();
    let policy = field("policy");
    Some(match action {
        "put-inline" => c
            .call(
                req,
                p,
                &owner.op("Put"),
                &[
                    (param.as_str(), name),
                    ("PolicyName", &policy),
                    ("PolicyDocument", &field("document")),
                ],
            )
            .await
            .map(|_| "Inline policy saved.".into()),
        "delete-inline" => c
            .call(
                req,
                p,
                &owner.op("Delete"),
                &[(param.as_str(), name), ("PolicyName", &policy)],
            )
            .await
            .map(|_| "Inline policy deleted.".into()),
        _ => return None,
    })
}
