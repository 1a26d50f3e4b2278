//! Whole requests through the server's router in process, without sockets: the authorization
//! API (a service's signed `POST /_iamd/authorize` forwarding Joe's signed S3 GET) against the
//! same service's signed `GetCallerIdentity`, over SQLite with the audit trail on. Everything
//! the server does for a request is in these times (decoding, both signature checks, the
//! engine, encoding) except HTTP parsing, the kernel, and the audit writer's thread; the ratio
//! of the two is the server's share of the HTTP benchmark's (bench/http/authorize_api.sh).
//! Run: `cargo bench -p iamd-server --bench requests`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value as J, json};
use tower::ServiceExt;

use iamd_engine::{Call, FrontEnd, Input, Principal, RequestFacts};
use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_server::{AppState, Config};
use iamd_sigv4::{Credentials, RequestParts, SigningParams, sign};
use iamd_store::{SqliteStore, Store};
use iamd_wire::{Params, Value};

const ACCOUNT: &str = "111122223333";

fn call(state: &AppState, caller: &Principal, op: &str, input: J) -> J {
    let call = Call {
        caller: Some(caller.clone()),
        subject: None,
        operation: op.to_string(),
        input: Input::Typed(Params(Value::from_json(&input))),
        facts: RequestFacts::new("bench", FrontEnd::Api),
    };
    match state.engine.call_blocking(call).result {
        Ok(v) => v.to_json(),
        Err(e) => panic!("{op}: {}", e.to_api().message),
    }
}

/// A user with one inline policy and an access key (id, secret).
fn user(state: &AppState, root: &Principal, name: &str, doc: J) -> (String, String) {
    call(state, root, "CreateUser", json!({"UserName": name}));
    call(
        state,
        root,
        "PutUserPolicy",
        json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc.to_string()}),
    );
    let k = call(state, root, "CreateAccessKey", json!({"UserName": name}));
    let s = |f: &str| k["AccessKey"][f].as_str().unwrap().to_string();
    (s("AccessKeyId"), s("SecretAccessKey"))
}

/// Headers that sign `body` for `service`, with the request's own.
fn signed(
    key: &(String, String),
    service: &str,
    method: &str,
    path: &str,
    base: &[(&str, &str)],
    body: &[u8],
    unsigned_payload: bool,
) -> Vec<(String, String)> {
    let hs: Vec<(&str, &[u8])> = base.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    let parts = RequestParts {
        method,
        path,
        query: "",
        headers: &hs,
        body,
    };
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: &key.0,
            secret_access_key: &key.1,
            session_token: None,
        },
        region: "us-east-1",
        service,
        time: SystemTime::now(),
        unsigned_payload,
    };
    let mut all: Vec<(String, String)> = base
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    for (n, v) in sign(&parts, &params).unwrap() {
        all.push((n.to_string(), v));
    }
    all
}

struct Prepared {
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Prepared {
    fn request(&self) -> Request<Body> {
        let mut b = Request::post(self.path);
        for (n, v) in &self.headers {
            b = b.header(n.as_str(), v.as_str());
        }
        let mut r = b.body(Body::from(self.body.clone())).unwrap();
        let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        r.extensions_mut().insert(ConnectInfo(peer));
        r
    }
}

fn requests(c: &mut Criterion) {
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
    let config = Config::new(boot.account_id.clone());
    let state = Arc::new(AppState::new(config, store, Arc::new(master)).unwrap());
    let root = Principal::root(ACCOUNT, boot.new_root_key.map(|k| k.0));
    let svc = user(
        &state,
        &root,
        "svc",
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iamd:Authorize", "Resource": "*"}]}),
    );
    let joe = user(
        &state,
        &root,
        "joe",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::corp/home/${aws:username}/*"}]}),
    );

    let forwarded = signed(
        &joe,
        "s3",
        "GET",
        "/corp/home/joe/a.txt",
        &[("host", "s3.local.test")],
        b"",
        true,
    );
    let headers: serde_json::Map<String, J> = forwarded
        .into_iter()
        .map(|(n, v)| (n, J::String(v)))
        .collect();
    let body = json!({
        "Request": {"Method": "GET", "Path": "/corp/home/joe/a.txt", "Headers": headers},
        "Checks": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::corp/home/joe/a.txt"}],
    })
    .to_string()
    .into_bytes();
    let authorize = Prepared {
        path: "/_iamd/authorize",
        headers: signed(
            &svc,
            "iamd",
            "POST",
            "/_iamd/authorize",
            &[("host", "127.0.0.1"), ("content-type", "application/json")],
            &body,
            false,
        ),
        body,
    };
    let body = b"Action=GetCallerIdentity&Version=2011-06-15".to_vec();
    let gci = Prepared {
        path: "/",
        headers: signed(
            &svc,
            "sts",
            "POST",
            "/",
            &[
                ("host", "127.0.0.1"),
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
            ],
            &body,
            false,
        ),
        body,
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app = iamd_server::router(state.clone());
    let send = |p: &Prepared| {
        let app = app.clone();
        let req = p.request();
        rt.block_on(async move {
            let r = app.oneshot(req).await.unwrap();
            let status = r.status().as_u16();
            (status, to_bytes(r.into_body(), usize::MAX).await.unwrap())
        })
    };
    let (status, out) = send(&authorize);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    let answer: J = serde_json::from_slice(&out).unwrap();
    assert_eq!(answer["Decision"], "Allow", "{answer}");
    let (status, out) = send(&gci);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));

    let mut g = c.benchmark_group("request");
    g.bench_function("GetCallerIdentity", |b| b.iter(|| black_box(send(&gci))));
    g.bench_function("Authorize", |b| b.iter(|| black_box(send(&authorize))));
    g.finish();
    state.engine.audit.flush();
}

criterion_group!(benches, requests);
criterion_main!(benches);
