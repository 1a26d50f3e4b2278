//! The PostgreSQL backend, for several stateless servers over one database.
//!
//! - Every record lives in one table `kv (k bytea PRIMARY KEY, v bytea)`; bytea compares byte by
//!   byte, so range scans give the same order as SQLite and memory.
//! - Write transactions run at SERIALIZABLE and are re-run on a serialization failure or a
//!   deadlock (SQLSTATE 40001, 40P01): the IAM code's checks (name taken? quota reached?) read
//!   keys inside the transaction, and SERIALIZABLE makes those reads hold at commit.
//! - The change feed crosses servers with LISTEN/NOTIFY: each commit sends the keys it touched
//!   (`pg_notify` is transactional: delivered only if the commit happens), and every server
//!   listens on a dedicated connection and feeds its own listeners. While that connection is
//!   down, a poll of a sequence bumped by each write stands in, and a reconnect publishes
//!   [`Change::Unknown`], since what was missed is not known.
//!
//! The driver is tokio-postgres on a small runtime owned by the store; callers are synchronous
//! (the engine calls the store from blocking threads) and wait on a future with a thread park,
//! so a call works from any thread, inside a tokio runtime or not.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Statement};

mod feed;

use crate::feed::{Change, Feed, Listener, Touched};
use crate::{Pair, Store, StoreError, Tx};
use feed::{listen_loop, payload, poll_loop};

/// Schema migrations, applied in order. Append only.
pub const MIGRATIONS: &[&str] = &[
    // 1: the ordered key-value table, and the sequence every write moves (the feed's fallback).
    "CREATE TABLE kv (k bytea PRIMARY KEY, v bytea NOT NULL);
     CREATE SEQUENCE iamd_change_seq;",
];

/// The NOTIFY channel of the change feed.
const CHANNEL: &str = "iamd_changes";
/// PostgreSQL refuses payloads of 8000 bytes or more; larger changes go out as "unknown".
const MAX_PAYLOAD: usize = 7900;
/// Attempts of a write transaction that keeps meeting serialization failures.
const MAX_ATTEMPTS: u32 = 40;
/// How often the fallback polls the change sequence while the LISTEN connection is down.
const POLL: Duration = Duration::from_millis(200);
/// Every write transaction holds this advisory lock in shared mode (writers do not wait for
/// each other). A transaction that lost to another (a serialization failure) is re-run holding,
/// besides, exclusive advisory locks on the keys it wrote ([`KEY_LOCKS`]): writers of the same
/// hot record (one account's audit chain head, one user) then queue instead of failing over and
/// over, and writers of other records do not wait. One that still loses [`KEYED_TRIES`] times
/// takes this lock in exclusive mode: it runs with no other writer, so it cannot lose again,
/// and no transaction starves.
const WRITERS_LOCK: i64 = 0x6961_6d64_7772_6974; // "iamdwrit"
/// The first half of the two-part advisory lock keys of records (`pg_advisory_lock(int4, int4)`
/// keys are a space apart from the single-bigint ones above).
const KEY_LOCKS: i32 = 0x6961_6d64; // "iamd"
/// Re-runs under key locks before running alone.
const KEYED_TRIES: u32 = 6;
/// At most this many key locks per transaction (the keys it wrote, hashed).
const MAX_KEY_LOCKS: usize = 32;
/// Held during migrations, so servers starting together apply each migration once.
const MIGRATION_LOCK: i64 = 0x6961_6d64_6d69_6772; // "iamdmigr"

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing guarded here is left half-updated by a panic.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn is_conflict(e: &tokio_postgres::Error) -> bool {
    matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED)
}

fn pg_error(e: &tokio_postgres::Error) -> StoreError {
    if is_conflict(e) {
        return StoreError::Conflict;
    }
    match e.as_db_error() {
        Some(db) => {
            StoreError::Backend(format!("postgres: {} ({})", db.message(), db.code().code()))
        }
        None => StoreError::Backend(format!("postgres: {e}")),
    }
}

