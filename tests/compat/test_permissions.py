"""Authorization of non-root principals: each test acts as an IAM user made by root, with boto3
(and the aws CLI at the end), and checks that policies allow and deny as AWS documents.

AWS's AccessDenied messages (IAM User Guide, "Troubleshoot access denied error messages"):
  User: ARN is not authorized to perform: ACTION on resource: ARN because no identity-based policy allows the ACTION action
  User: ARN is not authorized to perform: ACTION on resource: ARN with an explicit deny in an identity-based policy
  User: ARN is not authorized to perform: ACTION on resource: ARN because no permissions boundary allows the ACTION action
"""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from iamd_harness import access_denied, allow, deny, error_of, expect, policy_doc

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_FULL = "arn:aws:iam::aws:policy/IAMFullAccess"


def implicit(p, action, resource) -> str:
    return (f"User: {p.arn} is not authorized to perform: {action} on resource: {resource} "
            f"because no identity-based policy allows the {action} action")


def explicit(p, action, resource) -> str:
    return (f"User: {p.arn} is not authorized to perform: {action} on resource: {resource} "
            f"with an explicit deny in an identity-based policy")


def by_boundary(p, action, resource) -> str:
    return (f"User: {p.arn} is not authorized to perform: {action} on resource: {resource} "
            f"because no permissions boundary allows the {action} action")


def denied_shape(p, action, why: str) -> re.Pattern:
    """The message for an action whose resource we do not pin (list operations)."""
    return re.compile(rf"^User: {re.escape(p.arn)} is not authorized to perform: {re.escape(action)} "
                      rf"on resource: \S+ {why}$")


def user_arn(account_id, name, path="/"):
    return f"arn:aws:iam::{account_id}:user{path}{name}"


@pytest.fixture
def managed(iam, uniq):
    """Create a customer managed policy from statements; returns its ARN."""
    def make(*statements, path="/"):
        return iam.create_policy(PolicyName=uniq("pol"), Path=path,
                                 PolicyDocument=policy_doc(*statements))["Policy"]["Arn"]
    return make


@pytest.fixture
def group(iam, uniq):
    def make(inline=None, managed=()):
        name = uniq("grp")
        iam.create_group(GroupName=name)
        if inline:
            iam.put_group_policy(GroupName=name, PolicyName="inline", PolicyDocument=policy_doc(*inline))
        for arn in managed:
            iam.attach_group_policy(GroupName=name, PolicyArn=arn)
        return name
    return make


# ---- a new user -----------------------------------------------------------------------------


def test_new_user_is_denied_everything_but_get_caller_identity(principal, account_id, uniq):
    p = principal()
    ident = p.sts.get_caller_identity()
    assert ident["Arn"] == p.arn == user_arn(account_id, p.name)
    assert ident["UserId"] == p.user_id
    assert ident["Account"] == account_id

    target = uniq("victim")
    assert access_denied(p.iam.create_user, UserName=target) == \
        implicit(p, "iam:CreateUser", user_arn(account_id, target))
    assert access_denied(p.iam.get_user) == implicit(p, "iam:GetUser", p.arn)
    assert access_denied(p.iam.list_access_keys) == implicit(p, "iam:ListAccessKeys", p.arn)
    assert access_denied(p.iam.create_access_key) == implicit(p, "iam:CreateAccessKey", p.arn)
    why = "because no identity-based policy allows the {} action"
    for fn, action in [(p.iam.list_users, "iam:ListUsers"), (p.iam.list_groups, "iam:ListGroups"),
                       (p.iam.list_roles, "iam:ListRoles"), (p.iam.list_policies, "iam:ListPolicies")]:
        msg = access_denied(fn)
        assert denied_shape(p, action, why.format(action)).match(msg), msg
    # Denied requests change nothing.
    expect("NoSuchEntity", 404, p.server.iam.get_user, UserName=target)


def test_denied_error_shape_raw(principal):
    p = principal()
    r = p.call("ListUsers")
    assert r.status == 403
    err = r.error()
    assert err["Type"] == "Sender" and err["Code"] == "AccessDenied"
    assert err["Message"].startswith(f"User: {p.arn} is not authorized to perform: iam:ListUsers")
    assert err["RequestId"] and err["RequestId"] == r.request_id_header


