//! The console's sign-in through the engine, over the memory store: IAM users (password,
//! forced change, lockout, MFA with a code used once), the root user, aliases, the one answer
//! for every failure, and a `ConsoleLogin` event for every attempt, chained like the rest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use serde_json::{Value as J, json};

use iamd_engine::{
    Call, Config, Engine, FrontEnd, Input, PasswordState, Principal, RequestFacts, SignInOutcome,
    SignInRequest,
};
use iamd_iam::accounts;
use iamd_iam::secrets::MasterKey;
use iamd_store::MemoryStore;
use iamd_wire::{Params, Value};

const ACCOUNT: &str = "111122223333";

fn setup() -> (Arc<Engine>, Principal) {
    let store = Arc::new(MemoryStore::new());
    let (master, _) = MasterKey::generate().unwrap();
    accounts::bootstrap(
        store.as_ref(),
        &master,
        Some(ACCOUNT),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let engine = Engine::new(Config::new(ACCOUNT.into()), store, Arc::new(master)).unwrap();
    (engine, Principal::root(ACCOUNT, None))
}

fn facts() -> RequestFacts {
    let mut f = RequestFacts::new("req-console", FrontEnd::Console);
    f.source_ip = Some("192.0.2.7".parse().unwrap());
    f
}

fn call(engine: &Engine, caller: &Principal, op: &str, input: J) -> Result<J, String> {
    let c = Call {
        caller: Some(caller.clone()),
        subject: None,
        operation: op.into(),
        input: Input::Typed(Params(Value::from_json(&input))),
        facts: facts(),
    };
    engine
        .call_blocking(c)
        .result
        .map(|v| v.to_json())
        .map_err(|e| e.to_api().code)
}

fn sign_in(engine: &Engine, account: &str, user: Option<&str>, password: &str) -> SignInOutcome {
    let req = SignInRequest {
        account: account.into(),
        user: user.map(str::to_string),
        password: password.into(),
    };
    engine.console_sign_in_blocking(&req, &facts()).unwrap()
}

fn console_logins(engine: &Engine) -> Vec<J> {
    engine.audit.flush();
    let out = call(
        engine,
        &Principal::root(ACCOUNT, None),
        "LookupEvents",
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]}),
    )
    .unwrap();
    out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn iam_user_password_reset_and_one_answer_for_failures() {
    let (engine, root) = setup();
    call(&engine, &root, "CreateUser", json!({"UserName": "Alice"})).unwrap();
    call(
        &engine,
        &root,
        "CreateLoginProfile",
        json!({"UserName": "Alice", "Password": "Alice-Passw0rd!", "PasswordResetRequired": true}),
    )
    .unwrap();

    // Names are case-insensitive; the principal keeps the stored case.
    match sign_in(&engine, ACCOUNT, Some("alice"), "Alice-Passw0rd!") {
        SignInOutcome::SignedIn {
            principal,
            password,
        } => {
            assert_eq!(principal.arn, format!("arn:aws:iam::{ACCOUNT}:user/Alice"));
            assert!(principal.access_key_id.is_none());
            assert_eq!(password, PasswordState::ResetRequired);
        }
        other => panic!("{other:?}"),
    }
    // Unknown account, unknown user, wrong password: one outcome.
    for (acct, user) in [
        ("999988887777", "Alice"),
        (ACCOUNT, "nobody"),
        (ACCOUNT, "Alice"),
    ] {
        assert!(matches!(
            sign_in(&engine, acct, Some(user), "Wrong-Passw0rd!"),
            SignInOutcome::Failed
        ));
    }
    let events = console_logins(&engine);
    // The unknown account has no trail to record in; the others are all recorded.
    assert_eq!(events.len(), 3);
    let outcomes: Vec<&str> = events
        .iter()
        .map(|e| e["responseElements"]["ConsoleLogin"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "Success").count(), 1);
    assert_eq!(outcomes.iter().filter(|o| **o == "Failure").count(), 2);
    for e in &events {
        assert_eq!(e["eventSource"], "signin.amazonaws.com");
        assert_eq!(e["eventType"], "AwsConsoleSignIn");
        assert_eq!(e["sourceIPAddress"], "192.0.2.7");
        assert_eq!(e["iamdFrontEnd"], "console");
    }
    assert!(
        events
            .iter()
            .any(|e| e["userIdentity"]["userName"] == "HIDDEN_DUE_TO_SECURITY_REASONS")
    );
    // The chain still verifies with the sign-in events in it.
    let verified =
        iamd_engine::audit::chain::verify(engine.store.as_ref(), engine.audit.chain_key(), ACCOUNT)
            .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

#[test]
fn lockout_after_five_failures() {
    let (engine, root) = setup();
    call(&engine, &root, "CreateUser", json!({"UserName": "bob"})).unwrap();
    call(
        &engine,
        &root,
        "CreateLoginProfile",
        json!({"UserName": "bob", "Password": "Bob-Passw0rd!"}),
    )
    .unwrap();
    for _ in 0..5 {
        assert!(matches!(
            sign_in(&engine, ACCOUNT, Some("bob"), "nope"),
            SignInOutcome::Failed
        ));
    }
    assert!(matches!(
        sign_in(&engine, ACCOUNT, Some("bob"), "Bob-Passw0rd!"),
        SignInOutcome::Failed
    ));
    // An administrator's reset (UpdateLoginProfile) unlocks.
    call(
        &engine,
        &root,
        "UpdateLoginProfile",
        json!({"UserName": "bob", "Password": "Bob-Passw0rd-2!"}),
    )
    .unwrap();
    assert!(matches!(
        sign_in(&engine, ACCOUNT, Some("bob"), "Bob-Passw0rd-2!"),
        SignInOutcome::SignedIn {
            password: PasswordState::Current,
            ..
        }
    ));
}

#[test]
fn root_by_alias_and_mfa_codes_used_once() {
    let (engine, root) = setup();
    assert!(matches!(
        sign_in(&engine, ACCOUNT, None, "Root-Passw0rd!"),
        SignInOutcome::Failed
    ));
    engine.set_root_password(ACCOUNT, "Root-Passw0rd!").unwrap();
    call(
        &engine,
        &root,
        "CreateAccountAlias",
        json!({"AccountAlias": "acme"}),
    )
    .unwrap();
    let p = match sign_in(&engine, "acme", None, "Root-Passw0rd!") {
        SignInOutcome::SignedIn { principal, .. } => principal,
        other => panic!("{other:?}"),
    };
    assert!(p.is_root());

    // Root MFA: a virtual device enabled with two consecutive codes.
    let d = call(
        &engine,
        &root,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "root-mfa"}),
    )
    .unwrap();
    let serial = d["VirtualMFADevice"]["SerialNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let seed_b64 = d["VirtualMFADevice"]["Base32StringSeed"].as_str().unwrap();
    use base64::Engine as _;
    let b32 = base64::engine::general_purpose::STANDARD
        .decode(seed_b64)
        .unwrap();
    let seed = iamd_mfa::base32::decode(std::str::from_utf8(&b32).unwrap()).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let c1 = iamd_mfa::code_at(&seed, now - 30);
    let c2 = iamd_mfa::code_at(&seed, now);
    // Only the root user itself may.
    let user = Principal::user(ACCOUNT, "x", "/", "AIDAX", None);
    assert!(
        engine
            .console_root_mfa_blocking(&user, &serial, Some((&c1, &c2)), &facts())
            .is_err()
    );
    engine
        .console_root_mfa_blocking(&p, &serial, Some((&c1, &c2)), &facts())
        .unwrap();
    let summary = call(&engine, &root, "GetAccountSummary", json!({})).unwrap();
    assert_eq!(summary["SummaryMap"]["AccountMFAEnabled"], 1);

    let (principal, serials) = match sign_in(&engine, ACCOUNT, None, "Root-Passw0rd!") {
        SignInOutcome::MfaRequired {
            principal, serials, ..
        } => (principal, serials),
        other => panic!("{other:?}"),
    };
    assert_eq!(serials, vec![serial.clone()]);
    let next = iamd_mfa::code_at(&seed, now + 30);
    // A code already used (enabling used c2's step) is refused; a fresh one once only.
    let mfa = |code: &str| {
        engine
            .console_mfa_blocking(&principal, &serials, code, &facts(), 3600)
            .unwrap()
    };
    assert!(mfa(&c2).is_none());
    let root_again = mfa(&next).expect("signed in");
    assert!(root_again.is_root() && root_again.session.is_none());
    assert!(mfa(&next).is_none());
    let events = console_logins(&engine);
    assert!(
        events
            .iter()
            .any(|e| e["additionalEventData"]["MFAUsed"] == "Yes"
                && e["responseElements"]["ConsoleLogin"] == "Success")
    );
}

