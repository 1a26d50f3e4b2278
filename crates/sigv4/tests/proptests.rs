//! Property tests: sign-then-verify round trips, any change to a signed byte fails, and no input
//! makes parse or verify panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iamd_sigv4::{
    AuthError, Credentials, RequestParts, SigningKeyCache, SigningParams, VerifyOptions, parse,
    presign, sign, verify_with,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_735_689_600)
}

fn params(time: SystemTime, unsigned_payload: bool) -> SigningParams<'static> {
    SigningParams {
        credentials: Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret_access_key: SECRET,
            session_token: None,
        },
        region: "us-east-1",
        service: "iam",
        time,
        unsigned_payload,
    }
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn parts<'a>(&'a self, hs: &'a [(&'a str, &'a [u8])]) -> RequestParts<'a> {
        RequestParts {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: hs,
            body: &self.body,
        }
    }
    fn refs(&self) -> Vec<(&str, &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect()
    }
}

fn arb_request() -> impl Strategy<Value = Req> {
    let method = prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]);
    let segment = "[a-zA-Z0-9 ._~:@!$'()*+,;=é-]{1,8}";
    let path = prop::collection::vec(segment, 0..4);
    let query = prop::collection::vec(("[ -~é]{0,8}", "[ -~é]{0,8}"), 0..5);
    let header_name = "x-[a-z0-9-]{1,10}";
    let header_value = "[ -~\t]{0,20}";
    let headers = prop::collection::vec((header_name, header_value), 0..5);
    let body = prop::collection::vec(any::<u8>(), 0..200);
    (method, path, query, headers, body).prop_map(|(m, path, query, headers, body)| {
        let path = format!(
            "/{}",
            path.iter().map(|s| enc(s)).collect::<Vec<_>>().join("/")
        );
        let query = query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut hs = vec![("Host".to_owned(), "iam.amazonaws.com".to_owned())];
        hs.extend(headers);
        Req {
            method: m.to_owned(),
            path,
            query,
            headers: hs,
            body,
        }
    })
}

fn signed(r: &Req, unsigned_payload: bool) -> Req {
    let hs = r.refs();
    let added = sign(&r.parts(&hs), &params(t0(), unsigned_payload)).unwrap();
    let mut out = r.clone();
    out.headers
        .extend(added.into_iter().map(|(n, v)| (n.to_owned(), v)));
    out
}

fn check(r: &Req, now: SystemTime) -> Result<(), AuthError> {
    let hs = r.refs();
    let req = r.parts(&hs);
    let auth = parse(&req)?;
    verify_with(
        &req,
        &auth,
        SECRET,
        now,
        Some(&SigningKeyCache::new(16)),
        &VerifyOptions::IAM_STS,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify(r in arb_request(), unsigned in any::<bool>(), skew in -900i64..=900) {
        let s = signed(&r, unsigned);
        let now = if skew >= 0 {
            t0() + Duration::from_secs(skew as u64)
        } else {
            t0() - Duration::from_secs(skew.unsigned_abs())
        };
        prop_assert_eq!(check(&s, now), Ok(()));
    }

    #[test]
    fn presign_then_verify(r in arb_request(), expires in 1u32..=604_800) {
        let mut r = r;
        r.headers.truncate(1);
        let hs = r.refs();
        let q = presign(&r.parts(&hs), &params(t0(), false), expires).unwrap();
        let p = Req { query: q, ..r.clone() };
        prop_assert_eq!(check(&p, t0()), Ok(()));
    }

    #[test]
    fn body_byte_flip_fails(r in arb_request(), idx in any::<prop::sample::Index>(), x in 1u8..=255) {
        prop_assume!(!r.body.is_empty());
        let mut s = signed(&r, false);
        let i = idx.index(s.body.len());
        s.body[i] ^= x;
        prop_assert_eq!(check(&s, t0()), Err(AuthError::SignatureDoesNotMatch));
    }

    #[test]
    fn signature_digit_change_fails(r in arb_request(), idx in 0usize..64, d in 1u8..16) {
        let mut s = signed(&r, false);
        let (_, a) = s.headers.iter_mut().find(|(n, _)| n == "Authorization").unwrap();
        let start = a.len() - 64;
        let mut bytes = a.clone().into_bytes();
        let old = u8::from_str_radix(std::str::from_utf8(&bytes[start + idx..=start + idx]).unwrap(), 16).unwrap();
        let new = (old + d) % 16;
        bytes[start + idx] = b"0123456789abcdef"[new as usize];
        *a = String::from_utf8(bytes).unwrap();
        prop_assert_eq!(check(&s, t0()), Err(AuthError::SignatureDoesNotMatch));
    }

    #[test]
    fn signed_header_or_request_line_change_fails(
        r in arb_request(),
        which in 0usize..4,
        hidx in any::<prop::sample::Index>(),
        c in "[a-z0-9]",
    ) {
        let mut s = signed(&r, false);
        match which {
            0 => {
                // Append a visible character to one signed header (never Authorization).
                let n = s.headers.len() - 1;
                let i = hidx.index(n);
                s.headers[i].1.push_str(&c);
            }
            1 => s.query = if s.query.is_empty() { format!("z{c}=1") } else { format!("{}&z{c}=1", s.query) },
            2 => s.path = format!("{}{c}", s.path.trim_end_matches('/')).replace("//", "/") + "x",
            _ => s.method = format!("{}X", s.method),
        }
        // Usually a mismatch; a changed X-Amz-Date is no longer a date at all.
        let r = check(&s, t0());
        prop_assert!(
            matches!(r, Err(AuthError::SignatureDoesNotMatch | AuthError::IncompleteSignature(_))),
            "{:?}", r
        );
    }

    #[test]
    fn arbitrary_authorization_never_panics(
        auth in "\\PC{0,200}",
        date in "\\PC{0,24}",
        other in prop::collection::vec(("[A-Za-z-]{1,20}", prop::collection::vec(any::<u8>(), 0..40)), 0..4),
        query in "\\PC{0,120}",
        path in "\\PC{0,40}",
    ) {
        let mut headers: Vec<(String, Vec<u8>)> = vec![
            ("Authorization".into(), auth.into_bytes()),
            ("X-Amz-Date".into(), date.into_bytes()),
        ];
        headers.extend(other);
        let hs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        for q in [query.as_str(), ""] {
            let req = RequestParts { method: "POST", path: &path, query: q, headers: &hs, body: b"x" };
            if let Ok(a) = parse(&req) {
                let _ = verify_with(&req, &a, SECRET, t0(), Some(&SigningKeyCache::new(16)), &VerifyOptions::IAM_STS);
                let _ = iamd_sigv4::canonical_request(&req, &a);
            }
        }
    }

    #[test]
    fn arbitrary_presigned_query_never_panics(
        pairs in prop::collection::vec((
            prop::sample::select(vec![
                "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "Action",
            ]),
            "\\PC{0,40}",
        ), 0..10),
    ) {
        let query = pairs.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&");
        let hs: Vec<(&str, &[u8])> = vec![("Host", b"iam.amazonaws.com")];
        let req = RequestParts { method: "GET", path: "/", query: &query, headers: &hs, body: b"" };
        if let Ok(a) = parse(&req) {
            let _ = verify_with(&req, &a, SECRET, t0(), None, &VerifyOptions::IAM_STS);
        }
    }
}
