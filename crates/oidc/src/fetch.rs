//! The I/O part: where an issuer's JWKS comes from (configured, or discovered over HTTPS), and a
//! cache of discovered sets.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::Value;

use crate::verify::{peek_issuer, verify};
use crate::{Jwks, OidcError, ProviderConfig, VerifiedToken};

/// Timeout of one HTTP request (connect, TLS, response), in seconds.
pub const HTTP_TIMEOUT_SECS: u64 = 5;
/// How long a discovered JWKS is used before it is fetched again, in seconds.
pub const DEFAULT_TTL_SECS: i64 = 3600;
/// A token naming an unknown `kid` refetches the issuer's JWKS at most this often, in seconds.
const MIN_REFRESH_INTERVAL_SECS: i64 = 30;
/// Largest discovery document or JWKS read.
const MAX_DOCUMENT_BYTES: u64 = 1 << 20;

/// Why an HTTP GET failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No answer: timeout, DNS, refused or reset connection.
    Unreachable(String),
    /// An answer with a status other than 2xx.
    Status(u16),
    /// Anything else (TLS, protocol, size limit).
    Invalid(String),
}

/// A minimal blocking HTTP GET, so that the key store can be tested without a network.
pub trait HttpFetch: Send + Sync {
    /// The body of `url`, or why it could not be had.
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError>;
}

/// [`HttpFetch`] over `ureq` (blocking), rustls with the aws-lc-rs provider and the Mozilla
/// (webpki) roots, [`HTTP_TIMEOUT_SECS`] per request, up to 3 redirects, 1 MiB bodies.
pub struct UreqFetcher {
    agent: ureq::Agent,
}

impl UreqFetcher {
    /// HTTPS only.
    pub fn new() -> UreqFetcher {
        UreqFetcher::build(true)
    }

    /// Also plain HTTP (the key store still allows it only for loopback issuers, and only when
    /// told to): for tests and local development.
    pub fn allowing_http() -> UreqFetcher {
        UreqFetcher::build(false)
    }

    fn build(https_only: bool) -> UreqFetcher {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(HTTP_TIMEOUT_SECS)))
            .tls_config(tls)
            .https_only(https_only)
            .max_redirects(3)
            .http_status_as_error(true)
            .user_agent("iamd-oidc")
            .build();
        UreqFetcher {
            agent: ureq::Agent::new_with_config(config),
        }
    }
}

impl Default for UreqFetcher {
    fn default() -> Self {
        UreqFetcher::new()
    }
}

impl HttpFetch for UreqFetcher {
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut response = self
            .agent
            .get(url)
            .header("accept", "application/json")
            .call()
            .map_err(map_ureq_error)?;
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_vec()
            .map_err(map_ureq_error)
    }
}

fn map_ureq_error(e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::StatusCode(code) => FetchError::Status(code),
        ureq::Error::Timeout(_)
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Io(_) => FetchError::Unreachable(e.to_string()),
        other => FetchError::Invalid(other.to_string()),
    }
}

/// Where an issuer's keys come from.
#[derive(Debug, Clone)]
pub enum JwksSource {
    /// A configured JWKS (file or inline JSON), for hosts without outbound access.
    Static(Arc<Jwks>),
    /// `ISSUER/.well-known/openid-configuration` → `jwks_uri`, cached.
    Discover,
}

impl JwksSource {
    /// A static source from inline JSON (`{"keys":[...]}`).
    pub fn from_json(text: &str) -> Result<JwksSource, OidcError> {
        Ok(JwksSource::Static(Arc::new(Jwks::from_json(text)?)))
    }

    /// A static source from a JWKS file.
    pub fn from_file(path: &std::path::Path) -> Result<JwksSource, OidcError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            OidcError::KeyRetrieval(format!("cannot read JWKS file {}: {e}", path.display()))
        })?;
        JwksSource::from_json(&text)
    }
}

struct CacheEntry {
    jwks: Arc<Jwks>,
    fetched_at: i64,
}

