//! Configuration and the shared state of a running agent.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::source::{RoleCredentials, SourceError};

/// The longest IMDSv2 token TTL AWS accepts (6 hours).
pub const MAX_TOKEN_TTL_SECONDS: u64 = 21_600;

/// What the agent serves.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Where to listen (EC2's is `169.254.169.254:80`; any address works with
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`).
    pub listen: SocketAddr,
    /// The role's name: the only entry under `iam/security-credentials/`.
    pub role_name: String,
    /// `arn:aws:iam::ACCOUNT:instance-profile/NAME` (`iam/info`; the account of the identity
    /// document is taken from it).
    pub instance_profile_arn: String,
    /// `AIPA…` (`iam/info`).
    pub instance_profile_id: String,
    /// `i-…` (`instance-id`, the identity document).
    pub instance_id: String,
    /// `us-east-1` (`placement/region`; `placement/availability-zone` is this plus `a`).
    pub region: String,
    /// Refuse requests without an IMDSv2 token (EC2's `HttpTokens=required`).
    pub imdsv2_required: bool,
    /// New credentials are fetched at least this long before the current ones expire (and
    /// anyway once half their lifetime has passed). Default 5 minutes.
    pub refresh_margin: Duration,
}

impl Default for AgentConfig {
    fn default() -> AgentConfig {
        AgentConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            role_name: String::new(),
            instance_profile_arn: String::new(),
            instance_profile_id: String::new(),
            instance_id: "i-0000000000000000".to_owned(),
            region: "us-east-1".to_owned(),
            imdsv2_required: false,
            refresh_margin: Duration::from_secs(300),
        }
    }
}

impl AgentConfig {
    /// Checks the configuration: a role name that can be a URL path segment.
    pub fn validate(&self) -> io::Result<()> {
        let ok = !self.role_name.is_empty()
            && self
                .role_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
        if !ok {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid role name {:?}", self.role_name),
            ));
        }
        if self.region.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty region"));
        }
        Ok(())
    }

    /// The account ID of the instance profile's ARN (empty if it has none).
    pub fn account_id(&self) -> &str {
        self.instance_profile_arn.split(':').nth(4).unwrap_or("")
    }
}

/// The credentials being served, and the last refresh failure.
#[derive(Debug, Clone, Default)]
pub struct Slot {
    /// The newest credentials and when they were obtained.
    pub current: Option<(RoleCredentials, SystemTime)>,
    /// The last failure of the source since the last success (cleared on success).
    pub last_error: Option<(SourceError, SystemTime)>,
    /// How many times credentials were installed.
    pub generation: u64,
}

/// State shared by the request handlers and the refresher.
pub struct AgentState {
    pub(crate) config: AgentConfig,
    pub(crate) clock: Arc<dyn Clock>,
    token_key: [u8; 32],
    pub(crate) started: SystemTime,
    slot: watch::Sender<Slot>,
}

impl std::fmt::Debug for AgentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl AgentState {
    /// New state with no credentials yet; IMDSv2 tokens are keyed by a fresh random key.
    pub fn new(config: AgentConfig, clock: Arc<dyn Clock>) -> io::Result<Arc<AgentState>> {
        let mut token_key = [0u8; 32];
        getrandom::fill(&mut token_key).map_err(|e| io::Error::other(e.to_string()))?;
        let started = clock.now();
        Ok(Arc::new(AgentState {
            config,
            clock,
            token_key,
            started,
            slot: watch::Sender::new(Slot::default()),
        }))
    }

    /// The configuration.
    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// The current time by the agent's clock.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// A copy of the credential slot.
    pub fn slot(&self) -> Slot {
        self.slot.borrow().clone()
    }

    /// Watches the credential slot.
    pub fn subscribe(&self) -> watch::Receiver<Slot> {
        self.slot.subscribe()
    }

    /// Installs new credentials (clears the last error).
    pub fn install(&self, creds: RoleCredentials, obtained: SystemTime) {
        self.slot.send_modify(|s| {
            s.current = Some((creds, obtained));
            s.last_error = None;
            s.generation += 1;
        });
    }

    /// Records a failed refresh; the current credentials stay.
    pub fn record_error(&self, err: SourceError, at: SystemTime) {
        self.slot.send_modify(|s| s.last_error = Some((err, at)));
    }

    /// The credentials to serve now: the current ones if they have not expired.
    pub fn valid_credentials(&self) -> Option<(RoleCredentials, SystemTime)> {
        let now = self.clock.now();
        self.slot
            .borrow()
            .current
            .as_ref()
            .filter(|(c, _)| now < c.expiration)
            .cloned()
    }

    fn token_mac(&self, data: &[u8]) -> Option<[u8; 16]> {
        let mut mac = HmacSha256::new_from_slice(&self.token_key).ok()?;
        mac.update(data);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(full.get(..16)?);
        Some(out)
    }

    /// Mints an IMDSv2 token valid for `ttl_seconds`: 8 bytes of expiry (Unix seconds), 8 random
    /// bytes and a 16-byte HMAC over both, hex-encoded. Stateless: nothing is stored.
    pub fn mint_token(&self, ttl_seconds: u64) -> io::Result<String> {
        let now = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let expires = now.as_secs().saturating_add(ttl_seconds);
        let mut body = [0u8; 32];
        let (head, tail) = body.split_at_mut(16);
        if let Some(exp) = head.get_mut(..8) {
            exp.copy_from_slice(&expires.to_be_bytes());
        }
        if let Some(nonce) = head.get_mut(8..) {
            getrandom::fill(nonce).map_err(|e| io::Error::other(e.to_string()))?;
        }
        let mac = self
            .token_mac(head)
            .ok_or_else(|| io::Error::other("token key"))?;
        tail.copy_from_slice(&mac);
        Ok(hex::encode(body))
    }

    /// Whether `token` was minted by this agent and has not expired.
    pub fn token_valid(&self, token: &str) -> bool {
        let mut raw = [0u8; 32];
        if token.len() != 64 || hex::decode_to_slice(token, &mut raw).is_err() {
            return false;
        }
        let (head, mac) = raw.split_at(16);
        let Some(expected) = self.token_mac(head) else {
            return false;
        };
        if !bool::from(expected.ct_eq(mac)) {
            return false;
        }
        let mut exp = [0u8; 8];
        if let Some(b) = head.get(..8) {
            exp.copy_from_slice(b);
        }
        let expires = UNIX_EPOCH + Duration::from_secs(u64::from_be_bytes(exp));
        self.clock.now() < expires
    }
}