/// Wakes a parked thread.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `f` to completion on this thread. The connection's I/O runs on the store's runtime;
/// a client's future only exchanges messages with it, so parking here is enough.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// The statements every connection prepares once.
struct Stmts {
    get: Statement,
    put: Statement,
    delete: Statement,
    scan: Statement,
    scan_open: Statement,
    scan_rev: Statement,
    scan_rev_open: Statement,
    notify: Statement,
    lock_shared: Statement,
    unlock_shared: Statement,
    lock: Statement,
    unlock: Statement,
    lock_keys: Statement,
    unlock_keys: Statement,
}

struct Conn {
    client: Client,
    stmts: Stmts,
}

struct Inner {
    config: tokio_postgres::Config,
    describe: String,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
    idle: Mutex<Vec<Conn>>,
    freed: Condvar,
    open: AtomicUsize,
    max_conns: usize,
    generation: AtomicU64,
    feed: Feed,
    /// Identifies this store's own notifications, which it has already published locally.
    node: u64,
    /// Whether the LISTEN connection is up (otherwise the poll stands in).
    listening: AtomicBool,
    /// The last value of the change sequence the poll saw.
    polled: AtomicU64,
    conflicts: AtomicU64,
}

/// A store over a PostgreSQL database, shared by any number of servers.
pub struct PostgresStore {
    inner: Arc<Inner>,
}

/// What a pooled connection is while a caller holds it.
struct Pooled<'a> {
    inner: &'a Inner,
    conn: Option<Conn>,
    broken: AtomicBool,
}

impl Pooled<'_> {
    fn conn(&self) -> Result<&Conn, StoreError> {
        self.conn.as_ref().ok_or_else(|| backend("no connection"))
    }
}

impl Pooled<'_> {
    /// Closes the connection instead of returning it to the pool (its state is unknown).
    fn discard(&self) {
        self.broken.store(true, Ordering::Release);
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if c.client.is_closed() || self.broken.load(Ordering::Acquire) {
                self.inner.open.fetch_sub(1, Ordering::AcqRel);
            } else {
                lock(&self.inner.idle).push(c);
            }
            self.inner.freed.notify_one();
        }
    }
}

