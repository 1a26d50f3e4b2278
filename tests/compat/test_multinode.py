"""Three `iamd serve` processes on one PostgreSQL database, behind no balancer: clients spread
their calls over all three. A mixed load (users, access keys, policies, AssumeRole with the
credentials used on another node, authorization decisions on POST /_iamd/authorize) runs while
one node is killed with SIGKILL and restarted. Afterwards every acknowledged write is present
exactly once, the quotas held, and no node answered with a stale decision more than 1 s after the
change that revoked it was acknowledged (by any node).

Needs IAMD_TEST_POSTGRES_URL (scripts/test starts a throwaway cluster and sets it).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd_harness import (IAM_VERSION, REGION, STS_VERSION, encode_params, fresh_postgres_database,
                          iamd_bin, make_server, policy_doc, allow, deny)

pytestmark = pytest.mark.skipif(
    not os.environ.get("IAMD_TEST_POSTGRES_URL"),
    reason="needs IAMD_TEST_POSTGRES_URL (scripts/test starts a PostgreSQL cluster)")

LOAD_SECONDS = 10.0
STALE_LIMIT = 1.0
BUCKET = "arn:aws:s3:::mn-bucket"


class Down(Exception):
    """The node did not answer (killed, restarting): the call's outcome is unknown."""


def call(node, service, params, creds, token=None, path="", json_body=None, timeout=10):
    """One SigV4-signed request to `node`; returns (status, body bytes)."""
    if json_body is not None:
        data = json.dumps(json_body)
        headers = {"Content-Type": "application/json"}
    else:
        data = encode_params(params)
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    endpoint = node.endpoint
    req = AWSRequest(method="POST", url=endpoint + path, data=data, headers=headers)
    SigV4Auth(Credentials(creds[0], creds[1], token), service, REGION).add_auth(req)
    p = req.prepare()
    try:
        r = requests.post(p.url, data=p.body, headers=dict(p.headers), timeout=timeout)
    except requests.RequestException as e:
        raise Down(str(e)) from e
    return r.status_code, r.content


def iam(node, action, creds, **params):
    return call(node, "iam", {"Action": action, "Version": IAM_VERSION, **params}, creds)


def ok_iam(node, action, creds, **params) -> str:
    status, body = iam(node, action, creds, **params)
    assert status == 200, (action, status, body[:400])
    return body.decode()


def between(text, a, b):
    i = text.index(a) + len(a)
    return text[i:text.index(b, i)]


def all_members(node, creds, action, member_tag, **params):
    """Every `member_tag` text of a paginated IAM list."""
    out, marker = [], None
    while True:
        extra = {"Marker": marker} if marker else {}
        text = ok_iam(node, action, creds, MaxItems="1000", **params, **extra)
        out += [c.split(f"</{member_tag}>")[0] for c in text.split(f"<{member_tag}>")[1:]]
        if "<IsTruncated>true</IsTruncated>" not in text:
            return out
        marker = between(text, "<Marker>", "</Marker>")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    url = fresh_postgres_database()
    key = root / "master.key"
    key.write_text(os.urandom(32).hex() + "\n")
    key.chmod(0o600)
    args = ["--store", url, "--master-key-file", str(key)]
    nodes = []
    try:
        for i in range(3):
            s = make_server(root, f"node{i}", extra_args=args)
            if nodes:
                # The account was made by the first node: the others share its root key.
                s.data_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy(nodes[0].credentials_file, s.credentials_file)
            nodes.append(s.start())
        yield {"nodes": nodes, "url": url, "key": key}
    finally:
        for s in nodes:
            s.stop()


def root_creds(node):
    return (node.access_key, node.secret_key)


def make_user(node, creds, name, policy=None):
    ok_iam(node, "CreateUser", creds, UserName=name)
    if policy:
        ok_iam(node, "PutUserPolicy", creds, UserName=name, PolicyName="p", PolicyDocument=policy)
    text = ok_iam(node, "CreateAccessKey", creds, UserName=name)
    return (between(text, "<AccessKeyId>", "</AccessKeyId>"),
            between(text, "<SecretAccessKey>", "</SecretAccessKey>"))


