"""Roles and instance profiles with boto3: AWS's shapes, validation, conflicts and quotas."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from iamd_harness import allow, expect, policy_doc, recent

ROLE_ID = re.compile(r"^AROA[A-Z0-9]{17}$")
PROFILE_ID = re.compile(r"^AIPA[A-Z0-9]{17}$")
TRUST_EC2 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
DOC = policy_doc(allow("iam:ListUsers"))


def trust_account(account_id):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def role(iam, uniq):
    def make(**kw):
        name = uniq("role")
        kw.setdefault("AssumeRolePolicyDocument", json.dumps(TRUST_EC2))
        return iam.create_role(RoleName=name, **kw)["Role"]
    return make


def test_create_role_shape(iam, server, account_id, uniq):
    name = uniq("role")
    trust = json.dumps(TRUST_EC2)
    r = iam.create_role(RoleName=name, Path="/svc/", AssumeRolePolicyDocument=trust, Description="d",
                        MaxSessionDuration=7200, Tags=[{"Key": "team", "Value": "core"}])["Role"]
    assert r["RoleName"] == name and r["Path"] == "/svc/"
    assert r["Arn"] == f"arn:aws:iam::{account_id}:role/svc/{name}"
    assert ROLE_ID.match(r["RoleId"]), r["RoleId"]
    assert recent(r["CreateDate"])
    assert r["AssumeRolePolicyDocument"] == TRUST_EC2  # boto3 decodes it
    assert r["Description"] == "d"
    assert r["Tags"] == [{"Key": "team", "Value": "core"}]
    # CreateRole's Role has no MaxSessionDuration and no RoleLastUsed: only GetRole's does (API
    # reference example; LocalStack's AWS-recorded test_iam_roles.snapshot.json).
    assert "MaxSessionDuration" not in r and "RoleLastUsed" not in r

    g = iam.get_role(RoleName=name)["Role"]
    for k in ("RoleName", "RoleId", "Arn", "Path", "CreateDate", "Description"):
        assert g[k] == r[k], k
    assert g["MaxSessionDuration"] == 7200
    assert g["AssumeRolePolicyDocument"] == TRUST_EC2
    assert "RoleLastUsed" in g  # an empty structure until the role is used

    raw = server.iam_call("GetRole", {"RoleName": name})
    assert raw.status == 200, raw
    doc = next(el.text for el in raw.xml().iter() if el.tag.endswith("AssumeRolePolicyDocument"))
    assert doc.startswith("%7B%22Version%22"), doc
    assert urllib.parse.unquote(doc) == trust


def test_create_role_defaults(iam, role):
    r = role()
    assert r["Path"] == "/"
    g = iam.get_role(RoleName=r["RoleName"])["Role"]
    assert g["MaxSessionDuration"] == 3600
    assert "Description" not in g or g["Description"] in ("",)
    assert "PermissionsBoundary" not in g


def test_create_role_duplicate_case_insensitive(iam, role):
    r = role()
    expect("EntityAlreadyExists", 409, iam.create_role, RoleName=r["RoleName"].upper(),
           AssumeRolePolicyDocument=json.dumps(TRUST_EC2))


@pytest.mark.parametrize("value", [3599, 43201])
def test_max_session_duration_range(server, uniq, value):
    # botocore checks only the minimum client-side, so send it raw.
    r = server.iam_call("CreateRole", {"RoleName": uniq("msd"), "AssumeRolePolicyDocument": json.dumps(TRUST_EC2),
                                       "MaxSessionDuration": value})
    assert r.status == 400, r
    assert r.error()["Code"] == "ValidationError", r


TRUST_BAD = {
    "no-principal": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]},
    "not-json": "{\"Version\": ",
}


@pytest.mark.parametrize("case", sorted(TRUST_BAD))
def test_malformed_trust_policy(iam, uniq, case):
    doc = TRUST_BAD[case]
    doc = doc if isinstance(doc, str) else json.dumps(doc)
    name = uniq("badtrust")
    expect("MalformedPolicyDocument", 400, iam.create_role, RoleName=name, AssumeRolePolicyDocument=doc)
    expect("NoSuchEntity", 404, iam.get_role, RoleName=name)


def test_trust_policy_that_is_not_json(iam, role, uniq):
    e = expect("MalformedPolicyDocument", 400, iam.create_role, RoleName=uniq("nj"),
               AssumeRolePolicyDocument="this is not json")
    assert e.response["Error"]["Message"] == "This policy contains invalid Json"
    e = expect("MalformedPolicyDocument", 400, iam.update_assume_role_policy, RoleName=role()["RoleName"],
               PolicyDocument="{\"Version\": ")
    assert e.response["Error"]["Message"] == "This policy contains invalid Json"


def test_update_assume_role_policy(iam, role, account_id):
    r = role()
    iam.update_assume_role_policy(RoleName=r["RoleName"], PolicyDocument=json.dumps(trust_account(account_id)))
    assert iam.get_role(RoleName=r["RoleName"])["Role"]["AssumeRolePolicyDocument"] == trust_account(account_id)
    expect("MalformedPolicyDocument", 400, iam.update_assume_role_policy, RoleName=r["RoleName"],
           PolicyDocument=json.dumps(TRUST_BAD["no-principal"]))


def test_update_role_and_description(iam, role):
    r = role(Description="old")
    iam.update_role(RoleName=r["RoleName"], Description="new", MaxSessionDuration=43200)
    g = iam.get_role(RoleName=r["RoleName"])["Role"]
    assert g["Description"] == "new" and g["MaxSessionDuration"] == 43200
    out = iam.update_role_description(RoleName=r["RoleName"], Description="newer")["Role"]
    assert out["RoleName"] == r["RoleName"] and out["Description"] == "newer"
    assert iam.get_role(RoleName=r["RoleName"])["Role"]["Description"] == "newer"


def test_list_roles_path_prefix(iam, role, uniq):
    prefix = f"/{uniq('lr')}/"
    a, b = role(Path=prefix), role(Path=prefix + "sub/")
    role()
    names = [x["RoleName"] for x in iam.list_roles(PathPrefix=prefix)["Roles"]]
    assert sorted(names) == sorted([a["RoleName"], b["RoleName"]])
    page = iam.list_roles(PathPrefix=prefix, MaxItems=1)
    assert len(page["Roles"]) == 1 and page["IsTruncated"] is True
    rest = iam.list_roles(PathPrefix=prefix, Marker=page["Marker"])
    assert len(rest["Roles"]) == 1 and rest["IsTruncated"] is False


def test_role_tags(iam, role):
    r = role()
    iam.tag_role(RoleName=r["RoleName"], Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=r["RoleName"])["Tags"]} == {"a": "1", "b": "2"}
    iam.untag_role(RoleName=r["RoleName"], TagKeys=["a"])
    assert iam.list_role_tags(RoleName=r["RoleName"])["Tags"] == [{"Key": "b", "Value": "2"}]
    assert iam.get_role(RoleName=r["RoleName"])["Role"]["Tags"] == [{"Key": "b", "Value": "2"}]


def test_role_permissions_boundary(iam, role, uniq):
    arn = iam.create_policy(PolicyName=uniq("rb"), PolicyDocument=DOC)["Policy"]["Arn"]
    r = role(PermissionsBoundary=arn)
    assert iam.get_role(RoleName=r["RoleName"])["Role"]["PermissionsBoundary"] == \
        {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    iam.delete_role_permissions_boundary(RoleName=r["RoleName"])
    assert "PermissionsBoundary" not in iam.get_role(RoleName=r["RoleName"])["Role"]
    iam.put_role_permissions_boundary(RoleName=r["RoleName"], PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert iam.get_role(RoleName=r["RoleName"])["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == \
        "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_delete_role_conflicts(iam, role, uniq):
    r = role()
    name = r["RoleName"]
    arn = iam.create_policy(PolicyName=uniq("rp"), PolicyDocument=DOC)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    expect("DeleteConflict", 409, iam.delete_role, RoleName=name)
    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=DOC)
    expect("DeleteConflict", 409, iam.delete_role, RoleName=name)
    iam.delete_role_policy(RoleName=name, PolicyName="inline")
    ip = uniq("ip")
    iam.create_instance_profile(InstanceProfileName=ip)
    iam.add_role_to_instance_profile(InstanceProfileName=ip, RoleName=name)
    expect("DeleteConflict", 409, iam.delete_role, RoleName=name)
    iam.remove_role_from_instance_profile(InstanceProfileName=ip, RoleName=name)
    iam.delete_role(RoleName=name)
    expect("NoSuchEntity", 404, iam.get_role, RoleName=name)
    expect("NoSuchEntity", 404, iam.delete_role, RoleName=name)


# ---- instance profiles ------------------------------------------------------------------------


def test_instance_profile_lifecycle(iam, role, account_id, uniq):
    name = uniq("ip")
    p = iam.create_instance_profile(InstanceProfileName=name, Path="/web/",
                                    Tags=[{"Key": "env", "Value": "t"}])["InstanceProfile"]
    assert p["InstanceProfileName"] == name and p["Path"] == "/web/"
    assert p["Arn"] == f"arn:aws:iam::{account_id}:instance-profile/web/{name}"
    assert PROFILE_ID.match(p["InstanceProfileId"]), p["InstanceProfileId"]
    assert p["Roles"] == [] and recent(p["CreateDate"])
    expect("EntityAlreadyExists", 409, iam.create_instance_profile, InstanceProfileName=name)

    r1, r2 = role(), role()
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=r1["RoleName"])
    g = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert [x["RoleName"] for x in g["Roles"]] == [r1["RoleName"]]
    assert g["Roles"][0]["Arn"] == r1["Arn"]
    # An instance profile holds one role.
    expect("LimitExceeded", 409, iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=r2["RoleName"])
    expect("EntityAlreadyExists", 409, iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=r1["RoleName"])

    for_role = iam.list_instance_profiles_for_role(RoleName=r1["RoleName"])["InstanceProfiles"]
    assert [x["InstanceProfileName"] for x in for_role] == [name]
    assert name in [x["InstanceProfileName"] for x in iam.list_instance_profiles(PathPrefix="/web/")["InstanceProfiles"]]

    expect("DeleteConflict", 409, iam.delete_instance_profile, InstanceProfileName=name)
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=r1["RoleName"])
    expect("NoSuchEntity", 404, iam.remove_role_from_instance_profile, InstanceProfileName=name, RoleName=r1["RoleName"])
    assert iam.list_instance_profiles_for_role(RoleName=r1["RoleName"])["InstanceProfiles"] == []
    iam.delete_instance_profile(InstanceProfileName=name)
    expect("NoSuchEntity", 404, iam.get_instance_profile, InstanceProfileName=name)


def test_instance_profile_tags(iam, uniq):
    name = uniq("ipt")
    iam.create_instance_profile(InstanceProfileName=name)
    iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "a", "Value": "1"}])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [{"Key": "a", "Value": "1"}]
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["a"])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == []


def test_add_missing_role_to_instance_profile(iam, uniq):
    name = uniq("ipm")
    iam.create_instance_profile(InstanceProfileName=name)
    expect("NoSuchEntity", 404, iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=uniq("gone"))
    expect("NoSuchEntity", 404, iam.get_instance_profile, InstanceProfileName=uniq("gone"))


# ---- roles as seen by a non-root user ------------------------------------------------------------


def test_non_root_role_admin_scoped_by_path(principal, iam, account_id, uniq):
    p = principal(inline={"roles": json.loads(policy_doc(
        allow(["iam:CreateRole", "iam:GetRole", "iam:DeleteRole"], f"arn:aws:iam::{account_id}:role/app/*")))})
    name = uniq("app")
    r = p.iam.create_role(RoleName=name, Path="/app/", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))["Role"]
    assert r["Arn"] == f"arn:aws:iam::{account_id}:role/app/{name}"
    assert p.iam.get_role(RoleName=name)["Role"]["RoleId"] == r["RoleId"]
    other = uniq("other")
    from iamd_harness import access_denied
    msg = access_denied(p.iam.create_role, RoleName=other, AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    assert msg == (f"User: {p.arn} is not authorized to perform: iam:CreateRole on resource: "
                   f"arn:aws:iam::{account_id}:role/{other} because no identity-based policy allows the iam:CreateRole action")
    p.iam.delete_role(RoleName=name)
    expect("NoSuchEntity", 404, iam.get_role, RoleName=name)


def test_cli_role_lifecycle(server, uniq):
    cli = server.cli
    name, ip = uniq("clirole"), uniq("cliip")
    r = cli("iam", "create-role", "--role-name", name, "--assume-role-policy-document", json.dumps(TRUST_EC2))
    assert r.rc == 0, r
    assert r.json["Role"]["AssumeRolePolicyDocument"] == TRUST_EC2
    assert cli("iam", "put-role-policy", "--role-name", name, "--policy-name", "p", "--policy-document", DOC).rc == 0
    r = cli("iam", "get-role-policy", "--role-name", name, "--policy-name", "p")
    assert r.rc == 0 and r.json["PolicyDocument"] == json.loads(DOC), r
    assert cli("iam", "create-instance-profile", "--instance-profile-name", ip).rc == 0
    assert cli("iam", "add-role-to-instance-profile", "--instance-profile-name", ip, "--role-name", name).rc == 0
    r = cli("iam", "delete-role", "--role-name", name)
    assert r.rc != 0 and "(DeleteConflict)" in r.stderr, r
    assert cli("iam", "remove-role-from-instance-profile", "--instance-profile-name", ip, "--role-name", name).rc == 0
    assert cli("iam", "delete-role-policy", "--role-name", name, "--policy-name", "p").rc == 0
    assert cli("iam", "delete-role", "--role-name", name).rc == 0
    assert cli("iam", "delete-instance-profile", "--instance-profile-name", ip).rc == 0


def test_add_role_to_instance_profile_needs_pass_role(principal, iam, role, account_id, uniq):
    # API reference: "The caller of this operation must be granted the PassRole permission on the
    # IAM role by a permissions policy."
    from iamd_harness import access_denied
    r = role()
    ip = uniq("ipp")
    iam.create_instance_profile(InstanceProfileName=ip)
    p = principal(inline={"ip": json.loads(policy_doc(allow("iam:AddRoleToInstanceProfile")))})
    msg = access_denied(p.iam.add_role_to_instance_profile, InstanceProfileName=ip, RoleName=r["RoleName"])
    assert f"is not authorized to perform: iam:PassRole on resource: {r['Arn']}" in msg, msg
    assert iam.get_instance_profile(InstanceProfileName=ip)["InstanceProfile"]["Roles"] == []

    iam.put_user_policy(UserName=p.name, PolicyName="pass", PolicyDocument=policy_doc(allow("iam:PassRole", r["Arn"])))
    p.iam.add_role_to_instance_profile(InstanceProfileName=ip, RoleName=r["RoleName"])
    assert [x["RoleName"] for x in iam.get_instance_profile(InstanceProfileName=ip)["InstanceProfile"]["Roles"]] == \
        [r["RoleName"]]


@pytest.mark.parametrize("key", ["aws:ResourceTag/team", "iam:ResourceTag/team"])
def test_role_resource_tag_condition(principal, iam, role, key):
    from iamd_harness import access_denied
    core = role(Tags=[{"Key": "team", "Value": "core"}])
    dev = role(Tags=[{"Key": "team", "Value": "dev"}])
    p = principal(inline={"r": json.loads(policy_doc(allow(
        ["iam:UpdateRoleDescription", "iam:TagRole"], Condition={"StringEquals": {key: "core"}})))})
    p.iam.update_role_description(RoleName=core["RoleName"], Description="ok")
    p.iam.tag_role(RoleName=core["RoleName"], Tags=[{"Key": "x", "Value": "y"}])
    msg = access_denied(p.iam.update_role_description, RoleName=dev["RoleName"], Description="no")
    assert msg == (f"User: {p.arn} is not authorized to perform: iam:UpdateRoleDescription on resource: "
                   f"{dev['Arn']} because no identity-based policy allows the iam:UpdateRoleDescription action")
    assert "Description" not in iam.get_role(RoleName=dev["RoleName"])["Role"] or \
        iam.get_role(RoleName=dev["RoleName"])["Role"]["Description"] != "no"
