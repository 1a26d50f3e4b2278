//! IAM's rules through `Engine::call`, over the memory store, without HTTP: conflicts, quotas,
//! cascades, authorization, cache invalidation, the audit trail, and store failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use serde_json::{Value as J, json};

use iamd_engine::{Call, Config, Engine, FrontEnd, Input, Principal, RequestFacts};
use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_store::{MemoryStore, Store, StoreError, Tx};
use iamd_wire::{Params, Value};

const ACCOUNT: &str = "111122223333";

struct World {
    engine: Arc<Engine>,
    root: Principal,
}

fn world_with(config: impl FnOnce(&mut Config), store: Arc<dyn Store>) -> World {
    let (master, _) = MasterKey::generate().unwrap();
    let boot = accounts::bootstrap(
        store.as_ref(),
        &master,
        Some(ACCOUNT),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let mut c = Config::new(boot.account_id.clone());
    config(&mut c);
    let engine = Engine::new(c, store, Arc::new(master)).unwrap();
    let root = Principal::root(ACCOUNT, boot.new_root_key.map(|k| k.0));
    World { engine, root }
}

fn world() -> World {
    world_with(|_| {}, Arc::new(MemoryStore::new()))
}

impl World {
    fn call(&self, caller: &Principal, op: &str, input: J) -> Result<J, (String, u16, String)> {
        let call = Call {
            caller: Some(caller.clone()),
            subject: None,
            operation: op.to_string(),
            input: Input::Typed(Params(Value::from_json(&input))),
            facts: RequestFacts::new("req-1", FrontEnd::Api),
        };
        match self.engine.call_blocking(call).result {
            Ok(v) => Ok(v.to_json()),
            Err(e) => {
                let a = e.to_api();
                Err((a.code, a.status, a.message))
            }
        }
    }

    fn ok(&self, caller: &Principal, op: &str, input: J) -> J {
        self.call(caller, op, input)
            .unwrap_or_else(|e| panic!("{op} failed: {e:?}"))
    }

    fn code(&self, caller: &Principal, op: &str, input: J) -> String {
        match self.call(caller, op, input) {
            Ok(v) => panic!("{op} succeeded: {v}"),
            Err((code, _, _)) => code,
        }
    }

    /// A user with a key-less principal to call as.
    fn user(&self, name: &str) -> Principal {
        let u = self.ok(&self.root, "CreateUser", json!({"UserName": name}));
        let id = u["User"]["UserId"].as_str().unwrap();
        Principal::user(ACCOUNT, name, "/", id, Some(format!("AKIA{name}")))
    }

    fn events(&self, caller: &Principal, filter: Option<(&str, &str)>) -> Vec<J> {
        self.engine.audit.flush();
        let mut input = json!({"MaxResults": 50});
        if let Some((k, v)) = filter {
            input["LookupAttributes"] = json!([{"AttributeKey": k, "AttributeValue": v}]);
        }
        let r = self.ok(caller, "LookupEvents", input);
        r["Events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
            .collect()
    }
}

const ALLOW_ALL_IAM: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;

#[test]
fn conflicts_quotas_and_cascades() {
    let w = world_with(
        |c| c.limits.groups_per_user = 2,
        Arc::new(MemoryStore::new()),
    );
    let r = &w.root;
    struct Case {
        op: &'static str,
        input: J,
        expect: Result<(), &'static str>,
    }
    let cases = [
        Case {
            op: "CreateUser",
            input: json!({"UserName": "alice"}),
            expect: Ok(()),
        },
        Case {
            op: "CreateUser",
            input: json!({"UserName": "ALICE"}),
            expect: Err("EntityAlreadyExists"),
        },
        Case {
            op: "GetUser",
            input: json!({"UserName": "nobody"}),
            expect: Err("NoSuchEntity"),
        },
        Case {
            op: "CreateUser",
            input: json!({"UserName": "bad name"}),
            expect: Err("ValidationError"),
        },
        Case {
            op: "CreateUser",
            input: json!({}),
            expect: Err("ValidationError"),
        },
        Case {
            op: "CreateGroup",
            input: json!({"GroupName": "g1"}),
            expect: Ok(()),
        },
        Case {
            op: "CreateGroup",
            input: json!({"GroupName": "g2"}),
            expect: Ok(()),
        },
        Case {
            op: "CreateGroup",
            input: json!({"GroupName": "g3"}),
            expect: Ok(()),
        },
        Case {
            op: "AddUserToGroup",
            input: json!({"UserName": "alice", "GroupName": "g1"}),
            expect: Ok(()),
        },
        Case {
            op: "AddUserToGroup",
            input: json!({"UserName": "alice", "GroupName": "g2"}),
            expect: Ok(()),
        },
        Case {
            op: "AddUserToGroup",
            input: json!({"UserName": "alice", "GroupName": "g3"}),
            expect: Err("LimitExceeded"),
        },
        Case {
            op: "DeleteGroup",
            input: json!({"GroupName": "g1"}),
            expect: Err("DeleteConflict"),
        },
        Case {
            op: "CreateAccessKey",
            input: json!({"UserName": "alice"}),
            expect: Ok(()),
        },
        Case {
            op: "DeleteUser",
            input: json!({"UserName": "alice"}),
            expect: Err("DeleteConflict"),
        },
        Case {
            op: "NoSuchOperation",
            input: json!({}),
            expect: Err("InvalidAction"),
        },
    ];
    for (i, c) in cases.iter().enumerate() {
        match (&c.expect, w.call(r, c.op, c.input.clone())) {
            (Ok(()), Ok(_)) => {}
            (Err(code), Err((got, _, msg))) => {
                assert_eq!(got, *code, "case {i} {}: {msg}", c.op)
            }
            (want, got) => panic!("case {i} {}: wanted {want:?}, got {got:?}", c.op),
        }
    }
    // Nothing half-written: the refused third membership left no trace.
    let groups = w.ok(r, "ListGroupsForUser", json!({"UserName": "alice"}));
    assert_eq!(groups["Groups"].as_array().unwrap().len(), 2);
}

#[test]
fn a_change_to_permissions_holds_on_the_next_call_and_unrelated_writes_keep_the_cache() {
    let w = world();
    let alice = w.user("alice");
    assert_eq!(w.code(&alice, "ListUsers", json!({})), "AccessDenied");
    w.ok(
        &w.root,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "all", "PolicyDocument": ALLOW_ALL_IAM}),
    );
    w.ok(&alice, "ListUsers", json!({}));
    let cached = w.engine.metrics.encode();
    // Unrelated writes (another user, a group) leave alice's compiled policies cached.
    w.ok(&w.root, "CreateUser", json!({"UserName": "bob"}));
    w.ok(&w.root, "CreateGroup", json!({"GroupName": "others"}));
    w.ok(&alice, "ListUsers", json!({}));
    let after = w.engine.metrics.encode();
    let misses = |m: &str| {
        m.lines()
            .find(|l| l.starts_with("iamd_cache_total{cache=\"policies\",result=\"miss\"}"))
            .map(|l| l.rsplit(' ').next().unwrap().to_string())
    };
    assert!(misses(&cached).is_some(), "{cached}");
    assert_eq!(
        misses(&cached),
        misses(&after),
        "no new miss after unrelated writes"
    );
    // Membership of a group with a Deny reaches alice at once.
    w.ok(&w.root, "PutGroupPolicy", json!({"GroupName": "others", "PolicyName": "deny",
        "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}"#}));
    w.ok(
        &w.root,
        "AddUserToGroup",
        json!({"UserName": "alice", "GroupName": "others"}),
    );
    assert_eq!(w.code(&alice, "ListUsers", json!({})), "AccessDenied");
    w.ok(
        &w.root,
        "RemoveUserFromGroup",
        json!({"UserName": "alice", "GroupName": "others"}),
    );
    w.ok(&alice, "ListUsers", json!({}));
    w.ok(
        &w.root,
        "DeleteUserPolicy",
        json!({"UserName": "alice", "PolicyName": "all"}),
    );
    assert_eq!(w.code(&alice, "ListUsers", json!({})), "AccessDenied");
}

#[test]
fn every_call_is_audited_with_secrets_redacted_and_the_chain_verifies() {
    let w = world();
    let alice = w.user("alice");
    let key = w.ok(&w.root, "CreateAccessKey", json!({"UserName": "alice"}));
    let secret = key["AccessKey"]["SecretAccessKey"]
        .as_str()
        .unwrap()
        .to_string();
    w.ok(
        &w.root,
        "CreateLoginProfile",
        json!({"UserName": "alice", "Password": "Correct-Horse-9"}),
    );
    assert_eq!(w.code(&alice, "ListUsers", json!({})), "AccessDenied");
    assert_eq!(
        w.code(&w.root, "GetUser", json!({"UserName": "ghost"})),
        "NoSuchEntity"
    );
    let events = w.events(&w.root, None);
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(&secret), "the secret key reached the trail");
    assert!(
        !text.contains("Correct-Horse-9"),
        "the password reached the trail"
    );
    let by_name = |n: &str| events.iter().find(|e| e["eventName"] == n).unwrap().clone();
    let created = by_name("CreateUser");
    assert_eq!(created["eventSource"], "iam.amazonaws.com");
    assert_eq!(created["userIdentity"]["type"], "Root");
    assert_eq!(created["readOnly"], false);
    assert_eq!(created["requestParameters"]["userName"], "alice");
    let denied = by_name("ListUsers");
    assert_eq!(denied["errorCode"], "AccessDenied");
    assert_eq!(denied["userIdentity"]["userName"], "alice");
    assert_eq!(denied["decision"]["result"], "ImplicitDeny");
    assert_eq!(by_name("GetUser")["errorCode"], "NoSuchEntity");
    // Filters.
    let alices = w.events(&w.root, Some(("Username", "alice")));
    assert!(
        alices
            .iter()
            .all(|e| e["userIdentity"]["userName"] == "alice")
    );
    assert!(!alices.is_empty());
    let keyed = w.events(&w.root, Some(("ResourceName", "alice")));
    assert!(keyed.iter().any(|e| e["eventName"] == "CreateAccessKey"));
    // The chain verifies.
    let key = w.engine.audit.chain_key().clone();
    let verified =
        iamd_engine::audit::chain::verify(w.engine.store.as_ref(), &key, ACCOUNT).unwrap();
    assert!(verified.unwrap() >= 6);
}

/// Remembered decisions never outlive what they depend on: the request's condition keys, the
/// caller's policies, or the clock.
#[test]
fn remembered_decisions_follow_the_request_the_policy_and_the_clock() {
    let w = world();
    let alice = w.user("alice");
    let from = |ip: &str| {
        let mut f = RequestFacts::new("req-ip", FrontEnd::Api);
        f.source_ip = Some(ip.parse().unwrap());
        f
    };
    let get_user = |facts: RequestFacts| {
        let call = Call {
            caller: Some(alice.clone()),
            subject: None,
            operation: "GetUser".to_string(),
            input: Input::Typed(Params(Value::from_json(&json!({"UserName": "alice"})))),
            facts,
        };
        match w.engine.call_blocking(call).result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_api().code,
        }
    };
    let only_from_ten = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Action":"iam:GetUser","Resource":"*",
        "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
    w.ok(
        &w.root,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "p", "PolicyDocument": only_from_ten}),
    );
    for _ in 0..2 {
        assert_eq!(get_user(from("10.1.2.3")), "ok");
        assert_eq!(get_user(from("192.0.2.1")), "AccessDenied");
    }
    // A changed policy holds on the next request, whatever was remembered.
    w.ok(
        &w.root,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "p",
               "PolicyDocument": only_from_ten.replace("IpAddress", "NotIpAddress")}),
    );
    assert_eq!(get_user(from("10.1.2.3")), "AccessDenied");
    assert_eq!(get_user(from("192.0.2.1")), "ok");
    // A policy that reads the clock is evaluated every time.
    let expires = |t: time::OffsetDateTime| {
        let at = t
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:GetUser",
            "Resource":"*","Condition":{{"DateLessThan":{{"aws:CurrentTime":"{at}"}}}}}}]}}"#
        )
    };
    let soon = time::OffsetDateTime::now_utc() + time::Duration::milliseconds(1500);
    w.ok(
        &w.root,
        "PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "p", "PolicyDocument": expires(soon)}),
    );
    assert_eq!(get_user(from("10.1.2.3")), "ok");
    std::thread::sleep(std::time::Duration::from_millis(1600));
    assert_eq!(get_user(from("10.1.2.3")), "AccessDenied");
}

