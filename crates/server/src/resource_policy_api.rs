//! The resource policy records other services keep in iamd (the S3 gateway's bucket policies):
//! `POST /_iamd/put-resource-policy`, `/_iamd/get-resource-policy` and
//! `/_iamd/delete-resource-policy` (shapes in `crates/wire/model/iamd.json`), signed, authorized
//! (`iamd:PutResourcePolicy` …) and audited like iamd's other JSON operations.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;

use crate::AppState;
use crate::iamd_api::handle;

pub async fn put(State(state): State<Arc<AppState>>, request: Request) -> Response {
    handle(state, request, "PutResourcePolicy").await
}

pub async fn get(State(state): State<Arc<AppState>>, request: Request) -> Response {
    handle(state, request, "GetResourcePolicy").await
}

pub async fn delete(State(state): State<Arc<AppState>>, request: Request) -> Response {
    handle(state, request, "DeleteResourcePolicy").await
}
