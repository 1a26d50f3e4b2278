//! Two nodes (two engines, each over its own PostgreSQL store and connection pool, on one
//! database) race each other on IAM's limits. IAM checks its quotas and names by reading keys
//! inside the write transaction; SERIALIZABLE (with re-runs on conflicts) keeps those checks
//! true at commit, so exactly one of two racing calls wins each time.
//!
//! Needs `IAMD_TEST_POSTGRES_URL` (scripts/test sets it); without it the tests print a notice
//! and check nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::{Arc, Barrier};

use iamd_engine::{Call, Config, Engine, FrontEnd, Input, Principal, RequestFacts};
use iamd_iam::secrets::MasterKey;
use iamd_store::{PostgresStore, Store};
use iamd_wire::{Params, Value};

const ACCOUNT: &str = "111122223333";
const ROUNDS: usize = 6;

struct Nodes {
    a: Arc<Engine>,
    b: Arc<Engine>,
    stores: [Arc<PostgresStore>; 2],
}

fn nodes() -> Option<Nodes> {
    let Ok(url) = std::env::var("IAMD_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: IAMD_TEST_POSTGRES_URL is not set (scripts/test sets it)");
        return None;
    };
    let url = iamd_store::postgres::fresh_database(&url).unwrap();
    let sa = Arc::new(PostgresStore::open(&url).unwrap());
    let sb = Arc::new(PostgresStore::open(&url).unwrap());
    let master = Arc::new(MasterKey::generate().unwrap().0);
    iamd_iam::accounts::bootstrap(
        sa.as_ref(),
        &master,
        Some(ACCOUNT),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let engine = |s: &Arc<PostgresStore>| {
        let store: Arc<dyn Store> = s.clone();
        Engine::new(Config::new(ACCOUNT.to_string()), store, master.clone()).unwrap()
    };
    Some(Nodes {
        a: engine(&sa),
        b: engine(&sb),
        stores: [sa, sb],
    })
}

/// One call as the account's root; the error is AWS's code.
fn call(e: &Engine, op: &str, input: Value) -> Result<Value, String> {
    e.call_blocking(Call {
        caller: Some(Principal::root(ACCOUNT, None)),
        operation: op.to_string(),
        subject: None,
        input: Input::Typed(Params(input)),
        facts: RequestFacts::new(format!("race-{op}"), FrontEnd::Cli),
    })
    .result
    .map_err(|e| e.to_api().code)
}

fn ok(e: &Engine, op: &str, input: Value) -> Value {
    call(e, op, input).unwrap_or_else(|c| panic!("{op}: {c}"))
}

/// Runs `f(a)` and `f(b)` at the same moment; returns both results.
fn race<T: Send>(
    n: &Nodes,
    f: impl Fn(&Engine) -> Result<T, String> + Sync,
) -> [Result<T, String>; 2] {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        let ha = s.spawn(|| {
            barrier.wait();
            f(&n.a)
        });
        let hb = s.spawn(|| {
            barrier.wait();
            f(&n.b)
        });
        [ha.join().unwrap(), hb.join().unwrap()]
    })
}

/// Exactly one of two racing calls succeeded and the other failed with `code`.
fn one_winner<T>(results: &[Result<T, String>; 2], code: &str, what: &str) {
    let wins = results.iter().filter(|r| r.is_ok()).count();
    let codes: Vec<&str> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(String::as_str))
        .collect();
    assert_eq!(wins, 1, "{what}: exactly one wins ({codes:?})");
    assert_eq!(codes, vec![code], "{what}");
}

fn len_of(v: &Value, list: &str) -> usize {
    match v.get(list) {
        Some(Value::List(items)) => items.len(),
        other => panic!("{list}: {other:?}"),
    }
}

