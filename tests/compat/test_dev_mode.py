"""Local testing mode: `iamd serve --dev --store memory` as a drop-in IAM for test suites.

The pattern to copy into your own suite is the two fixtures below: one in-memory dev server per
test module, reset to its first-start state before every test (`POST /_iamd/reset`). Any access
key ID the server does not know acts as the root of account 123456789012 (no signature check),
and a 12-digit key ID acts as the root of that account (created on first use), so cross-account
tests need no set-up. Keys the server does know (an IAM user's) are always verified, and every
policy is enforced.

    @pytest.fixture(scope="module")
    def iamd_dev(tmp_path_factory):
        port = free_port()
        proc = subprocess.Popen(["iamd", "serve", "--dev", "--store", "memory",
                                 "--listen", f"127.0.0.1:{port}"], ...)
        ...wait for GET /healthz == 200...
        yield f"http://127.0.0.1:{port}"
        proc.terminate()

    @pytest.fixture(autouse=True)
    def _iamd_reset(iamd_dev):
        requests.post(f"{iamd_dev}/_iamd/reset").raise_for_status()

    def client(endpoint, service, key="test", secret="test"):
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret)
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from iamd_harness import (DEV_ACCOUNT, access_denied, allow, error_of, free_port, iamd_bin, make_server,
                          policy_doc, read_credentials, temp_client, trust_aws, trust_doc)

OTHER = "111111111111"
DEV_HEADER = "x-iamd-dev-mode"


# ---- the fixtures users copy ------------------------------------------------------------------


def _wait_healthy(endpoint: str, proc: subprocess.Popen, timeout: float = 10.0) -> float:
    """Poll GET /healthz until 200; return the seconds it took. Fails if the process exits."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"iamd exited with {proc.returncode} during startup")
        try:
            if requests.get(f"{endpoint}/healthz", timeout=1).status_code == 200:
                return time.monotonic() - t0
        except requests.RequestException:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"iamd did not become healthy within {timeout}s")


