"""The coverage meter: every operation of botocore's IAM and STS models, called as the account's
root with parameters the model accepts.

- None answers 501 NotImplemented, and none answers a 5xx.
- Every successful answer has exactly the model's output shape on the wire: the
  `<{Op}Response>`/`<{Op}Result>` wrappers and `ResponseMetadata`, no element the model lacks,
  every required member present, lists as `member` elements, maps as `entry`/`key`/`value`, and
  scalars that parse as their type.

Inputs are generated from the model (required members only, strings fitted to the member's
pattern and length). Names that refer to entities point at ones the fixture creates first, so most
reads succeed; writes run after every read, and deletions last.
"""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET

import botocore.session
import pytest

from iamd_harness import local, make_server

DOC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})

NAMESPACES = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/",
              "sts": "https://sts.amazonaws.com/doc/2011-06-15/"}

# Candidate strings tried, in order, against a member's pattern.
CANDIDATES = ["cov", "Active", "cov-name", "/", "v1", "us-east-1", "123456789012",
              "AKIAIOSFODNN7EXAMPLE", "https://cov.example.com", "arn:aws:iam::123456789012:user/cov",
              "0" * 40, "000000", "ec2.amazonaws.com", "Cov+=,.@-_1"]

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def phase(op: str) -> int:
    """Reads first, then other writes, then removals, so fixtures outlive the calls using them."""
    if op.startswith(("Get", "List", "Simulate", "Generate")):
        return 0
    if op.startswith(("Delete", "Remove", "Detach", "Untag", "Disable", "Deactivate", "Reset")):
        return 2
    return 1