#[test]
fn second_and_third_access_keys_at_once_never_leave_three() {
    let Some(n) = nodes() else { return };
    for round in 0..ROUNDS {
        let user = format!("keys-{round}");
        ok(
            &n.a,
            "CreateUser",
            Value::object().with("UserName", user.as_str()),
        );
        ok(
            &n.b,
            "CreateAccessKey",
            Value::object().with("UserName", user.as_str()),
        );
        let r = race(&n, |e| {
            call(
                e,
                "CreateAccessKey",
                Value::object().with("UserName", user.as_str()),
            )
        });
        one_winner(&r, "LimitExceeded", "third access key");
        for e in [&n.a, &n.b] {
            let l = ok(
                e,
                "ListAccessKeys",
                Value::object().with("UserName", user.as_str()),
            );
            assert_eq!(len_of(&l, "AccessKeyMetadata"), 2);
        }
    }
}

#[test]
fn the_same_name_created_twice_at_once_leaves_one() {
    let Some(n) = nodes() else { return };
    for round in 0..ROUNDS {
        let name = format!("twin-{round}");
        let r = race(&n, |e| {
            call(
                e,
                "CreateUser",
                Value::object().with("UserName", name.as_str()),
            )
        });
        one_winner(&r, "EntityAlreadyExists", "CreateUser");
        let r = race(&n, |e| {
            call(
                e,
                "CreateRole",
                Value::object().with("RoleName", name.as_str()).with(
                    "AssumeRolePolicyDocument",
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}"#,
                ),
            )
        });
        one_winner(&r, "EntityAlreadyExists", "CreateRole");
    }
    let users = ok(&n.b, "ListUsers", Value::object());
    assert_eq!(len_of(&users, "Users"), ROUNDS);
}

fn create_policy(e: &Engine, name: &str) -> String {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;
    let v = ok(
        e,
        "CreatePolicy",
        Value::object()
            .with("PolicyName", name)
            .with("PolicyDocument", doc),
    );
    v.get("Policy")
        .and_then(|p| p.get("Arn"))
        .and_then(Value::as_str)
        .expect("an ARN")
        .to_string()
}

#[test]
fn attachments_racing_for_the_last_slot_respect_the_quota() {
    let Some(n) = nodes() else { return };
    let arns: Vec<String> = (0..12)
        .map(|i| create_policy(&n.a, &format!("p{i}")))
        .collect();
    for round in 0..ROUNDS {
        let user = format!("att-{round}");
        ok(
            &n.a,
            "CreateUser",
            Value::object().with("UserName", user.as_str()),
        );
        for arn in &arns[..9] {
            ok(
                &n.a,
                "AttachUserPolicy",
                Value::object()
                    .with("UserName", user.as_str())
                    .with("PolicyArn", arn.as_str()),
            );
        }
        let next = std::sync::atomic::AtomicUsize::new(9);
        let r = race(&n, |e| {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            call(
                e,
                "AttachUserPolicy",
                Value::object()
                    .with("UserName", user.as_str())
                    .with("PolicyArn", arns[i].as_str()),
            )
        });
        one_winner(&r, "LimitExceeded", "10th attachment");
        let l = ok(
            &n.b,
            "ListAttachedUserPolicies",
            Value::object().with("UserName", user.as_str()),
        );
        assert_eq!(len_of(&l, "AttachedPolicies"), 10);
    }
}

#[test]
fn policy_versions_racing_for_the_last_slot_respect_the_limit() {
    let Some(n) = nodes() else { return };
    for round in 0..ROUNDS {
        let arn = create_policy(&n.a, &format!("versions-{round}"));
        for i in 0..3 {
            ok(
                &n.b,
                "CreatePolicyVersion",
                Value::object().with("PolicyArn", arn.as_str()).with(
                    "PolicyDocument",
                    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::111122223333:role/r{i}"}}]}}"#).as_str(),
                ),
            );
        }
        let r = race(&n, |e| {
            call(
                e,
                "CreatePolicyVersion",
                Value::object().with("PolicyArn", arn.as_str()).with(
                    "PolicyDocument",
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}"#,
                ),
            )
        });
        one_winner(&r, "LimitExceeded", "fifth version");
        let l = ok(
            &n.a,
            "ListPolicyVersions",
            Value::object().with("PolicyArn", arn.as_str()),
        );
        assert_eq!(len_of(&l, "Versions"), 5);
    }
    eprintln!(
        "write transactions re-run after serialization failures: {} + {}",
        n.stores[0].conflicts(),
        n.stores[1].conflicts()
    );
}
