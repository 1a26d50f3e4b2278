//! The canonical request, built exactly as AWS and botocore build it for non-S3 services.
//!
//! ```text
//! METHOD \n
//! canonical URI \n          normalized path (dot segments removed, empty segments dropped),
//!                           URI-encoded once more ("double-encoded": %20 becomes %2520)
//! canonical query \n        each name and value percent-decoded then strictly re-encoded
//!                           (A-Z a-z 0-9 - _ . ~ kept), sorted by name then value, `k=v` joined by `&`
//! canonical headers \n      `name:value\n` per signed header, values trimmed and inner runs of
//!                           whitespace collapsed, repeated headers joined by `,`
//! signed headers \n         as listed in the credential (`host;x-amz-date`)
//! payload hash              hex SHA-256 of the body, or X-Amz-Content-Sha256 when honoured
//! ```

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};

use crate::RequestParts;

/// Everything but the RFC 3986 unreserved characters is encoded.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`STRICT`] but `/` is kept (path encoding).
const PATH: &AsciiSet = &STRICT.remove(b'/');

/// Splits `s` on an ASCII byte. A plain byte loop: faster than `str::split(char)` on the short
/// strings of a request (the memchr set-up dominates there).
pub(crate) fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Splits `s` at the first `sep` byte.
pub(crate) fn split_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~')
}

/// Appends `bytes` URI-encoded (uppercase hex) to `out`; `/` kept when `keep_slash`.
pub(crate) fn uri_encode_into(out: &mut Vec<u8>, bytes: &[u8], keep_slash: bool) {
    let set = if keep_slash { PATH } else { STRICT };
    for chunk in percent_encode(bytes, set) {
        out.extend_from_slice(chunk.as_bytes());
    }
}

/// URI-encodes `s` strictly (query names and values).
pub(crate) fn uri_encode(s: &str) -> String {
    percent_encode(s.as_bytes(), STRICT).to_string()
}

/// One query component in canonical form: percent-decoded, then strictly re-encoded. `+` is a
/// literal plus (SigV4 does not use form encoding), so it becomes `%2B`.
pub(crate) fn canonical_component(raw: &str) -> Cow<'_, str> {
    if raw.bytes().all(is_unreserved) {
        return Cow::Borrowed(raw);
    }
    let decoded: Cow<'_, [u8]> = percent_decode_str(raw).into();
    Cow::Owned(percent_encode(&decoded, STRICT).to_string())
}

/// A percent-decoded query component (for reading auth parameters), lossy on invalid UTF-8.
pub(crate) fn decode_component(raw: &str) -> Cow<'_, str> {
    percent_decode_str(raw).decode_utf8_lossy()
}

/// Splits a raw query string into raw `(name, value)` pairs. Empty pieces (`a=1&&b=2`) are
/// skipped; a piece without `=` has an empty value.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    split_ascii(query, b'&')
        .filter(|p| !p.is_empty())
        .map(|p| split_once_ascii(p, b'=').unwrap_or((p, "")))
}

/// Appends the canonical query string. `exclude_signature` drops `X-Amz-Signature` (presigned).
pub(crate) fn write_canonical_query(out: &mut Vec<u8>, query: &str, exclude_signature: bool) {
    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = query_pairs(query)
        .map(|(k, v)| (canonical_component(k), canonical_component(v)))
        .filter(|(k, _)| !(exclude_signature && k == "X-Amz-Signature"))
        .collect();
    pairs.sort_unstable();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(k.as_bytes());
        out.push(b'=');
        out.extend_from_slice(v.as_bytes());
    }
}

/// Appends the canonical URI of a raw (as received, still percent-encoded) path: dot segments
/// removed and empty segments dropped (as botocore's `normalize_url_path`), a trailing slash kept,
/// then URI-encoded once more.
pub(crate) fn write_canonical_uri(out: &mut Vec<u8>, raw_path: &str) {
    if raw_path.is_empty() {
        out.push(b'/');
        return;
    }
    let mut segments: Vec<&str> = Vec::new();
    for seg in raw_path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    if raw_path.starts_with('/') {
        out.push(b'/');
    }
    for (i, seg) in segments.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        uri_encode_into(out, seg.as_bytes(), false);
    }
    if raw_path.ends_with('/') && !segments.is_empty() {
        out.push(b'/');
    }
}

/// Appends S3's canonical URI: the path as sent, neither normalized nor encoded twice (S3 keys
/// may hold `//`, `.` and `..`); each byte is percent-decoded and encoded once, `/` kept.
pub(crate) fn write_s3_canonical_uri(out: &mut Vec<u8>, raw_path: &str) {
    if raw_path.is_empty() {
        out.push(b'/');
        return;
    }
    let decoded: Cow<'_, [u8]> = percent_decode_str(raw_path).into();
    uri_encode_into(out, &decoded, true);
}

