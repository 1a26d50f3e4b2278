//! Every write of a policy document validates it as AWS does for its kind: one table, by
//! operation, with AWS's message (or acceptance) for each case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use iamd_policy::messages;
use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::testing::World;
use crate::{Ctx, IamError, groups, inline, policies, roles, users};

type Op = fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>;

const GOOD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const NO_VERSION: &str =
    r#"{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const OLD_VERSION: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const NOT_JSON: &str = "this is not json";
/// An operator IAM does not know: accepted (it never matches).
const UNKNOWN_OPERATOR: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsFancy":{"aws:username":"bob"}}}]}"#;
/// A condition key without a vendor prefix: accepted.
const KEY_WITHOUT_VENDOR: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"username":"bob"}}}]}"#;
/// A condition key with two colons, as AWS's own policies use.
const KEY_WITH_COLONS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b"}}}]}"#;
const WITH_PRINCIPAL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"}]}"#;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_WITH_RESOURCE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
const TRUST_S3_ACTION: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}"#;
const TRUST_NO_VERSION: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A write of one document: the operation, the parameters besides the document, and the
/// document's parameter name.
struct Write {
    name: &'static str,
    op: Op,
    params: &'static [(&'static str, &'static str)],
    document: &'static str,
}

const CREATE_POLICY: Write = Write {
    name: "CreatePolicy",
    op: policies::create_policy,
    params: &[],
    document: "PolicyDocument",
};
const CREATE_POLICY_VERSION: Write = Write {
    name: "CreatePolicyVersion",
    op: policies::create_policy_version,
    params: &[("PolicyArn", "arn:aws:iam::123456789012:policy/base")],
    document: "PolicyDocument",
};
const PUT_USER_POLICY: Write = Write {
    name: "PutUserPolicy",
    op: inline::put_user_policy,
    params: &[("UserName", "alice"), ("PolicyName", "p")],
    document: "PolicyDocument",
};
const PUT_GROUP_POLICY: Write = Write {
    name: "PutGroupPolicy",
    op: inline::put_group_policy,
    params: &[("GroupName", "readers"), ("PolicyName", "p")],
    document: "PolicyDocument",
};
const PUT_ROLE_POLICY: Write = Write {
    name: "PutRolePolicy",
    op: inline::put_role_policy,
    params: &[("RoleName", "base"), ("PolicyName", "p")],
    document: "PolicyDocument",
};
const CREATE_ROLE: Write = Write {
    name: "CreateRole",
    op: roles::create_role,
    params: &[],
    document: "AssumeRolePolicyDocument",
};
const UPDATE_ASSUME_ROLE_POLICY: Write = Write {
    name: "UpdateAssumeRolePolicy",
    op: roles::update_assume_role_policy,
    params: &[("RoleName", "base")],
    document: "PolicyDocument",
};

/// A fresh account with a user, a group, a role and a customer managed policy to write to.
fn world() -> World {
    let w = World::new();
    w.ok(users::create_user, &[("UserName", "alice")]);
    w.ok(groups::create_group, &[("GroupName", "readers")]);
    w.ok(
        roles::create_role,
        &[("RoleName", "base"), ("AssumeRolePolicyDocument", TRUST)],
    );
    w.ok(
        policies::create_policy,
        &[("PolicyName", "base"), ("PolicyDocument", GOOD)],
    );
    w
}

