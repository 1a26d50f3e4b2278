//! Request bodies on their way upstream, streamed, never buffered whole: checked against the
//! declared SHA-256 (the last piece is held back until the hash matched, so the upstream never
//! receives a complete body that was not the signed one), or decoded from `aws-chunked` with
//! every chunk signature checked.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::BodyDataStream;
use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Frame;
use sha2::{Digest, Sha256};

use crate::chunked::{ChunkError, Decoder};
use crate::errors::S3Error;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type UpBody = UnsyncBoxBody<Bytes, BoxError>;

/// Why a body was refused while streaming: read by the handler to answer the client.
pub type Failure = Arc<Mutex<Option<S3Error>>>;

fn fail(f: &Failure, e: S3Error) -> BoxError {
    let msg = e.message.clone();
    *f.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
    msg.into()
}

pub fn empty() -> UpBody {
    http_body_util::Empty::new()
        .map_err(|e| match e {})
        .boxed_unsync()
}

pub fn full(b: Bytes) -> UpBody {
    http_body_util::Full::new(b)
        .map_err(|e| match e {})
        .boxed_unsync()
}

/// Passed as it comes (the payload is not signed: `UNSIGNED-PAYLOAD`, presigned URLs).
pub fn passthrough(body: axum::body::Body) -> UpBody {
    body.map_err(|e| -> BoxError { e.into() }).boxed_unsync()
}

fn streamed<S>(s: S) -> UpBody
where
    S: futures_util::Stream<Item = Result<Bytes, BoxError>> + Send + 'static,
{
    let frames = s.map(|r| r.map(Frame::data));
    BodyExt::boxed_unsync(http_body_util::StreamBody::new(frames))
}

struct Hashing {
    inner: BodyDataStream,
    hasher: Sha256,
    want: [u8; 32],
    held: Option<Bytes>,
    done: bool,
    failure: Failure,
}

/// Checked against `want` (the declared `x-amz-content-sha256`).
pub fn hash_checked(body: axum::body::Body, want: [u8; 32], failure: Failure) -> UpBody {
    let state = Hashing {
        inner: body.into_data_stream(),
        hasher: Sha256::new(),
        want,
        held: None,
        done: false,
        failure,
    };
    streamed(futures_util::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        loop {
            match s.inner.next().await {
                Some(Ok(b)) => {
                    if b.is_empty() {
                        continue;
                    }
                    s.hasher.update(&b);
                    if let Some(prev) = s.held.replace(b) {
                        return Some((Ok(prev), s));
                    }
                }
                Some(Err(e)) => {
                    s.done = true;
                    return Some((Err(e.into()), s));
                }
                None => {
                    s.done = true;
                    let got: [u8; 32] = std::mem::take(&mut s.hasher).finalize().into();
                    if got != s.want {
                        let e = fail(
                            &s.failure,
                            S3Error::new(
                                "XAmzContentSHA256Mismatch",
                                400,
                                "The provided 'x-amz-content-sha256' header does not match what \
                                 was computed.",
                            ),
                        );
                        return Some((Err(e), s));
                    }
                    return s.held.take().map(|h| (Ok(h), s));
                }
            }
        }
    }))
}

struct Dechunking {
    inner: BodyDataStream,
    decoder: Decoder,
    ready: VecDeque<Bytes>,
    done: bool,
    failure: Failure,
}

fn chunk_error(f: &Failure, e: ChunkError) -> BoxError {
    let err = match e {
        ChunkError::Signature => S3Error::new(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
        ),
        ChunkError::Length => S3Error::new(
            "IncompleteBody",
            400,
            "The request body terminated unexpectedly",
        ),
        ChunkError::Checksum(algorithm) => S3Error::new(
            "BadDigest",
            400,
            format!("The {algorithm} you specified did not match the calculated checksum."),
        ),
        ChunkError::Malformed(m) => S3Error::new("InvalidRequest", 400, m),
    };
    fail(f, err)
}

/// Decoded from `aws-chunked`, each chunk's signature checked.
pub fn dechunked(body: axum::body::Body, decoder: Decoder, failure: Failure) -> UpBody {
    let state = Dechunking {
        inner: body.into_data_stream(),
        decoder,
        ready: VecDeque::new(),
        done: false,
        failure,
    };
    streamed(futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(b) = s.ready.pop_front() {
                return Some((Ok(b), s));
            }
            if s.done {
                return None;
            }
            match s.inner.next().await {
                Some(Ok(b)) => match s.decoder.push(&b) {
                    Ok(out) => s.ready.extend(out),
                    Err(e) => {
                        s.done = true;
                        return Some((Err(chunk_error(&s.failure, e)), s));
                    }
                },
                Some(Err(e)) => {
                    s.done = true;
                    return Some((Err(e.into()), s));
                }
                None => {
                    s.done = true;
                    if let Err(e) = s.decoder.finish() {
                        return Some((Err(chunk_error(&s.failure, e)), s));
                    }
                }
            }
        }
    }))
}
