"""Start and drive an `iamd serve` process for the compatibility suite.

Everything here speaks to the server the way real clients do: boto3 clients, the aws CLI in a
subprocess, and raw SigV4-signed HTTP requests (botocore's signers + requests) for the cases where
boto3 would refuse to send a request (client-side validation) or where the exact wire bytes matter.
"""

from __future__ import annotations

import configparser
import contextlib
import datetime
import json
import re
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
import botocore.auth
import requests
from requests.structures import CaseInsensitiveDict
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REPO = Path(__file__).resolve().parents[2]

# Loopback traffic must never go through a proxy configured for the package registries.
for _var in ("NO_PROXY", "no_proxy"):
    os.environ[_var] = ",".join(x for x in ("127.0.0.1", "localhost", os.environ.get(_var, "")) if x)
REGION = "us-east-1"
IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
DEV_ACCOUNT = "123456789012"
STARTUP_TIMEOUT = 10.0
HTTP_TIMEOUT = 30


def iamd_bin() -> Path:
    env = os.environ.get("IAMD_BIN")
    return Path(env) if env else REPO / "target" / "debug" / "iamd"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix: str = "t") -> str:
    """A name unique to one test, valid for users and groups ([\\w+=,.@-]+, <= 64 chars)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique_path(prefix: str = "p") -> str:
    return f"/{prefix}-{uuid.uuid4().hex[:12]}/"


def store_kind() -> str:
    """The store servers of the suite use: `sqlite` (default) or `postgres` (IAMD_TEST_STORE;
    the cluster is IAMD_TEST_POSTGRES_URL, which scripts/test starts)."""
    return os.environ.get("IAMD_TEST_STORE", "sqlite")


def postgres_bin(name: str) -> str:
    d = os.environ.get("IAMD_TEST_PG_BIN")
    if d:
        return str(Path(d) / name)
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


def fresh_postgres_database() -> str:
    """A new, empty database on the test cluster; returns its URL."""
    base = os.environ.get("IAMD_TEST_POSTGRES_URL")
    if not base:
        raise RuntimeError("IAMD_TEST_STORE=postgres needs IAMD_TEST_POSTGRES_URL (scripts/test sets it)")
    u = urllib.parse.urlsplit(base)
    name = f"iamd_c_{uuid.uuid4().hex[:16]}"
    subprocess.run([postgres_bin("createdb"), "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432),
                    "-U", u.username or "postgres", name], check=True, capture_output=True, timeout=60)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, ""))


def read_credentials(path: Path) -> tuple[str, str]:
    cp = configparser.ConfigParser()
    cp.read(path)
    sec = cp["default"]
    return sec["aws_access_key_id"].strip(), sec["aws_secret_access_key"].strip()


# --------------------------------------------------------------------------------------------
# Raw responses and XML
# --------------------------------------------------------------------------------------------


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def ns_of(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def path(el: ET.Element, dotted: str) -> ET.Element | None:
    """Follow child names separated by '/', ignoring namespaces."""
    cur: ET.Element | None = el
    for part in dotted.split("/"):
        if cur is None:
            return None
        cur = child(cur, part)
    return cur


def text(el: ET.Element, dotted: str) -> str | None:
    node = path(el, dotted)
    return None if node is None else (node.text or "")


@dataclass
class RawResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def request_id_header(self) -> str | None:
        return CaseInsensitiveDict(self.headers).get("x-amzn-RequestId")

    def xml(self) -> ET.Element:
        try:
            return ET.fromstring(self.body)
        except ET.ParseError as e:  # pragma: no cover - shows the body on failure
            raise AssertionError(f"response is not XML ({e}): status {self.status}, body {self.body[:500]!r}")

    def error(self) -> dict:
        """Parse an AWS Query error document; assert its shape."""
        root = self.xml()
        assert local(root.tag) == "ErrorResponse", f"not an ErrorResponse: {self.body[:500]!r}"
        err = child(root, "Error")
        assert err is not None, f"ErrorResponse without Error: {self.body[:500]!r}"
        out = {
            "Type": text(err, "Type"),
            "Code": text(err, "Code"),
            "Message": text(err, "Message"),
            "RequestId": text(root, "RequestId"),
        }
        return out

    def __repr__(self) -> str:
        return f"RawResponse({self.status}, {self.body[:300]!r})"


def encode_params(params: Mapping[str, object] | Sequence[tuple[str, object]]) -> str:
    items = params.items() if isinstance(params, Mapping) else params
    return urllib.parse.urlencode([(k, str(v)) for k, v in items])


@contextlib.contextmanager
def signing_clock(offset: datetime.timedelta):
    """Make botocore's signers believe the time is now + offset."""
    real = botocore.auth.get_current_datetime

    def shifted(*a, **kw):
        return real(*a, **kw) + offset

    with mock.patch.object(botocore.auth, "get_current_datetime", shifted):
        yield


