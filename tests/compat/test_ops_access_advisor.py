"""Access advisor from iamd's audit trail, with boto3 and the aws CLI: services the entity's
policies allow, when each was last used and by whom (user, group members, role sessions, a
policy's holders), action-level for IAM, and the policies granting a service."""

from __future__ import annotations

import json
import time

from iamd_harness import allow, expect, policy_doc


def _report(iam, arn, **kw):
    job = iam.generate_service_last_accessed_details(Arn=arn, **kw)["JobId"]
    assert len(job) == 36
    r = iam.get_service_last_accessed_details(JobId=job)
    assert r["JobStatus"] == "COMPLETED"
    return job, r, {s["ServiceNamespace"]: s for s in r["ServicesLastAccessed"]}


def _eventually(fn, tries=50):
    for _ in range(tries):
        out = fn()
        if out is not None:
            return out
        time.sleep(0.1)
    raise AssertionError("not in the trail")


def test_user_report(iam, principal):
    p = principal(inline={"p": policy_doc(allow(["iam:ListUsers", "s3:GetObject"]))})
    p.client("iam").list_users()

    def used():
        _, r, by_ns = _report(iam, p.arn, Granularity="ACTION_LEVEL")
        return (r, by_ns) if by_ns["iam"].get("LastAuthenticated") else None

    r, by_ns = _eventually(used)
    assert r["JobType"] == "ACTION_LEVEL"
    assert set(by_ns) == {"iam", "s3"}
    assert by_ns["iam"]["ServiceName"] == "AWS Identity and Access Management"
    assert by_ns["iam"]["LastAuthenticatedEntity"] == p.arn
    assert by_ns["iam"]["TotalAuthenticatedEntities"] == 1
    assert "ListUsers" in [a["ActionName"] for a in by_ns["iam"]["TrackedActionsLastAccessed"]]
    assert "LastAuthenticated" not in by_ns["s3"] and by_ns["s3"]["TotalAuthenticatedEntities"] == 0


def test_group_report_lists_members(iam, principal, uniq):
    g = uniq("aag")
    garn = iam.create_group(GroupName=g)["Group"]["Arn"]
    iam.put_group_policy(GroupName=g, PolicyName="gp", PolicyDocument=policy_doc(allow("iam:GetUser")))
    a, b = principal(groups=[g]), principal(groups=[g])
    a.client("iam").get_user()

    def used():
        job, _, by_ns = _report(iam, garn)
        return job if by_ns["iam"].get("LastAuthenticated") else None

    job = _eventually(used)
    ents = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")
    by_name = {e["EntityInfo"]["Name"]: e for e in ents["EntityDetailsList"]}
    assert set(by_name) == {a.name, b.name}
    assert by_name[a.name]["EntityInfo"]["Type"] == "USER"
    assert "LastAuthenticated" in by_name[a.name] and "LastAuthenticated" not in by_name[b.name]

    granting = iam.list_policies_granting_service_access(Arn=a.arn, ServiceNamespaces=["iam", "ec2"])
    by_ns = {x["ServiceNamespace"]: x["Policies"] for x in granting["PoliciesGrantingServiceAccess"]}
    assert by_ns["iam"] == [{"PolicyName": "gp", "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": g}]
    assert by_ns["ec2"] == []


def test_role_sessions_count_for_the_role(iam, sts, principal, account_id, uniq):
    me = principal(inline={"assume": policy_doc(allow("sts:AssumeRole"))})
    role = uniq("aar")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": me.arn}, "Action": "sts:AssumeRole"}]}
    rarn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    c = me.client("sts").assume_role(RoleArn=rarn, RoleSessionName="aa-session")["Credentials"]
    import boto3
    sess = boto3.session.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                 aws_session_token=c["SessionToken"], region_name="us-east-1")
    sess.client("iam", endpoint_url=me.server.endpoint).list_roles()

    def used():
        _, _, by_ns = _report(iam, rarn)
        return by_ns if by_ns["iam"].get("LastAuthenticated") else None

    by_ns = _eventually(used)
    assert by_ns["iam"]["LastAuthenticatedEntity"] == rarn
    # A managed policy's report tracks whoever holds it.
    _, _, by_ns = _report(iam, "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert by_ns["iam"]["LastAuthenticatedEntity"] == rarn
    granting = iam.list_policies_granting_service_access(Arn=rarn, ServiceNamespaces=["iam"])
    pol = granting["PoliciesGrantingServiceAccess"][0]["Policies"]
    assert pol == [{"PolicyName": "IAMReadOnlyAccess", "PolicyType": "MANAGED",
                    "PolicyArn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}]


def test_errors(iam, account_id):
    expect("NoSuchEntity", 404, iam.generate_service_last_accessed_details,
           Arn=f"arn:aws:iam::{account_id}:user/nobody-aa")
    expect("InvalidInput", 400, iam.generate_service_last_accessed_details,
           Arn=f"arn:aws:iam::{account_id}:server-certificate/x")
    expect("NoSuchEntity", 404, iam.get_service_last_accessed_details,
           JobId="00000000-0000-4000-8000-000000000000")


def test_cli(server, principal):
    p = principal(inline={"p": policy_doc(allow("iam:*"))})
    out = server.cli("iam", "generate-service-last-accessed-details", "--arn", p.arn)
    assert out.rc == 0, out
    out = server.cli("iam", "get-service-last-accessed-details", "--job-id", out.json["JobId"])
    assert out.rc == 0, out
    assert out.json["JobStatus"] == "COMPLETED"
    assert [s["ServiceNamespace"] for s in out.json["ServicesLastAccessed"]] == ["iam"]
