"""Issue 14's account-level operations with boto3 and the aws CLI: the Organizations-only
operations (answered as AWS answers a standalone account), service-specific credentials
(CodeCommit, Keyspaces, Bedrock API keys) and the STS global endpoint token preference."""

from __future__ import annotations

import base64
import re

import pytest

from iamd_harness import allow, expect, policy_doc, recent

ORG_ROOT_OPS = [
    ("list_organizations_features", {}),
    ("enable_organizations_root_credentials_management", {}),
    ("disable_organizations_root_credentials_management", {}),
    ("enable_organizations_root_sessions", {}),
    ("disable_organizations_root_sessions", {}),
]


@pytest.mark.parametrize("op,kw", ORG_ROOT_OPS)
def test_centralized_root_access_needs_an_organization(iam, op, kw):
    e = expect("OrganizationNotFoundException", 400, getattr(iam, op), **kw)
    assert "no organization" in e.response["Error"]["Message"]


def test_organizations_access_report(iam):
    expect("AWSOrganizationsNotInUseException", 400, iam.generate_organizations_access_report,
           EntityPath="o-a1b2c3d4e5/r-f6g7h8i9j0example")
    expect("NoSuchEntity", 404, iam.get_organizations_access_report,
           JobId="examplea-1234-b567-cde8-90fg123abcd4")


def test_assume_root_is_refused_outside_an_organization(sts, account_id):
    task = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    e = expect("AccessDenied", 403, sts.assume_root, TargetPrincipal=account_id, TaskPolicyArn=task)
    assert "sts:AssumeRoot" in e.response["Error"]["Message"]
    # Only AWS's root task policies.
    expect("ValidationError", 400, sts.assume_root, TargetPrincipal=account_id,
           TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})


def test_assume_root_is_authorized_first(principal, account_id):
    p = principal()
    task = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    e = expect("AccessDenied", 403, p.client("sts").assume_root, TargetPrincipal=account_id,
               TaskPolicyArn=task)
    assert "because no identity-based policy allows" in e.response["Error"]["Message"] or \
        "not authorized" in e.response["Error"]["Message"]


@pytest.fixture
def user(iam, uniq):
    name = uniq("ssc")
    iam.create_user(UserName=name)
    return name


def test_service_specific_credentials_lifecycle(iam, user, account_id):
    c = iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"]
    assert c["UserName"] == user
    assert c["ServiceName"] == "codecommit.amazonaws.com"
    assert c["ServiceUserName"] == f"{user}-at-{account_id}"
    assert len(c["ServicePassword"]) == 44
    assert re.fullmatch(r"ACCA[A-Z2-7]{17}", c["ServiceSpecificCredentialId"])
    assert c["Status"] == "Active" and recent(c["CreateDate"])
    cid = c["ServiceSpecificCredentialId"]

    listed = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert [x["ServiceSpecificCredentialId"] for x in listed] == [cid]
    assert "ServicePassword" not in listed[0]
    assert listed[0]["ServiceUserName"] == c["ServiceUserName"]

    iam.update_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cid, Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName=user, ServiceName="codecommit.amazonaws.com")
    assert listed["ServiceSpecificCredentials"][0]["Status"] == "Inactive"

    r = iam.reset_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cid)[
        "ServiceSpecificCredential"]
    assert r["ServicePassword"] != c["ServicePassword"] and len(r["ServicePassword"]) == 44
    assert r["ServiceSpecificCredentialId"] == cid

    # Two per service per user; another service has its own two.
    iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
    expect("LimitExceeded", 409, iam.create_service_specific_credential, UserName=user,
           ServiceName="codecommit.amazonaws.com")
    k = iam.create_service_specific_credential(UserName=user, ServiceName="cassandra.amazonaws.com")[
        "ServiceSpecificCredential"]
    assert k["ServiceUserName"] == f"{user}-at-{account_id}"

    # DeleteUser conflicts while any remains.
    expect("DeleteConflict", 409, iam.delete_user, UserName=user)
    for x in iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]:
        iam.delete_service_specific_credential(UserName=user,
                                               ServiceSpecificCredentialId=x["ServiceSpecificCredentialId"])
    expect("NoSuchEntity", 404, iam.delete_service_specific_credential, UserName=user,
           ServiceSpecificCredentialId=cid)
    iam.delete_user(UserName=user)


def test_bedrock_api_keys(iam, user, account_id):
    c = iam.create_service_specific_credential(UserName=user, ServiceName="bedrock.amazonaws.com",
                                               CredentialAgeDays=30)["ServiceSpecificCredential"]
    alias = c["ServiceCredentialAlias"]
    assert re.fullmatch(rf"BedrockAPIKey-[a-z2-7]{{4}}-at-{account_id}", alias)
    secret = c["ServiceCredentialSecret"]
    assert secret.startswith("ABSK")
    assert base64.b64decode(secret[4:]).decode().startswith(alias + ":")
    days = (c["ExpirationDate"] - c["CreateDate"]).days
    assert days == 30
    assert "ServicePassword" not in c
    listed = iam.list_service_specific_credentials(AllUsers=True, ServiceName="bedrock.amazonaws.com")
    mine = [x for x in listed["ServiceSpecificCredentials"] if x["UserName"] == user]
    assert [x["ServiceCredentialAlias"] for x in mine] == [alias]
    expect("InvalidInput", 400, iam.create_service_specific_credential, UserName=user,
           ServiceName="codecommit.amazonaws.com", CredentialAgeDays=30)


