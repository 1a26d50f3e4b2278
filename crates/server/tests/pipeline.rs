//! The server on a real loopback listener, driven with requests signed by `iamd-sigv4`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support code

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::SystemTime;

use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_server::{AppState, Config};
use iamd_sigv4::{Credentials, RequestParts, SigningParams, sign};
use iamd_store::SqliteStore;

struct Server {
    addr: SocketAddr,
    key: (String, String),
    _dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
}

fn start(dev: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("t.db")).unwrap());
    let (master, _) = MasterKey::generate().unwrap();
    let boot = accounts::bootstrap(
        store.as_ref(),
        &master,
        Some("111122223333"),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let mut config = Config::new(boot.account_id.clone());
    config.dev = dev;
    let state = Arc::new(AppState::new(config, store, Arc::new(master)).unwrap());
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
    Server {
        addr,
        key: boot.new_root_key.unwrap(),
        _dir: dir,
        _rt: rt,
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

impl Server {
    fn call(&self, body: &str, key: (&str, &str)) -> Reply {
        let host = self.addr.to_string();
        let base: Vec<(String, String)> = vec![
            ("host".into(), host.clone()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ),
        ];
        let hs: Vec<(&str, &[u8])> = base
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let req = RequestParts {
            method: "POST",
            path: "/",
            query: "",
            headers: &hs,
            body: body.as_bytes(),
        };
        let service = if body.contains("2011-06-15") {
            "sts"
        } else {
            "iam"
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: key.0,
                secret_access_key: key.1,
                session_token: None,
            },
            region: "us-east-1",
            service,
            time: SystemTime::now(),
            unsigned_payload: false,
        };
        let mut all = base.clone();
        for (n, v) in sign(&req, &params).unwrap() {
            all.push((n.to_string(), v));
        }
        let mut s = TcpStream::connect(self.addr).unwrap();
        let mut head = format!(
            "POST / HTTP/1.1\r\ncontent-length: {}\r\nconnection: close\r\n",
            body.len()
        );
        for (n, v) in &all {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body.as_bytes()).unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (h, b) = raw.split_once("\r\n\r\n").unwrap();
        let status = h[9..12].parse().unwrap();
        Reply {
            status,
            headers: h.to_ascii_lowercase(),
            body: b.to_string(),
        }
    }

    fn root(&self) -> (&str, &str) {
        (&self.key.0, &self.key.1)
    }
}

#[test]
fn root_is_authenticated_and_answers_carry_request_ids() {
    let s = start(false);
    let r = s.call("Action=GetCallerIdentity&Version=2011-06-15", s.root());
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<Arn>arn:aws:iam::111122223333:root</Arn>"));
    let id = r
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
        .unwrap()
        .to_string();
    assert!(r.body.contains(&format!("<RequestId>{id}</RequestId>")));
    assert!(!r.headers.contains("x-iamd-dev-mode"));
}

#[test]
fn wrong_secret_and_unknown_key_are_refused() {
    let s = start(false);
    let r = s.call(
        "Action=ListUsers&Version=2010-05-08",
        (&s.key.0, "not-the-secret"),
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<Code>SignatureDoesNotMatch</Code>"));
    let r = s.call(
        "Action=ListUsers&Version=2010-05-08",
        ("AKIAUNKNOWNUNKNOWN00", "x"),
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("<Code>InvalidClientTokenId</Code>"));
}

#[test]
fn dev_mode_maps_unknown_keys_to_root_but_still_verifies_known_ones() {
    let s = start(true);
    let r = s.call(
        "Action=GetCallerIdentity&Version=2011-06-15",
        ("AKIAANYTHING00000000", "whatever"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.headers.contains("x-iamd-dev-mode: true"));
    let r = s.call(
        "Action=GetCallerIdentity&Version=2011-06-15",
        (&s.key.0, "wrong"),
    );
    assert_eq!(r.status, 403);
}

#[test]
fn concurrent_creates_of_one_name_make_exactly_one_user() {
    let s = Arc::new(start(false));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || {
                let name = if i % 2 == 0 { "Race" } else { "race" };
                s.call(
                    &format!("Action=CreateUser&Version=2010-05-08&UserName={name}"),
                    s.root(),
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|&&c| c == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&c| c == 200 || c == 409),
        "{statuses:?}"
    );
    let r = s.call("Action=ListUsers&Version=2010-05-08", s.root());
    assert_eq!(r.body.matches("<member>").count(), 1, "{}", r.body);
}

#[test]
fn a_failed_operation_writes_nothing() {
    let s = start(false);
    // 51 tags: refused by the model before anything is written.
    let mut body = "Action=CreateUser&Version=2010-05-08&UserName=tagged".to_string();
    for i in 1..=51 {
        body.push_str(&format!(
            "&Tags.member.{i}.Key=k{i}&Tags.member.{i}.Value=v"
        ));
    }
    assert_eq!(s.call(&body, s.root()).status, 400);
    let r = s.call(
        "Action=GetUser&Version=2010-05-08&UserName=tagged",
        s.root(),
    );
    assert_eq!(r.status, 404);
    // A group that does not exist: AddUserToGroup fails and the user stays groupless.
    assert_eq!(
        s.call("Action=CreateUser&Version=2010-05-08&UserName=u1", s.root())
            .status,
        200
    );
    assert_eq!(
        s.call(
            "Action=AddUserToGroup&Version=2010-05-08&UserName=u1&GroupName=nope",
            s.root()
        )
        .status,
        404
    );
    assert_eq!(
        s.call("Action=DeleteUser&Version=2010-05-08&UserName=u1", s.root())
            .status,
        200
    );
}

#[test]
fn every_model_operation_is_answered() {
    // No operation answers 501 any more; an unknown report job is AWS's NoSuchEntity.
    let s = start(false);
    let r = s.call("Action=GetServiceLastAccessedDetails&Version=2010-05-08&JobId=jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj", s.root());
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(r.body.contains("<Code>NoSuchEntity</Code>"));
}
