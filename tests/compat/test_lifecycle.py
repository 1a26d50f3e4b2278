"""`iamd serve` as an operator sees it: root-credentials, restarts, --account-id, durability."""

import configparser
import os
import re
import signal
import stat

from iamd_harness import DEV_ACCOUNT, IamdServer, read_credentials


def test_root_credentials_file(server):
    f = server.credentials_file
    assert f.exists()
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    cp = configparser.ConfigParser()
    cp.read(f)
    assert cp.sections() == ["default"]
    key, secret = cp["default"]["aws_access_key_id"], cp["default"]["aws_secret_access_key"]
    # AWS's shapes: a 20-character AKIA key id and a 40-character secret.
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key), key
    assert len(secret) == 40, len(secret)


def test_secret_never_logged(server):
    server.sts.get_caller_identity()
    log = server.log_text(whole=True)
    assert server.secret_key not in log
    assert server.access_key in log, "the start-up log names the root key id"
    assert str(server.credentials_file) in log or "root-credentials" in log


def test_restart_reuses_account(server_factory):
    s = server_factory("restart")
    first_creds = s.credentials_file.read_bytes()
    ident = s.sts.get_caller_identity()
    user = s.iam.create_user(UserName="survivor", Path="/keep/")["User"]
    s.stop()

    s2 = IamdServer(data_dir=s.data_dir)
    s2.start()
    try:
        assert s2.credentials_file.read_bytes() == first_creds
        assert (s2.access_key, s2.secret_key) == (s.access_key, s.secret_key)
        ident2 = s2.sts.get_caller_identity()
        assert ident2["Account"] == ident["Account"]
        assert ident2["Arn"] == ident["Arn"]
        again = s2.iam.get_user(UserName="survivor")["User"]
        assert again == user
        assert stat.S_IMODE(s2.credentials_file.stat().st_mode) == 0o600
    finally:
        s2.stop()


def test_account_id_flag(server_factory):
    s = server_factory("acct", account_id="210987654321")
    r = s.sts.get_caller_identity()
    assert r["Account"] == "210987654321"
    assert r["Arn"] == "arn:aws:iam::210987654321:root"
    u = s.iam.create_user(UserName="in-that-account")["User"]
    assert u["Arn"] == "arn:aws:iam::210987654321:user/in-that-account"


def test_two_fresh_servers_have_different_accounts_and_keys(server_factory):
    a, b = server_factory("fresh-a"), server_factory("fresh-b")
    assert a.access_key != b.access_key and a.secret_key != b.secret_key
    # One server's key is unknown to the other.
    r = b.sts_call("GetCallerIdentity", access_key=a.access_key, secret_key=a.secret_key)
    assert r.status == 403 and r.error()["Code"] == "InvalidClientTokenId", r


def test_dev_account(dev_server):
    assert dev_server.sts.get_caller_identity()["Account"] == DEV_ACCOUNT
    assert stat.S_IMODE(dev_server.credentials_file.stat().st_mode) == 0o600


def test_acknowledged_write_survives_kill_9(server_factory):
    s = server_factory("durable")
    s.iam.create_user(UserName="durable-user")
    s.iam.create_group(GroupName="durable-group")
    s.iam.add_user_to_group(GroupName="durable-group", UserName="durable-user")
    os.kill(s.proc.pid, signal.SIGKILL)
    s.proc.wait(timeout=10)
    s.stop()
    s2 = IamdServer(data_dir=s.data_dir)
    s2.start()
    try:
        assert read_credentials(s2.credentials_file) == (s.access_key, s.secret_key)
        assert [u["UserName"] for u in s2.iam.get_group(GroupName="durable-group")["Users"]] == ["durable-user"]
    finally:
        s2.stop()
