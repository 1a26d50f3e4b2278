#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use iamd_oidc::{Jwks, OidcError, ProviderConfig, verify};
use jsonwebtoken::{Algorithm, EncodingKey};
use proptest::prelude::*;
use serde_json::json;

fn provider() -> ProviderConfig {
    ProviderConfig::new(ISSUER, [CLIENT, "other-client"])
}

fn jwks() -> Jwks {
    Jwks::from_json(&standard_jwks_json()).unwrap()
}

fn check(token: &str) -> Result<iamd_oidc::VerifiedToken, OidcError> {
    verify(token, &provider(), &jwks(), NOW)
}

#[test]
fn good_rs256_token() {
    let v = check(&rs256(&claims())).unwrap();
    assert_eq!(v.sub, "repo:octo/app:ref:refs/heads/main");
    assert_eq!(v.aud, CLIENT);
    assert_eq!(v.iss, ISSUER);
    assert_eq!(v.amr, vec!["pwd", "mfa"]);
    assert_eq!(v.exp, NOW + 3600);
    assert_eq!(v.iat, Some(NOW - 10));
    assert_eq!(v.alg, "RS256");
    assert_eq!(v.kid.as_deref(), Some("rsa-1"));
    assert_eq!(v.provider_name, "issuer.example.com");
    let k = &v.condition_keys;
    assert_eq!(k["issuer.example.com:sub"], vec![v.sub.clone()]);
    assert_eq!(k["issuer.example.com:aud"], vec![CLIENT.to_owned()]);
    assert_eq!(k["issuer.example.com:amr"], vec!["pwd", "mfa"]);
    assert!(!k.contains_key("issuer.example.com:oaud"));
    assert_eq!(v.claims["sub"], json!(v.sub));
}

#[test]
fn good_es256_and_ps256_and_es384_tokens() {
    let t = sign(Algorithm::ES256, Some("ec-1"), &ec_key(EC256), &claims());
    assert_eq!(check(&t).unwrap().alg, "ES256");
    // rsa-1 is published with "alg": "RS256", so PS256 under it is refused...
    let t = sign(Algorithm::PS256, Some("rsa-1"), &rsa_key(RSA1), &claims());
    assert!(matches!(check(&t).unwrap_err(), OidcError::KeyRetrieval(_)));
    // ...and accepted from a JWK that does not pin its algorithm.
    let mut k = public_jwk(&rsa_key(RSA1), Algorithm::PS256, Some("rsa-1"));
    k.as_object_mut().unwrap().remove("alg");
    let set = Jwks::from_json(&jwks_json(&[k])).unwrap();
    assert_eq!(verify(&t, &provider(), &set, NOW).unwrap().alg, "PS256");
    let set = Jwks::from_json(&jwks_json(&[public_jwk(
        &ec_key(EC384),
        Algorithm::ES384,
        Some("ec-384"),
    )]))
    .unwrap();
    let t = sign(Algorithm::ES384, Some("ec-384"), &ec_key(EC384), &claims());
    assert_eq!(verify(&t, &provider(), &set, NOW).unwrap().alg, "ES384");
}

#[test]
fn single_key_jwks_without_kid() {
    let set = Jwks::from_json(&jwks_json(&[public_jwk(
        &rsa_key(RSA1),
        Algorithm::RS256,
        None,
    )]))
    .unwrap();
    // Token without kid, and token with a kid the set does not name: both use the lone key.
    let t = sign(Algorithm::RS256, None, &rsa_key(RSA1), &claims());
    assert!(verify(&t, &provider(), &set, NOW).is_ok());
    let t = sign(
        Algorithm::RS256,
        Some("whatever"),
        &rsa_key(RSA1),
        &claims(),
    );
    assert!(verify(&t, &provider(), &set, NOW).is_ok());
}

#[test]
fn wrong_signature() {
    // Signed by rsa2 but claiming rsa-1's kid.
    let t = sign(Algorithm::RS256, Some("rsa-1"), &rsa_key(RSA2), &claims());
    let e = check(&t).unwrap_err();
    assert_eq!(e, OidcError::InvalidSignature);
    assert_eq!(e.code(), "InvalidIdentityToken");
    assert_eq!(e.status(), 400);
    // A tampered payload under a good signature.
    let good = rs256(&claims());
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut c = claims();
    c["sub"] = json!("someone-else");
    parts[1] = URL_SAFE_NO_PAD.encode(c.to_string());
    assert_eq!(
        check(&parts.join(".")).unwrap_err(),
        OidcError::InvalidSignature
    );
}

