//! The change feed: after every committed write, a backend tells its listeners *which* keys the
//! write touched, so caches above can drop just the entries built from those keys. A backend
//! that cannot say what changed (a commit by another process, a wipe) publishes
//! [`Change::Unknown`], and listeners drop everything.
//!
//! The same records are what a shared backend publishes to other servers (PostgreSQL's
//! LISTEN/NOTIFY): a change is a list of keys, nothing process-local.

use std::sync::{Arc, RwLock};

/// What one committed write changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The keys put or deleted, each once, in byte order.
    Keys(Arc<[Vec<u8>]>),
    /// Something changed, but not known what.
    Unknown,
}

impl Change {
    /// The change made of `keys` (sorted and deduplicated); `None` when there are none.
    pub fn of_keys(mut keys: Vec<Vec<u8>>) -> Option<Change> {
        if keys.is_empty() {
            return None;
        }
        keys.sort_unstable();
        keys.dedup();
        Some(Change::Keys(keys.into()))
    }
}

/// Called synchronously after each commit, before the write returns to its caller: a change
/// must hold for the very next request.
pub type Listener = Arc<dyn Fn(&Change) + Send + Sync>;

/// The listeners of one backend.
#[derive(Default)]
pub struct Feed {
    listeners: RwLock<Vec<Listener>>,
}

impl Feed {
    pub fn subscribe(&self, l: Listener) {
        self.listeners
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(l);
    }

    pub fn publish(&self, c: &Change) {
        let ls = self.listeners.read().unwrap_or_else(|p| p.into_inner());
        for l in ls.iter() {
            l(c);
        }
    }
}

/// Remembers the keys a write transaction touched.
#[derive(Default)]
pub(crate) struct Touched(pub Vec<Vec<u8>>);

impl Touched {
    pub fn note(&mut self, key: &[u8]) {
        self.0.push(key.to_vec());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of_keys_sorts_and_dedups() {
        let c = Change::of_keys(vec![b"b".to_vec(), b"a".to_vec(), b"b".to_vec()]).unwrap();
        assert_eq!(c, Change::Keys(vec![b"a".to_vec(), b"b".to_vec()].into()));
        assert_eq!(Change::of_keys(Vec::new()), None);
    }
}
