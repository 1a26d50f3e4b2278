"""Long-term credentials with boto3 and the aws CLI: access keys (rotation, quota, last used),
login profiles and the account password policy, ChangePassword, virtual MFA with codes from
`pyotp`, signing certificates and server certificates (made here with `cryptography`), SSH public
keys (made here with `ssh-keygen`), the account alias, GetAccountSummary, the credential report
(parsed with the csv module), DeleteUser's conflicts, and secrets at rest.

Expectations are AWS's, from the IAM API Reference for each operation and the IAM User Guide:
"Manage access keys for IAM users", "Set an account password policy for IAM users",
"Credential reports", "Resynchronize virtual and hardware MFA devices", "Use SSH keys ... with
CodeCommit", "Manage server certificates in IAM", "IAM and AWS STS quotas".
"""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import subprocess
import time

import pyotp
import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from iamd_harness import (store_kind, DEV_ACCOUNT, access_denied, allow, error_of, expect, make_principal,
                          make_server, policy_doc, recent, temp_client, unique)

UTC = datetime.timezone.utc
STRONG = "Str0ng-Passw0rd!"

# The columns of AWS's credential report, in order (IAM User Guide, "Credential report format").
REPORT_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]


# ---- helpers ---------------------------------------------------------------------------------


def rsa_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def self_signed(key=None, cn: str | None = None, days: int = 365):
    """(PEM certificate text, certificate, key) for a fresh self-signed X.509 certificate."""
    key = key or rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn or f"{unique('cn')}.example.com")])
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode(), cert, key


def key_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def ssh_keypair(tmp_path, name="id"):
    """(public key line, md5 fingerprint as aa:bb:…, path of the .pub) from ssh-keygen."""
    f = tmp_path / f"{name}-{unique('k')}"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "test@iamd", "-f", str(f)],
                   check=True, capture_output=True, timeout=60)
    pub = (f.parent / (f.name + ".pub")).read_text().strip()
    out = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", str(f) + ".pub"], check=True,
                         capture_output=True, text=True).stdout
    fp = out.split()[1]
    assert fp.startswith("MD5:"), out
    return pub, fp[4:], f.parent / (f.name + ".pub")


def code_of(fn, *a, **kw) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as ei:
        fn(*a, **kw)
    e = ei.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"].get("Message", "")


@pytest.fixture(scope="module")
def own(_tmp_root):
    """A server of this module's own (account-wide settings: password policy, summary, report)."""
    s = make_server(_tmp_root, "creds-own").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def devsrv(_tmp_root):
    """A --dev server: 12-digit access keys act as the roots of their accounts."""
    s = make_server(_tmp_root, "creds-dev", dev=True, extra_args=["--store", "memory"]).start()
    yield s
    s.stop()


# ---- access keys -----------------------------------------------------------------------------


