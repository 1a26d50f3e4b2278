//! Every error path: its AWS code, HTTP status and message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iamd_sigv4::{
    AuthError, Credentials, RequestParts, SigningKeyCache, SigningParams, VerifyOptions, parse,
    presign, sign, verify, verify_with,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const BODY: &str = "Action=ListUsers&Version=2010-05-08";

/// 2025-01-01T00:00:00Z
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_735_689_600)
}

fn params(service: &'static str, time: SystemTime) -> SigningParams<'static> {
    SigningParams {
        credentials: Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret_access_key: SECRET,
            session_token: None,
        },
        region: "us-east-1",
        service,
        time,
        unsigned_payload: false,
    }
}

/// A signed IAM POST: its headers.
fn signed_post(p: &SigningParams<'_>) -> Vec<(String, String)> {
    let mut h = vec![
        ("Host".to_owned(), "iam.amazonaws.com".to_owned()),
        (
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        ),
    ];
    let refs: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &refs,
        body: BODY.as_bytes(),
    };
    let added = sign(&req, p).unwrap();
    h.extend(added.into_iter().map(|(n, v)| (n.to_owned(), v)));
    h
}

fn run(
    headers: &[(String, String)],
    query: &str,
    body: &str,
    now: SystemTime,
) -> Result<(), AuthError> {
    let refs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        method: if query.is_empty() { "POST" } else { "GET" },
        path: "/",
        query,
        headers: &refs,
        body: body.as_bytes(),
    };
    let auth = parse(&req)?;
    verify(&req, &auth, SECRET, now, &SigningKeyCache::new(16))
}

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    for (n, v) in headers.iter_mut() {
        if n.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
}

fn authz(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .unwrap()
        .1
        .clone()
}

fn incomplete(r: Result<(), AuthError>) -> String {
    match r {
        Err(e @ AuthError::IncompleteSignature(_)) => {
            assert_eq!((e.code(), e.status()), ("IncompleteSignature", 400));
            e.message()
        }
        other => panic!("expected IncompleteSignature, got {other:?}"),
    }
}

#[test]
fn baseline_verifies() {
    let h = signed_post(&params("iam", t0()));
    run(&h, "", BODY, t0()).unwrap();
    run(&h, "", BODY, t0() + Duration::from_secs(900)).unwrap();
    run(&h, "", BODY, t0() - Duration::from_secs(900)).unwrap();
}

#[test]
fn missing_authentication_token() {
    let h = vec![("Host".to_owned(), "iam.amazonaws.com".to_owned())];
    let e = run(&h, "", BODY, t0()).unwrap_err();
    assert_eq!(e, AuthError::MissingAuthenticationToken);
    assert_eq!(e.code(), "MissingAuthenticationToken");
    assert_eq!(e.status(), 403);
    assert_eq!(e.message(), "Request is missing Authentication Token");
    // A query without X-Amz-* auth parameters is not authentication either.
    let e = run(&h, "Action=ListUsers&Version=2010-05-08", "", t0()).unwrap_err();
    assert_eq!(e, AuthError::MissingAuthenticationToken);
}

