//! iamd's HTTP front ends, thin adapters over the engine (`iamd-engine`):
//! - the IAM and STS Query API on `/` (`query`);
//! - CloudTrail's `LookupEvents` (JSON 1.1) on the same endpoint (`cloudtrail`);
//! - role credentials for metadata agents on `/_iamd/ec2-credentials`;
//! - the authorization API for other services on `/_iamd/authorize` (`authorize_api`), and
//!   early revocation of temporary credentials on `/_iamd/revoke-sessions` (`iamd_api`);
//! - `/metrics` (Prometheus), `/healthz` (the process answers) and `/readyz` (the store too);
//! - the web console and the federation endpoint (`iamd-console`), under `/console`,
//!   `/signin` and `/federation`.
//!
//! HTTP and HTTPS (rustls) can listen together; requests over TLS carry the
//! [`iamd_console::SecureTransport`] mark (`aws:SecureTransport`, Secure cookies).
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
mod outbound;
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
    pub console: Arc<iamd_console::Console>,
}

impl AppState {
    /// The shared state over a new engine.
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        master: Arc<MasterKey>,
    ) -> Result<AppState, String> {
        AppState::with_console(config, store, master, iamd_console::Settings::default())
    }

    /// The shared state, with the console's settings.
    pub fn with_console(
        config: Config,
        store: Arc<dyn Store>,
        master: Arc<MasterKey>,
        console: iamd_console::Settings,
    ) -> Result<AppState, String> {
        let engine = Engine::new(config, store, master)?;
        Ok(AppState {
            console: Arc::new(iamd_console::Console::new(engine.clone(), console)),
            engine,
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
    serve_with_tls(listener, None, state, shutdown).await
}

/// An HTTPS listener: the socket, and the certificate chain and private key (PEM files).
pub struct Tls {
    pub listener: std::net::TcpListener,
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// [`serve`], with HTTPS on a second listener when `tls` is given.
pub async fn serve_with_tls(
    listener: tokio::net::TcpListener,
    tls: Option<Tls>,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.engine.start_background();
    let engine = state.engine.clone();
    let handle = axum_server::Handle::<std::net::SocketAddr>::new();
    let https = match tls {
        None => None,
        Some(t) => {
            let config =
                axum_server::tls_rustls::RustlsConfig::from_pem_file(&t.cert, &t.key).await?;
            t.listener.set_nonblocking(true)?;
            let app = router(state.clone())
                .layer(axum::Extension(iamd_console::SecureTransport))
                .into_make_service_with_connect_info::<std::net::SocketAddr>();
            let server = axum_server::from_tcp_rustls(t.listener, config)?.handle(handle.clone());
            Some(tokio::spawn(async move { server.serve(app).await }))
        }
    };
    let tls_handle = handle.clone();
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tls_handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    })
    .await;
    if let Some(h) = https {
        match h.await {
            Ok(Err(e)) => tracing::error!(error = %e, "the HTTPS listener failed"),
            Err(e) => tracing::error!(error = %e, "the HTTPS listener failed"),
            Ok(Ok(())) => {}
        }
    }
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

/// Ready to serve: the store answers and its schema is the one this build expects (a load
/// balancer sends no traffic to a server that says 503).
async fn readyz(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> (axum::http::StatusCode, String) {
    use axum::http::StatusCode;
    let store = state.engine.store.clone();
    match tokio::task::spawn_blocking(move || store.health()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n".to_string()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: store unavailable\n".into(),
            )
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not ready\n".to_string()),
    }
}

/// The HTTP application.
pub fn router(state: Arc<AppState>) -> Router {
    let mut r = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/_iamd/outbound/{id}/.well-known/openid-configuration",
            get(outbound::discovery),
        )
        .route(
            "/_iamd/outbound/{id}/.well-known/jwks.json",
            get(outbound::jwks),
        )
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
    let console = iamd_console::router(state.console.clone());
    let r = r
        .fallback(respond::not_found)
        .with_state(state)
        .merge(console);
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