@pytest.fixture(scope="module")
def iamd_dev(tmp_path_factory):
    """One in-memory dev server for this module. Nothing is written to disk."""
    workdir = tmp_path_factory.mktemp("iamd-dev-mem")
    port = free_port()
    log = open(workdir.parent / f"iamd-dev-mem-{port}.log", "wb")
    proc = subprocess.Popen([str(iamd_bin()), "serve", "--dev", "--store", "memory",
                             "--listen", f"127.0.0.1:{port}"],
                            cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(endpoint, proc)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    assert list(workdir.iterdir()) == [], "--store memory without --data-dir wrote files"


@pytest.fixture(autouse=True)
def _iamd_reset(iamd_dev):
    """Every test starts from the state of a first start."""
    r = requests.post(f"{iamd_dev}/_iamd/reset", timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)


def client(endpoint: str, service: str, key: str = "test", secret: str = "test"):
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


# ---- tests ----------------------------------------------------------------------------------


def test_unknown_key_is_root_of_the_dev_account(iamd_dev):
    ident = client(iamd_dev, "sts", key="AKIAANYTHING", secret="whatever").get_caller_identity()
    assert ident["Account"] == DEV_ACCOUNT
    assert ident["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:root"


def test_twelve_digit_key_is_root_of_that_account(iamd_dev):
    ident = client(iamd_dev, "sts", key=OTHER).get_caller_identity()
    assert ident["Account"] == OTHER and ident["Arn"] == f"arn:aws:iam::{OTHER}:root"
    client(iamd_dev, "iam", key=OTHER).create_user(UserName="only-in-111")
    assert [u["UserName"] for u in client(iamd_dev, "iam", key=OTHER).list_users()["Users"]] == ["only-in-111"]
    assert client(iamd_dev, "iam").list_users()["Users"] == []  # accounts are separate


def test_isolation_between_tests_first(iamd_dev):
    client(iamd_dev, "iam").create_user(UserName="same-name")


def test_isolation_between_tests_second(iamd_dev):
    """Runs after `..._first`: the autouse reset removed its user."""
    iam = client(iamd_dev, "iam")
    assert iam.list_users()["Users"] == []
    iam.create_user(UserName="same-name")


def test_reset_restores_first_start_state(iamd_dev):
    iam, other = client(iamd_dev, "iam"), client(iamd_dev, "iam", key=OTHER)
    iam.create_user(UserName="u1", Tags=[{"Key": "k", "Value": "v"}])
    key = iam.create_access_key(UserName="u1")["AccessKey"]
    iam.create_group(GroupName="g1")
    iam.create_policy(PolicyName="p1", PolicyDocument=policy_doc(allow("iam:ListUsers")))
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust_doc(trust_aws(DEV_ACCOUNT)))
    iam.create_virtual_mfa_device(VirtualMFADeviceName="m1")
    other.create_role(RoleName="r-other", AssumeRolePolicyDocument=trust_doc(trust_aws(DEV_ACCOUNT)))
    user_sts = client(iamd_dev, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert user_sts.get_caller_identity()["Arn"].endswith(":user/u1")

    t0 = time.monotonic()
    r = requests.post(f"{iamd_dev}/_iamd/reset", timeout=10)
    took = time.monotonic() - t0
    assert r.status_code == 200
    print(f"\nreset took {took * 1000:.1f} ms")

    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    assert other.list_roles()["Roles"] == []
    assert client(iamd_dev, "sts").get_caller_identity()["Account"] == DEV_ACCOUNT
    # AWS managed policies are still there.
    iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    # The user's key is gone: it is now an unknown key, i.e. the dev root.
    assert user_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:root"
    # Names are free again.
    iam.create_user(UserName="u1")


def test_reset_is_fast(iamd_dev):
    times = []
    for _ in range(20):
        t0 = time.monotonic()
        assert requests.post(f"{iamd_dev}/_iamd/reset", timeout=10).status_code == 200
        times.append(time.monotonic() - t0)
    times.sort()
    print(f"\nreset: median {times[10] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms over 20")
    assert times[10] < 0.5


def test_cross_account_assume_role_into_111111111111(iamd_dev):
    other_iam = client(iamd_dev, "iam", key=OTHER)
    role_arn = other_iam.create_role(
        RoleName="deployer", AssumeRolePolicyDocument=trust_doc(trust_aws(
            f"arn:aws:iam::{DEV_ACCOUNT}:root", Condition={"StringEquals": {"sts:ExternalId": "ext-1"}})))["Role"]["Arn"]
    assert role_arn == f"arn:aws:iam::{OTHER}:role/deployer"
    other_iam.put_role_policy(RoleName="deployer", PolicyName="read", PolicyDocument=policy_doc(allow("iam:ListRoles")))

    iam = client(iamd_dev, "iam")
    iam.create_user(UserName="ci")
    iam.put_user_policy(UserName="ci", PolicyName="assume", PolicyDocument=policy_doc(allow("sts:AssumeRole", role_arn)))
    k = iam.create_access_key(UserName="ci")["AccessKey"]
    ci = client(iamd_dev, "sts", key=k["AccessKeyId"], secret=k["SecretAccessKey"])

    access_denied(ci.assume_role, RoleArn=role_arn, RoleSessionName="ci")
    resp = ci.assume_role(RoleArn=role_arn, RoleSessionName="ci", ExternalId="ext-1")
    assert resp["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci"
    creds = resp["Credentials"]
    s_sts = boto3.session.Session().client("sts", endpoint_url=iamd_dev, region_name="us-east-1",
                                           aws_access_key_id=creds["AccessKeyId"],
                                           aws_secret_access_key=creds["SecretAccessKey"],
                                           aws_session_token=creds["SessionToken"])
    assert s_sts.get_caller_identity()["Account"] == OTHER
    s_iam = boto3.session.Session().client("iam", endpoint_url=iamd_dev, region_name="us-east-1",
                                           aws_access_key_id=creds["AccessKeyId"],
                                           aws_secret_access_key=creds["SecretAccessKey"],
                                           aws_session_token=creds["SessionToken"])
    assert [r["RoleName"] for r in s_iam.list_roles()["Roles"]] == ["deployer"]
    access_denied(s_iam.create_user, UserName="nope")

    # After a reset the role is gone: the same call is refused.
    assert requests.post(f"{iamd_dev}/_iamd/reset", timeout=10).status_code == 200
    with pytest.raises(ClientError) as ei:
        client(iamd_dev, "sts").assume_role(RoleArn=role_arn, RoleSessionName="ci", ExternalId="ext-1")
    assert error_of(ei.value)[1] == 403


def test_an_unknown_key_assumes_a_role_and_acts_as_it(iamd_dev):
    """Emulator-style suites call AssumeRole with dummy keys. In --dev that implicit root may
    assume a role (AWS refuses AssumeRole to a root user); the trust policy still decides."""
    iam = client(iamd_dev, "iam")
    role_arn = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust_doc(trust_aws(
        f"arn:aws:iam::{DEV_ACCOUNT}:root")))["Role"]["Arn"]
    iam.put_role_policy(RoleName="app", PolicyName="read", PolicyDocument=policy_doc(allow("iam:ListRoles")))
    iam.create_user(UserName="only-him")
    picky = iam.create_role(RoleName="picky", AssumeRolePolicyDocument=trust_doc(trust_aws(
        f"arn:aws:iam::{DEV_ACCOUNT}:user/only-him")))["Role"]["Arn"]

    creds = client(iamd_dev, "sts").assume_role(RoleArn=role_arn, RoleSessionName="tt")["Credentials"]
    session = dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                   aws_session_token=creds["SessionToken"])
    s_sts = boto3.session.Session().client("sts", endpoint_url=iamd_dev, region_name="us-east-1", **session)
    assert s_sts.get_caller_identity()["Arn"] == f"arn:aws:sts::{DEV_ACCOUNT}:assumed-role/app/tt"
    s_iam = boto3.session.Session().client("iam", endpoint_url=iamd_dev, region_name="us-east-1", **session)
    assert {r["RoleName"] for r in s_iam.list_roles()["Roles"]} == {"app", "picky"}
    access_denied(s_iam.create_user, UserName="nope")
    # The trust policy still decides: a role that trusts one user is not the implicit root's.
    access_denied(client(iamd_dev, "sts").assume_role, RoleArn=picky, RoleSessionName="tt")


def test_dev_header_on_every_response(iamd_dev):
    sts = client(iamd_dev, "sts")
    ok = sts.get_caller_identity()
    assert ok["ResponseMetadata"]["HTTPHeaders"].get(DEV_HEADER) == "true"
    with pytest.raises(ClientError) as ei:
        client(iamd_dev, "iam").get_user(UserName="nobody")
    assert ei.value.response["ResponseMetadata"]["HTTPHeaders"].get(DEV_HEADER) == "true"
    unsigned = requests.post(iamd_dev + "/", data={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    assert unsigned.status_code == 403 and unsigned.headers.get(DEV_HEADER) == "true"
    missing = []
    for method, url in (("GET", "/healthz"), ("POST", "/_iamd/reset"), ("GET", "/no/such/path")):
        r = requests.request(method, iamd_dev + url)
        if r.headers.get(DEV_HEADER) != "true":
            missing.append((method, url, r.status_code))
    assert missing == [], f"responses without {DEV_HEADER}: {missing}"


def test_known_keys_are_verified_and_policies_enforced(iamd_dev):
    iam = client(iamd_dev, "iam")
    iam.create_user(UserName="alice")
    k = iam.create_access_key(UserName="alice")["AccessKey"]
    wrong = client(iamd_dev, "sts", key=k["AccessKeyId"], secret="not-" + k["SecretAccessKey"][4:])
    with pytest.raises(ClientError) as ei:
        wrong.get_caller_identity()
    assert error_of(ei.value) == ("SignatureDoesNotMatch", 403), ei.value.response

    alice_iam = client(iamd_dev, "iam", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    alice_sts = client(iamd_dev, "sts", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    assert alice_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:user/alice"
    access_denied(alice_iam.list_users)
    access_denied(alice_iam.create_user, UserName="mallory")
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert {u["UserName"] for u in alice_iam.list_users()["Users"]} == {"alice"}
    access_denied(alice_iam.create_user, UserName="mallory")
    # A disabled key is refused, not treated as unknown (and so not as root).
    iam.update_access_key(UserName="alice", AccessKeyId=k["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as ei:
        alice_sts.get_caller_identity()
    assert error_of(ei.value) == ("InvalidClientTokenId", 403), ei.value.response


# ---- servers of their own ---------------------------------------------------------------------


def test_reset_keeps_the_root_key(_tmp_root):
    """With --data-dir the root key is written (mode 0600); reset keeps that key and account."""
    srv = make_server(_tmp_root, "dev-mem-dir", dev=True, extra_args=["--store", "memory"]).start()
    try:
        assert srv.access_key and srv.secret_key
        assert not (srv.data_dir / "iamd.db").exists()
        before = srv.credentials_file.read_text()
        ident = srv.sts.get_caller_identity()
        assert ident["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:root"
        srv.iam.create_user(UserName="temp")
        wrong = srv.client("sts", secret_key="x" * 40)
        with pytest.raises(ClientError) as ei:
            wrong.get_caller_identity()
        assert error_of(ei.value) == ("SignatureDoesNotMatch", 403)

        assert requests.post(srv.endpoint + "_iamd/reset", timeout=10).status_code == 200
        assert srv.credentials_file.read_text() == before
        fresh = srv.client("sts")  # a new client: no cached connection state
        after = fresh.get_caller_identity()
        assert (after["Arn"], after["UserId"], after["Account"]) == (ident["Arn"], ident["UserId"], ident["Account"])
        # The root key is still *known*: a wrong secret is still refused.
        with pytest.raises(ClientError) as ei:
            srv.client("sts", secret_key="x" * 40).get_caller_identity()
        assert error_of(ei.value) == ("SignatureDoesNotMatch", 403)
        assert srv.client("iam").list_users()["Users"] == []
    finally:
        srv.stop()


def test_reset_absent_without_dev(server, server_factory):
    for srv in (server, server_factory("nodev-mem", extra_args=["--store", "memory"])):
        for method in ("POST", "GET"):
            r = requests.request(method, srv.endpoint + "_iamd/reset", timeout=10)
            assert r.status_code == 404, (srv.command(), method, r.status_code, r.text[:200])
            assert DEV_HEADER not in r.headers
        ok = srv.sts.get_caller_identity()
        assert DEV_HEADER not in ok["ResponseMetadata"]["HTTPHeaders"]
    # Nothing was wiped.
    assert server.iam.get_user()["User"]["Arn"].endswith(":root")


@pytest.mark.parametrize("addr", ["0.0.0.0", "[::]"])
def test_dev_refuses_non_loopback(addr, tmp_path):
    p = subprocess.run([str(iamd_bin()), "serve", "--dev", "--store", "memory", "--listen", f"{addr}:{free_port()}"],
                       capture_output=True, text=True, timeout=20, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert p.returncode != 0, p
    err = p.stderr.lower()
    assert "--dev-allow-remote" in err and ("loopback" in err or "remote" in err), p.stderr


def test_dev_allow_remote_starts(tmp_path):
    port = free_port()
    proc = subprocess.Popen([str(iamd_bin()), "serve", "--dev", "--dev-allow-remote", "--store", "memory",
                             "--listen", f"0.0.0.0:{port}"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_start_to_first_answer(tmp_path):
    """Measured and printed; the bound is loose so CI cannot flake (the issue's target, 100 ms,
    is benchmarked separately)."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    sts = client(endpoint, "sts")
    t0 = time.monotonic()
    proc = subprocess.Popen([str(iamd_bin()), "serve", "--dev", "--store", "memory", "--listen", f"127.0.0.1:{port}"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        healthy = _wait_healthy(endpoint, proc)
        assert sts.get_caller_identity()["Account"] == DEV_ACCOUNT
        first_api = time.monotonic() - t0
        print(f"\n--dev --store memory: /healthz after {healthy * 1000:.0f} ms, "
              f"first GetCallerIdentity answered after {first_api * 1000:.0f} ms")
        assert healthy < 2.0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert list(tmp_path.iterdir()) == []
