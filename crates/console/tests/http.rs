//! The console's HTTP behaviour in process (no sockets): cookie flags, CSRF, rotation at
//! sign-in, sign-out ending the session, security headers, and the federation endpoint's
//! refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use iamd_console::{Console, SecureTransport, Settings};
use iamd_engine::{Config, Engine};
use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_store::MemoryStore;

const ACCOUNT: &str = "111122223333";
const PASSWORD: &str = "Root-Passw0rd!";

fn app() -> axum::Router {
    let store = Arc::new(MemoryStore::new());
    let (master, _) = MasterKey::generate().unwrap();
    accounts::bootstrap(
        store.as_ref(),
        &master,
        Some(ACCOUNT),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let engine = Engine::new(Config::new(ACCOUNT.into()), store, Arc::new(master)).unwrap();
    engine.set_root_password(ACCOUNT, PASSWORD).unwrap();
    iamd_console::router(Arc::new(Console::new(engine, Settings::default())))
}

struct Got {
    status: StatusCode,
    cookies: Vec<String>,
    location: Option<String>,
    body: String,
    headers: axum::http::HeaderMap,
}

async fn send(app: &axum::Router, req: Request<Body>) -> Got {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let cookies = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    Got {
        status,
        cookies,
        location,
        body: String::from_utf8_lossy(&body).into_owned(),
        headers,
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, format!("iamd-console={c}"));
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, format!("iamd-console={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

fn session_id(cookies: &[String]) -> String {
    cookies
        .iter()
        .find_map(|c| c.strip_prefix("iamd-console="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("a session cookie")
}

fn csrf(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn cookies_csrf_rotation_and_sign_out() {
    let app = app();
    let page = send(&app, get("/console", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    let cookie = &page.cookies[0];
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"));
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(
        page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let anon = session_id(&page.cookies);
    let token = csrf(&page.body);

    // Without (or with a wrong) CSRF token the sign-in is refused.
    let form = format!("account={ACCOUNT}&kind=root&password=Root-Passw0rd%21");
    let r = send(&app, post("/signin", &anon, &form)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app,
        post("/signin", &anon, &format!("{form}&csrf={}", "0".repeat(64))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // With it: signed in under a new session ID.
    let r = send(
        &app,
        post("/signin", &anon, &format!("{form}&csrf={token}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/console"));
    let signed = session_id(&r.cookies);
    assert_ne!(signed, anon);
    assert!(
        r.cookies
            .iter()
            .any(|c| c.starts_with(&format!("iamd-account={ACCOUNT}")))
    );
    let old = send(&app, get("/console/users", Some(&anon))).await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    let users = send(&app, get("/console/users", Some(&signed))).await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains(&format!("arn:aws:iam::{ACCOUNT}:root")));

    // Signed-in POSTs need the session's token too.
    let r = send(&app, post("/console/users", &signed, "name=eve")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let token = csrf(&users.body);
    let r = send(
        &app,
        post("/console/users", &signed, &format!("name=eve&csrf={token}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let eve = send(&app, get("/console/users/eve", Some(&signed))).await;
    assert_eq!(eve.status, StatusCode::OK);

    // Sign-out ends the session on the server.
    let r = send(
        &app,
        post("/console/signout", &signed, &format!("csrf={token}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = send(&app, get("/console/users", Some(&signed))).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location.as_deref(), Some("/console"));
}

#[tokio::test]
async fn secure_cookies_over_tls() {
    let app = app();
    let mut req = get("/console", None);
    req.extensions_mut().insert(SecureTransport);
    let page = send(&app, req).await;
    assert!(page.cookies[0].contains("; Secure"));
}

#[tokio::test]
async fn federation_refusals() {
    let app = app();
    let r = send(&app, get("/federation?Action=nope", None)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &app,
        get("/federation?Action=getSigninToken&Session=notjson", None),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let session = "%7B%22sessionId%22%3A%22ASIAAAAAAAAAAAAAAAAA%22%2C%22sessionKey%22%3A%22x%22%2C%22sessionToken%22%3A%22bogus%22%7D";
    let r = send(
        &app,
        get(
            &format!("/federation?Action=getSigninToken&Session={session}"),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app,
        get("/federation?Action=login&SigninToken=forged", None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
