//! The SQLite backend: one writer connection, a few reader connections, WAL and
//! `synchronous=FULL` so an acknowledged write survives a crash (the audit trail's asynchronous
//! batches excepted: `write_unsynced`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::feed::{Change, Feed, Listener, Touched};
use crate::{Pair, Store, StoreError, Tx};

/// Schema migrations, applied in order at open. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: the ordered key-value table every record lives in.
    "CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID;",
    // 2: the audit trail's events (keys under `audit/`) move to a table of their own, so the
    // records every request reads stay in a small, shallow B-tree however long the trail grows.
    "CREATE TABLE kv_log (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID;
     INSERT INTO kv_log SELECT k, v FROM kv WHERE k >= X'61756469742F' AND k < X'617564697430';
     DELETE FROM kv WHERE k >= X'61756469742F' AND k < X'617564697430';",
];

/// Keys kept in the log table (`kv_log`); every other key is in `kv`. Which table holds a key is
/// invisible above this file: scans that may cover both merge them.
const LOG_PREFIX: &[u8] = b"audit/";

/// The tables a key, or the keys under a prefix, may live in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Main,
    Log,
}

fn table_of(key: &[u8]) -> Table {
    if key.starts_with(LOG_PREFIX) {
        Table::Log
    } else {
        Table::Main
    }
}

fn tables_under(prefix: &[u8]) -> &'static [Table] {
    if prefix.starts_with(LOG_PREFIX) {
        &[Table::Log]
    } else if LOG_PREFIX.starts_with(prefix) {
        &[Table::Main, Table::Log]
    } else {
        &[Table::Main]
    }
}

