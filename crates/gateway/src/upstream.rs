//! The upstream store: requests re-signed with its own keys (SigV4, `UNSIGNED-PAYLOAD`,
//! path-style) and streamed both ways, and the object tags a decision may need.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

use iamd_sigv4::{Credentials, SigningParams, sign};

use crate::body::{self, Failure, UpBody};
use crate::creds::Identity;
use crate::errors::S3Error;
use crate::proxy::{Gateway, Target, upstream_query};
use crate::s3map;

pub struct Upstream {
    /// `http://host:port`.
    pub base: String,
    pub host: String,
    pub region: String,
    pub identity: Identity,
    pub client: Client<HttpConnector, UpBody>,
}

const HOP_BY_HOP: &[&str] = &[
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "x-amz-decoded-content-length",
    // A trailer's checksum is checked here; the upstream receives the decoded body alone.
    "x-amz-trailer",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "expect",
];

#[allow(clippy::too_many_arguments)]
pub(crate) async fn forward(
    g: &Gateway,
    parts: &axum::http::request::Parts,
    t: &Target,
    headers: &[(String, String)],
    raw_query: &str,
    up_body: UpBody,
    up_length: Option<u64>,
    failure: &Failure,
    request_id: &str,
) -> Result<Response, S3Error> {
    let u = &g.upstream;
    let query = upstream_query(raw_query);
    let mut out: Vec<(String, String)> = Vec::new();
    // With a trailer, the algorithm names a checksum the upstream will not receive.
    let trailer = headers.iter().any(|(k, _)| k == "x-amz-trailer");
    for (k, v) in headers {
        if HOP_BY_HOP.contains(&k.as_str()) || (trailer && k == "x-amz-sdk-checksum-algorithm") {
            continue;
        }
        if k == "content-encoding" {
            let rest: Vec<&str> = v
                .split(',')
                .map(str::trim)
                .filter(|e| !e.eq_ignore_ascii_case("aws-chunked") && !e.is_empty())
                .collect();
            if !rest.is_empty() {
                out.push((k.clone(), rest.join(",")));
            }
            continue;
        }
        out.push((k.clone(), v.clone()));
    }
    let mut signed: Vec<(&str, &[u8])> = vec![("host", u.host.as_bytes())];
    for (k, v) in &out {
        if k.starts_with("x-amz-") || k == "content-md5" || k == "content-type" {
            signed.push((k.as_str(), v.as_bytes()));
        }
    }
    let sig_parts = iamd_sigv4::RequestParts {
        method: parts.method.as_str(),
        path: &t.upstream_path,
        query: &query,
        headers: &signed,
        body: &[],
    };
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: &u.identity.access_key_id,
            secret_access_key: &u.identity.secret_access_key,
            session_token: u.identity.session_token.as_deref(),
        },
        region: &u.region,
        service: "s3",
        time: SystemTime::now(),
        unsigned_payload: true,
    };
    let added = sign(&sig_parts, &params).map_err(|e| {
        tracing::error!(request_id, error = %e.message(), "re-signing failed");
        S3Error::new(
            "InternalError",
            500,
            "We encountered an internal error. Please try again.",
        )
    })?;
    let uri = if query.is_empty() {
        format!("{}{}", u.base, t.upstream_path)
    } else {
        format!("{}{}?{query}", u.base, t.upstream_path)
    };
    let mut b = hyper::Request::builder()
        .method(parts.method.clone())
        .uri(uri)
        .header("host", &u.host);
    for (k, v) in &out {
        b = b.header(k.as_str(), v.as_str());
    }
    for (k, v) in added {
        b = b.header(k, v);
    }
    if let Some(n) = up_length {
        b = b.header("content-length", n);
    }
    let req = b.body(up_body).map_err(|e| {
        tracing::warn!(request_id, error = %e, "request could not be rebuilt");
        S3Error::new("InvalidRequest", 400, "The request could not be forwarded.")
    })?;
    let result = u.client.request(req).await;
    if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        tracing::info!(request_id, code = e.code, "body refused while streaming");
        return Err(e);
    }
    let res = result.map_err(|e| {
        tracing::error!(request_id, error = %e, "upstream failed");
        S3Error::new(
            "ServiceUnavailable",
            503,
            "The upstream store did not answer.",
        )
    })?;
    let (rparts, rbody) = res.into_parts();
    let mut response = Response::new(Body::new(rbody));
    *response.status_mut() = rparts.status;
    for (k, v) in &rparts.headers {
        if matches!(
            k.as_str(),
            "connection" | "keep-alive" | "transfer-encoding" | "proxy-connection" | "upgrade"
        ) {
            continue;
        }
        response.headers_mut().append(k.clone(), v.clone());
    }
    Ok(response)
}

/// The object's tags, asked of the upstream with its own keys (none when it has no such
/// object: the operation itself then answers `NoSuchKey`).
pub(crate) async fn existing_tags(
    g: &Gateway,
    path: &str,
    version: Option<&str>,
    request_id: &str,
) -> Result<Vec<(String, String)>, S3Error> {
    let u = &g.upstream;
    let query = match version {
        Some(v) => format!(
            "tagging=&versionId={}",
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
        ),
        None => "tagging=".to_string(),
    };
    let signed: Vec<(&str, &[u8])> = vec![("host", u.host.as_bytes())];
    let parts = iamd_sigv4::RequestParts {
        method: "GET",
        path,
        query: &query,
        headers: &signed,
        body: &[],
    };
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: &u.identity.access_key_id,
            secret_access_key: &u.identity.secret_access_key,
            session_token: u.identity.session_token.as_deref(),
        },
        region: &u.region,
        service: "s3",
        time: SystemTime::now(),
        unsigned_payload: true,
    };
    let internal = || {
        S3Error::new(
            "InternalError",
            500,
            "We encountered an internal error. Please try again.",
        )
    };
    let added = sign(&parts, &params).map_err(|_| internal())?;
    let mut b = hyper::Request::get(format!("{}{path}?{query}", u.base)).header("host", &u.host);
    for (k, v) in added {
        b = b.header(k, v);
    }
    let req = b.body(body::empty()).map_err(|_| internal())?;
    let res = u.client.request(req).await.map_err(|e| {
        tracing::error!(request_id, error = %e, "upstream failed");
        S3Error::new(
            "ServiceUnavailable",
            503,
            "The upstream store did not answer.",
        )
    })?;
    let status = res.status();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .map_err(|_| internal())?
        .to_bytes();
    if status == StatusCode::NOT_FOUND {
        return Ok(Vec::new());
    }
    if !status.is_success() {
        tracing::error!(request_id, %status, "the upstream refused GetObjectTagging");
        return Err(S3Error::access_denied());
    }
    Ok(s3map::body_tags(&String::from_utf8_lossy(&bytes)))
}
