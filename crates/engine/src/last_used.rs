//! Access keys' last use, recorded off the request path: authentication notes the use in
//! memory and a background task writes the latest use of each key once a second, in one
//! transaction. The keys it writes are read by no cache, so it invalidates nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

use iamd_iam::account::{LastUsed, record_key_use};

use crate::Engine;

#[derive(Default)]
pub struct LastUsedRecorder {
    pending: Mutex<HashMap<String, LastUsed>>,
}

impl LastUsedRecorder {
    /// Notes that `key_id` was just used for `service` in `region`.
    pub fn note(&self, key_id: &str, service: &str, region: &str) {
        let date = OffsetDateTime::now_utc();
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        // A key used again within the second, as it was: only its time moves (no allocation).
        if let Some(u) = p.get_mut(key_id)
            && u.service == service
            && u.region == region
        {
            u.date = date;
            return;
        }
        p.insert(
            key_id.to_string(),
            LastUsed {
                date,
                service: service.to_string(),
                region: region.to_string(),
            },
        );
    }

    fn take(&self) -> HashMap<String, LastUsed> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Writes what was noted since the last flush.
    pub fn flush(&self, engine: &Engine) {
        let batch = self.take();
        if batch.is_empty() {
            return;
        }
        let r = iamd_store::write(engine.store.as_ref(), |tx| {
            for (k, u) in &batch {
                record_key_use(tx, k, u)?;
            }
            Ok::<_, iamd_iam::IamError>(())
        });
        if let Err(e) = r {
            tracing::warn!(error = %e, "could not record access keys' last use");
        }
    }
}

/// Flushes the recorder every second for as long as the engine lives.
pub fn spawn_flusher(engine: Arc<Engine>) {
    let weak = Arc::downgrade(&engine);
    drop(engine);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let Some(e) = weak.upgrade() else { return };
            let _ = tokio::task::spawn_blocking(move || e.last_used.flush(&e)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_use_of_each_key_is_kept() {
        let r = LastUsedRecorder::default();
        r.note("AKIA1", "iam", "us-east-1");
        let first = r.pending.lock().unwrap()["AKIA1"].date;
        r.note("AKIA1", "iam", "us-east-1");
        r.note("AKIA2", "sts", "us-east-1");
        r.note("AKIA2", "s3", "eu-west-1");
        let p = r.take();
        assert_eq!(p.len(), 2);
        assert!(p["AKIA1"].date >= first);
        assert_eq!(
            (p["AKIA2"].service.as_str(), p["AKIA2"].region.as_str()),
            ("s3", "eu-west-1")
        );
        assert!(r.take().is_empty());
    }
}
