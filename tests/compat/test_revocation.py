"""Early revocation of temporary credentials (beyond AWS): one session by its access key ID, or
every session of a role or user issued before a time, through `POST /_iamd/revoke-sessions` and
`iamd sessions revoke`. It holds on the very next request."""

import json
import subprocess
import time

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from iamd_harness import REGION, allow, iamd_bin, make_principal, make_server, policy_doc, unique


@pytest.fixture(scope="module")
def srv(_tmp_root):
    s = make_server(_tmp_root, "revoke").start()
    yield s
    s.stop()


def iamd_post(srv, path, body, key=None, secret=None):
    data = json.dumps(body)
    req = AWSRequest(method="POST", url=srv.endpoint + path, data=data,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key or srv.access_key, secret or srv.secret_key), "iamd", REGION).add_auth(req)
    p = req.prepare()
    r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=10)
    return r.status_code, r.json()


def sts_of(srv, c):
    return boto3.session.Session().client(
        "sts", endpoint_url=srv.endpoint, region_name=REGION,
        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"])


def refused(client):
    with pytest.raises(ClientError) as ei:
        client.get_caller_identity()
    return ei.value.response["Error"]["Code"]


def test_revoke_one_session_then_every_session_of_a_role(srv):
    role = unique("rv")
    assumer = make_principal(srv, unique("as"), inline={"a": json.loads(policy_doc(allow("sts:AssumeRole")))})
    srv.iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": assumer.arn}, "Action": "sts:AssumeRole"}))
    role_arn = srv.iam.get_role(RoleName=role)["Role"]["Arn"]

    def assume(name):
        for _ in range(50):
            try:
                return assumer.sts.assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
            except ClientError:
                time.sleep(0.1)
        raise AssertionError("AssumeRole failed")

    s1, s2 = assume("one"), assume("two")
    a, b = sts_of(srv, s1), sts_of(srv, s2)
    assert a.get_caller_identity()["Arn"].endswith("/one")
    assert b.get_caller_identity()["Arn"].endswith("/two")

    status, out = iamd_post(srv, "_iamd/revoke-sessions", {"AccessKeyId": s1["AccessKeyId"]})
    assert status == 200, out
    assert out["Revocation"]["AccessKeyId"] == s1["AccessKeyId"]
    assert refused(a) == "InvalidClientTokenId"
    assert b.get_caller_identity()["Arn"].endswith("/two"), "other sessions are untouched"

    status, out = iamd_post(srv, "_iamd/revoke-sessions", {"PrincipalArn": role_arn})
    assert status == 200, out
    assert refused(b) == "InvalidClientTokenId"
    time.sleep(1.1)  # revocations are to the second: a later session is not covered
    s3 = assume("three")
    assert sts_of(srv, s3).get_caller_identity()["Arn"].endswith("/three")

    status, out = iamd_post(srv, "_iamd/list-session-revocations", {})
    assert status == 200, out
    kinds = {(r.get("AccessKeyId"), r.get("PrincipalArn")) for r in out["Revocations"]}
    assert (s1["AccessKeyId"], None) in kinds and (None, role_arn) in kinds
    assert all(r["RevokedBy"].endswith(":root") for r in out["Revocations"])

    # Audited like any call.
    ct = srv.client("cloudtrail")
    deadline = time.monotonic() + 5
    while True:
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "RevokeSessions"}])["Events"]
        if len(events) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(events) >= 2


def test_revocation_needs_its_permission_and_valid_input(srv):
    p = make_principal(srv, unique("nr"))
    status, out = iamd_post(srv, "_iamd/revoke-sessions", {"PrincipalArn": p.arn}, p.access_key, p.secret_key)
    assert (status, out["__type"]) == (403, "AccessDeniedException"), out
    assert "iamd:RevokeSessions" in out["message"]
    status, out = iamd_post(srv, "_iamd/revoke-sessions", {})
    assert status == 400, out
    status, out = iamd_post(srv, "_iamd/revoke-sessions", {"AccessKeyId": "AKIANOTASESSIONKEY00"})
    assert (status, out["__type"]) == (400, "ValidationException"), out
    status, out = iamd_post(srv, "_iamd/revoke-sessions", {"PrincipalArn": "arn:aws:iam::999999999999:role/x"})
    assert status == 400, out


def test_the_cli_revokes_a_users_session_tokens_on_a_running_server(srv):
    p = make_principal(srv, unique("gst"))
    c = p.sts.get_session_token()["Credentials"]
    s = sts_of(srv, c)
    assert s.get_caller_identity()["Arn"] == p.arn
    account = p.arn.split(":")[4]
    r = subprocess.run([str(iamd_bin()), "sessions", "revoke", "--data-dir", str(srv.data_dir), *srv.store_args(),
                        "--principal-arn", p.arn], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Revocation"]["PrincipalArn"] == p.arn
    deadline = time.monotonic() + 2
    code = None
    while time.monotonic() < deadline:
        try:
            s.get_caller_identity()
            time.sleep(0.05)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            break
    assert code == "InvalidClientTokenId", "the running server did not see the CLI's revocation within 2 s"
    listed = subprocess.run([str(iamd_bin()), "sessions", "list", "--data-dir", str(srv.data_dir), *srv.store_args(),
                             "--account-id", account], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and p.arn in listed.stdout
