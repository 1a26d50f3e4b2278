"""The audit trail, read with real clients: boto3's `cloudtrail` client and the aws CLI's
`cloudtrail lookup-events`, against iamd's own endpoint. Also `iamd audit verify` (an event
edited straight in SQLite is flagged), an audit event for every acknowledged write across a
SIGKILL, and `/metrics` parsed with a Prometheus text-format parser."""

import json
import sqlite3
import subprocess
import threading
import time

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from iamd_harness import (store_kind, ISO8601, IamdServer, allow, error_of, iamd_bin, make_principal,
                          make_server, policy_doc, unique)


@pytest.fixture(scope="module")
def srv(_tmp_root):
    s = make_server(_tmp_root, "audit").start()
    yield s
    s.stop()


def cloudtrail(server_or_principal):
    return server_or_principal.client("cloudtrail")


def lookup_all(ct, **kw):
    """Every event matching `kw`, following NextToken."""
    out, token = [], None
    while True:
        args = dict(kw)
        if token:
            args["NextToken"] = token
        page = ct.lookup_events(**args)
        out += page["Events"]
        token = page.get("NextToken")
        if not token:
            return out


def events(ct, key, value):
    return [json.loads(e["CloudTrailEvent"]) for e in
            lookup_all(ct, LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])]


def wait_for(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_a_scenario_reads_back_with_the_shapes_cloudtrail_uses(srv):
    iam, ct = srv.iam, cloudtrail(srv)
    name = unique("au")
    resp = iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.create_login_profile(UserName=name, Password="Audit-Trail-Passw0rd!")

    # A denied call, signed as the new user.
    p = make_principal(srv, unique("den"))
    with pytest.raises(ClientError):
        p.iam.create_user(UserName=unique("x"))

    # An AssumeRole by a user allowed to.
    role = unique("ar")
    caller = make_principal(srv, unique("as"), inline={"a": json.loads(policy_doc(allow("sts:AssumeRole")))})
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy_doc(
        {"Effect": "Allow", "Principal": {"AWS": caller.arn}, "Action": "sts:AssumeRole"}))
    role_arn = iam.get_role(RoleName=role)["Role"]["Arn"]
    creds = wait_for(lambda: _assume(caller, role_arn))
    assert creds, "AssumeRole failed"

    created = wait_for(lambda: [e for e in events(ct, "ResourceName", name) if e["eventName"] == "CreateUser"])
    assert len(created) == 1
    e = created[0]
    assert e["eventVersion"] == "1.09"
    assert e["eventSource"] == "iam.amazonaws.com"
    assert e["awsRegion"] == "us-east-1"
    assert e["sourceIPAddress"] == "127.0.0.1"
    assert "Boto3" in e["userAgent"] or "botocore" in e["userAgent"]
    assert ISO8601.match(e["eventTime"])
    assert e["readOnly"] is False and e["eventType"] == "AwsApiCall"
    assert e["requestID"] == resp["ResponseMetadata"]["RequestId"]
    assert e["requestParameters"] == {"userName": name}
    assert e["responseElements"]["user"]["userName"] == name
    ident = e["userIdentity"]
    assert ident["type"] == "Root" and ident["accountId"] == e["recipientAccountId"]
    assert ident["accessKeyId"] == srv.access_key
    assert e["decision"]["result"] == "Root"

    # The event summary LookupEvents gives beside the record.
    summary = [x for x in lookup_all(ct, LookupAttributes=[{"AttributeKey": "EventId", "AttributeValue": e["eventID"]}])]
    assert len(summary) == 1
    s = summary[0]
    assert s["EventName"] == "CreateUser" and s["ReadOnly"] == "false"
    assert s["EventSource"] == "iam.amazonaws.com" and s["Username"] == "root"
    assert {"ResourceType": "AWS::IAM::User", "ResourceName": name} in s["Resources"]
    assert s["EventTime"].tzinfo is not None

    # Secrets are redacted.
    text = json.dumps(events(ct, "ResourceName", name))
    assert key["SecretAccessKey"] not in text
    assert "Audit-Trail-Passw0rd!" not in text
    made_key = [x for x in events(ct, "EventName", "CreateAccessKey") if x["requestParameters"] == {"userName": name}][0]
    assert made_key["responseElements"]["accessKey"]["secretAccessKey"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assumed = wait_for(lambda: [x for x in events(ct, "EventName", "AssumeRole") if x["requestParameters"]["roleArn"] == role_arn])
    assert assumed and assumed[0]["eventSource"] == "sts.amazonaws.com"
    c = assumed[0]["responseElements"]["credentials"]
    assert c["accessKeyId"] == creds["AccessKeyId"]
    assert c["secretAccessKey"] == c["sessionToken"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert creds["SessionToken"] not in json.dumps(assumed)
    assert assumed[0]["userIdentity"]["type"] == "IAMUser"
    assert assumed[0]["decision"]["result"] == "Allow"

    # The denial, recorded with the decision that made it.
    denied = wait_for(lambda: [x for x in events(ct, "Username", p.name) if x.get("errorCode") == "AccessDenied"])
    assert denied and denied[0]["eventName"] == "CreateUser"
    assert denied[0]["decision"]["result"] == "ImplicitDeny"
    assert denied[0]["userIdentity"]["accessKeyId"] == p.access_key
    assert "not authorized to perform: iam:CreateUser" in denied[0]["errorMessage"]
    by_key = events(ct, "AccessKeyId", p.access_key)
    assert {x["eventID"] for x in denied} <= {x["eventID"] for x in by_key}

    # ReadOnly and EventSource filters.
    ro = lookup_all(ct, LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}], MaxResults=50)
    assert ro and all(x["ReadOnly"] == "true" for x in ro)
    sts_events = events(ct, "EventSource", "sts.amazonaws.com")
    assert sts_events and all(x["eventSource"] == "sts.amazonaws.com" for x in sts_events)


