//! Keeping the served credentials fresh.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::source::{CredentialSource, SourceError};
use crate::state::AgentState;

/// First retry delay after a failed fetch; doubled on each further failure.
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Longest delay between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A fetch that takes longer than this counts as failed.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
/// The refresher re-reads the clock at least this often while waiting, so that a wall-clock
/// jump (or a suspended host) does not make it oversleep.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// When credentials obtained at `obtained` and expiring at `expiration` should be replaced:
/// once half their lifetime has passed, and at the latest `margin` before they expire (when the
/// lifetime is shorter than `margin`, at half the lifetime).
///
/// Half, rather than a fixed margin, because SDKs refresh early themselves: botocore treats
/// credentials with less than 15 minutes left as due for refresh, and from IMDS it even pushes the
/// expiry of credentials with under 12–20 minutes left further out; serving credentials with at
/// least half their lifetime (30 minutes for one-hour credentials) left keeps SDKs off those
/// paths.
pub fn refresh_at(obtained: SystemTime, expiration: SystemTime, margin: Duration) -> SystemTime {
    let lifetime = expiration.duration_since(obtained).unwrap_or_default();
    let half = lifetime / 2;
    let ahead = if margin < lifetime {
        margin.max(half)
    } else {
        half
    };
    expiration
        .checked_sub(ahead)
        .map_or(obtained, |t| t.max(obtained))
}

/// The retry delay after `failures` consecutive failures (1 → `INITIAL_BACKOFF`).
pub fn backoff(failures: u32) -> Duration {
    let shift = failures.saturating_sub(1).min(16);
    INITIAL_BACKOFF
        .saturating_mul(1u32 << shift)
        .min(MAX_BACKOFF)
}

/// Fetches once and installs the result. Returns when the next fetch should happen.
pub async fn refresh_once(
    state: &AgentState,
    source: &dyn CredentialSource,
    failures: &mut u32,
) -> SystemTime {
    let result = match tokio::time::timeout(FETCH_TIMEOUT, source.fetch()).await {
        Ok(r) => r,
        Err(_) => Err(SourceError::new(
            "CredentialSourceUnavailable",
            format!("fetching credentials took longer than {FETCH_TIMEOUT:?}"),
        )),
    };
    let now = state.now();
    let result = result.and_then(|c| {
        if c.expiration > now {
            Ok(c)
        } else {
            Err(SourceError::new(
                "InvalidCredentialResponse",
                "the credential source returned credentials that have already expired",
            ))
        }
    });
    match result {
        Ok(creds) => {
            *failures = 0;
            let next = refresh_at(now, creds.expiration, state.config.refresh_margin);
            tracing::info!(
                access_key_id = %creds.access_key_id,
                expiration = %crate::timefmt::format_iso8601(creds.expiration),
                next_refresh = %crate::timefmt::format_iso8601(next),
                "role credentials refreshed"
            );
            state.install(creds, now);
            next
        }
        Err(e) => {
            *failures = failures.saturating_add(1);
            let delay = backoff(*failures);
            let still_valid = state.valid_credentials().is_some();
            tracing::warn!(
                error = %e,
                failures = *failures,
                retry_in = ?delay,
                serving_previous = still_valid,
                "refreshing role credentials failed"
            );
            state.record_error(e, now);
            now + delay
        }
    }
}

/// Waits until the agent's clock reaches `at` (re-reading it at least every 30 seconds).
pub async fn sleep_until(state: &AgentState, at: SystemTime) {
    loop {
        let Ok(left) = at.duration_since(state.now()) else {
            return;
        };
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.min(MAX_SLEEP)).await;
    }
}

/// Fetches credentials now and then for ever, replacing them before they expire (see
/// [`refresh_at`]) and retrying failures with exponential backoff (1 s doubling to 60 s) while
/// the previous credentials are served until they expire. Cancel by dropping or aborting the
/// task.
pub async fn refresh_loop(state: Arc<AgentState>, source: Arc<dyn CredentialSource>) {
    let mut failures = 0u32;
    loop {
        let next = refresh_once(&state, source.as_ref(), &mut failures).await;
        sleep_until(&state, next).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn t(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    #[test]
    fn refresh_schedule() {
        let m = Duration::from_secs(300);
        // One hour: at half-life.
        assert_eq!(refresh_at(t(0), t(3600), m), t(1800));
        // Six hours: at half-life.
        assert_eq!(refresh_at(t(0), t(21600), m), t(10800));
        // A large margin wins over half-life.
        assert_eq!(refresh_at(t(0), t(3600), Duration::from_secs(3000)), t(600));
        // A margin longer than the lifetime: half-life.
        assert_eq!(refresh_at(t(0), t(600), Duration::from_secs(900)), t(300));
        // Already expired: now.
        assert_eq!(refresh_at(t(100), t(50), m), t(100));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(5), Duration::from_secs(16));
        assert_eq!(backoff(7), Duration::from_secs(60));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(60));
    }
}
