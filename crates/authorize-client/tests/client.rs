//! The client against a real server on a loopback port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use iamd_authorize_client::{Check, Client, Error, Query};
use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_server::{AppState, Config};
use iamd_store::MemoryStore;

#[test]
fn a_service_asks_about_a_principal() {
    let store = Arc::new(MemoryStore::new());
    let (master, _) = MasterKey::generate().unwrap();
    let boot = accounts::bootstrap(
        store.as_ref(),
        &master,
        Some("111122223333"),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let state = Arc::new(
        AppState::new(
            Config::new(boot.account_id.clone()),
            store,
            Arc::new(master),
        )
        .unwrap(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(iamd_server::serve(listener, state, std::future::pending()));
    let (key, secret) = boot.new_root_key.unwrap();
    let root = Client::new(&format!("http://{addr}"), &key, &secret);

    // Root asks about root: allowed in its own account.
    let answer = root
        .authorize(&Query {
            principal_arn: Some("arn:aws:iam::111122223333:root".into()),
            checks: vec![Check::new("s3:GetObject", "arn:aws:s3:::b/k")],
            ..Query::default()
        })
        .unwrap();
    assert!(answer.allowed(), "{answer:?}");
    assert_eq!(answer.principal.kind, "Root");
    assert!(answer.event_id.is_some());

    // A user that does not exist is an error, not a decision.
    let e = root
        .authorize(&Query {
            principal_arn: Some("arn:aws:iam::111122223333:user/nobody".into()),
            checks: vec![Check::new("s3:GetObject", "*")],
            ..Query::default()
        })
        .unwrap_err();
    assert!(
        matches!(&e, Error::Api { code, status: 404, .. } if code == "NoSuchEntity"),
        "{e}"
    );

    // A caller with a wrong secret is refused.
    let bad = Client::new(&format!("http://{addr}"), &key, "wrong");
    let e = bad
        .authorize(&Query {
            principal_arn: Some("arn:aws:iam::111122223333:root".into()),
            checks: vec![Check::new("s3:GetObject", "*")],
            ..Query::default()
        })
        .unwrap_err();
    assert!(
        matches!(&e, Error::Api { code, .. } if code == "SignatureDoesNotMatch"),
        "{e}"
    );
}
