#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use iamd_oidc::{JwksSource, KeyStore, OidcError, ProviderConfig, UreqFetcher};
use jsonwebtoken::Algorithm;
use serde_json::json;

/// A tiny OIDC issuer on a loopback port: the discovery document and a JWKS that tests swap.
struct Issuer {
    url: String,
    jwks: Arc<Mutex<String>>,
    hits: Arc<AtomicUsize>,
}

impl Issuer {
    fn start(jwks: String) -> Issuer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let jwks = Arc::new(Mutex::new(jwks));
        let hits = Arc::new(AtomicUsize::new(0));
        let (base, set, count) = (url.clone(), Arc::clone(&jwks), Arc::clone(&hits));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&buf);
                let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
                count.fetch_add(1, Ordering::SeqCst);
                let (status, body) = match path.as_str() {
                    "/.well-known/openid-configuration" => (
                        "200 OK",
                        json!({"issuer": base, "jwks_uri": format!("{base}/keys")}).to_string(),
                    ),
                    "/keys" => ("200 OK", set.lock().unwrap().clone()),
                    _ => ("404 Not Found", String::new()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Issuer { url, jwks, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn token(&self, kid: &str, pem: &[u8]) -> String {
        let mut c = claims();
        c["iss"] = json!(self.url);
        sign(Algorithm::RS256, Some(kid), &rsa_key(pem), &c)
    }

    fn provider(&self) -> ProviderConfig {
        ProviderConfig::new(&self.url, [CLIENT])
    }
}

fn loopback_store() -> KeyStore {
    KeyStore::new(Arc::new(UreqFetcher::allowing_http())).allow_loopback_http(true)
}

fn rsa1_jwks() -> String {
    jwks_json(&[public_jwk(&rsa_key(RSA1), Algorithm::RS256, Some("rsa-1"))])
}

#[test]
fn discovers_verifies_and_caches() {
    let issuer = Issuer::start(rsa1_jwks());
    let store = loopback_store().with_ttl(60);
    let token = issuer.token("rsa-1", RSA1);
    let v = store.verify(&token, &issuer.provider(), NOW).unwrap();
    assert_eq!(v.aud, CLIENT);
    assert_eq!(issuer.hits(), 2, "discovery document and JWKS");
    store.verify(&token, &issuer.provider(), NOW + 10).unwrap();
    assert_eq!(issuer.hits(), 2, "cached");
    // After the TTL the set is fetched again.
    store.verify(&token, &issuer.provider(), NOW + 61).unwrap();
    assert_eq!(issuer.hits(), 4);
}

#[test]
fn unknown_kid_refreshes_at_most_every_30s() {
    let issuer = Issuer::start(rsa1_jwks());
    let store = loopback_store();
    store
        .verify(&issuer.token("rsa-1", RSA1), &issuer.provider(), NOW)
        .unwrap();
    // The issuer rotates in a new key.
    *issuer.jwks.lock().unwrap() = jwks_json(&[
        public_jwk(&rsa_key(RSA1), Algorithm::RS256, Some("rsa-1")),
        public_jwk(&rsa_key(RSA2), Algorithm::RS256, Some("rsa-2")),
    ]);
    let rotated = issuer.token("rsa-2", RSA2);
    let e = store
        .verify(&rotated, &issuer.provider(), NOW + 5)
        .unwrap_err();
    assert!(matches!(e, OidcError::KeyRetrieval(_)), "{e}");
    assert_eq!(issuer.hits(), 2, "no refetch within 30 s of the last fetch");
    store
        .verify(&rotated, &issuer.provider(), NOW + 40)
        .unwrap();
    assert_eq!(issuer.hits(), 4);
}

#[test]
fn plain_http_needs_loopback_permission() {
    let issuer = Issuer::start(rsa1_jwks());
    let store = KeyStore::new(Arc::new(UreqFetcher::allowing_http()));
    let e = store
        .verify(&issuer.token("rsa-1", RSA1), &issuer.provider(), NOW)
        .unwrap_err();
    assert!(matches!(e, OidcError::KeyRetrieval(_)), "{e}");
    assert_eq!(issuer.hits(), 0);
    // Non-loopback http is refused even when loopback is allowed.
    let store = loopback_store();
    assert!(matches!(
        store.jwks("http://example.com", NOW).unwrap_err(),
        OidcError::KeyRetrieval(_)
    ));
}

#[test]
fn static_source_needs_no_network() {
    let store = KeyStore::with_ureq().discover_unconfigured(false);
    let provider = ProviderConfig::new(ISSUER, [CLIENT]);
    let token = rs256(&claims());
    let e = store.verify(&token, &provider, NOW).unwrap_err();
    assert_eq!(e.message(), iamd_oidc::MSG_KEY_RETRIEVAL);
    store.set_source(
        ISSUER,
        JwksSource::from_json(&standard_jwks_json()).unwrap(),
    );
    assert_eq!(
        store.verify(&token, &provider, NOW).unwrap().sub,
        claims()["sub"]
    );

    let dir = std::env::temp_dir().join(format!("iamd-oidc-jwks-{}.json", std::process::id()));
    std::fs::write(&dir, standard_jwks_json()).unwrap();
    let from_file = JwksSource::from_file(&dir).unwrap();
    std::fs::remove_file(&dir).unwrap();
    let store = KeyStore::with_ureq().discover_unconfigured(false);
    store.set_source(ISSUER, from_file);
    assert!(store.verify(&token, &provider, NOW).is_ok());
}

#[test]
fn unreachable_issuer_is_idp_communication_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let store = loopback_store();
    let e = store.jwks(&url, NOW).unwrap_err();
    assert_eq!(e.code(), "IDPCommunicationError", "{e}");
}

#[test]
fn wrong_issuer_before_any_fetch() {
    let issuer = Issuer::start(rsa1_jwks());
    let store = loopback_store();
    let other = ProviderConfig::new("https://someone.example.com", [CLIENT]);
    let e = store
        .verify(&issuer.token("rsa-1", RSA1), &other, NOW)
        .unwrap_err();
    assert!(matches!(e, OidcError::NoProvider { .. }));
    assert_eq!(issuer.hits(), 0);
}
