//! `StsAssumeRole` against a fake STS that checks SigV4, and the agent end to end over TCP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use iamd_agent::{
    AgentConfig, CredentialSource, StaticCredentials, StsAssumeRole, format_iso8601, serve,
};
use iamd_sigv4::{RequestParts, SigningKeyCache, parse, verify};
use tokio::net::TcpListener;

const KEY: &str = "AKIAAGENTEXAMPLE0001";
const SECRET: &str = "agent/secret+key";

#[derive(Default)]
struct Seen {
    forms: Vec<Vec<(String, String)>>,
    session_tokens: Vec<Option<String>>,
}

#[derive(Clone)]
struct Sts {
    seen: Arc<Mutex<Seen>>,
    deny: bool,
}

fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let xml = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    );
    (status, [("content-type", "text/xml")], xml).into_response()
}

async fn fake_sts(
    State(sts): State<Sts>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers: &hs,
        body: &body,
    };
    let auth = match parse(&req) {
        Ok(a) => a,
        Err(e) => return error(StatusCode::FORBIDDEN, e.code(), &e.message()),
    };
    assert_eq!(auth.access_key_id(), KEY);
    assert_eq!(auth.service(), "sts");
    assert_eq!(auth.region(), "us-east-1");
    let signed: Vec<&str> = auth.signed_headers().collect();
    assert!(signed.contains(&"host") && signed.contains(&"content-type"));
    let cache = SigningKeyCache::default();
    if let Err(e) = verify(&req, &auth, SECRET, SystemTime::now(), &cache) {
        return error(StatusCode::FORBIDDEN, e.code(), &e.message());
    }
    let token = auth.security_token().map(str::to_owned);
    let pairs = form(std::str::from_utf8(&body).unwrap());
    {
        let mut seen = sts.seen.lock().unwrap();
        seen.forms.push(pairs.clone());
        seen.session_tokens.push(token);
    }
    if sts.deny {
        return error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "User is not authorized to perform: sts:AssumeRole",
        );
    }
    let n = sts.seen.lock().unwrap().forms.len();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let duration: u64 = get("DurationSeconds").parse().unwrap_or(3600);
    let expiration = format_iso8601(SystemTime::now() + Duration::from_secs(duration));
    let xml = format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:{session}</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/web-role/{session}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAROLE{n:012}</AccessKeyId>
      <SecretAccessKey>role/secret+{n}</SecretAccessKey>
      <SessionToken>FwoGZXIvYXdzE&amp;{n}==</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r-{n}</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#,
        session = get("RoleSessionName"),
    );
    (StatusCode::OK, [("content-type", "text/xml")], xml).into_response()
}

async fn start_sts(deny: bool) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let app = Router::new().fallback(fake_sts).with_state(Sts {
        seen: Arc::clone(&seen),
        deny,
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), seen)
}

fn source(endpoint: &str) -> StsAssumeRole {
    StsAssumeRole::new(
        endpoint,
        "us-east-1",
        StaticCredentials::new(KEY, SECRET),
        "arn:aws:iam::123456789012:role/web-role",
        "i-0123456789abcdef0",
    )
    .unwrap()
}

#[tokio::test]
async fn assume_role_is_signed_and_parsed() {
    let (endpoint, seen) = start_sts(false).await;
    let src = source(&endpoint)
        .duration_seconds(7200)
        .external_id("ext id/1");
    let before = SystemTime::now();
    let creds = src.fetch().await.unwrap();
    assert_eq!(creds.access_key_id, "ASIAROLE000000000001");
    assert_eq!(creds.secret_access_key, "role/secret+1");
    assert_eq!(creds.token, "FwoGZXIvYXdzE&1==");
    let exp = creds.expiration.duration_since(before).unwrap();
    assert!(exp > Duration::from_secs(7190) && exp <= Duration::from_secs(7201));

    let seen = seen.lock().unwrap();
    let f = &seen.forms[0];
    let expect = [
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", "arn:aws:iam::123456789012:role/web-role"),
        ("RoleSessionName", "i-0123456789abcdef0"),
        ("DurationSeconds", "7200"),
        ("ExternalId", "ext id/1"),
    ];
    for (k, v) in expect {
        assert!(f.iter().any(|(a, b)| a == k && b == v), "{k}={v} in {f:?}");
    }
    assert_eq!(seen.session_tokens[0], None);
}

