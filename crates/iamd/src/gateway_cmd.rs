//! `iamd gateway s3`: the S3 gateway (`crates/gateway`), a separate process in front of an
//! S3-compatible store. Its iamd identity comes from the usual AWS environment variables or
//! credentials file; the upstream's keys from `IAMD_UPSTREAM_ACCESS_KEY_ID` and
//! `IAMD_UPSTREAM_SECRET_ACCESS_KEY`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum GatewayCommand {
    /// Enforce iamd's IAM in front of an S3-compatible store.
    S3(S3Args),
}

#[derive(Args)]
pub struct S3Args {
    /// iamd's endpoint (`http://host:port`).
    #[arg(long)]
    iamd: String,
    /// The S3-compatible store (`http://host:port`).
    #[arg(long)]
    upstream: String,
    /// The region the upstream's signatures are scoped to.
    #[arg(long, default_value = "us-east-1")]
    upstream_region: String,
    #[arg(long, default_value = "127.0.0.1:9100")]
    listen: SocketAddr,
    /// Accept virtual-hosted-style requests to `<bucket>.<DOMAIN>`.
    #[arg(long)]
    virtual_host_domain: Option<String>,
    /// Local testing, in front of `iamd serve --dev`: an unknown key (an unverified root) may
    /// stream aws-chunked uploads without chunk signature checks (nobody holds its secret).
    #[arg(long)]
    dev: bool,
    /// Let `--dev` listen on a non-loopback address.
    #[arg(long)]
    dev_allow_remote: bool,
    /// Do not fill `s3:ExistingObjectTag/*` (saves an upstream GetObjectTagging before each
    /// decision about an existing object; policies using that key then never match it).
    #[arg(long)]
    no_existing_object_tags: bool,
    /// Seconds a bucket's owner and policy are cached (changes through this gateway are seen
    /// at once).
    #[arg(long, default_value_t = 1)]
    bucket_cache_seconds: u64,
    /// Serve HTTPS with this certificate chain (PEM) instead of HTTP. Needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

pub fn run(args: S3Args) -> Result<(), String> {
    if args.dev && !args.listen.ip().is_loopback() && !args.dev_allow_remote {
        return Err("--dev listens on loopback only (add --dev-allow-remote)".to_string());
    }
    if args.dev {
        tracing::warn!("DEV MODE: not for production");
    }
    let config = iamd_gateway::Config {
        iamd: args.iamd,
        upstream: args.upstream,
        upstream_region: args.upstream_region,
        listen: args.listen,
        dev: args.dev,
        existing_object_tags: !args.no_existing_object_tags,
        virtual_host_domain: args.virtual_host_domain,
        identity: iamd_gateway::creds::own_identity()?,
        upstream_identity: iamd_gateway::creds::upstream_identity()?,
        bucket_cache: Duration::from_secs(args.bucket_cache_seconds),
        tls: args.tls_cert.zip(args.tls_key),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(iamd_gateway::run(config))
}
