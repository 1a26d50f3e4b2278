//! The policy simulator: `SimulatePrincipalPolicy` for a user, group or role (the signed-in
//! identity by default), actions and a resource.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use maud::{Markup, html};

use super::{ls, open, open_post, page, st};
use crate::Console;
use crate::layout::{csrf, error_box};
use crate::web::Signed;

fn form(s: &Signed, source: &str, actions: &str, resource: &str) -> Markup {
    html! {
        form method="post" action="/console/simulator" { (csrf(s))
            label { "Principal ARN (user, group or role)" input #sim-source type="text" name="source" value=(source); }
            label { "Actions (space or comma separated)" input #sim-actions type="text" name="actions" value=(actions) required; }
            label { "Resource ARN" input type="text" name="resource" value=(resource) placeholder="*"; }
            button #simulate type="submit" { "Run simulation" }
        }
    }
}

pub async fn show(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (_req, s) = match open(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let me = s.principal.arn.clone();
    page(
        &s,
        "Policy simulator",
        form(&s, &me, "iam:ListUsers iam:CreateUser", "*"),
    )
}

pub async fn run(State(c): State<Arc<Console>>, request: Request) -> Response {
    let (req, s) = match open_post(&c, request).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let source = req.field("source").unwrap_or_default().trim().to_string();
    let actions = req.field("actions").unwrap_or_default().to_string();
    let resource = match req.field("resource").unwrap_or_default().trim() {
        "" => "*".to_string(),
        r => r.to_string(),
    };
    let names: Vec<String> = actions
        .split([' ', ',', '\n'])
        .filter(|a| !a.trim().is_empty())
        .map(|a| a.trim().to_string())
        .collect();
    let keys: Vec<String> = (1..=names.len())
        .map(|i| format!("ActionNames.member.{i}"))
        .collect();
    let mut params: Vec<(&str, &str)> = vec![
        ("PolicySourceArn", &source),
        ("ResourceArns.member.1", &resource),
    ];
    for (k, v) in keys.iter().zip(&names) {
        params.push((k, v));
    }
    let result = c
        .call(&req, &s.principal, "SimulatePrincipalPolicy", &params)
        .await;
    page(
        &s,
        "Policy simulator",
        html! {
            (form(&s, &source, &actions, &resource))
            @match &result {
                Err(e) => (error_box(e)),
                Ok(v) => table #sim-results {
                    tr { th { "Action" } th { "Resource" } th { "Decision" } th { "Matched statements" } }
                    @for r in ls(v, "EvaluationResults") {
                        tr { td { (st(r, "EvalActionName")) } td { (st(r, "EvalResourceName")) }
                             td.decision { (st(r, "EvalDecision")) }
                             td { @for m in ls(r, "MatchedStatements") { div.mono { (st(m, "SourcePolicyId")) } } } }
                    }
                },
            }
        },
    )
}
