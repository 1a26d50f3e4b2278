//! How an engine behaves.

use iamd_iam::Limits;

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
    /// Whether calls are recorded in the audit trail. On by default; off only to measure what
    /// the trail costs.
    pub audit: bool,
    /// Audit events older than this many days are deleted (CloudTrail keeps 90 days of event
    /// history). `0` keeps them forever.
    pub audit_retention_days: u32,
    /// Reads and denials are recorded off the request path through a queue of this size; past
    /// it, events are dropped and counted.
    pub audit_queue: usize,
    /// The region reported in audit events when a request names none.
    pub region: String,
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
            audit: true,
            audit_retention_days: 90,
            audit_queue: 65_536,
            region: "us-east-1".to_string(),
        }
    }
}
