//! One S3 request through the gateway: find the bucket and key (path-style or virtual-hosted),
//! map the operation, ask iamd (the client's signature, the decision with the bucket's policy),
//! then answer bucket-policy operations here and forward the rest upstream, re-signed with the
//! upstream's keys, the body streamed and checked on the way.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use bytes::Bytes;
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use iamd_authorize_client::{Answer, Check as ApiCheck, Forwarded, Query};
use iamd_sigv4::{SigningKey, UNSIGNED_PAYLOAD};

use crate::body::{self, Failure};
use crate::buckets::Buckets;
use crate::checksum::Checksum;
use crate::chunked::{ChunkSigner, Decoder, Framing};
use crate::errors::{S3Error, from_iamd};
use crate::iamd::{Iamd, IamdError};
use crate::s3map::{self, BodyNeed, Check, Operation, S3Request};

const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// Bodies read before deciding (DeleteObjects, tagging, policies) are at most this large.
const MAX_DECISION_BODY: usize = 1 << 20;
/// AWS's limit on a bucket policy's size.
const MAX_BUCKET_POLICY: usize = 20 * 1024;

pub struct Gateway {
    pub iamd: Arc<Iamd>,
    pub buckets: Buckets,
    pub upstream: crate::upstream::Upstream,
    /// The gateway's own account: the owner of buckets iamd holds no record for.
    pub account: String,
    pub dev: bool,
    /// Fill `s3:ExistingObjectTag/*` (one upstream `GetObjectTagging` before each decision
    /// about an existing object's content, ACL or tags).
    pub existing_object_tags: bool,
    /// Virtual-hosted-style requests: `<bucket>.<domain>`.
    pub virtual_host_domain: Option<String>,
    /// Clients connect over TLS (`aws:SecureTransport`).
    pub tls: bool,
}

type Failed = (S3Error, String);

