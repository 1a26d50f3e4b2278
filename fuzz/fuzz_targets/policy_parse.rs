//! Fuzz the policy parser, validator and compiler: no input may panic, and
//! whatever parses must compile and evaluate.
#![no_main]

use iamd_policy::{
    CompiledPolicy, Context, DocumentKind, PolicySet, Principal, Request, evaluate, parse,
    policy_size, validate_document,
};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = policy_size(text);
    for kind in [DocumentKind::Identity, DocumentKind::Resource, DocumentKind::RoleTrust] {
        let diags = validate_document(text, kind);
        match parse(text, kind) {
            Ok(doc) => {
                assert!(diags.iter().all(|d| d.severity == iamd_policy::Severity::Warning));
                let compiled = Arc::new(CompiledPolicy::compile(&doc, "fuzz"));
                let principal = Principal::user("arn:aws:iam::111122223333:user/fuzz");
                let mut ctx = Context::new();
                ctx.insert_str("aws:username", "fuzz");
                let set = match kind {
                    DocumentKind::Identity => PolicySet {
                        identity: vec![compiled],
                        ..Default::default()
                    },
                    _ => PolicySet {
                        resource: Some(compiled),
                        resource_owner: Some("111122223333".into()),
                        ..Default::default()
                    },
                };
                let _ = evaluate(
                    &Request {
                        principal: &principal,
                        action: "s3:GetObject",
                        resource: "arn:aws:s3:::bucket/fuzz",
                        context: &ctx,
                    },
                    &set,
                );
            }
            Err(_) => assert!(!diags.is_empty()),
        }
    }
});