#[test]
fn incomplete_signature_messages() {
    let mut h = signed_post(&params("iam", t0()));
    set(&mut h, "Authorization", "AWS4-HMAC-SHA256 ");
    h.retain(|(n, _)| n != "X-Amz-Date");
    assert_eq!(
        incomplete(run(&h, "", BODY, t0())),
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=AWS4-HMAC-SHA256"
    );

    let good = signed_post(&params("iam", t0()));
    let a = authz(&good);
    let no_sig = a.split(", Signature=").next().unwrap().to_owned();
    let mut h = good.clone();
    set(&mut h, "Authorization", &no_sig);
    assert_eq!(
        incomplete(run(&h, "", BODY, t0())),
        format!("Authorization header requires 'Signature' parameter. Authorization={no_sig}")
    );

    let mut h = good.clone();
    set(&mut h, "Authorization", &a.replace("/20250101/", "/"));
    assert!(
        incomplete(run(&h, "", BODY, t0()))
            .starts_with("Credential must have exactly 5 slash-delimited elements")
    );

    let mut h = good.clone();
    set(
        &mut h,
        "Authorization",
        &a.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
    );
    assert!(incomplete(run(&h, "", BODY, t0())).starts_with("Unsupported AWS 'algorithm'"));

    let mut h = good.clone();
    set(
        &mut h,
        "Authorization",
        &a.replace(", Signature=", ", Signature"),
    );
    assert!(
        incomplete(run(&h, "", BODY, t0()))
            .contains("not a valid key=value pair (missing equal-sign)")
    );

    let mut h = good.clone();
    set(&mut h, "X-Amz-Date", "2025-01-01T00:00:00Z");
    assert!(incomplete(run(&h, "", BODY, t0())).starts_with("Date must be in ISO-8601"));

    let mut h = good.clone();
    set(
        &mut h,
        "Authorization",
        &a.replace("content-type;host;x-amz-date", "content-type;x-amz-date"),
    );
    assert_eq!(
        incomplete(run(&h, "", BODY, t0())),
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );

    let mut h = good.clone();
    h.push(("authorization".to_owned(), a.clone()));
    assert!(incomplete(run(&h, "", BODY, t0())).contains("Multiple 'authorization' headers"));

    // Both mechanisms at once.
    let h = good.clone();
    assert!(
        incomplete(run(&h, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "", t0()))
            .starts_with("Only one auth mechanism allowed")
    );
}

#[test]
fn date_header_accepted_when_no_x_amz_date() {
    // Sign with a Date header (as botocore does when one is present), no X-Amz-Date.
    let fixture = include_str!("botocore_fixtures.json");
    assert!(fixture.contains("iam-post-date-header-and-spaces"));
    let mut h = signed_post(&params("iam", t0()));
    h.retain(|(n, _)| n != "X-Amz-Date");
    // Signature no longer covers the right headers, but the Date header is read as the time.
    h.push((
        "Date".to_owned(),
        "Wed, 01 Jan 2025 00:00:00 GMT".to_owned(),
    ));
    assert_eq!(
        run(&h, "", BODY, t0()),
        Err(AuthError::SignatureDoesNotMatch)
    );
    set(&mut h, "Date", "not a date");
    assert!(incomplete(run(&h, "", BODY, t0())).starts_with("Invalid 'Date' header"));
}

#[test]
fn signature_does_not_match() {
    let h = signed_post(&params("iam", t0()));
    let refs: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &refs,
        body: BODY.as_bytes(),
    };
    let auth = parse(&req).unwrap();
    let cache = SigningKeyCache::new(16);
    let e = verify(&req, &auth, "not-the-secret", t0(), &cache).unwrap_err();
    assert_eq!(e, AuthError::SignatureDoesNotMatch);
    assert_eq!((e.code(), e.status()), ("SignatureDoesNotMatch", 403));
    assert_eq!(
        e.message(),
        "The request signature we calculated does not match the signature you provided. Check \
         your AWS Secret Access Key and signing method. Consult the service documentation for \
         details."
    );
    // A failed verification never fills the cache.
    assert!(cache.is_empty());

    // Tampered body, header, method, path, query, or a malformed signature.
    assert_eq!(
        run(&h, "", "Action=ListUsers&Version=2010-05-09", t0()),
        Err(AuthError::SignatureDoesNotMatch)
    );
    let mut h2 = h.clone();
    set(&mut h2, "Content-Type", "text/plain");
    assert_eq!(
        run(&h2, "", BODY, t0()),
        Err(AuthError::SignatureDoesNotMatch)
    );
    let other = [
        RequestParts {
            method: "PUT",
            ..req
        },
        RequestParts { path: "/x", ..req },
        RequestParts {
            query: "a=b",
            ..req
        },
    ];
    for r in other {
        let auth = parse(&r).unwrap();
        assert_eq!(
            verify(&r, &auth, SECRET, t0(), &cache),
            Err(AuthError::SignatureDoesNotMatch)
        );
    }
    let mut h3 = h.clone();
    let a = authz(&h);
    set(&mut h3, "Authorization", &format!("{}zz", a));
    assert_eq!(
        run(&h3, "", BODY, t0()),
        Err(AuthError::SignatureDoesNotMatch)
    );
    // Unsigned headers may change freely.
    let mut h4 = h.clone();
    h4.push(("User-Agent".to_owned(), "anything".to_owned()));
    run(&h4, "", BODY, t0()).unwrap();
}

