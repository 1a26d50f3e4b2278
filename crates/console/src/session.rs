//! Console sessions, kept on the server: the browser holds only a random ID in an HttpOnly
//! cookie. A session is created before sign-in (it carries the sign-in form's CSRF token),
//! replaced by a new ID at sign-in, and removed at sign-out or when it expires.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use iamd_engine::{PasswordState, Principal};

/// Sessions kept at most; past it the oldest anonymous ones go first.
const MAX_SESSIONS: usize = 100_000;
/// An anonymous (sign-in form) session lives this long.
const ANONYMOUS_LIFETIME: Duration = Duration::minutes(30);
/// A console session of an IAM user or root lasts at most this long (AWS: 12 hours).
pub const SIGNED_IN_LIFETIME: Duration = Duration::hours(12);
/// …and ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(1);

#[derive(Debug, Clone)]
pub enum Stage {
    /// Not signed in: the sign-in form.
    Anonymous,
    /// The password was right; an MFA code is due.
    PendingMfa {
        principal: Principal,
        password: PasswordState,
        serials: Vec<String>,
        attempts: u32,
    },
    /// Signed in, but the password must be changed first.
    MustChangePassword { principal: Principal },
    /// Signed in.
    Active { principal: Principal },
}

#[derive(Debug, Clone)]
pub struct Session {
    pub stage: Stage,
    pub csrf: String,
    pub created: OffsetDateTime,
    pub expires: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    /// Federation: where to ask for a new session when this one ends.
    pub issuer: Option<String>,
    /// Switch role: the identity to return to.
    pub switched_from: Option<Box<Session>>,
    /// The account the session signed in to, and its alias (for the header).
    pub account_label: String,
    /// Whether the session came through the federation endpoint.
    pub federated: bool,
}

impl Session {
    pub fn anonymous(now: OffsetDateTime) -> Result<Session, String> {
        Ok(Session {
            stage: Stage::Anonymous,
            csrf: random_token()?,
            created: now,
            expires: now + ANONYMOUS_LIFETIME,
            last_seen: now,
            issuer: None,
            switched_from: None,
            account_label: String::new(),
            federated: false,
        })
    }

    /// The principal pages act as.
    pub fn principal(&self) -> Option<&Principal> {
        match &self.stage {
            Stage::Active { principal } => Some(principal),
            _ => None,
        }
    }

    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.expires
            || (!self.federated
                && !matches!(self.stage, Stage::Anonymous)
                && now - self.last_seen >= IDLE_TIMEOUT)
    }
}

/// 32 random bytes, hex.
pub fn random_token() -> Result<String, String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| e.to_string())?;
    Ok(hex::encode(b))
}

/// The store keys sessions by a hash of their ID, so the table holds no usable cookie.
fn slot(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// What a lookup found.
pub enum Found {
    Live(Session),
    /// It ended by time: federation shows its Issuer.
    Expired(Session),
    None,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// Stores `s` under a new random ID, which is returned (the cookie's value).
    pub fn insert(&self, s: Session) -> Result<String, String> {
        let id = random_token()?;
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAX_SESSIONS {
            let now = OffsetDateTime::now_utc();
            m.retain(|_, s| !s.is_expired(now));
            if m.len() >= MAX_SESSIONS {
                m.retain(|_, s| !matches!(s.stage, Stage::Anonymous));
            }
        }
        m.insert(slot(&id), s);
        Ok(id)
    }

    /// The session of `id`, its last use updated; an expired one is removed.
    pub fn get(&self, id: &str, now: OffsetDateTime) -> Found {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let key = slot(id);
        match m.get_mut(&key) {
            None => Found::None,
            Some(s) if s.is_expired(now) => match m.remove(&key) {
                Some(s) => Found::Expired(s),
                None => Found::None,
            },
            Some(s) => {
                s.last_seen = now;
                Found::Live(s.clone())
            }
        }
    }

    /// Replaces the session of `id` (same ID).
    pub fn update(&self, id: &str, s: Session) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = m.get_mut(&slot(id)) {
            *slot = s;
        }
    }

    /// Ends a session (sign-out, or rotation at sign-in).
    pub fn remove(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&slot(id));
    }

    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sign-in attempts per client address: at most `limit` in any `window`.
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    seen: Mutex<HashMap<std::net::IpAddr, Vec<OffsetDateTime>>>,
}

impl RateLimiter {
    pub fn new(limit: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            seen: Mutex::default(),
        }
    }

    /// Counts an attempt from `ip`; `false` when over the limit.
    pub fn allow(&self, ip: Option<std::net::IpAddr>, now: OffsetDateTime) -> bool {
        let Some(ip) = ip else { return true };
        let mut m = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 100_000 {
            m.clear();
        }
        let times = m.entry(ip).or_default();
        times.retain(|t| now - *t < self.window);
        if times.len() >= self.limit {
            return false;
        }
        times.push(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_rotate() {
        let now = OffsetDateTime::now_utc();
        let store = Sessions::default();
        let id = store.insert(Session::anonymous(now).unwrap()).unwrap();
        assert!(matches!(store.get(&id, now), Found::Live(_)));
        assert!(matches!(store.get("other", now), Found::None));
        assert!(matches!(
            store.get(&id, now + Duration::hours(1)),
            Found::Expired(_)
        ));
        assert!(matches!(store.get(&id, now), Found::None));
        let id2 = store.insert(Session::anonymous(now).unwrap()).unwrap();
        store.remove(&id2);
        assert!(store.is_empty());
    }

    #[test]
    fn rate_limit_per_address() {
        let now = OffsetDateTime::now_utc();
        let r = RateLimiter::new(2, Duration::minutes(1));
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        assert!(r.allow(a, now));
        assert!(r.allow(a, now));
        assert!(!r.allow(a, now));
        assert!(r.allow(b, now));
        assert!(r.allow(a, now + Duration::minutes(2)));
    }
}