def test_access_key_rotation(server, iam, uniq):
    p = make_principal(server, inline={"self": policy_doc(allow(
        ["iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
         "iam:GetAccessKeyLastUsed"], f"arn:aws:iam::*:user/${{aws:username}}"))})
    assert p.sts.get_caller_identity()["Arn"] == p.arn
    # The user makes their second key (no UserName: the caller's own).
    new = p.iam.create_access_key()["AccessKey"]
    assert new["UserName"] == p.name and new["Status"] == "Active"
    assert new["AccessKeyId"].startswith("AKIA") and len(new["AccessKeyId"]) == 20
    assert len(new["SecretAccessKey"]) == 40
    assert recent(new["CreateDate"])
    listed = p.iam.list_access_keys()["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed) == sorted([p.access_key, new["AccessKeyId"]])
    for k in listed:
        assert "SecretAccessKey" not in k and k["UserName"] == p.name and k["Status"] == "Active"
    # A third key is over AWS's quota of two.
    e = expect("LimitExceeded", 409, p.iam.create_access_key)
    assert e.response["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    expect("LimitExceeded", 409, iam.create_access_key, UserName=p.name)

    # Switch to the new key, deactivate the old one: it is refused on the very next request.
    switched_iam = server.client("iam", access_key=new["AccessKeyId"], secret_key=new["SecretAccessKey"])
    switched_sts = server.client("sts", access_key=new["AccessKeyId"], secret_key=new["SecretAccessKey"])
    assert switched_sts.get_caller_identity()["Arn"] == p.arn
    switched_iam.update_access_key(AccessKeyId=p.access_key, Status="Inactive")
    expect("InvalidClientTokenId", 403, p.sts.get_caller_identity)
    expect("InvalidClientTokenId", 403, p.iam.list_access_keys)
    statuses = {k["AccessKeyId"]: k["Status"] for k in switched_iam.list_access_keys()["AccessKeyMetadata"]}
    assert statuses == {p.access_key: "Inactive", new["AccessKeyId"]: "Active"}
    # Reactivated, it works again; then deleted for good.
    switched_iam.update_access_key(AccessKeyId=p.access_key, Status="Active")
    assert p.sts.get_caller_identity()["Arn"] == p.arn
    switched_iam.update_access_key(AccessKeyId=p.access_key, Status="Inactive")
    switched_iam.delete_access_key(AccessKeyId=p.access_key)
    assert [k["AccessKeyId"] for k in switched_iam.list_access_keys()["AccessKeyMetadata"]] == [new["AccessKeyId"]]
    expect("InvalidClientTokenId", 403, p.sts.get_caller_identity)
    expect("NoSuchEntity", 404, switched_iam.delete_access_key, AccessKeyId=p.access_key)
    # Room again for a second key.
    assert switched_iam.create_access_key()["AccessKey"]["Status"] == "Active"


def test_access_key_of_another_user_and_unknown(iam, principal, uniq):
    p = principal(inline={"self": policy_doc(allow("iam:*AccessKey*", "arn:aws:iam::*:user/${aws:username}"))})
    other = uniq("ak")
    iam.create_user(UserName=other)
    access_denied(p.iam.create_access_key, UserName=other)
    access_denied(p.iam.list_access_keys, UserName=other)
    expect("NoSuchEntity", 404, iam.create_access_key, UserName=uniq("ghost"))
    expect("NoSuchEntity", 404, iam.update_access_key, UserName=other, AccessKeyId="AKIAIOSFODNN7EXAMPLE",
           Status="Inactive")


def test_access_key_last_used(server, iam, uniq):
    name = uniq("lu")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    before = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert before["UserName"] == name
    lu = before["AccessKeyLastUsed"]
    assert lu["ServiceName"] == "N/A" and lu["Region"] == "N/A", lu
    assert "LastUsedDate" not in lu
    c = server.client("sts", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"], region="eu-west-1")
    c.get_caller_identity()
    deadline = time.monotonic() + 3
    while True:
        lu = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        if "LastUsedDate" in lu or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "LastUsedDate" in lu, lu
    assert recent(lu["LastUsedDate"])
    assert lu["ServiceName"] == "sts" and lu["Region"] == "eu-west-1", lu


def test_root_access_keys_without_user_name(own):
    keys = own.iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [own.access_key]
    assert keys[0]["Status"] == "Active" and "SecretAccessKey" not in keys[0]
    # Root manages its own keys without UserName: a second one, not a third.
    second = own.iam.create_access_key()["AccessKey"]
    assert second["AccessKeyId"].startswith("AKIA") and len(second["SecretAccessKey"]) == 40
    try:
        root2 = own.client("sts", access_key=second["AccessKeyId"], secret_key=second["SecretAccessKey"])
        assert root2.get_caller_identity()["Arn"].endswith(":root")
        e = expect("LimitExceeded", 409, own.iam.create_access_key)
        assert e.response["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    finally:
        own.iam.delete_access_key(AccessKeyId=second["AccessKeyId"])
    assert [k["AccessKeyId"] for k in own.iam.list_access_keys()["AccessKeyMetadata"]] == [own.access_key]


def test_cli_access_keys(server, iam, uniq):
    name = uniq("cli")
    iam.create_user(UserName=name)
    r = server.cli("iam", "create-access-key", "--user-name", name)
    assert r.rc == 0, r
    key = r.json["AccessKey"]
    assert key["SecretAccessKey"] and key["Status"] == "Active"
    r = server.cli("iam", "update-access-key", "--user-name", name, "--access-key-id", key["AccessKeyId"],
                   "--status", "Inactive")
    assert r.rc == 0, r
    r = server.cli("iam", "list-access-keys", "--user-name", name)
    assert r.rc == 0 and r.json["AccessKeyMetadata"][0]["Status"] == "Inactive", r
    r = server.cli("iam", "delete-access-key", "--user-name", name, "--access-key-id", key["AccessKeyId"])
    assert r.rc == 0, r
    iam.delete_user(UserName=name)


# ---- login profiles, password policy, ChangePassword ----------------------------------------


def test_login_profile_lifecycle(iam, uniq):
    name = uniq("lp")
    iam.create_user(UserName=name)
    expect("NoSuchEntity", 404, iam.get_login_profile, UserName=name)
    lp = iam.create_login_profile(UserName=name, Password=STRONG, PasswordResetRequired=True)["LoginProfile"]
    assert lp["UserName"] == name and lp["PasswordResetRequired"] is True and recent(lp["CreateDate"])
    assert "Password" not in lp
    got = iam.get_login_profile(UserName=name)["LoginProfile"]
    assert got["UserName"] == name and got["PasswordResetRequired"] is True
    assert "Password" not in got
    expect("EntityAlreadyExists", 409, iam.create_login_profile, UserName=name, Password=STRONG)
    iam.update_login_profile(UserName=name, Password="An0ther-Passw0rd", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    iam.delete_login_profile(UserName=name)
    expect("NoSuchEntity", 404, iam.get_login_profile, UserName=name)
    expect("NoSuchEntity", 404, iam.delete_login_profile, UserName=name)
    expect("NoSuchEntity", 404, iam.create_login_profile, UserName=uniq("ghost"), Password=STRONG)


def test_default_password_rules_without_a_policy(own):
    iam = own.iam
    expect("NoSuchEntity", 404, iam.get_account_password_policy)
    name = unique("dp")
    iam.create_user(UserName=name)
    # AWS's default: at least 8 characters and three of the four character classes.
    for bad in ("Ab1!", "abcdefgh", "abcdefg1", "ABCDEFG1"):
        expect("PasswordPolicyViolation", 400, iam.create_login_profile, UserName=name, Password=bad)
    iam.create_login_profile(UserName=name, Password="abcdEFG1")


def test_password_policy_get_update_delete_and_violations(own):
    iam = own.iam
    iam.update_account_password_policy(
        MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True, AllowUsersToChangePassword=True, MaxPasswordAge=90,
        PasswordReusePrevention=3, HardExpiry=False)
    try:
        pol = iam.get_account_password_policy()["PasswordPolicy"]
        assert pol["MinimumPasswordLength"] == 12
        assert pol["RequireSymbols"] and pol["RequireNumbers"]
        assert pol["RequireUppercaseCharacters"] and pol["RequireLowercaseCharacters"]
        assert pol["AllowUsersToChangePassword"] is True
        assert pol["ExpirePasswords"] is True and pol["MaxPasswordAge"] == 90
        assert pol["PasswordReusePrevention"] == 3
        assert pol["HardExpiry"] is False
        name = unique("pv")
        iam.create_user(UserName=name)
        cases = {
            "short-Pw1!": "minimum length of 12",
            "lowercase-only-1!": "at least one uppercase letter",
            "UPPERCASE-ONLY-1!": "at least one lowercase letter",
            "NoNumbersHere-!!": "at least one number",
            "NoSymbolsHere123": "at least one symbol",
        }
        for pw, rule in cases.items():
            code, status, msg = code_of(iam.create_login_profile, UserName=name, Password=pw)
            assert (code, status) == ("PasswordPolicyViolation", 400), (pw, code, status, msg)
            assert rule in msg, (pw, msg)
        iam.create_login_profile(UserName=name, Password="Good-Passw0rd-1")
        code, status, msg = code_of(iam.update_login_profile, UserName=name, Password="weak")
        assert (code, status) == ("PasswordPolicyViolation", 400), msg
    finally:
        iam.delete_account_password_policy()
    expect("NoSuchEntity", 404, iam.get_account_password_policy)
    expect("NoSuchEntity", 404, iam.delete_account_password_policy)


def test_change_own_password_with_iam_user_change_password_policy(own):
    iam = own.iam
    p = make_principal(own, managed=["arn:aws:iam::aws:policy/IAMUserChangePassword"])
    other = unique("victim")
    iam.create_user(UserName=other)
    iam.create_login_profile(UserName=other, Password=STRONG)
    iam.create_login_profile(UserName=p.name, Password=STRONG)
    p.iam.change_password(OldPassword=STRONG, NewPassword="N3w-Passw0rd!")
    # The old password is required: the previous one no longer is the current one.
    with pytest.raises(ClientError) as ei:
        p.iam.change_password(OldPassword=STRONG, NewPassword="Y3t-Another-Pw!")
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403), ei.value.response
    p.iam.change_password(OldPassword="N3w-Passw0rd!", NewPassword="Y3t-Another-Pw!")
    # ...and not another user's: the policy covers only ${aws:username}.
    access_denied(p.iam.update_login_profile, UserName=other, Password="Hij4cked-Pw!")
    access_denied(p.iam.delete_login_profile, UserName=other)
    access_denied(p.iam.create_login_profile, UserName=unique("x"), Password=STRONG)
    # Root has no login profile to change through this API.
    code, status, _ = code_of(iam.change_password, OldPassword=STRONG, NewPassword="N3w-Passw0rd!")
    assert (code, status) == ("InvalidUserType", 400)


def test_change_password_allowed_by_password_policy_only(own):
    iam = own.iam
    p = make_principal(own)  # no policies at all
    iam.create_login_profile(UserName=p.name, Password=STRONG)
    access_denied(p.iam.change_password, OldPassword=STRONG, NewPassword="N3w-Passw0rd!")
    iam.update_account_password_policy(AllowUsersToChangePassword=True, MinimumPasswordLength=8,
                                       PasswordReusePrevention=2)
    try:
        p.iam.change_password(OldPassword=STRONG, NewPassword="N3w-Passw0rd!")
        p.iam.change_password(OldPassword="N3w-Passw0rd!", NewPassword="Th1rd-Passw0rd!")
        # Reuse prevention: the last 2 passwords cannot come back.
        code, status, msg = code_of(p.iam.change_password, OldPassword="Th1rd-Passw0rd!",
                                    NewPassword="N3w-Passw0rd!")
        assert (code, status) == ("PasswordPolicyViolation", 400), msg
        assert "Password should not be one of your previous 2 passwords" in msg, msg
        # A violation of the length rule names it.
        code, status, msg = code_of(p.iam.change_password, OldPassword="Th1rd-Passw0rd!", NewPassword="Sh0rt!")
        assert (code, status) == ("PasswordPolicyViolation", 400) and "minimum length of 8" in msg, msg
    finally:
        iam.delete_account_password_policy()
    access_denied(p.iam.change_password, OldPassword="Th1rd-Passw0rd!", NewPassword="F0urth-Passw0rd!")


# ---- MFA with pyotp ------------------------------------------------------------------------


def test_mfa_device_with_pyotp_codes(server, iam, principal):
    p = principal()
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("otp"))["VirtualMFADevice"]
    seed = dev["Base32StringSeed"].decode()
    otp = pyotp.TOTP(seed)  # an independent TOTP implementation: SHA1, 6 digits, 30 s
    now = time.time()
    if 30 - now % 30 < 4:
        time.sleep(30 - now % 30 + 0.1)
        now = time.time()
    c_prev, c_now = otp.at(now - 30), otp.at(now)
    iam.enable_mfa_device(UserName=p.name, SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=c_prev, AuthenticationCode2=c_now)
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=p.name)["MFADevices"]] == [dev["SerialNumber"]]
    # A code once used is refused, then a fresh one works.
    e = expect("AccessDenied", 403, p.sts.get_session_token, SerialNumber=dev["SerialNumber"], TokenCode=c_now)
    creds = p.sts.get_session_token(SerialNumber=dev["SerialNumber"], TokenCode=otp.at(now + 30))["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    # Resync with the next two codes; replaying them is refused.
    iam.resync_mfa_device(UserName=p.name, SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=otp.at(now + 60), AuthenticationCode2=otp.at(now + 90))
    expect("InvalidAuthenticationCode", 403, iam.resync_mfa_device, UserName=p.name,
           SerialNumber=dev["SerialNumber"], AuthenticationCode1=otp.at(now + 60),
           AuthenticationCode2=otp.at(now + 90))
    iam.deactivate_mfa_device(UserName=p.name, SerialNumber=dev["SerialNumber"])
    assert iam.list_mfa_devices(UserName=p.name)["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=dev["SerialNumber"])
    assert e  # keep the refused-call's response for debugging


# ---- signing certificates --------------------------------------------------------------------


def test_signing_certificates(iam, uniq):
    name = uniq("sc")
    iam.create_user(UserName=name)
    pem1, cert1, _ = self_signed()
    c1 = iam.upload_signing_certificate(UserName=name, CertificateBody=pem1)["Certificate"]
    assert c1["UserName"] == name and c1["Status"] == "Active" and recent(c1["UploadDate"])
    assert c1["CertificateBody"].strip() == pem1.strip()
    assert len(c1["CertificateId"]) >= 24, c1["CertificateId"]
    expect("DuplicateCertificate", 409, iam.upload_signing_certificate, UserName=name, CertificateBody=pem1)
    for garbage in ("not a certificate",
                    "-----BEGIN CERTIFICATE-----\nAAAABBBBCCCC\n-----END CERTIFICATE-----\n"):
        expect("MalformedCertificate", 400, iam.upload_signing_certificate, UserName=name, CertificateBody=garbage)
    pem2, _, _ = self_signed()
    c2 = iam.upload_signing_certificate(UserName=name, CertificateBody=pem2)["Certificate"]
    pem3, _, _ = self_signed()
    expect("LimitExceeded", 409, iam.upload_signing_certificate, UserName=name, CertificateBody=pem3)
    listed = iam.list_signing_certificates(UserName=name)["Certificates"]
    assert sorted(c["CertificateId"] for c in listed) == sorted([c1["CertificateId"], c2["CertificateId"]])
    iam.update_signing_certificate(UserName=name, CertificateId=c1["CertificateId"], Status="Inactive")
    statuses = {c["CertificateId"]: c["Status"] for c in iam.list_signing_certificates(UserName=name)["Certificates"]}
    assert statuses == {c1["CertificateId"]: "Inactive", c2["CertificateId"]: "Active"}
    iam.delete_signing_certificate(UserName=name, CertificateId=c1["CertificateId"])
    expect("NoSuchEntity", 404, iam.delete_signing_certificate, UserName=name, CertificateId=c1["CertificateId"])
    iam.upload_signing_certificate(UserName=name, CertificateBody=pem3)


# ---- SSH public keys -------------------------------------------------------------------------


def test_ssh_public_keys(iam, uniq, tmp_path):
    name = uniq("ssh")
    iam.create_user(UserName=name)
    pub, fp, pub_path = ssh_keypair(tmp_path)
    k = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=pub)["SSHPublicKey"]
    assert k["UserName"] == name and k["Status"] == "Active" and recent(k["UploadDate"])
    assert k["SSHPublicKeyId"].startswith("APKA"), k["SSHPublicKeyId"]
    assert k["Fingerprint"] == fp, (k["Fingerprint"], fp)
    kid = k["SSHPublicKeyId"]

    got = iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=kid, Encoding="SSH")["SSHPublicKey"]
    assert got["SSHPublicKeyBody"].split()[:2] == pub.split()[:2]
    assert got["Fingerprint"] == fp
    # PEM gives a one-line upload back as uploaded (observed on AWS: hashicorp/terraform-provider-aws
    # #2522; test_shapes.py has the rule for each upload form). An RFC 4716 upload comes back as
    # a SubjectPublicKeyInfo PEM holding the same key.
    pem = iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=kid, Encoding="PEM")["SSHPublicKey"]
    assert pem["SSHPublicKeyBody"] == pub
    rfc4716 = subprocess.run(["ssh-keygen", "-e", "-f", str(pub_path)], check=True, capture_output=True,
                             text=True).stdout
    iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=kid)
    kid = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=rfc4716)["SSHPublicKey"]["SSHPublicKeyId"]
    body = iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=kid, Encoding="PEM")["SSHPublicKey"]["SSHPublicKeyBody"]
    assert body.lstrip().startswith("-----BEGIN PUBLIC KEY-----"), body[:60]
    from_pem = serialization.load_pem_public_key(body.encode())
    from_ssh = serialization.load_ssh_public_key(pub.encode())
    assert from_pem.public_numbers() == from_ssh.public_numbers()

    listed = iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"]
    assert [x["SSHPublicKeyId"] for x in listed] == [kid] and listed[0]["Status"] == "Active"
    expect("DuplicateSSHPublicKey", 400, iam.upload_ssh_public_key, UserName=name, SSHPublicKeyBody=pub)
    for garbage in ("ssh-rsa AAAAnotbase64!!! x", "hello world", "ssh-rsa " + base64.b64encode(b"junk").decode()):
        code, status, msg = code_of(iam.upload_ssh_public_key, UserName=name, SSHPublicKeyBody=garbage)
        assert code in ("InvalidPublicKey", "UnrecognizedPublicKeyEncoding") and status == 400, (garbage, code, msg)
    iam.update_ssh_public_key(UserName=name, SSHPublicKeyId=kid, Status="Inactive")
    assert iam.get_ssh_public_key(UserName=name, SSHPublicKeyId=kid, Encoding="SSH")["SSHPublicKey"]["Status"] == "Inactive"
    iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=kid)
    expect("NoSuchEntity", 404, iam.get_ssh_public_key, UserName=name, SSHPublicKeyId=kid, Encoding="SSH")
    assert iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"] == []

    # The PEM encoding of the same key uploads too, with the same fingerprint.
    pkcs8 = subprocess.run(["ssh-keygen", "-e", "-m", "PKCS8", "-f", str(pub_path)], check=True,
                           capture_output=True, text=True).stdout
    k2 = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=pkcs8)["SSHPublicKey"]
    assert k2["Fingerprint"] == fp


