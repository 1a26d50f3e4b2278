//! `POST /_iamd/reset` (`--dev` only): every account back to the state of a first start.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub async fn reset(State(state): State<Arc<AppState>>) -> Response {
    let engine = state.engine.clone();
    match tokio::task::spawn_blocking(move || engine.reset()).await {
        Ok(Ok(())) => (StatusCode::OK, "reset\n").into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "reset failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("reset failed: {e}\n"),
            )
                .into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "reset failed\n").into_response(),
    }
}