/// `postgres://user@host:port/db`, without the password, for logs.
fn describe(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

impl Inner {
    /// Opens a connection; its I/O task runs on the store's runtime.
    fn connect(&self) -> Result<Client, StoreError> {
        let config = self.config.clone();
        let task = self.handle.spawn(async move {
            let (client, connection) = config.connect(NoTls).await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!(error = %e, "postgres connection failed");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        });
        match block_on(task) {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(pg_error(&e)),
            Err(e) => Err(backend(e)),
        }
    }

    fn new_conn(&self) -> Result<Conn, StoreError> {
        let client = self.connect()?;
        let stmts = block_on(async {
            Ok::<_, tokio_postgres::Error>(Stmts {
                get: client.prepare("SELECT v FROM kv WHERE k = $1").await?,
                put: client
                    .prepare(
                        "INSERT INTO kv (k, v) VALUES ($1, $2) \
                         ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
                    )
                    .await?,
                delete: client.prepare("DELETE FROM kv WHERE k = $1").await?,
                scan: client
                    .prepare("SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3")
                    .await?,
                scan_open: client
                    .prepare("SELECT k, v FROM kv WHERE k >= $1 ORDER BY k LIMIT $2")
                    .await?,
                scan_rev: client
                    .prepare(
                        "SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k DESC LIMIT $3",
                    )
                    .await?,
                scan_rev_open: client
                    .prepare("SELECT k, v FROM kv WHERE k >= $1 ORDER BY k DESC LIMIT $2")
                    .await?,
                notify: client
                    .prepare("SELECT pg_notify($1, $2), nextval('iamd_change_seq')")
                    .await?,
                lock_shared: client.prepare("SELECT pg_advisory_lock_shared($1)").await?,
                unlock_shared: client
                    .prepare("SELECT pg_advisory_unlock_shared($1)")
                    .await?,
                lock: client.prepare("SELECT pg_advisory_lock($1)").await?,
                unlock: client.prepare("SELECT pg_advisory_unlock($1)").await?,
                // count() makes every row's lock be taken, in the array's (sorted) order.
                lock_keys: client
                    .prepare("SELECT count(pg_advisory_lock($1, k)) FROM unnest($2::int4[]) AS k")
                    .await?,
                unlock_keys: client
                    .prepare("SELECT count(pg_advisory_unlock($1, k)) FROM unnest($2::int4[]) AS k")
                    .await?,
            })
        })
        .map_err(|e| pg_error(&e))?;
        Ok(Conn { client, stmts })
    }

    /// A connection from the pool, opening one when none is idle and the pool is not full.
    fn pooled(&self) -> Result<Pooled<'_>, StoreError> {
        let mut idle = lock(&self.idle);
        loop {
            while let Some(c) = idle.pop() {
                if c.client.is_closed() {
                    self.open.fetch_sub(1, Ordering::AcqRel);
                    continue;
                }
                return Ok(Pooled {
                    inner: self,
                    conn: Some(c),
                    broken: AtomicBool::new(false),
                });
            }
            if self.open.load(Ordering::Acquire) < self.max_conns {
                self.open.fetch_add(1, Ordering::AcqRel);
                drop(idle);
                return match self.new_conn() {
                    Ok(c) => Ok(Pooled {
                        inner: self,
                        conn: Some(c),
                        broken: AtomicBool::new(false),
                    }),
                    Err(e) => {
                        self.open.fetch_sub(1, Ordering::AcqRel);
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let (g, timeout) = self
                .freed
                .wait_timeout(idle, Duration::from_secs(30))
                .unwrap_or_else(|p| p.into_inner());
            idle = g;
            if timeout.timed_out() && idle.is_empty() {
                return Err(backend("no free PostgreSQL connection within 30 s"));
            }
        }
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:pass@host:port/db`), applies pending migrations and
    /// starts following the change feed.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let store = Self::connect(url)?;
        store.migrate()?;
        Ok(store)
    }

    /// Connects without touching the schema (see [`PostgresStore::migrate`]).
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| backend(format!("bad PostgreSQL URL: {e}")))?;
        if config.get_application_name().is_none() {
            config.application_name("iamd");
        }
        config
            .connect_timeout(Duration::from_secs(10))
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .keepalives_interval(Duration::from_secs(2))
            .keepalives_retries(3);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("iamd-postgres")
            .enable_all()
            .build()
            .map_err(backend)?;
        let max_conns = std::env::var("IAMD_POSTGRES_POOL")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(16);
        let inner = Arc::new(Inner {
            describe: describe(&config),
            config,
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            idle: Mutex::new(Vec::new()),
            freed: Condvar::new(),
            open: AtomicUsize::new(0),
            max_conns,
            generation: AtomicU64::new(1),
            feed: Feed::default(),
            node: random_u64(),
            listening: AtomicBool::new(false),
            polled: AtomicU64::new(0),
            conflicts: AtomicU64::new(0),
        });
        // One connection now, so a wrong URL fails here rather than at the first request.
        drop(inner.connect()?);
        inner.handle.spawn(listen_loop(Arc::downgrade(&inner)));
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name("iamd-postgres-poll".into())
            .spawn(move || poll_loop(weak))
            .map_err(backend)?;
        Ok(PostgresStore { inner })
    }

    /// The schema version of the database (0 before the first migration).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        // Not a pooled connection: those prepare statements on tables a migration creates.
        let client = self.inner.connect()?;
        block_on(async {
            let exists = client
                .query_one("SELECT to_regclass('iamd_migrations') IS NOT NULL", &[])
                .await?
                .get::<_, bool>(0);
            if !exists {
                return Ok(0);
            }
            let row = client
                .query_one(
                    "SELECT COALESCE(MAX(version), 0)::int8 FROM iamd_migrations",
                    &[],
                )
                .await?;
            Ok(row.get::<_, i64>(0))
        })
        .map_err(|e| pg_error(&e))
    }

    /// The schema version this build expects.
    pub fn latest_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Applies pending migrations; returns the versions applied. Servers running it at once
    /// take turns (an advisory lock), so each migration runs once.
    pub fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let client = self.inner.connect()?;
        let c = &client;
        let applied = block_on(async {
            c.batch_execute("BEGIN").await?;
            let r = async {
                // Everything under the lock, the table's creation included: servers starting
                // together take turns.
                c.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                    .await?;
                let exists: bool = c
                    .query_one("SELECT to_regclass('iamd_migrations') IS NOT NULL", &[])
                    .await?
                    .get(0);
                if !exists {
                    c.batch_execute(
                        "CREATE TABLE iamd_migrations \
                         (version int8 PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    )
                    .await?;
                }
                let current: i64 = c
                    .query_one(
                        "SELECT COALESCE(MAX(version), 0)::int8 FROM iamd_migrations",
                        &[],
                    )
                    .await?
                    .get(0);
                let mut applied = Vec::new();
                for (i, sql) in MIGRATIONS.iter().enumerate() {
                    let version = i as i64 + 1;
                    if version <= current {
                        continue;
                    }
                    c.batch_execute(sql).await?;
                    c.execute(
                        "INSERT INTO iamd_migrations (version) VALUES ($1)",
                        &[&version],
                    )
                    .await?;
                    applied.push(version);
                }
                Ok::<_, tokio_postgres::Error>(applied)
            }
            .await;
            match r {
                Ok(v) => {
                    c.batch_execute("COMMIT").await?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = c.batch_execute("ROLLBACK").await;
                    Err(e)
                }
            }
        })
        .map_err(|e| pg_error(&e))?;
        Ok(applied)
    }

    /// Write transactions re-run after a serialization failure, since start.
    pub fn conflicts(&self) -> u64 {
        self.inner.conflicts.load(Ordering::Relaxed)
    }

    /// Whether the LISTEN connection is up (otherwise changes are found by polling).
    pub fn listening(&self) -> bool {
        self.inner.listening.load(Ordering::Acquire)
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        lock(&self.inner.idle).clear();
        if let Some(rt) = lock(&self.inner.runtime).take() {
            // Allowed from any context, unlike dropping a runtime.
            rt.shutdown_background();
        }
    }
}

struct PgTx<'a> {
    conn: &'a Conn,
    touched: Touched,
    /// A statement failed with a serialization failure: the whole transaction is re-run.
    conflict: bool,
    /// A read transaction's BEGIN, not sent yet: it goes out with the first statement, in the
    /// same round trip (and not at all when the body reads nothing).
    begin: Option<&'static str>,
    /// Keys a write or delete was sent for (succeeded or not): a re-run locks them first.
    attempted: Vec<Vec<u8>>,
}

impl PgTx<'_> {
    /// Runs one statement's future (after the pending BEGIN, pipelined with it).
    fn run<T>(
        &mut self,
        statement: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, StoreError> {
        let r = match self.begin.take() {
            Some(begin) => {
                let (begun, r) = block_on(both(self.conn.client.batch_execute(begin), statement));
                begun.and(r)
            }
            None => block_on(statement),
        };
        self.check(r)
    }

    fn check<T>(&mut self, r: Result<T, tokio_postgres::Error>) -> Result<T, StoreError> {
        r.map_err(|e| {
            if is_conflict(&e) {
                self.conflict = true;
            }
            pg_error(&e)
        })
    }
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn rows_to_pairs(rows: Vec<tokio_postgres::Row>) -> Result<Vec<Pair>, StoreError> {
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get::<_, Vec<u8>>(0).map_err(|e| pg_error(&e))?,
                r.try_get::<_, Vec<u8>>(1).map_err(|e| pg_error(&e))?,
            ))
        })
        .collect()
}

impl Tx for PgTx<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let c = self.conn;
        let row = self.run(c.client.query_opt(&c.stmts.get, &[&key]))?;
        match row {
            Some(r) => Ok(Some(r.try_get::<_, Vec<u8>>(0).map_err(|e| pg_error(&e))?)),
            None => Ok(None),
        }
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let c = self.conn;
        self.attempted.push(key.to_vec());
        self.run(c.client.execute(&c.stmts.put, &[&key, &value]))?;
        self.touched.note(key);
        Ok(())
    }

    fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        let c = self.conn;
        self.attempted.push(key.to_vec());
        let existed = self.run(c.client.execute(&c.stmts.delete, &[&key]))? > 0;
        if existed {
            self.touched.note(key);
        }
        Ok(existed)
    }

    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        n: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        // The smallest key after `after` is `after` + 0x00: an inclusive lower bound.
        let lower: Vec<u8> = match after.filter(|a| *a >= prefix) {
            Some(a) => {
                let mut l = a.to_vec();
                l.push(0);
                l
            }
            None => prefix.to_vec(),
        };
        let c = self.conn;
        let rows = match crate::sqlite::prefix_end(prefix) {
            Some(upper) => self.run(c.client.query(&c.stmts.scan, &[&lower, &upper, &limit(n)]))?,
            None => self.run(c.client.query(&c.stmts.scan_open, &[&lower, &limit(n)]))?,
        };
        rows_to_pairs(rows)
    }

    fn scan_rev(
        &mut self,
        prefix: &[u8],
        before: Option<&[u8]>,
        n: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        let end = crate::sqlite::prefix_end(prefix);
        let upper: Option<Vec<u8>> = match (before, end) {
            (Some(b), Some(e)) => Some(if b < e.as_slice() { b.to_vec() } else { e }),
            (Some(b), None) => Some(b.to_vec()),
            (None, e) => e,
        };
        let c = self.conn;
        let rows = match upper {
            Some(u) => self.run(c.client.query(&c.stmts.scan_rev, &[&prefix, &u, &limit(n)]))?,
            None => self.run(
                c.client
                    .query(&c.stmts.scan_rev_open, &[&prefix, &limit(n)]),
            )?,
        };
        rows_to_pairs(rows)
    }
}

/// How one attempt of a write ended.
enum Attempt {
    Done(Vec<Vec<u8>>),
    /// Lost to another transaction; the keys it tried to write.
    Retry(Vec<Vec<u8>>),
    Failed(StoreError),
}

/// How an attempt waits for other writers (see [`WRITERS_LOCK`]).
enum Turn {
    Shared,
    /// Shared, and these key locks (sorted).
    Keys(Vec<i32>),
    Alone,
}

/// A stable 32-bit hash of a key (FNV-1a): every server maps a key to the same lock.
fn key_lock(key: &[u8]) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in key {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(h.to_ne_bytes())
}

/// The key locks of a re-run: the keys the last attempt wrote, hashed, sorted (every server
/// takes locks in the same order, so two re-runs cannot deadlock).
fn key_locks(keys: &[Vec<u8>]) -> Vec<i32> {
    let mut locks: Vec<i32> = keys.iter().map(|k| key_lock(k)).collect();
    locks.sort_unstable();
    locks.dedup();
    locks.truncate(MAX_KEY_LOCKS);
    locks
}

impl PostgresStore {
    /// [`Store::write`], retried on serialization conflicts; `synced: false` commits without
    /// waiting for the log's flush (`write_unsynced`).
    fn write_with(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
        synced: bool,
    ) -> Result<(), StoreError> {
        let mut attempt = 0u32;
        let mut turn = Turn::Shared;
        loop {
            attempt += 1;
            match self.attempt(f, &turn, synced) {
                Attempt::Done(touched) => {
                    match Change::of_keys(touched) {
                        Some(c) => self.inner.changed(&c),
                        None => {
                            self.inner.generation.fetch_add(1, Ordering::AcqRel);
                        }
                    }
                    return Ok(());
                }
                Attempt::Retry(keys) if attempt < MAX_ATTEMPTS => {
                    self.inner.conflicts.fetch_add(1, Ordering::Relaxed);
                    // The next attempt waits for its turn: no back-off needed.
                    turn = if attempt <= KEYED_TRIES && !keys.is_empty() {
                        Turn::Keys(key_locks(&keys))
                    } else {
                        Turn::Alone
                    };
                }
                Attempt::Retry(_) => return Err(StoreError::Conflict),
                Attempt::Failed(e) => return Err(e),
            }
        }
    }

    /// One run of a write transaction, waiting for its `turn` first.
    fn attempt(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
        turn: &Turn,
        synced: bool,
    ) -> Attempt {
        let p = match self.inner.pooled() {
            Ok(p) => p,
            Err(e) => return Attempt::Failed(e),
        };
        let Ok(c) = p.conn() else {
            return Attempt::Failed(backend("no connection"));
        };
        let (lock, unlock) = match turn {
            Turn::Alone => (&c.stmts.lock, &c.stmts.unlock),
            _ => (&c.stmts.lock_shared, &c.stmts.unlock_shared),
        };
        let keys: &[i32] = match turn {
            Turn::Keys(k) => k,
            _ => &[],
        };
        let lock_keys = async {
            if keys.is_empty() {
                return Ok(0);
            }
            c.client
                .execute(&c.stmts.lock_keys, &[&KEY_LOCKS, &keys])
                .await
        };
        let unlock_keys = async {
            if keys.is_empty() {
                return Ok(0);
            }
            c.client
                .execute(&c.stmts.unlock_keys, &[&KEY_LOCKS, &keys])
                .await
        };
        // The locks are taken outside the transaction, so its snapshot is taken after the
        // wait. All go out together: one round trip.
        let (locked, (keyed, begun)) = block_on(both(
            c.client.execute(lock, &[&WRITERS_LOCK]),
            both(
                lock_keys,
                c.client.batch_execute(if synced {
                    "BEGIN ISOLATION LEVEL SERIALIZABLE"
                } else {
                    // Commits without waiting for the log's flush; a later synced commit
                    // flushes past it, so order is kept.
                    "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL synchronous_commit TO OFF"
                }),
            ),
        ));
        if let Err(e) = locked.and(keyed).and(begun) {
            p.discard();
            return Attempt::Failed(pg_error(&e));
        }
        let mut tx = PgTx {
            conn: c,
            touched: Touched::default(),
            conflict: false,
            begin: None,
            attempted: Vec::new(),
        };
        let r = f(&mut tx);
        if let Err(e) = r {
            let (rolled, (unlocked, unkeyed)) = block_on(both(
                c.client.batch_execute("ROLLBACK"),
                both(c.client.execute(unlock, &[&WRITERS_LOCK]), unlock_keys),
            ));
            if rolled.is_err() || unlocked.is_err() || unkeyed.is_err() {
                p.discard();
            }
            return if tx.conflict {
                Attempt::Retry(tx.attempted)
            } else {
                Attempt::Failed(e)
            };
        }
        let touched = std::mem::take(&mut tx.touched.0);
        let mut keys = touched.clone();
        keys.sort_unstable();
        keys.dedup();
        let body = payload(self.inner.node, &keys);
        // Notify, commit and unlock in one round trip. Statements run in order: when the
        // notification fails, the transaction is aborted and COMMIT only rolls it back.
        let notify = async {
            if keys.is_empty() {
                Ok(None)
            } else {
                c.client
                    .query_one(&c.stmts.notify, &[&CHANNEL, &body])
                    .await
                    .map(Some)
            }
        };
        let (notified, (committed, (unlocked, unkeyed))) = block_on(both(
            notify,
            both(
                c.client.batch_execute("COMMIT"),
                both(c.client.execute(unlock, &[&WRITERS_LOCK]), unlock_keys),
            ),
        ));
        if unlocked.is_err() || unkeyed.is_err() {
            p.discard();
        }
        match (notified, committed) {
            (Ok(_), Ok(())) => Attempt::Done(touched),
            (Err(e), _) | (Ok(_), Err(e)) if is_conflict(&e) => Attempt::Retry(tx.attempted),
            (Err(e), _) => Attempt::Failed(pg_error(&e)),
            // The connection broke during COMMIT: whether it committed is unknown, so the
            // transaction is not re-run (it could apply twice).
            (Ok(_), Err(e)) => Attempt::Failed(pg_error(&e)),
        }
    }
}

/// Polls two futures together (so their requests share a round trip), in order.
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let mut ra: Option<A::Output> = None;
    let mut rb: Option<B::Output> = None;
    std::future::poll_fn(move |cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                ra = x;
                rb = y;
                Poll::Pending
            }
        }
    })
    .await
}

impl Store for PostgresStore {
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let p = self.inner.pooled()?;
        let c = p.conn()?;
        let mut tx = PgTx {
            conn: c,
            touched: Touched::default(),
            conflict: false,
            begin: Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
            attempted: Vec::new(),
        };
        let r = f(&mut tx);
        if tx.begin.is_some() {
            return r; // Nothing was sent.
        }
        let end = block_on(c.client.batch_execute("ROLLBACK")).map_err(|e| pg_error(&e));
        if end.is_err() {
            p.discard();
        }
        r?;
        end
    }

    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write_with(f, true)
    }

    fn write_unsynced(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.write_with(f, false)
    }

    fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    fn describe(&self) -> String {
        self.inner.describe.clone()
    }

    fn wipe(&self) -> Result<(), StoreError> {
        let p = self.inner.pooled()?;
        let c = p.conn()?;
        let body = format!("{:016x} 0 *", self.inner.node);
        block_on(async {
            c.client.batch_execute("BEGIN").await?;
            c.client.batch_execute("DELETE FROM kv").await?;
            c.client
                .query_one(&c.stmts.notify, &[&CHANNEL, &body])
                .await?;
            c.client.batch_execute("COMMIT").await
        })
        .map_err(|e| {
            let _ = block_on(c.client.batch_execute("ROLLBACK"));
            pg_error(&e)
        })?;
        self.inner.changed(&Change::Unknown);
        Ok(())
    }

    fn subscribe(&self, listener: Listener) {
        self.inner.feed.subscribe(listener);
    }

    fn health(&self) -> Result<(), StoreError> {
        let v = self.schema_version()?;
        let want = Self::latest_version();
        if v == want {
            Ok(())
        } else {
            Err(backend(format!(
                "schema version {v}, this build expects {want}: run `iamd migrate`"
            )))
        }
    }
}

/// A new, empty database next to the one `url` names, for tests; returns its URL.
pub fn fresh_database(url: &str) -> Result<String, StoreError> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let Some((server, _db)) = base.rsplit_once('/') else {
        return Err(backend("a PostgreSQL URL ends in /DATABASE"));
    };
    let name = format!("iamd_t_{:016x}", random_u64());
    let config: tokio_postgres::Config = url.parse().map_err(backend)?;
    let sql = format!("CREATE DATABASE {name}");
    // On a thread of its own, so this works inside or outside a tokio runtime.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(backend)?;
        rt.block_on(async {
            let (client, connection) = config.connect(NoTls).await?;
            tokio::spawn(connection);
            client.batch_execute(&sql).await
        })
        .map_err(|e| pg_error(&e))
    })
    .join()
    .map_err(|_| backend("thread failed"))??;
    Ok(match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    })
}

#[cfg(test)]
mod tests;
