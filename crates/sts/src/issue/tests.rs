//! Session policies are validated as AWS's STS does (`PolicyKind::Session`): one table, with
//! STS's own message for a policy that is not JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use iamd_iam::secrets::MasterKey;
use iamd_iam::{Ctx, IamError, Limits, Principal, accounts};
use iamd_policy::messages;
use iamd_store::MemoryStore;
use iamd_wire::{Params, Value};
use time::OffsetDateTime;

use super::get_federation_token;

const ACCOUNT: &str = "123456789012";
const GOOD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const NO_VERSION: &str =
    r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const UNKNOWN_OPERATOR: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsFancy":{"aws:username":"bob"}}}]}"#;
const WITH_PRINCIPAL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"}]}"#;

/// `Policy`, `PolicyArns`, and `Ok(())` or AWS's message.
type Case<'a> = (Option<&'a str>, Option<&'a str>, Result<(), &'a str>);

#[test]
fn session_policies_are_validated_as_sts_does() {
    let store = MemoryStore::new();
    let now = OffsetDateTime::now_utc();
    iamd_store::write(&store, |tx| accounts::create(tx, ACCOUNT, now)).unwrap();
    let master = MasterKey::generate().unwrap().0;
    let ring = iamd_token::KeyRing::generate(now.unix_timestamp()).unwrap();
    let limits = Limits::default();
    let root = Principal::root(ACCOUNT, None);
    let ctx = Ctx {
        caller: &root,
        account: ACCOUNT,
        now,
        limits: &limits,
        master: &master,
        ring: &ring,
    };
    let arns = |arn: &str| Value::List(vec![Value::object().with("arn", arn)]);
    let cases: &[Case] = &[
        (Some(GOOD), None, Ok(())),
        (Some(NO_VERSION), None, Ok(())),
        (Some(UNKNOWN_OPERATOR), None, Ok(())),
        (Some("not json"), None, Err(messages::SESSION_INVALID_JSON)),
        (Some(WITH_PRINCIPAL), None, Err(messages::NO_PRINCIPAL)),
        // An AWS managed policy as a session policy: only its ARN counts against the packed
        // size, however long its document (ReadOnlyAccess is 95 KB).
        (None, Some("arn:aws:iam::aws:policy/ReadOnlyAccess"), Ok(())),
        (
            None,
            Some("arn:aws:iam::aws:policy/Nope"),
            Err("Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable."),
        ),
    ];
    let mut failures = Vec::new();
    for (i, (policy, arn, want)) in cases.iter().enumerate() {
        let mut p = Value::object().with("Name", "bob");
        if let Some(d) = policy {
            p = p.with("Policy", *d);
        }
        if let Some(a) = arn {
            p = p.with("PolicyArns", arns(a));
        }
        let got = iamd_store::write(&store, |tx| {
            get_federation_token(tx, &ctx, &Params(p.clone()))
        });
        let ok = match (&got, want) {
            (Ok(_), Ok(())) => true,
            (Err(IamError::MalformedPolicyDocument { message }), Err(m)) => message == m,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "case {i}: {policy:?} {arn:?}\n  want {want:?}\n  got  {:?}",
                got.map(|_| ())
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
