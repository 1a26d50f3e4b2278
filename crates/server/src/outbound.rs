//! The issuer metadata of outbound web identity federation, public as an OpenID Connect
//! issuer's is: `GET /_iamd/outbound/ID/.well-known/openid-configuration` and
//! `GET /_iamd/outbound/ID/.well-known/jwks.json`. Only public keys; nothing changes, so these
//! reads do not go through an engine call (as `/healthz` and `/metrics` do not).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

fn jwks_uri(headers: &HeaderMap, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}/_iamd/outbound/{id}/.well-known/jwks.json")
}

async fn published(state: Arc<AppState>, id: String, headers: HeaderMap, jwks: bool) -> Response {
    let uri = jwks_uri(&headers, &id);
    let store = state.engine.store.clone();
    let found = tokio::task::spawn_blocking(move || {
        iamd_iam::outbound_federation::published(store.as_ref(), &id, &uri)
    })
    .await;
    match found {
        Ok(Ok(Some((discovery, keys)))) => {
            let body = if jwks { keys } else { discovery };
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        Ok(Ok(None)) => StatusCode::NOT_FOUND.into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn discovery(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    published(state, id, headers, false).await
}

pub async fn jwks(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    published(state, id, headers, true).await
}