def test_unsupported_service_and_unknown_user(iam, user):
    expect("NotSupportedService", 404, iam.create_service_specific_credential, UserName=user,
           ServiceName="s3.amazonaws.com")
    expect("NoSuchEntity", 404, iam.create_service_specific_credential, UserName="nobody-here",
           ServiceName="codecommit.amazonaws.com")


def test_a_user_manages_their_own_credentials_only_when_allowed(iam, principal, account_id):
    own = f"arn:aws:iam::{account_id}:user/${{aws:username}}"
    p = principal(inline={"own": policy_doc(allow(["iam:CreateServiceSpecificCredential",
                                                    "iam:ListServiceSpecificCredentials"], own))})
    me = p.client("iam")
    c = me.create_service_specific_credential(UserName=p.name, ServiceName="codecommit.amazonaws.com")
    assert c["ServiceSpecificCredential"]["UserName"] == p.name
    # UserName defaults to the caller.
    assert len(me.list_service_specific_credentials()["ServiceSpecificCredentials"]) == 1
    other = p.name + "x"
    iam.create_user(UserName=other)
    expect("AccessDenied", 403, me.create_service_specific_credential, UserName=other,
           ServiceName="codecommit.amazonaws.com")


def test_cli_service_specific_credentials(server, iam, user):
    out = server.cli("iam", "create-service-specific-credential", "--user-name", user,
                     "--service-name", "cassandra.amazonaws.com")
    assert out.rc == 0, out
    cid = out.json["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    out = server.cli("iam", "list-service-specific-credentials", "--user-name", user)
    assert out.rc == 0, out
    assert [x["ServiceSpecificCredentialId"] for x in out.json["ServiceSpecificCredentials"]] == [cid]
    out = server.cli("iam", "delete-service-specific-credential", "--user-name", user,
                     "--service-specific-credential-id", cid)
    assert out.rc == 0, out


def _token_version(iam) -> int:
    return iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"]


def test_sts_preferences_show_in_the_summary(server, iam):
    try:
        iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
        assert _token_version(iam) == 2
        out = server.cli("iam", "set-security-token-service-preferences",
                         "--global-endpoint-token-version", "v1Token")
        assert out.rc == 0, out
        assert _token_version(iam) == 1
    finally:
        iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")


def test_temporary_delegation_has_no_requests(iam, sts, account_id):
    e = expect("AccessDenied", 403, iam.create_delegation_request, Description="d",
               Permissions={"PolicyTemplateArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
               RequestorWorkflowId="workflow-1", NotificationChannel="arn:aws:sns:us-east-1:111122223333:t",
               SessionDuration=3600)
    assert "onboarded" in e.response["Error"]["Message"]
    rid = "dr-0123456789abcdef"
    for op in ("get_delegation_request", "accept_delegation_request", "associate_delegation_request",
               "reject_delegation_request", "update_delegation_request", "send_delegation_token"):
        expect("NoSuchEntity", 404, getattr(iam, op), DelegationRequestId=rid)
    assert iam.list_delegation_requests()["DelegationRequests"] == []
    expect("NoSuchEntity", 404, iam.get_human_readable_summary,
           EntityArn=f"arn:aws:iam::{account_id}:delegation-request/{rid}")
    expect("InvalidInput", 400, iam.get_human_readable_summary, EntityArn=f"arn:aws:iam::{account_id}:user/x")
    expect("ExpiredTradeInTokenException", 400, sts.get_delegated_access_token, TradeInToken="token")


def test_service_name_condition_on_existing_credentials(iam, principal, account_id):
    own = f"arn:aws:iam::{account_id}:user/${{aws:username}}"
    p = principal(inline={"p": policy_doc(
        allow(["iam:CreateServiceSpecificCredential", "iam:ListServiceSpecificCredentials"], own),
        allow("iam:DeleteServiceSpecificCredential", own,
              Condition={"StringEquals": {"iam:ServiceSpecificCredentialServiceName": "codecommit.amazonaws.com"}}))})
    me = p.client("iam")
    git = me.create_service_specific_credential(UserName=p.name, ServiceName="codecommit.amazonaws.com")
    ks = me.create_service_specific_credential(UserName=p.name, ServiceName="cassandra.amazonaws.com")
    expect("AccessDenied", 403, me.delete_service_specific_credential, UserName=p.name,
           ServiceSpecificCredentialId=ks["ServiceSpecificCredential"]["ServiceSpecificCredentialId"])
    me.delete_service_specific_credential(
        UserName=p.name, ServiceSpecificCredentialId=git["ServiceSpecificCredential"]["ServiceSpecificCredentialId"])
