"""`iamd agent`: an EC2-compatible instance metadata endpoint serving an instance profile's role
credentials. boto3, in a subprocess with no other credentials and AWS_EC2_METADATA_SERVICE_ENDPOINT
pointed at the agent, finds them by itself (credential method `iam-role`) as on an EC2 instance.

AWS's behaviour: EC2 User Guide "Retrieve security credentials from instance metadata" (the JSON
document: Code Success, LastUpdated, Type AWS-HMAC, AccessKeyId, SecretAccessKey, Token,
Expiration), "Use IMDSv2" (PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds, then
X-aws-ec2-metadata-token; 400 without a TTL, 401 with a bad token), IAM User Guide "Use an IAM role
to grant permissions to applications running on Amazon EC2 instances" (iam:PassRole, the role's
trust in ec2.amazonaws.com; the session is named after the instance ID).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from iamd_harness import allow, free_port, iamd_bin, make_principal, policy_doc, unique

UTC = datetime.timezone.utc
CREDS_PATH = "/latest/meta-data/iam/security-credentials/"


class Agent:
    def __init__(self, server, key_id, secret, profile, *extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = server.data_dir.parent / f"agent-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret)
        self._fh = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [str(iamd_bin()), "agent", "--endpoint", f"http://127.0.0.1:{server.port}",
             "--instance-profile", profile, "--listen", f"127.0.0.1:{self.port}", *extra],
            env=env, stdout=self._fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"iamd agent exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                requests.put(self.base + "/latest/api/token", timeout=1,
                             headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
                return
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"iamd agent did not listen within 10 s:\n{self.log.read_text()}")

    def token(self, ttl="21600") -> str:
        r = requests.put(self.base + "/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl},
                         timeout=5)
        assert r.status_code == 200, (r.status_code, r.text)
        assert r.text
        return r.text

    def get(self, path, token=None) -> requests.Response:
        h = {"X-aws-ec2-metadata-token": token} if token else {}
        return requests.get(self.base + path, headers=h, timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._fh.close()


BOTO_SCRIPT = r"""
import json, sys, boto3
from botocore.config import Config
s = boto3.session.Session(region_name="us-east-1")
c = s.get_credentials()
if c is None:
    print(json.dumps({"credentials": None}))
    sys.exit(0)
f = c.get_frozen_credentials()
cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"})
ident = s.client("sts", endpoint_url=sys.argv[1], config=cfg).get_caller_identity()
out = {"method": c.method, "access_key": f.access_key, "token": bool(f.token),
       "arn": ident["Arn"], "account": ident["Account"]}
iam = s.client("iam", endpoint_url=sys.argv[1], config=cfg)
try:
    iam.get_role(RoleName=sys.argv[2])
    out["get_role"] = "ok"
except Exception as e:
    out["get_role"] = getattr(e, "response", {}).get("Error", {}).get("Code", repr(e))
try:
    iam.create_user(UserName="agent-should-not")
    out["create_user"] = "ok"
except Exception as e:
    out["create_user"] = getattr(e, "response", {}).get("Error", {}).get("Code", repr(e))
print(json.dumps(out))
"""


def boto_on_instance(server, agent: Agent, role_name: str, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_SERVICE_ENDPOINT=agent.base + "/", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_CONFIG_FILE="/dev/null", AWS_METADATA_SERVICE_TIMEOUT="5",
               AWS_METADATA_SERVICE_NUM_ATTEMPTS="2", HOME=str(tmp_path))
    p = subprocess.run([sys.executable, "-c", BOTO_SCRIPT, server.endpoint, role_name], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def setup_profile(server, with_pass_role=True):
    """A role trusting ec2.amazonaws.com in an instance profile, and the agent's user."""
    iam = server.iam
    role_name, profile = unique("ec2role"), unique("profile")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]
    iam.put_role_policy(RoleName=role_name, PolicyName="read",
                        PolicyDocument=policy_doc(allow("iam:GetRole", role["Arn"])))
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role_name)
    statements = [allow("iam:GetInstanceProfile")]
    if with_pass_role:
        statements.append(allow("iam:PassRole", role["Arn"],
                                Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}))
    agent_user = make_principal(server, inline={"agent": policy_doc(*statements)})
    return role, profile, agent_user


@pytest.fixture(scope="module")
def running(server):
    role, profile, user = setup_profile(server)
    agent = Agent(server, user.access_key, user.secret_key, profile)
    yield role, profile, agent
    agent.stop()


