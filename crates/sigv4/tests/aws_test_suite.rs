//! Vectors from AWS's published SigV4 test suite ("aws-sig-v4-test-suite": AKIDEXAMPLE,
//! us-east-1, service `service`, 20150830T123600Z). Each request is signed by our signer and
//! the signature compared with AWS's, then verified by the server side.
//!
//! The suite's request paths are raw, unencoded characters (`/example space/`, `/ሴ`) that the
//! signer encodes once; on the wire a client sends them encoded and the canonical URI then holds
//! them encoded twice (see the botocore fixtures).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, UNIX_EPOCH};

use iamd_sigv4::{
    Credentials, RequestParts, SigningKeyCache, SigningParams, VerifyOptions, parse, sign,
    verify_with,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn check(
    name: &str,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: &str,
    want: &str,
) {
    let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 2015-08-30T12:36:00Z
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: SECRET,
            session_token: None,
        },
        region: "us-east-1",
        service: "service",
        time: now,
        unsigned_payload: false,
    };
    let hs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    let req = RequestParts {
        method,
        path,
        query,
        headers: &hs,
        body: body.as_bytes(),
    };
    let added = sign(&req, &params).unwrap();
    let authz = &added.iter().find(|(n, _)| *n == "Authorization").unwrap().1;
    let sig = authz.rsplit("Signature=").next().unwrap();
    assert_eq!(sig, want, "{name}: {authz}");

    let mut all: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    all.extend(added.into_iter().map(|(n, v)| (n.to_owned(), v)));
    let hs: Vec<(&str, &[u8])> = all
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        headers: &hs,
        ..req
    };
    let auth = parse(&req).unwrap();
    let opts = VerifyOptions {
        services: &["service"],
        ..VerifyOptions::IAM_STS
    };
    verify_with(
        &req,
        &auth,
        SECRET,
        now,
        Some(&SigningKeyCache::new(16)),
        &opts,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
}

const HOST: (&str, &str) = ("Host", "example.amazonaws.com");

#[test]
fn get_vanilla() {
    check(
        "get-vanilla",
        "GET",
        "/",
        "",
        &[HOST],
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
}

#[test]
fn get_vanilla_query_order_key_case() {
    check(
        "get-vanilla-query-order-key-case",
        "GET",
        "/",
        "Param2=value2&Param1=value1",
        &[HOST],
        "",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    );
}

#[test]
fn get_vanilla_empty_query_key() {
    check(
        "get-vanilla-empty-query-key",
        "GET",
        "/",
        "Param1=value1",
        &[HOST],
        "",
        "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    );
}

#[test]
fn get_relative_relative() {
    check(
        "get-relative-relative",
        "GET",
        "/example1/example2/../..",
        "",
        &[HOST],
        "",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
}

#[test]
fn get_slashes() {
    check(
        "get-slashes",
        "GET",
        "//example//",
        "",
        &[HOST],
        "",
        "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
    );
}

#[test]
fn get_space() {
    check(
        "get-space",
        "GET",
        "/example space/",
        "",
        &[HOST],
        "",
        "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    );
}

#[test]
fn get_utf8() {
    check(
        "get-utf8",
        "GET",
        "/\u{1234}",
        "",
        &[HOST],
        "",
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    );
}

#[test]
fn get_header_value_trim() {
    check(
        "get-header-value-trim",
        "GET",
        "/",
        "",
        &[
            HOST,
            ("My-Header1", " value1"),
            ("My-Header2", " \"a   b   c\""),
        ],
        "",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    );
}

#[test]
fn post_vanilla() {
    check(
        "post-vanilla",
        "POST",
        "/",
        "",
        &[HOST],
        "",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    );
}

#[test]
fn post_x_www_form_urlencoded() {
    check(
        "post-x-www-form-urlencoded",
        "POST",
        "/",
        "",
        &[("Content-Type", "application/x-www-form-urlencoded"), HOST],
        "Param1=value1",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    );
}
