"""The S3 gateway (`iamd gateway s3`) for the test suite: moto's S3 as the upstream on a free
port, the gateway in front of it with its own iamd identity, and boto3/aws CLI/raw helpers that
talk to the gateway as an iamd principal."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from iamd_harness import REGION, allow, free_port, iamd_bin, make_principal, policy_doc, unique

STARTUP_TIMEOUT = 20
# The gateway's own iamd permissions: decisions and the bucket policy records.
GATEWAY_POLICY = policy_doc(allow(["iamd:Authorize", "iamd:PutResourcePolicy", "iamd:GetResourcePolicy",
                                   "iamd:DeleteResourcePolicy"]))


def _wait_http(url: str, proc: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited during startup:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            requests.get(url, timeout=1, verify=False)
            return
        except requests.RequestException:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{what} did not answer within {STARTUP_TIMEOUT}s:\n{log.read_text(errors='replace')[-4000:]}")


@dataclass
class Process:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_moto(tmp: Path) -> Process:
    """moto's S3 server on a free port (any keys accepted: the gateway's upstream)."""
    port = free_port()
    log = tmp / f"moto-{port}.log"
    fh = open(log, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    p = Process(proc, port, log)
    _wait_http(p.endpoint + "/", proc, log, "moto_server")
    return p


@dataclass
class Gateway(Process):
    account: str = ""
    identity: object = None
    upstream: Process | None = None
    extra: list = field(default_factory=list)
    scheme: str = "http"

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"


def start_gateway(srv, tmp: Path, upstream: Process, *, dev: bool = False, key: tuple | None = None,
                  extra: list | None = None, tls: tuple[Path, Path] | None = None) -> Gateway:
    """`iamd gateway s3` in front of `upstream`, with an iamd user allowed what a gateway needs
    (or the given keys, e.g. a dev-mode unknown key); HTTPS with `tls` (certificate, key)."""
    if key is None:
        ident = make_principal(srv, unique("gateway"), inline={"gw": json.loads(GATEWAY_POLICY)})
        key = (ident.access_key, ident.secret_key)
    else:
        ident = None
    port = free_port()
    log = tmp / f"gateway-{port}.log"
    fh = open(log, "wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1],
               IAMD_UPSTREAM_ACCESS_KEY_ID="upstream-key", IAMD_UPSTREAM_SECRET_ACCESS_KEY="upstream-secret",
               IAMD_LOG="info")
    cmd = [str(iamd_bin()), "gateway", "s3", "--iamd", srv.endpoint.rstrip("/"), "--upstream", upstream.endpoint,
           "--listen", f"127.0.0.1:{port}", "--virtual-host-domain", "s3.gateway.test", *(extra or [])]
    if dev:
        cmd.append("--dev")
    if tls:
        cmd += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    g = Gateway(proc, port, log, identity=ident, upstream=upstream, scheme="https" if tls else "http")
    _wait_http(g.endpoint + "/", proc, log, "iamd gateway s3")
    return g


def s3(gw: Process, key: str, secret: str, token: str | None = None, **config_kw):
    """A boto3 S3 client signed with iamd keys, talking to the gateway (path-style)."""
    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                 s3={"addressing_style": "path"}, signature_version="s3v4", **config_kw)
    return boto3.session.Session().client("s3", endpoint_url=gw.endpoint, region_name=REGION, config=cfg,
                                          aws_access_key_id=key, aws_secret_access_key=secret,
                                          aws_session_token=token, verify=False)


def s3_of(gw: Process, principal, **kw):
    return s3(gw, principal.access_key, principal.secret_key, **kw)


def upstream_s3(up: Process):
    """A client straight to moto (to check what the gateway did or did not let through)."""
    return s3(up, "upstream-key", "upstream-secret")


def cli(gw: Process, creds_file: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """The aws CLI against the gateway."""
    config = creds_file.parent / "aws-cli-config"
    if not config.exists():
        # SigV4 presigned URLs (the CLI's `s3 presign` default is SigV2, which iamd does not take).
        config.write_text("[default]\ns3 =\n  signature_version = s3v4\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(creds_file), AWS_CONFIG_FILE=str(config),
               AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="",
               AWS_MAX_ATTEMPTS="1")
    argv = [sys.executable, "-m", "awscli", "--endpoint-url", gw.endpoint, "--region", REGION, *args]
    if gw.endpoint.startswith("https:"):
        argv.insert(3, "--no-verify-ssl")  # the tests' self-signed certificate
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def creds_file(tmp: Path, key: str, secret: str, token: str | None = None) -> Path:
    p = tmp / f"creds-{key}"
    text = f"[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
    if token:
        text += f"aws_session_token = {token}\n"
    p.write_text(text)
    p.chmod(0o600)
    return p


def signed(method: str, url: str, key: str, secret: str, *, token: str | None = None, body: bytes = b"",
           headers: dict | None = None, payload_hash: str | None = None) -> tuple[str, dict, bytes]:
    """A request signed as botocore's S3 client signs (header form); returns (url, headers, body)."""
    declared = payload_hash or hashlib.sha256(body).hexdigest()

    class Declared(S3SigV4Auth):
        def payload(self, request):  # what the body is declared as (botocore recomputes it)
            return declared

    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    Declared(Credentials(key, secret, token), "s3", REGION).add_auth(req)
    p = req.prepare()
    return p.url, {k: (v.decode() if isinstance(v, bytes) else v) for k, v in p.headers.items()}, body


def _hmac(k: bytes, m: str) -> bytes:
    return hmac.new(k, m.encode(), hashlib.sha256).digest()


def chunked_put(url: str, key: str, secret: str, data: bytes, chunk: int = 64 * 1024, *,
                token: str | None = None, tamper: int | None = None,
                trailer: tuple[str, str] | None = None) -> requests.Response:
    """A PutObject with an `aws-chunked` body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), signed as the
    SDKs sign it: the seed signature over the headers, then one signature per chunk chained from
    it. `tamper` flips a byte of that chunk after signing. `trailer` (header, base64 value) sends
    it as a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, as the Java and .NET SDKs
    do): after the final chunk's header, `name:value`, then `x-amz-trailer-signature` over
    `name:value\\n` chained from the final chunk's signature."""
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))}
    declared = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    if trailer:
        headers["x-amz-trailer"] = trailer[0]
        declared += "-TRAILER"
    _url, h, _ = signed("PUT", url, key, secret, token=token, headers=headers, payload_hash=declared)
    auth = h["Authorization"]
    seed = auth.split("Signature=")[1]
    scope = auth.split("Credential=")[1].split(",")[0].split("/", 1)[1]
    date, region, service, _ = scope.split("/")
    amz_date = h["X-Amz-Date"]
    k = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), date), region), service), "aws4_request")
    empty = hashlib.sha256(b"").hexdigest()
    prev = seed
    body = bytearray()
    for i, p in enumerate(pieces):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev, empty, hashlib.sha256(p).hexdigest()])
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        if tamper == i and p:
            p = bytes([p[0] ^ 1]) + p[1:]
        body += f"{len(p):x};chunk-signature={sig}\r\n".encode() + p
        if p or not trailer:
            body += b"\r\n"
        prev = sig
    if trailer:
        line = f"{trailer[0]}:{trailer[1]}"
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, prev,
                         hashlib.sha256((line + "\n").encode()).hexdigest()])
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        body += f"{line}\r\nx-amz-trailer-signature:{sig}\r\n\r\n".encode()
    h["Content-Length"] = str(len(body))
    return requests.put(url, data=bytes(body), headers=h, timeout=60)
