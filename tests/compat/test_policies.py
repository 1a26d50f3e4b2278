"""Inline and managed policies, versions, attachments, boundaries: AWS's shapes, quotas and errors.

Expectations from the IAM API Reference (CreatePolicyVersion: at most five versions;
DeletePolicyVersion: not the default version; DeletePolicy/DeleteUser/DeleteGroup/DeleteRole:
DeleteConflict while attached; managed policies attached per user/group/role: 10 by default) and
the IAM User Guide (policy grammar: identity policies have no Principal)."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from iamd_harness import allow, deny, error_of, expect, path, policy_doc, recent, text

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
AWS_MANAGED = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess",
               "IAMUserChangePassword", "ReadOnlyAccess"]
POLICY_ID = re.compile(r"^ANPA[A-Z0-9]{17}$")
DOC = policy_doc(allow("iam:ListUsers"))
# Whitespace and order kept as sent: AWS returns the document as it was submitted, URL-encoded.
PRETTY = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]\n}'


@pytest.fixture
def user(iam, uniq):
    name = uniq("pu")
    iam.create_user(UserName=name)
    return name


@pytest.fixture
def group(iam, uniq):
    name = uniq("pg")
    iam.create_group(GroupName=name)
    return name


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def role(iam, uniq):
    name = uniq("pr")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    return name


@pytest.fixture
def policy(iam, uniq):
    def make(doc=DOC, **kw):
        return iam.create_policy(PolicyName=uniq("mp"), PolicyDocument=doc, **kw)["Policy"]
    return make


def raw_document(resp, field: str) -> str:
    node = resp.xml().iter()
    for el in node:
        if el.tag.rsplit("}", 1)[-1] == field:
            return el.text or ""
    raise AssertionError(f"no {field} in {resp.body[:500]!r}")


# ---- inline policies --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policy_crud(iam, server, user, group, role, kind):
    ent = {"user": user, "group": group, "role": role}[kind]
    K = kind.capitalize()
    put, get = getattr(iam, f"put_{kind}_policy"), getattr(iam, f"get_{kind}_policy")
    lst, delete = getattr(iam, f"list_{kind}_policies"), getattr(iam, f"delete_{kind}_policy")
    key = {f"{K}Name": ent}

    assert lst(**key)["PolicyNames"] == []
    put(**key, PolicyName="b-pol", PolicyDocument=DOC)
    put(**key, PolicyName="a-pol", PolicyDocument=PRETTY)
    r = get(**key, PolicyName="a-pol")
    assert r[f"{K}Name"] == ent and r["PolicyName"] == "a-pol"
    assert r["PolicyDocument"] == json.loads(PRETTY)  # boto3 URL-decodes and parses it
    assert lst(**key)["PolicyNames"] == ["a-pol", "b-pol"]

    raw = server.iam_call(f"Get{K}Policy", {f"{K}Name": ent, "PolicyName": "a-pol"})
    assert raw.status == 200, raw
    enc = raw_document(raw, "PolicyDocument")
    assert enc.startswith("%7B%0A%20%20%22Version%22"), enc
    assert urllib.parse.unquote(enc) == PRETTY

    put(**key, PolicyName="a-pol", PolicyDocument=DOC)  # replaces
    assert get(**key, PolicyName="a-pol")["PolicyDocument"] == json.loads(DOC)
    delete(**key, PolicyName="a-pol")
    assert lst(**key)["PolicyNames"] == ["b-pol"]
    expect("NoSuchEntity", 404, get, **key, PolicyName="a-pol")
    expect("NoSuchEntity", 404, delete, **key, PolicyName="a-pol")


def test_inline_policy_on_missing_entity(iam, uniq):
    expect("NoSuchEntity", 404, iam.put_user_policy, UserName=uniq("nope"), PolicyName="p", PolicyDocument=DOC)
    expect("NoSuchEntity", 404, iam.list_group_policies, GroupName=uniq("nope"))
    expect("NoSuchEntity", 404, iam.get_role_policy, RoleName=uniq("nope"), PolicyName="p")


def test_inline_policy_list_pagination(iam, user):
    for i in range(5):
        iam.put_user_policy(UserName=user, PolicyName=f"p{i}", PolicyDocument=DOC)
    first = iam.list_user_policies(UserName=user, MaxItems=2)
    assert first["PolicyNames"] == ["p0", "p1"] and first["IsTruncated"] is True
    rest = iam.list_user_policies(UserName=user, Marker=first["Marker"])
    assert rest["PolicyNames"] == ["p2", "p3", "p4"] and rest["IsTruncated"] is False


def test_inline_user_policy_aggregate_size(iam, user):
    # Inline user policies: 2,048 characters in aggregate (whitespace excluded).
    big = policy_doc(allow([f"iam:Get{'X' * 30}{i}" for i in range(60)]))
    assert len(re.sub(r"\s", "", big)) > 2048
    expect("LimitExceeded", 409, iam.put_user_policy, UserName=user, PolicyName="big", PolicyDocument=big)


# ---- MalformedPolicyDocument ------------------------------------------------------------------


BAD_IDENTITY_DOCS = {
    "not-json": '{"Version": "2012-10-17", "Statement": [',
    "principal": policy_doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "iam:*", "Resource": "*"}),
    "bad-effect": policy_doc({"Effect": "Maybe", "Action": "iam:*", "Resource": "*"}),
    "no-action": policy_doc({"Effect": "Allow", "Resource": "*"}),
    "bad-version": json.dumps({"Version": "2099-01-01", "Statement": [allow("iam:*")]}),
}


@pytest.mark.parametrize("case", sorted(BAD_IDENTITY_DOCS))
def test_malformed_identity_policy(iam, user, uniq, case):
    doc = BAD_IDENTITY_DOCS[case]
    expect("MalformedPolicyDocument", 400, iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=doc)
    expect("MalformedPolicyDocument", 400, iam.create_policy, PolicyName=uniq("bad"), PolicyDocument=doc)
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []


def test_malformed_policy_version(iam, policy):
    arn = policy()["Arn"]
    expect("MalformedPolicyDocument", 400, iam.create_policy_version, PolicyArn=arn,
           PolicyDocument=BAD_IDENTITY_DOCS["principal"])
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]


# What each API answers, in AWS's words: a managed policy needs Version 2012-10-17, an inline
# one does not; unknown condition operators and condition keys without a vendor are accepted.
VERSION_MSG = "Policy document must be version 2012-10-17 or greater."
NO_VERSION = json.dumps({"Statement": [allow("iam:ListUsers")]})
OLD_VERSION = json.dumps({"Version": "2008-10-17", "Statement": [allow("iam:ListUsers")]})


@pytest.mark.parametrize("doc", [NO_VERSION, OLD_VERSION], ids=["no-version", "2008-10-17"])
def test_managed_policy_needs_version_2012_10_17(iam, user, policy, uniq, account_id, doc):
    name = uniq("nov")
    e = expect("MalformedPolicyDocument", 400, iam.create_policy, PolicyName=name, PolicyDocument=doc)
    assert e.response["Error"]["Message"] == VERSION_MSG
    expect("NoSuchEntity", 404, iam.get_policy, PolicyArn=f"arn:aws:iam::{account_id}:policy/{name}")
    arn = policy()["Arn"]
    e = expect("MalformedPolicyDocument", 400, iam.create_policy_version, PolicyArn=arn, PolicyDocument=doc)
    assert e.response["Error"]["Message"] == VERSION_MSG
    # An inline policy may omit Version or use 2008-10-17.
    iam.put_user_policy(UserName=user, PolicyName="legacy", PolicyDocument=doc)
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["legacy"]


def test_lenient_conditions_accepted(iam, user, role, policy):
    doc = policy_doc(allow("iam:ListUsers", Condition={
        "StringEqualsSomeday": {"aws:username": "bob"},     # an operator IAM does not know
        "StringEquals": {"username": "bob",                 # a key without a vendor
                         "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b"},  # two colons
    }))
    iam.put_user_policy(UserName=user, PolicyName="lenient", PolicyDocument=doc)
    iam.put_role_policy(RoleName=role, PolicyName="lenient", PolicyDocument=doc)
    policy(doc=doc)


# ---- managed policies -------------------------------------------------------------------------


def test_create_policy_shape(iam, server, account_id, uniq):
    name = uniq("mp")
    p = iam.create_policy(PolicyName=name, Path="/team/", PolicyDocument=PRETTY, Description="for tests",
                          Tags=[{"Key": "team", "Value": "core"}])["Policy"]
    assert p["PolicyName"] == name and p["Path"] == "/team/"
    assert p["Arn"] == f"arn:aws:iam::{account_id}:policy/team/{name}"
    assert POLICY_ID.match(p["PolicyId"]), p["PolicyId"]
    assert p["DefaultVersionId"] == "v1"
    assert p["AttachmentCount"] == 0 and p["PermissionsBoundaryUsageCount"] == 0
    assert p["IsAttachable"] is True
    assert recent(p["CreateDate"]) and recent(p["UpdateDate"])
    assert p["Tags"] == [{"Key": "team", "Value": "core"}]

    g = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
    assert {k: g[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount")} == \
           {k: p[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount")}
    assert g["Description"] == "for tests"

    v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
    assert v["VersionId"] == "v1" and v["IsDefaultVersion"] is True
    assert v["Document"] == json.loads(PRETTY)
    raw = server.iam_call("GetPolicyVersion", {"PolicyArn": p["Arn"], "VersionId": "v1"})
    enc = raw_document(raw, "Document")
    assert enc.startswith("%7B%0A%20%20%22Version%22"), enc
    assert urllib.parse.unquote(enc) == PRETTY

    expect("EntityAlreadyExists", 409, iam.create_policy, PolicyName=name, PolicyDocument=DOC)
    expect("EntityAlreadyExists", 409, iam.create_policy, PolicyName=name, Path="/other/", PolicyDocument=DOC)


def test_get_missing_policy(iam, account_id, uniq):
    arn = f"arn:aws:iam::{account_id}:policy/{uniq('missing')}"
    expect("NoSuchEntity", 404, iam.get_policy, PolicyArn=arn)
    expect("NoSuchEntity", 404, iam.delete_policy, PolicyArn=arn)
    expect("NoSuchEntity", 404, iam.get_policy_version, PolicyArn=arn, VersionId="v1")


def test_list_policies_scope_path_and_only_attached(iam, policy, user, uniq):
    prefix = f"/{uniq('lp')}/"
    a = policy(Path=prefix)
    b = policy(Path=prefix)
    local = {p["Arn"] for p in iam.get_paginator("list_policies").paginate(Scope="Local", PathPrefix=prefix)
             .build_full_result()["Policies"]}
    assert local == {a["Arn"], b["Arn"]}

    aws = {p["PolicyName"]: p for p in iam.get_paginator("list_policies").paginate(Scope="AWS")
           .build_full_result()["Policies"]}
    for name in AWS_MANAGED:
        assert aws[name]["Arn"] == f"arn:aws:iam::aws:policy/{name}"
        assert aws[name]["IsAttachable"] is True
    assert a["PolicyName"] not in aws

    iam.attach_user_policy(UserName=user, PolicyArn=a["Arn"])
    attached = {p["Arn"] for p in iam.list_policies(Scope="Local", PathPrefix=prefix, OnlyAttached=True)["Policies"]}
    assert attached == {a["Arn"]}


def test_aws_managed_policies(iam):
    for name in AWS_MANAGED:
        p = iam.get_policy(PolicyArn=f"arn:aws:iam::aws:policy/{name}")["Policy"]
        assert p["PolicyName"] == name and p["Path"] == "/" and p["IsAttachable"] is True
        v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]
        assert v["IsDefaultVersion"] is True and v["Document"]["Statement"]
    admin = iam.get_policy_version(PolicyArn=ADMIN, VersionId=iam.get_policy(PolicyArn=ADMIN)["Policy"]["DefaultVersionId"])
    assert admin["PolicyVersion"]["Document"]["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


def test_policy_tags(iam, policy):
    arn = policy()["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert sorted(t["Key"] for t in iam.list_policy_tags(PolicyArn=arn)["Tags"]) == ["a", "b"]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


# ---- versions -----------------------------------------------------------------------------------


def test_policy_versions_limit_and_default(iam, policy):
    arn = policy()["Arn"]
    for i in range(2, 6):
        v = iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy_doc(allow(f"iam:Get{i}")))["PolicyVersion"]
        assert v["VersionId"] == f"v{i}" and v["IsDefaultVersion"] is False and recent(v["CreateDate"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    e = expect("LimitExceeded", 409, iam.create_policy_version, PolicyArn=arn, PolicyDocument=DOC)
    assert "five" in e.response["Error"]["Message"].lower() or "5" in e.response["Error"]["Message"]

    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v2", "v3", "v4", "v5"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v1"]

    expect("DeleteConflict", 409, iam.delete_policy_version, PolicyArn=arn, VersionId="v1")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["IsDefaultVersion"] is False
    expect("DeleteConflict", 409, iam.delete_policy_version, PolicyArn=arn, VersionId="v3")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    expect("NoSuchEntity", 404, iam.get_policy_version, PolicyArn=arn, VersionId="v1")
    expect("NoSuchEntity", 404, iam.set_default_policy_version, PolicyArn=arn, VersionId="v1")
    # Version IDs are never reused: the next one is v6.
    v = iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOC, SetAsDefault=True)["PolicyVersion"]
    assert v["VersionId"] == "v6" and v["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"


def test_delete_policy_conflicts(iam, policy, user, group, role):
    arn = policy()["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOC)
    expect("DeleteConflict", 409, iam.delete_policy, PolicyArn=arn)  # non-default versions remain
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    for attach, detach, key in [(iam.attach_user_policy, iam.detach_user_policy, {"UserName": user}),
                                (iam.attach_group_policy, iam.detach_group_policy, {"GroupName": group}),
                                (iam.attach_role_policy, iam.detach_role_policy, {"RoleName": role})]:
        attach(**key, PolicyArn=arn)
        expect("DeleteConflict", 409, iam.delete_policy, PolicyArn=arn)
        detach(**key, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    expect("NoSuchEntity", 404, iam.get_policy, PolicyArn=arn)


# ---- attachments --------------------------------------------------------------------------------


def test_attachments_and_entities_for_policy(iam, policy, user, group, role):
    arn = policy()["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)  # attaching twice is not an error, nor counted twice
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    name = arn.rsplit("/", 1)[1]
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == [{"PolicyName": name, "PolicyArn": arn}]
    assert iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"] == [{"PolicyName": name, "PolicyArn": arn}]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == [{"PolicyName": name, "PolicyArn": arn}]

    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in ents["PolicyUsers"]] == [user]
    assert [g["GroupName"] for g in ents["PolicyGroups"]] == [group]
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == [role]
    assert ents["PolicyUsers"][0]["UserId"].startswith("AIDA")
    assert ents["PolicyRoles"][0]["RoleId"].startswith("AROA")
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1

    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    expect("NoSuchEntity", 404, iam.detach_user_policy, UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2


def test_attach_aws_managed_counts(iam, user):
    before = iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"]
    iam.attach_user_policy(UserName=user, PolicyArn=READ_ONLY)
    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == before + 1
    iam.detach_user_policy(UserName=user, PolicyArn=READ_ONLY)


def test_attach_missing_policy_or_entity(iam, account_id, user, uniq):
    missing = f"arn:aws:iam::{account_id}:policy/{uniq('gone')}"
    expect("NoSuchEntity", 404, iam.attach_user_policy, UserName=user, PolicyArn=missing)
    expect("NoSuchEntity", 404, iam.attach_user_policy, UserName=uniq("gone"), PolicyArn=READ_ONLY)
    expect("NoSuchEntity", 404, iam.attach_group_policy, GroupName=uniq("gone"), PolicyArn=READ_ONLY)
    expect("NoSuchEntity", 404, iam.attach_role_policy, RoleName=uniq("gone"), PolicyArn=READ_ONLY)


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_attached_policies_quota(iam, policy, user, group, role, kind):
    ent = {"user": user, "group": group, "role": role}[kind]
    attach = getattr(iam, f"attach_{kind}_policy")
    key = {f"{kind.capitalize()}Name": ent}
    for _ in range(10):
        attach(**key, PolicyArn=policy()["Arn"])
    expect("LimitExceeded", 409, attach, **key, PolicyArn=policy()["Arn"])
    assert len(getattr(iam, f"list_attached_{kind}_policies")(**key)["AttachedPolicies"]) == 10


# ---- DeleteConflict for entities with policies ------------------------------------------------


def test_delete_user_conflicts(iam, user, policy):
    arn = policy()["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    expect("DeleteConflict", 409, iam.delete_user, UserName=user)
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=DOC)
    expect("DeleteConflict", 409, iam.delete_user, UserName=user)
    iam.delete_user_policy(UserName=user, PolicyName="p")
    key = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    expect("DeleteConflict", 409, iam.delete_user, UserName=user)
    iam.delete_access_key(UserName=user, AccessKeyId=key)
    iam.delete_user(UserName=user)


def test_delete_group_conflicts(iam, group, policy):
    arn = policy()["Arn"]
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    expect("DeleteConflict", 409, iam.delete_group, GroupName=group)
    iam.detach_group_policy(GroupName=group, PolicyArn=arn)
    iam.put_group_policy(GroupName=group, PolicyName="p", PolicyDocument=DOC)
    expect("DeleteConflict", 409, iam.delete_group, GroupName=group)
    iam.delete_group_policy(GroupName=group, PolicyName="p")
    iam.delete_group(GroupName=group)


# ---- permissions boundaries --------------------------------------------------------------------


def test_user_permissions_boundary_lifecycle(iam, user, policy):
    p = policy()
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=p["Arn"])
    assert iam.get_user(UserName=user)["User"]["PermissionsBoundary"] == \
        {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": p["Arn"]}
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["PermissionsBoundaryUsageCount"] == 1
    # A boundary is not an attachment.
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["AttachmentCount"] == 0
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    iam.delete_user_permissions_boundary(UserName=user)
    assert "PermissionsBoundary" not in iam.get_user(UserName=user)["User"]
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["PermissionsBoundaryUsageCount"] == 0


def test_boundary_must_exist(iam, user, account_id, uniq):
    missing = f"arn:aws:iam::{account_id}:policy/{uniq('gone')}"
    # The API reference lists both NoSuchEntity and InvalidInput for an unusable boundary ARN.
    with pytest.raises(ClientError) as ei:
        iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=missing)
    assert error_of(ei.value) in {("NoSuchEntity", 404), ("InvalidInput", 400)}, ei.value.response
    assert "PermissionsBoundary" not in iam.get_user(UserName=user)["User"]


def test_create_user_with_permissions_boundary(iam, uniq, policy):
    arn = policy()["Arn"]
    name = uniq("cub")
    u = iam.create_user(UserName=name, PermissionsBoundary=arn)["User"]
    assert u["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    assert iam.get_user(UserName=name)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn


def test_cli_policy_lifecycle(server, uniq):
    cli = server.cli
    name = uniq("clip")
    r = cli("iam", "create-policy", "--policy-name", name, "--policy-document", DOC)
    assert r.rc == 0, r
    arn = r.json["Policy"]["Arn"]
    r = cli("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert r.rc == 0, r
    assert r.json["PolicyVersion"]["Document"] == json.loads(DOC)
    user = uniq("clipu")
    assert cli("iam", "create-user", "--user-name", user).rc == 0
    assert cli("iam", "attach-user-policy", "--user-name", user, "--policy-arn", arn).rc == 0
    r = cli("iam", "delete-policy", "--policy-arn", arn)
    assert r.rc != 0 and "(DeleteConflict)" in r.stderr, r
    assert cli("iam", "detach-user-policy", "--user-name", user, "--policy-arn", arn).rc == 0
    assert cli("iam", "delete-policy", "--policy-arn", arn).rc == 0


# ---- AWS managed policies: AWS's full set (1,582, from moto's copy of ListPolicies) -------------


LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LAMBDA_EXECUTE = "arn:aws:iam::aws:policy/AWSLambdaExecute"
FULL_READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_attach_aws_lambda_execute_to_a_role(iam, role):
    iam.attach_role_policy(RoleName=role, PolicyArn=LAMBDA_EXECUTE)
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == \
        [{"PolicyName": "AWSLambdaExecute", "PolicyArn": LAMBDA_EXECUTE}]
    assert iam.get_policy(PolicyArn=LAMBDA_EXECUTE)["Policy"]["AttachmentCount"] >= 1
    entities = iam.list_entities_for_policy(PolicyArn=LAMBDA_EXECUTE)
    assert role in [r["RoleName"] for r in entities["PolicyRoles"]]
    iam.detach_role_policy(RoleName=role, PolicyArn=LAMBDA_EXECUTE)
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []


def test_get_aws_policy_under_a_path(iam):
    p = iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]
    assert p["PolicyName"] == "AWSLambdaBasicExecutionRole" and p["Path"] == "/service-role/"
    assert p["Arn"] == LAMBDA_BASIC and POLICY_ID.match(p["PolicyId"]) and p["IsAttachable"] is True
    assert p["DefaultVersionId"] == "v1"
    assert p["CreateDate"].year == 2015
    v = iam.get_policy_version(PolicyArn=LAMBDA_BASIC, VersionId="v1")["PolicyVersion"]
    assert v["IsDefaultVersion"] is True
    assert v["Document"]["Statement"][0]["Action"] == \
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    # The path is part of the ARN.
    expect("NoSuchEntity", 404, iam.get_policy, PolicyArn="arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")
    expect("UnmodifiableEntity", 400, iam.create_policy_version, PolicyArn=LAMBDA_BASIC, PolicyDocument=DOC)


def test_list_aws_policies_pages_through_all(iam):
    names, pages, marker = [], 0, None
    while True:
        kw = {"Marker": marker} if marker else {}
        r = iam.list_policies(Scope="AWS", MaxItems=100, **kw)
        pages += 1
        assert len(r["Policies"]) <= 100
        assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in r["Policies"])
        names += [p["PolicyName"] for p in r["Policies"]]
        if not r["IsTruncated"]:
            assert "Marker" not in r
            break
        assert len(r["Policies"]) == 100
        marker = r["Marker"]
    assert 1500 <= len(names) <= 2500, len(names)
    assert len(set(names)) == len(names)
    assert pages == (len(names) + 99) // 100
    assert {"AWSLambdaBasicExecutionRole", "AWSLambdaExecute", "ReadOnlyAccess"} <= set(names)
    # The paginator agrees, and PathPrefix filters before paging.
    assert len(iam.get_paginator("list_policies").paginate(Scope="AWS").build_full_result()["Policies"]) == \
        len(names)
    roles = iam.get_paginator("list_policies").paginate(Scope="AWS", PathPrefix="/service-role/") \
        .build_full_result()["Policies"]
    assert roles and all(p["Path"] == "/service-role/" for p in roles)
    assert "AWSLambdaBasicExecutionRole" in [p["PolicyName"] for p in roles]


def test_read_only_access_is_the_full_policy(iam):
    p = iam.get_policy(PolicyArn=FULL_READ_ONLY)["Policy"]
    doc = iam.get_policy_version(PolicyArn=FULL_READ_ONLY, VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
    actions = [a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    # AWS's ReadOnlyAccess names the read actions of every service: well over a thousand.
    assert len(actions) > 1000, len(actions)
    for a in ("ec2:Describe*", "s3:Get*", "dynamodb:Query", "iam:Get*", "cloudtrail:LookupEvents"):
        assert a in actions, a
    assert len(json.dumps(doc)) > 6144  # far over the customer managed policy quota