#[test]
fn users_signed_in_with_mfa_act_with_mfa_present() {
    let (engine, root) = setup();
    call(&engine, &root, "CreateUser", json!({"UserName": "carol"})).unwrap();
    call(
        &engine,
        &root,
        "CreateLoginProfile",
        json!({"UserName": "carol", "Password": "Carol-Passw0rd!"}),
    )
    .unwrap();
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "iam:ListUsers", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    call(
        &engine,
        &root,
        "PutUserPolicy",
        json!({"UserName": "carol", "PolicyName": "mfa", "PolicyDocument": policy.to_string()}),
    )
    .unwrap();
    let d = call(
        &engine,
        &root,
        "CreateVirtualMFADevice",
        json!({"VirtualMFADeviceName": "carol"}),
    )
    .unwrap();
    let serial = d["VirtualMFADevice"]["SerialNumber"]
        .as_str()
        .unwrap()
        .to_string();
    use base64::Engine as _;
    let b32 = base64::engine::general_purpose::STANDARD
        .decode(d["VirtualMFADevice"]["Base32StringSeed"].as_str().unwrap())
        .unwrap();
    let seed = iamd_mfa::base32::decode(std::str::from_utf8(&b32).unwrap()).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    call(
        &engine,
        &root,
        "EnableMFADevice",
        json!({"UserName": "carol", "SerialNumber": serial,
               "AuthenticationCode1": iamd_mfa::code_at(&seed, now - 30),
               "AuthenticationCode2": iamd_mfa::code_at(&seed, now)}),
    )
    .unwrap();
    let (user, serials) = match sign_in(&engine, ACCOUNT, Some("carol"), "Carol-Passw0rd!") {
        SignInOutcome::MfaRequired {
            principal, serials, ..
        } => (principal, serials),
        other => panic!("{other:?}"),
    };
    // The plain user (no MFA in the context) is denied; the signed-in session is allowed.
    assert_eq!(
        call(&engine, &user, "ListUsers", json!({})).unwrap_err(),
        "AccessDenied"
    );
    let signed = engine
        .console_mfa_blocking(
            &user,
            &serials,
            &iamd_mfa::code_at(&seed, now + 30),
            &facts(),
            3600,
        )
        .unwrap()
        .expect("signed in");
    assert_eq!(signed.arn, user.arn);
    assert!(signed.session.as_ref().unwrap().mfa_authenticated);
    call(&engine, &signed, "ListUsers", json!({})).unwrap();
}

