//! Test helpers: signing keys from the fixtures, JWKS built from them, token minting.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub const RSA1: &[u8] = include_bytes!("../fixtures/rsa1.pem");
pub const RSA1_PUB: &[u8] = include_bytes!("../fixtures/rsa1.pub.pem");
pub const RSA2: &[u8] = include_bytes!("../fixtures/rsa2.pem");
pub const EC256: &[u8] = include_bytes!("../fixtures/ec256.pem");
pub const EC384: &[u8] = include_bytes!("../fixtures/ec384.pem");

pub const ISSUER: &str = "https://issuer.example.com";
pub const CLIENT: &str = "sts.amazonaws.com";
pub const NOW: i64 = 1_750_000_000;

pub fn rsa_key(pem: &[u8]) -> EncodingKey {
    EncodingKey::from_rsa_pem(pem).unwrap()
}

pub fn ec_key(pem: &[u8]) -> EncodingKey {
    EncodingKey::from_ec_pem(pem).unwrap()
}

/// The public JWK of a private key, with a `kid` (or none).
pub fn public_jwk(key: &EncodingKey, alg: Algorithm, kid: Option<&str>) -> Value {
    let jwk = Jwk::from_encoding_key(key, alg).unwrap();
    let mut v = serde_json::to_value(&jwk).unwrap();
    let obj = v.as_object_mut().unwrap();
    match kid {
        Some(k) => {
            obj.insert("kid".into(), json!(k));
        }
        None => {
            obj.remove("kid");
        }
    }
    obj.insert("use".into(), json!("sig"));
    v
}

pub fn jwks_json(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// The usual JWKS: rsa1 as "rsa-1" (RS256) and ec256 as "ec-1" (ES256).
pub fn standard_jwks_json() -> String {
    jwks_json(&[
        public_jwk(&rsa_key(RSA1), Algorithm::RS256, Some("rsa-1")),
        public_jwk(&ec_key(EC256), Algorithm::ES256, Some("ec-1")),
    ])
}

pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "repo:octo/app:ref:refs/heads/main",
        "aud": CLIENT,
        "iat": NOW - 10,
        "nbf": NOW - 10,
        "exp": NOW + 3600,
        "amr": ["pwd", "mfa"],
    })
}

pub fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

pub fn rs256(claims: &Value) -> String {
    sign(Algorithm::RS256, Some("rsa-1"), &rsa_key(RSA1), claims)
}
