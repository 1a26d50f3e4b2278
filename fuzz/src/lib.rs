//! iamd's fuzz targets, one function per target: `fn TARGET(data: &[u8])`. The binaries in
//! `fuzz_targets/` wrap them for AFL++ (default feature `afl`, stable toolchain) or libFuzzer
//! (feature `libfuzzer`, nightly). A target must never panic: a panic is a finding. Besides
//! "no panic", each target checks a few invariants with `assert!`.
//!
//! The test at the bottom runs every target over its seeds (`fuzz/seeds/TARGET/`) and its kept
//! corpus (`fuzz/corpus/TARGET/`), so `cargo test --no-default-features` in `fuzz/` replays every
//! input found so far.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use iamd_policy::{
    CompiledPolicy, Context, DocumentKind, PolicyKind, PolicySet, Principal, Request, Severity,
    evaluate, parse, policy_size, validate, validate_document,
};
use iamd_wire::{Model, Operation, Params, Value, decode_input};

/// A target: its name (of its binary and corpus folder) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name (the names of the binaries and of the corpus folders).
pub const TARGETS: [Target; 8] = [
    ("policy_parse", policy_parse),
    ("policy_validate", policy_validate),
    ("query_decode", query_decode),
    ("json_input", json_input),
    ("sigv4_parse", sigv4_parse),
    ("token_open", token_open),
    ("saml_parse", saml_parse),
    ("aws_chunked", aws_chunked),
];

/// Everything a target initialises once per process, done before the first input: the wire
/// model, its sorted operation list and every shape's pattern regex. Without it the first input
/// of a process takes other paths than the rest, and AFL's stability drops (query_decode: 20%).
pub fn init() {
    let model = Model::get();
    let _ = operations();
    for shape in &model.shapes {
        let _ = shape.regex();
    }
    let _ = token_ring();
    let _ = saml_keys();
}

/// Evaluates a compiled policy of `kind` once, as identity or resource policy.
fn evaluate_once(compiled: Arc<CompiledPolicy>, kind: DocumentKind) {
    let principal = Principal::user("arn:aws:iam::111122223333:user/fuzz");
    let mut ctx = Context::new();
    ctx.insert_str("aws:username", "fuzz");
    ctx.insert_str("aws:SourceIp", "10.1.2.3");
    ctx.insert_str("aws:PrincipalTag/team", "core");
    let set = match kind {
        DocumentKind::Identity => PolicySet {
            identity: vec![compiled],
            ..Default::default()
        },
        _ => PolicySet {
            resource: Some(compiled),
            resource_owner: Some("111122223333".into()),
            ..Default::default()
        },
    };
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::bucket/fuzz"),
        ("iam:CreateUser", "arn:aws:iam::111122223333:user/eve"),
        ("sts:AssumeRole", "arn:aws:iam::111122223333:role/r"),
    ] {
        let _ = evaluate(
            &Request {
                principal: &principal,
                action,
                resource,
                context: &ctx,
            },
            &set,
        );
    }
}

/// The policy parser, the older diagnostics and the compiler: no input may panic, and whatever
/// parses must compile and evaluate.
pub fn policy_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = policy_size(text);
    for kind in [
        DocumentKind::Identity,
        DocumentKind::Resource,
        DocumentKind::RoleTrust,
    ] {
        let diags = validate_document(text, kind);
        match parse(text, kind) {
            Ok(doc) if doc.statements.is_empty() => {
                // `parse` reads stored documents and accepts an empty `Statement` list (iamd
                // stores one for a boundary whose policy is gone); a client's is refused.
                assert!(validate(text, kind.into()).is_err());
                assert_eq!(
                    diags
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count(),
                    1
                );
            }
            Ok(doc) => {
                assert!(diags.iter().all(|d| d.severity == Severity::Warning));
                evaluate_once(Arc::new(CompiledPolicy::compile(&doc, "fuzz")), kind);
            }
            Err(_) => assert!(!diags.is_empty()),
        }
    }
}

