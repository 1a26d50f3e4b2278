//! One engine call in process, over SQLite, without HTTP: root's GetUser against a user with 10
//! attached managed policies (30 statements), with the audit trail on and off. The writer
//! thread's share of the trail is not in these times; the HTTP benchmark (bench/http/engine.sh)
//! measures the whole. Also the authorization API's call: a service asks whether a user may
//! `s3:GetObject`, with the forwarded request's parts as the API's JSON carries them.
//! Run: `cargo bench -p iamd-engine --bench call`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value as J, json};

use iamd_engine::{Call, Config, Engine, FrontEnd, Input, Principal, RequestFacts};
use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_store::{SqliteStore, Store};
use iamd_wire::{Params, Value};

const ACCOUNT: &str = "111122223333";

struct World {
    engine: Arc<Engine>,
    root: Principal,
    user: Principal,
    _dir: tempfile::TempDir,
}

fn call(engine: &Engine, caller: &Principal, op: &str, input: &J) -> J {
    let call = Call {
        caller: Some(caller.clone()),
        subject: None,
        operation: op.to_string(),
        input: Input::Typed(Params(Value::from_json(input))),
        facts: RequestFacts::new("bench", FrontEnd::Api),
    };
    match engine.call_blocking(call).result {
        Ok(v) => v.to_json(),
        Err(e) => panic!("{op}: {}", e.to_api().message),
    }
}

fn world(audit: bool) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("iamd.db")).unwrap());
    let (master, _) = MasterKey::generate().unwrap();
    let boot = accounts::bootstrap(
        store.as_ref(),
        &master,
        Some(ACCOUNT),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let mut c = Config::new(boot.account_id.clone());
    c.audit = audit;
    let engine = Engine::new(c, store, Arc::new(master)).unwrap();
    let root = Principal::root(ACCOUNT, boot.new_root_key.map(|k| k.0));
    let u = call(&engine, &root, "CreateUser", &json!({"UserName": "bench"}));
    let id = u["User"]["UserId"].as_str().unwrap().to_string();
    // The same 10 policies as bench/http/engine.sh.
    for i in 0..10 {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": format!("S{i}a"), "Effect": "Allow",
             "Action": ["iam:GetUser", "iam:GetGroup", "iam:GetRole", "iam:GetPolicy"], "Resource": "*"},
            {"Sid": format!("S{i}b"), "Effect": "Allow", "Action": ["sts:AssumeRole", "iam:ListUsers"],
             "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
            {"Sid": format!("S{i}c"), "Effect": "Deny", "Action": format!("iam:Delete{i}*"), "Resource": "*"},
        ]});
        let p = call(
            &engine,
            &root,
            "CreatePolicy",
            &json!({"PolicyName": format!("bench{i}"), "PolicyDocument": doc.to_string()}),
        );
        let arn = p["Policy"]["Arn"].as_str().unwrap().to_string();
        call(
            &engine,
            &root,
            "AttachUserPolicy",
            &json!({"UserName": "bench", "PolicyArn": arn}),
        );
    }
    let user = Principal::user(ACCOUNT, "bench", "/", &id, Some("AKIABENCH".into()));
    World {
        engine,
        root,
        user,
        _dir: dir,
    }
}

fn get_user(c: &mut Criterion) {
    let input = json!({"UserName": "bench"});
    for audit in [true, false] {
        let w = world(audit);
        let suffix = if audit { "audit" } else { "no_audit" };
        c.bench_function(&format!("GetUser/root/{suffix}"), |b| {
            b.iter(|| black_box(call(&w.engine, &w.root, "GetUser", &input)))
        });
        c.bench_function(&format!("GetUser/user10/{suffix}"), |b| {
            b.iter(|| black_box(call(&w.engine, &w.user, "GetUser", &input)))
        });
        w.engine.audit.flush();
    }
}

/// `Authorize` as `POST /_iamd/authorize` calls it, on the async path the server takes.
fn authorize(c: &mut Criterion) {
    let w = world(true);
    let policy = |user: &str, doc: J| {
        call(&w.engine, &w.root, "CreateUser", &json!({"UserName": user}));
        call(
            &w.engine,
            &w.root,
            "PutUserPolicy",
            &json!({"UserName": user, "PolicyName": "p", "PolicyDocument": doc.to_string()}),
        );
        let u = call(&w.engine, &w.root, "GetUser", &json!({"UserName": user}));
        let id = u["User"]["UserId"].as_str().unwrap().to_string();
        Principal::user(
            ACCOUNT,
            user,
            "/",
            &id,
            Some(format!("AKIA{}", user.to_uppercase())),
        )
    };
    let svc = policy(
        "svc",
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iamd:Authorize", "Resource": "*"}]}),
    );
    let joe = policy(
        "joe",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::corp/home/${aws:username}/*"}]}),
    );
    let input = json!({
        "Request": {"Method": "GET", "Path": "/corp/home/joe/a.txt", "Headers": {
            "host": "s3.local.test",
            "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
            "x-amz-date": "20261203T120000Z",
            "authorization": "AWS4-HMAC-SHA256 Credential=AKIAJOE/20261203/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0f3c1e1b6d4c7a2e9b8f0a1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"}},
        "Checks": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::corp/home/joe/a.txt"}],
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ask = || {
        let call = Call {
            caller: Some(svc.clone()),
            subject: Some(joe.clone()),
            operation: "Authorize".to_string(),
            input: Input::Typed(Params(Value::from_json(&input))),
            facts: RequestFacts::new("bench", FrontEnd::Authorize),
        };
        rt.block_on(w.engine.call_detailed(call)).result.unwrap()
    };
    assert_eq!(ask().to_json()["Decision"], "Allow");
    c.bench_function("Authorize/user", |b| b.iter(|| black_box(ask())));
    w.engine.audit.flush();
}

criterion_group!(benches, get_user, authorize);
criterion_main!(benches);
