//! SigV4 parsing and verification on arbitrary Authorization headers and query strings.
//! Must never panic.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use iamd_sigv4::{RequestParts, SigningKeyCache, parse, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (auth, rest) = data.split_at(split);
    let query = std::str::from_utf8(rest.get(1..).unwrap_or_default()).unwrap_or("");
    let headers: Vec<(&str, &[u8])> = vec![
        ("host", b"iam.amazonaws.com"),
        ("authorization", auth),
        ("x-amz-date", b"20250101T000000Z"),
    ];
    let req = RequestParts { method: "POST", path: "/", query, headers: &headers, body: b"Action=ListUsers" };
    if let Ok(parsed) = parse(&req) {
        let cache = SigningKeyCache::new(16);
        let _ = verify(&req, &parsed, "secret", UNIX_EPOCH + Duration::from_secs(1_735_689_600), &cache);
    }
});
