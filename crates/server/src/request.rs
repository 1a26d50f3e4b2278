//! What every HTTP front end reads off a request: its body (bounded), its facts for the engine,
//! and the parts SigV4 signs.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::header;
use axum::http::request::Parts;

use iamd_engine::{FrontEnd, RequestFacts};
use iamd_wire::ApiError;

pub async fn body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            "RequestEntityTooLarge",
            413,
            format!("Request body must not exceed {limit} bytes."),
        )
    })
}

pub fn facts(parts: &Parts, request_id: &str, front_end: FrontEnd) -> RequestFacts {
    let mut f = RequestFacts::new(request_id, front_end);
    f.source_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    f.user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    f.secure_transport = parts
        .extensions
        .get::<iamd_console::SecureTransport>()
        .is_some();
    f
}

/// The headers as SigV4 reads them.
pub fn header_list(parts: &Parts) -> Vec<(&str, &[u8])> {
    parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect()
}
