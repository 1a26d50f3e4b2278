//! Tests of sealing and opening against the key ring.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

use crate::*;

static RING: std::sync::LazyLock<KeyRing> =
    std::sync::LazyLock::new(|| KeyRing::generate(NOW).unwrap());

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const ACCOUNT: &str = "123456789012";

fn role_session(creds: &Credentials) -> Session {
    Session {
        version: SESSION_VERSION,
        access_key_id: creds.access_key_id.clone(),
        secret_access_key: creds.secret_access_key.clone(),
        account: ACCOUNT.into(),
        principal: SessionPrincipal::AssumedRole {
            role_arn: format!("arn:aws:iam::{ACCOUNT}:role/eng/deployer"),
            role_id: "AROAEXAMPLEROLEID1234".into(),
            session_name: "ci-run-42".into(),
            federated_provider: None,
        },
        arn: assumed_role_arn(ACCOUNT, "deployer", "ci-run-42"),
        user_id: assumed_role_user_id("AROAEXAMPLEROLEID1234", "ci-run-42"),
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
                .into(),
        ),
        policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
        mfa_authenticated: true,
        mfa_auth_time: Some(NOW - 30),
        tags: vec![
            SessionTag::new("team", "platform"),
            SessionTag::new("CostCenter", "1234"),
        ],
        transitive_tag_keys: vec!["team".into()],
        source_identity: Some("alice".into()),
        issued_at: NOW,
        expires_at: NOW + 3600,
        issuer: format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        chain_depth: 0,
        key_id: 0,
    }
}

fn setup() -> (KeyRing, Credentials, Session) {
    let ring = KeyRing::generate(NOW - 86_400).unwrap();
    let creds = mint_credentials().unwrap();
    let session = role_session(&creds);
    (ring, creds, session)
}

fn with_key_id(mut s: Session, id: u32) -> Session {
    s.key_id = id;
    s
}

#[test]
fn round_trip() {
    let (ring, creds, session) = setup();
    let token = seal(&session, &ring).unwrap();
    let opened = open(&token, &ring, NOW + 10).unwrap();
    assert_eq!(opened, with_key_id(session.clone(), 1));
    let opened = open_for(&token, &creds.access_key_id, &ring, NOW + 10).unwrap();
    assert_eq!(opened.secret_access_key, creds.secret_access_key);
    assert_eq!(opened.mfa_age(NOW + 10), Some(40));
    assert_eq!(opened.tag("TEAM"), Some("platform"));
    assert_eq!(opened.transitive_tags().count(), 1);
    assert_eq!(opened.role_session_name(), Some("ci-run-42"));
    assert!(!opened.is_chained());
    assert_eq!(peek_key_id(&token), Ok(1));
}

#[test]
fn every_principal_kind_round_trips() {
    let (ring, creds, base) = setup();
    let kinds = [
        SessionPrincipal::FederatedUser {
            name: "bob".into(),
            issuer_user_arn: format!("arn:aws:iam::{ACCOUNT}:user/alice"),
        },
        SessionPrincipal::SessionOf(SessionOwner::User {
            user_arn: format!("arn:aws:iam::{ACCOUNT}:user/alice"),
            user_id: "AIDAEXAMPLEUSERID123".into(),
        }),
        SessionPrincipal::SessionOf(SessionOwner::Root),
        SessionPrincipal::AssumedRole {
            role_arn: format!("arn:aws:iam::{ACCOUNT}:role/web"),
            role_id: "AROAWEB".into(),
            session_name: "s".into(),
            federated_provider: Some("accounts.google.com".into()),
        },
    ];
    for principal in kinds {
        let s = Session {
            principal,
            policy: None,
            tags: vec![],
            chain_depth: 3,
            ..base.clone()
        };
        let token = seal(&s, &ring).unwrap();
        let opened = open_for(&token, &creds.access_key_id, &ring, NOW).unwrap();
        assert_eq!(opened, with_key_id(s.clone(), 1));
        assert!(opened.is_chained());
        // The persisted (JSON) form round-trips too.
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), s);
    }
}

