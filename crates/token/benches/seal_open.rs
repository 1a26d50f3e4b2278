//! Sealing and opening a realistic assumed-role session token (session policy, tags, MFA), and
//! the parts of the cost (`part:` benches: base64, key setup, GCM, postcard, getrandom).
//!
//! Run: `cargo bench -p iamd-token --bench seal_open`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use iamd_token::{
    KeyRing, SESSION_VERSION, Session, SessionPrincipal, SessionTag, assumed_role_arn,
    assumed_role_user_id, mint_credentials, open, open_for, seal,
};

const NOW: i64 = 1_767_225_600;

fn session() -> Session {
    let creds = mint_credentials().unwrap();
    Session {
        version: SESSION_VERSION,
        access_key_id: creds.access_key_id,
        secret_access_key: creds.secret_access_key,
        account: "123456789012".into(),
        principal: SessionPrincipal::AssumedRole {
            role_arn: "arn:aws:iam::123456789012:role/eng/deployer".into(),
            role_id: "AROAEXAMPLEROLEID1234".into(),
            session_name: "ci-run-42".into(),
            federated_provider: None,
        },
        arn: assumed_role_arn("123456789012", "deployer", "ci-run-42"),
        user_id: assumed_role_user_id("AROAEXAMPLEROLEID1234", "ci-run-42"),
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
                .into(),
        ),
        policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
        mfa_authenticated: true,
        mfa_auth_time: Some(NOW - 30),
        tags: vec![SessionTag::new("team", "platform")],
        transitive_tag_keys: vec!["team".into()],
        source_identity: Some("alice".into()),
        issued_at: NOW,
        expires_at: NOW + 3600,
        issuer: "arn:aws:iam::123456789012:user/alice".into(),
        chain_depth: 0,
        key_id: 0,
    }
}

fn bench(c: &mut Criterion) {
    let mut ring = KeyRing::generate(NOW - 86_400).unwrap();
    let s = session();
    let old = seal(&s, &ring).unwrap();
    ring.rotate(NOW).unwrap();
    let token = seal(&s, &ring).unwrap();
    println!("token: {} chars", token.len());

    c.bench_function("seal", |b| b.iter(|| seal(black_box(&s), &ring).unwrap()));
    c.bench_function("open", |b| {
        b.iter(|| open(black_box(&token), &ring, NOW).unwrap())
    });
    c.bench_function("open_for", |b| {
        b.iter(|| open_for(black_box(&token), &s.access_key_id, &ring, NOW).unwrap())
    });
    c.bench_function("open (retired key)", |b| {
        b.iter(|| open(black_box(&old), &ring, NOW).unwrap())
    });
    c.bench_function("open (tampered)", |b| {
        let mut bad = token.clone().into_bytes();
        let mid = bad.len() / 2;
        bad[mid] = if bad[mid] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).unwrap();
        b.iter(|| open(black_box(&bad), &ring, NOW).unwrap_err())
    });
}

criterion_group!(benches, bench);

fn parts(c: &mut Criterion) {
    use aes_gcm::aead::AeadInOut;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let ring = KeyRing::generate(NOW).unwrap();
    let s = session();
    let token = seal(&s, &ring).unwrap();
    let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
    let key = ring.keys[0].key;
    let payload = postcard::to_allocvec(&s).unwrap();
    c.bench_function("part: base64 decode", |b| {
        b.iter(|| URL_SAFE_NO_PAD.decode(black_box(&token)).unwrap())
    });
    c.bench_function("part: Aes256Gcm::new", |b| {
        b.iter(|| Aes256Gcm::new(black_box(&key).into()))
    });
    let cipher = Aes256Gcm::new(&key.into());
    let mut buf = raw[17..].to_vec();
    let n = Nonce::try_from(&raw[5..17]).unwrap();
    c.bench_function("part: gcm encrypt body", |b| {
        b.iter(|| {
            cipher
                .encrypt_inout_detached(&n, &raw[..5], buf.as_mut_slice().into())
                .unwrap()
        })
    });
    c.bench_function("part: postcard decode", |b| {
        b.iter(|| postcard::from_bytes::<Session>(black_box(&payload)).unwrap())
    });
    c.bench_function("part: postcard encode", |b| {
        b.iter(|| postcard::to_allocvec(black_box(&s)).unwrap())
    });
    c.bench_function("part: getrandom 12", |b| {
        b.iter(|| {
            let mut n = [0u8; 12];
            getrandom::fill(&mut n).unwrap();
            n
        })
    });
}

criterion_group!(parts_group, parts);
criterion_main!(benches, parts_group);
