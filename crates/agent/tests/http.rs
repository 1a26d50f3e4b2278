//! The IMDS HTTP surface with a fake credential source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use iamd_agent::{
    AgentConfig, AgentState, BoxFuture, Clock, CredentialSource, RoleCredentials, SourceError,
    format_iso8601, refresh_loop, router,
};
use tower::ServiceExt;

const START: u64 = 1_735_689_600; // 2025-01-01T00:00:00Z

/// A clock the test moves by hand.
struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    fn new() -> Arc<ManualClock> {
        Arc::new(ManualClock(Mutex::new(
            UNIX_EPOCH + Duration::from_secs(START),
        )))
    }
    fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// A wall clock that follows tokio's (paused, auto-advancing) test time.
struct TokioClock(tokio::time::Instant);

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(START) + self.0.elapsed()
    }
}

/// Answers from a script: `Ok(lifetime)` or an error; once the script is empty, one-hour
/// credentials.
struct FakeSource {
    clock: Arc<dyn Clock>,
    calls: AtomicU32,
    script: Mutex<VecDeque<Result<Duration, SourceError>>>,
}

impl FakeSource {
    fn new(clock: Arc<dyn Clock>, script: Vec<Result<Duration, SourceError>>) -> Arc<FakeSource> {
        Arc::new(FakeSource {
            clock,
            calls: AtomicU32::new(0),
            script: Mutex::new(script.into()),
        })
    }
    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl CredentialSource for FakeSource {
    fn fetch(&self) -> BoxFuture<'_, Result<RoleCredentials, SourceError>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let step = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(Duration::from_secs(3600)));
        let now = self.clock.now();
        Box::pin(async move {
            let lifetime = step?;
            Ok(RoleCredentials {
                access_key_id: format!("ASIAFAKE{n}"),
                secret_access_key: format!("secret/{n}+"),
                token: format!("token-{n}"),
                expiration: now + lifetime,
            })
        })
    }
}

fn config() -> AgentConfig {
    AgentConfig {
        role_name: "web-role".into(),
        instance_profile_arn: "arn:aws:iam::123456789012:instance-profile/web".into(),
        instance_profile_id: "AIPAEXAMPLEPROFILE01".into(),
        instance_id: "i-0123456789abcdef0".into(),
        region: "eu-west-3".into(),
        ..AgentConfig::default()
    }
}

