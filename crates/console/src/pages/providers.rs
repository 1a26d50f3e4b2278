//! Identity providers: the account's OpenID Connect and SAML providers, adding one of either
//! kind, and deleting one. Every action is an engine call as the signed-in principal.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use maud::{Markup, html};

use super::{CONFIRM, back, failed, flash, ls, open, open_post, page, st, when};
use crate::Console;
use crate::layout::csrf;
use crate::web::Signed;

pub async fn list(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let oidc = match c
        .call(&req, &s.principal, "ListOpenIDConnectProviders", &[])
        .await
    {
        Ok(v) => v,
        Err(e) => return failed(&s, "Identity providers", &e),
    };
    let saml = match c.call(&req, &s.principal, "ListSAMLProviders", &[]).await {
        Ok(v) => v,
        Err(e) => return failed(&s, "Identity providers", &e),
    };
    page(
        &s,
        "Identity providers",
        html! {
            (flash(&req))
            table #providers { tr { th { "Provider ARN" } th { "Type" } th { "Created" } th {} }
                @for p in ls(&oidc, "OpenIDConnectProviderList") {
                    (row(&s, st(p, "Arn"), "OpenID Connect", "", "oidc")) }
                @for p in ls(&saml, "SAMLProviderList") {
                    (row(&s, st(p, "Arn"), "SAML", &when(p, "CreateDate"), "saml")) } }
            div.card { h2 { "Add an OpenID Connect provider" }
                form method="post" action="/console/providers" { (csrf(&s))
                    input type="hidden" name="kind" value="oidc";
                    label { "Provider URL" input type="text" name="url" placeholder="https://issuer.example" required; }
                    label { "Audience (client ID)" input type="text" name="audience" required; }
                    label { "Thumbprint (optional)" input type="text" name="thumbprint"; }
                    button type="submit" { "Add provider" } } }
            div.card { h2 { "Add a SAML provider" }
                form #saml-provider method="post" action="/console/providers" { (csrf(&s))
                    input type="hidden" name="kind" value="saml";
                    label { "Provider name" input #saml-name type="text" name="name" required; }
                    label { "Metadata document (the IdP's SAML metadata XML)"
                        textarea #saml-metadata name="metadata" style="min-height:8em" required {} }
                    button type="submit" { "Add SAML provider" } } }
        },
    )
}

/// A provider's row, with its delete button.
fn row(s: &Signed, arn: &str, kind: &str, created: &str, form_kind: &str) -> Markup {
    html! {
        tr { td.mono { (arn) } td { (kind) } td { (created) }
             td { form method="post" action="/console/providers" onsubmit=(CONFIRM) { (csrf(s))
                      input type="hidden" name="kind" value=(form_kind);
                      input type="hidden" name="delete" value=(arn);
                      button.secondary type="submit" { "Delete" } } } }
    }
}

pub async fn create(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let field = |n: &str| req.field(n).unwrap_or_default().trim().to_string();
    let (kind, delete) = (field("kind"), field("delete"));
    let r = match (kind.as_str(), delete.is_empty()) {
        ("saml", false) => c
            .call(
                &req,
                &s.principal,
                "DeleteSAMLProvider",
                &[("SAMLProviderArn", &delete)],
            )
            .await
            .map(|_| "Provider deleted.".to_string()),
        (_, false) => c
            .call(
                &req,
                &s.principal,
                "DeleteOpenIDConnectProvider",
                &[("OpenIDConnectProviderArn", &delete)],
            )
            .await
            .map(|_| "Provider deleted.".to_string()),
        ("saml", true) => c
            .call(
                &req,
                &s.principal,
                "CreateSAMLProvider",
                &[
                    ("Name", &field("name")),
                    ("SAMLMetadataDocument", &field("metadata")),
                ],
            )
            .await
            .map(|_| "SAML provider added.".to_string()),
        (_, true) => {
            let (url, aud, thumb) = (field("url"), field("audience"), field("thumbprint"));
            let mut params = vec![("Url", url.as_str()), ("ClientIDList.member.1", &aud)];
            if !thumb.is_empty() {
                params.push(("ThumbprintList.member.1", &thumb));
            }
            c.call(&req, &s.principal, "CreateOpenIDConnectProvider", &params)
                .await
                .map(|_| "Provider added.".to_string())
        }
    };
    back("/console/providers", r)
}
