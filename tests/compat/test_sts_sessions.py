"""Temporary security credentials with boto3 and the aws CLI: AssumeRole (same account and across
accounts, trust policies, ExternalId, MFA, durations, chaining, session policies, tags, source
identity), GetSessionToken (durations, MFA, restrictions), GetFederationToken (shape,
restrictions, permission), revocation, and tampered/expired tokens.

The behaviour asserted is AWS's, from the IAM User Guide: "Compare AWS STS credentials",
"Permissions for GetSessionToken", "Permissions for GetFederationToken", "Role chaining",
"Revoke IAM role temporary security credentials", "Pass session tags in AWS STS",
"Configure MFA-protected API access", and the STS API Reference for each operation.
"""

from __future__ import annotations

import ctypes.util
import datetime
import json
import os
import shutil
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from iamd_harness import (DEV_ACCOUNT, IamdServer, access_denied, allow, enable_virtual_mfa, error_of,
                          expect, make_principal, make_server, policy_doc, recent, signing_clock,
                          temp_client, temp_credentials_file, trust_aws, trust_doc, unique)

UTC = datetime.timezone.utc
CHAIN_MSG = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
MAX_MSG = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
ROOT_MSG = "Roles may not be assumed by root accounts."
EXPIRED_MSG = "The security token included in the request is expired"
INVALID_TOKEN_MSG = "The security token included in the request is invalid."
OTHER_ACCOUNT = "111111111111"


# ---- helpers ---------------------------------------------------------------------------------


def make_role(iam, trust: str | dict, inline: dict | None = None, managed=(), **kw) -> dict:
    name = kw.pop("RoleName", None) or unique("role")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust if isinstance(trust, str)
                           else trust_doc(trust), **kw)["Role"]
    for pname, statements in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=pname, PolicyDocument=policy_doc(*statements))
    for arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return role


def expires_in(creds, seconds: int, slack: int = 120) -> bool:
    left = (creds["Expiration"] - datetime.datetime.now(UTC)).total_seconds()
    return seconds - slack <= left <= seconds + slack


def assert_temp_credentials(creds):
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20, creds["AccessKeyId"]
    assert len(creds["SecretAccessKey"]) == 40
    assert creds["SessionToken"]
    assert creds["Expiration"].tzinfo is not None


def session(server, resp):
    """iam and sts clients signed with the Credentials of an STS response."""
    c = resp["Credentials"]
    return temp_client(server, c, "iam"), temp_client(server, c, "sts")


def sts_error(fn, *a, **kw):
    with pytest.raises(ClientError) as ei:
        fn(*a, **kw)
    return ei.value


# ---- AssumeRole in one account ---------------------------------------------------------------


