"""Response shapes compared with AWS's, on the raw XML: which members an answer carries (an
empty `<Tags/>` where AWS sends one, nothing where AWS omits a member), bodies returned byte for
byte, GenerateCredentialReport's states, and Marker validation.

Sources: the IAM API reference's examples, and LocalStack's snapshots recorded against AWS
(tests/aws/services/iam/*.snapshot.json)."""

from __future__ import annotations

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from iamd_harness import IAM_NS, unique
from test_credentials import self_signed, ssh_keypair

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
DOC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})


def result(server, action, params=None):
    r = server.iam_call(action, params or {})
    assert r.status == 200, r.body[:500]
    res = r.xml().find(f"{{{IAM_NS}}}{action}Result")
    assert res is not None, r.body[:500]
    return res


def children(el) -> list[str]:
    return [c.tag.split("}", 1)[1] for c in el]


def child(el, name):
    c = el.find(f"{{{IAM_NS}}}{name}")
    assert c is not None, f"no {name} in {children(el)}"
    return c


# (action, params, structure, members AWS sends, members AWS omits, source)
SHAPES = [
    ("CreateRole", {"AssumeRolePolicyDocument": TRUST}, "Role",
     ["Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument"],
     ["MaxSessionDuration", "RoleLastUsed", "Tags"], "test_iam_roles.snapshot.json create-role-response"),
    ("GetRole", {}, "Role", ["MaxSessionDuration", "RoleLastUsed"], ["Tags"],
     "test_iam_roles.snapshot.json get-role-response"),
    ("UpdateRoleDescription", {"Description": "d"}, "Role", ["Description"],
     ["MaxSessionDuration", "RoleLastUsed"], "test_iam_roles.snapshot.json update-role-description-response"),
    ("CreatePolicy", {"PolicyDocument": DOC}, "Policy",
     ["PolicyName", "PolicyId", "Arn", "DefaultVersionId", "AttachmentCount", "IsAttachable"],
     ["Tags", "Description"], "test_iam_policies.snapshot.json create-policy-response"),
    ("GetPolicy", {}, "Policy", ["Tags", "PermissionsBoundaryUsageCount"], ["Description"],
     "test_iam_policies.snapshot.json get-policy-response"),
]


@pytest.mark.parametrize("action,extra,within,present,absent,source", SHAPES, ids=[s[0] for s in SHAPES])
def test_members_as_aws(server, account_id, action, extra, within, present, absent, source):
    name = unique("shape")
    if action in ("GetRole", "UpdateRoleDescription"):
        server.iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    if action == "GetPolicy":
        server.iam.create_policy(PolicyName=name, PolicyDocument=DOC)
    params = dict(extra)
    if "Role" in action:
        params["RoleName"] = name
    elif action == "CreatePolicy":
        params["PolicyName"] = name
    else:
        params["PolicyArn"] = f"arn:aws:iam::{account_id}:policy/{name}"
    el = child(result(server, action, params), within)
    got = children(el)
    for m in present:
        assert m in got, f"{action} lacks {m} ({source}): {got}"
    for m in absent:
        assert m not in got, f"{action} has {m} ({source}): {got}"


def test_get_policy_sends_empty_tags(server, account_id):
    name = unique("shape")
    server.iam.create_policy(PolicyName=name, PolicyDocument=DOC)
    for arn in (f"arn:aws:iam::{account_id}:policy/{name}", "arn:aws:iam::aws:policy/IAMUserChangePassword"):
        tags = child(child(result(server, "GetPolicy", {"PolicyArn": arn}), "Policy"), "Tags")
        assert list(tags) == [] and not (tags.text or "").strip()
        assert server.iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == []


def test_signing_certificate_body_byte_for_byte(server):
    user = unique("cert")
    server.iam.create_user(UserName=user)
    pem, _, _ = self_signed()
    assert pem.endswith("-----\n")
    for body in (pem, pem.replace("\n", "\r\n")):
        up = server.iam.upload_signing_certificate(UserName=user, CertificateBody=body)["Certificate"]
        assert up["CertificateBody"] == body
        [listed] = server.iam.list_signing_certificates(UserName=user)["Certificates"]
        assert listed["CertificateBody"] == body
        server.iam.delete_signing_certificate(UserName=user, CertificateId=up["CertificateId"])