/// Python's `str.split()` whitespace, restricted to ASCII (botocore trims header values with it).
fn is_py_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f)
}

/// Appends a header value trimmed, with every run of whitespace collapsed to one space.
pub(crate) fn write_trimmed_value(out: &mut Vec<u8>, value: &[u8]) {
    // Fast path: no whitespace but single inner spaces.
    let clean = value.first().is_none_or(|&c| !is_py_space(c))
        && value.last().is_none_or(|&c| !is_py_space(c))
        && value.windows(2).all(|w| !(w[0] == b' ' && w[1] == b' '))
        && value.iter().all(|&c| c == b' ' || !is_py_space(c));
    if clean {
        out.extend_from_slice(value);
        return;
    }
    let mut first = true;
    for word in value.split(|&c| is_py_space(c)).filter(|w| !w.is_empty()) {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(word);
        first = false;
    }
}

/// Appends `name:value\n` for each signed header. Values of repeated headers are joined with `,`
/// in the order received; a signed header the request lacks gets an empty value.
pub(crate) fn write_canonical_headers(out: &mut Vec<u8>, req: &RequestParts<'_>, signed: &str) {
    for name in split_ascii(signed, b';') {
        if name.bytes().any(|c| c.is_ascii_uppercase()) {
            out.extend(name.bytes().map(|c| c.to_ascii_lowercase()));
        } else {
            out.extend_from_slice(name.as_bytes());
        }
        out.push(b':');
        let mut first = true;
        for (_, value) in req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            if !first {
                out.push(b',');
            }
            write_trimmed_value(out, value);
            first = false;
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(p: &str) -> String {
        let mut v = Vec::new();
        write_canonical_uri(&mut v, p);
        String::from_utf8(v).unwrap()
    }

    fn query(q: &str, presigned: bool) -> String {
        let mut v = Vec::new();
        write_canonical_query(&mut v, q, presigned);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn uri_normalization_and_double_encoding() {
        assert_eq!(uri(""), "/");
        assert_eq!(uri("/"), "/");
        assert_eq!(uri("/a/b/../c/./d"), "/a/c/d");
        assert_eq!(uri("//a//b//"), "/a/b/");
        assert_eq!(uri("/a/.."), "/");
        assert_eq!(uri("/../.."), "/");
        assert_eq!(uri("/foo%20bar"), "/foo%2520bar");
        assert_eq!(uri("/a:b@c"), "/a%3Ab%40c");
        assert_eq!(uri("/~user/-_."), "/~user/-_.");
        assert_eq!(uri("/\u{e9}"), "/%C3%A9");
    }

    #[test]
    fn s3_uri_is_encoded_once_and_not_normalized() {
        let s3 = |p: &str| {
            let mut v = Vec::new();
            write_s3_canonical_uri(&mut v, p);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(s3(""), "/");
        assert_eq!(s3("/b/foo%20bar"), "/b/foo%20bar");
        assert_eq!(s3("/b/a//./../c"), "/b/a//./../c");
        assert_eq!(s3("/b/a b+c"), "/b/a%20b%2Bc");
        assert_eq!(s3("/b/%7Euser"), "/b/~user");
    }

    #[test]
    fn query_canonicalization() {
        assert_eq!(query("", false), "");
        assert_eq!(query("b=2&a=1", false), "a=1&b=2");
        assert_eq!(query("a=2&a=1&a", false), "a=&a=1&a=2");
        assert_eq!(query("k=a b", false), "k=a%20b");
        assert_eq!(query("k=a%20b&k2=a+b", false), "k=a%20b&k2=a%2Bb");
        assert_eq!(query("%41=%7e&&", false), "A=~");
        assert_eq!(query("x=%zz", false), "x=%25zz");
        // Sorting is by the encoded name: "%2A" < "A".
        assert_eq!(query("A=1&*=2", false), "%2A=2&A=1");
        assert_eq!(
            query("X-Amz-Signature=abc&Action=ListUsers", true),
            "Action=ListUsers"
        );
        assert_eq!(
            query("X-Amz-Signature=abc&Action=ListUsers", false),
            "Action=ListUsers&X-Amz-Signature=abc"
        );
    }

    #[test]
    fn header_values() {
        let headers: &[(&str, &[u8])] = &[
            ("Host", b"iam.amazonaws.com"),
            ("X-Multi", b"  a   b  "),
            ("x-multi", b"\tc\t\td "),
            ("X-Empty", b""),
        ];
        let req = RequestParts {
            method: "GET",
            path: "/",
            query: "",
            headers,
            body: b"",
        };
        let mut v = Vec::new();
        write_canonical_headers(&mut v, &req, "host;x-absent;x-empty;x-multi");
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "host:iam.amazonaws.com\nx-absent:\nx-empty:\nx-multi:a b,c d\n"
        );
    }
}
