//! Local testing mode (`--dev`): state reset between tests and accounts on demand.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use iamd_iam::accounts;
use iamd_wire::ApiError;

use crate::AppState;

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account an unknown access key acts as root of: the 12-digit account it names (created
/// on first use), or the default account.
pub async fn account_for_unknown_key(
    state: &Arc<AppState>,
    key_id: &str,
) -> Result<String, ApiError> {
    if !is_account_id(key_id) || key_id == state.config.default_account {
        return Ok(state.config.default_account.clone());
    }
    let st = state.clone();
    let id = key_id.to_string();
    tokio::task::spawn_blocking(move || {
        let exists = iamd_store::read(st.store.as_ref(), |tx| {
            Ok::<_, iamd_iam::IamError>(tx.get(&iamd_iam::keys::account(&id))?.is_some())
        })?;
        if !exists {
            iamd_store::write(st.store.as_ref(), |tx| {
                accounts::ensure(tx, &id, OffsetDateTime::now_utc())
            })?;
        }
        Ok::<_, iamd_iam::IamError>(id)
    })
    .await
    .map_err(|_| ApiError::service_failure())?
    .map_err(|e| e.to_api())
}

/// `POST /_iamd/reset`: every account back to the state of a first start, with the same
/// default account ID and root key.
pub async fn reset(State(state): State<Arc<AppState>>) -> Response {
    let st = state.clone();
    let done = tokio::task::spawn_blocking(move || -> Result<(), String> {
        st.store.wipe().map_err(|e| e.to_string())?;
        let root = st
            .config
            .dev_root_key
            .as_ref()
            .map(|(i, s)| (i.as_str(), s.as_str()));
        accounts::bootstrap_with(
            st.store.as_ref(),
            &st.master,
            Some(&st.config.default_account),
            root,
            OffsetDateTime::now_utc(),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())?;
        st.reload_ring().map(|_| ())
    })
    .await;
    match done {
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