class Inputs:
    """Model-valid parameters, with entity names pointing at the fixture's entities."""

    def __init__(self, fixture: dict[str, str]):
        self.fixture = fixture

    def value(self, name: str, shape, depth: int = 0):
        if name in self.fixture and shape.type_name == "string":
            return self.fixture[name]
        t = shape.type_name
        if t == "structure":
            return {m: self.value(m, shape.members[m], depth + 1) for m in shape.required_members}
        if t == "list":
            item = self.value(name, shape.member, depth + 1)
            return [item] * max(1, shape.metadata.get("min", 1))
        if t == "map":
            return {"k": self.value(name, shape.value, depth + 1)}
        if t == "string":
            return self.string(shape)
        if t in ("integer", "long"):
            return max(1, shape.metadata.get("min", 1))
        if t == "boolean":
            return False
        if t == "timestamp":
            return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if t == "blob":
            return "Y292"
        return "cov"

    @staticmethod
    def string(shape) -> str:
        if shape.enum:
            return shape.enum[0]
        lo, hi = shape.metadata.get("min", 1), shape.metadata.get("max", 512)
        pattern = compiled(shape.metadata.get("pattern"))
        for c in CANDIDATES:
            s = (c * (1 + lo // max(1, len(c))))[:max(lo, len(c))][:hi]
            if pattern is None or pattern.fullmatch(s):
                return s
        return "c" * max(lo, 1)

    def query(self, op_model) -> dict[str, str]:
        out: dict[str, str] = {}
        shape = op_model.input_shape
        if shape is None:
            return out
        # Required members, and optional ones that name a fixture entity (a user's MFA devices
        # rather than the caller's).
        for m in shape.members:
            if m in shape.required_members or m == "UserName":
                flatten(out, m, self.value(m, shape.members[m]))
        return out


def compiled(pattern: str | None):
    """The model's pattern for Python's `re`; `None` (no constraint) for Java-only syntax."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def flatten(out: dict, prefix: str, v) -> None:
    if isinstance(v, dict):
        for k, x in v.items():
            flatten(out, f"{prefix}.{k}", x)
    elif isinstance(v, list):
        for i, x in enumerate(v, 1):
            flatten(out, f"{prefix}.member.{i}", x)
    else:
        out[prefix] = "false" if v is False else str(v)


def check_shape(el: ET.Element, shape, where: str, problems: list[str]) -> None:
    t = shape.type_name
    kids = list(el)
    if t == "structure":
        names = {shape.members[m].serialization.get("name", m): m for m in shape.members}
        seen = set()
        for k in kids:
            n = local(k.tag)
            if n not in names:
                problems.append(f"{where}: element {n} is not in {shape.name}")
                continue
            if n in seen:
                problems.append(f"{where}: {n} appears twice")
            seen.add(n)
            check_shape(k, shape.members[names[n]], f"{where}.{n}", problems)
        for r in shape.required_members:
            if shape.members[r].serialization.get("name", r) not in seen:
                problems.append(f"{where}: required {r} missing")
    elif t == "list":
        member = shape.member.serialization.get("name", "member")
        for i, k in enumerate(kids):
            if local(k.tag) != member:
                problems.append(f"{where}: list item {local(k.tag)}, not {member}")
            check_shape(k, shape.member, f"{where}[{i}]", problems)
    elif t == "map":
        kn = shape.key.serialization.get("name", "key")
        vn = shape.value.serialization.get("name", "value")
        for k in kids:
            parts = {local(p.tag): p for p in k}
            if local(k.tag) != "entry" or set(parts) != {kn, vn}:
                problems.append(f"{where}: map entry {local(k.tag)} {sorted(parts)}")
                continue
            check_shape(parts[vn], shape.value, f"{where}[{parts[kn].text}]", problems)
    else:
        if kids:
            problems.append(f"{where}: scalar {t} has child elements")
        text = el.text or ""
        if t in ("integer", "long") and not re.fullmatch(r"-?\d+", text):
            problems.append(f"{where}: {t} {text!r}")
        elif t == "boolean" and text not in ("true", "false"):
            problems.append(f"{where}: boolean {text!r}")
        elif t == "timestamp" and not TIMESTAMP.match(text):
            problems.append(f"{where}: timestamp {text!r}")
        elif t == "string" and shape.enum and text not in shape.enum:
            problems.append(f"{where}: {text!r} is not one of {shape.name}'s values")


def check_response(body: bytes, op_model, problems: list[str]) -> None:
    root = ET.fromstring(body)
    op = op_model.name
    if local(root.tag) != f"{op}Response":
        problems.append(f"{op}: root element {local(root.tag)}")
        return
    kids = {local(k.tag): k for k in root}
    expected = {"ResponseMetadata"} | ({f"{op}Result"} if op_model.output_shape else set())
    if set(kids) != expected:
        problems.append(f"{op}: response holds {sorted(kids)}, not {sorted(expected)}")
    meta = kids.get("ResponseMetadata")
    if meta is None or [local(k.tag) for k in meta] != ["RequestId"]:
        problems.append(f"{op}: ResponseMetadata without its RequestId")
    if op_model.output_shape is not None and f"{op}Result" in kids:
        check_shape(kids[f"{op}Result"], op_model.output_shape, op, problems)


@pytest.fixture(scope="module")
def covered(tmp_path_factory):
    server = make_server(tmp_path_factory.mktemp("coverage"), "coverage").start()
    try:
        yield server, run_all(server)
    finally:
        server.stop()


def make_fixture(server) -> dict[str, str]:
    iam = server.iam
    account = server.sts.get_caller_identity()["Account"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "sts:AssumeRole"}]})
    user = iam.create_user(UserName="cov-user")["User"]["Arn"]
    iam.create_group(GroupName="cov-group")
    iam.add_user_to_group(GroupName="cov-group", UserName="cov-user")
    role = iam.create_role(RoleName="cov-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    policy = iam.create_policy(PolicyName="cov-policy", PolicyDocument=DOC)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="cov-user", PolicyArn=policy)
    iam.put_user_policy(UserName="cov-user", PolicyName="cov-inline", PolicyDocument=DOC)
    iam.put_group_policy(GroupName="cov-group", PolicyName="cov-inline", PolicyDocument=DOC)
    iam.put_role_policy(RoleName="cov-role", PolicyName="cov-inline", PolicyDocument=DOC)
    iam.create_instance_profile(InstanceProfileName="cov-ip")
    iam.add_role_to_instance_profile(InstanceProfileName="cov-ip", RoleName="cov-role")
    iam.create_login_profile(UserName="cov-user", Password="Cov-Pass-1234!")
    key = iam.create_access_key(UserName="cov-user")["AccessKey"]["AccessKeyId"]
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="cov-mfa")["VirtualMFADevice"]
    oidc = iam.create_open_id_connect_provider(
        Url="https://cov.example.com", ClientIDList=["cov"], ThumbprintList=["0" * 40])
    iam.create_account_alias(AccountAlias=f"cov-{account}")
    iam.update_account_password_policy(MinimumPasswordLength=8)
    return {
        "UserName": "cov-user", "GroupName": "cov-group", "RoleName": "cov-role",
        "PolicyArn": policy, "PolicyName": "cov-inline", "InstanceProfileName": "cov-ip",
        "PolicyDocument": DOC, "AssumeRolePolicyDocument": trust, "PolicyInputList": DOC,
        "ActionNames": "iam:GetUser", "ResourceArns": "*", "PolicySourceArn": user,
        "RoleArn": role, "RoleSessionName": "cov", "AccessKeyId": key,
        "SerialNumber": mfa["SerialNumber"], "VirtualMFADeviceName": "cov-mfa",
        "OpenIDConnectProviderArn": oidc["OpenIDConnectProviderArn"], "VersionId": "v1",
        "Arn": role, "Url": "https://cov.example.com",
        "ClientID": "cov", "NewPassword": "Cov-Pass-5678!", "OldPassword": "Cov-Pass-1234!",
        "Password": "Cov-Pass-1234!", "AccountAlias": f"cov-{account}",
    }


def run_all(server) -> dict:
    inputs = Inputs(make_fixture(server))
    session = botocore.session.get_session()
    calls = []
    for service in ("iam", "sts"):
        model = session.get_service_model(service)
        for op in model.operation_names:
            calls.append((phase(op), service, model.operation_model(op)))
    calls.sort(key=lambda c: (c[0], c[2].name))
    outcome = {"501": [], "5xx": [], "ok": [], "errors": {}, "problems": []}
    for _, service, op_model in calls:
        params = inputs.query(op_model)
        call = server.iam_call if service == "iam" else server.sts_call
        r = call(op_model.name, params)
        if r.status == 501:
            outcome["501"].append(op_model.name)
        elif r.status >= 500:
            outcome["5xx"].append(f"{op_model.name}: {r.status} {r.body[:200]!r}")
        elif r.status == 200:
            outcome["ok"].append(op_model.name)
            check_response(r.body, op_model, outcome["problems"])
        else:
            e = r.error()
            outcome["errors"][op_model.name] = f"{e['Code']}: {e['Message']} {params}"
    return outcome


def test_no_operation_answers_501(covered):
    _, outcome = covered
    assert outcome["501"] == [], f"these operations answer 501: {outcome['501']}"


def test_no_operation_answers_a_server_error(covered):
    _, outcome = covered
    assert outcome["5xx"] == []


def test_successful_answers_have_the_models_shapes(covered):
    _, outcome = covered
    print(f"\n{len(outcome['ok'])} operations answered 200; errors: {outcome['errors']}")
    # Enough of the models is exercised for the check to mean something.
    assert len(outcome["ok"]) >= 100, outcome["errors"]
    assert outcome["problems"] == [], "\n".join(outcome["problems"])