/// The statement for `table`: the `kv` of `sql` names the table.
fn on(table: Table, sql: &'static str) -> std::borrow::Cow<'static, str> {
    match table {
        Table::Main => sql.into(),
        Table::Log => sql.replacen(" kv ", " kv_log ", 1).into(),
    }
}

/// Two key-ordered runs merged into one, cut to `limit` (descending when `rev`).
fn merge(a: Vec<Pair>, b: Vec<Pair>, limit: usize, rev: bool) -> Vec<Pair> {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity((a.len() + b.len()).min(limit));
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while out.len() < limit {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => (x.0 < y.0) != rev,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_a { a.next() } else { b.next() };
        out.extend(next);
    }
    out
}

const READERS: usize = 4;

pub struct SqliteStore {
    path: String,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    generation: AtomicU64,
    /// The writer connection was left at `synchronous = NORMAL` (restoring FULL failed); the
    /// next synced write sets it again.
    unsynced: AtomicBool,
    /// Commits by other processes (`iamd account create`, other servers) are noticed through
    /// SQLite's `data_version`, checked at most every [`EXTERNAL_CHECK`].
    external: Mutex<(std::time::Instant, i64)>,
    feed: Feed,
}

const EXTERNAL_CHECK: std::time::Duration = std::time::Duration::from_millis(250);

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Checkpoint the log every ~40 MB rather than every ~4 MB: audit events make the log grow
    // fast, and each checkpoint rewrites pages.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    // Pages read through a memory map, not a read() call each.
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// A transaction-control statement (`BEGIN`, `COMMIT`, …), prepared once per connection rather
/// than parsed on every request.
fn control(conn: &Connection, sql: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a SQLite connection inconsistent (SQLite
    // rolls back an open transaction on the next BEGIN), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn try_lock<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match m.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            r.busy_timeout(std::time::Duration::from_secs(5))?;
            r.pragma_update(None, "mmap_size", 268_435_456)?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStore {
            path: path.display().to_string(),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            generation: AtomicU64::new(1),
            unsynced: AtomicBool::new(false),
            external: Mutex::new((std::time::Instant::now(), 0)),
            feed: Feed::default(),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let n = self.readers.len();
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Some(r) = self.readers.get((start + i) % n)
                && let Ok(g) = r.try_lock()
            {
                return g;
            }
        }
        match self.readers.get(start % n) {
            Some(r) => lock(r),
            None => lock(&self.writer),
        }
    }

    /// One write transaction; `synced: false` commits without syncing the log. In WAL mode such
    /// a commit is made durable by the next synced one (which syncs the log up to and including
    /// it), so order is kept. The writer's lock is held until `synchronous` is back to FULL, so
    /// no other write can commit unsynced.
    fn write_with(
        &self,
        synced: bool,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        if !synced || self.unsynced.load(Ordering::Acquire) {
            let level = if synced {
                "PRAGMA synchronous = FULL"
            } else {
                "PRAGMA synchronous = NORMAL"
            };
            control(&conn, level)?;
            self.unsynced.store(!synced, Ordering::Release);
        }
        let r = transact(&conn, f);
        if !synced && control(&conn, "PRAGMA synchronous = FULL").is_ok() {
            self.unsynced.store(false, Ordering::Release);
        }
        drop(conn);
        let touched = r?;
        self.generation.fetch_add(1, Ordering::Release);
        if let Some(c) = Change::of_keys(touched) {
            self.feed.publish(&c);
        }
        Ok(())
    }
}

/// Runs `f` in a write transaction on `conn`; returns the keys it touched once committed.
fn transact(
    conn: &Connection,
    f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
) -> Result<Vec<Vec<u8>>, StoreError> {
    control(conn, "BEGIN IMMEDIATE")?;
    let mut tx = SqliteTx {
        conn,
        touched: Touched::default(),
    };
    match f(&mut tx) {
        Ok(()) => {
            if let Err(e) = control(conn, "COMMIT") {
                let _ = control(conn, "ROLLBACK");
                return Err(e.into());
            }
            Ok(std::mem::take(&mut tx.touched.0))
        }
        Err(e) => {
            control(conn, "ROLLBACK")?;
            Err(e)
        }
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS iamd_migrations (version INTEGER PRIMARY KEY NOT NULL);",
    )?;
    let current: i64 = conn
        .query_row("SELECT MAX(version) FROM iamd_migrations", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current {
            continue;
        }
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let applied = conn.execute_batch(sql).and_then(|_| {
            conn.execute(
                "INSERT INTO iamd_migrations (version) VALUES (?1)",
                [version],
            )
        });
        match applied {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
    }
    Ok(())
}

struct SqliteTx<'a> {
    conn: &'a Connection,
    /// Keys put or deleted (write transactions), for the change feed.
    touched: Touched,
}

/// The smallest key greater than every key starting with `prefix`, if there is one.
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

impl Tx for SqliteTx<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let mut st = self.conn.prepare_cached(match table_of(key) {
            Table::Main => "SELECT v FROM kv WHERE k = ?1",
            Table::Log => "SELECT v FROM kv_log WHERE k = ?1",
        })?;
        Ok(st.query_row([key], |r| r.get(0)).optional()?)
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(match table_of(key) {
            Table::Main => {
                "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
            }
            Table::Log => {
                "INSERT INTO kv_log (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
            }
        })?;
        st.execute(params![key, value])?;
        self.touched.note(key);
        Ok(())
    }

    fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        let mut st = self.conn.prepare_cached(match table_of(key) {
            Table::Main => "DELETE FROM kv WHERE k = ?1",
            Table::Log => "DELETE FROM kv_log WHERE k = ?1",
        })?;
        let existed = st.execute([key])? > 0;
        if existed {
            self.touched.note(key);
        }
        Ok(existed)
    }

    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        let lower_exclusive = after.filter(|a| *a >= prefix);
        let upper = prefix_end(prefix);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // Four shapes of the same range query, so each can use the primary key's index.
        let (sql, lower): (&str, &[u8]) = match (lower_exclusive, upper.is_some()) {
            (Some(a), true) => (
                "SELECT k, v FROM kv WHERE k > ?1 AND k < ?2 ORDER BY k LIMIT ?3",
                a,
            ),
            (Some(a), false) => (
                "SELECT k, v FROM kv WHERE k > ?1 AND ?2 IS NULL ORDER BY k LIMIT ?3",
                a,
            ),
            (None, true) => (
                "SELECT k, v FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k LIMIT ?3",
                prefix,
            ),
            (None, false) => (
                "SELECT k, v FROM kv WHERE k >= ?1 AND ?2 IS NULL ORDER BY k LIMIT ?3",
                prefix,
            ),
        };
        let mut out = Vec::new();
        for t in tables_under(prefix) {
            let mut st = self.conn.prepare_cached(&on(*t, sql))?;
            let rows =
                st.query_map(params![lower, upper, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let run = rows.collect::<Result<Vec<Pair>, _>>()?;
            out = merge(
                out,
                run,
                usize::try_from(limit).unwrap_or(usize::MAX),
                false,
            );
        }
        Ok(out)
    }

    fn scan_rev(
        &mut self,
        prefix: &[u8],
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        let end = prefix_end(prefix);
        let upper: Option<Vec<u8>> = match (before, end) {
            (Some(b), Some(e)) => Some(if b < e.as_slice() { b.to_vec() } else { e }),
            (Some(b), None) => Some(b.to_vec()),
            (None, e) => e,
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for t in tables_under(prefix) {
            let mut st = self.conn.prepare_cached(&on(
                *t,
                "SELECT k, v FROM kv WHERE k >= ?1 AND (?2 IS NULL OR k < ?2) ORDER BY k DESC LIMIT ?3",
            ))?;
            let rows = st.query_map(params![prefix, upper, limit], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            let run = rows.collect::<Result<Vec<Pair>, _>>()?;
            out = merge(out, run, usize::try_from(limit).unwrap_or(usize::MAX), true);
        }
        Ok(out)
    }
}

impl Store for SqliteStore {
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let conn = self.reader();
        control(&conn, "BEGIN")?;
        let r = f(&mut SqliteTx {
            conn: &conn,
            touched: Touched::default(),
        });
        // Nothing to keep from a read: end the snapshot either way.
        let end = control(&conn, "ROLLBACK");
        r?;
        end?;
        Ok(())
    }

    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write_with(true, f)
    }

    fn write_unsynced(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write_with(false, f)
    }

    fn generation(&self) -> u64 {
        if let Ok(mut ext) = self.external.try_lock()
            && ext.0.elapsed() >= EXTERNAL_CHECK
        {
            // Asked of the writer's connection, whose data_version moves only for commits made
            // through other connections, never for its own (the audit trail's batches). While
            // it is busy writing, a later call asks.
            if let Some(conn) = try_lock(&self.writer) {
                ext.0 = std::time::Instant::now();
                let v: i64 = conn
                    .query_row("PRAGMA data_version", [], |row| row.get(0))
                    .unwrap_or(ext.1);
                if v != ext.1 {
                    let first = ext.1 == 0;
                    ext.1 = v;
                    self.generation.fetch_add(1, Ordering::Release);
                    if !first {
                        // Another process committed: what it changed is not known here.
                        self.feed.publish(&Change::Unknown);
                    }
                }
            }
        }
        self.generation.load(Ordering::Acquire)
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path)
    }

    fn wipe(&self) -> Result<(), StoreError> {
        self.write(&mut |tx| {
            // Through the transaction interface, so the generation moves as for any write.
            let all = tx.scan(b"", None, usize::MAX)?;
            for (k, _) in all {
                tx.delete(&k)?;
            }
            Ok(())
        })?;
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
    use std::sync::Arc;

    #[test]
    fn sqlite_passes_the_store_suite() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        crate::suite::run_all(&store);
    }

    #[test]
    fn an_unsynced_write_commits_and_leaves_the_writer_synced() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let level = |s: &SqliteStore| -> i64 {
            lock(&s.writer)
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(level(&store), 2, "FULL");
        crate::write_unsynced(&store, |tx| tx.put(b"audit/1/01", b"e")).unwrap();
        assert_eq!(
            level(&store),
            2,
            "FULL again once the unsynced commit is done"
        );
        // A failed unsynced write keeps nothing and also leaves the writer synced.
        let r = crate::write_unsynced(&store, |tx| {
            tx.put(b"audit/1/02", b"e")?;
            Err::<(), _>(StoreError::Aborted)
        });
        assert!(r.is_err());
        assert_eq!(level(&store), 2);
        let seen = crate::read(&store, |tx| {
            Ok::<_, StoreError>((tx.get(b"audit/1/01")?, tx.get(b"audit/1/02")?))
        })
        .unwrap();
        assert_eq!(seen, (Some(b"e".to_vec()), None));
    }

    #[test]
    fn log_keys_live_apart_but_scans_see_one_ordered_map() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = SqliteStore::open(&path).unwrap();
        let keys: [&[u8]; 7] = [
            b"a",
            b"audit/1/01",
            b"audit/1/02",
            b"audit0",
            b"audita",
            b"auditb/x",
            b"b",
        ];
        crate::write(&store, |tx| {
            for k in keys {
                tx.put(k, k)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        let conn = Connection::open(&path).unwrap();
        let count = |t: &str| -> i64 {
            conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!((count("kv"), count("kv_log")), (5, 2));
        let names = |pairs: Vec<Pair>| -> Vec<String> {
            pairs
                .into_iter()
                .map(|(k, _)| String::from_utf8(k).unwrap())
                .collect()
        };
        let all: Vec<String> = keys
            .iter()
            .map(|k| String::from_utf8(k.to_vec()).unwrap())
            .collect();
        crate::read(&store, |tx| {
            assert_eq!(names(tx.scan(b"", None, 100)?), all);
            assert_eq!(names(tx.scan(b"au", None, 3)?), all[1..4]);
            assert_eq!(names(tx.scan(b"au", Some(b"audit/1/01"), 2)?), all[2..4]);
            assert_eq!(names(tx.scan(b"audit/", None, 100)?), all[1..3]);
            let mut rev = all.clone();
            rev.reverse();
            assert_eq!(names(tx.scan_rev(b"", None, 100)?), rev);
            assert_eq!(
                names(tx.scan_rev(b"", Some(b"audit0"), 2)?),
                ["audit/1/02", "audit/1/01"]
            );
            assert_eq!(tx.get(b"audit/1/02")?.as_deref(), Some(&b"audit/1/02"[..]));
            assert!(
                tx.delete(b"audit/1/01").is_err(),
                "a read transaction cannot delete"
            );
            Ok::<_, StoreError>(())
        })
        .unwrap();
        crate::write(&store, |tx| {
            assert!(tx.delete(b"audit/1/01")?);
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(count("kv_log"), 1);
    }

    #[test]
    fn an_older_database_has_its_log_keys_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE iamd_migrations (version INTEGER PRIMARY KEY NOT NULL);
                 INSERT INTO iamd_migrations VALUES (1);",
            )
            .unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            for k in [&b"audit/1/1"[..], b"audithead/1", b"user/1"] {
                conn.execute("INSERT INTO kv VALUES (?1, ?1)", [k]).unwrap();
            }
        }
        let store = SqliteStore::open(&path).unwrap();
        crate::read(&store, |tx| {
            assert_eq!(tx.scan(b"", None, 10)?.len(), 3);
            assert!(tx.get(b"audit/1/1")?.is_some());
            Ok::<_, StoreError>(())
        })
        .unwrap();
        let conn = Connection::open(&path).unwrap();
        let log: i64 = conn
            .query_row("SELECT COUNT(*) FROM kv_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(log, 1);
    }

    #[test]
    fn data_survives_reopen_and_migrations_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let s = SqliteStore::open(&path).unwrap();
            crate::write(&s, |tx| tx.put(b"k", b"v")).unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        let v = crate::read(&s, |tx| tx.get(b"k")).unwrap();
        assert_eq!(v.as_deref(), Some(&b"v"[..]));
    }

    #[test]
    fn another_connections_commit_moves_the_generation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let a = SqliteStore::open(&path).unwrap();
        let b = SqliteStore::open(&path).unwrap();
        let _ = a.generation();
        std::thread::sleep(EXTERNAL_CHECK);
        let g0 = a.generation();
        crate::write(&b, |tx| tx.put(b"x", b"1")).unwrap();
        std::thread::sleep(EXTERNAL_CHECK);
        assert!(
            a.generation() > g0,
            "a commit through another connection is noticed"
        );
    }

    #[test]
    fn own_commits_are_not_taken_for_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let unknown = Arc::new(AtomicUsize::new(0));
        let seen = unknown.clone();
        s.subscribe(Arc::new(move |c: &Change| {
            if matches!(c, Change::Unknown) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        }));
        let _ = s.generation();
        std::thread::sleep(EXTERNAL_CHECK);
        let _ = s.generation();
        crate::write(&s, |tx| tx.put(b"k", b"1")).unwrap();
        crate::write_unsynced(&s, |tx| tx.put(b"k", b"2")).unwrap();
        let g = s.generation();
        std::thread::sleep(EXTERNAL_CHECK);
        assert_eq!(s.generation(), g, "no commit by another connection");
        assert_eq!(unknown.load(Ordering::SeqCst), 0, "own commits are known");
    }

    #[test]
    fn prefix_end_handles_ff() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[0x61, 0xFF]), Some(vec![0x62]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
