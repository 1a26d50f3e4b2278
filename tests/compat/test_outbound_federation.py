"""Outbound web identity federation with boto3, the aws CLI and PyJWT: enable/disable/info,
sts:GetWebIdentityToken (RS256 and ES384), and the issuer's discovery document and JWKS as an
outside service fetches them to verify the token."""

from __future__ import annotations

import json
import re

import jwt
import pytest
import requests

from iamd_harness import allow, expect, policy_doc


@pytest.fixture
def server_ofed(server_factory, uniq):
    return server_factory(uniq("ofed"))


def _issuer_id(issuer: str) -> str:
    m = re.fullmatch(r"https://([0-9a-f-]{36})\.tokens\.sts\.global\.api\.aws", issuer)
    assert m, issuer
    return m.group(1)


def test_enable_token_and_verify_with_pyjwt(server_ofed):
    srv = server_ofed
    iam, sts = srv.iam, srv.sts
    expect("FeatureDisabled", 404, iam.get_outbound_web_identity_federation_info)
    expect("OutboundWebIdentityFederationDisabledException", 403, sts.get_web_identity_token,
           Audience=["https://rp.example"], SigningAlgorithm="RS256")
    issuer = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    iid = _issuer_id(issuer)
    expect("FeatureEnabled", 409, iam.enable_outbound_web_identity_federation)
    info = iam.get_outbound_web_identity_federation_info()
    assert info == {**info, "IssuerIdentifier": issuer, "JwtVendingEnabled": True}

    base = f"{srv.endpoint.rstrip('/')}/_iamd/outbound/{iid}/.well-known"
    disco = requests.get(f"{base}/openid-configuration", timeout=10).json()
    assert disco["issuer"] == issuer
    assert set(disco["id_token_signing_alg_values_supported"]) == {"RS256", "ES384"}
    jwks = requests.get(disco["jwks_uri"], timeout=10).json()
    assert sorted(k["kty"] for k in jwks["keys"]) == ["EC", "RSA"]
    assert all("d" not in k for k in jwks["keys"]), "only public keys are published"
    assert requests.get(f"{srv.endpoint.rstrip('/')}/_iamd/outbound/nope/.well-known/jwks.json", timeout=10).status_code == 404

    client = jwt.PyJWKClient(disco["jwks_uri"])
    caller = sts.get_caller_identity()["Arn"]
    for alg in ("RS256", "ES384"):
        out = sts.get_web_identity_token(Audience=["https://rp.example"], SigningAlgorithm=alg,
                                         DurationSeconds=120, Tags=[{"Key": "team", "Value": "core"}])
        token = out["WebIdentityToken"]
        key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=[alg], audience="https://rp.example", issuer=issuer)
        assert claims["sub"] == caller
        assert claims["exp"] - claims["iat"] == 120
        assert claims["https://sts.amazonaws.com/"]["request_tags"] == {"team": "core"}
        # A token whose signature is altered does not verify.
        head, body, sig = token.split(".")
        bad = f"{head}.{body}.{sig[:-4]}AAAA"
        with pytest.raises(jwt.InvalidTokenError):
            jwt.decode(bad, key.key, algorithms=[alg], audience="https://rp.example", issuer=issuer)

    out = srv.cli("iam", "disable-outbound-web-identity-federation")
    assert out.rc == 0, out
    assert iam.get_outbound_web_identity_federation_info()["JwtVendingEnabled"] is False
    expect("OutboundWebIdentityFederationDisabledException", 403, sts.get_web_identity_token,
           Audience=["https://rp.example"], SigningAlgorithm="RS256")
    expect("FeatureDisabled", 404, iam.disable_outbound_web_identity_federation)
    # Re-enabling keeps the issuer.
    assert iam.enable_outbound_web_identity_federation()["IssuerIdentifier"] == issuer


def test_permissions_and_session_limits(server_ofed):
    srv = server_ofed
    srv.iam.enable_outbound_web_identity_federation()
    from iamd_harness import make_principal
    no = make_principal(srv)
    expect("AccessDenied", 403, no.client("sts").get_web_identity_token,
           Audience=["https://rp.example"], SigningAlgorithm="ES384")
    yes = make_principal(srv, inline={"p": policy_doc(allow(["sts:GetWebIdentityToken", "sts:AssumeRole"]))})
    yes.client("sts").get_web_identity_token(Audience=["https://rp.example"], SigningAlgorithm="ES384")
    # A role session of 15 minutes cannot get a token that outlives it.
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": yes.arn}, "Action": "sts:AssumeRole"}]}
    role = srv.iam.create_role(RoleName="ofed-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    srv.iam.put_role_policy(RoleName="ofed-role", PolicyName="p",
                            PolicyDocument=policy_doc(allow("sts:GetWebIdentityToken")))
    c = yes.client("sts").assume_role(RoleArn=role, RoleSessionName="short", DurationSeconds=900)["Credentials"]
    import boto3
    s = boto3.client("sts", endpoint_url=srv.endpoint, region_name="us-east-1",
                     aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                     aws_session_token=c["SessionToken"])
    tok = s.get_web_identity_token(Audience=["https://rp.example"], SigningAlgorithm="RS256", DurationSeconds=600)
    assert jwt.decode(tok["WebIdentityToken"], options={"verify_signature": False})["sub"].endswith(
        ":assumed-role/ofed-role/short")
    expect("SessionDurationEscalationException", 403, s.get_web_identity_token,
           Audience=["https://rp.example"], SigningAlgorithm="RS256", DurationSeconds=3600)
    expect("ValidationError", 400, yes.client("sts").get_web_identity_token,
           Audience=["https://rp.example"], SigningAlgorithm="HS256")