#[test]
fn unknown_kid() {
    let t = sign(Algorithm::RS256, Some("rotated"), &rsa_key(RSA1), &claims());
    let e = check(&t).unwrap_err();
    assert!(matches!(e, OidcError::KeyRetrieval(_)));
    assert_eq!(e.code(), "InvalidIdentityToken");
    assert_eq!(
        e.message(),
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
    );
}

#[test]
fn kid_of_other_key_type_is_not_used() {
    // ES256 token naming the RSA key's kid: no fitting key.
    let t = sign(Algorithm::ES256, Some("rsa-1"), &ec_key(EC256), &claims());
    assert!(matches!(check(&t).unwrap_err(), OidcError::KeyRetrieval(_)));
}

#[test]
fn alg_none_refused() {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims().to_string());
    let e = check(&format!("{header}.{body}.")).unwrap_err();
    assert_eq!(e, OidcError::Malformed);
    let e = check(&format!("{header}.{body}.AAAA")).unwrap_err();
    assert_eq!(e, OidcError::UnsupportedAlgorithm("none".into()));
    assert_eq!(e.code(), "InvalidIdentityToken");
}

#[test]
fn hs256_with_public_key_as_secret_refused() {
    // The algorithm confusion attack: HMAC keyed with the provider's public key.
    let t = sign(
        Algorithm::HS256,
        Some("rsa-1"),
        &EncodingKey::from_secret(RSA1_PUB),
        &claims(),
    );
    assert_eq!(
        check(&t).unwrap_err(),
        OidcError::UnsupportedAlgorithm("HS256".into())
    );
    // Also with a JWKS that (wrongly) publishes the secret as a symmetric key.
    let set = Jwks::from_json(&jwks_json(&[json!({
        "kty": "oct", "kid": "rsa-1", "k": URL_SAFE_NO_PAD.encode(RSA1_PUB)
    })]))
    .unwrap();
    assert!(set.is_empty());
    assert!(verify(&t, &provider(), &set, NOW).is_err());
}

#[test]
fn expired() {
    let mut c = claims();
    c["exp"] = json!(NOW - 1);
    let e = check(&rs256(&c)).unwrap_err();
    assert_eq!(
        e,
        OidcError::Expired {
            now: NOW,
            exp: NOW - 1
        }
    );
    assert_eq!(e.code(), "ExpiredTokenException");
    assert_eq!(e.status(), 400);
    assert_eq!(
        e.message(),
        format!(
            "Token expired: current date/time {NOW} must be before the expiration date/time {}",
            NOW - 1
        )
    );
    // exp == now is expired too (no leeway on exp).
    c["exp"] = json!(NOW);
    assert!(matches!(
        check(&rs256(&c)).unwrap_err(),
        OidcError::Expired { .. }
    ));
}

#[test]
fn missing_exp() {
    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    let e = check(&rs256(&c)).unwrap_err();
    assert_eq!(e, OidcError::MissingClaim("exp"));
    assert_eq!(e.message(), "Missing a required claim: exp");
}

#[test]
fn not_yet_valid_beyond_leeway() {
    let mut c = claims();
    c["nbf"] = json!(NOW + 301);
    assert!(matches!(
        check(&rs256(&c)).unwrap_err(),
        OidcError::NotYetValid { .. }
    ));
    c["nbf"] = json!(NOW + 300);
    assert!(check(&rs256(&c)).is_ok(), "within the 300 s leeway");
    let mut c = claims();
    c["iat"] = json!(NOW + 1000);
    let e = check(&rs256(&c)).unwrap_err();
    assert!(matches!(e, OidcError::IssuedInFuture { .. }));
    assert_eq!(e.code(), "InvalidIdentityToken");
}

#[test]
fn wrong_issuer() {
    let mut c = claims();
    c["iss"] = json!("https://evil.example.com");
    let e = check(&rs256(&c)).unwrap_err();
    assert_eq!(
        e.message(),
        "No OpenIDConnect provider found in your account for https://evil.example.com"
    );
    assert_eq!(e.code(), "InvalidIdentityToken");
}

