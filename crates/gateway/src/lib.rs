//! `iamd gateway s3`: a reverse proxy in front of any S3-compatible store that enforces iamd's
//! IAM. Every request's SigV4 (header, presigned, `aws-chunked` uploads with their chunk
//! signatures) is checked through iamd's authorization API, which also decides it with the
//! principal's policies and the bucket's policy (kept in iamd); allowed requests are re-signed
//! with the upstream's keys and streamed through; the rest get S3's `AccessDenied`.
//!
//! Modules: `s3map` (requests → actions, ARNs, condition keys), `chunked` (the aws-chunked
//! decoder and its signatures), `body` (streamed bodies, checked), `proxy` (one request:
//! address, map, decide), `upstream` (re-signed and streamed to the store), `local` (bucket
//! policies, ListBuckets), `buckets` (owners and policies in iamd), `list_buckets`, `iamd` (the
//! signed client), `creds`, `errors`.

pub mod body;
pub mod buckets;
pub mod checksum;
pub mod chunked;
pub mod creds;
pub mod errors;
pub mod iamd;
pub mod list_buckets;
mod local;
pub mod proxy;
pub mod s3map;
mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

pub use creds::Identity;

pub struct Config {
    /// iamd's endpoint, `http://host:port`.
    pub iamd: String,
    /// The S3-compatible store, `http://host:port`.
    pub upstream: String,
    pub upstream_region: String,
    pub listen: SocketAddr,
    pub dev: bool,
    /// Fill `s3:ExistingObjectTag/*` from the upstream before deciding.
    pub existing_object_tags: bool,
    pub virtual_host_domain: Option<String>,
    /// The gateway's own iamd identity (needs `iamd:Authorize` and the resource policy
    /// operations).
    pub identity: Identity,
    pub upstream_identity: Identity,
    /// How long a bucket's owner and policy are cached.
    pub bucket_cache: Duration,
    /// Serve HTTPS with this certificate chain and key (PEM) instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// An HTTP connector without Nagle's algorithm: a request's head and body, written apart, must
/// not wait for the peer's delayed ACK (40 ms on Linux).
pub(crate) fn connector() -> hyper_util::client::legacy::connect::HttpConnector {
    let mut c = hyper_util::client::legacy::connect::HttpConnector::new();
    c.set_nodelay(true);
    c
}

/// Runs the gateway until interrupted.
pub async fn run(config: Config) -> Result<(), String> {
    let iamd = Arc::new(iamd::Iamd::new(&config.iamd, config.identity.clone())?);
    let account = iamd
        .own_account()
        .await
        .map_err(|e| format!("the gateway's iamd identity does not work: {e}"))?;
    let base = config.upstream.trim_end_matches('/').to_string();
    let host = base
        .strip_prefix("http://")
        .ok_or("--upstream must be an http:// URL")?
        .to_string();
    let gateway = Arc::new(proxy::Gateway {
        buckets: buckets::Buckets::new(iamd.clone(), config.bucket_cache),
        iamd,
        upstream: upstream::Upstream {
            base,
            host,
            region: config.upstream_region.clone(),
            identity: config.upstream_identity.clone(),
            client: Client::builder(TokioExecutor::new()).build(connector()),
        },
        account,
        dev: config.dev,
        existing_object_tags: config.existing_object_tags,
        virtual_host_domain: config.virtual_host_domain.clone(),
        tls: config.tls.is_some(),
    });
    let app = Router::new()
        .fallback(proxy::handle)
        .with_state(gateway.clone());
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    if let Some((cert, key)) = &config.tls {
        return serve_tls(
            config.listen,
            cert,
            key,
            app,
            gateway.account.clone(),
            config.dev,
        )
        .await;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // A streamed answer's head and first bytes go out at once, not after the client's
    // delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tracing::info!(listen = %local, account = gateway.account, dev = config.dev, "S3 gateway ready");
    eprintln!("iamd gateway s3 listening on http://{local}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// HTTPS (rustls) on `listen`.
async fn serve_tls(
    listen: SocketAddr,
    cert: &std::path::Path,
    key: &std::path::Path,
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    account: String,
    dev: bool,
) -> Result<(), String> {
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| format!("cannot read --tls-cert/--tls-key: {e}"))?;
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let handle = axum_server::Handle::<SocketAddr>::new();
    let server = axum_server::from_tcp_rustls(listener, tls)
        .map_err(|e| e.to_string())?
        .handle(handle.clone());
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        handle.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    tracing::info!(listen = %local, account, dev, "S3 gateway ready (TLS)");
    eprintln!("iamd gateway s3 listening on https://{local}");
    server.serve(app).await.map_err(|e| e.to_string())
}