def test_read_only_access_lists_but_does_not_create(principal, iam, group, uniq):
    p = principal(managed=[READ_ONLY])
    g = group()
    names = [u["UserName"] for u in p.iam.list_users(PathPrefix=p.path)["Users"]]
    assert p.name in names
    assert p.iam.get_user()["User"]["Arn"] == p.arn
    assert g in [x["GroupName"] for x in p.iam.list_groups()["Groups"]]
    p.iam.list_roles()
    p.iam.list_policies(Scope="Local")
    assert p.iam.list_attached_user_policies(UserName=p.name)["AttachedPolicies"] == \
        [{"PolicyName": "IAMReadOnlyAccess", "PolicyArn": READ_ONLY}]
    assert p.iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["PolicyName"] == "IAMReadOnlyAccess"

    new = uniq("ro-new")
    assert "because no identity-based policy allows the iam:CreateUser action" in \
        access_denied(p.iam.create_user, UserName=new)
    access_denied(p.iam.create_group, GroupName=uniq("ro-g"))
    access_denied(p.iam.delete_group, GroupName=g)
    access_denied(p.iam.attach_user_policy, UserName=p.name, PolicyArn=ADMIN)
    access_denied(p.iam.create_access_key)
    expect("NoSuchEntity", 404, iam.get_user, UserName=new)
    iam.get_group(GroupName=g)


# ---- groups: grants, and an explicit deny wins ------------------------------------------------


def test_group_policy_grants_and_explicit_deny_in_another_group_wins(principal, iam, group, managed):
    grants = group(inline=[allow(["iam:ListUsers", "iam:ListGroups", "iam:GetUser"])])
    denies = group(managed=[managed(deny("iam:ListGroups"))])
    p = principal(groups=[grants])
    p.iam.list_users()
    p.iam.list_groups()

    iam.add_user_to_group(GroupName=denies, UserName=p.name)
    p.iam.list_users()  # still allowed: the deny names only ListGroups
    msg = access_denied(p.iam.list_groups)
    assert denied_shape(p, "iam:ListGroups", "with an explicit deny in an identity-based policy").match(msg), msg

    # Membership changes hold on the next request.
    iam.remove_user_from_group(GroupName=denies, UserName=p.name)
    p.iam.list_groups()
    iam.remove_user_from_group(GroupName=grants, UserName=p.name)
    access_denied(p.iam.list_users)


def test_explicit_deny_beats_administrator_access(principal, account_id, uniq):
    p = principal(managed=[ADMIN], inline={"no-create": json.loads(policy_doc(deny("iam:CreateUser")))})
    p.iam.list_users()
    target = uniq("x")
    assert access_denied(p.iam.create_user, UserName=target) == \
        explicit(p, "iam:CreateUser", user_arn(account_id, target))
    p.iam.create_group(GroupName=uniq("adm-g"))


def test_not_action_and_action_wildcards(principal, account_id, uniq):
    p = principal(inline={
        "a": json.loads(policy_doc({"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"})),
    })
    p.iam.list_users()
    p.iam.create_group(GroupName=uniq("na-g"))
    target = uniq("x")
    assert access_denied(p.iam.create_user, UserName=target) == \
        implicit(p, "iam:CreateUser", user_arn(account_id, target))

    q = principal(inline={"a": json.loads(policy_doc(allow("iam:List*")))})
    q.iam.list_users()
    q.iam.list_groups()
    access_denied(q.iam.get_user)
    # Action names match case-insensitively.
    r = principal(inline={"a": json.loads(policy_doc(allow("IAM:listusers")))})
    r.iam.list_users()


# ---- permissions boundaries -----------------------------------------------------------------


def test_boundary_caps_administrator_access(principal, iam, managed, account_id, uniq):
    boundary = managed(allow(["iam:ListUsers", "iam:GetUser", "iam:ListGroups"]))
    p = principal(managed=[ADMIN], boundary=boundary)
    assert iam.get_user(UserName=p.name)["User"]["PermissionsBoundary"] == \
        {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}

    p.iam.list_users()
    p.iam.get_user()
    target = uniq("x")
    assert access_denied(p.iam.create_user, UserName=target) == \
        by_boundary(p, "iam:CreateUser", user_arn(account_id, target))
    msg = access_denied(p.iam.list_roles)
    assert denied_shape(p, "iam:ListRoles", "because no permissions boundary allows the iam:ListRoles action").match(msg)

    # Removing the boundary restores AdministratorAccess on the next request.
    iam.delete_user_permissions_boundary(UserName=p.name)
    assert "PermissionsBoundary" not in iam.get_user(UserName=p.name)["User"]
    p.iam.create_user(UserName=target)
    p.iam.list_roles()

    # Putting it back caps again at once.
    iam.put_user_permissions_boundary(UserName=p.name, PermissionsBoundary=boundary)
    access_denied(p.iam.list_roles)