pub async fn handle(
    State(g): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let request_id = new_request_id();
    let has_body = req.headers().contains_key("transfer-encoding")
        || req
            .headers()
            .get("content-length")
            .is_some_and(|v| v.as_bytes() != b"0");
    match serve(&g, peer, req, &request_id).await {
        Ok(r) => r,
        Err((e, resource)) => {
            let mut r = e.response(&request_id, &resource);
            // A refused body may be left unread: the client must not send its next request on
            // this connection (hyper closes it, and a client reusing it would see it closed).
            if has_body {
                r.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            r
        }
    }
}

fn new_request_id() -> String {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        let n = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b = (n as u64).to_be_bytes();
    }
    hex::encode_upper(b)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The bucket and key a request names, and the path-style path to send upstream (raw).
pub(crate) struct Target {
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub upstream_path: String,
}

fn target(host: &str, raw_path: &str, domain: Option<&str>) -> Target {
    let hostname = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if let Some(d) = domain
        && let Some(bucket) = hostname.strip_suffix(d).and_then(|b| b.strip_suffix('.'))
        && !bucket.is_empty()
    {
        let rest = raw_path.strip_prefix('/').unwrap_or(raw_path);
        return Target {
            bucket: Some(bucket.to_string()),
            key: (!rest.is_empty()).then(|| decode(rest)),
            upstream_path: format!("/{bucket}/{rest}"),
        };
    }
    let rest = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let (b, k) = rest.split_once('/').unwrap_or((rest, ""));
    Target {
        bucket: (!b.is_empty()).then(|| decode(b)),
        key: (!k.is_empty()).then(|| decode(k)),
        upstream_path: if raw_path.is_empty() {
            "/".to_string()
        } else {
            raw_path.to_string()
        },
    }
}

const PRESIGN_PARAMS: &[&str] = &[
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-signedheaders",
    "x-amz-signature",
    "x-amz-security-token",
];

/// The raw query without the client's presigned-URL authentication.
pub(crate) fn upstream_query(raw: &str) -> String {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default();
            !PRESIGN_PARAMS.contains(&decode(name).to_ascii_lowercase().as_str())
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The bucket a check's resource belongs to (`None` for `*`).
fn bucket_of(resource: &str) -> Option<&str> {
    let rest = resource.strip_prefix("arn:aws:s3:::")?;
    Some(rest.split('/').next().unwrap_or(rest))
}

pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn serve(
    g: &Arc<Gateway>,
    peer: SocketAddr,
    req: Request,
    request_id: &str,
) -> Result<Response, Failed> {
    let (parts, client_body) = req.into_parts();
    let raw_path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let resource = raw_path.clone();
    let err = |e: S3Error| (e, resource.clone());
    let host = header(&headers, "host").unwrap_or_default().to_string();
    let t = target(&host, &raw_path, g.virtual_host_domain.as_deref());
    let query: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let presigned = query.iter().any(|(k, _)| k == "X-Amz-Signature");
    // An unsigned request is anonymous: only a bucket policy granting everyone can allow it.
    let anonymous = !presigned && header(&headers, "authorization").is_none();
    let method = parts.method.as_str().to_string();
    let mut op = s3map::map(&S3Request {
        method: &method,
        bucket: t.bucket.as_deref(),
        key: t.key.as_deref(),
        query: &query,
        headers: &headers,
    })
    .map_err(|why| {
        tracing::warn!(
            request_id,
            method,
            path = raw_path,
            query = raw_query,
            why,
            "unmapped S3 request refused"
        );
        err(S3Error::access_denied())
    })?;

    if g.existing_object_tags
        && let (Some(b), Some(_)) = (&t.bucket, &t.key)
        && op
            .checks
            .iter()
            .any(|c| s3map::takes_existing_tags(c.action))
    {
        let version = query
            .iter()
            .find(|(k, _)| k == "versionId")
            .map(|(_, v)| v.as_str());
        let tags = crate::upstream::existing_tags(g, &t.upstream_path, version, request_id)
            .await
            .map_err(&err)?;
        let arn = s3map::object_arn(b, t.key.as_deref().unwrap_or_default());
        for c in op.checks.iter_mut() {
            if c.resource == arn && s3map::takes_existing_tags(c.action) {
                for (k, v) in &tags {
                    c.context
                        .insert(format!("s3:ExistingObjectTag/{k}"), vec![v.clone()]);
                }
            }
        }
    }

    // What the client declared about its body.
    let declared = if presigned || anonymous {
        UNSIGNED_PAYLOAD.to_string()
    } else {
        header(&headers, "x-amz-content-sha256")
            .map(str::to_string)
            .ok_or_else(|| {
                err(S3Error::new(
                    "InvalidRequest",
                    400,
                    "Missing required header for this request: x-amz-content-sha256",
                ))
            })?
    };
    let mode = PayloadMode::of(&declared).ok_or_else(|| {
        err(S3Error::new(
            "NotImplemented",
            501,
            format!("x-amz-content-sha256 {declared} is not supported by this gateway"),
        ))
    })?;
    let content_length: Option<u64> =
        header(&headers, "content-length").and_then(|v| v.parse().ok());

    // A body the decision depends on is read (bounded) and checked first.
    let incoming = if op.body == BodyNeed::None {
        Incoming::Stream(client_body)
    } else {
        let limit = if op.body == BodyNeed::Policy {
            MAX_BUCKET_POLICY
        } else {
            MAX_DECISION_BODY
        };
        let bytes = axum::body::to_bytes(client_body, limit)
            .await
            .map_err(|_| {
                err(S3Error::new(
                    "MaxMessageLengthExceeded",
                    400,
                    "Your request was too big.",
                ))
            })?;
        match &mode {
            PayloadMode::Hash(want) => {
                let got: [u8; 32] = Sha256::digest(&bytes).into();
                if &got != want {
                    return Err(err(from_iamd("XAmzContentSHA256Mismatch", "")));
                }
            }
            PayloadMode::Unsigned => {}
            PayloadMode::Chunked { .. } => {
                return Err(err(S3Error::new(
                    "NotImplemented",
                    501,
                    "aws-chunked bodies are not supported for this operation",
                )));
            }
        }
        add_body_checks(&mut op, t.bucket.as_deref().unwrap_or_default(), &bytes);
        Incoming::Read(bytes)
    };
    decide_and_forward(
        g,
        peer,
        request_id,
        &parts,
        &t,
        &headers,
        &raw_query,
        declared,
        op,
        mode,
        incoming,
        content_length,
        anonymous,
    )
    .await
    .map_err(err)
}

/// How the client's body is covered by its signature.
enum PayloadMode {
    Hash([u8; 32]),
    Unsigned,
    /// `aws-chunked`: chunks signed or not, with a trailer (a checksum) or not.
    Chunked {
        signed: bool,
        trailer: bool,
    },
}

impl PayloadMode {
    fn of(declared: &str) -> Option<PayloadMode> {
        let chunked = |signed, trailer| Some(PayloadMode::Chunked { signed, trailer });
        match declared {
            UNSIGNED_PAYLOAD => return Some(PayloadMode::Unsigned),
            STREAMING_SIGNED => return chunked(true, false),
            STREAMING_SIGNED_TRAILER => return chunked(true, true),
            STREAMING_UNSIGNED_TRAILER => return chunked(false, true),
            _ => {}
        }
        let mut h = [0u8; 32];
        hex::decode_to_slice(declared, &mut h).ok()?;
        Some(PayloadMode::Hash(h))
    }
}

enum Incoming {
    Stream(Body),
    Read(Bytes),
}

fn add_body_checks(op: &mut Operation, bucket: &str, body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    match op.body {
        BodyNeed::DeleteKeys => {
            let keys = s3map::delete_keys(&text);
            op.checks = keys
                .iter()
                .map(|k| Check {
                    action: "s3:DeleteObject",
                    resource: s3map::object_arn(bucket, k),
                    context: BTreeMap::new(),
                })
                .collect();
        }
        BodyNeed::Tagging => {
            let tags = s3map::body_tags(&text);
            for c in &mut op.checks {
                s3map::tag_context(&tags, c);
            }
        }
        BodyNeed::Policy | BodyNeed::None => {}
    }
}

#[allow(clippy::too_many_arguments)]
async fn decide_and_forward(
    g: &Arc<Gateway>,
    peer: SocketAddr,
    request_id: &str,
    parts: &axum::http::request::Parts,
    t: &Target,
    headers: &[(String, String)],
    raw_query: &str,
    declared: String,
    op: Operation,
    mode: PayloadMode,
    incoming: Incoming,
    content_length: Option<u64>,
    anonymous: bool,
) -> Result<Response, S3Error> {
    if op.checks.is_empty() {
        // DeleteObjects naming no key: nothing to allow.
        return Err(S3Error::new(
            "MalformedXML",
            400,
            "The XML you provided was not well-formed or did not validate against our published schema",
        ));
    }
    let forwarded = Forwarded {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: raw_query.to_string(),
        headers: headers.to_vec(),
        payload_hash: if declared == UNSIGNED_PAYLOAD {
            Some(declared.clone())
        } else {
            None
        },
    };
    let mut global = BTreeMap::new();
    global.insert("aws:SourceIp".to_string(), vec![peer.ip().to_string()]);
    global.insert("aws:SecureTransport".to_string(), vec![g.tls.to_string()]);
    if let Some(ua) = header(headers, "user-agent") {
        global.insert("aws:UserAgent".to_string(), vec![ua.to_string()]);
    }

    // One decision per bucket involved (a copy reads another bucket, with its own policy).
    let mut groups: Vec<(Option<String>, Vec<Check>)> = Vec::new();
    for c in op.checks.iter().cloned() {
        let b = bucket_of(&c.resource).map(str::to_string);
        match groups.iter_mut().find(|(gb, _)| *gb == b) {
            Some((_, v)) => v.push(c),
            None => groups.push((b, vec![c])),
        }
    }
    let chunked = matches!(mode, PayloadMode::Chunked { signed: true, .. });
    let mut main_answer: Option<Answer> = None;
    let mut target_record = None;
    for (i, (bucket, checks)) in groups.into_iter().enumerate() {
        let record = match &bucket {
            Some(b) if op.name != "CreateBucket" => g
                .buckets
                .get(b)
                .await
                .map_err(|e| unavailable(request_id, &e))?,
            _ => None,
        };
        let owner = record
            .as_ref()
            .map(|r| r.owner.clone())
            .unwrap_or_else(|| g.account.clone());
        let q = Query {
            request: (!anonymous).then(|| forwarded.clone()),
            anonymous,
            checks: checks
                .iter()
                .map(|c| ApiCheck {
                    action: c.action.to_string(),
                    resource: c.resource.clone(),
                    context: c.context.clone(),
                })
                .collect(),
            resource_policy: record.as_ref().and_then(|r| r.policy.clone()),
            // A bucket being created has no owner yet: it will be the caller's account.
            resource_owner: bucket
                .as_ref()
                .filter(|_| op.name != "CreateBucket")
                .map(|_| owner),
            context: global.clone(),
            want_signing_key: chunked && i == 0,
            ..Query::default()
        };
        let answer = match g.iamd.authorize(&q).await {
            Ok(a) => a,
            // The gateway's own identity was refused (it lacks iamd:Authorize): fail closed,
            // loudly, and not as the client's fault.
            Err(e @ IamdError::Api { .. }) if matches!(&e, IamdError::Api { code, .. } if code == "AccessDeniedException") =>
            {
                return Err(unavailable(request_id, &e));
            }
            Err(IamdError::Api { code, message }) => {
                tracing::info!(
                    request_id,
                    operation = op.name,
                    code,
                    message,
                    "refused by iamd"
                );
                return Err(from_iamd(&code, &message));
            }
            Err(e) => return Err(unavailable(request_id, &e)),
        };
        tracing::info!(
            request_id,
            operation = op.name,
            principal = answer.principal.arn,
            decision = answer.decision,
            event = answer.event_id.as_deref().unwrap_or(""),
            "decided"
        );
        if !answer.allowed() {
            return Err(S3Error::access_denied());
        }
        if i == 0 {
            target_record = record;
            main_answer = Some(answer);
        }
    }
    let Some(answer) = main_answer else {
        return Err(S3Error::access_denied());
    };
    let bucket = t.bucket.clone().unwrap_or_default();
    if let Some(local) = op.local {
        let body = match incoming {
            Incoming::Read(b) => b,
            Incoming::Stream(_) => Bytes::new(),
        };
        return crate::local::bucket_policy(g, local, &bucket, target_record, &body, request_id)
            .await;
    }
    if op.name == "CreateBucket"
        && let Some(r) = g
            .buckets
            .get(&bucket)
            .await
            .map_err(|e| unavailable(request_id, &e))?
    {
        return Err(if r.owner == answer.principal.account {
            S3Error::new(
                "BucketAlreadyOwnedByYou",
                409,
                "Your previous request to create the named bucket succeeded and you already own it.",
            )
        } else {
            S3Error::new(
                "BucketAlreadyExists",
                409,
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            )
        });
    }

    // The body on its way upstream.
    let failure: Failure = Arc::new(Mutex::new(None));
    let (up_body, up_length) = match (incoming, &mode) {
        (Incoming::Read(b), _) => {
            let n = b.len() as u64;
            (body::full(b), Some(n))
        }
        (Incoming::Stream(b), PayloadMode::Chunked { signed, trailer }) => {
            let decoder = chunk_framing(g, headers, &answer, *signed, *trailer)?;
            let decoded =
                header(headers, "x-amz-decoded-content-length").and_then(|v| v.parse::<u64>().ok());
            (
                body::dechunked(b, Decoder::new(decoder, decoded), failure.clone()),
                decoded,
            )
        }
        (Incoming::Stream(b), PayloadMode::Hash(want)) => {
            if content_length.unwrap_or(0) == 0 && header(headers, "transfer-encoding").is_none() {
                if hex::encode(want) != EMPTY_SHA256 {
                    return Err(from_iamd("XAmzContentSHA256Mismatch", ""));
                }
                (body::empty(), None)
            } else {
                (
                    body::hash_checked(b, *want, failure.clone()),
                    content_length,
                )
            }
        }
        (Incoming::Stream(b), PayloadMode::Unsigned) => {
            if content_length.unwrap_or(0) == 0 && header(headers, "transfer-encoding").is_none() {
                (body::empty(), None)
            } else {
                (body::passthrough(b), content_length)
            }
        }
    };
    let res = crate::upstream::forward(
        g, parts, t, headers, raw_query, up_body, up_length, &failure, request_id,
    )
    .await?;
    let ok = res.status().is_success();
    if ok && op.name == "ListBuckets" {
        return crate::local::own_buckets(g, res, &answer.principal.account, request_id).await;
    }
    if ok && op.name == "CreateBucket" {
        match g
            .buckets
            .put(&bucket, &answer.principal.account, None, true)
            .await
        {
            Ok(()) => {}
            // Another account created it first (the upstream cannot tell: its keys own all).
            Err(IamdError::Api { code, .. }) if code == "EntityAlreadyExists" => {
                return Err(S3Error::new(
                    "BucketAlreadyExists",
                    409,
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
                ));
            }
            Err(e) => return Err(unavailable(request_id, &e)),
        }
    }
    if ok && op.name == "DeleteBucket" {
        g.buckets
            .delete(&bucket)
            .await
            .map_err(|e| unavailable(request_id, &e))?;
    }
    Ok(res)
}

pub(crate) fn unavailable(request_id: &str, e: &IamdError) -> S3Error {
    tracing::error!(request_id, error = %e, "iamd could not decide; refused");
    S3Error::new(
        "ServiceUnavailable",
        503,
        "Please reduce your request rate.",
    )
}

/// How an `aws-chunked` upload is checked: for signed chunks, the request's scope and seed
/// signature with the signing key iamd gave for it; for a trailer, the checksum `x-amz-trailer`
/// declares.
fn chunk_framing(
    g: &Gateway,
    headers: &[(String, String)],
    answer: &Answer,
    signed: bool,
    trailer: bool,
) -> Result<Framing, S3Error> {
    let trailer = if trailer {
        let name = header(headers, "x-amz-trailer")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let checksum = Checksum::for_header(&name).ok_or_else(|| {
            S3Error::new(
                "InvalidRequest",
                400,
                "The value specified in the x-amz-trailer header is not supported",
            )
        })?;
        Some((name, checksum))
    } else {
        None
    };
    if !signed {
        return Ok(Framing {
            signer: None,
            trailer,
        });
    }
    let auth = header(headers, "authorization").unwrap_or_default();
    let seed = auth
        .split("Signature=")
        .nth(1)
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let amz_date = header(headers, "x-amz-date")
        .unwrap_or_default()
        .to_string();
    let credential = auth
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split(',').next())
        .unwrap_or_default();
    let scope = credential
        .split_once('/')
        .map(|(_, s)| s.to_string())
        .unwrap_or_default();
    let key = match &answer.signing_key {
        Some(k) if k.scope == scope => {
            let mut raw = [0u8; 32];
            hex::decode_to_slice(&k.key, &mut raw).map_err(|_| S3Error::access_denied())?;
            Some(SigningKey::from_bytes(&raw))
        }
        // An unverified --dev key (no secret exists) streams undecided, as `serve --dev` does.
        None if g.dev => None,
        _ => {
            tracing::error!("iamd gave no signing key for a streaming upload; refused");
            return Err(S3Error::access_denied());
        }
    };
    Ok(Framing {
        signer: Some(ChunkSigner {
            key,
            amz_date,
            scope,
            seed,
        }),
        trailer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = target("127.0.0.1:9000", "/b/a%20b/c", None);
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("b"), Some("a b/c"))
        );
        assert_eq!(t.upstream_path, "/b/a%20b/c");
        let t = target("b.s3.test:9000", "/k%2B1", Some("s3.test"));
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref()),
            (Some("b"), Some("k+1"))
        );
        assert_eq!(t.upstream_path, "/b/k%2B1");
        let t = target("s3.test", "/", Some("s3.test"));
        assert_eq!((t.bucket, t.key), (None, None));
        let t = target("h", "/b", None);
        assert_eq!((t.bucket.as_deref(), t.key), (Some("b"), None));
    }

    #[test]
    fn presign_parameters_are_not_forwarded() {
        assert_eq!(
            upstream_query("X-Amz-Algorithm=A&versionId=3&X-Amz-Signature=s&x-amz-acl=private"),
            "versionId=3&x-amz-acl=private"
        );
    }
}