/// JWKS per issuer: configured ones, and discovered ones cached for a TTL.
///
/// Blocking: [`KeyStore::verify`] may fetch over the network (two requests of at most
/// [`HTTP_TIMEOUT_SECS`] each); call it from a blocking thread. Share one store (it is `Sync`).
pub struct KeyStore {
    fetcher: Arc<dyn HttpFetch>,
    sources: RwLock<HashMap<String, JwksSource>>,
    cache: Mutex<HashMap<String, CacheEntry>>,
    ttl_secs: i64,
    allow_loopback_http: bool,
    discover_unconfigured: bool,
}

impl KeyStore {
    /// A store fetching through `fetcher`; issuers without a configured source are discovered.
    pub fn new(fetcher: Arc<dyn HttpFetch>) -> KeyStore {
        KeyStore {
            fetcher,
            sources: RwLock::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
            ttl_secs: DEFAULT_TTL_SECS,
            allow_loopback_http: false,
            discover_unconfigured: true,
        }
    }

    /// A store fetching with [`UreqFetcher::new`] (HTTPS only).
    pub fn with_ureq() -> KeyStore {
        KeyStore::new(Arc::new(UreqFetcher::new()))
    }

    /// Sets how long discovered sets are used, in seconds.
    pub fn with_ttl(mut self, secs: i64) -> KeyStore {
        self.ttl_secs = secs.max(0);
        self
    }

    /// Allows `http://` issuers and JWKS URIs whose host is a loopback address or `localhost`
    /// (tests, local development). Other `http://` URLs are always refused.
    pub fn allow_loopback_http(mut self, allow: bool) -> KeyStore {
        self.allow_loopback_http = allow;
        self
    }

    /// Whether issuers without a configured source are discovered (default) or refused with
    /// "Couldn't retrieve verification key…" (hosts without outbound access).
    pub fn discover_unconfigured(mut self, discover: bool) -> KeyStore {
        self.discover_unconfigured = discover;
        self
    }