def test_ssh_public_key_id_is_20_characters(iam, uniq, tmp_path):
    """AWS's SSH key IDs are 20 characters (APKA + 16), as in the documentation's examples
    (APKAEIBAERJR2EXAMPLE) and as CodeCommit's SSH user names."""
    name = uniq("ssh")
    iam.create_user(UserName=name)
    pub, _, _ = ssh_keypair(tmp_path)
    kid = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=pub)["SSHPublicKey"]["SSHPublicKeyId"]
    assert kid.startswith("APKA") and len(kid) == 20 and kid.isalnum() and kid.isupper(), kid


# ---- server certificates ---------------------------------------------------------------------


def test_server_certificates(iam, account_id, uniq):
    name = uniq("srv")
    pem, cert, key = self_signed(days=200)
    meta = iam.upload_server_certificate(ServerCertificateName=name, Path="/cloudfront/test/",
                                         CertificateBody=pem, PrivateKey=key_pem(key))["ServerCertificateMetadata"]
    assert meta["ServerCertificateName"] == name and meta["Path"] == "/cloudfront/test/"
    assert meta["Arn"] == f"arn:aws:iam::{account_id}:server-certificate/cloudfront/test/{name}"
    assert meta["ServerCertificateId"].startswith("ASCA") and len(meta["ServerCertificateId"]) == 21
    assert recent(meta["UploadDate"])
    assert abs((meta["Expiration"] - cert.not_valid_after_utc).total_seconds()) < 2
    expect("EntityAlreadyExists", 409, iam.upload_server_certificate, ServerCertificateName=name,
           CertificateBody=pem, PrivateKey=key_pem(key))

    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["CertificateBody"].strip() == pem.strip()
    assert got["ServerCertificateMetadata"]["Arn"] == meta["Arn"]
    assert "PrivateKey" not in got
    raw = json.dumps(got, default=str)
    assert "PRIVATE KEY" not in raw

    # A key that does not match the certificate is refused.
    expect("KeyPairMismatch", 400, iam.upload_server_certificate, ServerCertificateName=uniq("srv"),
           CertificateBody=pem, PrivateKey=key_pem(rsa_key()))
    expect("MalformedCertificate", 400, iam.upload_server_certificate, ServerCertificateName=uniq("srv"),
           CertificateBody="garbage", PrivateKey=key_pem(key))

    listed = iam.list_server_certificates(PathPrefix="/cloudfront/test/")["ServerCertificateMetadataList"]
    assert name in [m["ServerCertificateName"] for m in listed]
    new = uniq("srv2")
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=new, NewPath="/moved/")
    expect("NoSuchEntity", 404, iam.get_server_certificate, ServerCertificateName=name)
    moved = iam.get_server_certificate(ServerCertificateName=new)["ServerCertificate"]["ServerCertificateMetadata"]
    assert moved["Path"] == "/moved/" and moved["ServerCertificateId"] == meta["ServerCertificateId"]
    assert moved["Arn"] == f"arn:aws:iam::{account_id}:server-certificate/moved/{new}"
    iam.delete_server_certificate(ServerCertificateName=new)
    expect("NoSuchEntity", 404, iam.get_server_certificate, ServerCertificateName=new)


