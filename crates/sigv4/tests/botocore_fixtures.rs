//! Known-answer tests against requests signed by botocore (see gen_fixtures.py).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iamd_sigv4::{
    AuthError, AuthForm, Credentials, RequestParts, SigningKeyCache, SigningParams, VerifyOptions,
    canonical_request, parse, presign, sign, string_to_sign, verify, verify_with,
};
use serde_json::Value;

struct Case {
    name: String,
    service: String,
    region: String,
    access_key_id: String,
    secret: String,
    session_token: Option<String>,
    now: SystemTime,
    presign_expires: Option<u32>,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
    canonical_request: String,
    string_to_sign: String,
}

fn amz_to_system(s: &str) -> SystemTime {
    // Only 2025-01-01 is used by the fixtures; keep this independent of the crate's parser.
    assert_eq!(&s[..9], "20250101T", "fixture date");
    let h: u64 = s[9..11].parse().unwrap();
    let m: u64 = s[11..13].parse().unwrap();
    let sec: u64 = s[13..15].parse().unwrap();
    UNIX_EPOCH + Duration::from_secs(1_735_689_600 + h * 3600 + m * 60 + sec)
}

fn cases() -> Vec<Case> {
    let text = include_str!("botocore_fixtures.json");
    let v: Value = serde_json::from_str(text).unwrap();
    let s = |c: &Value, k: &str| c[k].as_str().unwrap().to_owned();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: s(c, "name"),
            service: s(c, "service"),
            region: s(c, "region"),
            access_key_id: s(c, "access_key_id"),
            secret: s(c, "secret"),
            session_token: c["session_token"].as_str().map(str::to_owned),
            now: amz_to_system(c["now"].as_str().unwrap()),
            presign_expires: c["presign_expires"].as_u64().map(|e| e as u32),
            method: s(c, "method"),
            path: s(c, "path"),
            query: s(c, "query"),
            headers: c["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_owned(),
                        h[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect(),
            body: s(c, "body"),
            canonical_request: s(c, "canonical_request"),
            string_to_sign: s(c, "string_to_sign"),
        })
        .collect()
}

fn header_refs(h: &[(String, String)]) -> Vec<(&str, &[u8])> {
    h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect()
}

#[test]
fn fixtures_are_present() {
    assert!(cases().len() >= 9);
}

#[test]
fn botocore_requests_verify() {
    let cache = SigningKeyCache::new(64);
    for c in cases() {
        let hs = header_refs(&c.headers);
        let req = RequestParts {
            method: &c.method,
            path: &c.path,
            query: &c.query,
            headers: &hs,
            body: c.body.as_bytes(),
        };
        let auth = parse(&req).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(auth.access_key_id(), c.access_key_id, "{}", c.name);
        assert_eq!(auth.service(), c.service, "{}", c.name);
        assert_eq!(auth.region(), c.region, "{}", c.name);
        assert_eq!(
            auth.security_token(),
            c.session_token.as_deref(),
            "{}",
            c.name
        );
        assert_eq!(auth.request_time(), c.now, "{}", c.name);
        match c.presign_expires {
            Some(e) => assert_eq!(auth.form(), AuthForm::Presigned { expires: Some(e) }),
            None => assert_eq!(auth.form(), AuthForm::Header),
        }
        assert_eq!(
            canonical_request(&req, &auth).unwrap(),
            c.canonical_request,
            "{}",
            c.name
        );
        assert_eq!(
            string_to_sign(&req, &auth).unwrap(),
            c.string_to_sign,
            "{}",
            c.name
        );
        // Cold cache, warm cache, and no cache.
        verify(&req, &auth, &c.secret, c.now, &cache).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        verify(&req, &auth, &c.secret, c.now, &cache).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        verify_with(
            &req,
            &auth,
            &c.secret,
            c.now,
            None,
            &VerifyOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        // A wrong secret fails, even with the right key cached.
        assert_eq!(
            verify(&req, &auth, "wrong", c.now, &cache),
            Err(AuthError::SignatureDoesNotMatch),
            "{}",
            c.name
        );
        // Ten minutes later still fine; far later, expired.
        verify(
            &req,
            &auth,
            &c.secret,
            c.now + Duration::from_secs(59),
            &cache,
        )
        .unwrap();
        let late = verify(
            &req,
            &auth,
            &c.secret,
            c.now + Duration::from_secs(3601 + 900),
            &cache,
        )
        .unwrap_err();
        assert!(
            matches!(
                late,
                AuthError::SignatureExpired { .. } | AuthError::RequestExpired
            ),
            "{}: {late:?}",
            c.name
        );
    }
    assert!(!cache.is_empty());
}

/// Our signer produces byte-identical Authorization headers and presigned query strings.
#[test]
fn our_signer_matches_botocore() {
    for c in cases() {
        if c.name.contains("date-header") {
            continue; // botocore signs with `Date` there; we always send X-Amz-Date.
        }
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: &c.access_key_id,
                secret_access_key: &c.secret,
                session_token: c.session_token.as_deref(),
            },
            region: &c.region,
            service: &c.service,
            time: c.now,
            unsigned_payload: c.name.contains("unsigned"),
        };
        let added_by_signer = [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
            "content-length",
        ];
        let input: Vec<(String, String)> = c
            .headers
            .iter()
            .filter(|(n, _)| !added_by_signer.contains(&n.to_ascii_lowercase().as_str()))
            .cloned()
            .collect();
        let hs = header_refs(&input);
        match c.presign_expires {
            None => {
                let req = RequestParts {
                    method: &c.method,
                    path: &c.path,
                    query: &c.query,
                    headers: &hs,
                    body: c.body.as_bytes(),
                };
                let added = sign(&req, &params).unwrap();
                let ours = added.iter().find(|(n, _)| *n == "Authorization").unwrap();
                let theirs = c
                    .headers
                    .iter()
                    .find(|(n, _)| n == "Authorization")
                    .unwrap();
                assert_eq!(ours.1, theirs.1, "{}", c.name);
            }
            Some(expires) => {
                let base: Vec<&str> = c
                    .query
                    .split('&')
                    .filter(|p| !p.starts_with("X-Amz-"))
                    .collect();
                let base = base.join("&");
                let req = RequestParts {
                    method: &c.method,
                    path: &c.path,
                    query: &base,
                    headers: &hs,
                    body: c.body.as_bytes(),
                };
                assert_eq!(
                    presign(&req, &params, expires).unwrap(),
                    c.query,
                    "{}",
                    c.name
                );
            }
        }
    }
}
