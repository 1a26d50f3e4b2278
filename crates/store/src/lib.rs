//! iamd's storage interface.
//!
//! The services see one small interface: an ordered map from byte keys to byte values with
//! serializable transactions ([`Store`], [`Tx`]). IAM's semantics (names, indexes, quotas) are
//! built above it in `iamd-iam`, so every backend — SQLite today, PostgreSQL for several servers,
//! memory for tests — is a thin, separately testable implementation of the same few calls, and
//! none of the services contains SQL.

mod error;
mod feed;
mod memory;
pub mod postgres;
mod sqlite;
pub mod suite;

pub use error::StoreError;
pub use feed::{Change, Feed, Listener};
pub use memory::MemoryStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A key and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// One transaction: reads see a consistent snapshot; writes become visible together at commit.
pub trait Tx {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError>;
    /// Removes `key`; returns whether it existed.
    fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError>;
    /// Up to `limit` pairs whose keys start with `prefix` and sort strictly after `after`
    /// (when given), in byte order of the key.
    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError>;
    /// Up to `limit` pairs whose keys start with `prefix` and sort strictly before `before`
    /// (when given), in *descending* byte order of the key (newest first, for logs keyed by a
    /// sequence number).
    fn scan_rev(
        &mut self,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        // Correct for any backend; backends override it with an indexed range.
        let mut all = self.scan(prefix, None, usize::MAX)?;
        if let Some(b) = before {
            all.retain(|(k, _)| k.as_slice() < b);
        }
        all.reverse();
        all.truncate(limit);
        Ok(all)
    }
}

/// A storage backend.
pub trait Store: Send + Sync {
    /// Runs `f` in a read-only transaction.
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Runs `f` in a read-write transaction and commits it when `f` succeeds; when `f` fails,
    /// nothing it wrote is kept. A backend may run `f` again after a serialization conflict.
    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// [`Store::write`] for records that may be kept asynchronously (the audit trail's reads
    /// and denials): the commit need not wait for the disk. A crash may lose the last such
    /// commits, never half of one, and never one that a later synced commit follows.
    fn write_unsynced(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write(f)
    }
    /// A number that changes after every committed write (caches compare it to know they are
    /// stale).
    fn generation(&self) -> u64;
    /// Short name for logs: `sqlite:/path`, `postgres://host/db`, `memory`.
    fn describe(&self) -> String;
    /// Removes every record (local testing's reset); the schema stays.
    fn wipe(&self) -> Result<(), StoreError>;
    /// Calls `listener` after every committed write with what it changed (see [`Change`]).
    fn subscribe(&self, listener: Listener);
    /// Whether the store can serve requests: reachable, and its schema is the one this build
    /// expects (`/readyz`).
    fn health(&self) -> Result<(), StoreError> {
        self.read(&mut |tx| tx.get(b"\0health").map(|_| ()))
    }
}

/// Runs `f` in a read transaction and returns its result. Errors of `f` that are not storage
/// errors travel through `E`.
pub fn read<T, E: From<StoreError>>(
    store: &dyn Store,
    mut f: impl FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    run(store, Mode::Read, &mut f)
}

/// Runs `f` in a write transaction, committed only if `f` returns `Ok`.
pub fn write<T, E: From<StoreError>>(
    store: &dyn Store,
    mut f: impl FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    run(store, Mode::Write, &mut f)
}

/// [`write`] through [`Store::write_unsynced`].
pub fn write_unsynced<T, E: From<StoreError>>(
    store: &dyn Store,
    mut f: impl FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    run(store, Mode::WriteUnsynced, &mut f)
}

enum Mode {
    Read,
    Write,
    WriteUnsynced,
}

fn run<T, E: From<StoreError>>(
    store: &dyn Store,
    mode: Mode,
    f: &mut dyn FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    let mut outcome: Option<Result<T, E>> = None;
    let mut body = |tx: &mut dyn Tx| -> Result<(), StoreError> {
        match f(tx) {
            Ok(v) => {
                outcome = Some(Ok(v));
                Ok(())
            }
            Err(e) => {
                outcome = Some(Err(e));
                // Abort the transaction; the caller's error is returned below.
                Err(StoreError::Aborted)
            }
        }
    };
    let r = match mode {
        Mode::Read => store.read(&mut body),
        Mode::Write => store.write(&mut body),
        Mode::WriteUnsynced => store.write_unsynced(&mut body),
    };
    match (r, outcome) {
        (Ok(()), Some(v)) => v,
        (Err(StoreError::Aborted), Some(Err(e))) => Err(e),
        (Err(e), _) => Err(e.into()),
        (Ok(()), None) => Err(StoreError::Backend("transaction body did not run".into()).into()),
    }
}
