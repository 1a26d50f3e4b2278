"""The authorization API (`POST /_iamd/authorize`): another service forwards the request it got
and asks whether the signer may act. Requests are signed with botocore for a service iamd does
not itself serve (`s3`), header and presigned, with long-term and session credentials."""

import datetime
import json
import time

import pytest
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd_harness import allow, deny, make_principal, make_server, policy_doc, signing_clock, unique

BUCKET = "arn:aws:s3:::corp"


@pytest.fixture(scope="module")
def srv(_tmp_root):
    s = make_server(_tmp_root, "authz").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def svc(srv):
    """The calling service: an iamd user allowed iamd:Authorize."""
    return make_principal(srv, unique("svc"), inline={"a": json.loads(policy_doc(allow("iamd:Authorize")))})


@pytest.fixture(scope="module")
def joe(srv):
    """The seeds' Joe: may read objects of the corporate bucket under his own path."""
    doc = policy_doc(
        allow("s3:GetObject", f"{BUCKET}/home/${{aws:username}}/*"),
        deny("s3:GetObject", f"{BUCKET}/home/*/secret/*"),
    )
    return make_principal(srv, unique("joe"), inline={"s3": json.loads(doc)})


def s3_request(key, secret, path, token=None, method="GET", presign=False, clock=None):
    """A request to an S3-compatible service, signed by botocore, as the service received it."""
    url = "http://s3.local.test" + path
    req = AWSRequest(method=method, url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"} if not presign else {})
    creds = Credentials(key, secret, token)
    ctx = signing_clock(clock) if clock else _null()
    with ctx:
        if presign:
            SigV4QueryAuth(creds, "s3", "us-east-1", expires=300).add_auth(req)
        else:
            SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    p = req.prepare()
    path_only, _, query = p.url[len("http://s3.local.test"):].partition("?")
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in p.headers.items()}
    headers["host"] = "s3.local.test"
    return {"Method": method, "Path": path_only, "Query": query, "Headers": headers}


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def authorize(srv, caller, body):
    """POST /_iamd/authorize signed as `caller` (access key, secret)."""
    data = json.dumps(body)
    req = AWSRequest(method="POST", url=srv.endpoint + "_iamd/authorize", data=data,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(*caller), "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=10)
    return r.status_code, r.json()


def event(srv, event_id):
    """The audit record of `event_id` (written off the request path: wait for it)."""
    ct = srv.client("cloudtrail")
    deadline = time.monotonic() + 5
    while True:
        ev = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": event_id}])
        if ev["Events"] or time.monotonic() > deadline:
            return json.loads(ev["Events"][0]["CloudTrailEvent"])
        time.sleep(0.1)


def creds(p):
    return (p.access_key, p.secret_key)


def test_allow_implicit_and_explicit_deny_from_a_forwarded_header_signature(srv, svc, joe):
    fwd = s3_request(joe.access_key, joe.secret_key, f"/corp/home/{joe.name}/a.txt")
    status, out = authorize(srv, creds(svc), {"Request": fwd, "Checks": [
        {"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/{joe.name}/a.txt"},
        {"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/other/a.txt"},
        {"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/{joe.name}/secret/k"},
    ]})
    assert status == 200, out
    assert [r["Decision"] for r in out["Results"]] == ["Allow", "ImplicitDeny", "ExplicitDeny"]
    assert out["Decision"] == "ExplicitDeny"
    assert out["Principal"]["Arn"] == joe.arn and out["Principal"]["Type"] == "IAMUser"
    assert out["Principal"]["UserId"] == joe.user_id
    assert out["Principal"]["AccessKeyId"] == joe.access_key
    assert out["Results"][0]["Statements"] and out["Results"][2]["Statements"]
    assert out["EventId"]
    # The decision is in the audit trail.
    record = event(srv, out["EventId"])
    assert record["eventName"] == "Authorize" and record["eventSource"] == "iamd"
    assert record["decision"]["result"] == "ExplicitDeny"
    assert record["subjectIdentity"]["arn"] == joe.arn
    assert record["userIdentity"]["userName"] == svc.name


def test_presigned_and_session_credentials(srv, svc, joe, uniq):
    fwd = s3_request(joe.access_key, joe.secret_key, f"/corp/home/{joe.name}/p.txt", presign=True)
    assert "X-Amz-Signature" in fwd["Query"]
    status, out = authorize(srv, creds(svc), {"Request": fwd, "Checks": [
        {"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/{joe.name}/p.txt"}]})
    assert status == 200 and out["Decision"] == "Allow", out
    # A role session, from AssumeRole.
    role = uniq("rr")
    srv.iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": srv.sts.get_caller_identity()["Account"]}, "Action": "sts:AssumeRole"}))
    srv.iam.put_role_policy(RoleName=role, PolicyName="r", PolicyDocument=policy_doc(allow("s3:ListBucket", BUCKET)))
    assumer = make_principal(srv, uniq("as"), inline={"a": json.loads(policy_doc(allow("sts:AssumeRole")))})
    c = assumer.sts.assume_role(RoleArn=srv.iam.get_role(RoleName=role)["Role"]["Arn"], RoleSessionName="s1")["Credentials"]
    fwd = s3_request(c["AccessKeyId"], c["SecretAccessKey"], "/corp", token=c["SessionToken"])
    status, out = authorize(srv, creds(svc), {"Request": fwd, "Checks": [
        {"Action": "s3:ListBucket", "Resource": BUCKET},
        {"Action": "s3:GetObject", "Resource": f"{BUCKET}/x"}]})
    assert status == 200, out
    assert out["Principal"]["Type"] == "AssumedRole"
    assert out["Principal"]["Arn"].endswith(f"assumed-role/{role}/s1")
    assert [r["Decision"] for r in out["Results"]] == ["Allow", "ImplicitDeny"]
    # The forwarded token and signature are not in the trail.
    record = event(srv, out["EventId"])
    text = json.dumps(record)
    assert c["SessionToken"] not in text
    assert fwd["Headers"]["Authorization"].split("Signature=")[1] not in text
    recorded = {k.lower(): v for k, v in record["requestParameters"]["request"]["headers"].items()}
    assert list(recorded) == ["host"], "only the host of the forwarded headers is recorded"


def test_bad_forwarded_signatures_are_refused(srv, svc, joe):
    good = s3_request(joe.access_key, joe.secret_key, f"/corp/home/{joe.name}/a.txt")
    tampered = dict(good, Path=f"/corp/home/{joe.name}/b.txt")
    status, out = authorize(srv, creds(svc), {"Request": tampered, "Checks": [{"Action": "s3:GetObject", "Resource": BUCKET}]})
    assert (status, out["__type"]) == (403, "SignatureDoesNotMatch")
    old = s3_request(joe.access_key, joe.secret_key, "/corp/x", clock=datetime.timedelta(minutes=-20))
    status, out = authorize(srv, creds(svc), {"Request": old, "Checks": [{"Action": "s3:GetObject", "Resource": BUCKET}]})
    assert status == 403 and out["__type"] in ("RequestExpired", "SignatureDoesNotMatch"), out
    unknown = s3_request("AKIAUNKNOWNKEY000000", "x" * 40, "/corp/x")
    status, out = authorize(srv, creds(svc), {"Request": unknown, "Checks": [{"Action": "s3:GetObject", "Resource": BUCKET}]})
    assert (status, out["__type"]) == (403, "InvalidClientTokenId")


def test_the_caller_needs_iamd_authorize(srv, joe):
    fwd = s3_request(joe.access_key, joe.secret_key, "/corp/x")
    status, out = authorize(srv, creds(joe), {"Request": fwd, "Checks": [{"Action": "s3:GetObject", "Resource": BUCKET}]})
    assert (status, out["__type"]) == (403, "AccessDeniedException")
    assert "iamd:Authorize" in out["message"]


def test_by_principal_arn_with_a_resource_policy_and_validation(srv, svc, joe):
    account_id = srv.sts.get_caller_identity()["Account"]
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": joe.arn}, "Action": "s3:PutObject", "Resource": f"{BUCKET}/drop/*"}]})
    status, out = authorize(srv, creds(svc), {
        "PrincipalArn": joe.arn,
        "ResourcePolicy": bucket_policy, "ResourceOwner": account_id,
        "Checks": [{"Action": "s3:PutObject", "Resource": f"{BUCKET}/drop/f"},
                   {"Action": "s3:PutObject", "Resource": f"{BUCKET}/other/f"}]})
    assert status == 200, out
    assert [r["Decision"] for r in out["Results"]] == ["Allow", "ImplicitDeny"]
    # A bucket of another account: its policy alone is not enough without joe's own allow, and
    # joe's allow alone is not enough without the bucket's.
    status, out = authorize(srv, creds(svc), {
        "PrincipalArn": joe.arn, "ResourcePolicy": bucket_policy, "ResourceOwner": "999988887777",
        "Checks": [{"Action": "s3:PutObject", "Resource": f"{BUCKET}/drop/f"},
                   {"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/{joe.name}/a"}]})
    assert status == 200, out
    assert [r["Decision"] for r in out["Results"]] == ["ImplicitDeny", "ImplicitDeny"]
    # Another account's resource without a policy: joe's own allow is not enough, even right
    # after the same check was allowed in his own account (a remembered decision must not leak).
    own = {"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/{joe.name}/b"}
    status, out = authorize(srv, creds(svc), {"PrincipalArn": joe.arn, "Checks": [own]})
    assert out["Results"][0]["Decision"] == "Allow", out
    status, out = authorize(srv, creds(svc), {"PrincipalArn": joe.arn, "ResourceOwner": "999988887777",
                                             "Checks": [own]})
    assert out["Results"][0]["Decision"] == "ImplicitDeny", out
    # Extra condition keys.
    cond = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    status, out = authorize(srv, creds(svc), {
        "PrincipalArn": joe.arn, "ResourcePolicy": cond, "ResourceOwner": account_id,
        "Context": {"aws:SecureTransport": ["false"]},
        "Checks": [{"Action": "s3:GetObject", "Resource": f"{BUCKET}/home/{joe.name}/a"}]})
    assert out["Results"][0]["Decision"] == "ExplicitDeny", out
    # Validation with the model's messages.
    status, out = authorize(srv, creds(svc), {"PrincipalArn": joe.arn, "Checks": []})
    assert (status, out["__type"]) == (400, "ValidationException"), out
    status, out = authorize(srv, creds(svc), {"Checks": [{"Action": "s3:GetObject", "Resource": "*"}]})
    assert status == 400, out
    status, out = authorize(srv, creds(svc), {"PrincipalArn": f"arn:aws:iam::{account_id}:user/nobody",
                                             "Checks": [{"Action": "s3:GetObject", "Resource": "*"}]})
    assert (status, out["__type"]) == (404, "NoSuchEntity"), out


def test_anonymous_callers_are_allowed_only_by_a_grant_to_everyone(srv, svc, joe):
    account_id = srv.sts.get_caller_identity()["Account"]
    check = {"Action": "s3:GetObject", "Resource": f"{BUCKET}/public/a"}
    # Without a resource policy nothing allows an unsigned request.
    status, out = authorize(srv, creds(svc), {"Anonymous": True, "Checks": [check]})
    assert status == 200, out
    assert out["Decision"] == "ImplicitDeny" and out["Principal"]["Type"] == "Anonymous", out
    everyone = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/public/*"},
        {"Sid": "JoeOnly", "Effect": "Allow", "Principal": {"AWS": joe.arn}, "Action": "s3:PutObject",
         "Resource": f"{BUCKET}/public/*"}]})
    status, out = authorize(srv, creds(svc), {
        "Anonymous": True, "ResourcePolicy": everyone, "ResourceOwner": account_id,
        "Checks": [check, {"Action": "s3:PutObject", "Resource": f"{BUCKET}/public/a"},
                   {"Action": "s3:GetObject", "Resource": f"{BUCKET}/private/a"}]})
    assert status == 200, out
    assert [r["Decision"] for r in out["Results"]] == ["Allow", "ImplicitDeny", "ImplicitDeny"], out
    assert out["Results"][0]["Statements"] and out["Decision"] == "ImplicitDeny"
    # Recorded with CloudTrail's identity of an anonymous caller.
    ev = event(srv, out["EventId"])
    assert ev["subjectIdentity"] == {"type": "AWSAccount", "principalId": "", "accountId": "anonymous"}, ev
    # Exactly one subject: a forwarded request, a principal ARN, or Anonymous.
    status, out = authorize(srv, creds(svc), {"Anonymous": True, "PrincipalArn": joe.arn, "Checks": [check]})
    assert status == 400, out


def test_the_python_example_service(srv, svc, joe):
    """examples/authorize_service.py: a service that asks iamd about every request."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from iamd_harness import free_port

    srv.iam.put_user_policy(UserName=joe.name, PolicyName="files", PolicyDocument=policy_doc(
        allow("files:GetFile", "arn:aws:files:::/shared/*")))
    port = free_port()
    example = Path(__file__).resolve().parents[2] / "examples" / "authorize_service.py"
    env = {**os.environ, "IAMD": srv.endpoint, "AWS_ACCESS_KEY_ID": svc.access_key,
           "AWS_SECRET_ACCESS_KEY": svc.secret_key}
    proc = subprocess.Popen([sys.executable, str(example), "--listen", f"127.0.0.1:{port}"],
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert "listening" in proc.stdout.readline()

        def get(path):
            req = AWSRequest(method="GET", url=f"http://127.0.0.1:{port}{path}")
            SigV4Auth(Credentials(joe.access_key, joe.secret_key), "files", "us-east-1").add_auth(req)
            p = req.prepare()
            return requests.get(p.url, headers=dict(p.headers), timeout=10)

        ok = get("/shared/plan.txt")
        assert ok.status_code == 200 and ok.json()["principal"] == joe.arn
        assert get("/private/plan.txt").status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)
