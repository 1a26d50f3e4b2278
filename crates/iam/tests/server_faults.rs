//! A store failure or a corrupt record is the server's fault (a 500), never a client error or a
//! silently smaller answer: each case here was once turned into a denial, a not-found, an
//! invalid input, or dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use iamd_iam::records::{self, AccessKey};
use iamd_iam::secrets::MasterKey;
use iamd_iam::{
    Ctx, IamError, Limits, Principal, accounts, authz, credentials, keys, mfa, passwords, policies,
    users,
};
use iamd_store::{MemoryStore, Pair, StoreError, Tx};
use iamd_token::KeyRing;
use iamd_wire::{Params, Value};
use time::OffsetDateTime;

const ACCOUNT: &str = "123456789012";
const POLICY_ARN: &str = "arn:aws:iam::123456789012:policy/p";
const POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

/// A transaction whose reads and writes of keys under `prefix` fail, as a backend would.
struct FailOn<'a> {
    inner: &'a mut dyn Tx,
    prefix: &'static str,
}

impl FailOn<'_> {
    fn check(&self, key: &[u8]) -> Result<(), StoreError> {
        if key.starts_with(self.prefix.as_bytes()) {
            return Err(StoreError::Backend("injected failure".into()));
        }
        Ok(())
    }
}

impl Tx for FailOn<'_> {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.check(key)?;
        self.inner.get(key)
    }
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.check(key)?;
        self.inner.put(key, value)
    }
    fn delete(&mut self, key: &[u8]) -> Result<bool, StoreError> {
        self.check(key)?;
        self.inner.delete(key)
    }
    fn scan(
        &mut self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Pair>, StoreError> {
        self.check(prefix)?;
        self.inner.scan(prefix, after, limit)
    }
}

struct World {
    store: MemoryStore,
    master: MasterKey,
    ring: KeyRing,
    limits: Limits,
    root: Principal,
    now: OffsetDateTime,
}

impl World {
    fn new() -> World {
        let store = MemoryStore::new();
        let now = OffsetDateTime::now_utc();
        iamd_store::write(&store, |tx| accounts::create(tx, ACCOUNT, now)).unwrap();
        World {
            store,
            master: MasterKey::generate().unwrap().0,
            ring: KeyRing::generate(now.unix_timestamp()).unwrap(),
            limits: Limits::default(),
            root: Principal::root(ACCOUNT, None),
            now,
        }
    }

    /// Runs `f` as the root user in a write transaction whose keys under `fail` fail.
    fn run<T>(
        &self,
        fail: &'static str,
        f: impl Fn(&mut dyn Tx, &Ctx) -> Result<T, IamError>,
    ) -> Result<T, IamError> {
        let ctx = Ctx {
            caller: &self.root,
            account: ACCOUNT,
            now: self.now,
            limits: &self.limits,
            master: &self.master,
            ring: &self.ring,
        };
        iamd_store::write(&self.store, |tx| {
            let mut tx = FailOn {
                inner: tx,
                prefix: fail,
            };
            f(&mut tx, &ctx)
        })
    }

    fn ok(&self, f: impl Fn(&mut dyn Tx, &Ctx) -> Result<Value, IamError>) {
        self.run("nothing/", f).unwrap();
    }
}

fn params(pairs: &[(&str, &str)]) -> Params {
    Params(
        pairs
            .iter()
            .fold(Value::object(), |v, (k, s)| v.with(k, *s)),
    )
}

fn assert_store_failure<T: std::fmt::Debug>(r: Result<T, IamError>) {
    match r {
        Err(e @ IamError::Store(_)) => assert_eq!(e.to_api().status, 500),
        other => panic!("expected a store failure, got {other:?}"),
    }
}

fn assert_internal<T: std::fmt::Debug>(r: Result<T, IamError>) {
    match r {
        Err(e @ IamError::Internal(_)) => assert_eq!(e.to_api().code, "ServiceFailure"),
        other => panic!("expected an internal error, got {other:?}"),
    }
}