# --------------------------------------------------------------------------------------------
# CLI results
# --------------------------------------------------------------------------------------------


@dataclass
class CliResult:
    args: list[str]
    rc: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else None

    def __repr__(self) -> str:
        return f"CliResult(rc={self.rc}, args={self.args}, stdout={self.stdout[:500]!r}, stderr={self.stderr[:500]!r})"


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


@dataclass
class IamdServer:
    data_dir: Path
    dev: bool = False
    account_id: str | None = None  # passed as --account-id when set
    extra_args: Sequence[str] = ()
    port: int = 0
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    _log_fh: object = None
    access_key: str = ""
    secret_key: str = ""
    _clients: dict = field(default_factory=dict)

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "root-credentials"

    def command(self) -> list[str]:
        cmd = [str(iamd_bin()), "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", str(self.data_dir)]
        if self.account_id:
            cmd += ["--account-id", self.account_id]
        if self.dev:
            cmd.append("--dev")
        cmd += list(self.extra_args)
        if "--store" not in self.extra_args and store_kind() == "postgres":
            cmd += ["--store", self.postgres_url()]
        return cmd

    def store_args(self) -> list[str]:
        """`--store …` for CLI subcommands run on this server's data (empty for SQLite, whose
        database is found in the data dir)."""
        if "--store" in self.extra_args:
            i = list(self.extra_args).index("--store")
            return ["--store", self.extra_args[i + 1]]
        return ["--store", self.postgres_url()] if store_kind() == "postgres" else []

    def postgres_url(self) -> str:
        """This server's own PostgreSQL database (IAMD_TEST_STORE=postgres), made on first use
        and kept across restarts, with a master key in the data dir as a shared store needs."""
        url_file = self.data_dir / "postgres-url"
        if not url_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            url_file.write_text(fresh_postgres_database())
            key = self.data_dir / "master.key"
            if not key.exists():
                key.write_text(os.urandom(32).hex() + "\n")
                key.chmod(0o600)
        return url_file.read_text().strip()

    def log_text(self, whole: bool = False) -> str:
        if self.log_path and self.log_path.exists():
            text = self.log_path.read_text(errors="replace")
            return text if whole else text[-8000:]
        return ""

    def start(self) -> "IamdServer":
        binary = iamd_bin()
        if not binary.exists():
            raise RuntimeError(f"iamd binary not found at {binary} (build it first, or set IAMD_BIN)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _attempt in range(3):  # a port can be taken between free_port() and bind
            self.port = free_port()
            self.log_path = self.data_dir.parent / f"iamd-{self.data_dir.name}-{self.port}.log"
            self._log_fh = open(self.log_path, "wb")
            self.proc = subprocess.Popen(
                self.command(),
                stdout=self._log_fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "RUST_BACKTRACE": "1"},
            )
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    r = requests.get(self.endpoint + "healthz", timeout=1)
                    if r.status_code == 200:
                        self._load_credentials()
                        return self
                except requests.RequestException:
                    pass
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.stop()
                raise RuntimeError(
                    f"iamd did not answer GET /healthz with 200 within {STARTUP_TIMEOUT}s\n"
                    f"command: {' '.join(self.command())}\n--- output ---\n{self.log_text()}"
                )
            last_error = self.log_text()
            self._close_log()
            if "in use" not in last_error.lower():
                break
        raise RuntimeError(
            f"iamd exited with code {self.proc.returncode if self.proc else '?'} during startup\n"
            f"command: {' '.join(self.command())}\n--- output ---\n{last_error}"
        )

    def _load_credentials(self) -> None:
        deadline = time.monotonic() + 2
        while not self.credentials_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.credentials_file.exists():
            self.access_key, self.secret_key = read_credentials(self.credentials_file)

    def _close_log(self) -> None:
        if self._log_fh:
            self._log_fh.close()
            self._log_fh = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()
        self._clients.clear()

    # ---- boto3 ----------------------------------------------------------------------------

    def client(self, service: str, access_key: str | None = None, secret_key: str | None = None,
               region: str = REGION, **config_kw):
        cfg = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=HTTP_TIMEOUT,
            max_pool_connections=32,
            **config_kw,
        )
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=cfg,
        )

    @property
    def iam(self):
        if "iam" not in self._clients:
            self._clients["iam"] = self.client("iam")
        return self._clients["iam"]

    @property
    def sts(self):
        if "sts" not in self._clients:
            self._clients["sts"] = self.client("sts")
        return self._clients["sts"]

    # ---- aws CLI --------------------------------------------------------------------------

    def cli(self, *args: str, credentials_file: Path | None = None, timeout: int = 120) -> CliResult:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_SHARED_CREDENTIALS_FILE=str(credentials_file or self.credentials_file),
            AWS_CONFIG_FILE="/dev/null",
            AWS_DEFAULT_REGION=REGION,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_PAGER="",
            AWS_RETRY_MODE="standard",
            AWS_MAX_ATTEMPTS="1",  # a 5xx must show up as a failure, not be retried away
        )
        argv = [sys.executable, "-m", "awscli", "--endpoint-url", self.endpoint,
                "--region", REGION, "--output", "json", *args]
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return CliResult(list(args), p.returncode, p.stdout, p.stderr)

    # ---- raw signed HTTP ------------------------------------------------------------------

    def signed_request(
        self,
        params: Mapping[str, object] | Sequence[tuple[str, object]] | None = None,
        *,
        body: bytes | None = None,
        method: str = "POST",
        service: str = "iam",
        region: str = REGION,
        access_key: str | None = None,
        secret_key: str | None = None,
        sign: bool = True,
        clock_offset: datetime.timedelta | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RawResponse:
        """Send one Query-protocol request signed with SigV4 in the Authorization header.

        POST: params form-encoded in the body (or `body` as given, byte for byte).
        GET: params in the query string.
        """
        hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        hdrs.update(headers or {})
        url = self.endpoint
        data: bytes | None = None
        if method == "GET":
            if params is not None:
                url += "?" + encode_params(params)
            hdrs.pop("Content-Type", None)
        else:
            data = body if body is not None else encode_params(params or {}).encode()
        req = AWSRequest(method=method, url=url, data=data, headers=hdrs)
        if sign:
            creds = Credentials(access_key or self.access_key, secret_key or self.secret_key)
            ctx = signing_clock(clock_offset) if clock_offset else contextlib.nullcontext()
            with ctx:
                SigV4Auth(creds, service, region).add_auth(req)
        prepared = req.prepare()
        r = requests.request(method, prepared.url, headers=dict(prepared.headers), data=prepared.body,
                             timeout=HTTP_TIMEOUT)
        return RawResponse(r.status_code, r.headers, r.content)

    def iam_call(self, action: str, params: Mapping[str, object] | None = None, **kw) -> RawResponse:
        p = {"Action": action, "Version": IAM_VERSION, **(params or {})}
        kw.setdefault("service", "iam")
        return self.signed_request(p, **kw)

    def sts_call(self, action: str, params: Mapping[str, object] | None = None, **kw) -> RawResponse:
        p = {"Action": action, "Version": STS_VERSION, **(params or {})}
        kw.setdefault("service", "sts")
        return self.signed_request(p, **kw)

    def presigned_url(self, params: Mapping[str, object], *, service: str = "sts", expires: int = 300,
                      access_key: str | None = None, secret_key: str | None = None,
                      clock_offset: datetime.timedelta | None = None) -> str:
        url = self.endpoint + "?" + encode_params(params)
        req = AWSRequest(method="GET", url=url)
        creds = Credentials(access_key or self.access_key, secret_key or self.secret_key)
        ctx = signing_clock(clock_offset) if clock_offset else contextlib.nullcontext()
        with ctx:
            SigV4QueryAuth(creds, service, REGION, expires=expires).add_auth(req)
        return req.prepare().url

    def raw_http(self, head: bytes, body: bytes = b"", timeout: float = 30) -> tuple[int, dict, bytes]:
        """Write a raw HTTP request on a fresh TCP connection and read one response.

        The body goes in 64 KiB chunks, and sending stops as soon as the server has answered (a
        server may refuse an oversized body from its Content-Length alone, answer 413 and close).
        """
        import select

        chunks: list[bytes] = []
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            try:
                s.sendall(head)
                for i in range(0, len(body), 65536):
                    ready, _, _ = select.select([s], [], [], 0)
                    if ready:
                        break
                    s.sendall(body[i:i + 65536])
            except OSError:
                pass  # the server stopped reading / closed: its answer is what matters
            try:
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    chunks.append(b)
                    if _complete_response(b"".join(chunks)):
                        break
            except OSError:
                pass
        raw = b"".join(chunks)
        if not raw:
            raise AssertionError("the server closed the connection without any HTTP response")
        head_part, _, resp_body = raw.partition(b"\r\n\r\n")
        lines = head_part.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        return status, hdrs, resp_body


class FastSigner:
    """Signed Query requests over one keep-alive connection per thread, for bulk setup
    (thousands of CreateUser calls) where boto3's per-call overhead would dominate."""

    def __init__(self, server: "IamdServer"):
        import threading

        self.server = server
        self.creds = Credentials(server.access_key, server.secret_key)
        self.local = threading.local()

    def _conn(self):
        import http.client

        c = getattr(self.local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=HTTP_TIMEOUT)
            self.local.conn = c
        return c

    def call(self, action: str, params: Mapping[str, object], service: str = "iam",
             version: str = IAM_VERSION) -> tuple[int, bytes]:
        body = encode_params({"Action": action, "Version": version, **params})
        req = AWSRequest(method="POST", url=self.server.endpoint, data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(self.creds, service, REGION).add_auth(req)
        p = req.prepare()
        for attempt in range(2):
            conn = self._conn()
            try:
                conn.request("POST", "/", body=p.body, headers=dict(p.headers))
                resp = conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    self.local.conn = None
                return resp.status, data
            except (ConnectionError, OSError):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _complete_response(raw: bytes) -> bool:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.decode("latin-1").split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            return len(body) >= int(v.strip())
    return False


def make_server(tmp_root: Path, name: str, **kw) -> IamdServer:
    d = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp_root))
    return IamdServer(data_dir=d / "data", **kw)


ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]00:00)$")
USER_ID = re.compile(r"^AIDA[A-Z0-9]{17}$")


