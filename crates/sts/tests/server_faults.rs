//! STS turns a missing role or policy into AWS's denial or malformed-policy answer, but a store
//! failure while looking them up is the server's fault (a 500), not the caller's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use iamd_iam::secrets::MasterKey;
use iamd_iam::{Ctx, IamError, Limits, Principal, accounts};
use iamd_store::{MemoryStore, Pair, StoreError, Tx};
use iamd_sts::WebIdentity;
use iamd_token::KeyRing;
use iamd_wire::{Params, Value};
use time::OffsetDateTime;

const ACCOUNT: &str = "123456789012";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/r";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

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
    bob: Principal,
    now: OffsetDateTime,
}

impl World {
    /// An account with the role `r` (trusting the account) in an instance profile.
    fn new() -> World {
        let now = OffsetDateTime::now_utc();
        let w = World {
            store: MemoryStore::new(),
            master: MasterKey::generate().unwrap().0,
            ring: KeyRing::generate(now.unix_timestamp()).unwrap(),
            limits: Limits::default(),
            root: Principal::root(ACCOUNT, None),
            bob: Principal::user(ACCOUNT, "bob", "/", "AIDABOB", None),
            now,
        };
        iamd_store::write(&w.store, |tx| accounts::create(tx, ACCOUNT, now)).unwrap();
        w.as_root(|tx, ctx| {
            iamd_iam::roles::create_role(
                tx,
                ctx,
                &params(&[("RoleName", "r"), ("AssumeRolePolicyDocument", TRUST)]),
            )?;
            iamd_iam::roles::create_instance_profile(
                tx,
                ctx,
                &params(&[("InstanceProfileName", "p")]),
            )?;
            iamd_iam::roles::add_role_to_instance_profile(
                tx,
                ctx,
                &params(&[("InstanceProfileName", "p"), ("RoleName", "r")]),
            )
        })
        .unwrap();
        w
    }

    fn ctx<'a>(&'a self, caller: &'a Principal) -> Ctx<'a> {
        Ctx {
            caller,
            account: ACCOUNT,
            now: self.now,
            limits: &self.limits,
            master: &self.master,
            ring: &self.ring,
        }
    }

    fn as_root(
        &self,
        f: impl Fn(&mut dyn Tx, &Ctx) -> Result<Value, IamError>,
    ) -> Result<Value, IamError> {
        iamd_store::write(&self.store, |tx| f(tx, &self.ctx(&self.root)))
    }

    /// Runs `f` as the user bob in a transaction whose keys under `fail` fail.
    fn as_bob(
        &self,
        fail: &'static str,
        f: impl Fn(&mut dyn Tx, &Ctx) -> Result<Value, IamError>,
    ) -> Result<Value, IamError> {
        iamd_store::write(&self.store, |tx| {
            let mut tx = FailOn {
                inner: tx,
                prefix: fail,
            };
            f(&mut tx, &self.ctx(&self.bob))
        })
    }
}

fn params(pairs: &[(&str, &str)]) -> Params {
    Params(
        pairs
            .iter()
            .fold(Value::object(), |v, (k, s)| v.with(k, *s)),
    )
}

fn code(r: Result<Value, IamError>) -> (String, u16) {
    let e = r.unwrap_err().to_api();
    (e.code, e.status)
}

fn failure() -> (String, u16) {
    ("ServiceFailure".to_string(), 500)
}

#[test]
fn assume_role_denies_a_missing_role_but_not_a_store_failure() {
    let w = World::new();
    let assume = |role: &'static str| {
        move |tx: &mut dyn Tx, ctx: &Ctx| {
            iamd_sts::assume_role(
                tx,
                ctx,
                &params(&[("RoleArn", role), ("RoleSessionName", "s")]),
            )
        }
    };
    w.as_bob("nothing/", assume(ROLE_ARN)).unwrap();
    let missing = w.as_bob("nothing/", assume("arn:aws:iam::123456789012:role/gone"));
    assert_eq!(code(missing), ("AccessDenied".to_string(), 403));
    assert_eq!(code(w.as_bob("role/", assume(ROLE_ARN))), failure());
}

#[test]
fn session_policy_arns_on_a_store_failure_are_not_malformed() {
    let w = World::new();
    w.as_root(|tx, ctx| {
        iamd_iam::policies::create_policy(
            tx,
            ctx,
            &params(&[
                ("PolicyName", "p"),
                (
                    "PolicyDocument",
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
                ),
            ]),
        )
    })
    .unwrap();
    let federate = |arn: &'static str| {
        move |tx: &mut dyn Tx, ctx: &Ctx| {
            let p = Params(Value::object().with("Name", "f").with(
                "PolicyArns",
                Value::List(vec![Value::object().with("arn", arn)]),
            ));
            iamd_sts::get_federation_token(tx, ctx, &p)
        }
    };
    let policy = "arn:aws:iam::123456789012:policy/p";
    w.as_bob("nothing/", federate(policy)).unwrap();
    let missing = w.as_bob(
        "nothing/",
        federate("arn:aws:iam::123456789012:policy/gone"),
    );
    assert_eq!(code(missing), ("MalformedPolicyDocument".to_string(), 400));
    assert_eq!(code(w.as_bob("policy/", federate(policy))), failure());
}

#[test]
fn web_identity_and_instance_roles_on_a_store_failure_are_not_denials() {
    let w = World::new();
    let identity = WebIdentity {
        provider: "accounts.example.com".into(),
        issuer: "https://accounts.example.com".into(),
        subject: "sub".into(),
        audience: "aud".into(),
        condition_keys: Vec::new(),
    };
    let role = params(&[("RoleArn", ROLE_ARN), ("RoleSessionName", "s")]);
    let web = |tx: &mut dyn Tx, ctx: &Ctx| {
        iamd_sts::assume_role_with_web_identity(tx, ctx.ring, ctx.now, &role, &identity)
    };
    // The role trusts the account, not the provider: denied.
    assert_eq!(
        code(w.as_bob("nothing/", web)),
        ("AccessDenied".to_string(), 403)
    );
    assert_eq!(code(w.as_bob("role/", web)), failure());
    let instance = |tx: &mut dyn Tx, ctx: &Ctx| {
        iamd_sts::assume_role_for_instance(tx, ctx.ring, ctx.now, &role, "arn:aws:iam::1:user/a")
    };
    assert_eq!(
        code(w.as_bob("nothing/", instance)),
        ("AccessDenied".to_string(), 403)
    );
    assert_eq!(code(w.as_bob("role/", instance)), failure());
}
