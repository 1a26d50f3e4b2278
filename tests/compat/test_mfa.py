"""Virtual MFA devices with boto3 and the aws CLI: create (seed and QR code), enable with two
consecutive TOTP codes, resync, deactivate, delete, list, get, tags, replay protection and
DeleteUser's conflict — as AWS documents them (IAM User Guide, "Assign a virtual MFA device",
"Resynchronize virtual and hardware MFA devices"; IAM API Reference for each operation).

TOTP codes are computed here (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) by
`iamd_harness.totp`, independently of the server's implementation.
"""

from __future__ import annotations

import base64
import struct

import pytest
from botocore.exceptions import ClientError

from iamd_harness import enable_virtual_mfa, expect, quiet_step, recent, totp

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def user(iam, uniq):
    name = uniq("mfau")
    iam.create_user(UserName=name)
    return name


def _seed_text(dev) -> str:
    s = dev["Base32StringSeed"]
    # boto3 decodes the blob's base64: what it hands back is the bytes of the Base32 text.
    assert isinstance(s, bytes), type(s)
    return s.decode("ascii")


def test_create_virtual_mfa_device_shape(iam, account_id, uniq):
    name = uniq("dev")
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, Path="/team/",
                                        Tags=[{"Key": "k", "Value": "v"}])["VirtualMFADevice"]
    assert dev["SerialNumber"] == f"arn:aws:iam::{account_id}:mfa/team/{name}"
    seed = _seed_text(dev)
    raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
    assert len(raw) >= 10, "RFC 4226 asks for at least 128 bits; AWS seeds are 40 Base32 chars"
    png = dev["QRCodePNG"]
    assert png.startswith(PNG_MAGIC), png[:16]
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and width >= 21  # a QR code is square, at least version 1
    assert dev.get("Tags") in (None, [{"Key": "k", "Value": "v"}])
    # The seed is shown once: listing never returns it.
    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    mine = [d for d in listed if d["SerialNumber"] == dev["SerialNumber"]]
    assert len(mine) == 1
    assert "Base32StringSeed" not in mine[0] and "QRCodePNG" not in mine[0]
    assert "User" not in mine[0]


def test_create_duplicate_name_conflicts(iam, uniq):
    name = uniq("dev")
    iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
    expect("EntityAlreadyExists", 409, iam.create_virtual_mfa_device, VirtualMFADeviceName=name)


def test_seeds_are_distinct(iam, uniq):
    a = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("dev"))["VirtualMFADevice"]
    b = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("dev"))["VirtualMFADevice"]
    assert a["Base32StringSeed"] != b["Base32StringSeed"]


def test_enable_with_two_consecutive_codes(iam, user, account_id, uniq):
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("dev"))["VirtualMFADevice"]
    serial, seed = dev["SerialNumber"], _seed_text(dev)
    t = quiet_step()
    # Wrong codes, the same code twice, reversed order and a gap are all refused.
    bad = [("000000", "111111"), (totp(seed, t), totp(seed, t)),
           (totp(seed, t), totp(seed, t - 1)), (totp(seed, t - 1), totp(seed, t + 1))]
    for c1, c2 in bad:
        if (c1, c2) == ("000000", "111111") and totp(seed, t) in (c1, c2):
            continue  # 1 in a million
        expect("InvalidAuthenticationCode", 403, iam.enable_mfa_device, UserName=user,
               SerialNumber=serial, AuthenticationCode1=c1, AuthenticationCode2=c2)
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []

    iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                          AuthenticationCode1=totp(seed, t - 1), AuthenticationCode2=totp(seed, t))
    devices = iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert len(devices) == 1
    assert devices[0]["UserName"] == user and devices[0]["SerialNumber"] == serial
    assert recent(devices[0]["EnableDate"])

    got = iam.get_mfa_device(SerialNumber=serial, UserName=user)
    assert got["SerialNumber"] == serial and got["UserName"] == user
    assert recent(got["EnableDate"])

    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    mine = [d for d in assigned if d["SerialNumber"] == serial]
    assert len(mine) == 1
    assert mine[0]["User"]["UserName"] == user
    assert mine[0]["User"]["Arn"] == f"arn:aws:iam::{account_id}:user/{user}"
    assert recent(mine[0]["EnableDate"])
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert serial not in [d["SerialNumber"] for d in unassigned]
    any_ = iam.list_virtual_mfa_devices(AssignmentStatus="Any")["VirtualMFADevices"]
    assert serial in [d["SerialNumber"] for d in any_]
    default = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert serial in [d["SerialNumber"] for d in default]