def _assume(caller, role_arn):
    try:
        return caller.sts.assume_role(RoleArn=role_arn, RoleSessionName="audit")["Credentials"]
    except ClientError:
        return None


def test_paging_time_range_and_errors(srv):
    ct = cloudtrail(srv)
    start = time.time() - 1
    names = [unique("pg") for _ in range(5)]
    for n in names:
        srv.iam.create_group(GroupName=n)
    pages, token = [], None
    while True:
        kw = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateGroup"}],
              "MaxResults": 2, "StartTime": start}
        if token:
            kw["NextToken"] = token
        page = ct.lookup_events(**kw)
        pages.append([json.loads(e["CloudTrailEvent"])["requestParameters"]["groupName"] for e in page["Events"]])
        token = page.get("NextToken")
        if not token:
            break
    seen = [n for p in pages for n in p]
    assert seen == list(reversed(names)), "newest first, every event once"
    assert all(len(p) <= 2 for p in pages)
    assert ct.lookup_events(StartTime=time.time() + 3600, EndTime=time.time() + 7200)["Events"] == []
    for kw, code in [
        ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "a"},
                               {"AttributeKey": "Username", "AttributeValue": "b"}]}, "InvalidLookupAttributesException"),
        ({"StartTime": time.time(), "EndTime": time.time() - 3600}, "InvalidTimeRangeException"),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
    ]:
        with pytest.raises(ClientError) as ei:
            ct.lookup_events(**kw)
        assert ei.value.response["Error"]["Code"] == code


def test_lookup_events_is_authorized_like_any_call(srv):
    p = make_principal(srv, unique("ctd"))
    with pytest.raises(ClientError) as ei:
        p.client("cloudtrail").lookup_events()
    assert ei.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "cloudtrail:LookupEvents" in ei.value.response["Error"]["Message"]
    q = make_principal(srv, unique("cta"), inline={"ct": json.loads(policy_doc(allow("cloudtrail:LookupEvents")))})
    got = wait_for(lambda: _try_lookup(q))
    assert got is not None


