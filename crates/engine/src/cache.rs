//! Caches that change only what changed.
//!
//! A cached value remembers which store keys it was built from (the keys it read and the
//! prefixes it scanned, recorded by [`Recording`]). The store's change feed names the keys each
//! commit touched; [`DepCache::invalidate`] drops exactly the entries built from one of them. A
//! write nobody's value was built from (an access key's last use, an audit event) drops nothing.
//!
//! A value computed from a snapshot older than a concurrent change must not be cached: callers
//! take [`DepCache::epoch`] *before* opening the transaction the value is computed in, and
//! [`DepCache::insert`] refuses the value if any change arrived since.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use iamd_store::{Change, Pair, StoreError, Tx};

/// Past this many entries a cache starts over (bounds memory under a flood of unknown keys).
const MAX_ENTRIES: usize = 100_000;

/// The keys and prefixes a computation read.
#[derive(Debug, Default, Clone)]
pub struct ReadSet {
    keys: Vec<Vec<u8>>,
    prefixes: Vec<Vec<u8>>,
}

/// A transaction that records what is read through it.
pub struct Recording<'a> {
    inner: &'a mut dyn Tx,
    pub reads: ReadSet,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a mut dyn Tx) -> Recording<'a> {
        Recording {
            inner,
            reads: ReadSet::default(),
        }
    }
}

/// The prefix a scan depends on, cut back to a `/` boundary (or to nothing): invalidation looks
/// keys up by their `/`-delimited prefixes. Cutting back widens the dependency, never narrows it.
fn boundary_prefix(prefix: &[u8]) -> Vec<u8> {
    match prefix.iter().rposition(|b| *b == b'/') {
        Some(i) => prefix.get(..=i).unwrap_or_default().to_vec(),
        None => Vec::new(),
    }
}

impl Tx for Recording<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.reads.keys.push(key.to_vec());
        self.inner.get(key)
    }
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.inner.put(key, value)
    }
    fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        self.inner.delete(key)
    }
    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        self.reads.prefixes.push(boundary_prefix(prefix));
        self.inner.scan(prefix, after, limit)
    }
    fn scan_rev(
        &mut self,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        self.reads.prefixes.push(boundary_prefix(prefix));
        self.inner.scan_rev(prefix, before, limit)
    }
}

struct Inner<K, V> {
    values: HashMap<K, (V, ReadSet)>,
    by_key: HashMap<Vec<u8>, HashSet<K>>,
    by_prefix: HashMap<Vec<u8>, HashSet<K>>,
}

impl<K, V> Default for Inner<K, V> {
    fn default() -> Self {
        Inner {
            values: HashMap::new(),
            by_key: HashMap::new(),
            by_prefix: HashMap::new(),
        }
    }
}

/// A cache of values built from the store, dropped entry by entry as the store changes.
pub struct DepCache<K, V> {
    inner: RwLock<Inner<K, V>>,
    epoch: AtomicU64,
}