fn creds(n: u32, expiration: SystemTime) -> RoleCredentials {
    RoleCredentials {
        access_key_id: format!("ASIAFAKE{n}"),
        secret_access_key: format!("secret/{n}+"),
        token: format!("token-{n}"),
        expiration,
    }
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

async fn call(app: &Router, method: Method, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut req = Request::builder().method(method).uri(path);
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    Resp {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

async fn get(app: &Router, path: &str) -> Resp {
    call(app, Method::GET, path, &[]).await
}

async fn get_with(app: &Router, path: &str, token: &str) -> Resp {
    call(
        app,
        Method::GET,
        path,
        &[("X-aws-ec2-metadata-token", token)],
    )
    .await
}

async fn token(app: &Router, ttl: &str) -> Resp {
    call(
        app,
        Method::PUT,
        "/latest/api/token",
        &[("X-aws-ec2-metadata-token-ttl-seconds", ttl)],
    )
    .await
}

fn agent(config: AgentConfig, clock: Arc<dyn Clock>) -> (Arc<AgentState>, Router) {
    let state = AgentState::new(config, clock).unwrap();
    let app = router(Arc::clone(&state));
    (state, app)
}

const CREDS: &str = "/latest/meta-data/iam/security-credentials/web-role";

#[tokio::test]
async fn imdsv2_flow_as_botocore_does_it() {
    let clock = ManualClock::new();
    let (state, app) = agent(config(), clock.clone());
    let now = clock.now();
    state.install(creds(1, now + Duration::from_secs(3600)), now);

    let t = token(&app, "21600").await;
    assert_eq!(t.status, StatusCode::OK);
    assert_eq!(t.headers["content-type"], "text/plain");
    assert_eq!(t.headers["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
    assert!(t.body.len() >= 32 && t.body.bytes().all(|b| b.is_ascii_graphic()));
    assert_ne!(token(&app, "21600").await.body, t.body, "tokens are random");

    let role = get_with(&app, "/latest/meta-data/iam/security-credentials/", &t.body).await;
    assert_eq!(role.status, StatusCode::OK);
    assert_eq!(role.body, "web-role");

    let c = get_with(&app, CREDS, &t.body).await;
    assert_eq!(c.status, StatusCode::OK);
    let j = c.json();
    let obj = j.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "AccessKeyId",
            "Code",
            "Expiration",
            "LastUpdated",
            "SecretAccessKey",
            "Token",
            "Type"
        ]
    );
    assert_eq!(j["Code"], "Success");
    assert_eq!(j["Type"], "AWS-HMAC");
    assert_eq!(j["AccessKeyId"], "ASIAFAKE1");
    assert_eq!(j["SecretAccessKey"], "secret/1+");
    assert_eq!(j["Token"], "token-1");
    assert_eq!(j["LastUpdated"], "2025-01-01T00:00:00Z");
    assert_eq!(j["Expiration"], "2025-01-01T01:00:00Z");
    // EC2's field order.
    let pos = |k: &str| c.body.find(&format!("\"{k}\"")).unwrap();
    let order = [
        "Code",
        "LastUpdated",
        "Type",
        "AccessKeyId",
        "SecretAccessKey",
        "Token",
        "Expiration",
    ];
    assert!(order.windows(2).all(|w| pos(w[0]) < pos(w[1])));
}

#[tokio::test]
async fn imdsv1_allowed_by_default_and_refused_when_v2_required() {
    let clock = ManualClock::new();
    let (state, app) = agent(config(), clock.clone());
    let now = clock.now();
    state.install(creds(1, now + Duration::from_secs(3600)), now);
    assert_eq!(get(&app, CREDS).await.json()["AccessKeyId"], "ASIAFAKE1");
    assert_eq!(
        get(&app, "/latest/meta-data/instance-id").await.body,
        "i-0123456789abcdef0"
    );

    let (state, app) = agent(
        AgentConfig {
            imdsv2_required: true,
            ..config()
        },
        clock.clone(),
    );
    state.install(creds(2, now + Duration::from_secs(3600)), now);
    for path in [
        CREDS,
        "/latest/meta-data/iam/security-credentials/",
        "/latest/meta-data/instance-id",
        "/latest/meta-data/nothing-here",
    ] {
        assert_eq!(
            get(&app, path).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let t = token(&app, "60").await.body;
    assert_eq!(
        get_with(&app, CREDS, &t).await.json()["AccessKeyId"],
        "ASIAFAKE2"
    );
}

#[tokio::test]
async fn tokens_expire_after_their_ttl() {
    let clock = ManualClock::new();
    let (_state, app) = agent(config(), clock.clone());
    let t = token(&app, "60").await.body;
    let path = "/latest/meta-data/instance-id";
    assert_eq!(get_with(&app, path, &t).await.status, StatusCode::OK);
    clock.advance(Duration::from_secs(59));
    assert_eq!(get_with(&app, path, &t).await.status, StatusCode::OK);
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        get_with(&app, path, &t).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A fresh token works; a v1 request too (not required).
    let t2 = token(&app, "1").await.body;
    assert_eq!(get_with(&app, path, &t2).await.status, StatusCode::OK);
    assert_eq!(get(&app, path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn invalid_tokens_are_refused() {
    let clock = ManualClock::new();
    let (_state, app) = agent(config(), clock.clone());
    let (_other, other_app) = agent(config(), clock.clone());
    let good = token(&app, "600").await.body;
    let foreign = token(&other_app, "600").await.body;
    let mut tampered = good.clone().into_bytes();
    tampered[3] = if tampered[3] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    let path = "/latest/meta-data/iam/security-credentials/";
    for bad in [
        "",
        "x",
        "AQAEAB==",
        &foreign,
        &tampered,
        &format!("{good}00"),
    ] {
        assert_eq!(
            get_with(&app, path, bad).await.status,
            StatusCode::UNAUTHORIZED,
            "{bad:?}"
        );
    }
    assert_eq!(get_with(&app, path, &good).await.status, StatusCode::OK);
}

#[tokio::test]
async fn token_put_errors() {
    let clock = ManualClock::new();
    let (_state, app) = agent(config(), clock);
    let put = |h: &'static [(&'static str, &'static str)]| {
        let app = app.clone();
        async move { call(&app, Method::PUT, "/latest/api/token", h).await.status }
    };
    assert_eq!(put(&[]).await, StatusCode::BAD_REQUEST);
    for ttl in ["0", "21601", "-1", "abc", "", "1.5"] {
        assert_eq!(
            token(&app, ttl).await.status,
            StatusCode::BAD_REQUEST,
            "{ttl:?}"
        );
    }
    assert_eq!(token(&app, "1").await.status, StatusCode::OK);
    assert_eq!(token(&app, "21600").await.status, StatusCode::OK);
    assert_eq!(
        put(&[
            ("X-aws-ec2-metadata-token-ttl-seconds", "60"),
            ("X-Forwarded-For", "10.0.0.1")
        ])
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&app, "/latest/api/token").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        call(&app, Method::POST, "/latest/meta-data/instance-id", &[])
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn unknown_paths_and_roles_are_404() {
    let clock = ManualClock::new();
    let (state, app) = agent(config(), clock.clone());
    let now = clock.now();
    state.install(creds(1, now + Duration::from_secs(3600)), now);
    for path in [
        "/latest/meta-data/iam/security-credentials/other-role",
        "/latest/meta-data/iam/security-credentials/web-role/extra",
        "/latest/meta-data/iam/security-credentials/web-rolex",
        "/latest/meta-data/ami-id",
        "/latest/user-data",
        "/2009-04-04/meta-data/instance-id",
        "/nope",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.contains("404 - Not Found"));
    }
}

#[tokio::test]
async fn other_metadata() {
    let clock = ManualClock::new();
    let (state, app) = agent(config(), clock.clone());
    let now = clock.now();
    clock.advance(Duration::from_secs(5));
    state.install(creds(1, now + Duration::from_secs(3600)), clock.now());

    let info = get(&app, "/latest/meta-data/iam/info").await;
    assert_eq!(info.status, StatusCode::OK);
    let j = info.json();
    assert_eq!(j.as_object().unwrap().len(), 4);
    assert_eq!(j["Code"], "Success");
    assert_eq!(j["LastUpdated"], "2025-01-01T00:00:05Z");
    assert_eq!(
        j["InstanceProfileArn"],
        "arn:aws:iam::123456789012:instance-profile/web"
    );
    assert_eq!(j["InstanceProfileId"], "AIPAEXAMPLEPROFILE01");

    assert_eq!(
        get(&app, "/latest/meta-data/placement/region").await.body,
        "eu-west-3"
    );
    // botocore asks for the zone with a trailing slash and strips the last letter.
    assert_eq!(
        get(&app, "/latest/meta-data/placement/availability-zone/")
            .await
            .body,
        "eu-west-3a"
    );
    assert_eq!(
        get(&app, "/latest/meta-data/iam/").await.body,
        "info\nsecurity-credentials/"
    );
    assert!(
        get(&app, "/latest/meta-data/")
            .await
            .body
            .contains("instance-id")
    );
    // Without the trailing slash the role list is answered too.
    assert_eq!(
        get(&app, "/latest/meta-data/iam/security-credentials")
            .await
            .body,
        "web-role"
    );
    let doc = get(&app, "/latest/dynamic/instance-identity/document")
        .await
        .json();
    assert_eq!(doc["accountId"], "123456789012");
    assert_eq!(doc["instanceId"], "i-0123456789abcdef0");
    assert_eq!(doc["region"], "eu-west-3");
    assert_eq!(doc["availabilityZone"], "eu-west-3a");
    assert_eq!(doc["version"], "2017-09-30");
    // HEAD is answered like GET, without a body.
    let head = call(&app, Method::HEAD, CREDS, &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
}

#[tokio::test(start_paused = true)]
async fn failure_document_without_valid_credentials() {
    let clock = ManualClock::new();
    let (state, app) = agent(config(), clock.clone());
    // Nothing fetched yet: the handler waits a moment, then answers EC2's failure document.
    let r = get(&app, CREDS).await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["Code"], "CredentialsUnavailable");
    assert!(j.get("AccessKeyId").is_none() && j.get("Message").is_some());

    // A refresh failure is reported with its code.
    state.record_error(
        SourceError::new("AccessDenied", "not authorized"),
        clock.now(),
    );
    let j = get(&app, CREDS).await.json();
    assert_eq!(j["Code"], "AccessDenied");
    assert_eq!(j["Message"], "not authorized");

    // Valid credentials win over an old error; expired ones are never served.
    let now = clock.now();
    state.install(creds(1, now + Duration::from_secs(60)), now);
    assert_eq!(get(&app, CREDS).await.json()["Code"], "Success");
    clock.advance(Duration::from_secs(60));
    let j = get(&app, CREDS).await.json();
    assert_eq!(j["Code"], "CredentialsExpired");
    assert!(j.get("AccessKeyId").is_none());
}

#[tokio::test(start_paused = true)]
async fn first_fetch_is_awaited_briefly() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock(tokio::time::Instant::now()));
    let (state, app) = agent(config(), Arc::clone(&clock));
    let installer = {
        let state = Arc::clone(&state);
        let clock = Arc::clone(&clock);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = clock.now();
            state.install(creds(7, now + Duration::from_secs(3600)), now);
        })
    };
    assert_eq!(get(&app, CREDS).await.json()["AccessKeyId"], "ASIAFAKE7");
    installer.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn refreshes_at_half_life() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock(tokio::time::Instant::now()));
    let (state, app) = agent(config(), Arc::clone(&clock));
    let source = FakeSource::new(Arc::clone(&clock), vec![]);
    let task = tokio::spawn(refresh_loop(Arc::clone(&state), source.clone()));

    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(source.calls(), 1);
    let j = get(&app, CREDS).await.json();
    assert_eq!(j["AccessKeyId"], "ASIAFAKE1");
    assert_eq!(j["Expiration"], "2025-01-01T01:00:00Z");

    tokio::time::sleep(Duration::from_secs(1790)).await; // t = 1791 s
    assert_eq!(source.calls(), 1);
    tokio::time::sleep(Duration::from_secs(20)).await; // t = 1811 s
    assert_eq!(source.calls(), 2);
    let j = get(&app, CREDS).await.json();
    assert_eq!(j["AccessKeyId"], "ASIAFAKE2");
    assert_eq!(j["LastUpdated"], "2025-01-01T00:30:00Z");
    assert_eq!(j["Expiration"], "2025-01-01T01:30:00Z");
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn refresh_honours_the_margin_for_short_credentials() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock(tokio::time::Instant::now()));
    let cfg = AgentConfig {
        refresh_margin: Duration::from_secs(600),
        ..config()
    };
    let (state, _app) = agent(cfg, Arc::clone(&clock));
    // 15-minute credentials, margin 10 minutes: refresh after 5 minutes.
    let source = FakeSource::new(
        Arc::clone(&clock),
        vec![Ok(Duration::from_secs(900)), Ok(Duration::from_secs(900))],
    );
    let task = tokio::spawn(refresh_loop(Arc::clone(&state), source.clone()));
    tokio::time::sleep(Duration::from_secs(299)).await;
    assert_eq!(source.calls(), 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(source.calls(), 2);
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn retries_with_backoff_and_serves_old_credentials_meanwhile() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock(tokio::time::Instant::now()));
    let (state, app) = agent(config(), Arc::clone(&clock));
    let err = || Err(SourceError::new("ServiceUnavailable", "down"));
    let source = FakeSource::new(
        Arc::clone(&clock),
        vec![Ok(Duration::from_secs(3600)), err(), err(), err()],
    );
    let task = tokio::spawn(refresh_loop(Arc::clone(&state), source.clone()));
    tokio::time::sleep(Duration::from_millis(1_800_500)).await; // refresh at 1800 s fails
    assert_eq!(source.calls(), 2);
    assert_eq!(get(&app, CREDS).await.json()["AccessKeyId"], "ASIAFAKE1");
    assert_eq!(
        state.slot().last_error.unwrap().0.code,
        "ServiceUnavailable"
    );
    // Retries after 1 s, then 2 s, then 4 s (the fifth call succeeds).
    tokio::time::sleep(Duration::from_secs(1)).await; // 1801.5
    assert_eq!(source.calls(), 3);
    tokio::time::sleep(Duration::from_secs(2)).await; // 1803.5
    assert_eq!(source.calls(), 4);
    assert_eq!(get(&app, CREDS).await.json()["AccessKeyId"], "ASIAFAKE1");
    tokio::time::sleep(Duration::from_secs(3)).await; // 1806.5: not yet
    assert_eq!(source.calls(), 4);
    tokio::time::sleep(Duration::from_secs(1)).await; // 1807.5
    assert_eq!(source.calls(), 5);
    assert_eq!(get(&app, CREDS).await.json()["AccessKeyId"], "ASIAFAKE5");
    assert!(state.slot().last_error.is_none());
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn stops_serving_credentials_that_expire_while_the_source_fails() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock(tokio::time::Instant::now()));
    let (state, app) = agent(config(), Arc::clone(&clock));
    let mut script = vec![Ok(Duration::from_secs(3600))];
    script.extend((0..1000).map(|_| Err(SourceError::new("AccessDenied", "revoked"))));
    let source = FakeSource::new(Arc::clone(&clock), script);
    let task = tokio::spawn(refresh_loop(Arc::clone(&state), source.clone()));
    tokio::time::sleep(Duration::from_secs(3599)).await;
    assert_eq!(get(&app, CREDS).await.json()["AccessKeyId"], "ASIAFAKE1");
    // Backoff capped at 60 s: about 30 retries in the half hour.
    let calls = source.calls();
    assert!((25..=40).contains(&calls), "{calls}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let j = get(&app, CREDS).await.json();
    assert_eq!(j["Code"], "AccessDenied");
    assert!(j.get("AccessKeyId").is_none());
    task.abort();
}

#[tokio::test(start_paused = true)]
async fn expired_credentials_from_the_source_are_a_failure() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock(tokio::time::Instant::now()));
    let (state, _app) = agent(config(), Arc::clone(&clock));
    let source = FakeSource::new(Arc::clone(&clock), vec![Ok(Duration::ZERO)]);
    let task = tokio::spawn(refresh_loop(Arc::clone(&state), source.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(source.calls(), 1);
    assert_eq!(
        state.slot().last_error.unwrap().0.code,
        "InvalidCredentialResponse"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(source.calls(), 2);
    assert!(state.valid_credentials().is_some());
    let _ = format_iso8601(clock.now());
    task.abort();
}
