"""Operating a deployment: `/readyz`, draining requests on SIGTERM, and moving a single SQLite
server to PostgreSQL with `iamd store copy`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.parse

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from iamd_harness import (IAM_VERSION, REGION, IamdServer, encode_params, fresh_postgres_database, iamd_bin,
                          make_server, postgres_bin, unique)

needs_postgres = pytest.mark.skipif(
    not os.environ.get("IAMD_TEST_POSTGRES_URL"),
    reason="needs IAMD_TEST_POSTGRES_URL (scripts/test starts a PostgreSQL cluster)")


def test_readyz_answers_ready(server):
    r = requests.get(server.endpoint + "readyz", timeout=5)
    assert (r.status_code, r.text) == (200, "ready\n")


def test_a_request_in_flight_at_sigterm_is_answered_before_exit(server_factory):
    s = server_factory("drain")
    body = encode_params({"Action": "CreateUser", "Version": IAM_VERSION, "UserName": unique("drain")}).encode()
    req = AWSRequest(method="POST", url=s.endpoint, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(s.access_key, s.secret_key), "iam", REGION).add_auth(req)
    p = req.prepare()
    head = f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in p.headers.items() if k.lower() not in ("content-length", "host"))
    with socket.create_connection(("127.0.0.1", s.port), timeout=30) as c:
        # Half the request, then SIGTERM: the server is now draining with this request open.
        c.sendall(head.encode() + b"\r\n" + body[: len(body) // 2])
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert s.proc.poll() is None, "the server exited with a request in flight"
        # New connections are refused while it drains.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        c.sendall(body[len(body) // 2:])
        raw = b""
        while chunk := c.recv(65536):
            raw += chunk
    assert raw.startswith(b"HTTP/1.1 200"), raw[:300]
    assert b"<CreateUserResponse" in raw
    assert s.proc.wait(timeout=15) == 0


@needs_postgres
def test_readyz_says_503_when_the_schema_is_not_this_builds(server_factory):
    url = fresh_postgres_database()
    s = server_factory("ready", extra_args=["--store", url, "--master-key", os.urandom(32).hex()])
    assert requests.get(s.endpoint + "readyz", timeout=5).status_code == 200
    u = urllib.parse.urlsplit(url)
    psql = [postgres_bin("psql"), "-h", u.hostname, "-p", str(u.port), "-U", u.username, "-d", u.path[1:],
            "-v", "ON_ERROR_STOP=1", "-q", "-c"]
    subprocess.run(psql + ["INSERT INTO iamd_migrations (version) VALUES (999)"], check=True,
                   capture_output=True, timeout=30)
    r = requests.get(s.endpoint + "readyz", timeout=5)
    assert r.status_code == 503, r.text
    assert requests.get(s.endpoint + "healthz", timeout=5).status_code == 200, "alive, just not ready"
    subprocess.run(psql + ["DELETE FROM iamd_migrations WHERE version = 999"], check=True,
                   capture_output=True, timeout=30)
    assert requests.get(s.endpoint + "readyz", timeout=5).status_code == 200


@needs_postgres
def test_store_copy_moves_a_sqlite_server_to_postgres(server_factory, _tmp_root):
    old = server_factory("single", extra_args=["--store", "sqlite:" + str(_tmp_root / f"{unique('db')}.db")])
    names = [unique("mv") for _ in range(5)]
    for n in names:
        old.iam.create_user(UserName=n)
    key = old.iam.create_access_key(UserName=names[0])["AccessKey"]
    db = old.extra_args[1]
    old.stop()

    url = fresh_postgres_database()
    copy = subprocess.run([str(iamd_bin()), "store", "copy", "--from", db, "--to", url],
                          capture_output=True, text=True, timeout=120)
    assert copy.returncode == 0, copy.stderr
    assert "verified" in copy.stdout
    again = subprocess.run([str(iamd_bin()), "store", "copy", "--from", db, "--to", url],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "not empty" in again.stderr

    # The same data dir (root credentials, master key), now on PostgreSQL.
    new = IamdServer(data_dir=old.data_dir, extra_args=["--store", url]).start()
    try:
        listed = {u["UserName"] for u in new.iam.list_users()["Users"]}
        assert set(names) <= listed
        # A secret sealed by the old server still verifies a signature on the new one.
        user = new.client("sts", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
        assert user.get_caller_identity()["Arn"].endswith(f":user/{names[0]}")
    finally:
        new.stop()
