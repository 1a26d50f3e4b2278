"""The policy simulator and account authorization details, with boto3: the simulator's answers must
match what the real calls do (as the same non-root user).

Shapes from the IAM API Reference: SimulatePrincipalPolicy / SimulateCustomPolicy →
EvaluationResults[{EvalActionName, EvalResourceName, EvalDecision (allowed | explicitDeny |
implicitDeny), MatchedStatements, MissingContextValues, PermissionsBoundaryDecisionDetail}];
GetContextKeysFor*Policy → ContextKeyNames; GetAccountAuthorizationDetails (Filter)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from iamd_harness import allow, deny, error_of, policy_doc

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def decisions(results) -> dict:
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}


def really_allowed(fn, **kw) -> bool:
    try:
        fn(**kw)
        return True
    except ClientError as e:
        assert error_of(e) == ("AccessDenied", 403), e.response
        return False


# ---- SimulatePrincipalPolicy ----------------------------------------------------------------------


def test_simulate_principal_policy_matches_real_calls(principal, iam, uniq, account_id):
    g = uniq("simg")
    iam.create_group(GroupName=g)
    iam.put_group_policy(GroupName=g, PolicyName="no-groups", PolicyDocument=policy_doc(deny("iam:ListGroups")))
    p = principal(managed=[READ_ONLY], groups=[g])
    target = uniq("simt")

    res = iam.simulate_principal_policy(PolicySourceArn=p.arn,
                                        ActionNames=["iam:ListUsers", "iam:ListGroups", "iam:CreateUser"])
    d = {r["EvalActionName"]: r for r in res["EvaluationResults"]}
    assert set(d) == {"iam:ListUsers", "iam:ListGroups", "iam:CreateUser"}
    assert d["iam:ListUsers"]["EvalDecision"] == "allowed"
    assert d["iam:ListGroups"]["EvalDecision"] == "explicitDeny"
    assert d["iam:CreateUser"]["EvalDecision"] == "implicitDeny"
    assert all(r["EvalResourceName"] == "*" for r in res["EvaluationResults"])
    assert res["IsTruncated"] is False
    # The statements that decided: the AWS managed policy allows, the group's inline policy denies.
    allowed_by = d["iam:ListUsers"]["MatchedStatements"]
    assert allowed_by and allowed_by[0]["SourcePolicyType"] == "aws-managed"
    denied_by = d["iam:ListGroups"]["MatchedStatements"]
    assert denied_by and denied_by[0]["SourcePolicyType"] == "group"
    assert d["iam:CreateUser"]["MatchedStatements"] == []

    real = {
        "iam:ListUsers": really_allowed(p.iam.list_users),
        "iam:ListGroups": really_allowed(p.iam.list_groups),
        "iam:CreateUser": really_allowed(p.iam.create_user, UserName=target),
    }
    assert real == {a: r["EvalDecision"] == "allowed" for a, r in d.items()}


def test_simulate_principal_policy_resources_and_username_variable(principal, iam, account_id, uniq):
    p = principal(inline={"own": json.loads(policy_doc(allow("iam:ListAccessKeys", "arn:aws:iam::*:user/${aws:username}")))})
    other = principal()
    res = iam.simulate_principal_policy(PolicySourceArn=p.arn, ActionNames=["iam:ListAccessKeys"],
                                        ResourceArns=[p.arn, other.arn])
    got = decisions(res["EvaluationResults"])
    assert got == {("iam:ListAccessKeys", p.arn): "allowed", ("iam:ListAccessKeys", other.arn): "implicitDeny"}
    assert really_allowed(p.iam.list_access_keys, UserName=p.name) is True
    assert really_allowed(p.iam.list_access_keys, UserName=other.name) is False


def test_simulate_principal_policy_with_boundary(principal, iam, uniq):
    boundary = iam.create_policy(PolicyName=uniq("simb"), PolicyDocument=policy_doc(allow("iam:ListUsers")))["Policy"]["Arn"]
    p = principal(managed=[ADMIN], boundary=boundary)
    res = iam.simulate_principal_policy(PolicySourceArn=p.arn, ActionNames=["iam:ListUsers", "iam:ListRoles"])
    d = {r["EvalActionName"]: r for r in res["EvaluationResults"]}
    assert d["iam:ListUsers"]["EvalDecision"] == "allowed"
    assert d["iam:ListRoles"]["EvalDecision"] == "implicitDeny"
    assert d["iam:ListRoles"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert d["iam:ListUsers"]["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert really_allowed(p.iam.list_users) and not really_allowed(p.iam.list_roles)


def test_simulate_principal_policy_context_entries(principal, iam):
    p = principal(inline={"ip": json.loads(policy_doc(
        allow("iam:ListUsers", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))})

    def sim(ip):
        return iam.simulate_principal_policy(
            PolicySourceArn=p.arn, ActionNames=["iam:ListUsers"],
            ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": [ip], "ContextKeyType": "ip"}],
        )["EvaluationResults"][0]["EvalDecision"]

    assert sim("127.0.0.1") == "allowed"
    assert sim("10.1.2.3") == "implicitDeny"
    # The real request comes from 127.0.0.1.
    assert really_allowed(p.iam.list_users)

    missing = iam.simulate_principal_policy(PolicySourceArn=p.arn, ActionNames=["iam:ListUsers"])["EvaluationResults"][0]
    assert missing["EvalDecision"] == "implicitDeny"
    assert [k.lower() for k in missing["MissingContextValues"]] == ["aws:sourceip"]


def test_simulate_principal_policy_unknown_user(iam, account_id, uniq):
    with pytest.raises(ClientError) as ei:
        iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{account_id}:user/{uniq('gone')}",
                                      ActionNames=["iam:ListUsers"])
    assert error_of(ei.value) == ("NoSuchEntity", 404)


def test_simulate_principal_policy_denied_to_a_user_without_permission(principal):
    p = principal()
    with pytest.raises(ClientError) as ei:
        p.iam.simulate_principal_policy(PolicySourceArn=p.arn, ActionNames=["iam:ListUsers"])
    assert error_of(ei.value) == ("AccessDenied", 403)
    assert "iam:SimulatePrincipalPolicy" in ei.value.response["Error"]["Message"]


# ---- SimulateCustomPolicy ------------------------------------------------------------------------


def test_simulate_custom_policy(iam, account_id):
    doc = policy_doc(allow("iam:GetUser", f"arn:aws:iam::{account_id}:user/eng/*"),
                     deny("iam:GetUser", f"arn:aws:iam::{account_id}:user/eng/secret"))
    arns = [f"arn:aws:iam::{account_id}:user/eng/a", f"arn:aws:iam::{account_id}:user/eng/secret",
            f"arn:aws:iam::{account_id}:user/ops/b"]
    res = iam.simulate_custom_policy(PolicyInputList=[doc], ActionNames=["iam:GetUser", "iam:DeleteUser"],
                                     ResourceArns=arns)
    got = decisions(res["EvaluationResults"])
    assert got == {
        ("iam:GetUser", arns[0]): "allowed",
        ("iam:GetUser", arns[1]): "explicitDeny",
        ("iam:GetUser", arns[2]): "implicitDeny",
        ("iam:DeleteUser", arns[0]): "implicitDeny",
        ("iam:DeleteUser", arns[1]): "implicitDeny",
        ("iam:DeleteUser", arns[2]): "implicitDeny",
    }


def test_simulate_custom_policy_conditions(iam):
    doc = policy_doc(allow("iam:ListUsers", Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))

    def sim(when):
        return iam.simulate_custom_policy(PolicyInputList=[doc], ActionNames=["iam:ListUsers"], ContextEntries=[
            {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [when], "ContextKeyType": "date"}],
        )["EvaluationResults"][0]["EvalDecision"]

    assert sim("2024-06-01T00:00:00Z") == "allowed"
    assert sim("2019-06-01T00:00:00Z") == "implicitDeny"


def test_simulate_custom_policy_with_boundary(iam):
    res = iam.simulate_custom_policy(
        PolicyInputList=[policy_doc(allow("*"))],
        PermissionsBoundaryPolicyInputList=[policy_doc(allow("iam:List*"))],
        ActionNames=["iam:ListUsers", "iam:CreateUser"])
    d = {r["EvalActionName"]: r["EvalDecision"] for r in res["EvaluationResults"]}
    assert d == {"iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny"}


def test_simulate_custom_policy_malformed(iam):
    with pytest.raises(ClientError) as ei:
        iam.simulate_custom_policy(PolicyInputList=['{"Version": "2012-10-17", "Statement": ['],
                                   ActionNames=["iam:ListUsers"])
    assert error_of(ei.value) in {("MalformedPolicyDocument", 400), ("InvalidInput", 400)}


# ---- context keys ----------------------------------------------------------------------------------


def test_get_context_keys_for_custom_policy(iam):
    doc = policy_doc(
        allow("iam:ListUsers", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"},
                                          "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
        allow("iam:TagUser", Condition={"StringEquals": {"aws:RequestTag/team": "core"}}))
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[doc])["ContextKeyNames"]
    assert sorted(k.lower() for k in keys) == ["aws:currenttime", "aws:requesttag/team", "aws:sourceip"]


def test_get_context_keys_for_principal_policy(principal, iam, uniq):
    g = uniq("ckg")
    iam.create_group(GroupName=g)
    iam.put_group_policy(GroupName=g, PolicyName="g", PolicyDocument=policy_doc(
        allow("iam:ListGroups", Condition={"Bool": {"aws:SecureTransport": "true"}})))
    p = principal(groups=[g], inline={"u": json.loads(policy_doc(
        allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalTag/team": "core"}})))})
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=p.arn)["ContextKeyNames"]
    assert sorted(k.lower() for k in keys) == ["aws:principaltag/team", "aws:securetransport"]
    extra = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=p.arn, PolicyInputList=[policy_doc(allow("iam:GetUser", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))],
    )["ContextKeyNames"]
    assert sorted(k.lower() for k in extra) == ["aws:principaltag/team", "aws:securetransport", "aws:sourceip"]


# ---- GetAccountAuthorizationDetails -----------------------------------------------------------------


def test_account_authorization_details(server_factory):
    s = server_factory("gaad")
    iam = s.iam
    iam.create_user(UserName="ann", Path="/eng/")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="ann")
    inline = policy_doc(allow("iam:ListUsers"))
    iam.put_user_policy(UserName="ann", PolicyName="inl", PolicyDocument=inline)
    iam.attach_user_policy(UserName="ann", PolicyArn=READ_ONLY)
    pol = iam.create_policy(PolicyName="mine", PolicyDocument=policy_doc(allow("iam:Get*")))["Policy"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=pol["Arn"])
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(trust))
    iam.create_instance_profile(InstanceProfileName="app-ip")
    iam.add_role_to_instance_profile(InstanceProfileName="app-ip", RoleName="app")

    d = iam.get_account_authorization_details()
    assert [u["UserName"] for u in d["UserDetailList"]] == ["ann"]
    ann = d["UserDetailList"][0]
    assert ann["Path"] == "/eng/" and ann["GroupList"] == ["devs"]
    assert ann["UserPolicyList"] == [{"PolicyName": "inl", "PolicyDocument": json.loads(inline)}]
    assert ann["AttachedManagedPolicies"] == [{"PolicyName": "IAMReadOnlyAccess", "PolicyArn": READ_ONLY}]
    assert [g["GroupName"] for g in d["GroupDetailList"]] == ["devs"]
    assert d["GroupDetailList"][0]["AttachedManagedPolicies"] == [{"PolicyName": "mine", "PolicyArn": pol["Arn"]}]
    role = [r for r in d["RoleDetailList"] if r["RoleName"] == "app"][0]
    assert role["AssumeRolePolicyDocument"] == trust
    assert [ip["InstanceProfileName"] for ip in role["InstanceProfileList"]] == ["app-ip"]
    mine = [p for p in d["Policies"] if p["PolicyName"] == "mine"][0]
    assert mine["AttachmentCount"] == 1 and mine["DefaultVersionId"] == "v1"
    assert mine["PolicyVersionList"][0]["IsDefaultVersion"] is True
    assert mine["PolicyVersionList"][0]["Document"] == json.loads(policy_doc(allow("iam:Get*")))
    assert d["IsTruncated"] is False

    only_users = iam.get_account_authorization_details(Filter=["User"])
    assert [u["UserName"] for u in only_users["UserDetailList"]] == ["ann"]
    assert only_users.get("GroupDetailList", []) == [] and only_users.get("RoleDetailList", []) == []
    assert only_users.get("Policies", []) == []
    local = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])
    assert [p["PolicyName"] for p in local["Policies"]] == ["mine"]
    aws = iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
    assert "IAMReadOnlyAccess" in [p["PolicyName"] for p in aws["Policies"]]

    raw = s.iam_call("GetAccountAuthorizationDetails", {"Filter.member.1": "User"})
    assert raw.status == 200, raw
    docs = [el.text for el in raw.xml().iter() if el.tag.endswith("PolicyDocument")]
    assert docs and docs[0].startswith("%7B%22Version%22") and urllib.parse.unquote(docs[0]) == inline
