//! The audit trail: one CloudTrail-shaped event for every call through the engine, allowed,
//! denied or failed, from every front end.
//!
//! - A successful write's event commits in the write's own transaction ([`Trail::append_in`]):
//!   no change without its record.
//! - Everything else (reads, denials, failures) is queued and written off the request path in
//!   batches ([`Trail::record_later`]); under overload the queue drops events and counts them.
//! - Events are chained per account with a MAC under a key derived from the master key
//!   (`chain`), so `iamd audit verify` detects an edited, deleted or reordered event.
//! - Secrets never reach the trail (`redact`).

pub mod chain;
pub mod console_login;
mod event;
mod json_out;
pub mod lookup;
mod params;
mod redact;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::Duration;

use iamd_iam::IamError;
use iamd_store::{Store, StoreError, Tx};
use iamd_wire::Value;

use crate::Engine;
use crate::config::Config;
use crate::metrics::Metrics;

pub use chain::{ChainKey, Problem};
pub use event::Draft;

/// Most events written in one background transaction.
const BATCH: usize = 4096;
/// How long the writer lets events gather before writing them.
const GATHER: Duration = Duration::from_millis(20);

struct Queued {
    account: String,
    event: String,
}

enum Message {
    Event(Queued),
    /// Answered once everything queued before it is written.
    Flush(SyncSender<()>),
}

pub struct Trail {
    enabled: bool,
    tx: SyncSender<Message>,
    key: ChainKey,
    dropped: AtomicU64,
    metrics: Metrics,
    retention_days: u32,
}

impl Trail {
    /// The trail over `store`, chained under `key`; starts its background writer thread, which
    /// ends when the trail is dropped.
    pub fn new(store: Arc<dyn Store>, config: &Config, metrics: Metrics, key: ChainKey) -> Trail {
        let (tx, rx) = std::sync::mpsc::sync_channel(config.audit_queue.max(1));
        let (k, m) = (key.clone(), metrics.clone());
        let spawned = std::thread::Builder::new()
            .name("iamd-audit".into())
            .spawn(move || writer(rx, store, k, m));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the audit writer");
        }
        Trail {
            enabled: config.audit,
            tx,
            key,
            dropped: AtomicU64::new(0),
            metrics,
            retention_days: config.audit_retention_days,
        }
    }

    /// The key events are chained under.
    pub fn chain_key(&self) -> &ChainKey {
        &self.key
    }

    /// Appends the event of a successful write inside the write's own transaction.
    pub(crate) fn append_in(
        &self,
        tx: &mut dyn Tx,
        draft: &Draft,
        result: Result<&Value, &IamError>,
    ) -> Result<(), IamError> {
        let (account, event) = draft.finish(result);
        chain::append(tx, &self.key, &account, &event)?;
        Ok(())
    }

    /// Queues the event of a call that wrote nothing; returns its event id, or `None` when the
    /// trail is off or the event was dropped.
    pub(crate) fn record_later(
        &self,
        draft: &Draft,
        result: Result<&Value, &IamError>,
    ) -> Option<String> {
        if !self.enabled {
            return None;
        }
        let (account, event) = draft.finish(result);
        match self.tx.try_send(Message::Event(Queued { account, event })) {
            Ok(()) => Some(draft.event_id.clone()),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                self.metrics.audit_dropped();
                if n.is_power_of_two() {
                    tracing::warn!(dropped = n, "audit queue full: events dropped");
                }
                None
            }
        }
    }

    /// Events dropped under overload since start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Blocks until every event queued so far is written (shutdown, tests, dev reset).
    pub fn flush(&self) {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel(1);
        if self.tx.send(Message::Flush(done_tx)).is_ok() {
            let _ = done_rx.recv_timeout(Duration::from_secs(30));
        }
    }
}

/// Writes a batch of queued events. Nothing waits on them, so the commit need not wait for the
/// disk: the next write of IAM data syncs them too. A killed process loses nothing committed;
/// a power loss may lose the last batches of these asynchronous events, never a write's own.
fn write_batch(store: &dyn Store, key: &ChainKey, batch: &[Queued]) -> Result<(), StoreError> {
    iamd_store::write_unsynced(store, |tx| {
        let mut a = chain::Appender::default();
        for q in batch {
            a.append(tx, key, &q.account, &q.event)?;
        }
        a.finish(tx)
    })
}

fn writer(rx: Receiver<Message>, store: Arc<dyn Store>, key: ChainKey, metrics: Metrics) {
    let mut batch: Vec<Queued> = Vec::with_capacity(BATCH);
    let mut waiting: Vec<SyncSender<()>> = Vec::new();
    while let Ok(first) = rx.recv() {
        // Let events gather while not waiting on the queue, so senders wake no one: one
        // transaction (and one fsync) per interval, not per event.
        if matches!(first, Message::Event(_)) {
            std::thread::sleep(GATHER);
        }
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Message::Event(q) => batch.push(q),
                Message::Flush(done) => waiting.push(done),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let mut tries = 0;
            loop {
                match write_batch(store.as_ref(), &key, &batch) {
                    Ok(()) => {
                        metrics.audit_written(batch.len() as u64);
                        break;
                    }
                    Err(e) if tries < 3 => {
                        tries += 1;
                        tracing::warn!(error = %e, "audit batch failed; retrying");
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, lost = batch.len(), "audit batch lost");
                        for _ in 0..batch.len() {
                            metrics.audit_dropped();
                        }
                        break;
                    }
                }
            }
            batch.clear();
        }
        for w in waiting.drain(..) {
            let _ = w.send(());
        }
    }
}

/// Deletes events past the retention period, at start and then hourly.
pub fn spawn_retention(engine: Arc<Engine>) {
    let days = engine.audit.retention_days;
    if days == 0 {
        return;
    }
    let weak = Arc::downgrade(&engine);
    drop(engine);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let Some(e) = weak.upgrade() else { return };
            let _ = tokio::task::spawn_blocking(move || {
                let cutoff =
                    time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
                match chain::prune_all(e.store.as_ref(), cutoff) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(deleted = n, "audit events past retention deleted"),
                    Err(err) => tracing::warn!(error = %err, "audit retention failed"),
                }
            })
            .await;
        }
    });
}
