//! The behaviour every backend must have. Each backend's tests call [`run_all`] on a fresh,
//! empty store, so SQLite, PostgreSQL and memory are held to exactly the same contract.

use crate::{Store, StoreError, read, write};

/// Runs every check; panics (it is test support) on the first difference.
#[allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]
pub fn run_all(store: &dyn Store) {
    get_put_delete(store);
    scan_orders_by_bytes_and_respects_prefix(store);
    failed_write_keeps_nothing(store);
    unsynced_writes_commit_like_writes(store);
    generation_moves_on_commit(store);
    change_feed_names_what_changed(store);
    scan_rev_is_newest_first(store);
    wipe_removes_everything(store);
}

#[allow(clippy::unwrap_used)]
fn change_feed_names_what_changed(store: &dyn Store) {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<crate::Change>>> = Arc::default();
    let s2 = seen.clone();
    store.subscribe(Arc::new(move |c: &crate::Change| {
        s2.lock().unwrap().push(c.clone())
    }));
    write(store, |tx| {
        tx.put(b"t7/b", b"1")?;
        tx.put(b"t7/a", b"1")?;
        tx.put(b"t7/b", b"2")
    })
    .unwrap();
    write(store, |tx| tx.delete(b"t7/a").map(|_| ())).unwrap();
    // Reads and failed writes change nothing.
    read(store, |tx| tx.get(b"t7/b")).unwrap();
    let failed: Result<(), StoreError> = write(store, |tx| {
        tx.put(b"t7/c", b"1")?;
        Err(StoreError::Conflict)
    });
    assert!(failed.is_err());
    let seen = seen.lock().unwrap().clone();
    let keys = |v: &[&[u8]]| crate::Change::Keys(v.iter().map(|k| k.to_vec()).collect());
    assert_eq!(
        seen,
        vec![keys(&[b"t7/a", b"t7/b"]), keys(&[b"t7/a"])],
        "each commit reports the keys it put or deleted, once"
    );
}

#[allow(clippy::unwrap_used)]
fn wipe_removes_everything(store: &dyn Store) {
    write(store, |tx| tx.put(b"t6/a", b"1")).unwrap();
    let g0 = store.generation();
    store.wipe().unwrap();
    assert!(store.generation() > g0);
    assert!(read(store, |tx| tx.scan(b"", None, 10)).unwrap().is_empty());
}

#[allow(clippy::unwrap_used)]
fn get_put_delete(store: &dyn Store) {
    write(store, |tx| {
        assert_eq!(tx.get(b"t1/a")?, None);
        tx.put(b"t1/a", b"1")?;
        assert_eq!(tx.get(b"t1/a")?.as_deref(), Some(&b"1"[..]));
        tx.put(b"t1/a", b"2")?;
        Ok::<_, StoreError>(())
    })
    .unwrap();
    assert_eq!(
        read(store, |tx| tx.get(b"t1/a")).unwrap().as_deref(),
        Some(&b"2"[..])
    );
    let existed = write(store, |tx| tx.delete(b"t1/a")).unwrap();
    assert!(existed);
    let existed = write(store, |tx| tx.delete(b"t1/a")).unwrap();
    assert!(!existed);
}

#[allow(clippy::unwrap_used)]
fn scan_orders_by_bytes_and_respects_prefix(store: &dyn Store) {
    write(store, |tx| {
        for k in ["t2/b", "t2/a", "t2/B", "t2/c", "t20", "t2", "t3/a"] {
            tx.put(k.as_bytes(), b"x")?;
        }
        tx.put(&[b't', b'2', b'/', 0xFF], b"hi")?;
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let keys = |after: Option<&[u8]>, limit| -> Vec<Vec<u8>> {
        read(store, |tx| tx.scan(b"t2/", after, limit))
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    assert_eq!(
        keys(None, 100),
        vec![
            b"t2/B".to_vec(),
            b"t2/a".to_vec(),
            b"t2/b".to_vec(),
            b"t2/c".to_vec(),
            vec![b't', b'2', b'/', 0xFF]
        ]
    );
    assert_eq!(keys(None, 2), vec![b"t2/B".to_vec(), b"t2/a".to_vec()]);
    assert_eq!(
        keys(Some(b"t2/a"), 2),
        vec![b"t2/b".to_vec(), b"t2/c".to_vec()]
    );
    // A marker before the prefix starts the scan at the prefix.
    assert_eq!(keys(Some(b"t1"), 1), vec![b"t2/B".to_vec()]);
    assert_eq!(
        keys(Some(&[b't', b'2', b'/', 0xFF]), 10),
        Vec::<Vec<u8>>::new()
    );
    let all_ff: Vec<_> = read(store, |tx| tx.scan(&[0xFF], None, 10)).unwrap();
    assert!(all_ff.is_empty());
}

#[allow(clippy::unwrap_used)]
fn failed_write_keeps_nothing(store: &dyn Store) {
    let r: Result<(), StoreError> = write(store, |tx| {
        tx.put(b"t4/a", b"1")?;
        Err(StoreError::Backend("the operation failed".into()))
    });
    assert!(r.is_err());
    assert_eq!(read(store, |tx| tx.get(b"t4/a")).unwrap(), None);
}

#[allow(clippy::unwrap_used)]
fn unsynced_writes_commit_like_writes(store: &dyn Store) {
    let g0 = store.generation();
    crate::write_unsynced(store, |tx| tx.put(b"t10/a", b"1")).unwrap();
    assert!(store.generation() > g0);
    let r: Result<(), StoreError> = crate::write_unsynced(store, |tx| {
        tx.put(b"t10/b", b"1")?;
        Err(StoreError::Backend("the operation failed".into()))
    });
    assert!(r.is_err());
    // A synced write after them still commits.
    write(store, |tx| tx.put(b"t10/c", b"1")).unwrap();
    let seen = read(store, |tx| {
        Ok::<_, StoreError>((tx.get(b"t10/a")?, tx.get(b"t10/b")?, tx.get(b"t10/c")?))
    })
    .unwrap();
    assert_eq!(seen, (Some(b"1".to_vec()), None, Some(b"1".to_vec())));
}

#[allow(clippy::unwrap_used)]
fn generation_moves_on_commit(store: &dyn Store) {
    let g0 = store.generation();
    write(store, |tx| tx.put(b"t5/a", b"1")).unwrap();
    assert!(store.generation() > g0);
}

#[allow(clippy::unwrap_used)]
fn scan_rev_is_newest_first(store: &dyn Store) {
    write(store, |tx| {
        for k in [&b"t8/1"[..], b"t8/2", b"t8/3", b"t9/0", b"t7"] {
            tx.put(k, b"v")?;
        }
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let keys = |before: Option<&[u8]>, limit| {
        read(store, |tx| tx.scan_rev(b"t8/", before, limit))
            .unwrap()
            .into_iter()
            .map(|(k, _)| String::from_utf8(k).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(None, 10), ["t8/3", "t8/2", "t8/1"]);
    assert_eq!(keys(Some(b"t8/3"), 1), ["t8/2"]);
    assert_eq!(keys(Some(b"t8/1"), 10), Vec::<String>::new());
    assert_eq!(keys(Some(b"zz"), 10), ["t8/3", "t8/2", "t8/1"]);
    // Inside a write transaction too (its own writes included).
    let in_write = write(store, |tx| {
        tx.put(b"t8/4", b"v")?;
        tx.scan_rev(b"t8/", None, 2)
    })
    .unwrap();
    assert_eq!(in_write.len(), 2);
    assert_eq!(in_write[0].0, b"t8/4".to_vec());
}