/// The policy validator ([`iamd_policy::validate`]) for every [`PolicyKind`], against
/// [`iamd_policy::diagnose`]: a document `validate` accepts has no error in `diagnose`, one it
/// refuses has at least one; a permissions boundary follows the managed-policy rules; what
/// validates compiles and evaluates.
pub fn policy_validate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut managed_ok = None;
    for kind in PolicyKind::ALL {
        let result = validate(text, kind);
        let diags = iamd_policy::diagnose(text, kind);
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        match &result {
            Ok(doc) => {
                assert_eq!(errors, 0, "{kind:?}: validate accepts, diagnose refuses");
                evaluate_once(
                    Arc::new(CompiledPolicy::compile(doc, "fuzz")),
                    kind.document_kind(),
                );
            }
            Err(e) => {
                assert!(
                    errors > 0,
                    "{kind:?}: validate refuses ({}), diagnose finds no error",
                    e.message
                );
                assert!(!e.message.is_empty());
            }
        }
        match kind {
            PolicyKind::Managed => managed_ok = Some(result.map_err(|e| e.message)),
            PolicyKind::PermissionsBoundary => {
                let boundary = result.map_err(|e| e.message);
                match (&managed_ok, &boundary) {
                    (Some(Ok(_)), Ok(_)) => {}
                    (Some(Err(a)), Err(b)) => assert_eq!(a, b),
                    _ => panic!("managed policy and permissions boundary disagree"),
                }
            }
            _ => {}
        }
    }
}

/// The operations of both models, in a stable order (the model keeps them in a hash map).
fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        let model = Model::get();
        let mut ops: Vec<Operation> = model.operations().cloned().collect();
        ops.sort_by(|a, b| a.name.cmp(&b.name));
        ops
    })
}

/// The operation a fuzz input decodes against: the `Action` it names if that exists, else one
/// picked by `selector`.
fn pick_operation(action: Option<&str>, selector: u8) -> &'static Operation {
    let ops = operations();
    action
        .and_then(|a| ops.iter().find(|o| o.name == a))
        .unwrap_or(&ops[selector as usize % ops.len()])
}

/// The Query protocol on arbitrary request bodies: parse, then decode against the operation
/// the body's `Action` names (or one picked by the body's length), and against a few fixed ones.
/// Must never panic.
pub fn query_decode(data: &[u8]) {
    let Ok(params) = iamd_wire::parse_query(data) else {
        return;
    };
    let model = Model::get();
    let op = pick_operation(params.get("Action"), data.len() as u8);
    let _ = decode_input(&model, op, &params);
    for action in [
        "CreateUser",
        "TagUser",
        "SimulateCustomPolicy",
        "AssumeRole",
        "LookupEvents",
    ] {
        if let Some(op) = model.operation(action) {
            let _ = decode_input(&model, op, &params);
        }
    }
}

/// The JSON input path of the CloudTrail front end and the authorization API (and of any typed
/// input): [`Value::parse_json`] → [`iamd_wire::decode_typed`], with `parse_json` held to
/// `serde_json`'s tree read through [`Value::from_json`] (same acceptance, same value). The first
/// byte picks the operation (unless the JSON names one with `"Action"`). Must never panic.
pub fn json_input(data: &[u8]) {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let direct = Value::parse_json(json);
    let Ok(j) = serde_json::from_slice::<serde_json::Value>(json) else {
        assert!(direct.is_err(), "parse_json accepts what serde_json refuses");
        return;
    };
    let value = Value::from_json(&j);
    assert_eq!(direct.ok().as_ref(), Some(&value), "parse_json differs from the tree");
    let _ = value.to_json();
    let action = j.get("Action").and_then(|a| a.as_str());
    let model = Model::get();
    let ops: Vec<&Operation> = match action {
        Some(_) => vec![pick_operation(action, selector)],
        // CloudTrail's operations first: they are the ones the JSON front end serves.
        None => vec![
            pick_operation(None, selector),
            model
                .operation("LookupEvents")
                .unwrap_or_else(|| pick_operation(None, 0)),
        ],
    };
    for op in ops {
        if let Ok(Params(decoded)) = iamd_wire::decode_typed(&model, op, &Params(value.clone())) {
            let _ = decoded.to_json();
        }
    }
}

/// The secret every `sigv4_parse` input is verified with.
pub const SIGV4_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// The request time of every `sigv4_parse` input: 2025-01-01T00:00:00Z.
pub const SIGV4_TIME: u64 = 1_735_689_600;
/// The body of every `sigv4_parse` request.
pub const SIGV4_BODY: &[u8] = b"Action=ListUsers&Version=2010-05-08";