def test_federated_users_read_the_trail_when_their_policies_allow(srv):
    # AWS keeps federated-user sessions out of IAM and STS (but GetCallerIdentity), not out of
    # other services: CloudTrail follows the session's policies.
    broker = make_principal(srv, unique("fb"), inline={"p": json.loads(policy_doc(
        allow(["sts:GetFederationToken", "cloudtrail:LookupEvents", "iam:GetUser"])))})
    creds = wait_for(lambda: _try_federation(broker))
    assert creds is not None
    session = lambda svc: boto3.client(  # noqa: E731
        svc, endpoint_url=srv.endpoint, region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"])
    assert "Events" in session("cloudtrail").lookup_events(MaxResults=1)
    iam = session("iam")
    with pytest.raises(ClientError) as ei:
        iam.get_user(UserName=broker.name)
    assert ei.value.response["Error"]["Code"] == "AccessDenied"


def _try_federation(p):
    try:
        return p.client("sts").get_federation_token(
            Name="reader", Policy=policy_doc(allow(["cloudtrail:LookupEvents", "iam:GetUser"])))["Credentials"]
    except ClientError:
        return None


def _try_lookup(p):
    try:
        return p.client("cloudtrail").lookup_events(MaxResults=1)
    except ClientError:
        return None


def test_the_aws_cli_reads_the_trail(srv):
    name = unique("cli")
    srv.iam.create_user(UserName=name)
    r = srv.cli("cloudtrail", "lookup-events", "--lookup-attributes",
                f"AttributeKey=ResourceName,AttributeValue={name}", "--max-results", "5")
    assert r.rc == 0, r
    evs = r.json["Events"]
    assert [e["EventName"] for e in evs] == ["CreateUser"]
    assert json.loads(evs[0]["CloudTrailEvent"])["requestParameters"]["userName"] == name


def test_metrics_parse_as_prometheus_text(srv):
    srv.iam.list_users()
    r = requests.get(srv.endpoint + "metrics", timeout=5)
    assert r.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    for name in ["iamd_requests", "iamd_request_duration_seconds", "iamd_decisions", "iamd_cache",
                 "iamd_tokens_issued", "iamd_tokens_opened", "iamd_audit_events_written",
                 "iamd_audit_events_dropped"]:
        assert name in families, sorted(families)
    ok = [s for s in families["iamd_requests"].samples
          if s.labels.get("operation") == "ListUsers" and s.labels.get("outcome") == "success"]
    assert ok and ok[0].value >= 1
    assert families["iamd_request_duration_seconds"].type == "histogram"


def audit_cli(server, *args):
    return subprocess.run([str(iamd_bin()), "audit", *args, "--data-dir", str(server.data_dir),
                           *server.store_args()],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(store_kind() != "sqlite", reason="edits the SQLite file")
def test_verify_flags_an_event_edited_in_sqlite(server_factory):
    s = server_factory("tamper")
    for _ in range(3):
        s.iam.create_user(UserName=unique("tv"))
    r = audit_cli(s, "verify")
    assert r.returncode == 0 and "events verified" in r.stdout, r
    exported = audit_cli(s, "export")
    assert exported.returncode == 0
    lines = [json.loads(x) for x in exported.stdout.splitlines()]
    assert sum(1 for e in lines if e["eventName"] == "CreateUser") == 3
    db = sqlite3.connect(s.data_dir / "iamd.db", timeout=10)
    k, v = next((k, v) for k, v in db.execute("SELECT k, v FROM kv_log")
                if bytes(k).startswith(b"audit/") and b"CreateUser" in bytes(v))
    edited = bytes(v).replace(b"CreateUser", b"DeleteUser")
    db.execute("UPDATE kv_log SET v = ? WHERE k = ?", (edited, k))
    db.commit()
    db.close()
    r = audit_cli(s, "verify")
    assert r.returncode != 0
    assert "TAMPERED" in r.stdout and "edited" in r.stdout, r


def test_every_acknowledged_write_has_its_event_after_sigkill(server_factory):
    s = server_factory("crash")
    acked, stop = [], threading.Event()

    def writer(i):
        iam = s.client("iam")
        n = 0
        while not stop.is_set():
            name = f"k{i}x{n}"
            n += 1
            try:
                iam.create_user(UserName=name)
                acked.append(name)
            except Exception:
                return

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    s.proc.kill()  # SIGKILL mid-load
    s.proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) > 10, "the load did not run"
    r = audit_cli(s, "export")
    assert r.returncode == 0, r
    recorded = {json.loads(x)["requestParameters"]["userName"] for x in r.stdout.splitlines()
                if json.loads(x)["eventName"] == "CreateUser" and "errorCode" not in json.loads(x)}
    missing = [n for n in acked if n not in recorded]
    assert not missing, f"{len(missing)} acknowledged writes without an event: {missing[:5]}"
    assert audit_cli(s, "verify").returncode == 0
    # The restarted server serves the same trail.
    again = IamdServer(data_dir=s.data_dir).start()
    try:
        ct = again.client("cloudtrail")
        got = lookup_all(ct, LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": acked[0]}])
        assert [e["EventName"] for e in got] == ["CreateUser"]
    finally:
        again.stop()