#[test]
fn every_single_byte_flip_is_refused() {
    let (ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
    for i in 0..raw.len() {
        for bit in 0..8 {
            let mut bad = raw.clone();
            bad[i] ^= 1 << bit;
            let bad = URL_SAFE_NO_PAD.encode(&bad);
            let err = open(&bad, &ring, NOW).unwrap_err();
            assert!(
                err.code() == "InvalidClientTokenId",
                "byte {i} bit {bit}: {err:?}"
            );
        }
    }
}

#[test]
fn every_single_character_change_is_refused() {
    let (ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=";
    let bytes = token.as_bytes();
    // Every position with a few replacements (all of them would be ~40k opens).
    for i in 0..bytes.len() {
        for c in alphabet.bytes().skip(i % 7).step_by(7) {
            if c == bytes[i] {
                continue;
            }
            let mut bad = bytes.to_vec();
            bad[i] = c;
            let bad = String::from_utf8(bad).unwrap();
            assert!(
                open(&bad, &ring, NOW).is_err(),
                "position {i} -> {}",
                c as char
            );
        }
    }
    // Truncation and extension are refused too.
    assert!(open(&token[..token.len() - 1], &ring, NOW).is_err());
    assert!(open(&format!("{token}A"), &ring, NOW).is_err());
    assert!(open(&format!("{token}AA"), &ring, NOW).is_err());
}

#[test]
fn header_is_authenticated() {
    let (mut ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    ring.rotate(NOW).unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
    // Point the token at the other (existing) key: authentication fails.
    raw[1..5].copy_from_slice(&2u32.to_be_bytes());
    let bad = URL_SAFE_NO_PAD.encode(&raw);
    assert_eq!(open(&bad, &ring, NOW), Err(TokenError::Tampered));
    // Unknown layout version.
    raw[1..5].copy_from_slice(&1u32.to_be_bytes());
    raw[0] = 2;
    let bad = URL_SAFE_NO_PAD.encode(&raw);
    assert_eq!(open(&bad, &ring, NOW), Err(TokenError::Malformed));
}

#[test]
fn wrong_key_ring() {
    let (ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    // Another ring whose key has the same id: authentication fails.
    let other = KeyRing::generate(NOW).unwrap();
    assert_eq!(open(&token, &other, NOW), Err(TokenError::Tampered));
    // A ring without that id.
    let mut other = KeyRing::generate(NOW).unwrap();
    other.keys[0].id = 7;
    assert_eq!(open(&token, &other, NOW), Err(TokenError::UnknownKey));
    assert_eq!(
        open(&token, &KeyRing::default(), NOW),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn rotation_keeps_old_tokens_until_the_key_goes() {
    let (mut ring, _, session) = setup();
    let old = seal(&session, &ring).unwrap();
    assert_eq!(ring.rotate(NOW).unwrap(), 2);
    assert_eq!(ring.sealing_key().map(|k| k.id), Some(2));
    assert!(ring.get(1).unwrap().retired);
    let new = seal(&session, &ring).unwrap();
    assert_eq!(peek_key_id(&new), Ok(2));
    assert_eq!(open(&old, &ring, NOW).unwrap().key_id, 1);
    assert_eq!(open(&new, &ring, NOW).unwrap().key_id, 2);

    // The ring persists and reloads (keys as base64).
    let json = serde_json::to_string(&ring).unwrap();
    assert!(json.contains("\"key\":\""), "{json}");
    let reloaded: KeyRing = serde_json::from_str(&json).unwrap();
    assert_eq!(reloaded, ring);
    assert_eq!(open(&old, &reloaded, NOW).unwrap().key_id, 1);
    assert!(!format!("{ring:?}").contains(&json[json.find("\"key\":\"").unwrap() + 7..][..20]));

    // Pruning keeps key 1 while a token of it may live, then drops it.
    assert_eq!(ring.prune(NOW + MAX_SESSION_SECS - 1, MAX_SESSION_SECS), 0);
    assert_eq!(ring.prune(NOW + MAX_SESSION_SECS, MAX_SESSION_SECS), 1);
    assert_eq!(open(&old, &ring, NOW), Err(TokenError::UnknownKey));
    assert!(open(&new, &ring, NOW).is_ok());

    // Removing the sealing key: no key seals any more.
    ring.remove(2).unwrap();
    assert_eq!(seal(&session, &ring), Err(TokenError::NoSealingKey));
}

#[test]
fn retired_ring_keys_open_but_do_not_seal() {
    let (mut ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    assert!(ring.retire(1));
    assert!(!ring.retire(9));
    assert_eq!(seal(&session, &ring), Err(TokenError::NoSealingKey));
    assert!(open(&token, &ring, NOW).is_ok());
}

#[test]
fn expiry() {
    let (ring, creds, session) = setup();
    let token = seal(&session, &ring).unwrap();
    assert!(open(&token, &ring, NOW + 3599).is_ok());
    assert_eq!(open(&token, &ring, NOW + 3600), Err(TokenError::Expired));
    assert_eq!(
        open_for(&token, &creds.access_key_id, &ring, NOW + 7200),
        Err(TokenError::Expired)
    );
    // Expired tokens still open for diagnostics.
    assert!(open_unexpired_or_not(&token, &ring).is_ok());
}

#[test]
fn access_key_must_match() {
    let (ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    let other = mint_credentials().unwrap();
    assert_eq!(
        open_for(&token, &other.access_key_id, &ring, NOW),
        Err(TokenError::AccessKeyMismatch)
    );
    // A mismatched key is invalid even when the token has also expired.
    assert_eq!(
        open_for(&token, &other.access_key_id, &ring, NOW + 10_000),
        Err(TokenError::AccessKeyMismatch)
    );
}

#[test]
fn seal_refuses_a_long_term_key() {
    let (ring, _, mut session) = setup();
    session.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
    assert!(matches!(
        seal(&session, &ring),
        Err(TokenError::InvalidSession(_))
    ));
}

#[test]
fn nonces_differ() {
    let (ring, _, session) = setup();
    assert_ne!(
        seal(&session, &ring).unwrap(),
        seal(&session, &ring).unwrap()
    );
}

#[test]
fn token_alphabet_survives_headers_and_queries() {
    let (ring, _, session) = setup();
    let token = seal(&session, &ring).unwrap();
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
}

#[test]
fn token_size() {
    let (ring, _, mut session) = setup();
    let typical = seal(&session, &ring).unwrap();
    // A realistic 2 KB session policy.
    let mut statements = Vec::new();
    let mut i = 0;
    loop {
        let stmt = format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-{i}/*","Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"platform"}}}}}}"#
        );
        statements.push(stmt);
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        );
        if policy.len() >= 2048 {
            session.policy = Some(policy);
            break;
        }
        i += 1;
    }
    let policy_len = session.policy.as_ref().map_or(0, String::len);
    let big = seal(&session, &ring).unwrap();
    println!(
        "token size: typical session with a 94-byte policy {} chars; with a {policy_len}-byte policy {} chars",
        typical.len(),
        big.len()
    );
    assert!(typical.len() < 1024, "{}", typical.len());
    assert!(big.len() < 3584, "{}", big.len());
    assert_eq!(open(&big, &ring, NOW).unwrap().policy, session.policy);
}

#[test]
fn error_mapping() {
    for e in [
        TokenError::Malformed,
        TokenError::UnknownKey,
        TokenError::Tampered,
        TokenError::AccessKeyMismatch,
    ] {
        assert_eq!(e.code(), "InvalidClientTokenId");
        assert_eq!(e.status(), 403);
        assert_eq!(
            e.message(),
            "The security token included in the request is invalid."
        );
        assert!(e.is_client_error());
    }
    let e = TokenError::Expired;
    assert_eq!(e.code(), "ExpiredToken");
    assert_eq!(e.status(), 403);
    assert_eq!(
        e.message(),
        "The security token included in the request is expired"
    );
    assert_eq!(TokenError::NoSealingKey.status(), 500);
    assert_eq!(TokenError::Internal.error_type(), "Receiver");
    assert!(
        TokenError::Tampered
            .to_string()
            .starts_with("InvalidClientTokenId")
    );
}

#[test]
fn debug_hides_secrets() {
    let (ring, _, session) = setup();
    let shown = format!("{session:?}");
    assert!(!shown.contains(&session.secret_access_key));
    assert!(shown.contains("<redacted>"));
    assert!(format!("{ring:?}").contains("<redacted>"));
}

#[test]
fn arn_helpers() {
    assert_eq!(
        federated_user_arn(ACCOUNT, "bob"),
        "arn:aws:sts::123456789012:federated-user/bob"
    );
    assert_eq!(federated_user_id(ACCOUNT, "bob"), "123456789012:bob");
    assert_eq!(
        assumed_role_arn(ACCOUNT, "r", "s"),
        "arn:aws:sts::123456789012:assumed-role/r/s"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,600}") {
        prop_assert!(open(&s, &RING, NOW).is_err());
    }

    #[test]
    fn arbitrary_tokens_with_a_valid_header_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        id in 0u32..3,
    ) {
        let mut raw = vec![TOKEN_VERSION];
        raw.extend_from_slice(&id.to_be_bytes());
        raw.extend_from_slice(&body);
        let token = URL_SAFE_NO_PAD.encode(&raw);
        prop_assert!(open(&token, &RING, NOW).is_err());
    }

    #[test]
    fn base64ish_strings_never_panic(s in "[A-Za-z0-9_-]{0,800}") {
        prop_assert!(open(&s, &RING, NOW).is_err());
    }
}