def test_assume_role_by_user_named_in_trust(server, iam, principal, account_id, uniq):
    """A user named by ARN in the trust policy needs no identity policy (same account)."""
    p = principal()
    role = make_role(iam, trust_aws(p.arn), inline={"read": [allow("iam:ListRoles")]})
    resp = p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert_temp_credentials(resp["Credentials"])
    assert expires_in(resp["Credentials"], 3600)  # the default: one hour
    aru = resp["AssumedRoleUser"]
    assert aru["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{role['RoleName']}/s1"
    assert aru["AssumedRoleId"] == f"{role['RoleId']}:s1"

    s_iam, s_sts = session(server, resp)
    ident = s_sts.get_caller_identity()
    assert ident["Arn"] == aru["Arn"] and ident["UserId"] == aru["AssumedRoleId"]
    assert ident["Account"] == account_id
    # The session acts with the role's permissions, not the user's.
    assert role["RoleName"] in [r["RoleName"] for r in s_iam.list_roles(MaxItems=1000)["Roles"]] or \
        s_iam.list_roles()["IsTruncated"]
    msg = access_denied(s_iam.create_user, UserName=uniq("x"))
    assert msg.startswith(f"User: {aru['Arn']} is not authorized to perform: iam:CreateUser"), msg
    access_denied(p.iam.list_roles)  # the user itself still may not

    last = iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
    assert recent(last["LastUsedDate"]), last
    assert last.get("Region") == "us-east-1", last


def test_assume_role_trusting_account_needs_identity_policy(iam, principal, account_id):
    role = make_role(iam, trust_aws(f"arn:aws:iam::{account_id}:root"))
    other = make_role(iam, trust_aws(f"arn:aws:iam::{account_id}:root"))
    p = principal()
    msg = access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss")
    assert msg.startswith(f"User: {p.arn} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"), msg
    allowed = principal(inline={"assume": policy_doc(allow("sts:AssumeRole", role["Arn"]))})
    resp = allowed.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")
    assert resp["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{role['RoleName']}/ss"
    access_denied(allowed.sts.assume_role, RoleArn=other["Arn"], RoleSessionName="ss")


def test_assume_role_not_trusted(iam, principal):
    """An identity policy alone does not let a user assume a role whose trust does not name it."""
    someone = principal()
    role = make_role(iam, trust_aws(someone.arn))
    p = principal(inline={"assume": policy_doc(allow("sts:AssumeRole"))})
    access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss")
    # A trust policy for a service principal does not let users in either.
    svc = make_role(iam, {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    access_denied(p.sts.assume_role, RoleArn=svc["Arn"], RoleSessionName="ss")


def test_root_may_not_assume_roles(iam, sts, account_id):
    role = make_role(iam, trust_aws(f"arn:aws:iam::{account_id}:root"))
    assert access_denied(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss") == ROOT_MSG


def test_assume_role_duration_up_to_max_session_duration(iam, principal):
    p = principal()
    role = make_role(iam, trust_aws(p.arn), MaxSessionDuration=7200)
    resp = p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=7200)
    assert expires_in(resp["Credentials"], 7200)
    e = expect("ValidationError", 400, p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss",
               DurationSeconds=7201)
    assert e.response["Error"]["Message"] == MAX_MSG
    resp = p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=900)
    assert expires_in(resp["Credentials"], 900)


def test_assume_role_session_name_rules(server, iam, principal):
    p = principal()
    role = make_role(iam, trust_aws(p.arn, Condition={"StringLike": {"sts:RoleSessionName": "ci-*"}}))
    p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ci-42")
    access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="dev-42")
    # Pattern [\w+=,.@-]* and 2..64 characters; boto3 checks the length, so send it raw.
    r = server.signed_request({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role["Arn"],
                               "RoleSessionName": "bad name!"}, service="sts",
                              access_key=p.access_key, secret_key=p.secret_key)
    assert r.status == 400 and r.error()["Code"] == "ValidationError", r


def test_role_chaining_limit(server, iam, principal, account_id):
    p = principal()
    a = make_role(iam, trust_aws(p.arn), inline={"chain": [allow("sts:AssumeRole")]})
    b = make_role(iam, trust_aws(a["Arn"]), inline={"read": [allow("iam:ListRoles")]}, MaxSessionDuration=43200)
    _, a_sts = session(server, p.sts.assume_role(RoleArn=a["Arn"], RoleSessionName="aa"))
    e = expect("ValidationError", 400, a_sts.assume_role, RoleArn=b["Arn"], RoleSessionName="bb",
               DurationSeconds=7200)
    assert e.response["Error"]["Message"] == CHAIN_MSG
    resp = a_sts.assume_role(RoleArn=b["Arn"], RoleSessionName="bb", DurationSeconds=3600)
    assert expires_in(resp["Credentials"], 3600)
    resp = a_sts.assume_role(RoleArn=b["Arn"], RoleSessionName="bb")
    assert (resp["Credentials"]["Expiration"] - datetime.datetime.now(UTC)).total_seconds() <= 3600 + 60
    b_iam, b_sts = session(server, resp)
    assert b_sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{b['RoleName']}/bb"
    b_iam.list_roles()
    # Role sessions may not call GetSessionToken or GetFederationToken (long-term credentials only).
    sess_iam, sess_sts = session(server, p.sts.assume_role(RoleArn=a["Arn"], RoleSessionName="a2"))
    iam.put_role_policy(RoleName=a["RoleName"], PolicyName="all-sts", PolicyDocument=policy_doc(allow("sts:*")))
    access_denied(sess_sts.get_session_token)
    access_denied(sess_sts.get_federation_token, Name="fed", Policy=policy_doc(allow("iam:ListUsers")))


def test_session_policy_narrows_permissions(server, iam, principal, uniq):
    p = principal()
    role = make_role(iam, trust_aws(p.arn), inline={"rw": [allow(["iam:ListRoles", "iam:ListUsers"])]})
    resp = p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss",
                             Policy=policy_doc(allow(["iam:ListUsers", "iam:CreateUser"])))
    assert 0 <= resp["PackedPolicySize"] <= 100, resp.get("PackedPolicySize")
    s_iam, _ = session(server, resp)
    s_iam.list_users()
    access_denied(s_iam.list_roles)  # the role allows it, the session policy does not
    access_denied(s_iam.create_user, UserName=uniq("x"))  # the session policy allows it, the role does not

    managed = iam.create_policy(PolicyName=uniq("sp"), PolicyDocument=policy_doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    s_iam, _ = session(server, p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s2",
                                                 PolicyArns=[{"arn": managed}]))
    s_iam.list_roles()
    access_denied(s_iam.list_users)


def test_revoke_by_detaching_the_role_policy(server, iam, principal, uniq):
    p = principal()
    pol = iam.create_policy(PolicyName=uniq("rp"), PolicyDocument=policy_doc(allow("iam:ListRoles")))["Policy"]["Arn"]
    role = make_role(iam, trust_aws(p.arn), managed=[pol])
    s_iam, s_sts = session(server, p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss"))
    s_iam.list_roles()
    iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=pol)
    access_denied(s_iam.list_roles)  # on the very next call
    s_sts.get_caller_identity()  # always allowed


def test_revoke_older_sessions_with_token_issue_time(server, iam, principal):
    """The console's "Revoke active sessions": an inline deny on aws:TokenIssueTime."""
    p = principal()
    role = make_role(iam, trust_aws(p.arn), inline={"read": [allow("iam:ListRoles")]})
    old_iam, _ = session(server, p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="old"))
    old_iam.list_roles()
    time.sleep(1.1)
    cutoff = datetime.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    time.sleep(1.1)
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="AWSRevokeOlderSessions", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                                                 "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}]}))
    msg = access_denied(old_iam.list_roles)
    assert "explicit deny" in msg, msg
    new_iam, _ = session(server, p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="new"))
    new_iam.list_roles()


