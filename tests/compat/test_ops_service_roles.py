"""Service-linked roles with boto3 and the aws CLI: the role each service defines (name, path,
trust, managed policy), custom suffixes where the service allows them, protection against the
ordinary role operations (UnmodifiableEntity), and deletion through a deletion task."""

from __future__ import annotations

import json

from iamd_harness import allow, expect, policy_doc


def _delete(iam, name):
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    return task


def test_create_shape_and_protection(iam, account_id):
    r = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    name = "AWSServiceRoleForECS"
    assert r["RoleName"] == name
    assert r["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert r["Arn"] == f"arn:aws:iam::{account_id}:role/aws-service-role/ecs.amazonaws.com/{name}"
    assert "Description" not in r
    trust = r["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": ["ecs.amazonaws.com"]}
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == \
        ["arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"]
    try:
        expect("InvalidInput", 400, iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")
        expect("InvalidInput", 400, iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com",
               CustomSuffix="two")
        for fn, kw in [
            (iam.delete_role, {}),
            (iam.update_assume_role_policy, {"PolicyDocument": json.dumps(trust)}),
            (iam.put_role_policy, {"PolicyName": "x", "PolicyDocument": policy_doc(allow("s3:*"))}),
            (iam.attach_role_policy, {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
            (iam.detach_role_policy, {"PolicyArn": attached[0]["PolicyArn"]}),
            (iam.put_role_permissions_boundary, {"PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        ]:
            e = expect("UnmodifiableEntity", 400, fn, RoleName=name, **kw)
            assert f"protected role '{name}'" in e.response["Error"]["Message"]
        iam.update_role_description(RoleName=name, Description="edited")
        assert iam.get_role(RoleName=name)["Role"]["Description"] == "edited"
    finally:
        task = _delete(iam, name)
    assert task.startswith(f"task/aws-service-role/ecs.amazonaws.com/{name}/")
    expect("NoSuchEntity", 404, iam.get_role, RoleName=name)


def test_custom_suffix(iam):
    r = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="blue",
                                       Description="blue fleet")["Role"]
    assert r["RoleName"] == "AWSServiceRoleForAutoScaling_blue"
    assert r["Description"] == "blue fleet"
    _delete(iam, r["RoleName"])


def test_unknown_service_and_reserved_path(iam):
    expect("InvalidInput", 400, iam.create_service_linked_role, AWSServiceName="nothing.amazonaws.com")
    expect("InvalidInput", 400, iam.create_role, RoleName="fake-slr", Path="/aws-service-role/x/",
           AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    expect("NoSuchEntity", 404, iam.get_service_linked_role_deletion_status,
           DeletionTaskId="task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-4000-8000-000000000000")


def test_permission_is_needed(principal):
    p = principal()
    expect("AccessDenied", 403, p.client("iam").create_service_linked_role,
           AWSServiceName="elasticache.amazonaws.com")


def test_cli(server, iam):
    out = server.cli("iam", "create-service-linked-role", "--aws-service-name", "rds.amazonaws.com")
    assert out.rc == 0, out
    assert out.json["Role"]["RoleName"] == "AWSServiceRoleForRDS"
    out = server.cli("iam", "delete-service-linked-role", "--role-name", "AWSServiceRoleForRDS")
    assert out.rc == 0, out
    task = out.json["DeletionTaskId"]
    out = server.cli("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)
    assert out.rc == 0, out
    assert out.json["Status"] == "SUCCEEDED"


def test_aws_documented_policy_allows_creation(principal, iam, account_id):
    # The policy AWS documents for letting a user create one service's role.
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
        "Resource": "arn:aws:iam::*:role/aws-service-role/elasticache.amazonaws.com/AWSServiceRoleForElastiCache*",
        "Condition": {"StringLike": {"iam:AWSServiceName": "elasticache.amazonaws.com"}}}]}
    p = principal(inline={"slr": doc})
    r = p.client("iam").create_service_linked_role(AWSServiceName="elasticache.amazonaws.com")["Role"]
    try:
        assert r["RoleName"] == "AWSServiceRoleForElastiCache"
        expect("AccessDenied", 403, p.client("iam").create_service_linked_role,
               AWSServiceName="ecs.amazonaws.com")
    finally:
        _delete(iam, r["RoleName"])
