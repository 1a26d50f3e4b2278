"""iamd's responses against the examples of AWS's IAM and STS API reference.

`data/reference_examples.json` holds the sample request and sample response of each operation's
page (gathered by `scripts/gather-reference-examples`, which names the pages). For every example
this module sets up what the example needs on a server of its own, sends the example's request
(signed Query parameters, names made unique) and compares the XML element structure of iamd's
answer with the example's: element names, nesting and order, not the values. Repeated `member`
elements count as one whose children are the union of theirs.

Who is right where they differ:
- the botocore model names the members and fixes their order (AWS serializes in model order;
  the examples are hand-edited and some list members out of order: such an example is accepted
  when iamd follows the model, and the test checks that it does);
- the example says which members are present, except where it is older than the model or shows
  data the setup cannot make; those cases are listed in KNOWN with the reason, and a KNOWN entry
  that no longer occurs fails the test, so the list stays true.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import botocore.session
import pytest

from iamd_harness import IamdServer, enable_virtual_mfa, local, make_server, unique

DATA = json.loads((Path(__file__).parent / "data" / "reference_examples.json").read_text())

# (operation, difference) -> why it is accepted. A difference is "missing <path>" (in the
# example, not in iamd's answer) or "extra <path>" (in iamd's answer, not in the example).
KNOWN: dict[tuple[str, str], str] = {
    ("CreateUser", "extra CreateUserResponse/CreateUserResult/User/CreateDate"):
        "CreateDate is a required member of botocore's User; the example predates it",
    ("GetUser", "missing GetUserResponse/GetUserResult/User/PasswordLastUsed"):
        "set by a console sign-in, which the setup does not do",
    ("ListUsers", "missing ListUsersResponse/ListUsersResult/Users/member/PasswordLastUsed"):
        "set by a console sign-in, which the setup does not do",
    ("CreateGroup", "extra CreateGroupResponse/CreateGroupResult/Group/CreateDate"):
        "CreateDate is a required member of botocore's Group; the example predates it",
    ("GetGroup", "extra GetGroupResponse/GetGroupResult/Group/CreateDate"):
        "CreateDate is a required member of botocore's Group; the example predates it",
    ("GetGroup", "extra GetGroupResponse/GetGroupResult/Users/member/CreateDate"):
        "CreateDate is a required member of botocore's User; the example predates it",
    ("ListGroups", "extra ListGroupsResponse/ListGroupsResult/Groups/member/CreateDate"):
        "CreateDate is a required member of botocore's Group; the example predates it",
    ("ListGroupsForUser", "extra ListGroupsForUserResponse/ListGroupsForUserResult/Groups/member/CreateDate"):
        "CreateDate is a required member of botocore's Group; the example predates it",
    ("CreateAccessKey", "extra CreateAccessKeyResponse/CreateAccessKeyResult/AccessKey/CreateDate"):
        "CreateDate is a member of botocore's AccessKey, and AWS returns it; the example predates it",
    ("GetPolicy", "extra GetPolicyResponse/GetPolicyResult/Policy/PermissionsBoundaryUsageCount"):
        "a member of botocore's Policy that AWS returns since permissions boundaries (2018); "
        "the example (2014) predates it",
    ("GetPolicy", "extra GetPolicyResponse/GetPolicyResult/Policy/IsAttachable"):
        "a member of botocore's Policy that AWS returns; the example omits it",
    ("GetPolicy", "extra GetPolicyResponse/GetPolicyResult/Policy/Tags"):
        "AWS sends Tags, empty, for a policy without tags (LocalStack's AWS-recorded snapshots, "
        "see iam/src/tags.rs `always`); the example omits it",
    ("ListAccessKeys", "missing ListAccessKeysResponse/ListAccessKeysResult/UserName"):
        "not a member of botocore's ListAccessKeysResponse (AccessKeyMetadata, IsTruncated, Marker), "
        "so no client reads it",
    ("GetLoginProfile", "extra GetLoginProfileResponse/GetLoginProfileResult/LoginProfile/PasswordResetRequired"):
        "AWS sends it, false included (LocalStack's AWS-recorded test_iam_users.snapshot.json "
        "`get-login-profile`, 2026; get-login-profile output quoted in public scripts, 2017); the "
        "example and botocore's example omit it",
    ("ListMFADevices", "extra ListMFADevicesResponse/ListMFADevicesResult/MFADevices/member/EnableDate"):
        "EnableDate is a required member of botocore's MFADevice; the example omits it",
    ("GetInstanceProfile", "extra GetInstanceProfileResponse/GetInstanceProfileResult/InstanceProfile/Tags"):
        "AWS sends Tags, empty, for a profile without tags (LocalStack's AWS-recorded "
        "test_iam_instance_profiles.snapshot.json `get-instance-profile`); the example predates tags",
    ("GetRole", "extra GetRoleResponse/GetRoleResult/Role/MaxSessionDuration"):
        "MaxSessionDuration (2018) is a member of botocore's Role that AWS returns; the "
        "example (2012) predates it",
    ("ListRoles", "extra ListRolesResponse/ListRolesResult/Roles/member/MaxSessionDuration"):
        "MaxSessionDuration (2018) is a member of botocore's Role; the example predates it",
}

TRUST_EC2 = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
             '"Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}')
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


# ---- the comparison -------------------------------------------------------------------------

def tree(el: ET.Element) -> tuple[str, list]:
    """(name, children) with repeated children of one name merged into the first."""
    children: list[tuple[str, list]] = []
    for c in el:
        t = tree(c)
        same = next((x for x in children if x[0] == t[0]), None)
        if same is None:
            children.append(t)
        else:
            merge(same, t)
    return (local(el.tag), children)


def merge(into: tuple[str, list], other: tuple[str, list]) -> None:
    for c in other[1]:
        same = next((x for x in into[1] if x[0] == c[0]), None)
        if same is None:
            into[1].append(c)
        else:
            merge(same, c)


def model_order(service: str, op: str, path: list[str]) -> list[str] | None:
    """The members of the shape at `path` (below the result wrapper) in model order."""
    model = botocore.session.get_session().get_service_model(service)
    shape = model.operation_model(op).output_shape
    for name in path:
        if shape is None:
            return None
        if shape.type_name == "list":
            shape = shape.member if name == "member" else None
        elif shape.type_name == "structure":
            shape = shape.members.get(name)
        else:
            return None
    if shape is not None and shape.type_name == "list":
        shape = shape.member
    if shape is None or shape.type_name != "structure":
        return None
    return list(shape.members)


def compare(service: str, op: str, want: tuple, got: tuple, path: list[str],
            diffs: list[str], order_notes: list[str]) -> None:
    here = "/".join(path + [want[0]])
    wnames = [c[0] for c in want[1]]
    gnames = [c[0] for c in got[1]]
    for n in wnames:
        if n not in gnames:
            diffs.append(f"missing {here}/{n}")
    for n in gnames:
        if n not in wnames:
            diffs.append(f"extra {here}/{n}")
    common_w = [n for n in wnames if n in gnames]
    common_g = [n for n in gnames if n in wnames]
    full = path + [want[0]]
    order = None
    if len(full) >= 2 and full[1].endswith("Result"):
        order = model_order(service, op, full[2:])
    follows_model = order is None or [n for n in order if n in gnames] == [n for n in gnames if n in order]
    if not follows_model:
        diffs.append(f"order {here}: iamd {gnames}, model {order}")
    elif common_w != common_g:
        if order is not None:
            order_notes.append(f"{here}: the example's order {common_w} is not the model's; iamd keeps the model's")
        else:
            diffs.append(f"order {here}: example {common_w}, iamd {common_g}")
    for w in want[1]:
        g = next((x for x in got[1] if x[0] == w[0]), None)
        if g is not None:
            compare(service, op, w, g, path + [want[0]], diffs, order_notes)


# ---- the server and each example's setup -------------------------------------------------------

@pytest.fixture(scope="module")
def srv(tmp_path_factory) -> IamdServer:
    s = make_server(tmp_path_factory.mktemp("refex"), "refex", extra_args=["--store", "memory"]).start()
    yield s
    s.stop()


def ok(r):
    assert r.status == 200, r
    return r


def account(s: IamdServer) -> str:
    return s.sts.get_caller_identity()["Account"]


def user_with_key(s: IamdServer, policy: str = ALLOW_ALL) -> tuple[str, str, str]:
    name = unique("caller")
    s.iam.create_user(UserName=name)
    s.iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=policy)
    k = s.iam.create_access_key(UserName=name)["AccessKey"]
    return name, k["AccessKeyId"], k["SecretAccessKey"]


def setup(s: IamdServer, op: str, p: dict[str, str]) -> tuple[dict[str, str], dict]:
    """Creates what the example needs; returns its parameters (names made unique) and how to
    send it (the credentials, when not the root's)."""
    iam = s.iam
    p = dict(p)
    send: dict = {}
    if op in ("CreateUser", "CreateAccessKey", "CreateGroup", "CreateRole"):
        for key in ("UserName", "GroupName", "RoleName"):
            if key in p:
                p[key] = unique(p[key])
        if op == "CreateAccessKey":
            iam.create_user(UserName=p["UserName"])
    elif op == "GetUser":
        p["UserName"] = unique("Bob")
        iam.create_user(UserName=p["UserName"], Path="/division_abc/subdivision_xyz/")
    elif op == "ListUsers":
        prefix = p["PathPrefix"] + unique("p") + "/"
        p["PathPrefix"] = prefix
        for n in ("Andrew", "Jackie"):
            iam.create_user(UserName=unique(n), Path=prefix)
    elif op in ("GetGroup", "ListGroupsForUser"):
        group, users = unique("Admins"), [unique("Bob"), unique("Susan")]
        iam.create_group(GroupName=group)
        for u in users:
            iam.create_user(UserName=u, Path="/division_abc/subdivision_xyz/")
            iam.add_user_to_group(GroupName=group, UserName=u)
        p = {"GroupName": group} if op == "GetGroup" else {"UserName": users[0]}
    elif op == "ListGroups":
        prefix = p["PathPrefix"] + unique("p") + "/"
        p["PathPrefix"] = prefix
        for n in ("Admins", "Test", "Managers"):
            iam.create_group(GroupName=unique(n), Path=prefix)
    elif op == "GetRole":
        # Used once, so that RoleLastUsed has a date and a region.
        acct = account(s)
        name, ak, sk = user_with_key(s)
        p["RoleName"] = unique("S3Access")
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:user/{name}"},
            "Action": "sts:AssumeRole"}]})
        iam.create_role(RoleName=p["RoleName"], Path="/application_abc/component_xyz/",
                        AssumeRolePolicyDocument=trust)
        arn = f"arn:aws:iam::{acct}:role/application_abc/component_xyz/{p['RoleName']}"
        ok(s.sts_call("AssumeRole", {"RoleArn": arn, "RoleSessionName": "ref"},
                      access_key=ak, secret_key=sk))
    elif op == "ListRoles":
        prefix = p["PathPrefix"] + unique("p") + "/"
        p["PathPrefix"] = prefix
        for n in ("S3Access", "SDBAccess"):
            iam.create_role(RoleName=unique(n), Path=prefix, AssumeRolePolicyDocument=TRUST_EC2)
    elif op == "ListAccessKeys":
        p["UserName"] = unique("Bob")
        iam.create_user(UserName=p["UserName"])
        iam.create_access_key(UserName=p["UserName"])
        k = iam.create_access_key(UserName=p["UserName"])["AccessKey"]
        iam.update_access_key(UserName=p["UserName"], AccessKeyId=k["AccessKeyId"], Status="Inactive")
    elif op == "GetPolicy":
        name = unique("S3-read-only-example-bucket")
        arn = iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_ALL,
                                Description="read-only")["Policy"]["Arn"]
        p["PolicyArn"] = arn
    elif op == "ListAttachedUserPolicies":
        p["UserName"] = unique("Alice")
        iam.create_user(UserName=p["UserName"])
        iam.attach_user_policy(UserName=p["UserName"],
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    elif op == "GetUserPolicy":
        p["UserName"] = unique("Bob")
        iam.create_user(UserName=p["UserName"])
        iam.put_user_policy(UserName=p["UserName"], PolicyName=p["PolicyName"], PolicyDocument=ALLOW_ALL)
    elif op == "GetLoginProfile":
        p["UserName"] = unique("Bob")
        iam.create_user(UserName=p["UserName"])
        iam.create_login_profile(UserName=p["UserName"], Password="Correct-Horse-9-Battery!")
    elif op == "GetCredentialReport":
        for _ in range(50):
            if iam.generate_credential_report()["State"] == "COMPLETE":
                break
            time.sleep(0.1)
    elif op == "ListMFADevices":
        p["UserName"] = unique("Bob")
        iam.create_user(UserName=p["UserName"])
        enable_virtual_mfa(iam, p["UserName"])
    elif op == "GetRolePolicy":
        p["RoleName"] = unique("S3Access")
        iam.create_role(RoleName=p["RoleName"], AssumeRolePolicyDocument=TRUST_EC2)
        iam.put_role_policy(RoleName=p["RoleName"], PolicyName=p["PolicyName"], PolicyDocument=ALLOW_ALL)
    elif op == "GetInstanceProfile":
        p["InstanceProfileName"] = unique("Webserver")
        role = unique("S3Access")
        path = "/application_abc/component_xyz/"
        iam.create_role(RoleName=role, Path=path, AssumeRolePolicyDocument=TRUST_EC2)
        iam.create_instance_profile(InstanceProfileName=p["InstanceProfileName"], Path=path)
        iam.add_role_to_instance_profile(InstanceProfileName=p["InstanceProfileName"], RoleName=role)
    elif op == "GetFederationToken":
        _, ak, sk = user_with_key(s)
        for key in ("PolicyArns.member.1.arn", "PolicyArns.member.2.arn"):
            pol = unique(p[key].rsplit("/", 1)[1])
            p[key] = iam.create_policy(PolicyName=pol, PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
        p["Policy"] = ALLOW_ALL
        send = {"access_key": ak, "secret_key": sk}
    elif op == "GetAccessKeyInfo":
        p["AccessKeyId"] = s.access_key
    elif op in ("GetPolicyVersion", "ListPolicyVersions", "ListEntitiesForPolicy"):
        name = unique(p["PolicyArn"].rsplit("/", 1)[1])
        arn = iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
        p["PolicyArn"] = arn
        if op == "ListPolicyVersions":
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_ALL, SetAsDefault=True)
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_ALL)
        if op == "ListEntitiesForPolicy":
            role, group = unique("DevRole"), unique("Dev")
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)
            iam.create_group(GroupName=group)
            iam.attach_group_policy(GroupName=group, PolicyArn=arn)
            for n in ("Alice", "Bob"):
                user = unique(n)
                iam.create_user(UserName=user)
                iam.attach_user_policy(UserName=user, PolicyArn=arn)
    elif op == "GetAccessKeyLastUsed":
        _, ak, sk = user_with_key(s)
        ok(s.sts_call("GetCallerIdentity", {}, access_key=ak, secret_key=sk))
        p["AccessKeyId"] = ak
        # The last use is written once a second, off the request path.
        for _ in range(50):
            if "LastUsedDate" in iam.get_access_key_last_used(AccessKeyId=ak)["AccessKeyLastUsed"]:
                break
            time.sleep(0.1)
    elif op == "CreateLoginProfile":
        p["UserName"] = unique("Bob")
        iam.create_user(UserName=p["UserName"])
    elif op == "GetAccountPasswordPolicy":
        iam.update_account_password_policy(
            MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=True,
            RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
            AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=12,
            HardExpiry=False)
    elif op == "ListAccountAliases":
        iam.create_account_alias(AccountAlias=unique("example-corporation").lower())
    elif op == "CreateVirtualMFADevice":
        p["VirtualMFADeviceName"] = unique(p["VirtualMFADeviceName"])
    elif op == "GetOpenIDConnectProvider":
        host = unique("server") + ".example.com"
        p["OpenIDConnectProviderArn"] = iam.create_open_id_connect_provider(
            Url=f"https://{host}", ClientIDList=["my-application-ID"],
            ThumbprintList=["c3768084dfb3d2b68b7897bf5f565da8eb0e4b1f"])["OpenIDConnectProviderArn"]
    elif op == "ListInstanceProfiles":
        prefix = p["PathPrefix"] + unique("p") + "/"
        p["PathPrefix"] = prefix
        role = unique("ec2instancerole")
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
        for n in ("Database", "Webserver"):
            name = unique(n)
            iam.create_instance_profile(InstanceProfileName=name, Path=prefix)
            if n == "Database":
                iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    elif op == "AssumeRole":
        acct = account(s)
        name, ak, sk = user_with_key(s)
        role = unique("demo")
        who = {"AWS": f"arn:aws:iam::{acct}:user/{name}"}
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": who, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": p["ExternalId"]}}},
            {"Effect": "Allow", "Principal": who, "Action": ["sts:TagSession", "sts:SetSourceIdentity"]}]})
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
        p["RoleArn"] = f"arn:aws:iam::{acct}:role/{role}"
        for key in ("PolicyArns.member.1.arn", "PolicyArns.member.2.arn"):
            pol = unique(p[key].rsplit("/", 1)[1])
            p[key] = iam.create_policy(PolicyName=pol, PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
        p["Policy"] = ALLOW_ALL
        send = {"access_key": ak, "secret_key": sk}
    return p, send


def call(s: IamdServer, service: str, op: str, p: dict[str, str], send: dict):
    if service == "sts":
        return s.sts_call(op, p, **send)
    return s.iam_call(op, p, **send)


@pytest.mark.parametrize("ex", DATA, ids=[f"{e['operation']}-{e['example']}" for e in DATA])
def test_reference_example(srv, ex):
    op, service = ex["operation"], ex["service"]
    params, send = setup(srv, op, ex["params"])
    r = call(srv, service, op, params, send)
    assert r.status == 200, f"{op}: {r.status} {r.body[:800]!r}"
    want = tree(ET.fromstring(ex["response_xml"]))
    got = tree(r.xml())
    diffs: list[str] = []
    notes: list[str] = []
    compare(service, op, want, got, [], diffs, notes)
    print(op, "order notes:", notes)
    unexplained = [d for d in diffs if (op, d) not in KNOWN]
    stale = [d for (o, d) in KNOWN if o == op and d not in diffs]
    assert not unexplained, f"{op} ({ex['url']}): differences from the example: {unexplained}"
    assert not stale, f"{op}: KNOWN lists differences that no longer occur: {stale}"


def test_every_example_has_a_page_and_a_response():
    assert len(DATA) >= 20
    for ex in DATA:
        assert ex["url"].startswith("https://docs.aws.amazon.com/"), ex["url"]
        assert urllib.parse.urlparse(ex["url"]).path.endswith(f"API_{ex['operation']}.html")
        root = ET.fromstring(ex["response_xml"])
        assert local(root.tag) == f"{ex['operation']}Response"


def test_known_differences_name_examples():
    ops = {e["operation"] for e in DATA}
    assert {op for op, _ in KNOWN} <= ops


def test_comparison_reports_every_kind_of_difference():
    """The comparison itself: a missing member, an extra one, and an order that is neither the
    example's nor the model's are reported; an example out of model order is not held
    against an answer in model order."""
    def t(xml: str):
        return tree(ET.fromstring(xml))

    example = t("<GetUserResponse><GetUserResult><User><UserId/><Path/><UserName/><Arn/>"
                "<PasswordLastUsed/></User></GetUserResult></GetUserResponse>")
    model_order_answer = t("<GetUserResponse><GetUserResult><User><Path/><UserName/><UserId/><Arn/>"
                           "<CreateDate/></User></GetUserResult></GetUserResponse>")
    diffs, notes = [], []
    compare("iam", "GetUser", example, model_order_answer, [], diffs, notes)
    assert diffs == ["missing GetUserResponse/GetUserResult/User/PasswordLastUsed",
                     "extra GetUserResponse/GetUserResult/User/CreateDate"]
    assert len(notes) == 1
    wrong_order = t("<GetUserResponse><GetUserResult><User><Arn/><Path/><UserName/><UserId/>"
                    "</User></GetUserResult></GetUserResponse>")
    diffs, notes = [], []
    compare("iam", "GetUser", example, wrong_order, [], diffs, notes)
    assert any(d.startswith("order GetUserResponse/GetUserResult/User") for d in diffs), diffs
    members = t("<L><Users><member><A/></member><member><A/><B/></member></Users></L>")
    assert members == ("L", [("Users", [("member", [("A", []), ("B", [])])])])