def test_boto3_gets_role_credentials_from_the_agent(server, running, account_id, tmp_path):
    role, _, agent = running
    out = boto_on_instance(server, agent, role["RoleName"], tmp_path)
    assert out.get("credentials", True) is not None, f"boto3 found no credentials: {agent.log.read_text()[-2000:]}"
    assert out["method"] == "iam-role", out
    assert out["access_key"].startswith("ASIA") and out["token"], out
    assert out["account"] == account_id
    prefix = f"arn:aws:sts::{account_id}:assumed-role/{role['RoleName']}/i-"
    assert out["arn"].startswith(prefix), out
    # The role's policies apply: GetRole on itself is allowed, CreateUser is not.
    assert out["get_role"] == "ok", out
    assert out["create_user"] == "AccessDenied", out


def test_imdsv2_token_flow_and_credentials_document(running, account_id):
    role, _, agent = running
    tok = agent.token()
    r = agent.get(CREDS_PATH, tok)
    assert r.status_code == 200, r.text
    assert r.text.strip().splitlines() == [role["RoleName"]]
    r = agent.get(CREDS_PATH + role["RoleName"], tok)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["Code"] == "Success" and doc["Type"] == "AWS-HMAC", doc
    assert doc["AccessKeyId"].startswith("ASIA") and len(doc["SecretAccessKey"]) == 40 and doc["Token"]
    exp = datetime.datetime.fromisoformat(doc["Expiration"].replace("Z", "+00:00"))
    updated = datetime.datetime.fromisoformat(doc["LastUpdated"].replace("Z", "+00:00"))
    now = datetime.datetime.now(UTC)
    # Fresh credentials are served at least 5 minutes before they expire.
    assert exp - now > datetime.timedelta(minutes=5), doc["Expiration"]
    assert abs((now - updated).total_seconds()) < 3700
    # An unknown role name is a 404, as on EC2.
    assert agent.get(CREDS_PATH + "not-" + role["RoleName"], tok).status_code == 404


def test_imdsv2_token_errors(running):
    _, _, agent = running
    r = requests.put(agent.base + "/latest/api/token", timeout=5)  # no TTL header
    assert r.status_code == 400, (r.status_code, r.text)
    r = requests.put(agent.base + "/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "0"},
                     timeout=5)
    assert r.status_code == 400, (r.status_code, r.text)
    r = requests.put(agent.base + "/latest/api/token",
                     headers={"X-aws-ec2-metadata-token-ttl-seconds": "21601"}, timeout=5)
    assert r.status_code == 400, (r.status_code, r.text)
    r = agent.get(CREDS_PATH, "not-a-valid-token")
    assert r.status_code == 401, (r.status_code, r.text)


def test_imdsv1_allowed_by_default(running):
    role, _, agent = running
    r = agent.get(CREDS_PATH)
    assert r.status_code == 200 and r.text.strip() == role["RoleName"], (r.status_code, r.text)


def test_imdsv2_required(server, tmp_path):
    role, profile, user = setup_profile(server)
    agent = Agent(server, user.access_key, user.secret_key, profile, "--imdsv2-required")
    try:
        assert agent.get(CREDS_PATH).status_code == 401
        tok = agent.token()
        r = agent.get(CREDS_PATH + role["RoleName"], tok)
        assert r.status_code == 200 and r.json()["Code"] == "Success", r.text
        # boto3 uses IMDSv2 on its own.
        out = boto_on_instance(server, agent, role["RoleName"], tmp_path)
        assert out.get("method") == "iam-role", out
    finally:
        agent.stop()


def test_agent_without_pass_role_gets_no_credentials(server, account_id, tmp_path):
    role, profile, user = setup_profile(server, with_pass_role=False)
    agent = Agent(server, user.access_key, user.secret_key, profile)
    try:
        time.sleep(0.5)
        tok = agent.token()
        r = agent.get(CREDS_PATH + role["RoleName"], tok)
        if r.status_code == 200:
            assert r.json().get("Code") != "Success", r.text
            assert "AccessKeyId" not in r.json() or not r.json()["AccessKeyId"], r.text
        out = boto_on_instance(server, agent, role["RoleName"], tmp_path)
        assert out.get("credentials", "x") is None, out
    finally:
        agent.stop()


def test_agent_refuses_a_role_not_trusting_ec2(server, account_id, tmp_path):
    iam = server.iam
    role_name, profile = unique("notec2"), unique("profile")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": account_id},
                                                "Action": "sts:AssumeRole"}]}))["Role"]
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role_name)
    user = make_principal(server, inline={"agent": policy_doc(
        allow("iam:GetInstanceProfile"), allow("iam:PassRole", role["Arn"]), allow("sts:AssumeRole", role["Arn"]))})
    agent = Agent(server, user.access_key, user.secret_key, profile)
    try:
        time.sleep(0.5)
        r = agent.get(CREDS_PATH + role_name, agent.token())
        if r.status_code == 200:
            assert r.json().get("Code") != "Success", r.text
    finally:
        agent.stop()