def test_server_certificate_with_chain(iam, uniq):
    ca_key = rsa_key()
    ca_pem, ca_cert, _ = self_signed(ca_key, cn="iamd test CA")
    leaf_key = rsa_key()
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.example.com")]))
            .issuer_name(ca_cert.subject).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))
    leaf_pem = leaf.public_bytes(serialization.Encoding.PEM).decode()
    name = uniq("chain")
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=leaf_pem,
                                  PrivateKey=key_pem(leaf_key), CertificateChain=ca_pem)
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["CertificateChain"].strip() == ca_pem.strip()
    assert "PrivateKey" not in got
    code, status, _ = code_of(iam.upload_server_certificate, ServerCertificateName=uniq("chain"),
                              CertificateBody=leaf_pem, PrivateKey=key_pem(leaf_key), CertificateChain="junk")
    assert (code, status) == ("MalformedCertificate", 400), code
    code, status, _ = code_of(iam.upload_server_certificate, ServerCertificateName=uniq("chain"),
                              CertificateBody=leaf_pem, PrivateKey="not a key")
    assert status == 400 and code in ("MalformedCertificate", "KeyPairMismatch"), code
    iam.delete_server_certificate(ServerCertificateName=name)


# ---- DeleteUser conflicts --------------------------------------------------------------------