def test_boundary_alone_grants_nothing(principal, account_id):
    p = principal(boundary=ADMIN)
    msg = access_denied(p.iam.get_user)
    assert msg == implicit(p, "iam:GetUser", p.arn)


def test_boundary_set_after_creation(principal, iam, managed):
    p = principal(managed=[IAM_FULL])
    p.iam.list_roles()
    iam.put_user_permissions_boundary(UserName=p.name, PermissionsBoundary=managed(allow("iam:ListUsers")))
    p.iam.list_users()
    msg = access_denied(p.iam.list_roles)
    assert "because no permissions boundary allows the iam:ListRoles action" in msg


# ---- ${aws:username}: every user manages only their own access keys ------------------------

# IAM User Guide, "Permissions required to manage access keys".
MANAGE_OWN_ACCESS_KEYS = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "ManageOwnAccessKeys",
        "Effect": "Allow",
        "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed",
                   "iam:GetUser", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:TagUser"],
        "Resource": "arn:aws:iam::*:user/${aws:username}",
    }],
}


def test_users_manage_only_their_own_access_keys(principal, iam, group, uniq):
    g = uniq("keys")
    iam.create_group(GroupName=g)
    iam.put_group_policy(GroupName=g, PolicyName="own-keys", PolicyDocument=json.dumps(MANAGE_OWN_ACCESS_KEYS))
    alice = principal(groups=[g])
    bob = principal(groups=[g])

    # Own keys: list (without and with the name), create, deactivate, delete.
    mine = alice.iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in mine] == [alice.access_key]
    assert alice.iam.list_access_keys(UserName=alice.name)["AccessKeyMetadata"][0]["UserName"] == alice.name
    new = alice.iam.create_access_key()["AccessKey"]
    assert new["UserName"] == alice.name and new["Status"] == "Active"
    alice.iam.update_access_key(AccessKeyId=new["AccessKeyId"], Status="Inactive")
    statuses = {k["AccessKeyId"]: k["Status"] for k in alice.iam.list_access_keys()["AccessKeyMetadata"]}
    assert statuses == {alice.access_key: "Active", new["AccessKeyId"]: "Inactive"}
    alice.iam.delete_access_key(AccessKeyId=new["AccessKeyId"])
    assert alice.iam.get_user()["User"]["UserName"] == alice.name

    # Someone else's keys: no.
    assert access_denied(alice.iam.list_access_keys, UserName=bob.name) == \
        implicit(alice, "iam:ListAccessKeys", bob.arn)
    assert access_denied(alice.iam.create_access_key, UserName=bob.name) == \
        implicit(alice, "iam:CreateAccessKey", bob.arn)
    access_denied(alice.iam.update_access_key, UserName=bob.name, AccessKeyId=bob.access_key, Status="Inactive")
    access_denied(alice.iam.delete_access_key, UserName=bob.name, AccessKeyId=bob.access_key)
    access_denied(alice.iam.get_user, UserName=bob.name)
    # bob's key still works, and bob manages his own.
    assert [k["Status"] for k in bob.iam.list_access_keys()["AccessKeyMetadata"]] == ["Active"]
    # Nothing beyond the policy.
    access_denied(alice.iam.list_users)


