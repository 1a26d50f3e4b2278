"""Terraform (hashicorp/aws 5.100.0 from the local mirror) with issue 14's resources: apply
terraform_ops/main.tf, plan with zero changes, destroy. The force_destroy user is given every
kind of credential outside terraform first; destroy must remove them all.

Skips as test_terraform.py does when terraform or the provider mirror is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_terraform import PROVIDER, find_mirror, show

HERE = Path(__file__).resolve().parent


@pytest.fixture
def tf(tmp_path, server_factory):
    exe = shutil.which("terraform")
    if not exe:
        pytest.skip("terraform is not installed (not on PATH)")
    mirror = find_mirror()
    if mirror is None:
        pytest.skip(f"no provider mirror: no tf-plugins directory with {PROVIDER} at depth <= 2 under /")
    server = server_factory("tfops")
    work = tmp_path / "tf"
    work.mkdir()
    shutil.copy(HERE / "terraform_ops" / "main.tf", work / "main.tf")
    from saml_idp import SamlIdp
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(SamlIdp().metadata())
    rc = tmp_path / "terraform.rc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{PROVIDER}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER}"]\n  }}\n'
        "}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(
        TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
        AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true", TF_VAR_endpoint=server.endpoint,
        TF_VAR_access_key=server.access_key, TF_VAR_secret_key=server.secret_key, TF_VAR_prefix="tfo",
        TF_VAR_saml_metadata_file=str(metadata),
    )

    def run(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
        argv = [exe, *args] if args[0] == "output" else [exe, *args, "-no-color"]
        return subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    run.server = server
    return run


def give_every_credential(server, user: str) -> None:
    iam = server.iam
    iam.create_access_key(UserName=user)
    iam.create_login_profile(UserName=user, Password="Aa1!" + "x" * 20)
    cert = (HERE.parents[1] / "crates/certs/testdata/rsa2048.crt").read_text()
    iam.upload_signing_certificate(UserName=user, CertificateBody=cert)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                        serialization.PublicFormat.OpenSSH).decode()
    iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pub)
    iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
    iam.create_service_specific_credential(UserName=user, ServiceName="bedrock.amazonaws.com")
    from iamd_harness import enable_virtual_mfa
    enable_virtual_mfa(iam, user, user + "-mfa")
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def test_terraform_issue14_resources(tf):
    iam = tf.server.iam
    p = tf("init", "-input=false")
    assert p.returncode == 0, show(p)
    p = tf("apply", "-auto-approve", "-input=false")
    assert p.returncode == 0, show(p)

    out = tf("output", "-json")
    assert out.returncode == 0, show(out)
    o = {k: v["value"] for k, v in json.loads(out.stdout).items()}
    account = tf.server.sts.get_caller_identity()["Account"]
    assert o["elb_role_arn"] == (f"arn:aws:iam::{account}:role/aws-service-role/"
                                 "elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing")
    assert o["saml_arn"] == f"arn:aws:iam::{account}:saml-provider/tfo-corp"
    saml = iam.get_saml_provider(SAMLProviderArn=o["saml_arn"])
    assert saml["Tags"] == [{"Key": "team", "Value": "identity"}]
    assert o["saml_valid_until"].startswith(str(saml["ValidUntil"].year))
    assert o["asg_role_name"] == "AWSServiceRoleForAutoScaling_tfofleet"
    asg = iam.get_role(RoleName="AWSServiceRoleForAutoScaling_tfofleet")["Role"]
    assert asg["Description"] == "Auto Scaling for the tfo fleet"
    assert {t["Key"]: t["Value"] for t in asg.get("Tags", [])} == {"team": "core"}
    assert o["git_user_name"] == f"tfo-dev-at-{account}"
    creds = iam.list_service_specific_credentials(UserName="tfo-dev")["ServiceSpecificCredentials"]
    assert sorted((c["ServiceName"], c["Status"]) for c in creds) == [
        ("cassandra.amazonaws.com", "Inactive"), ("codecommit.amazonaws.com", "Active")]
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2

    p = tf("plan", "-detailed-exitcode", "-input=false")
    assert p.returncode == 0, "plan after apply is not empty (drift):\n" + show(p)

    give_every_credential(tf.server, "tfo-holder")

    p = tf("destroy", "-auto-approve", "-input=false")
    assert p.returncode == 0, show(p)
    assert iam.list_users()["Users"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    assert iam.list_saml_providers()["SAMLProviderList"] == []
