#![allow(dead_code)]
use iamd_policy::simulate::{ContextEntry, context_from_entries};
use iamd_policy::*;
use std::sync::Arc;

pub fn ctx(entries: &[(&str, &str, &[&str])]) -> Context {
    let e: Vec<ContextEntry> = entries
        .iter()
        .map(|(n, t, v)| ContextEntry {
            context_key_name: n.to_string(),
            context_key_type: t.to_string(),
            context_key_values: v.iter().map(|s| s.to_string()).collect(),
        })
        .collect();
    context_from_entries(&e).unwrap()
}

pub fn identity(text: &str) -> Arc<CompiledPolicy> {
    Arc::new(
        CompiledPolicy::from_text(text, DocumentKind::Identity, "test")
            .unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

pub fn named(text: &str, kind: DocumentKind, id: &str) -> Arc<CompiledPolicy> {
    Arc::new(CompiledPolicy::from_text(text, kind, id).unwrap_or_else(|e| panic!("{e}: {text}")))
}

pub fn user() -> Principal {
    Principal::user("arn:aws:iam::111122223333:user/alice")
}

/// Decision of one identity policy for (action, resource, context) as user alice.
pub fn decide(policy: &str, action: &str, resource: &str, c: &Context) -> Decision {
    let set = PolicySet {
        identity: vec![identity(policy)],
        ..Default::default()
    };
    let p = user();
    evaluate(
        &Request {
            principal: &p,
            action,
            resource,
            context: c,
        },
        &set,
    )
    .decision
}

pub fn allow_with_condition(cond: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{cond}}}]}}"#
    )
}