#[test]
fn lookup_events_pages_newest_first() {
    let w = world();
    for i in 0..7 {
        w.ok(
            &w.root,
            "CreateGroup",
            json!({"GroupName": format!("g{i}")}),
        );
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({"MaxResults": 3, "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateGroup"}]});
        if let Some(t) = &token {
            input["NextToken"] = json!(t);
        }
        let page = w.ok(&w.root, "LookupEvents", input);
        for e in page["Events"].as_array().unwrap() {
            let ev: J = serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap();
            names.push(
                ev["requestParameters"]["groupName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        match page.get("NextToken").and_then(J::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["g6", "g5", "g4", "g3", "g2", "g1", "g0"]);
    assert_eq!(
        w.code(&w.root, "LookupEvents", json!({"NextToken": "bogus"})),
        "InvalidNextTokenException"
    );
    assert_eq!(
        w.code(
            &w.root,
            "LookupEvents",
            json!({"LookupAttributes": [
            {"AttributeKey": "EventName", "AttributeValue": "a"},
            {"AttributeKey": "Username", "AttributeValue": "b"}]})
        ),
        "InvalidLookupAttributesException"
    );
}

/// A store whose reads fail after a switch is thrown.
struct Failing {
    inner: MemoryStore,
    broken: std::sync::atomic::AtomicBool,
}

impl Store for Failing {
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Backend("disk on fire".into()));
        }
        self.inner.read(f)
    }
    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Backend("disk on fire".into()));
        }
        self.inner.write(f)
    }
    fn generation(&self) -> u64 {
        self.inner.generation()
    }
    fn describe(&self) -> String {
        "failing".into()
    }
    fn wipe(&self) -> Result<(), StoreError> {
        self.inner.wipe()
    }
    fn subscribe(&self, l: iamd_store::Listener) {
        self.inner.subscribe(l)
    }
}

#[test]
fn a_store_failure_is_a_500_never_a_denial_or_not_found() {
    let store = Arc::new(Failing {
        inner: MemoryStore::new(),
        broken: false.into(),
    });
    let w = world_with(|_| {}, store.clone());
    let alice = w.user("alice");
    store
        .broken
        .store(true, std::sync::atomic::Ordering::SeqCst);
    for (caller, op) in [
        (&alice, "GetUser"),
        (&w.root, "GetUser"),
        (&w.root, "CreateUser"),
    ] {
        let err = w
            .call(caller, op, json!({"UserName": "alice"}))
            .unwrap_err();
        assert_eq!(
            (err.0.as_str(), err.1),
            ("ServiceFailure", 500),
            "{op}: {err:?}"
        );
    }
}
