//! Identity providers: the account's OpenID Connect providers (SAML is not supported by iamd
//! yet), and adding one.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use maud::html;

use super::{back, failed, flash, ls, open, open_post, page, st};
use crate::Console;
use crate::layout::csrf;

pub async fn list(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let providers = match c
        .call(&req, &s.principal, "ListOpenIDConnectProviders", &[])
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&s, "Identity providers", &e),
    };
    page(
        &s,
        "Identity providers",
        html! {
            (flash(&req))
            table #providers { tr { th { "Provider ARN" } th { "Type" } }
                @for p in ls(&providers, "OpenIDConnectProviderList") { tr { td.mono { (st(p, "Arn")) } td { "OpenID Connect" } } } }
            div.card { h2 { "Add an OpenID Connect provider" }
                form method="post" action="/console/providers" { (csrf(&s))
                    label { "Provider URL" input type="text" name="url" placeholder="https://issuer.example" required; }
                    label { "Audience (client ID)" input type="text" name="audience" required; }
                    label { "Thumbprint (optional)" input type="text" name="thumbprint"; }
                    button type="submit" { "Add provider" } } }
        },
    )
}

pub async fn create(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let url = req.field("url").unwrap_or_default().trim();
    let aud = req.field("audience").unwrap_or_default().trim();
    let thumb = req.field("thumbprint").unwrap_or_default().trim();
    let mut params = vec![("Url", url), ("ClientIDList.member.1", aud)];
    if !thumb.is_empty() {
        params.push(("ThumbprintList.member.1", thumb));
    }
    let r = c
        .call(&req, &s.principal, "CreateOpenIDConnectProvider", &params)
        .await
        .map(|_| "Provider added.".to_string());
    back("/console/providers", r)
}