#[test]
fn scope_errors() {
    let e = run(&signed_post(&params("s3", t0())), "", BODY, t0()).unwrap_err();
    assert_eq!((e.code(), e.status()), ("SignatureDoesNotMatch", 403));
    assert_eq!(
        e.message(),
        "Credential should be scoped to correct service: 'iam'. "
    );
    // sts is accepted by default; a narrower option rejects it.
    let h = signed_post(&params("sts", t0()));
    run(&h, "", BODY, t0()).unwrap();
    let refs: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &refs,
        body: BODY.as_bytes(),
    };
    let auth = parse(&req).unwrap();
    let iam_only = VerifyOptions {
        services: &["iam"],
        ..VerifyOptions::IAM_STS
    };
    let e = verify_with(&req, &auth, SECRET, t0(), None, &iam_only).unwrap_err();
    assert_eq!(
        e.message(),
        "Credential should be scoped to correct service: 'iam'. "
    );

    let mut h = signed_post(&params("iam", t0()));
    let a = authz(&h);
    set(
        &mut h,
        "Authorization",
        &a.replace("/us-east-1/", "/US EAST/"),
    );
    assert_eq!(
        run(&h, "", BODY, t0()).unwrap_err().message(),
        "Credential should be scoped to a valid region. "
    );
    set(
        &mut h,
        "Authorization",
        &a.replace("/20250101/", "/20241231/"),
    );
    assert_eq!(
        run(&h, "", BODY, t0()).unwrap_err().message(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from \
         HTTP: '20241231' != '20250101', from '20250101T000000Z'."
    );
    set(
        &mut h,
        "Authorization",
        &a.replace("/aws4_request", "/aws5_request"),
    );
    let e = run(&h, "", BODY, t0()).unwrap_err();
    assert_eq!(e.code(), "SignatureDoesNotMatch");
    assert_eq!(
        e.message(),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
    );
}

#[test]
fn clock_skew() {
    let h = signed_post(&params("iam", t0()));
    let e = run(&h, "", BODY, t0() + Duration::from_secs(20 * 60)).unwrap_err();
    assert_eq!((e.code(), e.status()), ("SignatureDoesNotMatch", 403));
    assert_eq!(
        e.message(),
        "Signature expired: 20250101T000000Z is now earlier than 20250101T000500Z \
         (20250101T002000Z - 15 min.)"
    );
    let e = run(&h, "", BODY, t0() - Duration::from_secs(20 * 60)).unwrap_err();
    assert_eq!((e.code(), e.status()), ("SignatureDoesNotMatch", 403));
    assert_eq!(
        e.message(),
        "Signature not yet current: 20250101T000000Z is still later than 20241231T235500Z \
         (20241231T234000Z + 15 min.)"
    );
    // Exactly 15 minutes either way is accepted, one second more is not.
    run(&h, "", BODY, t0() + Duration::from_secs(900)).unwrap();
    assert!(run(&h, "", BODY, t0() + Duration::from_secs(901)).is_err());
    assert!(run(&h, "", BODY, t0() - Duration::from_secs(901)).is_err());
}

fn presigned(expires: u32) -> (Vec<(String, String)>, String) {
    let h = vec![("Host".to_owned(), "sts.amazonaws.com".to_owned())];
    let refs: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let req = RequestParts {
        method: "GET",
        path: "/",
        query: "Action=GetCallerIdentity&Version=2011-06-15",
        headers: &refs,
        body: b"",
    };
    let q = presign(&req, &params("sts", t0()), expires).unwrap();
    (h, q)
}

#[test]
fn presigned_expiry() {
    let (h, q) = presigned(3600);
    run(&h, &q, "", t0()).unwrap();
    run(&h, &q, "", t0() + Duration::from_secs(3600)).unwrap();
    let e = run(&h, &q, "", t0() + Duration::from_secs(3601)).unwrap_err();
    assert_eq!(e, AuthError::RequestExpired);
    assert_eq!((e.code(), e.status()), ("RequestExpired", 400));
    assert_eq!(e.message(), "Request has expired.");
    // Not usable before its time (beyond the skew).
    let e = run(&h, &q, "", t0() - Duration::from_secs(901)).unwrap_err();
    assert!(matches!(e, AuthError::SignatureNotYetCurrent { .. }));
    // Any change of the query fails.
    let e = run(
        &h,
        &q.replace("GetCallerIdentity", "GetSessionToken"),
        "",
        t0(),
    )
    .unwrap_err();
    assert_eq!(e, AuthError::SignatureDoesNotMatch);
}