def test_delete_user_refused_while_credentials_remain(iam, uniq, tmp_path):
    name = uniq("du")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.create_login_profile(UserName=name, Password=STRONG)
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("dumfa"))["VirtualMFADevice"]
    otp = pyotp.TOTP(dev["Base32StringSeed"].decode())
    now = time.time()
    if 30 - now % 30 < 3:
        time.sleep(30 - now % 30 + 0.1)
        now = time.time()
    iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=otp.at(now - 30), AuthenticationCode2=otp.at(now))
    pem, _, _ = self_signed()
    cert = iam.upload_signing_certificate(UserName=name, CertificateBody=pem)["Certificate"]
    pub, _, _ = ssh_keypair(tmp_path)
    ssh = iam.upload_ssh_public_key(UserName=name, SSHPublicKeyBody=pub)["SSHPublicKey"]

    removals = [
        lambda: iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"]),
        lambda: iam.delete_login_profile(UserName=name),
        lambda: iam.deactivate_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"]),
        lambda: iam.delete_signing_certificate(UserName=name, CertificateId=cert["CertificateId"]),
        lambda: iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=ssh["SSHPublicKeyId"]),
    ]
    for remove in removals:
        expect("DeleteConflict", 409, iam.delete_user, UserName=name)
        remove()
    iam.delete_user(UserName=name)
    expect("NoSuchEntity", 404, iam.get_user, UserName=name)


