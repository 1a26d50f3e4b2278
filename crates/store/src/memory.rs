//! The in-memory backend, for tests: an ordered map behind a lock. A write transaction works on
//! an overlay that is merged at commit, so a failed transaction leaves nothing behind, exactly as
//! the SQL backends behave. Nothing touches the disk.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use crate::feed::{Change, Feed, Listener, Touched};
use crate::{Pair, Store, StoreError, Tx};

#[derive(Default)]
pub struct MemoryStore {
    data: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
    /// Serializes writers; readers never wait for it.
    writer: Mutex<()>,
    generation: AtomicU64,
    feed: Feed,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore {
            generation: AtomicU64::new(1),
            ..MemoryStore::default()
        }
    }
}

fn range<'a, V>(
    map: &'a BTreeMap<Vec<u8>, V>,
    prefix: &[u8],
    after: Option<&[u8]>,
) -> impl Iterator<Item = (&'a Vec<u8>, &'a V)> {
    let lower = match after.filter(|a| *a >= prefix) {
        Some(a) => Bound::Excluded(a.to_vec()),
        None => Bound::Included(prefix.to_vec()),
    };
    let prefix = prefix.to_vec();
    map.range((lower, Bound::Unbounded))
        .take_while(move |(k, _)| k.starts_with(&prefix))
}

struct ReadTx<'a> {
    data: &'a BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Tx for ReadTx<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.data.get(key).cloned())
    }
    fn put(&mut self, _: &[u8], _: &[u8]) -> Result<(), StoreError> {
        Err(StoreError::Backend("write in a read transaction".into()))
    }
    fn delete(&mut self, _: &[u8]) -> Result<bool, StoreError> {
        Err(StoreError::Backend("write in a read transaction".into()))
    }
    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        Ok(range(self.data, prefix, after)
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
    fn scan_rev(
        &mut self,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        if before.is_some_and(|b| b < prefix) {
            return Ok(Vec::new());
        }
        let upper = match (before, crate::sqlite::prefix_end(prefix)) {
            (Some(b), Some(e)) if b < e.as_slice() => Bound::Excluded(b.to_vec()),
            (Some(b), None) => Bound::Excluded(b.to_vec()),
            (_, Some(e)) => Bound::Excluded(e),
            (None, None) => Bound::Unbounded,
        };
        Ok(self
            .data
            .range((Bound::Included(prefix.to_vec()), upper))
            .rev()
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

struct WriteTx<'a> {
    base: &'a BTreeMap<Vec<u8>, Vec<u8>>,
    /// `None`: deleted in this transaction.
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl Tx for WriteTx<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(match self.overlay.get(key) {
            Some(v) => v.clone(),
            None => self.base.get(key).cloned(),
        })
    }
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.overlay.insert(key.to_vec(), Some(value.to_vec()));
        Ok(())
    }
    fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        let existed = self.get(key)?.is_some();
        self.overlay.insert(key.to_vec(), None);
        Ok(existed)
    }
    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        // Merge the two ordered ranges; the overlay wins on equal keys.
        let mut base = range(self.base, prefix, after).peekable();
        let mut over = range(&self.overlay, prefix, after).peekable();
        let mut out = Vec::new();
        while out.len() < limit {
            let take_over = match (base.peek(), over.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some((bk, _)), Some((ok, _))) => ok <= bk,
            };
            if take_over {
                let Some((k, v)) = over.next() else { break };
                if base.peek().is_some_and(|(bk, _)| *bk == k) {
                    base.next();
                }
                if let Some(v) = v {
                    out.push((k.clone(), v.clone()));
                }
            } else {
                let Some((k, v)) = base.next() else { break };
                out.push((k.clone(), v.clone()));
            }
        }
        Ok(out)
    }
}

impl Store for MemoryStore {
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let data = self.data.read().unwrap_or_else(|p| p.into_inner());
        f(&mut ReadTx { data: &data })
    }

    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let overlay = {
            let data = self.data.read().unwrap_or_else(|p| p.into_inner());
            let mut tx = WriteTx {
                base: &data,
                overlay: BTreeMap::new(),
            };
            f(&mut tx)?;
            tx.overlay
        };
        let mut touched = Touched::default();
        {
            let mut data = self.data.write().unwrap_or_else(|p| p.into_inner());
            for (k, v) in overlay {
                touched.note(&k);
                match v {
                    Some(v) => data.insert(k, v),
                    None => data.remove(&k),
                };
            }
        }
        self.generation.fetch_add(1, Ordering::Release);
        if let Some(c) = Change::of_keys(touched.0) {
            self.feed.publish(&c);
        }
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn describe(&self) -> String {
        "memory".to_string()
    }

    fn wipe(&self) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        self.data.write().unwrap_or_else(|p| p.into_inner()).clear();
        self.generation.fetch_add(1, Ordering::Release);
        self.feed.publish(&Change::Unknown);
        Ok(())
    }

    fn subscribe(&self, listener: Listener) {
        self.feed.subscribe(listener);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_passes_the_store_suite() {
        crate::suite::run_all(&MemoryStore::new());
    }

    #[test]
    fn write_scan_merges_overlay_and_base() {
        let s = MemoryStore::new();
        crate::write(&s, |tx| {
            tx.put(b"p/a", b"1")?;
            tx.put(b"p/c", b"3")
        })
        .unwrap();
        let seen = crate::write(&s, |tx| {
            tx.put(b"p/b", b"2")?;
            tx.delete(b"p/c")?;
            tx.put(b"p/a", b"9")?;
            tx.scan(b"p/", None, 10)
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![
                (b"p/a".to_vec(), b"9".to_vec()),
                (b"p/b".to_vec(), b"2".to_vec())
            ]
        );
    }
}