/// A user `bob` and a managed policy `p`.
fn bob_and_policy(w: &World) {
    w.ok(|tx, ctx| users::create_user(tx, ctx, &params(&[("UserName", "bob")])));
    w.ok(|tx, ctx| {
        policies::create_policy(
            tx,
            ctx,
            &params(&[("PolicyName", "p"), ("PolicyDocument", POLICY)]),
        )
    });
}

#[test]
fn an_attached_policy_that_cannot_be_read_is_not_dropped_from_the_users_policies() {
    let w = World::new();
    bob_and_policy(&w);
    w.ok(|tx, ctx| {
        policies::attach_user_policy(
            tx,
            ctx,
            &params(&[("UserName", "bob"), ("PolicyArn", POLICY_ARN)]),
        )
    });
    let sources = w.run("nothing/", |tx, _| authz::user_sources(tx, ACCOUNT, "bob"));
    assert_eq!(sources.unwrap().identity.len(), 1);
    assert_store_failure(w.run("policy/", |tx, _| authz::user_sources(tx, ACCOUNT, "bob")));
}

#[test]
fn a_boundary_that_cannot_be_read_is_not_an_empty_boundary() {
    let w = World::new();
    bob_and_policy(&w);
    w.ok(|tx, ctx| {
        policies::put_user_permissions_boundary(
            tx,
            ctx,
            &params(&[("UserName", "bob"), ("PermissionsBoundary", POLICY_ARN)]),
        )
    });
    assert_store_failure(w.run("policy/", |tx, _| authz::user_sources(tx, ACCOUNT, "bob")));
}

#[test]
fn setting_a_boundary_on_a_store_failure_is_not_an_invalid_arn() {
    let w = World::new();
    bob_and_policy(&w);
    let put = |tx: &mut dyn Tx, ctx: &Ctx| {
        policies::put_user_permissions_boundary(
            tx,
            ctx,
            &params(&[("UserName", "bob"), ("PermissionsBoundary", POLICY_ARN)]),
        )
    };
    assert_store_failure(w.run("policy/", put));
    let missing = w.run("nothing/", |tx, ctx| {
        policies::put_user_permissions_boundary(
            tx,
            ctx,
            &params(&[
                ("UserName", "bob"),
                (
                    "PermissionsBoundary",
                    "arn:aws:iam::123456789012:policy/gone",
                ),
            ]),
        )
    });
    assert_eq!(missing.unwrap_err().to_api().code, "InvalidInput");
}

#[test]
fn policy_tags_on_a_store_failure_are_not_no_tags() {
    let w = World::new();
    bob_and_policy(&w);
    assert_store_failure(w.run("policy/", |tx, _| {
        authz::policy_tags(tx, ACCOUNT, POLICY_ARN)
    }));
}

#[test]
fn a_policy_without_its_default_version_is_corrupt() {
    let w = World::new();
    bob_and_policy(&w);
    let doc = w.run("nothing/", |tx, _| {
        let m = policies::resolve(tx, ACCOUNT, POLICY_ARN)?;
        for (k, _) in tx.scan(b"policyver/", None, usize::MAX)? {
            tx.delete(&k)?;
        }
        m.document(tx, ACCOUNT)
    });
    assert_internal(doc);
}

#[test]
fn an_mfa_check_on_a_store_failure_is_not_a_wrong_code() {
    let w = World::new();
    bob_and_policy(&w);
    let serial = "arn:aws:iam::123456789012:mfa/bob";
    let check = |tx: &mut dyn Tx, ctx: &Ctx| {
        mfa::code_is_valid(
            tx,
            ctx.master,
            ACCOUNT,
            Some("AIDA"),
            serial,
            "123456",
            ctx.now,
        )
    };
    assert!(
        !w.run("nothing/", check).unwrap(),
        "no such device: not valid"
    );
    assert_store_failure(w.run("mfa/", check));
}