#[test]
fn expired_passwords_must_change_or_wait_for_an_administrator() {
    let (engine, root) = setup();
    let u = call(&engine, &root, "CreateUser", json!({"UserName": "dora"})).unwrap();
    let id = u["User"]["UserId"].as_str().unwrap().to_string();
    call(
        &engine,
        &root,
        "CreateLoginProfile",
        json!({"UserName": "dora", "Password": "Dora-Passw0rd!"}),
    )
    .unwrap();
    call(
        &engine,
        &root,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 1}),
    )
    .unwrap();
    // The password was last changed two days ago.
    let key = iamd_iam::passwords::profile_key(ACCOUNT, &id);
    iamd_store::write(engine.store.as_ref(), |tx| {
        let mut p: iamd_iam::passwords::LoginProfile = iamd_iam::records::get(tx, &key)?.unwrap();
        p.changed -= time::Duration::days(2);
        iamd_iam::records::put(tx, &key, &p)
    })
    .unwrap();
    assert!(matches!(
        sign_in(&engine, ACCOUNT, Some("dora"), "Dora-Passw0rd!"),
        SignInOutcome::SignedIn {
            password: PasswordState::Expired,
            ..
        }
    ));
    call(
        &engine,
        &root,
        "UpdateAccountPasswordPolicy",
        json!({"MaxPasswordAge": 1, "HardExpiry": true}),
    )
    .unwrap();
    assert!(matches!(
        sign_in(&engine, ACCOUNT, Some("dora"), "Dora-Passw0rd!"),
        SignInOutcome::SignedIn {
            password: PasswordState::HardExpired,
            ..
        }
    ));
    let last = console_logins(&engine);
    assert_eq!(
        last.iter()
            .filter(|e| e["responseElements"]["ConsoleLogin"] == "Failure")
            .count(),
        1,
        "a hard-expired password is a failed sign-in"
    );
}