def test_principal_type_of_role_sessions(server, iam, principal):
    p = principal()
    role = make_role(iam, trust_aws(p.arn), inline={"t": [
        allow("iam:ListRoles", Condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}}),
        allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalType": "User"}})]})
    s_iam, _ = session(server, p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss"))
    s_iam.list_roles()
    access_denied(s_iam.list_users)


# ---- session tags, transitive tags, source identity -------------------------------------------


def test_session_tags_need_tag_session_in_trust(iam, principal):
    p = principal()
    role = make_role(iam, trust_aws(p.arn))  # sts:AssumeRole only
    access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss", Tags=[{"Key": "team", "Value": "core"}])
    p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")


def test_session_tags_and_transitive_tags_in_chains(server, iam, principal):
    p = principal()
    a = make_role(iam, trust_aws(p.arn, ["sts:AssumeRole", "sts:TagSession"]), inline={"a": [
        allow("sts:AssumeRole"),
        allow("iam:ListRoles", Condition={"StringEquals": {"aws:PrincipalTag/team": "core"}})]})
    b = make_role(iam, trust_aws(a["Arn"], ["sts:AssumeRole", "sts:TagSession"],
                                 Condition={"StringEquals": {"aws:PrincipalTag/team": "core"}}), inline={"b": [
        allow("iam:ListRoles", Condition={"StringEquals": {"aws:PrincipalTag/team": "core"}}),
        allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalTag/project": "x"}})]})
    resp = p.sts.assume_role(RoleArn=a["Arn"], RoleSessionName="aa",
                             Tags=[{"Key": "team", "Value": "core"}, {"Key": "project", "Value": "x"}],
                             TransitiveTagKeys=["team"])
    assert "PackedPolicySize" in resp
    a_iam, a_sts = session(server, resp)
    a_iam.list_roles()
    b_iam, _ = session(server, a_sts.assume_role(RoleArn=b["Arn"], RoleSessionName="bb"))
    b_iam.list_roles()          # team is transitive: it reached B (and B's trust condition)
    access_denied(b_iam.list_users)  # project was not transitive

    # A tag that is not transitive satisfies B's trust (it is the caller's tag) but does not
    # reach B's session.
    _, a2_sts = session(server, p.sts.assume_role(RoleArn=a["Arn"], RoleSessionName="a2",
                                                  Tags=[{"Key": "team", "Value": "core"}]))
    b2_iam, _ = session(server, a2_sts.assume_role(RoleArn=b["Arn"], RoleSessionName="bb"))
    access_denied(b2_iam.list_roles)
    # Without the tag, B's trust condition refuses the chain.
    _, a3_sts = session(server, p.sts.assume_role(RoleArn=a["Arn"], RoleSessionName="a3"))
    access_denied(a3_sts.assume_role, RoleArn=b["Arn"], RoleSessionName="bb")


def test_principal_tag_condition_in_trust(iam, principal):
    """Both users are named in the trust policy (so no identity policy is involved); only the
    one whose tag matches the condition may assume the role."""
    tagged = principal(tags=[{"Key": "dept", "Value": "ops"}])
    untagged = principal()
    role = make_role(iam, trust_aws([tagged.arn, untagged.arn],
                                    Condition={"StringEquals": {"aws:PrincipalTag/dept": "ops"}}))
    tagged.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")
    access_denied(untagged.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss")


def test_source_identity(server, iam, principal):
    p = principal()
    a = make_role(iam, trust_aws(p.arn, ["sts:AssumeRole", "sts:SetSourceIdentity"]),
                  inline={"a": [allow("sts:AssumeRole")]})
    b = make_role(iam, trust_aws(a["Arn"], ["sts:AssumeRole", "sts:SetSourceIdentity"]))
    plain = make_role(iam, trust_aws(p.arn))
    resp = p.sts.assume_role(RoleArn=a["Arn"], RoleSessionName="aa", SourceIdentity="alice")
    assert resp.get("SourceIdentity") == "alice"
    _, a_sts = session(server, resp)
    chained = a_sts.assume_role(RoleArn=b["Arn"], RoleSessionName="bb")
    assert chained.get("SourceIdentity") == "alice"  # it persists along the chain
    access_denied(p.sts.assume_role, RoleArn=plain["Arn"], RoleSessionName="ss", SourceIdentity="alice")


# ---- MFA -------------------------------------------------------------------------------------


def test_mfa_protected_assume_role(server, iam, principal, uniq):
    p = principal()
    mfa = enable_virtual_mfa(iam, p.name)
    role = make_role(iam, trust_aws(p.arn, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                     inline={"r": [allow("iam:ListRoles", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})]})
    access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss")
    good = mfa.next_code()
    bad = "000000" if good != "000000" else "111111"
    access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss", SerialNumber=mfa.serial, TokenCode=bad)
    resp = p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss", SerialNumber=mfa.serial, TokenCode=good)
    s_iam, _ = session(server, resp)
    s_iam.list_roles()  # the MFA context is in the role session
    # A code once used is refused.
    access_denied(p.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss", SerialNumber=mfa.serial, TokenCode=good)


def test_mfa_context_of_get_session_token_satisfies_trust(server, iam, principal):
    """AWS: call GetSessionToken with MFA, then AssumeRole with those credentials: the trust
    policy's aws:MultiFactorAuthPresent condition is met."""
    p = principal()
    mfa = enable_virtual_mfa(iam, p.name)
    role = make_role(iam, trust_aws(p.arn, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    _, plain_sts = session(server, p.sts.get_session_token())
    access_denied(plain_sts.assume_role, RoleArn=role["Arn"], RoleSessionName="ss")
    _, m_sts = session(server, p.sts.get_session_token(SerialNumber=mfa.serial, TokenCode=mfa.next_code()))
    m_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")


def test_get_session_token_with_mfa_unlocks_mfa_only_actions(server, iam, principal):
    mfa_only = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    p = principal(inline={"p": policy_doc(
        allow("iam:ListUsers", Condition=mfa_only),
        allow("iam:ListRoles"),
        allow("iam:ListGroups", Condition={"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "300"}}),
        allow("iam:ListPolicies", Condition={"NumericGreaterThan": {"aws:MultiFactorAuthAge": "300"}}))})
    mfa = enable_virtual_mfa(iam, p.name)
    p.iam.list_roles()
    access_denied(p.iam.list_users)  # long-term keys carry no MFA

    plain_iam, plain_sts = session(server, p.sts.get_session_token())
    assert plain_sts.get_caller_identity()["Arn"] == p.arn  # GetSessionToken sessions are the user
    e = sts_error(plain_iam.list_roles)  # without MFA, no IAM at all
    assert error_of(e)[1] == 403, e.response

    good = mfa.next_code()
    bad = "000000" if good != "000000" else "111111"
    access_denied(p.sts.get_session_token, SerialNumber=mfa.serial, TokenCode=bad)
    resp = p.sts.get_session_token(SerialNumber=mfa.serial, TokenCode=good, DurationSeconds=900)
    assert expires_in(resp["Credentials"], 900)
    m_iam, m_sts = session(server, resp)
    m_iam.list_users()
    m_iam.list_roles()
    m_iam.list_groups()
    access_denied(m_iam.list_policies)  # the MFA age is small
    assert m_sts.get_caller_identity()["Arn"] == p.arn
    access_denied(p.sts.get_session_token, SerialNumber=mfa.serial, TokenCode=good)  # replay


def test_get_session_token_mfa_device_of_another_user(iam, principal):
    p, q = principal(), principal()
    mfa = enable_virtual_mfa(iam, q.name)
    access_denied(p.sts.get_session_token, SerialNumber=mfa.serial, TokenCode=mfa.next_code())


# ---- GetSessionToken -------------------------------------------------------------------------


def test_get_session_token_durations(server, principal, sts):
    p = principal()
    resp = p.sts.get_session_token()
    assert_temp_credentials(resp["Credentials"])
    assert expires_in(resp["Credentials"], 43200)
    assert expires_in(p.sts.get_session_token(DurationSeconds=129600)["Credentials"], 129600)
    assert expires_in(p.sts.get_session_token(DurationSeconds=900)["Credentials"], 900)
    expect("ValidationError", 400, p.sts.get_session_token, DurationSeconds=129601)
    r = server.signed_request({"Action": "GetSessionToken", "Version": "2011-06-15", "DurationSeconds": 899},
                              service="sts", access_key=p.access_key, secret_key=p.secret_key)
    assert r.status == 400 and r.error()["Code"] == "ValidationError", r
    # Root: one hour at most, and longer requests get one hour.
    assert expires_in(sts.get_session_token(DurationSeconds=7200)["Credentials"], 3600)
    assert expires_in(sts.get_session_token()["Credentials"], 3600)
    assert expires_in(sts.get_session_token(DurationSeconds=900)["Credentials"], 900)


def test_get_session_token_restrictions(server, iam, principal):
    p = principal(inline={"all": policy_doc(allow(["iam:*", "sts:*"]))})
    role = make_role(iam, trust_aws(p.arn))
    s_iam, s_sts = session(server, p.sts.get_session_token())
    s_sts.get_caller_identity()
    s_sts.assume_role(RoleArn=role["Arn"], RoleSessionName="from-gst")  # allowed without MFA
    access_denied(s_sts.get_session_token)
    access_denied(s_sts.get_federation_token, Name="fed", Policy=policy_doc(allow("iam:ListUsers")))
    e = sts_error(s_iam.list_users)
    assert error_of(e)[1] == 403 and e.response["Error"]["Code"] in ("AccessDenied", "InvalidClientTokenId"), e.response


# ---- GetFederationToken ----------------------------------------------------------------------


def test_federation_token_shape_and_restrictions(server, principal, account_id):
    p = principal(inline={"fed": policy_doc(allow(["sts:GetFederationToken", "iam:ListUsers"]))})
    resp = p.sts.get_federation_token(Name="bob", Policy=policy_doc(allow("iam:ListUsers")))
    assert_temp_credentials(resp["Credentials"])
    assert expires_in(resp["Credentials"], 43200)
    fu = resp["FederatedUser"]
    assert fu["Arn"] == f"arn:aws:sts::{account_id}:federated-user/bob"
    assert fu["FederatedUserId"] == f"{account_id}:bob"
    assert 0 <= resp["PackedPolicySize"] <= 100
    f_iam, f_sts = session(server, resp)
    ident = f_sts.get_caller_identity()
    assert ident["Arn"] == fu["Arn"] and ident["UserId"] == fu["FederatedUserId"] and ident["Account"] == account_id
    # Federated sessions may call no IAM operation, and in STS only GetCallerIdentity.
    access_denied(f_iam.list_users)
    access_denied(f_sts.get_session_token)
    access_denied(f_sts.get_federation_token, Name="again", Policy=policy_doc(allow("iam:ListUsers")))

    short = p.sts.get_federation_token(Name="carol", DurationSeconds=900)
    assert expires_in(short["Credentials"], 900)
    expect("ValidationError", 400, p.sts.get_federation_token, Name="dave", DurationSeconds=129601)


def test_session_policy_validation(principal):
    p = principal(inline={"fed": policy_doc(allow(["sts:GetFederationToken", "iam:ListUsers"]))})
    e = expect("MalformedPolicyDocument", 400, p.sts.get_federation_token, Name="bob", Policy="not json")
    assert e.response["Error"]["Message"] == "The policy is not in the valid JSON format."
    # A session policy may omit Version, like an inline policy.
    p.sts.get_federation_token(Name="bob", Policy=json.dumps({"Statement": [allow("iam:ListUsers")]}))
    # An AWS managed policy as a session policy counts only its ARN against the packed size.
    r = p.sts.get_federation_token(Name="bob", PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}])
    assert r["PackedPolicySize"] < 10


def test_federation_needs_permission_and_is_revoked_with_the_issuer_policy(server, iam, principal):
    p = principal()
    access_denied(p.sts.get_federation_token, Name="bob", Policy=policy_doc(allow("iam:ListUsers")))
    iam.put_user_policy(UserName=p.name, PolicyName="fed", PolicyDocument=policy_doc(allow("sts:GetFederationToken")))
    resp = p.sts.get_federation_token(Name="bob", Policy=policy_doc(allow("iam:ListUsers")))
    _, f_sts = session(server, resp)
    f_sts.get_caller_identity()
    iam.delete_user_policy(UserName=p.name, PolicyName="fed")
    access_denied(p.sts.get_federation_token, Name="bob", Policy=policy_doc(allow("iam:ListUsers")))
    # What the existing token may still do (GetCallerIdentity) needs no permission, as on AWS.
    f_sts.get_caller_identity()


# ---- tampered and expired tokens -------------------------------------------------------------


def _tampered(token: str) -> str:
    mid = len(token) // 2
    ch = "A" if token[mid] != "A" else "B"
    return token[:mid] + ch + token[mid + 1:]


def check_tampered(server, creds):
    for bad in (dict(creds, SessionToken=_tampered(creds["SessionToken"])),
                dict(creds, SessionToken=creds["SessionToken"][:-8]),
                dict(creds, SessionToken="garbage")):
        e = sts_error(temp_client(server, bad, "sts").get_caller_identity)
        assert error_of(e) == ("InvalidClientTokenId", 403), e.response
        assert e.response["Error"]["Message"] == INVALID_TOKEN_MSG


def test_tampered_token(server, iam, principal):
    p = principal()
    role = make_role(iam, trust_aws(p.arn))
    creds = p.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"]
    temp_client(server, creds, "sts").get_caller_identity()
    check_tampered(server, creds)
    # Another session's token under this session's key ID is refused too.
    other = p.sts.get_session_token()["Credentials"]
    e = sts_error(temp_client(server, dict(creds, SessionToken=other["SessionToken"]), "sts").get_caller_identity)
    assert error_of(e)[1] == 403 and error_of(e)[0] in ("InvalidClientTokenId", "SignatureDoesNotMatch"), e.response
    # An ASIA key without its token is not a valid long-term key.
    no_token = server.client("sts", access_key=creds["AccessKeyId"], secret_key=creds["SecretAccessKey"])
    e = sts_error(no_token.get_caller_identity)
    assert error_of(e) == ("InvalidClientTokenId", 403), e.response


CLOCK_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static int (*real_cg)(clockid_t, struct timespec *);
int clock_gettime(clockid_t id, struct timespec *ts) {
    if (!real_cg) real_cg = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int r = real_cg(id, ts);
    if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
        const char *f = getenv("IAMD_TEST_CLOCK_FILE");
        FILE *fp = f ? fopen(f, "r") : NULL;
        if (fp) { long off = 0; if (fscanf(fp, "%ld", &off) == 1) ts->tv_sec += off; fclose(fp); }
    }
    return r;
}
"""


def test_expired_token(_tmp_root, monkeypatch):
    """A clock we control: the server runs with an LD_PRELOAD shim that adds an offset (read from a
    file) to the wall clock. A 15-minute token is issued, the server's clock moves 20 minutes on,
    and the client signs with the same shifted clock (so SigV4's skew check passes)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc or not ctypes.util.find_library("dl") and not os.path.exists("/lib/x86_64-linux-gnu/libc.so.6"):
        pytest.skip("no C compiler to build the clock shim")
    shim_src = _tmp_root / "clockshim.c"
    shim = _tmp_root / "clockshim.so"
    clock = _tmp_root / f"clock-{unique('c')}"
    if not shim.exists():
        shim_src.write_text(CLOCK_SHIM)
        p = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(shim), str(shim_src), "-ldl"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            pytest.skip(f"cannot build the clock shim: {p.stderr[:300]}")
    clock.write_text("0")
    monkeypatch.setenv("LD_PRELOAD", str(shim))
    monkeypatch.setenv("IAMD_TEST_CLOCK_FILE", str(clock))
    srv = make_server(_tmp_root, "clock", dev=False, extra_args=["--store", "memory"]).start()
    monkeypatch.delenv("LD_PRELOAD")
    try:
        user = make_principal(srv)
        creds = user.sts.get_session_token(DurationSeconds=900)["Credentials"]
        temp_client(srv, creds, "sts").get_caller_identity()
        shift = datetime.timedelta(minutes=20)
        clock.write_text(str(int(shift.total_seconds())))
        with signing_clock(shift):
            # The shift itself does not break authentication: a long-term key still works...
            assert srv.sts.get_caller_identity()["Arn"].endswith(":root")
            # ...but the 15-minute token has expired.
            e = sts_error(temp_client(srv, creds, "sts").get_caller_identity)
            assert error_of(e) == ("ExpiredToken", 403), e.response
            assert e.response["Error"]["Message"] == EXPIRED_MSG
            e = sts_error(temp_client(srv, creds, "iam").list_users)
            assert error_of(e) == ("ExpiredToken", 403), e.response
    finally:
        srv.stop()


# ---- the aws CLI -----------------------------------------------------------------------------


def test_cli_assume_role_and_get_session_token(server, iam, principal, account_id):
    p = principal()
    role = make_role(iam, trust_aws(p.arn), inline={"r": [allow("iam:ListRoles")]})
    r = p.cli("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli",
              "--duration-seconds", "900")
    assert r.rc == 0, r
    creds = r.json["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert r.json["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{role['RoleName']}/cli"
    f = temp_credentials_file(server, creds)
    r = server.cli("sts", "get-caller-identity", credentials_file=f)
    assert r.rc == 0 and r.json["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{role['RoleName']}/cli", r
    r = server.cli("iam", "list-roles", credentials_file=f)
    assert r.rc == 0, r
    r = server.cli("iam", "create-user", "--user-name", unique("x"), credentials_file=f)
    assert r.rc != 0 and "AccessDenied" in r.stderr, r

    r = p.cli("sts", "get-session-token", "--duration-seconds", "900")
    assert r.rc == 0 and r.json["Credentials"]["SessionToken"], r
    r = server.cli("sts", "get-caller-identity", credentials_file=temp_credentials_file(server, r.json["Credentials"]))
    assert r.rc == 0 and r.json["Arn"] == p.arn, r


# ---- across accounts (a --dev server: 12-digit access keys are roots of their accounts) ------


@pytest.fixture(scope="module")
def dev(_tmp_root):
    s = make_server(_tmp_root, "sts-dev", dev=True, extra_args=["--store", "memory"]).start()
    yield s
    s.stop()


def test_cross_account_assume_role_with_external_id(dev):
    other_iam = dev.client("iam", access_key=OTHER_ACCOUNT, secret_key="any")
    other_sts = dev.client("sts", access_key=OTHER_ACCOUNT, secret_key="any")
    assert other_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{OTHER_ACCOUNT}:root"
    name = unique("xacct")
    role = make_role(other_iam, trust_aws(f"arn:aws:iam::{DEV_ACCOUNT}:root",
                                          Condition={"StringEquals": {"sts:ExternalId": "ext-42"}}),
                     inline={"read": [allow("iam:ListRoles")]}, RoleName=name)
    assert role["Arn"] == f"arn:aws:iam::{OTHER_ACCOUNT}:role/{name}"

    assert dev.sts.get_caller_identity()["Account"] == DEV_ACCOUNT
    user = make_principal(dev, inline={"assume": policy_doc(allow("sts:AssumeRole", role["Arn"]))})
    assert user.arn.startswith(f"arn:aws:iam::{DEV_ACCOUNT}:user/")
    access_denied(user.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="xx")
    access_denied(user.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="xx", ExternalId="wrong-1")
    resp = user.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="xx", ExternalId="ext-42")
    assert resp["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/{name}/xx"
    s_iam, s_sts = session(dev, resp)
    ident = s_sts.get_caller_identity()
    assert ident["Account"] == OTHER_ACCOUNT and ident["Arn"] == resp["AssumedRoleUser"]["Arn"]
    # The session is authorized by the role's policies, in the role's account.
    roles = [r["Arn"] for r in s_iam.list_roles()["Roles"]]
    assert role["Arn"] in roles and all(f":{OTHER_ACCOUNT}:" in a for a in roles), roles
    access_denied(s_iam.create_user, UserName=unique("x"))

    # Cross-account needs the caller's identity policy as well as the trust policy.
    bare = make_principal(dev)
    access_denied(bare.sts.assume_role, RoleArn=role["Arn"], RoleSessionName="xx", ExternalId="ext-42")


def test_cross_account_trust_by_account_id_and_session_token_checks(dev):
    other_iam = dev.client("iam", access_key="222222222222", secret_key="any")
    role = make_role(other_iam, trust_aws(DEV_ACCOUNT))  # "AWS": "123456789012" means the account root
    user = make_principal(dev, inline={"assume": policy_doc(allow("sts:AssumeRole"))})
    creds = user.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ss")["Credentials"]
    assert temp_client(dev, creds, "sts").get_caller_identity()["Account"] == "222222222222"
    # In dev mode an unknown *key* acts as root, but a session key with a bad token must never.
    check_tampered(dev, creds)
    # A user of another account is not trusted.
    stranger_iam = dev.client("iam", access_key="333333333333", secret_key="any")
    stranger_iam.create_user(UserName="s")
    key = stranger_iam.create_access_key(UserName="s")["AccessKey"]
    stranger_iam.put_user_policy(UserName="s", PolicyName="a", PolicyDocument=policy_doc(allow("sts:AssumeRole")))
    stranger = dev.client("sts", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    access_denied(stranger.assume_role, RoleArn=role["Arn"], RoleSessionName="ss")