    /// Configures the source of one issuer (its URL with scheme, as `iss` carries it).
    pub fn set_source(&self, issuer: &str, source: JwksSource) {
        if let Ok(mut sources) = self.sources.write() {
            sources.insert(issuer.to_owned(), source);
        }
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(issuer);
        }
    }

    /// The source of an issuer: configured, else discovery (when enabled).
    pub fn source_for(&self, issuer: &str) -> Option<JwksSource> {
        let configured = self
            .sources
            .read()
            .ok()
            .and_then(|s| s.get(issuer).cloned());
        configured.or_else(|| self.discover_unconfigured.then_some(JwksSource::Discover))
    }

    /// The issuer's keys at `now_unix` (Unix seconds): static, cached, or fetched. When a fetch
    /// fails and an expired cached set exists, that set is used.
    pub fn jwks(&self, issuer: &str, now_unix: i64) -> Result<Arc<Jwks>, OidcError> {
        match self.source_for(issuer) {
            Some(JwksSource::Static(jwks)) => Ok(jwks),
            None => Err(OidcError::KeyRetrieval(format!(
                "no JWKS configured for {issuer} and discovery is off"
            ))),
            Some(JwksSource::Discover) => {
                if let Some(fresh) = self.cached(issuer, |e| {
                    now_unix.saturating_sub(e.fetched_at) < self.ttl_secs
                }) {
                    return Ok(fresh);
                }
                match self.fetch_and_store(issuer, now_unix) {
                    Ok(jwks) => Ok(jwks),
                    Err(e) => self.cached(issuer, |_| true).ok_or(e),
                }
            }
        }
    }

    /// Fetches the issuer's JWKS again, unless it was fetched less than 30 s ago (then the
    /// cached set is answered): a token naming an unknown `kid` may follow a key rotation.
    pub fn refresh(&self, issuer: &str, now_unix: i64) -> Result<Arc<Jwks>, OidcError> {
        match self.source_for(issuer) {
            Some(JwksSource::Discover) => {
                if let Some(recent) = self.cached(issuer, |e| {
                    now_unix.saturating_sub(e.fetched_at) < MIN_REFRESH_INTERVAL_SECS
                }) {
                    return Ok(recent);
                }
                self.fetch_and_store(issuer, now_unix)
            }
            _ => self.jwks(issuer, now_unix),
        }
    }

    /// Verifies a token of `provider` with the provider's keys at `now_unix`. Refetches the keys
    /// once when the token names a key that the cached set lacks.
    pub fn verify(
        &self,
        token: &str,
        provider: &ProviderConfig,
        now_unix: i64,
    ) -> Result<VerifiedToken, OidcError> {
        let iss = peek_issuer(token)?;
        if !provider.accepts_issuer(&iss) {
            return Err(OidcError::NoProvider { issuer: iss });
        }
        let issuer = provider.url();
        let jwks = self.jwks(issuer, now_unix)?;
        match verify(token, provider, &jwks, now_unix) {
            Err(e) if e.wants_key_refresh() => {
                if !matches!(self.source_for(issuer), Some(JwksSource::Discover)) {
                    return Err(e);
                }
                let fresh = self.refresh(issuer, now_unix)?;
                if Arc::ptr_eq(&fresh, &jwks) {
                    return Err(e);
                }
                verify(token, provider, &fresh, now_unix)
            }
            other => other,
        }
    }

    fn cached(&self, issuer: &str, keep: impl Fn(&CacheEntry) -> bool) -> Option<Arc<Jwks>> {
        let cache = self.cache.lock().ok()?;
        cache
            .get(issuer)
            .filter(|e| keep(e))
            .map(|e| Arc::clone(&e.jwks))
    }

    fn fetch_and_store(&self, issuer: &str, now_unix: i64) -> Result<Arc<Jwks>, OidcError> {
        // The lock is not held while fetching: concurrent misses may fetch twice, which is
        // harmless, and a slow issuer never blocks verification for the others.
        let jwks = Arc::new(self.discover(issuer)?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(
                issuer.to_owned(),
                CacheEntry {
                    jwks: Arc::clone(&jwks),
                    fetched_at: now_unix,
                },
            );
        }
        Ok(jwks)
    }

    fn discover(&self, issuer: &str) -> Result<Jwks, OidcError> {
        self.check_url(issuer)?;
        let config_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let body = self.fetcher.get(&config_url).map_err(fetch_error)?;
        let document: Value = serde_json::from_slice(&body)
            .map_err(|_| OidcError::KeyRetrieval(format!("{config_url} is not a JSON document")))?;
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| OidcError::KeyRetrieval(format!("{config_url} has no jwks_uri")))?;
        self.check_url(jwks_uri)?;
        let body = self.fetcher.get(jwks_uri).map_err(fetch_error)?;
        let text = std::str::from_utf8(&body)
            .map_err(|_| OidcError::KeyRetrieval(format!("{jwks_uri} is not UTF-8")))?;
        Jwks::from_json(text)
    }

    fn check_url(&self, url: &str) -> Result<(), OidcError> {
        if url.starts_with("https://") {
            return Ok(());
        }
        if let Some(rest) = url.strip_prefix("http://")
            && self.allow_loopback_http
            && is_loopback_authority(rest)
        {
            return Ok(());
        }
        Err(OidcError::KeyRetrieval(format!(
            "refusing to fetch keys from {url}: HTTPS is required"
        )))
    }
}

fn fetch_error(e: FetchError) -> OidcError {
    match e {
        FetchError::Unreachable(d) => OidcError::IdpCommunication(d),
        FetchError::Status(code) => OidcError::KeyRetrieval(format!("HTTP status {code}")),
        FetchError::Invalid(d) => OidcError::KeyRetrieval(d),
    }
}

/// Whether the authority at the start of `rest` (after `http://`) is a loopback host.
fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, _)) => h,
            None => return false,
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::is_loopback_authority;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_authority("127.0.0.1:8080/x"));
        assert!(is_loopback_authority("localhost/"));
        assert!(is_loopback_authority("[::1]:9/"));
        assert!(!is_loopback_authority("example.com/"));
        assert!(!is_loopback_authority("127.0.0.1@evil.com/"));
        assert!(!is_loopback_authority("127.0.0.1.evil.com/"));
    }
}
