"""The aws CLI through `iamd gateway s3` in front of moto's S3: `s3 mb`, `cp`, `ls`, `sync`,
`presign`, and a multipart upload over 16 MB, as an allowed and a denied principal, with
long-term and temporary credentials; and `--dev` in front of `iamd serve --dev`."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import requests

from gateway_harness import cli, creds_file, s3, s3_of, start_gateway, start_moto, upstream_s3
from iamd_harness import allow, make_principal, make_server, policy_doc, unique


@pytest.fixture(scope="module")
def env(_tmp_root):
    srv = make_server(_tmp_root, "gwcli").start()
    up = start_moto(_tmp_root)
    gw = start_gateway(srv, _tmp_root, up)
    bucket = unique("cli").lower()
    writer = make_principal(srv, unique("writer"), inline={"s3": json.loads(policy_doc(
        allow("s3:*", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])))})
    reader = make_principal(srv, unique("reader"), inline={"s3": json.loads(policy_doc(
        allow(["s3:GetObject", "s3:ListBucket"], [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])))})
    yield {"srv": srv, "up": up, "gw": gw, "bucket": bucket, "writer": writer, "reader": reader,
           "tmp": _tmp_root}
    gw.stop()
    up.stop()
    srv.stop()


def run(env, who, *args):
    p = creds_file(env["tmp"], who.access_key, who.secret_key)
    return cli(env["gw"], p, *args)


def test_cli_mb_cp_ls_sync_presign(env, tmp_path):
    b, w = env["bucket"], env["writer"]
    r = run(env, w, "s3", "mb", f"s3://{b}")
    assert r.returncode == 0, r.stderr
    f = tmp_path / "hello.txt"
    f.write_bytes(b"hello from the cli\n")
    r = run(env, w, "s3", "cp", str(f), f"s3://{b}/docs/hello.txt")
    assert r.returncode == 0, r.stderr
    r = run(env, w, "s3", "ls", f"s3://{b}/docs/")
    assert r.returncode == 0 and "hello.txt" in r.stdout, r.stderr
    d = tmp_path / "tree"
    (d / "sub").mkdir(parents=True)
    for name in ["a.txt", "b.txt", "sub/c.txt"]:
        (d / name).write_text(f"file {name}\n")
    r = run(env, w, "s3", "sync", str(d), f"s3://{b}/tree/")
    assert r.returncode == 0, r.stderr
    keys = sorted(o["Key"] for o in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="tree/")["Contents"])
    assert keys == ["tree/a.txt", "tree/b.txt", "tree/sub/c.txt"]
    back = tmp_path / "back"
    r = run(env, w, "s3", "sync", f"s3://{b}/tree/", str(back))
    assert r.returncode == 0, r.stderr
    assert (back / "sub" / "c.txt").read_text() == "file sub/c.txt\n"
    r = run(env, env["reader"], "s3", "presign", f"s3://{b}/docs/hello.txt", "--expires-in", "300")
    assert r.returncode == 0, r.stderr
    url = r.stdout.strip()
    assert "X-Amz-Signature=" in url
    got = requests.get(url, timeout=10)
    assert got.status_code == 200 and got.content == b"hello from the cli\n"


def test_cli_denied_for_a_reader(env, tmp_path):
    b = env["bucket"]
    f = tmp_path / "nope.txt"
    f.write_bytes(b"no")
    run(env, env["writer"], "s3", "mb", f"s3://{b}")
    r = run(env, env["reader"], "s3", "cp", str(f), f"s3://{b}/docs/nope.txt")
    assert r.returncode != 0 and "AccessDenied" in r.stderr, r.stderr
    r = run(env, env["reader"], "s3", "ls")
    assert r.returncode != 0 and "AccessDenied" in r.stderr, r.stderr
    assert "Contents" not in upstream_s3(env["up"]).list_objects_v2(Bucket=b, Prefix="docs/nope")


def test_cli_multipart_upload_over_16_mb(env, tmp_path):
    b, w = env["bucket"], env["writer"]
    run(env, w, "s3", "mb", f"s3://{b}")
    big = tmp_path / "big.bin"
    data = os.urandom(1 << 20) * 20  # 20 MiB: multipart in the CLI (8 MiB parts)
    big.write_bytes(data)
    r = run(env, w, "s3", "cp", str(big), f"s3://{b}/big/big.bin")
    assert r.returncode == 0, r.stderr
    assert "CreateMultipartUpload" in env["gw"].log_text() and "CompleteMultipartUpload" in env["gw"].log_text()
    down = tmp_path / "down.bin"
    r = run(env, w, "s3", "cp", f"s3://{b}/big/big.bin", str(down))
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(down.read_bytes()).digest() == hashlib.sha256(data).digest()
    # A reader's multipart upload is refused at CreateMultipartUpload.
    r = run(env, env["reader"], "s3", "cp", str(big), f"s3://{b}/big/reader.bin")
    assert r.returncode != 0 and "AccessDenied" in r.stderr


def test_cli_with_temporary_credentials(env, tmp_path):
    b, w = env["bucket"], env["writer"]
    run(env, w, "s3", "mb", f"s3://{b}")
    t = w.sts.get_session_token()["Credentials"]
    p = creds_file(env["tmp"], t["AccessKeyId"], t["SecretAccessKey"], t["SessionToken"])
    f = tmp_path / "t.txt"
    f.write_bytes(b"temporary")
    r = cli(env["gw"], p, "s3", "cp", str(f), f"s3://{b}/temp/t.txt")
    assert r.returncode == 0, r.stderr
    r = cli(env["gw"], p, "s3", "ls", f"s3://{b}/temp/")
    assert r.returncode == 0 and "t.txt" in r.stdout


def test_dev_mode_gateway_in_front_of_a_dev_server(_tmp_root):
    """`iamd serve --dev` + `iamd gateway s3 --dev`: an unknown key is an account's root, as in
    `serve --dev`, so a suite can use any keys; a 12-digit key names its account."""
    srv = make_server(_tmp_root, "gwdev", dev=True).start()
    up = start_moto(_tmp_root)
    gw = start_gateway(srv, _tmp_root, up, dev=True, key=("AKIADEVGATEWAY000001", "anything"))
    try:
        c = s3(gw, "AKIAANYKEY0000000001", "whatever")
        b = unique("dev").lower()
        c.create_bucket(Bucket=b)
        c.put_object(Bucket=b, Key="k", Body=b"dev")
        assert c.get_object(Bucket=b, Key="k")["Body"].read() == b"dev"
        # Another account's root (a 12-digit key) does not own that bucket.
        other = s3(gw, "111122223333", "whatever")
        with pytest.raises(Exception) as ei:
            other.get_object(Bucket=b, Key="k")
        assert "AccessDenied" in str(ei.value)
    finally:
        gw.stop()
        up.stop()
        srv.stop()
