"""SAML 2.0 federation with boto3 and the aws CLI: SAML providers (metadata validated, tags,
private keys) and AssumeRoleWithSAML with responses signed at test time by `saml_idp.SamlIdp`
(signxml): over the assertion or the response, and tampered, wrapped, expired, wrong-audience,
wrong-key and replayed ones refused."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from iamd_harness import expect
from saml_idp import ATTR, SamlIdp, b64


@pytest.fixture(scope="module")
def idp():
    return SamlIdp()


@pytest.fixture
def provider(iam, idp, uniq):
    name = uniq("idp")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=idp.metadata())["SAMLProviderArn"]
    yield name, arn
    iam.delete_saml_provider(SAMLProviderArn=arn)


@pytest.fixture
def unsigned_sts(server):
    return boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))


def _role(iam, uniq, provider_arn, conditions=None):
    name = uniq("samlrole")
    stmt = {"Effect": "Allow", "Principal": {"Federated": provider_arn},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"],
            "Condition": conditions or {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [stmt]}))["Role"]["Arn"]
    return name, arn


def _attrs(role_arn, provider_arn, **extra):
    a = {ATTR + "Role": [f"{role_arn},{provider_arn}"], ATTR + "RoleSessionName": ["alice"]}
    for k, v in extra.items():
        a[ATTR + k] = v if isinstance(v, list) else [v]
    return a


def test_provider_lifecycle(iam, idp, uniq, account_id):
    name = uniq("idp")
    created = iam.create_saml_provider(Name=name, SAMLMetadataDocument=idp.metadata(),
                                       Tags=[{"Key": "team", "Value": "id"}])
    arn = created["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{account_id}:saml-provider/{name}"
    assert created["Tags"] == [{"Key": "team", "Value": "id"}]
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == idp.metadata()
    assert re.fullmatch(r"[A-Z0-9]{22,64}", got["SAMLProviderUUID"])
    assert got["ValidUntil"] > got["CreateDate"]
    listed = [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"] == arn]
    assert len(listed) == 1 and listed[0]["ValidUntil"] == got["ValidUntil"]
    expect("EntityAlreadyExists", 409, iam.create_saml_provider, Name=name, SAMLMetadataDocument=idp.metadata())

    until = datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=idp.metadata(valid_until=until))
    assert iam.get_saml_provider(SAMLProviderArn=arn)["ValidUntil"] == until

    iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=idp.key_pem.decode(),
                             AssertionEncryptionMode="Allowed")
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Allowed"
    [k] = got["PrivateKeyList"]
    assert re.fullmatch(r"[A-Z0-9]{22,64}", k["KeyId"])
    assert "PRIVATE" not in json.dumps(got, default=str)
    iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=k["KeyId"])
    assert "PrivateKeyList" not in iam.get_saml_provider(SAMLProviderArn=arn)
    expect("InvalidInput", 400, iam.update_saml_provider, SAMLProviderArn=arn, AddPrivateKey="not a key")

    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "t"}])
    tags = iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"]
    assert sorted(t["Key"] for t in tags) == ["env", "team"]
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["team"])
    assert [t["Key"] for t in iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"]] == ["env"]

    iam.delete_saml_provider(SAMLProviderArn=arn)
    e = expect("NoSuchEntity", 404, iam.get_saml_provider, SAMLProviderArn=arn)
    assert arn in e.response["Error"]["Message"]
    summary = iam.get_account_summary()["SummaryMap"]
    assert "Providers" in summary


def test_invalid_metadata_is_refused(iam, idp, uniq):
    bad = idp.metadata().replace("entityID=", "notEntityID=")
    expect("InvalidInput", 400, iam.create_saml_provider, Name=uniq("idp"), SAMLMetadataDocument=bad)
    nocert = re.sub(r"<md:KeyDescriptor.*?</md:KeyDescriptor>", "", idp.metadata()) + " " * 1000
    expect("InvalidInput", 400, iam.create_saml_provider, Name=uniq("idp"), SAMLMetadataDocument=nocert)
    dtd = '<!DOCTYPE x [<!ENTITY e "boom">]>' + idp.metadata().split("\n", 1)[1]
    expect("InvalidInput", 400, iam.create_saml_provider, Name=uniq("idp"), SAMLMetadataDocument=dtd)


@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_assume_role_with_saml(iam, idp, provider, unsigned_sts, uniq, account_id, server, sign):
    pname, parn = provider
    rname, rarn = _role(iam, uniq, parn)
    resp = idp.response(sign=sign, attributes=_attrs(
        rarn, parn, SessionDuration="1800", SourceIdentity="alice-src",
        **{"PrincipalTag:dept": "eng", "TransitiveTagKeys": ["dept"]}))
    out = unsigned_sts.assume_role_with_saml(RoleArn=rarn, PrincipalArn=parn, SAMLAssertion=resp)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{rname}/alice"
    assert out["Subject"] == "alice@example.test"
    assert out["SubjectType"] == "persistent"
    assert out["Issuer"] == idp.entity_id
    assert out["Audience"] == "https://signin.aws.amazon.com/saml"
    expected_q = base64.b64encode(hashlib.sha1(f"{idp.entity_id}{account_id}/{pname}".encode()).digest()).decode()
    assert out["NameQualifier"] == expected_q
    assert out["SourceIdentity"] == "alice-src"
    c = out["Credentials"]
    lifetime = (c["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 1700 < lifetime <= 1800
    who = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                       aws_session_token=c["SessionToken"]).get_caller_identity()
    assert who["Arn"] == out["AssumedRoleUser"]["Arn"]
    # The same assertion again is a replay.
    expect("InvalidIdentityToken", 400, unsigned_sts.assume_role_with_saml,
           RoleArn=rarn, PrincipalArn=parn, SAMLAssertion=resp)


def test_refused_assertions(iam, idp, provider, unsigned_sts, uniq):
    _, parn = provider
    _, rarn = _role(iam, uniq, parn)
    call = lambda r: unsigned_sts.assume_role_with_saml(RoleArn=rarn, PrincipalArn=parn, SAMLAssertion=r)  # noqa: E731
    attrs = _attrs(rarn, parn)
    now = datetime.datetime.now(datetime.timezone.utc)

    # Tampered after signing: the subject changes, the digest no longer matches.
    good = idp.response_xml(idp.sign_assertion(idp.assertion_xml(attributes=attrs)))
    expect("InvalidIdentityToken", 400, call, b64(good.replace("alice@example.test", "mallory@example.test")))

    # Wrapped: the signed assertion hidden in Extensions, an evil unsigned one in its place.
    signed = idp.sign_assertion(idp.assertion_xml(attributes=attrs))
    evil = idp.assertion_xml(attributes=attrs, subject="mallory@example.test").replace(
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>', "")
    wrapped = idp.response_xml(evil).replace(
        "<samlp:Status>", f"<samlp:Extensions>{signed}</samlp:Extensions><samlp:Status>")
    expect("InvalidIdentityToken", 400, call, b64(wrapped))
    # Wrapped with the evil copy reusing the signed one's ID.
    aid = re.search(r'ID="([^"]+)"', signed).group(1)
    evil_same_id = evil.replace(re.search(r'ID="([^"]+)"', evil).group(0), f'ID="{aid}"')
    expect("InvalidIdentityToken", 400, call, b64(idp.response_xml(evil_same_id).replace(
        "<samlp:Status>", f"<samlp:Extensions>{signed}</samlp:Extensions><samlp:Status>")))
    # Unsigned altogether.
    expect("InvalidIdentityToken", 400, call, b64(idp.response_xml(evil)))

    # Expired, not yet valid, wrong audience, wrong recipient, wrong issuer, another key.
    expect("ExpiredTokenException", 400, call, idp.response(
        attributes=attrs, not_before=now - datetime.timedelta(hours=2),
        not_on_or_after=now - datetime.timedelta(hours=1)))
    expect("InvalidIdentityToken", 400, call, idp.response(
        attributes=attrs, not_before=now + datetime.timedelta(hours=1),
        not_on_or_after=now + datetime.timedelta(hours=2)))
    expect("InvalidIdentityToken", 400, call, idp.response(attributes=attrs, audience="https://other.example/saml"))
    expect("InvalidIdentityToken", 400, call, idp.response(attributes=attrs, recipient="https://other.example/acs"))
    expect("InvalidIdentityToken", 400, call, idp.response(attributes=attrs, issuer="https://evil.example/idp"))
    other = SamlIdp(entity_id=idp.entity_id)
    expect("InvalidIdentityToken", 400, call, other.response(attributes=attrs))
    # A Role attribute that does not pair this role with this provider.
    expect("AccessDenied", 403, call, idp.response(attributes=_attrs(
        rarn.replace("samlrole", "otherrole"), parn)))


def test_trust_policy_sees_saml_keys(iam, idp, provider, unsigned_sts, uniq):
    _, parn = provider
    _, rarn = _role(iam, uniq, parn, {"StringEquals": {"saml:sub": "bob@example.test",
                                                       "saml:sub_type": "persistent"}})
    ok = idp.response(attributes=_attrs(rarn, parn), subject="bob@example.test")
    unsigned_sts.assume_role_with_saml(RoleArn=rarn, PrincipalArn=parn, SAMLAssertion=ok)
    no = idp.response(attributes=_attrs(rarn, parn), subject="eve@example.test")
    expect("AccessDenied", 403, unsigned_sts.assume_role_with_saml, RoleArn=rarn, PrincipalArn=parn,
           SAMLAssertion=no)


def test_cli(server, iam, idp, uniq, tmp_path):
    name = uniq("idp")
    meta = tmp_path / "meta.xml"
    meta.write_text(idp.metadata())
    out = server.cli("iam", "create-saml-provider", "--name", name, "--saml-metadata-document", f"file://{meta}")
    assert out.rc == 0, out
    arn = out.json["SAMLProviderArn"]
    _, rarn = _role(iam, uniq, arn)
    resp = idp.response(attributes=_attrs(rarn, arn))
    out = server.cli("sts", "assume-role-with-saml", "--role-arn", rarn, "--principal-arn", arn,
                     "--saml-assertion", resp)
    assert out.rc == 0, out
    assert out.json["Subject"] == "alice@example.test"
    out = server.cli("iam", "delete-saml-provider", "--saml-provider-arn", arn)
    assert out.rc == 0, out


def test_encrypted_assertions(iam, idp, unsigned_sts, uniq):
    from saml_idp import encrypt_assertion
    sp = SamlIdp()  # only its key pair: the service provider's decryption key
    name = uniq("idp")
    parn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=idp.metadata(),
                                    AssertionEncryptionMode="Required",
                                    AddPrivateKey=sp.key_pem.decode())["SAMLProviderArn"]
    try:
        _, rarn = _role(iam, uniq, parn)
        call = lambda x: unsigned_sts.assume_role_with_saml(RoleArn=rarn, PrincipalArn=parn, SAMLAssertion=x)  # noqa: E731
        for sha256 in (False, True):
            signed = idp.sign_assertion(idp.assertion_xml(attributes=_attrs(rarn, parn)))
            enc = encrypt_assertion(signed, sp.key.public_key(), oaep_sha256=sha256)
            out = call(b64(idp.response_xml(enc)))
            assert out["Subject"] == "alice@example.test"
        # Required: a plain assertion is refused.
        expect("InvalidIdentityToken", 400, call, idp.response(attributes=_attrs(rarn, parn)))
        # Encrypted to another key, or altered in transit.
        signed = idp.sign_assertion(idp.assertion_xml(attributes=_attrs(rarn, parn)))
        other = encrypt_assertion(signed, SamlIdp().key.public_key())
        expect("InvalidIdentityToken", 400, call, b64(idp.response_xml(other)))
        enc = encrypt_assertion(signed, sp.key.public_key())
        cv = re.findall(r"<xenc:CipherValue>([^<]+)</xenc:CipherValue>", enc)[-1]
        raw = bytearray(base64.b64decode(cv))
        raw[20] ^= 1
        expect("InvalidIdentityToken", 400, call, b64(idp.response_xml(
            enc.replace(cv, base64.b64encode(bytes(raw)).decode()))))
        # Encrypted but unsigned inside: still refused.
        unsigned = idp.assertion_xml(attributes=_attrs(rarn, parn)).replace(
            '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>', "")
        expect("InvalidIdentityToken", 400, call, b64(idp.response_xml(
            encrypt_assertion(unsigned, sp.key.public_key()))))
    finally:
        iam.delete_saml_provider(SAMLProviderArn=parn)


def test_regional_sign_in_endpoint_is_an_audience(iam, idp, provider, unsigned_sts, uniq):
    _, parn = provider
    _, rarn = _role(iam, uniq, parn, {"StringLike": {"saml:aud": "https://*signin.aws.amazon.com/saml"}})
    regional = "https://us-east-1.signin.aws.amazon.com/saml"
    out = unsigned_sts.assume_role_with_saml(RoleArn=rarn, PrincipalArn=parn, SAMLAssertion=idp.response(
        attributes=_attrs(rarn, parn), audience=regional, recipient=regional))
    assert out["Audience"] == regional
    other = "https://eu-west-9.signin.aws.amazon.com/saml"
    expect("InvalidIdentityToken", 400, unsigned_sts.assume_role_with_saml, RoleArn=rarn, PrincipalArn=parn,
           SAMLAssertion=idp.response(attributes=_attrs(rarn, parn), audience=other, recipient=other))