/// SigV4 parsing and verification. The input is an `Authorization` header, a NUL byte and a
/// query string (a presigned URL's, when the header part is empty). Must never panic; a
/// signature that verifies must have been made with the secret.
pub fn sigv4_parse(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (auth, rest) = data.split_at(split);
    let query = std::str::from_utf8(rest.get(1..).unwrap_or_default()).unwrap_or("");
    let mut headers: Vec<(&str, &[u8])> = vec![("host", b"iam.amazonaws.com")];
    if !auth.is_empty() {
        headers.push(("authorization", auth));
        headers.push(("x-amz-date", b"20250101T000000Z"));
    }
    let req = iamd_sigv4::RequestParts {
        method: "POST",
        path: "/",
        query,
        headers: &headers,
        body: SIGV4_BODY,
    };
    if let Ok(parsed) = iamd_sigv4::parse(&req) {
        let _ = parsed.credential_scope();
        let _ = parsed.signed_headers().count();
        let now = UNIX_EPOCH + Duration::from_secs(SIGV4_TIME);
        let cache = iamd_sigv4::SigningKeyCache::new(16);
        let good = iamd_sigv4::verify(&req, &parsed, SIGV4_SECRET, now, &cache).is_ok();
        if good {
            // The same request under another secret never verifies.
            assert!(iamd_sigv4::verify(&req, &parsed, "other", now, &cache).is_err());
        }
    }
}

/// The key ring every `token_open` input is opened with: one fixed key, so that the seeds
/// (sealed by `examples/seeds.rs` with the same key) open and mutations of them are tried.
pub fn token_ring() -> iamd_token::KeyRing {
    iamd_token::KeyRing {
        keys: vec![iamd_token::RingKey {
            id: 1,
            key: [0x5a; 32],
            created_at: 1_700_000_000,
            retired: false,
        }],
    }
}

/// The time `token_open` opens at (the seeds' sessions are unexpired then).
pub const TOKEN_NOW: i64 = 1_700_000_100;

/// Opening arbitrary strings as session tokens: never a panic, and a token that opens is
/// exactly the canonical encoding of what was sealed (no second spelling of a token opens).
pub fn token_open(data: &[u8]) {
    use base64::Engine as _;
    static RING: OnceLock<iamd_token::KeyRing> = OnceLock::new();
    let ring = RING.get_or_init(token_ring);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = iamd_token::peek_key_id(text);
    let _ = iamd_token::open(text, ring, TOKEN_NOW);
    if let Ok(session) = iamd_token::open_unexpired_or_not(text, ring) {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .expect("an opened token is base64");
        assert_eq!(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
            text,
            "a token that opens is in canonical form"
        );
        assert!(iamd_token::is_session_access_key_id(&session.access_key_id));
        let _ = iamd_token::open_for(text, &session.access_key_id, ring, TOKEN_NOW);
    }
    // Under a ring without the key nothing opens.
    let empty = iamd_token::KeyRing::default();
    assert!(iamd_token::open_unexpired_or_not(text, &empty).is_err());
}

/// The identity provider every `saml_parse` response is checked against: its entity ID and
/// metadata (`saml/metadata.xml`, made by `saml/seeds.py` with the signed seeds).
pub const SAML_ISSUER: &str = "https://idp.example.test/fuzz";
const SAML_METADATA: &str = include_str!("../saml/metadata.xml");
/// The service provider's private key the encrypted seeds are encrypted to.
const SAML_SP_KEY: &str = include_str!("../saml/sp-key.pem");
/// The time `saml_parse` checks responses at, 2025-01-01T00:00:00Z (the seeds are valid then).
pub const SAML_NOW: i64 = 1_735_689_600;
const SAML_AUDIENCES: &[&str] = &[
    "https://signin.aws.amazon.com/saml",
    "urn:amazon:webservices",
];

/// The fixed keys of `saml_parse`: the provider's signing keys (from its metadata) and the
/// service provider's decryption key.
struct SamlKeys {
    signing: Vec<Vec<u8>>,
    decryption: Vec<Vec<u8>>,
}

fn saml_keys() -> &'static SamlKeys {
    static KEYS: OnceLock<SamlKeys> = OnceLock::new();
    KEYS.get_or_init(|| SamlKeys {
        signing: iamd_saml::parse_metadata(SAML_METADATA)
            .expect("saml/metadata.xml parses")
            .signing_keys,
        decryption: vec![
            iamd_saml::metadata::private_key_pkcs8(SAML_SP_KEY).expect("saml/sp-key.pem is a key"),
        ],
    })
}

