//! A store with one account and its root, for operation-level tests beside the code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use iamd_store::{MemoryStore, Pair, StoreError, Tx};
use iamd_wire::{Params, Value};
use time::OffsetDateTime;

use crate::secrets::MasterKey;
use crate::{Ctx, IamError, Limits, Principal, accounts};

pub const ACCOUNT: &str = "123456789012";

/// An operation's function.
pub type Op = fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>;

pub struct World {
    store: MemoryStore,
    master: MasterKey,
    ring: iamd_token::KeyRing,
    limits: Limits,
    root: Principal,
    now: OffsetDateTime,
}

impl World {
    pub fn new() -> World {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        iamd_store::write(&store, |tx| accounts::create(tx, ACCOUNT, now)).unwrap();
        World {
            store,
            master: MasterKey::generate().unwrap().0,
            ring: iamd_token::KeyRing::generate(now.unix_timestamp()).unwrap(),
            limits: Limits::default(),
            root: Principal::root(ACCOUNT, None),
            now,
        }
    }

    /// Runs one operation as the account's root, in its own write transaction (rolled back on
    /// error, as the engine does).
    pub fn call(
        &self,
        op: fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>,
        pairs: &[(&str, &str)],
    ) -> Result<Value, IamError> {
        self.call_with(op, &params(pairs))
    }

    pub fn call_with(
        &self,
        op: fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>,
        p: &Params,
    ) -> Result<Value, IamError> {
        let ctx = Ctx {
            caller: &self.root,
            account: ACCOUNT,
            now: self.now,
            limits: &self.limits,
            master: &self.master,
            ring: &self.ring,
        };
        iamd_store::write(&self.store, |tx| op(tx, &ctx, p))
    }

    /// Runs one operation and counts the store scans it makes.
    pub fn call_counting_scans(
        &self,
        op: fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>,
        p: &Params,
    ) -> (Result<Value, IamError>, usize) {
        let mut scans = 0;
        let ctx = Ctx {
            caller: &self.root,
            account: ACCOUNT,
            now: self.now,
            limits: &self.limits,
            master: &self.master,
            ring: &self.ring,
        };
        let r = iamd_store::write(&self.store, |tx| {
            let mut counting = CountScans {
                inner: tx,
                scans: &mut scans,
            };
            op(&mut counting, &ctx, p)
        });
        (r, scans)
    }

    /// As [`World::call`], for set-up steps that must succeed.
    pub fn ok(
        &self,
        op: fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>,
        pairs: &[(&str, &str)],
    ) -> Value {
        self.call(op, pairs)
            .unwrap_or_else(|e| panic!("set-up {pairs:?}: {e:?}"))
    }
}

pub fn params(pairs: &[(&str, &str)]) -> Params {
    Params(
        pairs
            .iter()
            .fold(Value::object(), |v, (k, s)| v.with(k, *s)),
    )
}

/// A transaction that counts its scans.
struct CountScans<'a> {
    inner: &'a mut dyn Tx,
    scans: &'a mut usize,
}

impl Tx for CountScans<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
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
        *self.scans += 1;
        self.inner.scan(prefix, after, limit)
    }
}
