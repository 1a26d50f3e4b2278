//! iamd's engine: the one call path every front end goes through.
//!
//! A front end (the Query/XML API, CloudTrail's JSON API, the console, the authorization API)
//! authenticates its caller its own way and hands the engine a [`Call`]: the [`Principal`], the
//! operation, its input and the facts of the request. [`Engine::call`] then
//! - validates the input against the model, whatever front end built it;
//! - authorizes the caller with AWS's evaluation logic;
//! - runs the operation in one transaction;
//! - records one audit event (in the same transaction for a successful write);
//! - and returns the typed output or a typed error, which the front end encodes.
//!
//! The engine knows neither HTTP nor any wire format.

mod access_advisor;
pub mod audit;
mod authorize;
pub mod cache;
mod call;
mod config;
mod console_signin;
mod credentials;
mod decide;
mod dev;
pub mod ids;
mod instance;
pub mod last_used;
mod memo;
pub mod metrics;
mod resource_policy;
mod revocation;
mod saml;
pub mod table;
mod web_identity;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use iamd_iam::secrets::MasterKey;
use iamd_store::{Change, Store};
use iamd_wire::Model;

pub use authorize::{CompiledSet, Verdict};
pub use call::{Call, FrontEnd, Input, RequestFacts};
pub use config::Config;
pub use console_signin::{PasswordState, SignInOutcome, SignInRequest};
pub use credentials::Credential;
pub use iamd_iam::{IamError, Principal, PrincipalKind};

/// What every call shares.
pub struct Engine {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub master: Arc<MasterKey>,
    pub model: Arc<Model>,
    /// Long-term access keys by ID (`None`: the store does not know the key).
    pub(crate) credentials: cache::DepCache<String, Option<Arc<Credential>>>,
    /// Principals' compiled policy sets (sessions by access key, others by ARN).
    pub(crate) policies: cache::DepCache<String, Arc<CompiledSet>>,
    /// AWS managed policies, compiled once and shared by the sets that use them.
    pub(crate) aws_compiled: authorize::AwsCompiled,
    /// Entities' paths and tags as authorization resolves resources (`None`: no such entity).
    pub(crate) resources: cache::DepCache<String, Option<Arc<iamd_iam::authz::ResourceInfo>>>,
    /// Each account's session revocations.
    pub(crate) revocations: cache::DepCache<String, Arc<Vec<revocation::Revocation>>>,
    /// Session tokens already opened, by token.
    pub(crate) sessions: RwLock<std::collections::HashMap<Box<str>, Principal>>,
    pub last_used: last_used::LastUsedRecorder,
    /// OIDC issuers' signing keys, discovered and cached (or configured).
    pub oidc: iamd_oidc::KeyStore,
    pub audit: audit::Trail,
    pub metrics: metrics::Metrics,
    /// The session-token key ring, reloaded when the feed says it changed.
    ring: RwLock<Arc<iamd_token::KeyRing>>,
    ring_stale: AtomicBool,
}

impl Engine {
    /// The engine over `store`; loads (or creates) the session-token key ring and subscribes
    /// the caches to the store's change feed.
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        master: Arc<MasterKey>,
    ) -> Result<Arc<Engine>, String> {
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
        let metrics = metrics::Metrics::new();
        let audit = audit::Trail::new(
            store.clone(),
            &config,
            metrics.clone(),
            audit::ChainKey::from_master(&master),
        );
        let engine = Arc::new(Engine {
            model: Model::get(),
            credentials: cache::DepCache::default(),
            policies: cache::DepCache::default(),
            aws_compiled: authorize::AwsCompiled::default(),
            resources: cache::DepCache::default(),
            sessions: RwLock::default(),
            revocations: cache::DepCache::default(),
            last_used: last_used::LastUsedRecorder::default(),
            oidc,
            audit,
            metrics,
            ring: RwLock::new(Arc::new(ring)),
            ring_stale: AtomicBool::new(false),
            config,
            store,
            master,
        });
        let weak = Arc::downgrade(&engine);
        engine.store.subscribe(Arc::new(move |c: &Change| {
            if let Some(e) = weak.upgrade() {
                e.on_change(c);
            }
        }));
        Ok(engine)
    }

    /// What a committed write changed: drop what was built from it.
    fn on_change(&self, c: &Change) {
        // The trail's batches (dozens a second under load) change only its own keys: skip the
        // caches' write locks, and their epochs, which would discard the fills in flight.
        if let Change::Keys(keys) = c
            && keys.iter().all(|k| audit::chain::is_trail_key(k))
        {
            return;
        }
        let creds = self.credentials.invalidate(c);
        let sets = self.policies.invalidate(c);
        let resources = self.resources.invalidate(c);
        self.revocations.invalidate(c);
        self.metrics.cache_invalidated("resources", resources);
        self.metrics.cache_invalidated("credentials", creds);
        self.metrics.cache_invalidated("policies", sets);
        let ring_key = iamd_iam::keys::meta("keyring");
        let ring_changed = match c {
            Change::Unknown => true,
            Change::Keys(keys) => keys.contains(&ring_key),
        };
        if ring_changed {
            self.ring_stale.store(true, Ordering::Release);
            self.forget_sessions();
        }
    }

    /// The session-token key ring as last loaded.
    pub fn ring(&self) -> Arc<iamd_token::KeyRing> {
        self.ring.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The key ring for sealing: reloaded first when it changed in the store (a rotation by
    /// `iamd keyring rotate` or another server). Call from a blocking thread.
    pub fn sealing_ring(&self) -> Arc<iamd_token::KeyRing> {
        // Commits by other processes are noticed through the store's generation check.
        let _ = self.store.generation();
        if self.ring_stale.swap(false, Ordering::AcqRel)
            && let Ok(r) = self.reload_ring()
        {
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

    /// Starts the background work of a serving engine: the audit writer, retention, and the
    /// last-used flusher. Call once, inside a Tokio runtime.
    pub fn start_background(self: &Arc<Engine>) {
        last_used::spawn_flusher(self.clone());
        audit::spawn_retention(self.clone());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use iamd_store::MemoryStore;

    fn engine() -> Arc<Engine> {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let (master, _) = MasterKey::generate().unwrap();
        let boot = iamd_iam::accounts::bootstrap(
            store.as_ref(),
            &master,
            Some("111122223333"),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        Engine::new(Config::new(boot.account_id), store, Arc::new(master)).unwrap()
    }

    #[test]
    fn the_trails_batches_leave_the_caches_alone() {
        let e = engine();
        let epochs = |e: &Engine| (e.credentials.epoch(), e.policies.epoch());
        let before = epochs(&e);
        iamd_store::write(e.store.as_ref(), |tx| {
            tx.put(&audit::chain::event_key("111122223333", 7), b"{}")?;
            tx.put(b"audithead/111122223333", b"{}")
        })
        .unwrap();
        assert_eq!(epochs(&e), before, "a fill in flight is kept");
        iamd_store::write(e.store.as_ref(), |tx| tx.put(b"user/x", b"{}")).unwrap();
        assert_ne!(epochs(&e), before, "any other write moves the epochs");
    }
}