def test_username_variable_does_not_match_a_user_with_a_path(principal, iam, account_id):
    # user/${aws:username} is the ARN of a user at "/" only: a user at /eng/ is user/eng/NAME.
    p = principal(path="/eng/", inline={"own": MANAGE_OWN_ACCESS_KEYS})
    assert p.arn == user_arn(account_id, p.name, "/eng/")
    assert p.sts.get_caller_identity()["Arn"] == p.arn
    assert access_denied(p.iam.list_access_keys) == implicit(p, "iam:ListAccessKeys", p.arn)

    fixed = json.loads(json.dumps(MANAGE_OWN_ACCESS_KEYS).replace("user/${aws:username}", "user/eng/${aws:username}"))
    iam.put_user_policy(UserName=p.name, PolicyName="own", PolicyDocument=json.dumps(fixed))
    assert [k["AccessKeyId"] for k in p.iam.list_access_keys()["AccessKeyMetadata"]] == [p.access_key]


def test_paths_in_resource_arns(principal, iam, uniq, account_id):
    p = principal(inline={"eng": json.loads(policy_doc(allow("iam:GetUser", "arn:aws:iam::*:user/eng/*")))})
    inside, outside = uniq("in"), uniq("out")
    iam.create_user(UserName=inside, Path="/eng/team/")
    iam.create_user(UserName=outside, Path="/ops/")
    assert p.iam.get_user(UserName=inside)["User"]["Arn"] == user_arn(account_id, inside, "/eng/team/")
    assert access_denied(p.iam.get_user, UserName=outside) == \
        implicit(p, "iam:GetUser", user_arn(account_id, outside, "/ops/"))


# ---- condition keys ---------------------------------------------------------------------------


@pytest.mark.parametrize("cidr,allowed", [("127.0.0.1/32", True), ("127.0.0.0/8", True), ("10.0.0.0/8", False)])
def test_source_ip(principal, cidr, allowed):
    p = principal(inline={"ip": json.loads(policy_doc(
        allow("iam:ListUsers", Condition={"IpAddress": {"aws:SourceIp": cidr}})))})
    if allowed:
        p.iam.list_users()
    else:
        assert "because no identity-based policy allows the iam:ListUsers action" in access_denied(p.iam.list_users)


