"""Terraform (hashicorp/aws 5.100.0 from a local filesystem mirror) against a dedicated iamd:
init offline, apply terraform/main.tf, plan again with zero changes, destroy, nothing left.

Skips when `terraform` is not on PATH or no `tf-plugins` mirror with hashicorp/aws is found at
depth <= 2 under / (the layout of `terraform providers mirror`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROVIDER = "registry.terraform.io/hashicorp/aws"


def find_mirror() -> Path | None:
    candidates = [Path("/tf-plugins")]
    try:
        candidates += [d / "tf-plugins" for d in sorted(Path("/").iterdir()) if d.is_dir()]
    except OSError:
        pass
    for c in candidates:
        try:
            if (c / PROVIDER).is_dir():
                return c
        except OSError:
            continue
    return None


def not_implemented(output: str) -> list[str]:
    """Operations iamd answered with 501 NotImplemented, as named in terraform's errors."""
    ops = set(re.findall(r"iamd does not implement (\w+)", output))
    ops |= set(re.findall(r"operation error IAM: (\w+), https response error StatusCode: 501", output))
    return sorted(ops)


@pytest.fixture
def tf(tmp_path, server_factory):
    exe = shutil.which("terraform")
    if not exe:
        pytest.skip("terraform is not installed (not on PATH)")
    mirror = find_mirror()
    if mirror is None:
        pytest.skip(f"no provider mirror: no tf-plugins directory with {PROVIDER} at depth <= 2 under /")

    server = server_factory("tf")
    work = tmp_path / "tf"
    work.mkdir()
    shutil.copy(HERE / "terraform" / "main.tf", work / "main.tf")
    rc = tmp_path / "terraform.rc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{PROVIDER}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER}"]\n  }}\n'
        "}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        TF_CLI_CONFIG_FILE=str(rc),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        TF_VAR_endpoint=server.endpoint,
        TF_VAR_access_key=server.access_key,
        TF_VAR_secret_key=server.secret_key,
        TF_VAR_prefix="tfc",
    )

    def run(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
        return subprocess.run([exe, *args, "-no-color"] if args[0] != "output" else [exe, *args],
                              cwd=work, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    run.server = server
    return run


def show(p: subprocess.CompletedProcess) -> str:
    out = (p.stdout + "\n" + p.stderr)
    missing = not_implemented(out)
    head = f"rc={p.returncode}; operations answered 501 NotImplemented: {missing}\n" if missing else f"rc={p.returncode}\n"
    return head + out[-6000:]


def test_terraform_apply_plan_destroy(tf):
    iam = tf.server.iam

    p = tf("init", "-input=false")
    assert p.returncode == 0, show(p)

    p = tf("apply", "-auto-approve", "-input=false")
    assert p.returncode == 0, show(p)

    out = tf("output", "-json")
    assert out.returncode == 0, show(out)
    o = {k: v["value"] for k, v in json.loads(out.stdout).items()}
    account = tf.server.sts.get_caller_identity()["Account"]
    assert o["account_id"] == account
    assert o["alice_arn"] == f"arn:aws:iam::{account}:user/eng/tfc-alice"
    assert o["role_arn"] == f"arn:aws:iam::{account}:role/svc/tfc-app"
    assert o["profile_arn"] == f"arn:aws:iam::{account}:instance-profile/svc/tfc-app-profile"
    assert o["policy_arn"] == f"arn:aws:iam::{account}:policy/team/tfc-read-users"

    # What terraform made is what root sees.
    alice = iam.get_user(UserName="tfc-alice")["User"]
    assert {t["Key"]: t["Value"] for t in alice["Tags"]} == {"team": "core", "env": "test"}
    assert sorted(u["UserName"] for u in iam.get_group(GroupName="tfc-devs")["Users"]) == ["tfc-alice", "tfc-bob"]
    assert sorted(g["GroupName"] for g in iam.list_groups_for_user(UserName="tfc-bob")["Groups"]) == ["tfc-devs", "tfc-ops"]
    prof = iam.get_instance_profile(InstanceProfileName="tfc-app-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in prof["Roles"]] == ["tfc-app"]
    assert iam.get_role(RoleName="tfc-app")["Role"]["MaxSessionDuration"] == 7200
    assert iam.get_policy(PolicyArn=o["policy_arn"])["Policy"]["AttachmentCount"] == 3
    assert iam.list_role_policies(RoleName="tfc-app")["PolicyNames"] == ["app-inline"]
    assert [a["PolicyArn"] for a in iam.list_attached_user_policies(UserName="tfc-bob")["AttachedPolicies"]] == \
        ["arn:aws:iam::aws:policy/IAMReadOnlyAccess"]

    # AWS managed policies, found by ARN and by name, and attached.
    basic = o["lambda_basic"]
    assert basic["arn"] == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert basic["path"] == "/service-role/"
    assert basic["policy_id"] == iam.get_policy(PolicyArn=basic["arn"])["Policy"]["PolicyId"]
    assert "logs:CreateLogGroup" in json.loads(basic["policy"])["Statement"][0]["Action"]
    assert o["lambda_execute_arn"] == "arn:aws:iam::aws:policy/AWSLambdaExecute"
    assert sorted(a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName="tfc-app")["AttachedPolicies"]) == \
        sorted([o["policy_arn"], basic["arn"], o["lambda_execute_arn"]])

    # The access key terraform made signs as alice, and her policies apply.
    sec = tf("output", "-raw", "alice_secret")
    assert sec.returncode == 0, show(sec)
    as_alice = tf.server.client("iam", o["alice_key_id"], sec.stdout.strip())
    assert [k["AccessKeyId"] for k in as_alice.list_access_keys()["AccessKeyMetadata"]] == [o["alice_key_id"]]
    as_alice.list_users()

    # The signing certificate's body is kept byte for byte (trailing newline included), and the
    # SSH keys in both encodings are there.
    certs = iam.list_signing_certificates(UserName="tfc-carol")["Certificates"]
    assert [c["CertificateBody"] for c in certs] == [(HERE.parents[1] / "crates/certs/testdata/rsa2048.crt").read_text()]
    keys = iam.list_ssh_public_keys(UserName="tfc-carol")["SSHPublicKeys"]
    assert sorted(k["Status"] for k in keys) == ["Active", "Active", "Inactive"]

    # Zero drift: a second plan finds nothing to change.
    p = tf("plan", "-detailed-exitcode", "-input=false")
    assert p.returncode == 0, "plan after apply is not empty (drift):\n" + show(p)

    p = tf("destroy", "-auto-approve", "-input=false")
    assert p.returncode == 0, show(p)
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
