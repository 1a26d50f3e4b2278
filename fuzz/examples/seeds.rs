//! Writes the generated seeds into `fuzz/seeds/TARGET/`: a signed `Authorization` header and a
//! presigned query string that verify under `iamd_fuzz::SIGV4_SECRET`, and session tokens sealed
//! with `iamd_fuzz::token_ring()`. The hand-written seeds (policies, query strings, JSON inputs)
//! are kept in git as files. Run: `cargo run --no-default-features --example seeds` in `fuzz/`.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use iamd_sigv4::{Credentials, RequestParts, SigningParams, presign, sign};
use iamd_token::{Session, SessionOwner, SessionPrincipal, SessionTag, seal};

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), data).unwrap();
}

fn main() {
    let time = UNIX_EPOCH + Duration::from_secs(iamd_fuzz::SIGV4_TIME);
    let headers: Vec<(&str, &[u8])> = vec![("host", b"iam.amazonaws.com")];
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: iamd_fuzz::SIGV4_BODY,
    };
    for (name, token) in [
        ("seed-header", None),
        ("seed-header-token", Some("FwoGZXIvYXdzEBY")),
    ] {
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "AKIAIOSFODNN7EXAMPLE",
                secret_access_key: iamd_fuzz::SIGV4_SECRET,
                session_token: token,
            },
            region: "us-east-1",
            service: "iam",
            time,
            unsigned_payload: false,
        };
        let added = sign(&req, &params).unwrap();
        let auth = added.iter().find(|(n, _)| *n == "Authorization").unwrap();
        // Header, NUL, no query.
        let mut data = auth.1.as_bytes().to_vec();
        data.push(0);
        write("sigv4_parse", name, &data);
        iamd_fuzz::sigv4_parse(&data);
    }
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret_access_key: iamd_fuzz::SIGV4_SECRET,
            session_token: None,
        },
        region: "us-east-1",
        service: "iam",
        time,
        unsigned_payload: false,
    };
    let presign_req = RequestParts {
        query: "Action=GetUser&Version=2010-05-08",
        ..req
    };
    let query = presign(&presign_req, &params, 300).unwrap();
    let mut data = vec![0];
    data.extend_from_slice(query.as_bytes());
    write("sigv4_parse", "seed-presigned", &data);
    iamd_fuzz::sigv4_parse(&data);

    let ring = iamd_fuzz::token_ring();
    let role = Session {
        version: iamd_token::SESSION_VERSION,
        access_key_id: "ASIAQNZGKIQY56JQ7WML".into(),
        secret_access_key: "9drTJvcXLB89EXAMPLELB8923FB892xMFI".into(),
        account: "111122223333".into(),
        principal: SessionPrincipal::AssumedRole {
            role_arn: "arn:aws:iam::111122223333:role/admin".into(),
            role_id: "AROAQNZGKIQYEXAMPLE01".into(),
            session_name: "alice".into(),
            federated_provider: None,
        },
        arn: "arn:aws:sts::111122223333:assumed-role/admin/alice".into(),
        user_id: "AROAQNZGKIQYEXAMPLE01:alice".into(),
        policy: Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#.into()),
        policy_arns: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
        mfa_authenticated: true,
        mfa_auth_time: Some(1_700_000_000),
        tags: vec![SessionTag::new("team", "core")],
        transitive_tag_keys: vec!["team".into()],
        source_identity: Some("alice".into()),
        issued_at: 1_700_000_000,
        expires_at: 1_700_003_600,
        issuer: "arn:aws:iam::111122223333:user/alice".into(),
        chain_depth: 0,
        key_id: 1,
    };
    let root = Session {
        principal: SessionPrincipal::SessionOf(SessionOwner::Root),
        arn: "arn:aws:iam::111122223333:root".into(),
        user_id: "111122223333".into(),
        policy: None,
        policy_arns: vec![],
        mfa_authenticated: false,
        mfa_auth_time: None,
        tags: vec![],
        transitive_tag_keys: vec![],
        source_identity: None,
        issuer: "arn:aws:iam::111122223333:root".into(),
        ..role.clone()
    };
    let fed = Session {
        principal: SessionPrincipal::FederatedUser {
            name: "bob".into(),
            issuer_user_arn: "arn:aws:iam::111122223333:user/alice".into(),
        },
        arn: "arn:aws:sts::111122223333:federated-user/bob".into(),
        user_id: "111122223333:bob".into(),
        expires_at: 1_700_000_050, // expired at iamd_fuzz::TOKEN_NOW
        ..role.clone()
    };
    for (name, s) in [
        ("seed-role", role),
        ("seed-root", root),
        ("seed-federated-expired", fed),
    ] {
        let token = seal(&s, &ring).unwrap();
        assert!(iamd_token::open_unexpired_or_not(&token, &ring).is_ok());
        write("token_open", name, token.as_bytes());
        iamd_fuzz::token_open(token.as_bytes());
    }
    println!("seeds written");
}