#[test]
fn trailing_slash_must_agree() {
    let mut c = claims();
    c["iss"] = json!(format!("{ISSUER}/"));
    let t = rs256(&c);
    let e = check(&t).unwrap_err();
    assert_eq!(
        e.message(),
        "No OpenIDConnect provider found in your account for https://issuer.example.com/"
    );
    let with_slash = ProviderConfig::from_iam_name("issuer.example.com/", [CLIENT]);
    let v = verify(&t, &with_slash, &jwks(), NOW).unwrap();
    assert!(v.condition_keys.contains_key("issuer.example.com/:sub"));
}

#[test]
fn wrong_audience() {
    let mut c = claims();
    c["aud"] = json!("somebody-else");
    let e = check(&rs256(&c)).unwrap_err();
    assert_eq!(e, OidcError::IncorrectAudience);
    assert_eq!(e.message(), "Incorrect token audience");
    c.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        check(&rs256(&c)).unwrap_err(),
        OidcError::MissingClaim("aud")
    );
}

#[test]
fn audience_array() {
    let mut c = claims();
    c["aud"] = json!(["api://x", "other-client"]);
    let v = check(&rs256(&c)).unwrap();
    assert_eq!(v.aud, "other-client");
    assert_eq!(v.audiences, vec!["api://x", "other-client"]);
    c["aud"] = json!(["api://x", "api://y"]);
    assert_eq!(check(&rs256(&c)).unwrap_err(), OidcError::IncorrectAudience);
}

#[test]
fn azp_maps_aud_and_oaud() {
    let mut c = claims();
    c["aud"] = json!(["api://x", "https://issuer.example.com/userinfo"]);
    c["azp"] = json!(CLIENT);
    let v = check(&rs256(&c)).unwrap();
    assert_eq!(v.aud, CLIENT);
    assert_eq!(v.condition_keys["issuer.example.com:aud"], vec![CLIENT]);
    assert_eq!(
        v.condition_keys["issuer.example.com:oaud"],
        vec!["api://x", "https://issuer.example.com/userinfo"]
    );
}

#[test]
fn missing_sub() {
    let mut c = claims();
    c.as_object_mut().unwrap().remove("sub");
    let e = check(&rs256(&c)).unwrap_err();
    assert_eq!(e, OidcError::MissingClaim("sub"));
    assert_eq!(e.message(), "Missing a required claim: sub");
    c["sub"] = json!(42);
    assert_eq!(
        check(&rs256(&c)).unwrap_err(),
        OidcError::InvalidClaim("sub")
    );
}

#[test]
fn amr_as_string_and_float_dates() {
    let mut c = claims();
    c["amr"] = json!("authenticated");
    c["exp"] = json!((NOW + 60) as f64 + 0.5);
    let v = check(&rs256(&c)).unwrap();
    assert_eq!(v.amr, vec!["authenticated"]);
    assert_eq!(v.exp, NOW + 60);
    c["exp"] = json!("tomorrow");
    assert_eq!(
        check(&rs256(&c)).unwrap_err(),
        OidcError::InvalidClaim("exp")
    );
}

#[test]
fn google_keys() {
    let google = ProviderConfig::from_iam_name("accounts.google.com", ["1234567890"]);
    let mut c = claims();
    c["iss"] = json!("accounts.google.com");
    c["aud"] = json!("sts.amazonaws.com");
    c["azp"] = json!("1234567890");
    c["sub"] = json!("1234567890");
    let v = verify(&rs256(&c), &google, &jwks(), NOW).unwrap();
    let k = &v.condition_keys;
    assert_eq!(k["accounts.google.com:aud"], vec!["1234567890"]);
    assert_eq!(k["accounts.google.com:oaud"], vec!["sts.amazonaws.com"]);
    assert_eq!(k["accounts.google.com:sub"], vec!["1234567890"]);
    assert!(!k.contains_key("accounts.google.com:amr"));
    c["iss"] = json!("https://accounts.google.com");
    assert!(verify(&rs256(&c), &google, &jwks(), NOW).is_ok());
}

#[test]
fn facebook_and_amazon_keys() {
    for (name, user_key) in [("graph.facebook.com", "id"), ("www.amazon.com", "user_id")] {
        let p = ProviderConfig::from_iam_name(name, ["app-1"]);
        let mut c = claims();
        c["iss"] = json!(format!("https://{name}"));
        c["aud"] = json!("app-1");
        c["sub"] = json!("user-9");
        let v = verify(&rs256(&c), &p, &jwks(), NOW).unwrap();
        let keys: Vec<&String> = v.condition_keys.keys().collect();
        assert_eq!(
            keys,
            vec![&format!("{name}:app_id"), &format!("{name}:{user_key}")]
        );
        assert_eq!(
            v.condition_keys[&format!("{name}:{user_key}")],
            vec!["user-9"]
        );
        assert_eq!(v.condition_keys[&format!("{name}:app_id")], vec!["app-1"]);
    }
}

