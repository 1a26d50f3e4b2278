//! The page frame: header with the signed-in identity and sign-out, navigation, messages.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use iamd_wire::ApiError;

use crate::session::Session;
use crate::web::{Signed, html as respond};

const STYLE: &str = r#"
body{font-family:system-ui,sans-serif;margin:0;color:#16191f;background:#f2f3f3}
header{background:#232f3e;color:#fff;padding:.6em 1em;display:flex;justify-content:space-between;align-items:center}
header a,header button{color:#fff}
header form{display:inline}
header button{background:none;border:1px solid #fff;border-radius:3px;cursor:pointer;padding:.2em .6em}
.wrap{display:flex}
nav{width:13em;background:#fff;min-height:100vh;padding:1em;border-right:1px solid #ddd}
nav a{display:block;padding:.25em 0;color:#0073bb;text-decoration:none}
main{flex:1;padding:1em 2em;max-width:70em}
table{border-collapse:collapse;background:#fff;width:100%;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#fafafa}
.error{background:#fde8e8;border:1px solid #d13212;padding:.6em;border-radius:3px}
.ok{background:#e9f6ec;border:1px solid #1d8102;padding:.6em;border-radius:3px}
.warn{background:#fff7e6;border:1px solid #ff9900;padding:.6em;border-radius:3px}
.card{background:#fff;border:1px solid #ddd;padding:1em;margin:.8em 0;border-radius:3px}
label{display:block;margin:.4em 0}
input[type=text],input[type=password],input[type=search],select{padding:.3em;min-width:18em}
textarea{width:100%;font-family:monospace;min-height:16em}
button,.button{background:#ec7211;color:#fff;border:0;padding:.4em 1em;border-radius:3px;cursor:pointer}
button.secondary{background:#fff;color:#16191f;border:1px solid #888}
code,.mono{font-family:monospace}
.signin{max-width:26em;margin:4em auto;background:#fff;padding:1.5em 2em;border:1px solid #ddd;border-radius:4px}
"#;

fn head(title: &str) -> Markup {
    html! {
        (DOCTYPE)
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) " | iamd console" }
        style { (PreEscaped(STYLE)) }
    }
}

/// A page without navigation (sign-in, errors before sign-in).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (head(title))
        body {
            header { strong { "iamd" } }
            div.signin {
                h1 { (title) }
                (body)
            }
        }
    }
}

const NAV: &[(&str, &str)] = &[
    ("/console", "Dashboard"),
    ("/console/users", "Users"),
    ("/console/groups", "User groups"),
    ("/console/roles", "Roles"),
    ("/console/policies", "Policies"),
    ("/console/providers", "Identity providers"),
    ("/console/account", "Account settings"),
    ("/console/credential-report", "Credential report"),
    ("/console/audit", "Audit events"),
    ("/console/simulator", "Policy simulator"),
    ("/console/switch-role", "Switch role"),
];

/// A signed-in page.
pub fn page(s: &Signed, title: &str, body: Markup) -> Markup {
    html! {
        (head(title))
        body {
            header {
                span { strong { "iamd" } " · account " span #account { (s.session.account_label) } }
                span {
                    span #identity.mono { (s.principal.arn) } " "
                    @if s.session.switched_from.is_some() {
                        form method="post" action="/console/switch-back" {
                            input type="hidden" name="csrf" value=(s.session.csrf);
                            button #switch-back type="submit" { "Switch back" }
                        }
                        " "
                    }
                    form method="post" action="/console/signout" {
                        input type="hidden" name="csrf" value=(s.session.csrf);
                        button #signout type="submit" { "Sign out" }
                    }
                }
            }
            div.wrap {
                nav { @for (href, label) in NAV { a href=(href) { (label) } } }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// An engine error as AWS words it; a denial names the action.
pub fn error_box(e: &ApiError) -> Markup {
    html! {
        div.error role="alert" {
            @if e.code == "AccessDenied" { strong { "Access denied. " } }
            @else { strong { (e.code) ": " } }
            span.message { (e.message) }
        }
    }
}

/// The hidden CSRF field of a signed-in form.
pub fn csrf(s: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(s.session.csrf); }
}

/// A federated (or any) session that ran out: the message, and the Issuer's link to ask for
/// a new one.
pub fn timed_out(s: &Session, secure: bool) -> Response {
    let body = html! {
        p.warn #timeout { "Your session has expired. To continue, request a new session." }
        @if let Some(issuer) = &s.issuer {
            p { a #issuer href=(issuer) { "Return to " (issuer) " to sign in again" } }
        } @else {
            p { a href="/console" { "Sign in again" } }
        }
    };
    let r = respond(StatusCode::UNAUTHORIZED, bare("Session expired", body));
    crate::web::with_cookie(
        r,
        &crate::web::set_cookie(crate::web::SESSION_COOKIE, "", secure, Some(0)),
    )
}