# ---- account alias, summary, credential report ----------------------------------------------


def test_account_alias_unique_across_the_server(devsrv):
    alias = f"iamd-{unique('a')[2:]}".lower()
    a_iam = devsrv.iam
    b_iam = devsrv.client("iam", access_key="210987654321", secret_key="any")
    assert a_iam.list_account_aliases()["AccountAliases"] == []
    a_iam.create_account_alias(AccountAlias=alias)
    assert a_iam.list_account_aliases()["AccountAliases"] == [alias]
    expect("EntityAlreadyExists", 409, b_iam.create_account_alias, AccountAlias=alias)
    assert b_iam.list_account_aliases()["AccountAliases"] == []
    for bad in ("Upper-Case", "under_score", "-leading", "trailing-", "double--dash"):
        code, status, _ = code_of(b_iam.create_account_alias, AccountAlias=bad)
        assert (code, status) == ("ValidationError", 400), (bad, code)
    a_iam.delete_account_alias(AccountAlias=alias)
    assert a_iam.list_account_aliases()["AccountAliases"] == []
    b_iam.create_account_alias(AccountAlias=alias)
    assert b_iam.list_account_aliases()["AccountAliases"] == [alias]
    b_iam.delete_account_alias(AccountAlias=alias)
    expect("NoSuchEntity", 404, b_iam.delete_account_alias, AccountAlias=alias)