def test_enable_refuses_a_device_already_in_use(iam, user, uniq):
    mfa = enable_virtual_mfa(iam, user)
    other = uniq("mfau")
    iam.create_user(UserName=other)
    t = mfa.next_step
    with pytest.raises(ClientError) as ei:
        iam.enable_mfa_device(UserName=other, SerialNumber=mfa.serial,
                              AuthenticationCode1=totp(mfa.seed, t), AuthenticationCode2=totp(mfa.seed, t + 1))
    code = ei.value.response["Error"]["Code"]
    assert code in ("EntityAlreadyExists", "InvalidAuthenticationCode"), ei.value.response
    assert iam.list_mfa_devices(UserName=other)["MFADevices"] == []


def test_enable_unknown_user_or_device(iam, user, account_id, uniq):
    t = quiet_step()
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("dev"))["VirtualMFADevice"]
    seed = _seed_text(dev)
    expect("NoSuchEntity", 404, iam.enable_mfa_device, UserName=uniq("ghost"), SerialNumber=dev["SerialNumber"],
           AuthenticationCode1=totp(seed, t - 1), AuthenticationCode2=totp(seed, t))
    expect("NoSuchEntity", 404, iam.enable_mfa_device, UserName=user,
           SerialNumber=f"arn:aws:iam::{account_id}:mfa/{uniq('none')}",
           AuthenticationCode1="123456", AuthenticationCode2="654321")


def test_used_codes_are_refused_and_resync(iam, user):
    mfa = enable_virtual_mfa(iam, user)
    t = mfa.next_step - 1  # the step of the second enabling code
    # The codes that enabled the device cannot be replayed to resync it.
    expect("InvalidAuthenticationCode", 403, iam.resync_mfa_device, UserName=user, SerialNumber=mfa.serial,
           AuthenticationCode1=totp(mfa.seed, t - 1), AuthenticationCode2=totp(mfa.seed, t))
    expect("InvalidAuthenticationCode", 403, iam.resync_mfa_device, UserName=user, SerialNumber=mfa.serial,
           AuthenticationCode1="000000", AuthenticationCode2="000000")
    # Two fresh consecutive codes resynchronize it...
    iam.resync_mfa_device(UserName=user, SerialNumber=mfa.serial,
                          AuthenticationCode1=totp(mfa.seed, t + 1), AuthenticationCode2=totp(mfa.seed, t + 2))
    # ...once: the same pair again is a replay.
    expect("InvalidAuthenticationCode", 403, iam.resync_mfa_device, UserName=user, SerialNumber=mfa.serial,
           AuthenticationCode1=totp(mfa.seed, t + 1), AuthenticationCode2=totp(mfa.seed, t + 2))
    assert len(iam.list_mfa_devices(UserName=user)["MFADevices"]) == 1


def test_resync_with_a_drifted_clock(iam, user):
    """A device whose clock runs several steps ahead is brought back with ResyncMFADevice."""
    mfa = enable_virtual_mfa(iam, user)
    t = mfa.next_step - 1
    ahead = t + 6
    iam.resync_mfa_device(UserName=user, SerialNumber=mfa.serial,
                          AuthenticationCode1=totp(mfa.seed, ahead), AuthenticationCode2=totp(mfa.seed, ahead + 1))


def test_resync_unknown(iam, user, account_id, uniq):
    expect("NoSuchEntity", 404, iam.resync_mfa_device, UserName=user,
           SerialNumber=f"arn:aws:iam::{account_id}:mfa/{uniq('none')}",
           AuthenticationCode1="123456", AuthenticationCode2="654321")


def test_deactivate_and_delete(iam, user, uniq):
    mfa = enable_virtual_mfa(iam, user)
    # An enabled device cannot be deleted, nor its user.
    expect("DeleteConflict", 409, iam.delete_virtual_mfa_device, SerialNumber=mfa.serial)
    expect("DeleteConflict", 409, iam.delete_user, UserName=user)

    iam.deactivate_mfa_device(UserName=user, SerialNumber=mfa.serial)
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert mfa.serial in [d["SerialNumber"] for d in unassigned]
    expect("NoSuchEntity", 404, iam.deactivate_mfa_device, UserName=user, SerialNumber=mfa.serial)

    iam.delete_virtual_mfa_device(SerialNumber=mfa.serial)
    anyd = iam.list_virtual_mfa_devices(AssignmentStatus="Any")["VirtualMFADevices"]
    assert mfa.serial not in [d["SerialNumber"] for d in anyd]
    expect("NoSuchEntity", 404, iam.delete_virtual_mfa_device, SerialNumber=mfa.serial)
    expect("NoSuchEntity", 404, iam.get_mfa_device, SerialNumber=mfa.serial)
    iam.delete_user(UserName=user)


