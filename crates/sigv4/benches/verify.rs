//! Full SigV4 verification of a realistic IAM POST (boto3-shaped CreateUser with a path and
//! tags), with and without the signing-key cache; also sign and parse alone.
//!
//! Run: `cargo bench -p iamd-sigv4 --bench verify`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iamd_sigv4::{
    Credentials, RequestParts, SigningKeyCache, SigningParams, VerifyOptions, parse, sign, verify,
    verify_with,
};

const BODY: &[u8] = b"Action=CreateUser&Version=2010-05-08&UserName=alice%2Bdev\
&Path=%2Fdivision_abc%2Fsubdivision_xyz%2F&Tags.member.1.Key=team&Tags.member.1.Value=platform";

fn bench(c: &mut Criterion) {
    let now = UNIX_EPOCH + Duration::from_secs(1_735_691_100);
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret_access_key: secret,
            session_token: None,
        },
        region: "us-east-1",
        service: "iam",
        time: now,
        unsigned_payload: false,
    };
    let mut headers: Vec<(String, String)> = vec![
        ("Host".into(), "iam.amazonaws.com".into()),
        (
            "User-Agent".into(),
            "Boto3/1.43.0 md/Botocore#1.43.11 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7 cfg/retry-mode#legacy Botocore/1.43.11".into(),
        ),
        (
            "Content-Type".into(),
            "application/x-www-form-urlencoded; charset=utf-8".into(),
        ),
        ("Accept-Encoding".into(), "identity".into()),
        ("Content-Length".into(), BODY.len().to_string()),
    ];
    let unsigned: Vec<(&str, &[u8])> = headers
        .iter()
        .filter(|(n, _)| n != "Content-Length")
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &unsigned,
        body: BODY,
    };
    let added = match sign(&req, &params) {
        Ok(a) => a,
        Err(e) => panic!("sign: {e}"),
    };
    drop(unsigned);
    headers.extend(added.into_iter().map(|(n, v)| (n.to_owned(), v)));
    let hs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &hs,
        body: BODY,
    };
    let cache = SigningKeyCache::default();

    let mut g = c.benchmark_group("sigv4");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse+verify, no key cache", |b| {
        b.iter(|| {
            let r = black_box(&req);
            let auth = parse(r).ok();
            let ok = auth
                .map(|a| verify_with(r, &a, secret, now, None, &VerifyOptions::IAM_STS).is_ok());
            assert_eq!(ok, Some(true));
        })
    });
    g.bench_function("parse+verify, key cached", |b| {
        b.iter(|| {
            let r = black_box(&req);
            let auth = parse(r).ok();
            let ok = auth.map(|a| verify(r, &a, secret, now, &cache).is_ok());
            assert_eq!(ok, Some(true));
        })
    });
    g.bench_function("parse only", |b| {
        b.iter(|| black_box(parse(black_box(&req)).is_ok()))
    });
    g.bench_function("sign (header form)", |b| {
        let r = RequestParts {
            headers: &hs[..4],
            ..req
        };
        b.iter(|| black_box(sign(black_box(&r), &params).is_ok()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