/// The SAML inputs iamd takes from clients: the input as an `AssumeRoleWithSAML`
/// `SAMLResponse`, both as sent (base64 text) and as the XML itself (encoded here, so the fuzzer
/// mutates the XML), checked with the fixed provider keys at a fixed time; as provider metadata;
/// and as a private key (PEM). Never a panic; what verifies names the provider and one of the
/// audiences, and verifies under no key but the provider's; what parses as metadata has an
/// entity ID and a signing key.
pub fn saml_parse(data: &[u8]) {
    use base64::Engine as _;
    use iamd_saml::{Expected, verify_response};
    let keys = saml_keys();
    let now = time::OffsetDateTime::from_unix_timestamp(SAML_NOW).expect("a valid time");
    let want = |signing: &'static [Vec<u8>], require_encryption| Expected {
        issuer: SAML_ISSUER,
        keys: signing,
        audiences: SAML_AUDIENCES,
        now,
        skew: time::Duration::minutes(5),
        decryption_keys: &keys.decryption,
        require_encryption,
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let text = std::str::from_utf8(data).ok();
    for b64 in [Some(encoded.as_str()), text].into_iter().flatten() {
        let Ok(v) = verify_response(b64, &want(&keys.signing, false)) else {
            continue;
        };
        assert_eq!(v.issuer, SAML_ISSUER);
        assert!(SAML_AUDIENCES.contains(&v.recipient.as_str()));
        assert!(v.not_on_or_after > now - time::Duration::minutes(5));
        // Without the provider's key nothing verifies.
        assert!(verify_response(b64, &want(&[], false)).is_err());
        let _ = verify_response(b64, &want(&keys.signing, true));
    }
    if let Some(text) = text
        && let Ok(m) = iamd_saml::parse_metadata(text)
    {
        assert!(!m.entity_id.trim().is_empty());
        assert!(!m.signing_keys.is_empty());
    }
    // The private key a client gives for encrypted assertions (`AddPrivateKey`).
    if let Some(text) = text {
        let _ = iamd_saml::metadata::check_private_key(text);
    }
}

/// The key, date and scope every `aws_chunked` input is checked with (the seeds are signed with
/// them: `fuzz/seeds/aws_chunked/`).
pub const CHUNKED_SECRET: &str = "fuzz-secret";
pub const CHUNKED_DATE: &str = "20260101T000000Z";
pub const CHUNKED_SCOPE: &str = "20260101/us-east-1/s3/aws4_request";
pub const CHUNKED_SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

fn chunked_framing(mode: u8, secret: &str) -> iamd_gateway::chunked::Framing {
    use iamd_gateway::checksum::Checksum;
    use iamd_gateway::chunked::{ChunkSigner, Framing};
    let signer = || ChunkSigner {
        key: Some(iamd_sigv4::SigningKey::derive(
            secret,
            &CHUNKED_DATE[..8],
            "us-east-1",
            "s3",
        )),
        amz_date: CHUNKED_DATE.to_string(),
        scope: CHUNKED_SCOPE.to_string(),
        seed: CHUNKED_SEED.to_string(),
    };
    let trailer = || {
        let name = "x-amz-checksum-crc32".to_string();
        let checksum = Checksum::for_header(&name);
        checksum.map(|c| (name, c))
    };
    match mode % 3 {
        0 => Framing::signed(signer()),
        1 => Framing {
            signer: None,
            trailer: trailer(),
        },
        _ => Framing {
            signer: Some(signer()),
            trailer: trailer(),
        },
    }
}

/// Runs the decoder over `body` pushed in pieces of `step` bytes: the data it released, and
/// whether the body was accepted whole.
fn chunked_decode(mode: u8, secret: &str, body: &[u8], step: usize) -> (Vec<u8>, bool) {
    let mut d = iamd_gateway::chunked::Decoder::new(chunked_framing(mode, secret), None);
    let mut out = Vec::new();
    for piece in body.chunks(step.max(1)) {
        match d.push(piece) {
            Ok(released) => released.iter().for_each(|b| out.extend_from_slice(b)),
            Err(_) => return (out, false),
        }
    }
    let ok = d.finish().is_ok();
    (out, ok)
}

