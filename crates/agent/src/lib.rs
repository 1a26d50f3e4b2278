//! iamd agent: an EC2-compatible instance metadata endpoint (IMDS) that hands a host its instance
//! profile's role credentials, so unmodified AWS SDKs on the host pick up rotating role
//! credentials by themselves.
//!
//! # What it answers
//! - IMDSv2: `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds: 1..=21600` →
//!   a token (`text/plain`, the TTL echoed in the same header); missing or invalid TTL → 400; an
//!   `X-Forwarded-For` header → 403; other methods → 405. A `GET` carrying
//!   `X-aws-ec2-metadata-token` must carry a valid, unexpired token (401 otherwise); a `GET`
//!   without one (IMDSv1) is answered unless [`AgentConfig::imdsv2_required`] (then 401).
//! - `GET /latest/meta-data/iam/security-credentials/` → the role name;
//!   `…/security-credentials/ROLE` → `{"Code":"Success","LastUpdated","Type":"AWS-HMAC",
//!   "AccessKeyId","SecretAccessKey","Token","Expiration"}` (or, when no unexpired credentials
//!   are held, EC2's failure document `{"Code","Message","LastUpdated"}`, still 200);
//!   `…/iam/info` → `{"Code":"Success","LastUpdated","InstanceProfileArn","InstanceProfileId"}`.
//! - `instance-id`, `placement/region`, `placement/availability-zone` (region + `a`),
//!   `/latest/dynamic/instance-identity/document`, and the directory listings above them.
//!   Anything else → 404; non-`GET`s → 405. One trailing slash is ignored.
//!
//! # Refresh
//! [`refresh_loop`] fetches from a [`CredentialSource`] at start, then again once half the
//! credentials' lifetime has passed and at the latest [`AgentConfig::refresh_margin`] (default 5
//! minutes) before they expire; failures are retried after 1 s, doubling to 60 s, while the old
//! credentials are served until they expire. [`StsAssumeRole`] is the real source: a SigV4-signed
//! `AssumeRole` against an iamd (or AWS) STS endpoint over plain HTTP.
//!
//! # Use
//! ```no_run
//! use std::sync::Arc;
//! use iamd_agent::{AgentConfig, StaticCredentials, StsAssumeRole, run};
//! # async fn f() -> std::io::Result<()> {
//! let source = StsAssumeRole::new(
//!     "http://127.0.0.1:8080/",
//!     "us-east-1",
//!     StaticCredentials::new("AKIA…", "secret"),
//!     "arn:aws:iam::123456789012:role/web",
//!     "i-0123456789abcdef0",
//! )?;
//! let config = AgentConfig {
//!     listen: "127.0.0.1:1338".parse().map_err(std::io::Error::other)?,
//!     role_name: "web".into(),
//!     instance_profile_arn: "arn:aws:iam::123456789012:instance-profile/web".into(),
//!     instance_profile_id: "AIPAEXAMPLE".into(),
//!     instance_id: "i-0123456789abcdef0".into(),
//!     ..AgentConfig::default()
//! };
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! # drop(stop);
//! run(config, Arc::new(source), async { let _ = stopped.await; }).await
//! # }
//! ```
//!
//! # Checking it with botocore
//! With an agent listening on `127.0.0.1:PORT` (and no other credentials in the environment):
//! ```text
//! env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE \
//!   AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:PORT \
//!   python3 -c "import boto3; print(boto3.Session().get_credentials().get_frozen_credentials())"
//! ```
//! prints the role's `ASIA…` key, secret and token (add `AWS_EC2_METADATA_V1_DISABLED=true` to
//! check that the IMDSv2 path alone works). `examples/agent.rs` runs an agent from environment
//! variables; checked with botocore 1.43 against moto's STS (`moto_server -p 5099`,
//! `AGENT_STS_ENDPOINT=http://127.0.0.1:5099/ AGENT_LISTEN=127.0.0.1:1399 cargo run -p
//! iamd-agent --example agent`): botocore found `iam-role` credentials over IMDSv2 alone, and
//! `GetCallerIdentity` with them answered `assumed-role/web-role/i-0123456789abcdef0`.

mod clock;
mod http;
mod refresh;
mod source;
mod state;
mod sts;
mod timefmt;

use std::future::Future;
use std::io;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use clock::{Clock, SystemClock};
pub use http::{TOKEN_HEADER, TOKEN_TTL_HEADER, router};
pub use refresh::{
    FETCH_TIMEOUT, INITIAL_BACKOFF, MAX_BACKOFF, backoff, refresh_at, refresh_loop, refresh_once,
};
pub use source::{BoxFuture, CredentialSource, RoleCredentials, SourceError};
pub use state::{AgentConfig, AgentState, MAX_TOKEN_TTL_SECONDS, Slot};
pub use sts::{StaticCredentials, StsAssumeRole};
pub use timefmt::{format_iso8601, parse_iso8601};

/// Binds `config.listen` and serves until `shutdown` completes (see [`serve`]).
pub async fn run<F>(
    config: AgentConfig,
    source: Arc<dyn CredentialSource>,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    config.validate()?;
    let listener = TcpListener::bind(config.listen).await?;
    serve(listener, config, source, shutdown).await
}

/// Serves the metadata endpoint on `listener` (its address wins over `config.listen`) with the
/// system clock, refreshing credentials from `source` in the background, until `shutdown`
/// completes; then stops the refresher.
pub async fn serve<F>(
    listener: TcpListener,
    config: AgentConfig,
    source: Arc<dyn CredentialSource>,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    config.validate()?;
    let state = AgentState::new(config, Arc::new(SystemClock))?;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, role = %state.config().role_name, "metadata agent listening");
    }
    let refresher = tokio::spawn(refresh_loop(Arc::clone(&state), source));
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    refresher.abort();
    result
}