impl<K: Eq + Hash + Clone, V: Clone + Send + Sync + 'static> Default for DepCache<K, V> {
    fn default() -> Self {
        DepCache {
            inner: RwLock::new(Inner::default()),
            epoch: AtomicU64::new(0),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone + Send + Sync + 'static> DepCache<K, V> {
    /// Take before opening the transaction a value will be computed in.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The cached value of `k` (any borrowed form of the key: no allocation to look up).
    pub fn get<Q>(&self, k: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let g = self.inner.read().unwrap_or_else(|p| p.into_inner());
        g.values.get(k).map(|(v, _)| v.clone())
    }

    /// Caches `v`, built from `reads`, unless the store changed since `epoch`.
    pub fn insert(&self, epoch: u64, k: K, v: V, reads: ReadSet) {
        let mut g = self.inner.write().unwrap_or_else(|p| p.into_inner());
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if g.values.len() >= MAX_ENTRIES {
            *g = Inner::default();
        }
        if let Some((_, old)) = g.values.remove(&k) {
            unindex(&mut g, &k, &old);
        }
        for key in &reads.keys {
            g.by_key.entry(key.clone()).or_default().insert(k.clone());
        }
        for p in &reads.prefixes {
            g.by_prefix.entry(p.clone()).or_default().insert(k.clone());
        }
        g.values.insert(k, (v, reads));
    }

    /// Drops the entries built from what `change` touched; returns how many.
    pub fn invalidate(&self, change: &Change) -> usize {
        let mut g = self.inner.write().unwrap_or_else(|p| p.into_inner());
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let keys = match change {
            Change::Unknown => {
                let n = g.values.len();
                *g = Inner::default();
                return n;
            }
            Change::Keys(keys) => keys,
        };
        let mut doomed: HashSet<K> = HashSet::new();
        for key in keys.iter() {
            if let Some(ks) = g.by_key.get(key) {
                doomed.extend(ks.iter().cloned());
            }
            // Every `/`-delimited prefix of the key, the empty one included.
            if let Some(ks) = g.by_prefix.get(&b""[..]) {
                doomed.extend(ks.iter().cloned());
            }
            for (i, b) in key.iter().enumerate() {
                if *b == b'/'
                    && let Some(ks) = key.get(..=i).and_then(|p| g.by_prefix.get(p))
                {
                    doomed.extend(ks.iter().cloned());
                }
            }
        }
        let n = doomed.len();
        for k in doomed {
            if let Some((_, reads)) = g.values.remove(&k) {
                unindex(&mut g, &k, &reads);
            }
        }
        n
    }

    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn unindex<K: Eq + Hash, V>(g: &mut Inner<K, V>, k: &K, reads: &ReadSet) {
    for key in &reads.keys {
        if let Some(s) = g.by_key.get_mut(key) {
            s.remove(k);
            if s.is_empty() {
                g.by_key.remove(key);
            }
        }
    }
    for p in &reads.prefixes {
        if let Some(s) = g.by_prefix.get_mut(p) {
            s.remove(k);
            if s.is_empty() {
                g.by_prefix.remove(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamd_store::{MemoryStore, Store};
    use std::sync::{Arc, Mutex};

    fn build(store: &dyn Store, keys: &[&[u8]], prefix: Option<&[u8]>) -> ReadSet {
        iamd_store::read(store, |tx| {
            let mut r = Recording::new(tx);
            for k in keys {
                r.get(k)?;
            }
            if let Some(p) = prefix {
                r.scan(p, None, 10)?;
            }
            Ok::<_, StoreError>(r.reads)
        })
        .unwrap()
    }

    fn keys(ks: &[&[u8]]) -> Change {
        Change::of_keys(ks.iter().map(|k| k.to_vec()).collect()).unwrap()
    }

    #[test]
    fn drops_only_entries_built_from_changed_keys() {
        let store = MemoryStore::new();
        let c: DepCache<String, u32> = DepCache::default();
        let e = c.epoch();
        c.insert(e, "a".into(), 1, build(&store, &[b"user/1/a"], None));
        c.insert(
            e,
            "b".into(),
            2,
            build(&store, &[b"user/1/b"], Some(b"member/1/g/")),
        );
        assert_eq!(c.invalidate(&keys(&[b"lastused/AKIA"])), 0);
        assert_eq!(c.get("a"), Some(1));
        assert_eq!(
            c.invalidate(&keys(&[b"member/1/g/u9"])),
            1,
            "a scanned prefix"
        );
        assert_eq!(c.get("b"), None);
        assert_eq!(c.get("a"), Some(1));
        assert_eq!(c.invalidate(&keys(&[b"user/1/a"])), 1, "an exact key");
        assert!(c.is_empty());
    }

    #[test]
    fn unknown_changes_drop_everything() {
        let store = MemoryStore::new();
        let c: DepCache<String, u32> = DepCache::default();
        c.insert(c.epoch(), "a".into(), 1, build(&store, &[b"x"], None));
        assert_eq!(c.invalidate(&Change::Unknown), 1);
        assert!(c.is_empty());
    }

    #[test]
    fn a_value_computed_across_a_change_is_not_cached() {
        let store = MemoryStore::new();
        let c: DepCache<String, u32> = DepCache::default();
        let e = c.epoch();
        let reads = build(&store, &[b"user/1/a"], None);
        c.invalidate(&keys(&[b"unrelated"]));
        c.insert(e, "a".into(), 1, reads);
        assert_eq!(c.get("a"), None);
    }

    #[test]
    fn the_feed_drives_invalidation() {
        let store = Arc::new(MemoryStore::new());
        let c: Arc<DepCache<String, u32>> = Arc::default();
        let c2 = c.clone();
        let dropped = Arc::new(Mutex::new(0));
        let d2 = dropped.clone();
        store.subscribe(Arc::new(move |ch: &Change| {
            *d2.lock().unwrap() += c2.invalidate(ch)
        }));
        c.insert(
            c.epoch(),
            "a".into(),
            1,
            build(store.as_ref(), &[b"k/a"], None),
        );
        iamd_store::write(store.as_ref(), |tx| tx.put(b"k/b", b"1")).unwrap();
        assert_eq!(c.get("a"), Some(1));
        iamd_store::write(store.as_ref(), |tx| tx.put(b"k/a", b"1")).unwrap();
        assert_eq!(c.get("a"), None);
        assert_eq!(*dropped.lock().unwrap(), 1);
    }
}