def expect(code, status, fn, *a, **kw):
    with pytest.raises(ClientError) as ei:
        fn(*a, **kw)
    assert error_of(ei.value) == (code, status), ei.value.response
    assert ei.value.response["ResponseMetadata"]["RequestId"]
    assert ei.value.response["Error"]["Message"]
    return ei.value


def recent(dt: datetime.datetime) -> bool:
    now = datetime.datetime.now(datetime.timezone.utc)
    return abs((now - dt).total_seconds()) < 300


def error_of(exc) -> tuple[str, int]:
    """(code, http status) of a botocore ClientError."""
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def all_pages(paginator, result_key: str, **kw) -> tuple[list, list]:
    """Every item of a paginated call, and the raw pages."""
    items, pages = [], []
    for page in paginator.paginate(**kw):
        pages.append(page)
        items.extend(page.get(result_key, []))
    return items, pages


def run_parallel(fn, args: Iterable, workers: int = 8) -> list:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, args))


# --------------------------------------------------------------------------------------------
# Non-root principals (additive: policies and permissions tests)
# --------------------------------------------------------------------------------------------


@dataclass
class Principal:
    """A non-root IAM user made by root, with an access key and clients signed as that user."""

    server: "IamdServer"
    name: str
    path: str
    arn: str
    user_id: str
    access_key: str
    secret_key: str
    session: "boto3.session.Session"
    _clients: dict = field(default_factory=dict)

    def client(self, service: str, **config_kw):
        cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                     read_timeout=HTTP_TIMEOUT, **config_kw)
        return self.session.client(service, endpoint_url=self.server.endpoint, config=cfg)

    @property
    def iam(self):
        if "iam" not in self._clients:
            self._clients["iam"] = self.client("iam")
        return self._clients["iam"]

    @property
    def sts(self):
        if "sts" not in self._clients:
            self._clients["sts"] = self.client("sts")
        return self._clients["sts"]

    def credentials_file(self) -> Path:
        p = self.server.data_dir.parent / f"creds-{self.name}"
        if not p.exists():
            p.write_text(f"[default]\naws_access_key_id = {self.access_key}\n"
                         f"aws_secret_access_key = {self.secret_key}\n")
            p.chmod(0o600)
        return p

    def cli(self, *args: str, timeout: int = 120) -> CliResult:
        """The aws CLI signed as this user."""
        return self.server.cli(*args, credentials_file=self.credentials_file(), timeout=timeout)

    def call(self, action: str, params: Mapping[str, object] | None = None, **kw) -> RawResponse:
        """A raw signed IAM Query request as this user."""
        return self.server.iam_call(action, params, access_key=self.access_key,
                                    secret_key=self.secret_key, **kw)