def test_account_summary_counts(server_factory):
    s = server_factory("summary", extra_args=["--store", "memory"])
    iam = s.iam
    m0 = iam.get_account_summary()["SummaryMap"]
    for k, v in {"Users": 0, "Groups": 0, "Roles": 0, "Policies": 0, "MFADevices": 0, "MFADevicesInUse": 0,
                 "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "ServerCertificates": 0,
                 "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
                 "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
                 "GroupsPerUserQuota": 10, "ServerCertificatesQuota": 20,
                 "AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10,
                 "AttachedPoliciesPerRoleQuota": 10, "PolicySizeQuota": 6144, "PolicyVersionsInUse": 0,
                 "VersionsPerPolicyQuota": 5, "InstanceProfiles": 0}.items():
        assert m0.get(k) == v, (k, m0.get(k), m0)
    for i in range(2):
        iam.create_user(UserName=f"u{i}")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    arn = iam.create_policy(PolicyName="p", PolicyDocument=policy_doc(allow("iam:ListUsers")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="u0", PolicyArn=arn)
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="d")["VirtualMFADevice"]
    otp = pyotp.TOTP(dev["Base32StringSeed"].decode())
    now = time.time()
    if 30 - now % 30 < 3:
        time.sleep(30 - now % 30 + 0.1)
        now = time.time()
    iam.enable_mfa_device(UserName="u1", SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=otp.at(now - 30), AuthenticationCode2=otp.at(now))
    iam.create_virtual_mfa_device(VirtualMFADeviceName="unused")
    m = iam.get_account_summary()["SummaryMap"]
    assert (m["Users"], m["Groups"], m["Roles"], m["Policies"]) == (2, 1, 1, 1), m
    assert m["MFADevices"] == 2 and m["MFADevicesInUse"] == 1, m
    assert m["PolicyVersionsInUse"] == 1, m
    assert m["AccountAccessKeysPresent"] == 1 and m["AccountMFAEnabled"] == 0, m


def _report(iam) -> tuple[list[str], list[dict]]:
    deadline = time.monotonic() + 10
    while True:
        state = iam.generate_credential_report()["State"]
        assert state in ("STARTED", "INPROGRESS", "COMPLETE"), state
        if state == "COMPLETE" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    r = iam.get_credential_report()
    assert r["ReportFormat"] == "text/csv"
    assert recent(r["GeneratedTime"])
    text = r["Content"].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    return header, [dict(zip(header, row)) for row in rows[1:]]


