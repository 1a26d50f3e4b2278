//! What the gateway answers itself: the bucket policy operations (kept in iamd), and the
//! caller's own buckets out of the upstream's `ListBuckets`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::errors::S3Error;
use crate::iamd::IamdError;
use crate::proxy::{Gateway, unavailable};
use crate::s3map::Local;

/// PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy: answered here, kept in iamd.
pub(crate) async fn bucket_policy(
    g: &Gateway,
    local: Local,
    bucket: &str,
    record: Option<Arc<crate::buckets::Bucket>>,
    body: &[u8],
    request_id: &str,
) -> Result<Response, S3Error> {
    let owner = record
        .as_ref()
        .map(|r| r.owner.clone())
        .unwrap_or_else(|| g.account.clone());
    let no_content = || {
        let mut r = StatusCode::NO_CONTENT.into_response();
        if let Ok(v) = HeaderValue::from_str(request_id) {
            r.headers_mut().insert("x-amz-request-id", v);
        }
        r
    };
    match local {
        Local::GetBucketPolicy => match record.and_then(|r| r.policy.clone()) {
            Some(p) => {
                let mut r = (StatusCode::OK, p).into_response();
                r.headers_mut()
                    .insert("content-type", HeaderValue::from_static("application/json"));
                if let Ok(v) = HeaderValue::from_str(request_id) {
                    r.headers_mut().insert("x-amz-request-id", v);
                }
                Ok(r)
            }
            None => Err(S3Error::new(
                "NoSuchBucketPolicy",
                404,
                "The bucket policy does not exist",
            )),
        },
        Local::DeleteBucketPolicy => {
            g.buckets
                .put(bucket, &owner, None, false)
                .await
                .map_err(|e| unavailable(request_id, &e))?;
            Ok(no_content())
        }
        Local::PutBucketPolicy => {
            let text = std::str::from_utf8(body).map_err(|_| {
                malformed_policy("Policies must be valid JSON and the first byte must be '{'")
            })?;
            if !text.trim_start().starts_with('{') {
                return Err(malformed_policy(
                    "Policies must be valid JSON and the first byte must be '{'",
                ));
            }
            match g.buckets.put(bucket, &owner, Some(text), false).await {
                Ok(()) => Ok(no_content()),
                Err(IamdError::Api { code, message }) if code == "MalformedPolicyDocument" => {
                    Err(malformed_policy(&message))
                }
                Err(e) => Err(unavailable(request_id, &e)),
            }
        }
    }
}

fn malformed_policy(message: &str) -> S3Error {
    S3Error::new("MalformedPolicy", 400, message)
}

/// The upstream's `ListBuckets` answer without the buckets another account owns.
pub(crate) async fn own_buckets(
    g: &Gateway,
    res: Response,
    account: &str,
    request_id: &str,
) -> Result<Response, S3Error> {
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20).await.map_err(|e| {
        tracing::error!(request_id, error = %e, "upstream ListBuckets unreadable");
        S3Error::new(
            "ServiceUnavailable",
            503,
            "The upstream store did not answer.",
        )
    })?;
    let xml = String::from_utf8_lossy(&bytes);
    let mut mine = std::collections::HashSet::new();
    for name in crate::list_buckets::names(&xml) {
        let owner = g
            .buckets
            .get(&name)
            .await
            .map_err(|e| unavailable(request_id, &e))?
            .map(|b| b.owner.clone())
            .unwrap_or_else(|| g.account.clone());
        if owner == account {
            mine.insert(name);
        }
    }
    let filtered = crate::list_buckets::filter(&xml, |n| mine.contains(n));
    parts.headers.remove("content-length");
    Ok(Response::from_parts(parts, Body::from(filtered)))
}