def test_every_node_answers_ready(cluster):
    for n in cluster["nodes"]:
        r = requests.get(n.endpoint + "readyz", timeout=5)
        assert (r.status_code, r.text) == (200, "ready\n")


def test_mixed_load_through_three_nodes_with_a_sigkill(cluster):
    nodes = cluster["nodes"]
    root = root_creds(nodes[0])
    account = between(ok_iam(nodes[0], "GetUser", root), "arn:aws:iam::", ":root")

    # Fixtures of the load, made through different nodes.
    svc = make_user(nodes[0], root, "mn-svc", policy_doc(allow("iamd:Authorize")))
    probe_arn = f"arn:aws:iam::{account}:user/mn-probe"
    make_user(nodes[1], root, "mn-probe", policy_doc(allow("s3:GetObject", f"{BUCKET}/*")))
    assumer = make_user(nodes[2], root, "mn-assumer",
                        policy_doc(allow("sts:AssumeRole", f"arn:aws:iam::{account}:role/mn-role")))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]})
    ok_iam(nodes[0], "CreateRole", root, RoleName="mn-role", AssumeRolePolicyDocument=trust)

    stop = threading.Event()
    lock = threading.Lock()
    acked_users: list[str] = []
    acked_keys: dict[str, list[str]] = {}
    acked_attachments: list[tuple[str, str]] = []
    errors: list[str] = []
    counts = {"down": 0, "assumed": 0, "used": 0, "decisions": 0, "key_refused": 0}
    # Revocation timeline: (acknowledged at, next change sent at) of each revoking change.
    revoked_windows: list[list[float]] = []
    decisions: list[tuple[float, float, int, str]] = []  # (sent, answered, node, decision)

    def note_error(msg):
        with lock:
            errors.append(msg)

    def pick():
        return random.choice(nodes)

    def writer(t):
        n = 0
        pool = ThreadPoolExecutor(max_workers=3)
        while not stop.is_set():
            n += 1
            name = f"w{t}-{n}"
            try:
                status, body = iam(pick(), "CreateUser", root, UserName=name)
            except Down:
                counts["down"] += 1
                continue
            if status != 200:
                note_error(f"CreateUser {name}: {status} {body[:200]!r}")
                continue
            with lock:
                acked_users.append(name)
            # Three nodes add keys at once: at most two may win (AWS's quota of two).
            def add_key(node):
                try:
                    return iam(node, "CreateAccessKey", root, UserName=name)
                except Down:
                    return None
            for r in pool.map(add_key, nodes):
                if r is None:
                    continue
                status, body = r
                text = body.decode(errors="replace")
                if status == 200:
                    with lock:
                        acked_keys.setdefault(name, []).append(between(text, "<AccessKeyId>", "</AccessKeyId>"))
                elif "LimitExceeded" in text:
                    counts["key_refused"] += 1
                else:
                    note_error(f"CreateAccessKey {name}: {status} {text[:200]}")
            if n % 3 == 0:
                pname = f"wp{t}-{n}"
                try:
                    status, body = iam(pick(), "CreatePolicy", root, PolicyName=pname,
                                       PolicyDocument=policy_doc(allow("s3:ListBucket", BUCKET)))
                    if status != 200:
                        note_error(f"CreatePolicy: {status} {body[:200]!r}")
                        continue
                    arn = f"arn:aws:iam::{account}:policy/{pname}"
                    status, body = iam(pick(), "AttachUserPolicy", root, UserName=name, PolicyArn=arn)
                    if status == 200:
                        with lock:
                            acked_attachments.append((name, arn))
                    else:
                        note_error(f"AttachUserPolicy: {status} {body[:200]!r}")
                except Down:
                    counts["down"] += 1
        pool.shutdown()

    def assume_and_use():
        i = 0
        while not stop.is_set():
            i += 1
            try:
                status, body = call(pick(), "sts", {"Action": "AssumeRole", "Version": STS_VERSION,
                                                    "RoleArn": f"arn:aws:iam::{account}:role/mn-role",
                                                    "RoleSessionName": f"s{i}"}, assumer)
            except Down:
                counts["down"] += 1
                continue
            text = body.decode()
            if status != 200:
                note_error(f"AssumeRole: {status} {text[:300]}")
                continue
            counts["assumed"] += 1
            creds = (between(text, "<AccessKeyId>", "</AccessKeyId>"),
                     between(text, "<SecretAccessKey>", "</SecretAccessKey>"))
            token = between(text, "<SessionToken>", "</SessionToken>")
            # The session's credentials work on every other node at once.
            for node in nodes:
                try:
                    status, body = call(node, "sts", {"Action": "GetCallerIdentity", "Version": STS_VERSION},
                                        creds, token)
                except Down:
                    counts["down"] += 1
                    continue
                if status == 200 and b"assumed-role/mn-role/" in body:
                    counts["used"] += 1
                else:
                    note_error(f"GetCallerIdentity with a fresh session: {status} {body[:300]!r}")

    def revoker():
        # Alternately deny (an explicit Deny put inline) and allow again, through any node.
        while not stop.is_set():
            time.sleep(0.3)
            try:
                status, _ = iam(pick(), "PutUserPolicy", root, UserName="mn-probe", PolicyName="block",
                                PolicyDocument=policy_doc(deny("s3:*")))
            except Down:
                # Unknown whether it applied: the window is not counted, but the policy may be
                # in place, which only turns later Allows into denials.
                continue
            if status != 200:
                note_error(f"PutUserPolicy block: {status}")
                continue
            window = [time.monotonic(), float("inf")]
            with lock:
                revoked_windows.append(window)
            time.sleep(1.2 + random.random() * 0.8)  # longer than the limit, so it is tested
            while not stop.is_set():
                window[1] = time.monotonic()  # sent: from here on an Allow may be fresh
                try:
                    status, _ = iam(pick(), "DeleteUserPolicy", root, UserName="mn-probe", PolicyName="block")
                except Down:
                    continue
                if status == 200:
                    break
                note_error(f"DeleteUserPolicy block: {status}")
            else:
                window[1] = time.monotonic()

    def checker(t):
        body = {"PrincipalArn": probe_arn, "Checks": [{"Action": "s3:GetObject", "Resource": f"{BUCKET}/k"}]}
        i = t
        while not stop.is_set():
            i += 1
            idx = i % 3
            sent = time.monotonic()
            try:
                status, out = call(nodes[idx], "iamd", {}, svc, path="_iamd/authorize", json_body=body)
            except Down:
                continue
            answered = time.monotonic()
            if status != 200:
                note_error(f"authorize on node {idx}: {status} {out[:200]!r}")
                continue
            decision = json.loads(out)["Results"][0]["Decision"]
            with lock:
                decisions.append((sent, answered, idx, decision))
                counts["decisions"] += 1

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(2)]
    threads += [threading.Thread(target=assume_and_use), threading.Thread(target=revoker)]
    threads += [threading.Thread(target=checker, args=(t,)) for t in range(3)]
    for th in threads:
        th.start()
    try:
        time.sleep(LOAD_SECONDS * 0.35)
        victim = nodes[2]
        victim.proc.kill()  # SIGKILL
        victim.proc.wait(timeout=10)
        time.sleep(1.0)
        victim._close_log()
        victim.start()
        time.sleep(LOAD_SECONDS * 0.65)
    finally:
        stop.set()
        for th in threads:
            th.join(timeout=60)

    assert not errors, errors[:10]
    assert counts["assumed"] > 5 and counts["used"] > 10, counts
    assert counts["decisions"] > 50 and len(revoked_windows) > 3, (counts, len(revoked_windows))
    assert len(acked_users) > 10, counts

    # Every acknowledged write is there exactly once, on every node (the restarted one too).
    for node in nodes:
        users = all_members(node, root, "ListUsers", "UserName")
        assert len(users) == len(set(users)), "a user listed twice"
        missing = set(acked_users) - set(users)
        assert not missing, f"acknowledged users missing: {sorted(missing)[:5]}"
    for name, ids in acked_keys.items():
        listed = all_members(random.choice(nodes), root, "ListAccessKeys", "AccessKeyId", UserName=name)
        assert len(listed) <= 2, f"{name} has {len(listed)} access keys"
        assert len(listed) == len(set(listed))
        assert set(ids) <= set(listed), (name, ids, listed)
    assert counts["key_refused"] > 0, "the quota race happened"
    for name, arn in acked_attachments:
        listed = all_members(random.choice(nodes), root, "ListAttachedUserPolicies", "PolicyArn", UserName=name)
        assert listed.count(arn) == 1, (name, arn, listed)

    # No stale decision: an Allow asked more than 1 s after a revoking change was acknowledged,
    # and answered before the change that lifted it was even sent.
    stale = [(round(sent - start, 3), node) for start, end in revoked_windows
             for sent, answered, node, d in decisions
             if d == "Allow" and sent > start + STALE_LIMIT and answered < end]
    assert not stale, f"stale decisions (seconds after the revocation, node): {stale[:10]}"
    # How long after each acknowledged revocation a node could still answer Allow (by the send
    # time of its last Allow), per node: the end-to-end propagation time.
    lags = sorted(max([sent - start for sent, answered, n, d in decisions
                       if n == node and d == "Allow" and start <= sent and answered < end] or [0.0])
                  for start, end in revoked_windows for node in range(3))
    p50, p99 = lags[len(lags) // 2], lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    print(f"\nrevocation to last Allow, per node: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {lags[-1] * 1000:.0f} ms over {len(lags)}")
    denied_after = sum(1 for start, end in revoked_windows for sent, answered, _, d in decisions
                       if sent > start + STALE_LIMIT and answered < end)
    print(f"\nthree nodes: {len(acked_users)} users, {sum(map(len, acked_keys.values()))} keys "
          f"({counts['key_refused']} refused by the quota), {counts['assumed']} AssumeRole, "
          f"{counts['used']} uses on other nodes, {counts['decisions']} decisions, "
          f"{len(revoked_windows)} revocations ({denied_after} checks inside them), "
          f"{counts['down']} calls to a down node")


def test_a_key_ring_rotation_and_a_session_revocation_reach_every_node(cluster):
    nodes = cluster["nodes"]
    root = root_creds(nodes[0])
    account = between(ok_iam(nodes[0], "GetUser", root), "arn:aws:iam::", ":root")
    user = make_user(nodes[0], root, "kr-user",
                     policy_doc(allow("sts:AssumeRole", f"arn:aws:iam::{account}:role/kr-role")))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]})
    ok_iam(nodes[1], "CreateRole", root, RoleName="kr-role", AssumeRolePolicyDocument=trust)

    def assume(node):
        status, body = call(node, "sts", {"Action": "AssumeRole", "Version": STS_VERSION,
                                          "RoleArn": f"arn:aws:iam::{account}:role/kr-role",
                                          "RoleSessionName": "kr"}, user)
        text = body.decode()
        assert status == 200, text
        return ((between(text, "<AccessKeyId>", "</AccessKeyId>"),
                 between(text, "<SecretAccessKey>", "</SecretAccessKey>")),
                between(text, "<SessionToken>", "</SessionToken>"))

    def identity(node, session):
        return call(node, "sts", {"Action": "GetCallerIdentity", "Version": STS_VERSION}, *session)[0]

    before = assume(nodes[0])
    r = subprocess.run([str(iamd_bin()), "keyring", "rotate", "--store", cluster["url"]],
                       env={**os.environ, "IAMD_MASTER_KEY_FILE": str(cluster["key"])},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    time.sleep(STALE_LIMIT)
    # A token sealed with the new key, by any node, opens on every node; older ones still do.
    for sealer in nodes:
        after = assume(sealer)
        for node in nodes:
            assert identity(node, after) == 200
            assert identity(node, before) == 200

    # Revoking the session through one node refuses it on every node within a second.
    session = assume(nodes[1])
    for node in nodes:
        assert identity(node, session) == 200  # cached as valid everywhere first
    status, out = call(nodes[2], "iamd", {}, root, path="_iamd/revoke-sessions",
                       json_body={"AccessKeyId": session[0][0]})
    assert status == 200, out
    acked = time.monotonic()
    for node in nodes:
        while identity(node, session) == 200:
            assert time.monotonic() - acked < STALE_LIMIT, "a revoked session still works on a node after 1 s"
            time.sleep(0.01)
