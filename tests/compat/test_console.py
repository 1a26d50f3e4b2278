"""The web console in a real browser: Debian's Chromium driven by Playwright.

Root signs in and creates a policy (first with an error, shown with AWS's message) and a user
with a password; the user signs in, must change the password, enables MFA by decoding the QR
code in the page and entering two codes, signs in again with MFA, is denied a page its policy
does not allow, and creates an access key whose secret is shown once. A federated user arrives
through getSigninToken/login and times out to the Issuer URL; a user switches role. Security:
CSRF-less POSTs are refused, cookie flags, lockout, the per-address rate limit, and a session
cookie is useless after sign-out. TLS: HTTPS with Secure cookies, aws:SecureTransport, and the
aws CLI with --ca-bundle.

The tests write screenshots of the dashboard and of the policy editor showing an error to
docs/screenshots/ (shown in the README).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import pyotp
import pytest
import requests

from iamd_harness import REPO, iamd_bin, make_server, self_signed, unique

playwright_api = pytest.importorskip("playwright.sync_api")
zxingcpp = pytest.importorskip("zxingcpp")
from PIL import Image  # noqa: E402  (after the skip checks)

CHROMIUM = os.environ.get("IAMD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = REPO / "docs" / "screenshots"
ROOT_PASSWORD = "Root-Passw0rd!"
FAILED = "Your authentication information is incorrect. Please try again."

if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM} (scripts/test installs it)", allow_module_level=True)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


def set_root_password(server, password: str) -> None:
    r = subprocess.run(
        [str(iamd_bin()), "account", "set-root-password", "--data-dir", str(server.data_dir)],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    s = make_server(tmp_path_factory.mktemp("console"), "console").start()
    set_root_password(s, ROOT_PASSWORD)
    s.account = s.sts.get_caller_identity()["Account"]
    s.url = s.endpoint.rstrip("/")
    s.state = {}
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=False)
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def sign_in(page, url: str, account: str, user: str | None, password: str) -> None:
    page.goto(f"{url}/signin/{account}")
    if user is None:
        page.check("#kind-root")
    else:
        page.check("#kind-iam")
        page.fill("#username", user)
    page.fill("#password", password)
    page.click("#signin")


def session_cookie(page) -> dict:
    return next(c for c in page.context.cookies() if c["name"] == "iamd-console")


USER_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountSummary", "iam:ListAccountAliases", "iam:GetAccountPasswordPolicy",
                "iam:ListUsers", "iam:GetUser", "iam:ListGroupsForUser", "iam:ListAttachedUserPolicies",
                "iam:ListUserPolicies", "iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListMFADevices",
                "iam:ListSSHPublicKeys", "iam:ListSigningCertificates", "iam:ChangePassword",
                "iam:CreateAccessKey", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
                "iam:DeleteVirtualMFADevice", "sts:AssumeRole",
            ],
            "Resource": "*",
        }
    ],
}


# ---------------------------------------------------------------------------------------------
# The story, in order: root, then the user it created
# ---------------------------------------------------------------------------------------------


def test_root_signs_in_creates_policy_and_user(console, page):
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    assert page.inner_text("#identity") == f"arn:aws:iam::{console.account}:root"
    assert page.inner_text("#account-id") == console.account
    assert f"/signin/{console.account}" in page.inner_text("#signin-url")

    # A policy with an error: the engine's validation, AWS's message, the document kept.
    bad = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers"}]}'
    name = unique("console-policy")
    page.goto(f"{console.url}/console/policies/new")
    page.fill("#policy-name", name)
    page.fill("#policy-document", bad)
    page.click("#policy-submit")
    err = page.inner_text("#policy-error")
    assert "MalformedPolicyDocument" in err
    assert "Policy statement must contain resources." in err
    assert page.input_value("#policy-document") == bad
    # …and where: the statement missing its Resource (line 1 of this one-line document).
    where = page.inner_text("#policy-error-position")
    assert where.startswith("Where: line 1, column ") and "Statement[0]" in where, where
    with pytest.raises(Exception) as api_error:
        console.iam.create_policy(PolicyName=unique("x"), PolicyDocument=bad)
    assert api_error.value.response["Error"]["Message"] in err  # the API's very message
    shot(page, "policy-error")

    page.fill("#policy-document", json.dumps(USER_POLICY, indent=2))
    page.click("#policy-submit")
    page.wait_for_selector("#flash")
    arn = f"arn:aws:iam::{console.account}:policy/{name}"
    assert console.iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == name

    # The user, with a console password that must be reset and that policy.
    user = unique("alice")
    page.goto(f"{console.url}/console/users")
    page.fill("#new-user-name", user)
    page.fill("#new-user-password", "First-Passw0rd!")
    page.check("#new-user-reset")
    page.fill("#new-user-policy", arn)
    page.click("#create-user-submit")
    page.wait_for_selector("#flash")
    assert f"user/{user}" in page.inner_text("#user-arn")
    assert "reset required" in page.inner_text("#console-password")
    attached = console.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [arn]
    assert console.iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"]
    page.goto(f"{console.url}/console/users?q={user}")
    assert user in page.inner_text("#users")
    page.goto(f"{console.url}/console")
    assert int(page.inner_text("#count-users")) >= 1
    assert int(page.inner_text("#count-policies")) >= 1
    shot(page, "dashboard")
    console.state["user"] = user


def decode_qr(page) -> str:
    png = page.locator("#mfa-qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code found in the page's image"
    return found[0].text


def test_user_changes_password_enables_mfa_and_signs_in_with_it(console, page):
    user = console.state["user"]
    sign_in(page, console.url, console.account, user, "First-Passw0rd!")
    page.wait_for_url("**/console/change-password")
    # Nothing else is reachable before the change.
    page.goto(f"{console.url}/console/users")
    assert page.url.endswith("/console/change-password")
    page.fill("#old-password", "First-Passw0rd!")
    page.fill("#new-password", "Second-Passw0rd!")
    page.fill("#confirm-password", "Second-Passw0rd!")
    page.click("#change-submit")
    page.wait_for_url(f"{console.url}/console")
    assert page.inner_text("#identity") == f"arn:aws:iam::{console.account}:user/{user}"

    # MFA: the QR code decoded from the page's image, then two consecutive codes.
    page.goto(f"{console.url}/console/users/{user}")
    page.fill("#mfa-name", user)
    page.click("#assign-mfa")
    uri = decode_qr(page)
    assert uri.startswith("otpauth://totp/")
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    totp = pyotp.TOTP(secret)
    now = time.time()
    page.fill("#mfa-code1", totp.at(now - 30))
    page.fill("#mfa-code2", totp.at(now))
    page.click("#mfa-enable")
    page.wait_for_selector("#flash")
    devices = console.iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert len(devices) == 1

    page.click("#signout")
    page.wait_for_url(f"{console.url}/console")
    assert page.is_visible("#signin")

    # Again, with the new password; now an MFA code is asked for. A wrong one is refused.
    sign_in(page, console.url, console.account, user, "Second-Passw0rd!")
    page.wait_for_url("**/console/mfa")
    page.fill("#mfa-code", "000000" if totp.at(time.time() + 30) != "000000" else "111111")
    page.click("#mfa-submit")
    assert page.inner_text("#signin-error") == FAILED
    page.fill("#mfa-code", totp.at(time.time() + 30))  # the next step: not used before
    page.click("#mfa-submit")
    page.wait_for_url(f"{console.url}/console")
    assert page.inner_text("#identity").endswith(f":user/{user}")
    console.state["password"] = "Second-Passw0rd!"

    # A page the policy does not allow: the denial names the action.
    resp = page.goto(f"{console.url}/console/roles")
    assert resp.status == 403
    text = page.inner_text("main")
    assert "Access denied" in text
    assert "is not authorized to perform: iam:ListRoles" in text

    # An access key: the secret is shown once, with its CSV.
    page.goto(f"{console.url}/console/users/{user}")
    page.click("#create-key")
    key_id = page.inner_text("#new-key-id")
    secret_key = page.inner_text("#new-key-secret")
    assert key_id.startswith("AKIA") and len(secret_key) == 40
    href = page.get_attribute("#download-csv", "href")
    assert href.startswith("data:text/csv;base64,")
    import base64

    assert f"{key_id},{secret_key}" in base64.b64decode(href.split(",", 1)[1]).decode()
    sts = console.client("sts", access_key=key_id, secret_key=secret_key)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user}")
    page.goto(f"{console.url}/console/users/{user}")
    assert key_id in page.inner_text("#access-keys")
    assert secret_key not in page.content()


def test_console_sign_ins_are_audited(console, page):
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/audit?event=ConsoleLogin")
    rows = page.inner_text("#events")
    assert "ConsoleLogin" in rows and "Success" in rows and "Failure" in rows
    ct = console.client("cloudtrail")
    events = ct.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]
    )["Events"]
    records = [json.loads(e["CloudTrailEvent"]) for e in events]
    assert all(r["eventSource"] == "signin.amazonaws.com" for r in records)
    assert any(r["additionalEventData"]["MFAUsed"] == "Yes" for r in records)
    # Console actions are audited as the signed-in principal, through the console front end.
    created = ct.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]
    )["Events"]
    rec = json.loads(created[0]["CloudTrailEvent"])
    assert rec["iamdFrontEnd"] == "console"
    assert rec["userIdentity"]["type"] == "Root"


def test_credential_report_download(console, page):
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/credential-report")
    with page.expect_download() as d:
        page.click("#download-report")
    text = Path(d.value.path()).read_text()
    assert text.startswith("user,arn,user_creation_time")
    assert console.state["user"] in text


# ---------------------------------------------------------------------------------------------
# Switch role and revoking a role's sessions
# ---------------------------------------------------------------------------------------------


def test_switch_role_and_back(console, page):
    iam = console.iam
    role = unique("console-role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{console.account}:root"},
                       "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    user = unique("switcher")
    iam.create_user(UserName=user)
    iam.create_login_profile(UserName=user, Password="Switch-Passw0rd!")
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(USER_POLICY))

    sign_in(page, console.url, console.account, user, "Switch-Passw0rd!")
    page.wait_for_url(f"{console.url}/console")
    assert page.goto(f"{console.url}/console/roles").status == 403
    page.goto(f"{console.url}/console/switch-role")
    page.fill("#switch-role-name", role)
    page.click("#switch-submit")
    page.wait_for_selector("#flash")
    ident = page.inner_text("#identity")
    assert ident == f"arn:aws:sts::{console.account}:assumed-role/{role}/{user}"
    resp = page.goto(f"{console.url}/console/roles")
    assert resp.status == 200 and role in page.inner_text("#roles")
    page.click("#switch-back")
    page.wait_for_url(f"{console.url}/console")
    assert page.inner_text("#identity").endswith(f":user/{user}")

    # A role session revoked early (iamd sessions revoke) ends its console session too.
    page.goto(f"{console.url}/console/switch-role?roleName={role}")
    page.click("#switch-submit")
    page.wait_for_selector("#flash")
    time.sleep(1.1)  # revocations take sessions issued strictly before a second
    out = subprocess.run([str(iamd_bin()), "sessions", "revoke", "--data-dir", str(console.data_dir),
                          "--principal-arn", f"arn:aws:iam::{console.account}:role/{role}"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for _ in range(20):  # the server notices another process's commit within a second
        resp = page.goto(f"{console.url}/console/roles")
        if resp.status == 401:
            break
        time.sleep(0.1)
    assert resp.status == 401
    assert "Your session has expired" in page.inner_text("#timeout")


def test_revoke_role_sessions_as_aws_does(console, page):
    iam = console.iam
    role = unique("revoked-role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{console.account}:root"},
                       "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    user = unique("assumer")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(USER_POLICY))
    k = iam.create_access_key(UserName=user)["AccessKey"]
    creds = console.client("sts", access_key=k["AccessKeyId"], secret_key=k["SecretAccessKey"]).assume_role(
        RoleArn=f"arn:aws:iam::{console.account}:role/{role}", RoleSessionName="old")["Credentials"]
    import boto3

    old = boto3.client("iam", endpoint_url=console.endpoint, region_name="us-east-1",
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    old.list_users(MaxItems=1)
    time.sleep(1.1)  # aws:TokenIssueTime has second precision

    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/roles/{role}")
    page.once("dialog", lambda d: d.accept())
    page.click("#revoke-sessions")
    page.wait_for_selector("#flash")
    assert "AWSRevokeOlderSessions" in page.inner_text("#permissions")
    doc = iam.get_role_policy(RoleName=role, PolicyName="AWSRevokeOlderSessions")["PolicyDocument"]
    assert "aws:TokenIssueTime" in json.dumps(doc)
    with pytest.raises(Exception) as e:
        old.list_users(MaxItems=1)
    assert e.value.response["Error"]["Code"] == "AccessDenied"


# ---------------------------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------------------------


def test_cookies_csrf_and_sign_out(console, page):
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    c = session_cookie(page)
    assert c["httpOnly"] is True
    assert c["sameSite"] == "Lax"
    assert c["secure"] is False  # plain HTTP here; see the TLS test
    jar = {"iamd-console": c["value"]}

    # The cookie works…
    r = requests.get(f"{console.url}/console/users", cookies=jar, allow_redirects=False)
    assert r.status_code == 200
    # …but a POST without the form's CSRF token (or with another) is refused, and does nothing.
    victim = unique("csrf")
    for data in ({"name": victim}, {"name": victim, "csrf": "0" * 64}):
        r = requests.post(f"{console.url}/console/users", data=data, cookies=jar, allow_redirects=False)
        assert r.status_code == 403
        assert "CSRF" in r.text
    assert victim not in [u["UserName"] for u in console.iam.list_users()["Users"]]

    # Sign-in rotates the session ID: the pre-sign-in cookie is not the signed-in one.
    page.click("#signout")
    page.wait_for_url(f"{console.url}/console")
    anonymous = session_cookie(page)["value"]
    page.check("#kind-root")
    page.fill("#account", console.account)
    page.fill("#password", ROOT_PASSWORD)
    page.click("#signin")
    page.wait_for_selector("#identity")
    signed = session_cookie(page)["value"]
    assert signed != anonymous
    r = requests.get(f"{console.url}/console/users", cookies={"iamd-console": anonymous}, allow_redirects=False)
    assert r.status_code == 303

    # After sign-out the old cookie is useless.
    page.click("#signout")
    page.wait_for_url(f"{console.url}/console")
    r = requests.get(f"{console.url}/console/users", cookies={"iamd-console": signed}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console"


def test_remembered_account(console, page):
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.click("#signout")
    page.wait_for_url(f"{console.url}/console")
    assert page.input_value("#account") == console.account


def test_one_message_lockout(console, page):
    iam = console.iam
    user = unique("locked")
    iam.create_user(UserName=user)
    iam.create_login_profile(UserName=user, Password="Lock-Passw0rd!")

    # Unknown user and wrong password: the same answer.
    sign_in(page, console.url, console.account, unique("nobody"), "Whatever-1!")
    assert page.inner_text("#signin-error") == FAILED
    for _ in range(5):
        sign_in(page, console.url, console.account, user, "Wrong-Passw0rd!")
        assert page.inner_text("#signin-error") == FAILED
    # Locked: the right password is refused too, with the same answer.
    sign_in(page, console.url, console.account, user, "Lock-Passw0rd!")
    assert page.inner_text("#signin-error") == FAILED
    assert "/signin" in page.url or page.url.endswith("/console") or page.is_visible("#signin")


def test_rate_limit_per_address(server_factory):
    s = server_factory("ratelimit")
    account = s.sts.get_caller_identity()["Account"]
    url = s.endpoint.rstrip("/")
    http = requests.Session()
    statuses = []
    for _ in range(32):
        page = http.get(f"{url}/console").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        r = http.post(f"{url}/signin", data={"csrf": csrf, "account": account, "kind": "root",
                                             "password": "nope"}, allow_redirects=False)
        statuses.append(r.status_code)
    assert statuses[:30] == [401] * 30
    assert statuses[30:] == [429, 429]


# ---------------------------------------------------------------------------------------------
# Federation
# ---------------------------------------------------------------------------------------------


def test_federated_user_signs_in_and_times_out_to_the_issuer(server_factory, page):
    s = server_factory("federation", dev=True, extra_args=["--dev-console-session-seconds", "4"])
    url = s.endpoint.rstrip("/")
    root = s.client("iam", access_key="123456789012", secret_key="x")
    broker = unique("broker")
    root.create_user(UserName=broker)
    root.put_user_policy(UserName=broker, PolicyName="broker", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:GetFederationToken", "iam:List*", "iam:Get*",
                                                      "cloudtrail:LookupEvents"],
                       "Resource": "*"}]}))
    k = root.create_access_key(UserName=broker)["AccessKey"]
    sts = s.client("sts", access_key=k["AccessKeyId"], secret_key=k["SecretAccessKey"])
    session_policy = {"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": ["cloudtrail:LookupEvents"],
                                     "Resource": "*"}]}
    creds = sts.get_federation_token(Name="bob", Policy=json.dumps(session_policy),
                                     DurationSeconds=900)["Credentials"]
    session = json.dumps({"sessionId": creds["AccessKeyId"], "sessionKey": creds["SecretAccessKey"],
                          "sessionToken": creds["SessionToken"]})

    # Durations as AWS allows them.
    r = requests.get(f"{url}/federation", params={"Action": "getSigninToken", "SessionDuration": "60",
                                                 "Session": session})
    assert r.status_code == 400
    bad = json.dumps({**json.loads(session), "sessionKey": "x" * 40})
    r = requests.get(f"{url}/federation", params={"Action": "getSigninToken", "Session": bad})
    assert r.status_code == 403
    r = requests.get(f"{url}/federation", params={"Action": "getSigninToken", "SessionDuration": "900",
                                                 "Session": session})
    assert r.status_code == 200, r.text
    token = r.json()["SigninToken"]

    issuer = "https://intranet.example/aws-portal"
    login = f"{url}/federation?" + urllib.parse.urlencode({
        "Action": "login", "Issuer": issuer, "Destination": f"{url}/console", "SigninToken": token})
    page.goto(login)
    page.wait_for_url(f"{url}/console")
    assert page.inner_text("#identity") == "arn:aws:sts::123456789012:federated-user/bob"
    # The session's limits hold in the console: as on AWS, federated users call no IAM operation.
    assert page.goto(f"{url}/console/users").status == 403
    assert "not authorized to perform: iam:ListUsers" in page.inner_text("main")
    time.sleep(4.5)  # the real clock: the (test-shortened) session ends
    resp = page.goto(f"{url}/console/users")
    assert resp.status == 401
    assert "Your session has expired" in page.inner_text("#timeout")
    assert page.get_attribute("#issuer", "href") == issuer

    # Role credentials refuse SessionDuration (their console session is the credentials').
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
    root.create_role(RoleName="fed-role", AssumeRolePolicyDocument=json.dumps(trust))
    root.put_user_policy(UserName=broker, PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    rc = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/fed-role", RoleSessionName="portal")["Credentials"]
    role_session = json.dumps({"sessionId": rc["AccessKeyId"], "sessionKey": rc["SecretAccessKey"],
                               "sessionToken": rc["SessionToken"]})
    r = requests.get(f"{url}/federation", params={"Action": "getSigninToken", "SessionDuration": "900",
                                                 "Session": role_session})
    assert r.status_code == 400
    r = requests.get(f"{url}/federation", params={"Action": "getSigninToken", "Session": role_session})
    assert r.status_code == 200 and r.json()["SigninToken"]
    # A role session signs in with the role's permissions (none here but what it was given).
    root.attach_role_policy(RoleName="fed-role", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    page.goto(f"{url}/federation?" + urllib.parse.urlencode({"Action": "login", "SigninToken": r.json()["SigninToken"]}))
    page.wait_for_url(f"{url}/console")
    assert page.inner_text("#identity") == "arn:aws:sts::123456789012:assumed-role/fed-role/portal"
    page.goto(f"{url}/console/users")
    assert broker in page.inner_text("#users")
    # A token that was tampered with does not open.
    r = requests.get(f"{url}/federation", params={"Action": "login", "SigninToken": token[:-4] + "AAAA"},
                     allow_redirects=False)
    assert r.status_code == 403


# ---------------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------------


def test_tls_listener_secure_cookies_and_secure_transport(server_factory, tmp_path):
    from iamd_harness import free_port

    cert, key = self_signed(tmp_path)
    tls_port = free_port()
    s = server_factory("tls", extra_args=["--tls-cert", str(cert), "--tls-key", str(key),
                                          "--tls-listen", f"127.0.0.1:{tls_port}"])
    set_root_password(s, ROOT_PASSWORD)
    https = f"https://127.0.0.1:{tls_port}"
    for _ in range(100):
        try:
            requests.get(f"{https}/healthz", verify=str(cert), timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.05)
    account = s.sts.get_caller_identity()["Account"]

    # Console over HTTPS: the session cookie is Secure.
    http = requests.Session()
    r = http.get(f"{https}/console", verify=str(cert))
    assert r.status_code == 200
    assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    csrf = r.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = http.post(f"{https}/signin", data={"csrf": csrf, "account": account, "kind": "root",
                                           "password": ROOT_PASSWORD}, verify=str(cert), allow_redirects=False)
    assert r.status_code == 303
    assert all("Secure" in c for c in r.raw.headers.getlist("set-cookie"))

    # aws:SecureTransport: a user denied everything over plain HTTP can act over HTTPS only.
    iam = s.iam
    user = unique("tls")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
                      {"Effect": "Deny", "Action": "*", "Resource": "*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    k = iam.create_access_key(UserName=user)["AccessKey"]
    plain = s.client("iam", access_key=k["AccessKeyId"], secret_key=k["SecretAccessKey"])
    with pytest.raises(Exception) as e:
        plain.list_users()
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": k["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": k["SecretAccessKey"],
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    aws = shutil.which("aws", path=str(Path(os.sys.executable).parent)) or "aws"
    out = subprocess.run([aws, "--endpoint-url", https, "--ca-bundle", str(cert), "iam", "list-users"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert user in out.stdout


# ---------------------------------------------------------------------------------------------
# Account settings, the alias sign-in URL, and root MFA (on a server of their own)
# ---------------------------------------------------------------------------------------------


def test_alias_sign_in_url_password_policy_and_root_mfa(server_factory, page):
    s = server_factory("rootmfa")
    set_root_password(s, ROOT_PASSWORD)
    url = s.endpoint.rstrip("/")
    account = s.sts.get_caller_identity()["Account"]
    sign_in(page, url, account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{url}/console")

    # Account settings: an alias and a password policy, through the engine.
    alias = unique("corp").lower()
    page.goto(f"{url}/console/account")
    page.fill("#alias-input", alias)
    page.click("#create-alias")
    page.wait_for_selector("#flash")
    assert page.inner_text("#current-alias") == alias
    page.fill("input[name=min]", "12")
    page.check("input[name=symbols]")
    page.click("#save-password-policy")
    page.wait_for_selector("#flash")
    pp = s.iam.get_account_password_policy()["PasswordPolicy"]
    assert pp["MinimumPasswordLength"] == 12 and pp["RequireSymbols"]
    page.goto(f"{url}/console")
    assert page.inner_text("#alias") == alias
    assert page.inner_text("#signin-url").endswith(f"/signin/{alias}")

    # Root MFA: the QR code decoded, two codes; the dashboard then counts it.
    page.click("#assign-root-mfa")
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(decode_qr(page)).query)["secret"][0]
    totp = pyotp.TOTP(secret)
    now = time.time()
    page.fill("#mfa-code1", totp.at(now - 30))
    page.fill("#mfa-code2", totp.at(now))
    page.click("#mfa-enable")
    page.wait_for_selector("#flash")
    assert s.iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    assert page.locator(".root-mfa-device").count() == 1
    page.click("#signout")

    # Signing in through the alias URL now takes the password and a code.
    sign_in(page, url, alias, None, ROOT_PASSWORD)
    page.wait_for_url("**/console/mfa")
    page.fill("#mfa-code", totp.at(time.time() + 30))
    page.click("#mfa-submit")
    page.wait_for_url(f"{url}/console")
    assert page.inner_text("#identity") == f"arn:aws:iam::{account}:root"
    events = s.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "EnableMFADevice"}])["Events"]
    assert json.loads(events[0]["CloudTrailEvent"])["userIdentity"]["type"] == "Root"


def test_groups_simulator_and_identity_providers(console, page):
    user = unique("member")
    console.iam.create_user(UserName=user)
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")

    # A group with a policy, and the user in it.
    group = unique("readers")
    page.goto(f"{console.url}/console/groups")
    page.fill("#group-name", group)
    page.fill("input[name=policy]", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    page.click("#create-group")
    page.wait_for_selector("#flash")
    page.fill("#members input[name=user]", user)
    page.click("#members button[type=submit] >> text=Add user")
    page.wait_for_selector("#flash")
    assert user in page.inner_text("#members")
    assert [g["GroupName"] for g in console.iam.list_groups_for_user(UserName=user)["Groups"]] == [group]

    # The simulator says what the user may do, and why.
    page.goto(f"{console.url}/console/simulator")
    page.fill("#sim-source", f"arn:aws:iam::{console.account}:user/{user}")
    page.fill("#sim-actions", "iam:ListUsers iam:CreateUser")
    page.click("#simulate")
    rows = page.inner_text("#sim-results")
    assert "iam:ListUsers\t*\tallowed" in rows
    assert "iam:CreateUser\t*\timplicitDeny" in rows

    # An OpenID Connect provider.
    page.goto(f"{console.url}/console/providers")
    host = f"idp-{unique('x')}.example.com"
    page.fill("input[name=url]", f"https://{host}")
    page.fill("input[name=audience]", "my-app")
    page.fill("input[name=thumbprint]", "a" * 40)
    page.click("text=Add provider")
    page.wait_for_selector("#flash")
    assert f"oidc-provider/{host}" in page.inner_text("#providers")


def test_switch_role_into_another_account(console, page):
    # A second account in the same store (`iamd account create`), seen by the running server.
    out = subprocess.run([str(iamd_bin()), "account", "create", "--data-dir", str(console.data_dir)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    other = out.stdout.split("# account ", 1)[1].split(":", 1)[0]
    key = out.stdout.split("aws_access_key_id = ", 1)[1].split()[0]
    secret = out.stdout.split("aws_secret_access_key = ", 1)[1].split()[0]
    other_iam = console.client("iam", access_key=key, secret_key=secret)
    role = unique("cross")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{console.account}:root"}, "Action": "sts:AssumeRole"}]}
    for _ in range(50):  # the server notices the new account within a second
        try:
            other_iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
            break
        except Exception:
            time.sleep(0.1)
    other_iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")

    user = unique("traveller")
    console.iam.create_user(UserName=user)
    console.iam.create_login_profile(UserName=user, Password="Travel-Passw0rd!")
    console.iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(USER_POLICY))
    sign_in(page, console.url, console.account, user, "Travel-Passw0rd!")
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/switch-role?account={other}&roleName={role}")
    page.click("#switch-submit")
    page.wait_for_selector("#flash")
    assert page.inner_text("#identity") == f"arn:aws:sts::{other}:assumed-role/{role}/{user}"
    page.goto(f"{console.url}/console/roles")
    assert role in page.inner_text("#roles")  # the other account's roles
    assert page.inner_text("#account") == other


def test_signed_in_session_expires(server_factory, page):
    s = server_factory("expiry", dev=True, extra_args=["--dev-console-session-seconds", "3"])
    set_root_password(s, ROOT_PASSWORD)
    url = s.endpoint.rstrip("/")
    sign_in(page, url, "123456789012", None, ROOT_PASSWORD)
    page.wait_for_url(f"{url}/console")
    cookie = session_cookie(page)["value"]
    time.sleep(3.5)
    resp = page.goto(f"{url}/console/users")
    assert resp.status == 401
    assert "Your session has expired" in page.inner_text("#timeout")
    r = requests.get(f"{url}/console/users", cookies={"iamd-console": cookie}, allow_redirects=False)
    assert r.status_code == 303  # gone from the server


def test_trust_policy_editor(console, page):
    role = unique("trusting")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{console.account}:root"}, "Action": "sts:AssumeRole"}]}
    console.iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/roles/{role}")
    assert json.loads(page.input_value("#trust-editor")) == trust

    # A trust policy without a principal: AWS's message, and where.
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    page.fill("#trust-editor", json.dumps(bad, indent=2))
    page.click("#update-trust")
    err = page.inner_text("#flash-error")
    with pytest.raises(Exception) as api:
        console.iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(bad, indent=2))
    assert api.value.response["Error"]["Message"] in err
    assert "MalformedPolicyDocument" in err and "(line " in err

    # A good one is saved.
    good = {**trust, "Statement": [{**trust["Statement"][0], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    page.fill("#trust-editor", json.dumps(good, indent=2))
    page.click("#update-trust")
    page.wait_for_selector("#flash")
    saved = console.iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    assert saved == good


def test_ssh_keys_and_signing_certificates_are_managed_on_the_credentials_tab(console, page):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    user = unique("creds")
    console.iam.create_user(UserName=user)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ssh = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                        serialization.PublicFormat.OpenSSH).decode()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM).decode())

    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/users/{user}")
    page.fill('form[action$="/ssh-upload"] textarea', ssh)
    with page.expect_navigation():
        page.click('form[action$="/ssh-upload"] button')
    page.fill('form[action$="/cert-upload"] textarea', cert)
    with page.expect_navigation():
        page.click('form[action$="/cert-upload"] button')
    key_id = console.iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"][0]["SSHPublicKeyId"]
    cert_id = console.iam.list_signing_certificates(UserName=user)["Certificates"][0]["CertificateId"]
    assert key_id in page.inner_text("#ssh-keys") and cert_id in page.inner_text("#signing-certificates")

    # Deactivate both, as the API then reports.
    with page.expect_navigation():
        page.click('#ssh-keys button:has-text("Deactivate")')
    with page.expect_navigation():
        page.click('#signing-certificates button:has-text("Deactivate")')
    assert console.iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"][0]["Status"] == "Inactive"
    assert console.iam.list_signing_certificates(UserName=user)["Certificates"][0]["Status"] == "Inactive"
    assert "Inactive" in page.inner_text("#ssh-keys")

    # Delete both, after the browser's confirmation.
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click('#ssh-keys button:has-text("Delete")')
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click('#signing-certificates button:has-text("Delete")')
    assert console.iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"] == []
    assert console.iam.list_signing_certificates(UserName=user)["Certificates"] == []
    assert key_id not in page.inner_text("body")


def test_saml_providers_are_added_listed_and_deleted(console, page):
    from saml_idp import SamlIdp

    name = unique("idp")
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/providers")
    # Metadata that is not SAML: the engine's error, nothing created.
    page.fill("#saml-name", name)
    page.fill("#saml-metadata", "<not-metadata/>")
    with page.expect_navigation():
        page.click("#saml-provider button")
    assert "sAMLMetadataDocument" in page.inner_text("#flash-error")  # the model's minimum length
    assert not [p for p in console.iam.list_saml_providers()["SAMLProviderList"] if p["Arn"].endswith(name)]
    page.fill("#saml-name", name)
    page.fill("#saml-metadata", SamlIdp().metadata())
    with page.expect_navigation():
        page.click("#saml-provider button")
    arn = f"arn:aws:iam::{console.account}:saml-provider/{name}"
    assert [p["Arn"] for p in console.iam.list_saml_providers()["SAMLProviderList"]].count(arn) == 1
    assert arn in page.inner_text("#providers") and "SAML" in page.inner_text("#providers")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click(f'#providers tr:has-text("{name}") button:has-text("Delete")')
    assert arn not in [p["Arn"] for p in console.iam.list_saml_providers()["SAMLProviderList"]]
    assert arn not in page.inner_text("#providers")


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policies_are_written_edited_and_deleted(console, page, kind):
    name = unique(f"inline-{kind}")
    iam = console.iam
    if kind == "user":
        iam.create_user(UserName=name)
        names = lambda: iam.list_user_policies(UserName=name)["PolicyNames"]
        stored = lambda: iam.get_user_policy(UserName=name, PolicyName="reader")["PolicyDocument"]
    elif kind == "group":
        iam.create_group(GroupName=name)
        names = lambda: iam.list_group_policies(GroupName=name)["PolicyNames"]
        stored = lambda: iam.get_group_policy(GroupName=name, PolicyName="reader")["PolicyDocument"]
    else:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": console.account}, "Action": "sts:AssumeRole"}]}))
        names = lambda: iam.list_role_policies(RoleName=name)["PolicyNames"]
        stored = lambda: iam.get_role_policy(RoleName=name, PolicyName="reader")["PolicyDocument"]
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}
    sign_in(page, console.url, console.account, None, ROOT_PASSWORD)
    page.wait_for_url(f"{console.url}/console")
    page.goto(f"{console.url}/console/{kind}s/{name}")
    # A document the engine refuses: AWS's message, nothing written.
    page.fill("#inline-name", "reader")
    page.fill("#inline-document", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser"}]}')
    with page.expect_navigation():
        page.click("#inline-save")
    assert "Policy statement must contain resources." in page.inner_text("#flash-error")
    assert names() == []
    page.fill("#inline-name", "reader")
    page.fill("#inline-document", json.dumps(doc))
    with page.expect_navigation():
        page.click("#inline-save")
    assert stored() == doc
    assert "reader" in page.inner_text("#inline-policies")
    # Edit: the editor opens with the stored document, and saving replaces it.
    page.click('#inline-policies a:has-text("Edit")')
    page.wait_for_url("**edit=reader**")
    assert json.loads(page.input_value("#inline-document")) == doc
    doc["Statement"][0]["Action"] = "iam:ListUsers"
    page.fill("#inline-document", json.dumps(doc))
    with page.expect_navigation():
        page.click("#inline-save")
    assert stored() == doc
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click('#inline-policies button:has-text("Delete")')
    assert names() == []
