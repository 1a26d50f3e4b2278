//! Every operation of the two botocore models has an entry, and the table is well formed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamd_actions::{Enforcement, all, authorization, context_keys_for_action};
use iamd_wire::{Model, Service};

#[test]
fn table_is_sorted_and_unique() {
    for service in ["cloudtrail", "iam", "iamd", "sts"] {
        let ops: Vec<_> = all().filter(|a| a.service == service).collect();
        for w in ops.windows(2) {
            assert!(
                w[0].operation < w[1].operation,
                "{} then {}",
                w[0].operation,
                w[1].operation
            );
        }
    }
    // CloudTrail's entries come first, then IAM's, iamd's, then STS's: `all()` relies on it.
    let services: Vec<&str> = all().map(|a| a.service).collect();
    assert!(services.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn every_model_operation_has_an_entry() {
    let model = Model::get();
    let mut missing = Vec::new();
    let mut count = 0;
    for op in model.operations() {
        count += 1;
        match authorization(&op.name) {
            None => missing.push(op.name.clone()),
            Some(auth) => {
                assert_eq!(auth.service, op.service.name(), "{}", op.name);
                assert!(!auth.checks.is_empty(), "{}", op.name);
            }
        }
    }
    assert!(missing.is_empty(), "no authorization for {missing:?}");
    // IAM's 176 and STS's 11, CloudTrail's LookupEvents and iamd's own six.
    assert_eq!(count, 194);
    assert_eq!(all().count(), 194, "entries for operations the model lacks");
    let iam = all().filter(|a| a.service == Service::Iam.name()).count();
    assert_eq!(iam, 176);
}

#[test]
fn actions_are_namespaced_and_keys_consistent() {
    for auth in all() {
        for c in auth.checks {
            let (svc, name) = c.action.split_once(':').expect("service:Action");
            assert!(
                ["iam", "sts", "cloudtrail", "iamd"].contains(&svc),
                "{}",
                c.action
            );
            assert!(
                name.chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_uppercase()),
                "{}",
                c.action
            );
            // Every check of one action documents the same keys, so `context_keys_for_action`
            // does not depend on which operation it finds first.
            let names: Vec<&str> = c.keys.iter().map(|k| k.key).collect();
            assert_eq!(
                names,
                context_keys_for_action(c.action),
                "{} in {}",
                c.action,
                auth.operation
            );
        }
        if auth.enforcement != Enforcement::Identity {
            assert_eq!(auth.service, "sts", "{}", auth.operation);
        }
    }
}
