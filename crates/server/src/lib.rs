//! iamd's HTTP front ends, thin adapters over the engine (`iamd-engine`):
//! - the IAM and STS Query API on `/` (`query`);
//! - CloudTrail's `LookupEvents` (JSON 1.1) on the same endpoint (`cloudtrail`);
//! - role credentials for metadata agents on `/_iamd/ec2-credentials`;
//! - the authorization API for other services on `/_iamd/authorize` (`authorize_api`), and
//!   early revocation of temporary credentials on `/_iamd/revoke-sessions` (`iamd_api`);
//! - `/metrics` (Prometheus) and `/healthz`.
//!
//! Each front end decodes, authenticates its caller (`authenticate`), hands the engine a call,
//! and encodes the answer. Validation, authorization, the operation and the audit trail are the
//! engine's: nothing here reaches `iam` or `sts` directly.

mod authenticate;
mod authorize_api;
mod cloudtrail;
mod dev;
mod iamd_api;
mod json_api;
mod query;
mod request;
mod resource_policy_api;
mod respond;

use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get};

use iamd_engine::Engine;
use iamd_iam::secrets::MasterKey;
use iamd_sigv4::SigningKeyCache;
use iamd_store::Store;

pub use iamd_engine::Config;

/// The account `--dev` mode serves by default.
pub const DEV_ACCOUNT: &str = "123456789012";

/// What every request handler shares.
pub struct AppState {
    pub engine: Arc<Engine>,
    pub signing_keys: SigningKeyCache,
}

impl AppState {
    /// The shared state over a new engine.
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        master: Arc<MasterKey>,
    ) -> Result<AppState, String> {
        Ok(AppState {
            engine: Engine::new(config, store, master)?,
            signing_keys: SigningKeyCache::new(4096),
        })
    }

    pub fn config(&self) -> &Config {
        &self.engine.config
    }
}

/// Serves the application on `listener` until `shutdown` completes, with peer addresses
/// available to requests (`aws:SourceIp`); queued audit events are written before it returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.engine.start_background();
    let engine = state.engine.clone();
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = tokio::task::spawn_blocking(move || {
        engine.last_used.flush(&engine);
        engine.audit.flush();
    })
    .await;
    served
}

async fn metrics(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.engine.metrics.encode(),
    )
        .into_response()
}

/// The HTTP application.
pub fn router(state: Arc<AppState>) -> Router {
    let mut r = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/", any(query::handle))
        .route(
            "/_iamd/ec2-credentials",
            axum::routing::post(query::handle_ec2),
        )
        .route(
            "/_iamd/authorize",
            axum::routing::post(authorize_api::handle),
        )
        .route(
            "/_iamd/revoke-sessions",
            axum::routing::post(iamd_api::revoke_sessions),
        )
        .route(
            "/_iamd/list-session-revocations",
            axum::routing::post(iamd_api::list_session_revocations),
        )
        .route(
            "/_iamd/put-resource-policy",
            axum::routing::post(resource_policy_api::put),
        )
        .route(
            "/_iamd/get-resource-policy",
            axum::routing::post(resource_policy_api::get),
        )
        .route(
            "/_iamd/delete-resource-policy",
            axum::routing::post(resource_policy_api::delete),
        );
    let dev = state.config().dev;
    if dev {
        // Local testing only: outside dev mode the path does not exist.
        r = r.route("/_iamd/reset", axum::routing::post(dev::reset));
    }
    let r = r.fallback(respond::not_found).with_state(state);
    if dev {
        // Every response of a dev-mode server says so.
        r.layer(axum::middleware::map_response(
            |mut res: axum::response::Response| async move {
                res.headers_mut().insert(
                    "x-iamd-dev-mode",
                    axum::http::HeaderValue::from_static("true"),
                );
                res
            },
        ))
    } else {
        r
    }
}