def test_credential_report(server_factory, tmp_path):
    s = server_factory("report", extra_args=["--store", "memory"])
    iam = s.iam
    acct = s.sts.get_caller_identity()["Account"]
    code, status, _ = code_of(iam.get_credential_report)
    assert (code, status) == ("ReportNotPresent", 410), code
    iam.create_user(UserName="plain")
    iam.create_user(UserName="full")
    iam.create_login_profile(UserName="full", Password=STRONG)
    k1 = iam.create_access_key(UserName="full")["AccessKey"]
    k2 = iam.create_access_key(UserName="full")["AccessKey"]
    iam.update_access_key(UserName="full", AccessKeyId=k2["AccessKeyId"], Status="Inactive")
    pem, _, _ = self_signed()
    iam.upload_signing_certificate(UserName="full", CertificateBody=pem)
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="rep")["VirtualMFADevice"]
    otp = pyotp.TOTP(dev["Base32StringSeed"].decode())
    now = time.time()
    if 30 - now % 30 < 3:
        time.sleep(30 - now % 30 + 0.1)
        now = time.time()
    iam.enable_mfa_device(UserName="full", SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1=otp.at(now - 30), AuthenticationCode2=otp.at(now))
    s.client("sts", access_key=k1["AccessKeyId"], secret_key=k1["SecretAccessKey"]).get_caller_identity()
    time.sleep(1.5)  # last-used is recorded off the request path

    header, rows = _report(iam)
    assert header == REPORT_COLUMNS, header
    by_user = {r["user"]: r for r in rows}
    assert set(by_user) == {"<root_account>", "plain", "full"}, list(by_user)
    root = by_user["<root_account>"]
    assert root["arn"] == f"arn:aws:iam::{acct}:root"
    assert root["password_enabled"] == "not_supported"
    assert root["access_key_1_active"] == "true"
    assert root["mfa_active"] == "false"

    plain = by_user["plain"]
    assert plain["arn"] == f"arn:aws:iam::{acct}:user/plain"
    assert plain["password_enabled"] == "false"
    assert plain["password_last_used"] == "N/A" and plain["password_last_changed"] == "N/A"
    assert plain["mfa_active"] == "false"
    assert plain["access_key_1_active"] == "false" and plain["access_key_1_last_rotated"] == "N/A"
    assert plain["cert_1_active"] == "false" and plain["cert_1_last_rotated"] == "N/A"
    datetime.datetime.fromisoformat(plain["user_creation_time"].replace("Z", "+00:00"))

    full = by_user["full"]
    assert full["password_enabled"] == "true"
    assert full["password_last_used"] in ("no_information", "N/A"), full["password_last_used"]
    datetime.datetime.fromisoformat(full["password_last_changed"].replace("Z", "+00:00"))
    assert full["mfa_active"] == "true"
    assert full["access_key_1_active"] == "true" and full["access_key_2_active"] == "false"
    datetime.datetime.fromisoformat(full["access_key_1_last_rotated"].replace("Z", "+00:00"))
    assert full["access_key_1_last_used_service"] == "sts", full
    assert full["access_key_1_last_used_region"] == "us-east-1", full
    datetime.datetime.fromisoformat(full["access_key_1_last_used_date"].replace("Z", "+00:00"))
    assert full["access_key_2_last_used_date"] == "N/A"
    assert full["cert_1_active"] == "true" and full["cert_2_active"] == "false"

    # The CLI decodes the same report.
    r = s.cli("iam", "get-credential-report")
    assert r.rc == 0, r
    cli_rows = list(csv.reader(io.StringIO(base64.b64decode(r.json["Content"]).decode())))
    assert cli_rows[0] == REPORT_COLUMNS


# ---- secrets at rest -------------------------------------------------------------------------


@pytest.mark.skipif(store_kind() != "sqlite", reason="reads the SQLite file")
def test_sqlite_file_holds_no_secret_or_password(server_factory):
    s = server_factory("rest")
    iam = s.iam
    iam.create_user(UserName="secretive")
    key = iam.create_access_key(UserName="secretive")["AccessKey"]
    password = "Pl41n-" + unique("pw")[2:] + "-Xy!"
    iam.create_login_profile(UserName="secretive", Password=password)
    # The key works (so it is really stored), then the server stops.
    assert s.client("sts", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"]) \
        .get_caller_identity()["Arn"].endswith(":user/secretive")
    s.stop()
    files = sorted(s.data_dir.glob("iamd.db*"))
    assert any(f.name == "iamd.db" for f in files), list(s.data_dir.iterdir())
    blob = b"".join(f.read_bytes() for f in files)
    needles = []
    for secret in (key["SecretAccessKey"], password, s.secret_key):
        raw = secret.encode()
        needles += [raw, base64.b64encode(raw), base64.b64encode(raw).rstrip(b"="), raw.hex().encode(),
                    raw.hex().upper().encode(), secret.encode("utf-16-le")]
    for n in needles:
        assert n not in blob, f"a secret is readable in the database files ({n[:6]!r}…)"
    # Nor in the server's log.
    log = s.log_text(whole=True)
    assert key["SecretAccessKey"] not in log and password not in log