#[test]
fn documents_are_validated_per_kind_on_every_write() {
    // (write, document, Ok(()) or AWS's message)
    let cases: &[(Write, &str, Result<(), &str>)] = &[
        // Managed policies: Version 2012-10-17 is required.
        (CREATE_POLICY, GOOD, Ok(())),
        (CREATE_POLICY, NO_VERSION, Err(messages::VERSION_REQUIRED)),
        (CREATE_POLICY, OLD_VERSION, Err(messages::VERSION_REQUIRED)),
        (CREATE_POLICY, NOT_JSON, Err(messages::SYNTAX)),
        (CREATE_POLICY, UNKNOWN_OPERATOR, Ok(())),
        (CREATE_POLICY, KEY_WITHOUT_VENDOR, Ok(())),
        (CREATE_POLICY, KEY_WITH_COLONS, Ok(())),
        (CREATE_POLICY, WITH_PRINCIPAL, Err(messages::NO_PRINCIPAL)),
        (CREATE_POLICY_VERSION, GOOD, Ok(())),
        (
            CREATE_POLICY_VERSION,
            NO_VERSION,
            Err(messages::VERSION_REQUIRED),
        ),
        (
            CREATE_POLICY_VERSION,
            OLD_VERSION,
            Err(messages::VERSION_REQUIRED),
        ),
        (CREATE_POLICY_VERSION, NOT_JSON, Err(messages::SYNTAX)),
        // Inline policies: Version may be missing or 2008-10-17.
        (PUT_USER_POLICY, GOOD, Ok(())),
        (PUT_USER_POLICY, NO_VERSION, Ok(())),
        (PUT_USER_POLICY, OLD_VERSION, Ok(())),
        (PUT_USER_POLICY, UNKNOWN_OPERATOR, Ok(())),
        (PUT_USER_POLICY, KEY_WITHOUT_VENDOR, Ok(())),
        (PUT_USER_POLICY, KEY_WITH_COLONS, Ok(())),
        (PUT_USER_POLICY, NOT_JSON, Err(messages::SYNTAX)),
        (PUT_USER_POLICY, WITH_PRINCIPAL, Err(messages::NO_PRINCIPAL)),
        (PUT_GROUP_POLICY, NO_VERSION, Ok(())),
        (PUT_GROUP_POLICY, UNKNOWN_OPERATOR, Ok(())),
        (PUT_GROUP_POLICY, NOT_JSON, Err(messages::SYNTAX)),
        (PUT_ROLE_POLICY, NO_VERSION, Ok(())),
        (PUT_ROLE_POLICY, UNKNOWN_OPERATOR, Ok(())),
        (PUT_ROLE_POLICY, NOT_JSON, Err(messages::SYNTAX)),
        // Trust policies: their own JSON message, a principal, sts: actions, no resources.
        (CREATE_ROLE, TRUST, Ok(())),
        (CREATE_ROLE, TRUST_NO_VERSION, Ok(())),
        (CREATE_ROLE, NOT_JSON, Err(messages::TRUST_INVALID_JSON)),
        (CREATE_ROLE, GOOD, Err(messages::MISSING_PRINCIPAL)),
        (CREATE_ROLE, TRUST_S3_ACTION, Err(messages::TRUST_ACTIONS)),
        (
            CREATE_ROLE,
            TRUST_WITH_RESOURCE,
            Err("Has prohibited field Resource"),
        ),
        (UPDATE_ASSUME_ROLE_POLICY, TRUST, Ok(())),
        (
            UPDATE_ASSUME_ROLE_POLICY,
            NOT_JSON,
            Err(messages::TRUST_INVALID_JSON),
        ),
        (
            UPDATE_ASSUME_ROLE_POLICY,
            TRUST_S3_ACTION,
            Err(messages::TRUST_ACTIONS),
        ),
    ];
    let w = world();
    let mut failures = Vec::new();
    for (i, (write, doc, want)) in cases.iter().enumerate() {
        let mut pairs: Vec<(&str, &str)> = write.params.to_vec();
        pairs.push((write.document, doc));
        // CreatePolicy and CreateRole need a new name each time.
        let name = format!("n{i}");
        match write.name {
            "CreatePolicy" => pairs.push(("PolicyName", &name)),
            "CreateRole" => pairs.push(("RoleName", &name)),
            _ => {}
        }
        let got = w.call(write.op, &pairs);
        let ok = match (&got, want) {
            (Ok(_), Ok(())) => true,
            (Err(IamError::MalformedPolicyDocument { message }), Err(m)) => message == m,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "case {i}: {} {doc}\n  want {want:?}\n  got  {:?}",
                write.name,
                got.map(|_| ())
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