#[test]
fn jwks_skips_unknown_and_unusable_keys() {
    let text = jwks_json(&[
        json!({"kty": "weird", "kid": "w"}),
        json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"}),
        json!({"kty": "EC", "kid": "p521", "crv": "P-521", "x": "AA", "y": "AA"}),
        json!({"kty": "oct", "kid": "sym", "k": "c2VjcmV0"}),
        json!("not an object"),
        public_jwk(&rsa_key(RSA1), Algorithm::RS256, Some("rsa-1")),
    ]);
    let set = Jwks::from_json(&text).unwrap();
    assert_eq!(set.len(), 1);
    assert!(set.has_kid("rsa-1"));
    assert!(Jwks::from_json("{}").is_err());
    assert!(Jwks::from_json("nope").is_err());
    assert!(Jwks::from_json(r#"{"keys":[]}"#).unwrap().is_empty());
}

#[test]
fn jwk_alg_must_match_header() {
    let mut k = public_jwk(&rsa_key(RSA1), Algorithm::RS256, Some("rsa-1"));
    k["alg"] = json!("RS512");
    let set = Jwks::from_json(&jwks_json(&[k])).unwrap();
    let e = verify(&rs256(&claims()), &provider(), &set, NOW).unwrap_err();
    assert!(matches!(e, OidcError::KeyRetrieval(_)));
}

#[test]
fn error_codes_and_statuses() {
    let e = OidcError::IdpRejectedClaim(String::new());
    assert_eq!((e.code(), e.status()), ("IDPRejectedClaim", 403));
    let e = OidcError::IdpCommunication("timeout".into());
    assert_eq!((e.code(), e.status()), ("IDPCommunicationError", 400));
    assert!(e.to_string().starts_with("IDPCommunicationError: "));
}

#[test]
fn peek_issuer_reads_unverified_iss() {
    assert_eq!(iamd_oidc::peek_issuer(&rs256(&claims())).unwrap(), ISSUER);
    assert_eq!(
        iamd_oidc::provider_name_for_issuer("https://token.actions.githubusercontent.com"),
        "token.actions.githubusercontent.com"
    );
    assert_eq!(
        iamd_oidc::provider_name_for_issuer("accounts.google.com"),
        "accounts.google.com"
    );
}

#[test]
fn oversized_token_refused() {
    let big = "a".repeat(iamd_oidc::MAX_TOKEN_LEN + 1);
    assert_eq!(check(&big).unwrap_err(), OidcError::Malformed);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn garbage_never_panics(s in ".{0,400}") {
        prop_assert!(check(&s).is_err());
    }

    #[test]
    fn dotted_garbage_never_panics(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,80}", c in "[A-Za-z0-9_-]{0,80}") {
        let t = [a, b, c].join(".");
        prop_assert!(check(&t).is_err());
    }

    #[test]
    fn json_garbage_never_panics(
        alg in prop::sample::select(vec!["RS256", "ES256", "none", "HS256", "PS512", "x"]),
        kid in "\\PC{0,10}",
        body in "\\PC{0,200}",
    ) {
        let h = json!({"alg": alg, "kid": kid}).to_string();
        let t = format!("{}.{}.c2ln", URL_SAFE_NO_PAD.encode(h), URL_SAFE_NO_PAD.encode(body));
        prop_assert!(check(&t).is_err());
    }

    #[test]
    fn mutated_token_never_verifies(pos in 0usize..600, byte in any::<u8>()) {
        let good = rs256(&claims());
        let mut bytes = good.clone().into_bytes();
        let pos = pos % bytes.len();
        prop_assume!(bytes[pos] != byte);
        bytes[pos] = byte;
        if let Ok(t) = String::from_utf8(bytes) {
            // Either refused, or (base64 slack bits in the last char) the same claims.
            if let Ok(v) = check(&t) {
                prop_assert_eq!(v.claims, check(&good).unwrap().claims);
            }
        }
    }
}
