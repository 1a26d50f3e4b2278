//! Response shapes against AWS's: which members an answer carries, with AWS's defaults. Each row
//! names its source (an API reference example, or a suite that records real AWS answers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests

use iamd_store::Tx;
use iamd_wire::{Params, Value};

use crate::testing::World;
use crate::{Ctx, IamError, account, certificates, policies, roles, users};

type Op = fn(&mut dyn Tx, &Ctx, &Params) -> Result<Value, IamError>;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
const CERT: &str = include_str!("../../certs/testdata/rsa2048.crt");
const SSH_ONE_LINE: &str = include_str!("../../certs/testdata/ssh_rsa2048.pub");
const SSH_SPKI: &str = include_str!("../../certs/testdata/ssh_rsa2048.spki.pem");
const SSH_PKCS1: &str = include_str!("../../certs/testdata/ssh_rsa2048.pkcs1.pem");
const SSH_RFC4716: &str = include_str!("../../certs/testdata/ssh_rsa2048.rfc4716");

fn members(v: &Value) -> Vec<&str> {
    match v {
        Value::Struct(m) => m.iter().map(|(k, _)| k.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// One row: an operation's answer, the structure in it, and the members AWS sends and omits.
struct Row {
    what: &'static str,
    source: &'static str,
    op: Op,
    params: Vec<(&'static str, &'static str)>,
    within: &'static str,
    present: &'static [&'static str],
    absent: &'static [&'static str],
}

#[test]
fn members_follow_aws() {
    let w = World::new();
    w.ok(
        roles::create_role,
        &[("RoleName", "seen"), ("AssumeRolePolicyDocument", TRUST)],
    );
    w.ok(
        policies::create_policy,
        &[("PolicyName", "seen"), ("PolicyDocument", DOC)],
    );
    let local = "arn:aws:iam::123456789012:policy/seen";
    let rows = [
        Row {
            what: "CreateRole",
            source: "LocalStack test_iam_roles.snapshot.json create-role-response (recorded on AWS)",
            op: roles::create_role,
            params: vec![("RoleName", "r1"), ("AssumeRolePolicyDocument", TRUST)],
            within: "Role",
            present: &[
                "Path",
                "RoleName",
                "RoleId",
                "Arn",
                "CreateDate",
                "AssumeRolePolicyDocument",
            ],
            absent: &["MaxSessionDuration", "RoleLastUsed", "Tags"],
        },
        Row {
            what: "UpdateRoleDescription",
            source: "LocalStack test_iam_roles.snapshot.json update-role-description-response",
            op: roles::update_role_description,
            params: vec![("RoleName", "seen"), ("Description", "d")],
            within: "Role",
            present: &["Description", "AssumeRolePolicyDocument"],
            absent: &["MaxSessionDuration", "RoleLastUsed"],
        },
        Row {
            what: "GetRole",
            source: "LocalStack test_iam_roles.snapshot.json get-role-response",
            op: roles::get_role,
            params: vec![("RoleName", "seen")],
            within: "Role",
            present: &["MaxSessionDuration", "RoleLastUsed"],
            absent: &["Tags", "PermissionsBoundary"],
        },
        Row {
            what: "CreatePolicy",
            source: "LocalStack test_iam_policies.snapshot.json create-policy-response",
            op: policies::create_policy,
            params: vec![("PolicyName", "p1"), ("PolicyDocument", DOC)],
            within: "Policy",
            present: &[
                "PolicyName",
                "DefaultVersionId",
                "AttachmentCount",
                "IsAttachable",
            ],
            absent: &["Tags", "Description"],
        },
        Row {
            what: "GetPolicy (customer managed, no tags)",
            source: "LocalStack test_iam_policies.snapshot.json get-policy-response: \"Tags\": []",
            op: policies::get_policy,
            params: vec![("PolicyArn", local)],
            within: "Policy",
            present: &["Tags", "PermissionsBoundaryUsageCount"],
            absent: &["Description"],
        },
        Row {
            what: "GetPolicy (AWS managed)",
            source: "LocalStack test_iam_managed_policies.snapshot.json get-policy: \"Tags\": []",
            op: policies::get_policy,
            params: vec![("PolicyArn", "arn:aws:iam::aws:policy/IAMUserChangePassword")],
            within: "Policy",
            present: &["Tags", "Description"],
            absent: &[],
        },
        Row {
            what: "CreateUser",
            source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html example",
            op: users::create_user,
            params: vec![("UserName", "u1")],
            within: "User",
            present: &["Path", "UserName", "UserId", "Arn", "CreateDate"],
            absent: &["Tags", "PasswordLastUsed", "PermissionsBoundary"],
        },
    ];
    for r in rows {
        let p: Vec<(&str, &str)> = r.params.clone();
        let out = w
            .call(r.op, &p)
            .unwrap_or_else(|e| panic!("{}: {e:?}", r.what));
        let inner = out
            .get(r.within)
            .unwrap_or_else(|| panic!("{}: no {}", r.what, r.within));
        let got = members(inner);
        for m in r.present {
            assert!(
                got.contains(m),
                "{} lacks {m} ({}): {got:?}",
                r.what,
                r.source
            );
        }
        for m in r.absent {
            assert!(
                !got.contains(m),
                "{} has {m} ({}): {got:?}",
                r.what,
                r.source
            );
        }
    }
    // GetPolicy's empty Tags is a list, encoded `<Tags/>`-like: `<Tags></Tags>`.
    let v = w.ok(policies::get_policy, &[("PolicyArn", local)]);
    assert_eq!(
        v.get("Policy").unwrap().get("Tags"),
        Some(&Value::List(vec![]))
    );
}

/// Instance profiles (LocalStack's test_iam_instance_profiles.snapshot.json, recorded on AWS in
/// 2026, and the API reference's GetInstanceProfile example): GetInstanceProfile sends `Tags`
/// even when empty, CreateInstanceProfile and ListInstanceProfilesForRole do not; the roles
/// inside carry no `MaxSessionDuration` nor `RoleLastUsed`.
#[test]
fn instance_profile_members_follow_aws() {
    let w = World::new();
    w.ok(
        roles::create_role,
        &[("RoleName", "r"), ("AssumeRolePolicyDocument", TRUST)],
    );
    let created = w.ok(
        roles::create_instance_profile,
        &[("InstanceProfileName", "ip")],
    );
    assert!(!members(created.get("InstanceProfile").unwrap()).contains(&"Tags"));
    w.ok(
        roles::add_role_to_instance_profile,
        &[("InstanceProfileName", "ip"), ("RoleName", "r")],
    );
    let got = w.ok(
        roles::get_instance_profile,
        &[("InstanceProfileName", "ip")],
    );
    let ip = got.get("InstanceProfile").unwrap();
    assert_eq!(ip.get("Tags"), Some(&Value::List(vec![])));
    let role = &ip.get("Roles").and_then(Value::as_list).unwrap()[0];
    assert_eq!(
        members(role),
        [
            "Path",
            "RoleName",
            "RoleId",
            "Arn",
            "CreateDate",
            "AssumeRolePolicyDocument"
        ]
    );
    let listed = w.ok(roles::list_instance_profiles_for_role, &[("RoleName", "r")]);
    let first = &listed
        .get("InstanceProfiles")
        .and_then(Value::as_list)
        .unwrap()[0];
    assert!(!members(first).contains(&"Tags"));
    let role = &first.get("Roles").and_then(Value::as_list).unwrap()[0];
    assert!(!members(role).contains(&"MaxSessionDuration"));
}

#[test]
fn signing_certificate_body_comes_back_byte_for_byte() {
    let w = World::new();
    w.ok(users::create_user, &[("UserName", "u")]);
    // The file ends with a newline; a body with CRLF or extra blank lines also comes back as is.
    let crlf = CERT.replace('\n', "\r\n");
    for (n, body) in [CERT.to_string(), crlf].into_iter().enumerate() {
        let up = w.ok(
            certificates::upload_signing_certificate,
            &[("UserName", "u"), ("CertificateBody", &body)],
        );
        let c = up.get("Certificate").unwrap();
        assert_eq!(
            c.get("CertificateBody").and_then(Value::as_str),
            Some(body.as_str()),
            "{n}"
        );
        let id = c
            .get("CertificateId")
            .and_then(Value::as_str)
            .unwrap()
            .to_string();
        let list = w.ok(
            certificates::list_signing_certificates,
            &[("UserName", "u")],
        );
        let listed = list.get("Certificates").and_then(Value::as_list).unwrap();
        let mine = listed
            .iter()
            .find(|c| c.get("CertificateId").and_then(Value::as_str) == Some(id.as_str()))
            .unwrap();
        assert_eq!(
            mine.get("CertificateBody").and_then(Value::as_str),
            Some(body.as_str())
        );
        w.ok(
            certificates::delete_signing_certificate,
            &[("UserName", "u"), ("CertificateId", &id)],
        );
    }
}

#[test]
fn ssh_public_key_bodies_per_encoding() {
    let w = World::new();
    w.ok(users::create_user, &[("UserName", "u")]);
    let one_line = SSH_ONE_LINE.trim();
    // "ssh-rsa AAAA…" without the comment.
    let bare: String = one_line.split(' ').take(2).collect::<Vec<_>>().join(" ");
    let spki = SSH_SPKI.trim();
    let with_comment = format!("{bare} someone@example.com\n");
    // (uploaded, SSH answer, PEM answer)
    let rows: [(&str, &str, &str); 4] = [
        // SSH strips the comment; PEM gives the upload back (terraform-provider-aws#2522).
        (&with_comment, &bare, with_comment.trim()),
        // A PEM upload comes back under PEM as uploaded (the provider's PEM acceptance test).
        (SSH_SPKI, &bare, spki),
        (SSH_PKCS1, &bare, SSH_PKCS1.trim()),
        // RFC 4716 is no PEM: PEM is the SubjectPublicKeyInfo form.
        (SSH_RFC4716, &bare, spki),
    ];
    for (n, (upload, ssh, pem)) in rows.into_iter().enumerate() {
        let up = w.ok(
            certificates::upload_ssh_public_key,
            &[("UserName", "u"), ("SSHPublicKeyBody", upload)],
        );
        let k = up.get("SSHPublicKey").unwrap();
        assert_eq!(
            k.get("SSHPublicKeyBody").and_then(Value::as_str),
            Some(upload.trim()),
            "{n}"
        );
        let id = k
            .get("SSHPublicKeyId")
            .and_then(Value::as_str)
            .unwrap()
            .to_string();
        for (enc, want) in [("SSH", ssh), ("PEM", pem)] {
            let got = w.ok(
                certificates::get_ssh_public_key,
                &[
                    ("UserName", "u"),
                    ("SSHPublicKeyId", &id),
                    ("Encoding", enc),
                ],
            );
            let body = got.get("SSHPublicKey").unwrap().get("SSHPublicKeyBody");
            assert_eq!(
                body.and_then(Value::as_str).map(str::trim),
                Some(want),
                "{n} {enc}"
            );
        }
        w.ok(
            certificates::delete_ssh_public_key,
            &[("UserName", "u"), ("SSHPublicKeyId", &id)],
        );
    }
}

#[test]
fn credential_report_is_started_then_complete() {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateCredentialReport.html
    let w = World::new();
    let first = w.ok(account::generate_credential_report, &[]);
    assert_eq!(members(&first), ["State", "Description"]);
    assert_eq!(first.get("State").and_then(Value::as_str), Some("STARTED"));
    for _ in 0..2 {
        let later = w.ok(account::generate_credential_report, &[]);
        assert_eq!(members(&later), ["State"]);
        assert_eq!(later.get("State").and_then(Value::as_str), Some("COMPLETE"));
    }
    // The report is there after the first answer already.
    w.ok(account::get_credential_report, &[]);
}