def test_mfa_device_tags(iam, uniq):
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("dev"),
                                           Tags=[{"Key": "a", "Value": "1"}])["VirtualMFADevice"]["SerialNumber"]
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "a", "Value": "1"}]
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "9"}])
    tags = {t["Key"]: t["Value"] for t in iam.list_mfa_device_tags(SerialNumber=serial)["Tags"]}
    assert tags == {"a": "9", "b": "2"}
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["a"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "b", "Value": "2"}]
    listed = [d for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"] if d["SerialNumber"] == serial]
    assert listed and listed[0].get("Tags", [{"Key": "b", "Value": "2"}]) == [{"Key": "b", "Value": "2"}]
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    expect("NoSuchEntity", 404, iam.list_mfa_device_tags, SerialNumber=serial)


def test_user_without_permission_cannot_manage_mfa(principal, uniq):
    p = principal()
    expect("AccessDenied", 403, p.iam.create_virtual_mfa_device, VirtualMFADeviceName=uniq("dev"))
    expect("AccessDenied", 403, p.iam.list_virtual_mfa_devices)


def test_user_manages_own_mfa_with_self_service_policy(principal, iam, account_id, uniq):
    """AWS's example policy: users may create and enable an MFA device for themselves only."""
    name = uniq("self")
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
         "Resource": "arn:aws:iam::*:mfa/${aws:username}"},
        {"Effect": "Allow", "Action": ["iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
         "Resource": "arn:aws:iam::*:user/${aws:username}"}]}
    p = principal(name, inline={"mfa": doc})
    dev = p.iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    expect("AccessDenied", 403, p.iam.create_virtual_mfa_device, VirtualMFADeviceName=uniq("other"))
    seed = _seed_text(dev)
    t = quiet_step()
    other = uniq("victim")
    iam.create_user(UserName=other)
    expect("AccessDenied", 403, p.iam.enable_mfa_device, UserName=other, SerialNumber=dev["SerialNumber"],
           AuthenticationCode1=totp(seed, t - 1), AuthenticationCode2=totp(seed, t))
    p.iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                            AuthenticationCode1=totp(seed, t - 1), AuthenticationCode2=totp(seed, t))
    assert [d["SerialNumber"] for d in p.iam.list_mfa_devices()["MFADevices"]] == [dev["SerialNumber"]]


def test_cli_bootstrap_and_enable(server, iam, tmp_path, uniq):
    """`aws iam create-virtual-mfa-device --bootstrap-method Base32StringSeed` writes the seed
    to a file; the codes computed from it enable the device."""
    user, name = uniq("cliu"), uniq("clidev")
    iam.create_user(UserName=user)
    seed_file = tmp_path / "seed.txt"
    r = server.cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
                   "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")
    assert r.rc == 0, r
    serial = r.json["VirtualMFADevice"]["SerialNumber"]
    seed = seed_file.read_text().strip()
    base64.b32decode(seed + "=" * (-len(seed) % 8))
    png_file = tmp_path / "qr.png"
    r = server.cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", uniq("clidev"),
                   "--outfile", str(png_file), "--bootstrap-method", "QRCodePNG")
    assert r.rc == 0, r
    assert png_file.read_bytes().startswith(PNG_MAGIC)
    t = quiet_step()
    r = server.cli("iam", "enable-mfa-device", "--user-name", user, "--serial-number", serial,
                   "--authentication-code1", totp(seed, t - 1), "--authentication-code2", totp(seed, t))
    assert r.rc == 0, r
    r = server.cli("iam", "list-mfa-devices", "--user-name", user)
    assert r.rc == 0 and [d["SerialNumber"] for d in r.json["MFADevices"]] == [serial], r
    r = server.cli("iam", "resync-mfa-device", "--user-name", user, "--serial-number", serial,
                   "--authentication-code1", totp(seed, t - 1), "--authentication-code2", totp(seed, t))
    assert r.rc != 0 and "InvalidAuthenticationCode" in r.stderr, r