#[tokio::test]
async fn session_token_of_the_agent_is_sent() {
    let (endpoint, seen) = start_sts(false).await;
    let mut agent_creds = StaticCredentials::new(KEY, SECRET);
    agent_creds.session_token = Some("agent-session".into());
    let src = StsAssumeRole::new(&endpoint, "us-east-1", agent_creds, "arn:r", "s").unwrap();
    src.assume_role().await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.session_tokens[0].as_deref(), Some("agent-session"));
    assert!(!seen.forms[0].iter().any(|(k, _)| k == "DurationSeconds"));
}

#[tokio::test]
async fn sts_errors_and_bad_signatures_are_reported() {
    let (endpoint, _) = start_sts(true).await;
    let e = source(&endpoint).assume_role().await.unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.contains("sts:AssumeRole"));

    let (endpoint, _) = start_sts(false).await;
    let wrong = StsAssumeRole::new(
        &endpoint,
        "us-east-1",
        StaticCredentials::new(KEY, "not the secret"),
        "arn:r",
        "s",
    )
    .unwrap();
    assert_eq!(
        wrong.assume_role().await.unwrap_err().code,
        "SignatureDoesNotMatch"
    );
}

#[tokio::test]
async fn unreachable_endpoint_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let e = source(&format!("http://{addr}/"))
        .assume_role()
        .await
        .unwrap_err();
    assert_eq!(e.code, "CredentialSourceUnavailable");

    // A server that never answers: the timeout applies.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let e = source(&format!("http://{addr}/"))
        .timeout(Duration::from_millis(200))
        .assume_role()
        .await
        .unwrap_err();
    assert_eq!(e.code, "CredentialSourceUnavailable");
    drop(silent);
}

#[tokio::test]
async fn agent_end_to_end_over_tcp() {
    let (endpoint, _) = start_sts(false).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = AgentConfig {
        role_name: "web-role".into(),
        instance_profile_arn: "arn:aws:iam::123456789012:instance-profile/web".into(),
        instance_profile_id: "AIPAEXAMPLE".into(),
        imdsv2_required: true,
        ..AgentConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(
        listener,
        config,
        Arc::new(source(&endpoint)),
        async move {
            let _ = stopped.await;
        },
    ));

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let send = |method: Method, path: &str, headers: Vec<(&'static str, String)>| {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"));
        for (n, v) in headers {
            req = req.header(n, v);
        }
        let req = req.body(Full::new(Bytes::new())).unwrap();
        let client = client.clone();
        async move {
            let resp = client.request(req).await.unwrap();
            let status = resp.status();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    let (status, token) = send(
        Method::PUT,
        "/latest/api/token",
        vec![("x-aws-ec2-metadata-token-ttl-seconds", "21600".into())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let with_token = || vec![("x-aws-ec2-metadata-token", token.clone())];
    let (_, role) = send(
        Method::GET,
        "/latest/meta-data/iam/security-credentials/",
        with_token(),
    )
    .await;
    assert_eq!(role, "web-role");
    let (status, body) = send(
        Method::GET,
        "/latest/meta-data/iam/security-credentials/web-role",
        with_token(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["Code"], "Success");
    assert_eq!(j["AccessKeyId"], "ASIAROLE000000000001");
    assert_eq!(j["Token"], "FwoGZXIvYXdzE&1==");
    let (status, _) = send(
        Method::GET,
        "/latest/meta-data/iam/security-credentials/web-role",
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