def make_principal(server: "IamdServer", name: str | None = None, *, path: str = "/",
                   tags: Sequence[Mapping[str, str]] | None = None,
                   groups: Sequence[str] = (), managed: Sequence[str] = (),
                   inline: Mapping[str, object] | None = None,
                   boundary: str | None = None) -> Principal:
    """As root: create a user (path, tags, boundary), put it in `groups`, attach `managed` policy
    ARNs and `inline` policies ({name: document dict}), create an access key; return a Principal
    whose boto3 session signs as that user."""
    iam = server.iam
    name = name or unique("nr")
    kw: dict = {"UserName": name, "Path": path}
    if tags:
        kw["Tags"] = list(tags)
    u = iam.create_user(**kw)["User"]
    if boundary:  # set after creation, so that scenarios do not depend on CreateUser's parameter
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)
    for g in groups:
        iam.add_user_to_group(GroupName=g, UserName=name)
    for arn in managed:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    for pname, doc in (inline or {}).items():
        iam.put_user_policy(UserName=name, PolicyName=pname,
                            PolicyDocument=doc if isinstance(doc, str) else json.dumps(doc))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    session = boto3.session.Session(aws_access_key_id=key["AccessKeyId"],
                                    aws_secret_access_key=key["SecretAccessKey"], region_name=REGION)
    return Principal(server, name, u["Path"], u["Arn"], u["UserId"], key["AccessKeyId"],
                     key["SecretAccessKey"], session)