def test_source_ip_deny_outside_range(principal):
    # The AWS example "Denies access to AWS based on the source IP".
    p = principal(managed=[READ_ONLY], inline={"ip": json.loads(policy_doc(
        deny("*", Condition={"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}})))})
    assert "with an explicit deny in an identity-based policy" in access_denied(p.iam.list_users)


@pytest.mark.parametrize("op,allowed", [("DateGreaterThan", True), ("DateLessThan", False)])
def test_current_time(principal, op, allowed):
    p = principal(inline={"t": json.loads(policy_doc(
        allow("iam:ListUsers", Condition={op: {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})))})
    if allowed:
        p.iam.list_users()
    else:
        access_denied(p.iam.list_users)


def test_epoch_time(principal):
    p = principal(inline={"t": json.loads(policy_doc(
        allow("iam:ListUsers", Condition={"NumericGreaterThan": {"aws:EpochTime": "1577836800"}}),
        allow("iam:ListGroups", Condition={"NumericLessThan": {"aws:EpochTime": "1577836800"}})))})
    p.iam.list_users()
    access_denied(p.iam.list_groups)


def test_secure_transport_false_over_http(principal):
    # A common guardrail: deny requests that are not over TLS. iamd in the tests is plain HTTP.
    p = principal(managed=[READ_ONLY], inline={"tls": json.loads(policy_doc(
        deny("iam:ListGroups", Condition={"Bool": {"aws:SecureTransport": "false"}})))})
    p.iam.list_users()
    assert "with an explicit deny" in access_denied(p.iam.list_groups)


def test_request_tag_on_create_user(principal, iam, uniq, account_id):
    cond = {"StringEquals": {"aws:RequestTag/team": "core"}}
    p = principal(inline={"tagged-create": json.loads(policy_doc(
        allow(["iam:CreateUser", "iam:TagUser"], Condition=cond)))})
    ok = uniq("core")
    u = p.iam.create_user(UserName=ok, Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert u["Arn"] == user_arn(account_id, ok)
    assert iam.list_user_tags(UserName=ok)["Tags"] == [{"Key": "team", "Value": "core"}]

    other, untagged = uniq("dev"), uniq("none")
    assert access_denied(p.iam.create_user, UserName=other, Tags=[{"Key": "team", "Value": "dev"}]) == \
        implicit(p, "iam:CreateUser", user_arn(account_id, other))
    assert access_denied(p.iam.create_user, UserName=untagged) == \
        implicit(p, "iam:CreateUser", user_arn(account_id, untagged))
    expect("NoSuchEntity", 404, iam.get_user, UserName=other)
    expect("NoSuchEntity", 404, iam.get_user, UserName=untagged)


def test_tag_keys_condition(principal, iam, uniq):
    target = uniq("tk")
    iam.create_user(UserName=target)
    p = principal(inline={"keys": json.loads(policy_doc(allow(
        "iam:TagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}})))})
    p.iam.tag_user(UserName=target, Tags=[{"Key": "team", "Value": "x"}, {"Key": "env", "Value": "y"}])
    access_denied(p.iam.tag_user, UserName=target, Tags=[{"Key": "owner", "Value": "z"}])
    assert {t["Key"] for t in iam.list_user_tags(UserName=target)["Tags"]} == {"team", "env"}


@pytest.mark.parametrize("key", ["aws:ResourceTag/team", "iam:ResourceTag/team"])
def test_resource_tag_tag_and_untag_only_core_users(principal, iam, uniq, account_id, key):
    p = principal(inline={"core-only": json.loads(policy_doc(allow(
        ["iam:TagUser", "iam:UntagUser"], Condition={"StringEquals": {key: "core"}})))})
    core, dev, bare = uniq("core"), uniq("dev"), uniq("bare")
    iam.create_user(UserName=core, Tags=[{"Key": "team", "Value": "core"}])
    iam.create_user(UserName=dev, Tags=[{"Key": "team", "Value": "dev"}])
    iam.create_user(UserName=bare)

    p.iam.tag_user(UserName=core, Tags=[{"Key": "env", "Value": "prod"}])
    p.iam.untag_user(UserName=core, TagKeys=["env"])
    assert iam.list_user_tags(UserName=core)["Tags"] == [{"Key": "team", "Value": "core"}]

    assert access_denied(p.iam.tag_user, UserName=dev, Tags=[{"Key": "env", "Value": "prod"}]) == \
        implicit(p, "iam:TagUser", user_arn(account_id, dev))
    assert access_denied(p.iam.untag_user, UserName=dev, TagKeys=["team"]) == \
        implicit(p, "iam:UntagUser", user_arn(account_id, dev))
    access_denied(p.iam.tag_user, UserName=bare, Tags=[{"Key": "team", "Value": "core"}])
    assert iam.list_user_tags(UserName=dev)["Tags"] == [{"Key": "team", "Value": "dev"}]
    assert iam.list_user_tags(UserName=bare)["Tags"] == []


def test_principal_tag(principal):
    doc = json.loads(policy_doc(allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalTag/team": "core"}})))
    yes = principal(tags=[{"Key": "team", "Value": "core"}], inline={"pt": doc})
    no = principal(tags=[{"Key": "team", "Value": "dev"}], inline={"pt": doc})
    yes.iam.list_users()
    access_denied(no.iam.list_users)


def test_principal_arn_and_userid(principal):
    p = principal()
    p.server.iam.put_user_policy(UserName=p.name, PolicyName="me", PolicyDocument=policy_doc(
        allow("iam:ListUsers", Condition={"ArnEquals": {"aws:PrincipalArn": p.arn}}),
        allow("iam:ListGroups", Condition={"StringEquals": {"aws:userid": p.user_id}}),
        allow("iam:ListRoles", Condition={"StringEquals": {"aws:userid": "AIDANOTTHISUSER000000"}})))
    p.iam.list_users()
    p.iam.list_groups()
    access_denied(p.iam.list_roles)


def test_policy_arn_condition_limits_what_may_be_attached(principal, iam, uniq):
    p = principal(inline={"attach": json.loads(policy_doc(allow(
        "iam:AttachUserPolicy", Condition={"ArnEquals": {"iam:PolicyARN": READ_ONLY}})))})
    target = uniq("att")
    iam.create_user(UserName=target)
    p.iam.attach_user_policy(UserName=target, PolicyArn=READ_ONLY)
    access_denied(p.iam.attach_user_policy, UserName=target, PolicyArn=ADMIN)
    assert [a["PolicyArn"] for a in iam.list_attached_user_policies(UserName=target)["AttachedPolicies"]] == [READ_ONLY]


def test_permissions_boundary_condition_on_create_user(principal, iam, managed, uniq):
    boundary = managed(allow("iam:ListUsers"))
    # As in AWS's example "IAM: Limits managers to creating users with a specific permissions boundary".
    p = principal(inline={"b": json.loads(policy_doc(allow(
        ["iam:CreateUser", "iam:PutUserPermissionsBoundary"], Condition={"StringEquals": {"iam:PermissionsBoundary": boundary}})))})
    ok = uniq("bnd")
    p.iam.create_user(UserName=ok, PermissionsBoundary=boundary)
    assert iam.get_user(UserName=ok)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    access_denied(p.iam.create_user, UserName=uniq("nob"))
    access_denied(p.iam.create_user, UserName=uniq("adm"), PermissionsBoundary=ADMIN)


# ---- changes hold on the very next request ----------------------------------------------------


def test_detached_policy_no_longer_honoured(principal, iam):
    p = principal(managed=[READ_ONLY])
    p.iam.list_users()
    iam.detach_user_policy(UserName=p.name, PolicyArn=READ_ONLY)
    access_denied(p.iam.list_users)
    iam.attach_user_policy(UserName=p.name, PolicyArn=READ_ONLY)
    p.iam.list_users()


def test_deleted_inline_policy_no_longer_honoured(principal, iam):
    p = principal(inline={"ro": json.loads(policy_doc(allow("iam:ListUsers")))})
    p.iam.list_users()
    iam.delete_user_policy(UserName=p.name, PolicyName="ro")
    access_denied(p.iam.list_users)


def test_group_policy_detached_no_longer_honoured(principal, iam, group):
    g = group(managed=[READ_ONLY])
    p = principal(groups=[g])
    p.iam.list_users()
    iam.detach_group_policy(GroupName=g, PolicyArn=READ_ONLY)
    access_denied(p.iam.list_users)


def test_new_default_version_takes_effect_at_once(principal, iam, managed):
    arn = managed(allow("iam:ListUsers"))
    p = principal(managed=[arn])
    p.iam.list_users()
    access_denied(p.iam.list_groups)

    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy_doc(allow("iam:ListGroups")),
                                   SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True
    p.iam.list_groups()
    access_denied(p.iam.list_users)

    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    p.iam.list_users()
    access_denied(p.iam.list_groups)

    # A version created without SetAsDefault changes nothing.
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy_doc(allow("*")), SetAsDefault=False)
    access_denied(p.iam.list_groups)


def test_deleted_access_key_stops_working(principal, iam):
    p = principal()
    p.sts.get_caller_identity()
    iam.update_access_key(UserName=p.name, AccessKeyId=p.access_key, Status="Inactive")
    with pytest.raises(ClientError) as ei:
        p.sts.get_caller_identity()
    assert error_of(ei.value) == ("InvalidClientTokenId", 403)
    iam.update_access_key(UserName=p.name, AccessKeyId=p.access_key, Status="Active")
    p.sts.get_caller_identity()
    iam.delete_access_key(UserName=p.name, AccessKeyId=p.access_key)
    with pytest.raises(ClientError) as ei:
        p.sts.get_caller_identity()
    assert error_of(ei.value) == ("InvalidClientTokenId", 403)


# ---- a non-root user administering IAM ------------------------------------------------------


def test_iam_full_access_user_administers(principal, iam, uniq, account_id):
    p = principal(managed=[IAM_FULL])
    name, g = uniq("made"), uniq("made-g")
    u = p.iam.create_user(UserName=name, Path="/by-user/")["User"]
    assert u["Arn"] == user_arn(account_id, name, "/by-user/")
    p.iam.create_group(GroupName=g)
    p.iam.add_user_to_group(GroupName=g, UserName=name)
    p.iam.attach_user_policy(UserName=name, PolicyArn=READ_ONLY)
    key = p.iam.create_access_key(UserName=name)["AccessKey"]
    # The user it made can act with the policy it attached.
    child = p.server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    child.list_users()
    with pytest.raises(ClientError) as ei:
        child.create_user(UserName=uniq("grandchild"))
    assert error_of(ei.value) == ("AccessDenied", 403)
    assert iam.get_group(GroupName=g)["Users"][0]["UserName"] == name


# ---- the aws CLI as a non-root user -----------------------------------------------------------


def test_cli_non_root_denied_then_allowed(principal, iam):
    p = principal()
    r = p.cli("sts", "get-caller-identity")
    assert r.rc == 0, r
    assert r.json["Arn"] == p.arn

    r = p.cli("iam", "list-users")
    assert r.rc != 0, r
    assert "(AccessDenied)" in r.stderr, r
    assert f"User: {p.arn} is not authorized to perform: iam:ListUsers" in r.stderr, r

    iam.attach_user_policy(UserName=p.name, PolicyArn=READ_ONLY)
    r = p.cli("iam", "list-users", "--path-prefix", "/")
    assert r.rc == 0, r
    assert p.name in [u["UserName"] for u in r.json["Users"]]
    r = p.cli("iam", "create-group", "--group-name", p.name + "-g")
    assert r.rc != 0 and "(AccessDenied)" in r.stderr, r


def test_cli_own_access_keys(principal, iam, uniq):
    p = principal(inline={"own": MANAGE_OWN_ACCESS_KEYS})
    other = principal()
    r = p.cli("iam", "create-access-key")
    assert r.rc == 0, r
    new_id = r.json["AccessKey"]["AccessKeyId"]
    r = p.cli("iam", "list-access-keys")
    assert r.rc == 0, r
    assert {k["AccessKeyId"] for k in r.json["AccessKeyMetadata"]} == {p.access_key, new_id}
    assert p.cli("iam", "delete-access-key", "--access-key-id", new_id).rc == 0
    r = p.cli("iam", "list-access-keys", "--user-name", other.name)
    assert r.rc != 0 and "(AccessDenied)" in r.stderr, r
    assert f"on resource: {other.arn}" in r.stderr, r


def test_cli_boundary_message(principal, managed):
    p = principal(managed=[ADMIN], boundary=managed(allow("iam:ListUsers")))
    assert p.cli("iam", "list-users").rc == 0
    r = p.cli("iam", "list-roles")
    assert r.rc != 0, r
    assert "because no permissions boundary allows the iam:ListRoles action" in r.stderr, r


# ---- more of AWS's documented semantics ---------------------------------------------------------


def test_authorization_comes_before_existence(principal, uniq, account_id):
    # A caller without permission learns nothing: AccessDenied, not NoSuchEntity.
    ghost = uniq("ghost")
    p = principal()
    assert access_denied(p.iam.get_user, UserName=ghost) == implicit(p, "iam:GetUser", user_arn(account_id, ghost))
    q = principal(managed=[READ_ONLY])
    expect("NoSuchEntity", 404, q.iam.get_user, UserName=ghost)


def test_mfa_bool_if_exists_with_long_term_keys(principal):
    # AWS's "deny unless MFA" pattern: with access keys, aws:MultiFactorAuthPresent is absent, so
    # BoolIfExists matches (deny applies) while plain Bool does not match (deny does not apply).
    if_exists = principal(managed=[READ_ONLY], inline={"mfa": json.loads(policy_doc(
        deny("iam:ListUsers", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})))})
    plain = principal(managed=[READ_ONLY], inline={"mfa": json.loads(policy_doc(
        deny("iam:ListUsers", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})))})
    assert "with an explicit deny" in access_denied(if_exists.iam.list_users)
    plain.iam.list_users()


def test_user_agent_condition(principal):
    p = principal(inline={"ua": json.loads(policy_doc(
        allow("iam:ListUsers", Condition={"StringLike": {"aws:UserAgent": "*Boto3/*"}}),
        allow("iam:ListGroups", Condition={"StringLike": {"aws:UserAgent": "curl/*"}})))})
    p.iam.list_users()
    access_denied(p.iam.list_groups)


def test_not_resource_deny(principal, iam, uniq, account_id):
    # Deny GetUser on everything except the caller itself.
    p = principal(managed=[READ_ONLY])
    iam.put_user_policy(UserName=p.name, PolicyName="only-me", PolicyDocument=policy_doc(
        {"Effect": "Deny", "Action": "iam:GetUser", "NotResource": p.arn}))
    other = uniq("nr-other")
    iam.create_user(UserName=other)
    assert p.iam.get_user(UserName=p.name)["User"]["UserName"] == p.name
    assert access_denied(p.iam.get_user, UserName=other) == explicit(p, "iam:GetUser", user_arn(account_id, other))