def test_ssh_key_bodies_per_encoding(server, tmp_path):
    user = unique("ssh")
    server.iam.create_user(UserName=user)
    one_line, _, pub = ssh_keypair(tmp_path)          # "ssh-rsa AAAA… test@iamd"
    bare = " ".join(one_line.split()[:2])
    pem = subprocess.run(["ssh-keygen", "-e", "-m", "PKCS8", "-f", str(pub)], check=True,
                         capture_output=True, text=True).stdout
    up = server.iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=one_line)["SSHPublicKey"]
    assert up["SSHPublicKeyBody"] == one_line

    def get(key_id, enc):
        return server.iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id,
                                             Encoding=enc)["SSHPublicKey"]["SSHPublicKeyBody"]

    # SSH: the one-line form without the comment; PEM: the body as uploaded.
    assert get(up["SSHPublicKeyId"], "SSH") == bare
    assert get(up["SSHPublicKeyId"], "PEM") == one_line
    server.iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=up["SSHPublicKeyId"])
    up = server.iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pem)["SSHPublicKey"]
    assert get(up["SSHPublicKeyId"], "SSH") == bare
    assert get(up["SSHPublicKeyId"], "PEM").strip("\n") == pem.strip("\n")


def test_generate_credential_report_started_then_complete(server_factory):
    s = server_factory("report")
    first = result(s, "GenerateCredentialReport")
    assert children(first) == ["State", "Description"]
    assert child(first, "State").text == "STARTED"
    assert child(first, "Description").text == "No report exists. Starting a new report generation task"
    for _ in range(2):
        later = result(s, "GenerateCredentialReport")
        assert children(later) == ["State"] and child(later, "State").text == "COMPLETE"
    assert s.iam.get_credential_report()["ReportFormat"] == "text/csv"


@pytest.fixture(scope="module")
def paged(server):
    """Three users (one with three tags) and three groups, to page over one at a time."""
    users = [unique("pg") for _ in range(3)]
    for u in users:
        server.iam.create_user(UserName=u, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(3)])
    for _ in range(3):
        server.iam.create_group(GroupName=unique("pg"))
    return users


def marker_error(server, action, params):
    with pytest.raises(ClientError) as ei:
        getattr(server.iam, action)(**params)
    e = ei.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Message"]


@pytest.mark.parametrize("bad", ["x", "AAAA", "bm90LWEtbWFya2Vy", "!!!!"])
def test_invalid_markers_are_refused(server, paged, bad):
    for action, params in [("list_users", {}), ("list_groups", {}), ("list_roles", {}),
                           ("list_policies", {"Scope": "Local"}),
                           ("list_user_tags", {"UserName": paged[0]})]:
        assert marker_error(server, action, {**params, "Marker": bad}) == \
            ("ValidationError", 400, "Invalid Marker."), action


def test_marker_is_valid_only_for_its_own_list(server, paged):
    m_users = server.iam.list_users(MaxItems=1)["Marker"]
    m_groups = server.iam.list_groups(MaxItems=1)["Marker"]
    assert server.iam.list_users(Marker=m_users, MaxItems=1)["Users"]
    assert marker_error(server, "list_groups", {"Marker": m_users}) == ("ValidationError", 400, "Invalid Marker.")
    assert marker_error(server, "list_users", {"Marker": m_groups}) == ("ValidationError", 400, "Invalid Marker.")
    m_tags = server.iam.list_user_tags(UserName=paged[0], MaxItems=1)["Marker"]
    assert [t["Key"] for t in server.iam.list_user_tags(UserName=paged[0], Marker=m_tags)["Tags"]] == ["k1", "k2"]
    for bad in ("0", "01", "-1", "9"):
        assert marker_error(server, "list_user_tags", {"UserName": paged[0], "Marker": bad}) == \
            ("ValidationError", 400, "Invalid Marker."), bad