def policy_doc(*statements: Mapping[str, object]) -> str:
    """A policy document (JSON text) from statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resources="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def deny(actions, resources="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": actions, "Resource": resources, **extra}


def access_denied(fn, *a, **kw) -> str:
    """Call fn expecting AccessDenied (403); return AWS's message."""
    with pytest.raises(ClientError) as ei:
        fn(*a, **kw)
    assert error_of(ei.value) == ("AccessDenied", 403), ei.value.response
    return ei.value.response["Error"]["Message"]


# --------------------------------------------------------------------------------------------
# TOTP and temporary credentials (additive: STS sessions, MFA and dev-mode tests)
# --------------------------------------------------------------------------------------------

TOTP_STEP = 30


def totp_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // TOTP_STEP)


def totp(seed_b32: str | bytes, step: int) -> str:
    """RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of a Base32 seed at a time step; written here
    independently of the server's implementation."""
    import base64
    import hashlib
    import hmac
    import struct

    if isinstance(seed_b32, bytes):
        seed_b32 = seed_b32.decode()
    seed_b32 = seed_b32.strip().upper()
    key = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def quiet_step(margin: float = 4.0) -> int:
    """The current TOTP step, after waiting out the last `margin` seconds of a step, so that
    codes computed now are still in the server's window when it checks them."""
    left = TOTP_STEP - (time.time() % TOTP_STEP)
    if left < margin:
        time.sleep(left + 0.1)
    return totp_step()


@dataclass
class VirtualMfa:
    serial: str
    seed: str
    next_step: int  # the first step whose code the server has not seen yet

    def next_code(self) -> str:
        """A code the device has not used yet (consumes it). Call right after enabling."""
        code = totp(self.seed, self.next_step)
        self.next_step += 1
        return code


def enable_virtual_mfa(iam, user_name: str, device_name: str | None = None) -> VirtualMfa:
    """As `iam` (root or a permitted user): create a virtual MFA device and enable it for
    `user_name` with the codes of steps t-1 and t, so the code of t+1 stays unused for one
    STS call right away."""
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=device_name or unique("mfa"))["VirtualMFADevice"]
    seed = dev["Base32StringSeed"]
    seed = seed.decode() if isinstance(seed, bytes) else seed
    t = quiet_step()
    iam.enable_mfa_device(UserName=user_name, SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=totp(seed, t - 1), AuthenticationCode2=totp(seed, t))
    return VirtualMfa(dev["SerialNumber"], seed, t + 1)


def temp_client(server: "IamdServer", creds: Mapping[str, object], service: str, region: str = REGION,
                **config_kw):
    """A boto3 client signed with temporary credentials (an STS `Credentials` structure)."""
    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                 read_timeout=HTTP_TIMEOUT, **config_kw)
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name=region, config=cfg,
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"])


def temp_credentials_file(server: "IamdServer", creds: Mapping[str, object]) -> Path:
    """A shared-credentials file holding temporary credentials, for the aws CLI."""
    p = server.data_dir.parent / f"creds-session-{uuid.uuid4().hex[:8]}"
    p.write_text(f"[default]\naws_access_key_id = {creds['AccessKeyId']}\n"
                 f"aws_secret_access_key = {creds['SecretAccessKey']}\n"
                 f"aws_session_token = {creds['SessionToken']}\n")
    p.chmod(0o600)
    return p


def trust_doc(*statements: Mapping[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust_aws(principals, actions="sts:AssumeRole", **extra) -> dict:
    """A trust statement allowing AWS principals (ARNs or account IDs) to assume the role."""
    return {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": actions, **extra}


def self_signed(dirpath: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (the TLS tests' listeners): (cert, key) PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = dirpath / "cert.pem", dirpath / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