/// The S3 gateway's `aws-chunked` decoder (signed chunks, unsigned chunks with a CRC32 trailer,
/// signed chunks with a signed trailer). The first byte picks the framing, the second how the
/// body is split into pushes; the rest is the body. Never panics; the data released is never
/// longer than the body; the outcome and the data do not depend on how the body was split; a
/// signed body accepted under the key is refused under another.
pub fn aws_chunked(data: &[u8]) {
    let [mode, step, body @ ..] = data else {
        return;
    };
    let (whole, ok) = chunked_decode(*mode, CHUNKED_SECRET, body, body.len());
    assert!(whole.len() <= body.len());
    let (split, split_ok) = chunked_decode(*mode, CHUNKED_SECRET, body, usize::from(*step));
    assert_eq!(ok, split_ok, "the outcome depends on the split");
    if ok {
        assert_eq!(whole, split, "the data depends on the split");
        if mode % 3 != 1 {
            assert!(!chunked_decode(*mode, "another-secret", body, body.len()).1);
        }
    }
}

/// Runs `target` once on each file named (on stdin when none is): how the engine-less build of
/// a target reproduces a finding.
pub fn run_files(paths: impl Iterator<Item = std::ffi::OsString>, target: fn(&[u8])) {
    let paths: Vec<_> = paths.collect();
    if paths.is_empty() {
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut data).expect("stdin");
        target(&data);
    }
    for p in paths {
        eprintln!("{}", p.to_string_lossy());
        target(&std::fs::read(&p).expect("readable input"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every seed and every kept corpus file (what fuzzing found) still runs without a panic.
    #[test]
    fn corpora_replay() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (name, target) in TARGETS {
            let mut n = 0;
            for dir in [
                root.join("seeds").join(name),
                root.join("corpus").join(name),
            ] {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries {
                    let path = entry.unwrap().path();
                    if path.is_file() && !path.ends_with(".gitkeep") {
                        target(&std::fs::read(&path).unwrap());
                        n += 1;
                    }
                }
            }
            assert!(n > 0, "{name}: empty corpus");
        }
    }

    /// The `aws_chunked` seeds decode whole under the fixed key (so the fuzzer starts past the
    /// signatures and the checksum) and are refused under another.
    #[test]
    fn chunked_seeds_decode() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/aws_chunked");
        for name in ["signed", "unsigned-trailer", "signed-trailer"] {
            let data = std::fs::read(dir.join(name)).unwrap();
            let (out, ok) = chunked_decode(data[0], CHUNKED_SECRET, &data[2..], 3);
            assert!(ok, "{name}");
            assert_eq!(out, b"hello chunked world", "{name}");
        }
    }

    /// The signed `saml_parse` seeds verify at `SAML_NOW` with the fixed keys, so the fuzzer
    /// starts past the signature, decryption and time checks (and a changed digest fails).
    #[test]
    fn saml_seeds_verify() {
        use base64::Engine as _;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/saml_parse");
        let keys = saml_keys();
        let want = iamd_saml::Expected {
            issuer: SAML_ISSUER,
            keys: &keys.signing,
            audiences: SAML_AUDIENCES,
            now: time::OffsetDateTime::from_unix_timestamp(SAML_NOW).unwrap(),
            skew: time::Duration::minutes(5),
            decryption_keys: &keys.decryption,
            require_encryption: false,
        };
        for name in [
            "response-signed-assertion.xml",
            "response-signed-response.xml",
            "response-encrypted.xml",
            "response-encrypted-oaep256.xml",
        ] {
            let xml = std::fs::read_to_string(dir.join(name)).unwrap();
            let b64 = base64::engine::general_purpose::STANDARD.encode(&xml);
            let v =
                iamd_saml::verify_response(&b64, &want).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(v.subject, "alice@example.test", "{name}");
            let altered = xml.replacen("alice@", "mallory@", 1);
            let b64 = base64::engine::general_purpose::STANDARD.encode(&altered);
            if altered != xml {
                assert!(iamd_saml::verify_response(&b64, &want).is_err(), "{name}");
            }
        }
        let b64 = std::fs::read_to_string(dir.join("response-signed-assertion.b64")).unwrap();
        assert!(iamd_saml::verify_response(&b64, &want).is_ok());
        assert!(iamd_saml::verify_response("PHNhbWxwOlJlc3BvbnNlLz4=", &want).is_err());
        let unsigned = std::fs::read_to_string(dir.join("response-unsigned.xml")).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&unsigned);
        assert!(matches!(
            iamd_saml::verify_response(&b64, &want),
            Err(iamd_saml::SamlError::Signature(_))
        ));
        for name in ["metadata.xml", "metadata-valid-until.xml"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let m = iamd_saml::parse_metadata(&text).unwrap();
            assert_eq!(m.entity_id, SAML_ISSUER);
            assert_eq!(m.signing_keys, keys.signing);
        }
    }
}
