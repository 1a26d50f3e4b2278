//! S3's flavour of SigV4: the canonical URI is the path encoded once (not normalized), and a
//! forwarded `aws-chunked` upload's seed signature covers the `STREAMING-…` literal. Checked
//! against AWS's documented example ("Signature Calculations for the Authorization Header:
//! Transferring Payload in Multiple Chunks").

use std::time::{Duration, UNIX_EPOCH};

use iamd_sigv4::{
    Credentials, RequestParts, SigningParams, VerifyOptions, parse, sign, verify_with,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn aws_streaming_example_seed_signature_verifies() {
    // 2013-05-24T00:00:00Z
    let now = UNIX_EPOCH + Duration::from_secs(1_369_353_600);
    let auth = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
                SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
                x-amz-decoded-content-length;x-amz-storage-class,\
                Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let headers: Vec<(&str, &[u8])> = vec![
        ("Host", b"s3.amazonaws.com"),
        ("x-amz-date", b"20130524T000000Z"),
        ("x-amz-storage-class", b"REDUCED_REDUNDANCY"),
        ("Authorization", auth.as_bytes()),
        (
            "x-amz-content-sha256",
            b"STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        ),
        ("Content-Encoding", b"aws-chunked"),
        ("x-amz-decoded-content-length", b"66560"),
        ("Content-Length", b"66824"),
    ];
    let req = RequestParts {
        method: "PUT",
        path: "/examplebucket/chunkObject.txt",
        query: "",
        headers: &headers,
        body: &[],
    };
    let parsed = parse(&req).unwrap();
    let forwarded = VerifyOptions {
        services: &[],
        trust_declared_payload_hash: true,
        max_skew: Duration::from_secs(900),
        allow_unsigned_payload: true,
    };
    verify_with(&req, &parsed, SECRET, now, None, &forwarded).unwrap();
    // iamd's own requests never take the literal: it has no body hash to stand for.
    let strict = VerifyOptions {
        trust_declared_payload_hash: false,
        ..forwarded
    };
    assert!(verify_with(&req, &parsed, SECRET, now, None, &strict).is_err());
}

#[test]
fn s3_paths_are_encoded_once() {
    let now = UNIX_EPOCH + Duration::from_secs(1_735_689_600);
    let hs: Vec<(&str, &[u8])> = vec![("host", b"s3.example")];
    let sign_for = |path: &str| {
        let req = RequestParts {
            method: "GET",
            path,
            query: "",
            headers: &hs,
            body: &[],
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: SECRET,
                session_token: None,
            },
            region: "us-east-1",
            service: "s3",
            time: now,
            unsigned_payload: true,
        };
        let added = sign(&req, &params).unwrap();
        let mut all: Vec<(String, String)> = hs
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8(v.to_vec()).unwrap()))
            .collect();
        all.extend(added.into_iter().map(|(k, v)| (k.to_string(), v)));
        all
    };
    for path in ["/b/a%20b.txt", "/b/a//./../c", "/b/%7Euser"] {
        let all = sign_for(path);
        let refs: Vec<(&str, &[u8])> = all
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_bytes()))
            .collect();
        let req = RequestParts {
            method: "GET",
            path,
            query: "",
            headers: &refs,
            body: &[],
        };
        let parsed = parse(&req).unwrap();
        let opts = VerifyOptions {
            services: &["s3"],
            ..VerifyOptions::IAM_STS
        };
        verify_with(&req, &parsed, SECRET, now, None, &opts).unwrap();
        let canonical = iamd_sigv4::canonical_request(&req, &parsed).unwrap();
        let uri = canonical.lines().nth(1).unwrap();
        assert_eq!(
            uri,
            path.replace("%7E", "~"),
            "{path}: encoded once, not normalized"
        );
    }
}