#[test]
fn an_mfa_seed_that_does_not_open_is_not_a_wrong_code() {
    let w = World::new();
    w.ok(|tx, ctx| users::create_user(tx, ctx, &params(&[("UserName", "bob")])));
    w.ok(|tx, ctx| {
        mfa::create_virtual_mfa_device(tx, ctx, &params(&[("VirtualMFADeviceName", "bob")]))
    });
    let user_id = w
        .run("nothing/", |tx, _| users::find(tx, ACCOUNT, "bob"))
        .unwrap()
        .id;
    // Enable the device for bob with a seed sealed under another master key.
    let prefix = format!("mfa/{ACCOUNT}/");
    w.run("nothing/", |tx, _| {
        for (k, v) in tx.scan(prefix.as_bytes(), None, 10)? {
            let mut d: mfa::MfaDevice = serde_json::from_slice(&v).unwrap();
            d.user_id = Some(user_id.clone());
            d.enabled = Some(w.now);
            d.seed = MasterKey::generate().unwrap().0.seal("AAAA", &d.serial)?;
            records::put(tx, &k, &d)?;
        }
        Ok(())
    })
    .unwrap();
    let serial = "arn:aws:iam::123456789012:mfa/bob";
    assert_internal(w.run("nothing/", |tx, ctx| {
        mfa::code_is_valid(
            tx,
            ctx.master,
            ACCOUNT,
            Some(&user_id),
            serial,
            "123456",
            ctx.now,
        )
    }));
}

#[test]
fn an_access_key_whose_secret_does_not_open_is_not_an_unknown_key() {
    let w = World::new();
    let (id, _) = w
        .run("nothing/", |tx, ctx| {
            accounts::create_root_key(tx, ctx.master, ACCOUNT, ctx.now)
        })
        .unwrap();
    let found = w.run("nothing/", |tx, ctx| {
        credentials::lookup(tx, ctx.master, &id)
    });
    assert!(found.unwrap().is_some());
    assert!(
        w.run("nothing/", |tx, ctx| credentials::lookup(
            tx,
            ctx.master,
            "AKIAUNKNOWN"
        ))
        .unwrap()
        .is_none()
    );
    w.run("nothing/", |tx, _| {
        let mut k: AccessKey = records::get(tx, &keys::access_key(&id))?.unwrap();
        k.secret = "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
        records::put(tx, &keys::access_key(&id), &k)
    })
    .unwrap();
    assert_internal(w.run("nothing/", |tx, ctx| {
        credentials::lookup(tx, ctx.master, &id)
    }));
}

#[test]
fn a_password_hash_that_does_not_parse_is_not_a_wrong_password() {
    let w = World::new();
    w.ok(|tx, ctx| users::create_user(tx, ctx, &params(&[("UserName", "bob")])));
    w.ok(|tx, ctx| {
        passwords::create_login_profile(
            tx,
            ctx,
            &params(&[("UserName", "bob"), ("Password", "Correct-Horse-9")]),
        )
    });
    let sign_in = |tx: &mut dyn Tx, ctx: &Ctx| {
        passwords::check_sign_in(tx, ACCOUNT, "bob", "Correct-Horse-9", ctx.now)
    };
    assert!(matches!(
        w.run("nothing/", sign_in).unwrap(),
        passwords::SignIn::Ok { .. }
    ));
    w.run("nothing/", |tx, _| {
        let user = users::find(tx, ACCOUNT, "bob")?;
        let key = passwords::profile_key(ACCOUNT, &user.id);
        let mut p: passwords::LoginProfile = records::get(tx, &key)?.unwrap();
        p.hash = "not a PHC string".into();
        records::put(tx, &key, &p)
    })
    .unwrap();
    assert_internal(w.run("nothing/", sign_in));
}