#[test]
fn presigned_malformed() {
    let (h, q) = presigned(60);
    let without = |name: &str| {
        q.split('&')
            .filter(|p| !p.starts_with(name))
            .collect::<Vec<_>>()
            .join("&")
    };
    assert_eq!(
        incomplete(run(&h, &without("X-Amz-Credential"), "", t0())),
        "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the \
         query-string parameters."
    );
    let q2 = without("X-Amz-Signature=");
    let q2 = q2
        .split('&')
        .filter(|p| !p.starts_with("X-Amz-Date"))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(
        incomplete(run(&h, &q2, "", t0())),
        "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string \
         parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."
    );
    assert!(
        incomplete(run(
            &h,
            &q.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
            "",
            t0()
        ))
        .starts_with("X-Amz-Expires must be less than a week")
    );
    assert!(
        incomplete(run(
            &h,
            &q.replace("X-Amz-Expires=60", "X-Amz-Expires=soon"),
            "",
            t0()
        ))
        .starts_with("X-Amz-Expires should be a number")
    );
    assert!(
        incomplete(run(
            &h,
            &format!("{q}&X-Amz-Date=20250101T000000Z"),
            "",
            t0()
        ))
        .starts_with("Duplicate 'X-Amz-Date'")
    );
}

#[test]
fn content_sha256() {
    // Unsigned payload: the body may differ from what was signed.
    let mut p = params("iam", t0());
    p.unsigned_payload = true;
    let h = signed_post(&p);
    run(&h, "", BODY, t0()).unwrap();
    run(&h, "", "Action=DeleteUser", t0()).unwrap();
    // ... unless the options forbid it.
    let refs: Vec<(&str, &[u8])> = h.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &refs,
        body: BODY.as_bytes(),
    };
    let auth = parse(&req).unwrap();
    assert!(!auth.payload_signed());
    let strict = VerifyOptions {
        allow_unsigned_payload: false,
        ..VerifyOptions::IAM_STS
    };
    let e = verify_with(&req, &auth, SECRET, t0(), None, &strict).unwrap_err();
    assert_eq!(e, AuthError::ContentSha256Mismatch);
    assert_eq!((e.code(), e.status()), ("XAmzContentSHA256Mismatch", 400));

    // A declared hash must be the body's.
    let mut h = signed_post(&params("iam", t0()));
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    h.push(("X-Amz-Content-Sha256".to_owned(), empty.to_owned()));
    assert_eq!(
        run(&h, "", BODY, t0()),
        Err(AuthError::ContentSha256Mismatch)
    );
    set(
        &mut h,
        "X-Amz-Content-Sha256",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    );
    assert_eq!(
        run(&h, "", BODY, t0()),
        Err(AuthError::ContentSha256Mismatch)
    );
}

#[test]
fn error_table() {
    let rows: Vec<(AuthError, &str, u16)> = vec![
        (
            AuthError::MissingAuthenticationToken,
            "MissingAuthenticationToken",
            403,
        ),
        (
            AuthError::IncompleteSignature("m".into()),
            "IncompleteSignature",
            400,
        ),
        (
            AuthError::SignatureDoesNotMatch,
            "SignatureDoesNotMatch",
            403,
        ),
        (
            AuthError::InvalidScope("m".into()),
            "SignatureDoesNotMatch",
            403,
        ),
        (AuthError::RequestExpired, "RequestExpired", 400),
        (
            AuthError::ContentSha256Mismatch,
            "XAmzContentSHA256Mismatch",
            400,
        ),
        (AuthError::InvalidClientTokenId, "InvalidClientTokenId", 403),
    ];
    for (e, code, status) in rows {
        assert_eq!(e.code(), code);
        assert_eq!(e.status(), status);
        assert_eq!(e.error_type(), "Sender");
        assert!(!e.message().is_empty());
        assert_eq!(e.to_string(), format!("{code}: {}", e.message()));
    }
    assert_eq!(
        AuthError::InvalidClientTokenId.message(),
        "The security token included in the request is invalid."
    );
}
