//! iamd's HTTP server.
//!
//! One endpoint answers IAM and STS in the AWS Query protocol. Every request takes the same
//! way (`pipeline`): decode → authenticate → authorize → operate → encode, and no operation is
//! reachable without passing authenticate and authorize.

mod authenticate;
mod authorize;
mod dev;
mod last_used;
mod operations;
mod pipeline;
mod respond;
mod web_identity;

use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get};

use iamd_iam::Limits;
use iamd_iam::secrets::MasterKey;
use iamd_sigv4::SigningKeyCache;
use iamd_store::Store;
use iamd_wire::Model;

pub use authenticate::CredentialCache;
pub use authorize::PolicyCache;

/// The account `--dev` mode serves by default.
pub const DEV_ACCOUNT: &str = "123456789012";

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The account created at first start; unknown keys act as its root in dev mode.
    pub default_account: String,
    /// Local-testing mode: access keys the store does not know act as the default account's
    /// root without a signature check. Known keys are always verified.
    pub dev: bool,
    pub limits: Limits,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Dev mode: the default account's root key (ID, secret), restored by `/_iamd/reset`.
    pub dev_root_key: Option<(String, String)>,
    /// JSON Web Key Sets given for OIDC issuers (issuer URL, JWKS JSON), for hosts that cannot
    /// reach the issuers; other issuers' keys are discovered.
    pub oidc_jwks: Vec<(String, String)>,
}

impl Config {
    pub fn new(default_account: String) -> Config {
        Config {
            default_account,
            dev: false,
            limits: Limits::default(),
            max_body_bytes: 1 << 20,
            dev_root_key: None,
            oidc_jwks: Vec::new(),
        }
    }
}

/// What every request handler shares.
pub struct AppState {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub master: Arc<MasterKey>,
    pub model: Arc<Model>,
    pub signing_keys: SigningKeyCache,
    pub credentials: CredentialCache,
    pub policies: PolicyCache,
    pub last_used: last_used::LastUsedRecorder,
    /// OIDC issuers' signing keys, discovered and cached (or configured).
    pub oidc: iamd_oidc::KeyStore,
    /// The session-token key ring (from the store; reloaded when a token names a key this
    /// server has not seen, e.g. after another server rotated the ring).
    ring: std::sync::RwLock<Arc<iamd_token::KeyRing>>,
    /// The store generation the ring was loaded at.
    ring_generation: std::sync::atomic::AtomicU64,
}

impl AppState {
    /// The shared state; loads (or creates) the session-token key ring from the store.
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        master: Arc<MasterKey>,
    ) -> Result<AppState, String> {
        let ring = iamd_iam::keyring::load_or_create(
            store.as_ref(),
            &master,
            time::OffsetDateTime::now_utc(),
        )
        .map_err(|e| format!("cannot load the token key ring: {e}"))?;
        // Loopback issuers may use plain HTTP (local identity providers, tests).
        let oidc = iamd_oidc::KeyStore::new(Arc::new(iamd_oidc::UreqFetcher::allowing_http()))
            .allow_loopback_http(true);
        for (issuer, jwks) in &config.oidc_jwks {
            let source = iamd_oidc::JwksSource::from_json(jwks)
                .map_err(|e| format!("the JWKS for {issuer} is invalid: {}", e.message()))?;
            oidc.set_source(issuer, source);
        }
        Ok(AppState {
            config,
            store,
            master,
            model: Model::get(),
            signing_keys: SigningKeyCache::new(4096),
            credentials: CredentialCache::default(),
            policies: PolicyCache::default(),
            last_used: last_used::LastUsedRecorder::default(),
            oidc,
            ring: std::sync::RwLock::new(Arc::new(ring)),
            ring_generation: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn ring(&self) -> Arc<iamd_token::KeyRing> {
        self.ring.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The key ring for sealing: reloaded first when the store changed since it was loaded
    /// (a rotation by `iamd keyring rotate` or another server). Call from a blocking thread.
    pub fn sealing_ring(&self) -> Arc<iamd_token::KeyRing> {
        use std::sync::atomic::Ordering;
        let g = self.store.generation();
        if self.ring_generation.load(Ordering::Acquire) != g
            && let Ok(r) = self.reload_ring()
        {
            self.ring_generation.store(g, Ordering::Release);
            return r;
        }
        self.ring()
    }

    /// Reloads the key ring from the store.
    pub fn reload_ring(&self) -> Result<Arc<iamd_token::KeyRing>, String> {
        let ring = iamd_iam::keyring::load_or_create(
            self.store.as_ref(),
            &self.master,
            time::OffsetDateTime::now_utc(),
        )
        .map_err(|e| e.to_string())?;
        let ring = Arc::new(ring);
        *self.ring.write().unwrap_or_else(|p| p.into_inner()) = ring.clone();
        Ok(ring)
    }
}

/// Serves the application on `listener` until `shutdown` completes, with peer addresses
/// available to requests (`aws:SourceIp`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    last_used::spawn_flusher(state.clone());
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// The HTTP application.
pub fn router(state: Arc<AppState>) -> Router {
    let mut r = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/", any(pipeline::handle))
        .route(
            "/_iamd/ec2-credentials",
            axum::routing::post(pipeline::handle_ec2),
        );
    if state.config.dev {
        // Local testing only: outside dev mode the path does not exist.
        r = r.route("/_iamd/reset", axum::routing::post(dev::reset));
    }
    let dev = state.config.dev;
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
