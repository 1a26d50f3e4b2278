"""A local stack for the S3 examples: `iamd serve` (its own data directory), moto's S3 server
as the upstream store, and `iamd gateway s3` in front of it with an iamd user of its own.
Everything runs on free loopback ports and stops when the `with` block ends.

    with Stack() as s:            # IAMD_BIN names the iamd binary (default: target/debug/iamd)
        s.iam                     # boto3 IAM client as the account's root
        s.s3_client(key, secret)  # boto3 S3 client through the gateway

Needs `boto3` and `moto[server]` (tests/compat/requirements.txt)."""

from __future__ import annotations

import configparser
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests
from botocore.config import Config

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def iamd_bin() -> str:
    return os.environ.get("IAMD_BIN") or str(REPO / "target" / "debug" / "iamd")


class Stack:
    def __init__(self, gateway_args=()):
        self.gateway_args = list(gateway_args)
        self.dir = Path(tempfile.mkdtemp(prefix="iamd-s3-example-"))
        self.procs: list[subprocess.Popen] = []

    def _start(self, name, argv, url, env=None):
        log = open(self.dir / f"{name}.log", "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=env or os.environ.copy())
        self.procs.append(p)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise RuntimeError(f"{name} exited: {(self.dir / f'{name}.log').read_text()[-2000:]}")
            try:
                requests.get(url, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"{name} did not start")

    def __enter__(self) -> "Stack":
        port = free_port()
        self.iamd = f"http://127.0.0.1:{port}"
        data = self.dir / "iamd-data"
        self._start("iamd", [iamd_bin(), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data)],
                    self.iamd + "/healthz")
        cp = configparser.ConfigParser()
        deadline = time.monotonic() + 5
        while not (data / "root-credentials").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        cp.read(data / "root-credentials")
        self.data_dir = data
        self.root = (cp["default"]["aws_access_key_id"], cp["default"]["aws_secret_access_key"])
        root = self.session(*self.root)
        self.iam = root.client("iam", endpoint_url=self.iamd)
        self.sts = root.client("sts", endpoint_url=self.iamd)
        self.account = self.sts.get_caller_identity()["Account"]

        # The store behind the gateway.
        mport = free_port()
        self.upstream = f"http://127.0.0.1:{mport}"
        self._start("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(mport)],
                    self.upstream + "/")

        # The gateway's own iamd identity: it may ask for decisions and keep bucket policies.
        self.iam.create_user(UserName="s3-gateway")
        self.iam.put_user_policy(UserName="s3-gateway", PolicyName="gateway", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "iamd:Authorize", "iamd:GetResourcePolicy", "iamd:PutResourcePolicy",
                "iamd:DeleteResourcePolicy"]}]}))
        k = self.iam.create_access_key(UserName="s3-gateway")["AccessKey"]
        gport = free_port()
        self.gateway = f"http://127.0.0.1:{gport}"
        env = {kk: v for kk, v in os.environ.items() if not kk.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=k["AccessKeyId"], AWS_SECRET_ACCESS_KEY=k["SecretAccessKey"],
                   IAMD_UPSTREAM_ACCESS_KEY_ID="moto", IAMD_UPSTREAM_SECRET_ACCESS_KEY="moto")
        self._start("gateway", [iamd_bin(), "gateway", "s3", "--iamd", self.iamd, "--upstream", self.upstream,
                                "--listen", f"127.0.0.1:{gport}", *self.gateway_args], self.gateway + "/", env=env)
        return self

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        return False

    @staticmethod
    def session(key, secret, token=None):
        return boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                                     aws_session_token=token, region_name=REGION)

    def s3_client(self, key, secret, token=None):
        """S3 through the gateway, signed with iamd credentials."""
        cfg = Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                     retries={"total_max_attempts": 1, "mode": "standard"})
        return self.session(key, secret, token).client("s3", endpoint_url=self.gateway, config=cfg)

    def new_account(self):
        """A second account in the same iamd (`iamd account create`): its root's keys."""
        out = subprocess.run([iamd_bin(), "account", "create", "--data-dir", str(self.data_dir)],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        kv = dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)
        return kv["aws_access_key_id"].strip(), kv["aws_secret_access_key"].strip()


def expect_denied(what, fn, *a, **kw):
    """Runs `fn`, which must be refused with S3's AccessDenied."""
    from botocore.exceptions import ClientError
    try:
        fn(*a, **kw)
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code != "AccessDenied":
            raise SystemExit(f"FAIL: {what}: expected AccessDenied, got {code}")
        print(f"denied  : {what}")
        return
    raise SystemExit(f"FAIL: {what}: was allowed")


def expect_allowed(what, fn, *a, **kw):
    out = fn(*a, **kw)
    print(f"allowed : {what}")
    return out
