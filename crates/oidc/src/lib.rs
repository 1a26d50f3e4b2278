//! OpenID Connect ID token verification for `AssumeRoleWithWebIdentity`.
//!
//! * The pure core, [`verify`]: a token, the IAM provider it claims to come from
//!   ([`ProviderConfig`]), the issuer's keys ([`Jwks`]) and the time give a [`VerifiedToken`]
//!   (claims and the trust policy's condition keys) or an [`OidcError`] carrying AWS's error code,
//!   status and message.
//! * The I/O part, [`KeyStore`]: JWKS per issuer, either configured ([`JwksSource::Static`], for
//!   hosts without outbound access) or discovered from `ISSUER/.well-known/openid-configuration`
//!   ([`JwksSource::Discover`]) through an [`HttpFetch`] (default [`UreqFetcher`]: blocking,
//!   rustls with aws-lc-rs, 5 s timeouts), cached with a TTL and refreshed when a token names an
//!   unknown `kid`.
//!
//! [`KeyStore::verify`] blocks while it fetches: call it from a blocking thread
//! (`tokio::task::spawn_blocking`), never directly on an async worker. With a warm cache or a
//! static JWKS it does no I/O.

mod error;
mod fetch;
mod jwks;
mod provider;
mod verify;

pub use error::{MSG_INVALID_TOKEN, MSG_KEY_RETRIEVAL, OidcError};
pub use fetch::{
    DEFAULT_TTL_SECS, FetchError, HTTP_TIMEOUT_SECS, HttpFetch, JwksSource, KeyStore, UreqFetcher,
};
pub use jwks::{JwkKey, Jwks};
pub use provider::{ProviderConfig, WellKnown, provider_name_for_issuer};
pub use verify::{CLOCK_SKEW_LEEWAY_SECS, MAX_TOKEN_LEN, VerifiedToken, peek_issuer, verify};
