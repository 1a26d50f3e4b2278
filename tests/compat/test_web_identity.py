"""Web identity federation with boto3 and the aws CLI: the OpenID Connect provider operations and
their tags, and AssumeRoleWithWebIdentity with JWTs minted here by a small OIDC issuer on loopback
(discovery document + JWKS of an RSA key generated in the test, RS256 tokens from PyJWT).

Expectations are AWS's: IAM API Reference (CreateOpenIDConnectProvider and friends), STS API
Reference (AssumeRoleWithWebIdentity: InvalidIdentityToken 400, ExpiredTokenException 400,
AccessDenied 403), IAM User Guide "Create a role for OpenID Connect federation" and "Available
keys for OIDC federation" (`<provider>:aud`, `<provider>:sub`).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore
import boto3
import jwt
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from iamd_harness import REGION, access_denied, allow, expect, policy_doc, recent, temp_client, unique

THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
THUMB2 = "a" * 40


# ---- a tiny OIDC issuer ------------------------------------------------------------------------


def _b64u(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class OidcIssuer:
    """Serves /.well-known/openid-configuration and a JWKS on a free loopback port; mints tokens."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = unique("kid")
        self.hits: list[str] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                issuer.hits.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys",
                            "authorization_endpoint": issuer.url + "/auth",
                            "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/keys":
                    pub = issuer.key.public_key().public_numbers()
                    body = {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": issuer.kid,
                                      "n": _b64u(pub.n), "e": _b64u(pub.e)}]}
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def token(self, sub="user-1", aud="client-a", iss=None, exp_in=600, key=None, kid=None, **extra) -> str:
        now = int(time.time())
        claims = {"iss": iss or self.url, "sub": sub, "aud": aud, "iat": now - 5, "exp": now + exp_in, **extra}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def unsigned_sts(server):
    cfg = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client("sts", endpoint_url=server.endpoint, region_name=REGION, config=cfg)


@pytest.fixture(scope="module")
def issuer():
    i = OidcIssuer()
    yield i
    i.close()


@pytest.fixture(scope="module")
def federation(server, issuer):
    """A provider for the issuer (client-a) and a role trusting it for aud client-a, sub user-1."""
    iam = server.iam
    acct = server.sts.get_caller_identity()["Account"]
    arn = iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["client-a"],
                                              ThumbprintList=[THUMB])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{acct}:oidc-provider/{issuer.host}"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer.host}:aud": "client-a", f"{issuer.host}:sub": "user-1"}}}]}
    conditioned = True
    try:
        role = iam.create_role(RoleName=unique("webid"), AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    except ClientError:
        # test_trust_policy_accepts_oidc_condition_keys reports this; keep the other checks running.
        conditioned = False
        del trust["Statement"][0]["Condition"]
        role = iam.create_role(RoleName=unique("webid"), AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="read",
                        PolicyDocument=policy_doc(allow(["iam:ListRoles", "iam:GetRole"])))
    yield {"arn": arn, "role": role, "account": acct, "conditioned": conditioned}
    try:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    except ClientError:
        pass


def assume(server, role_arn, token, session="web-session", **kw):
    return unsigned_sts(server).assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName=session, WebIdentityToken=token, **kw)


def refused(server, role_arn, token) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as ei:
        assume(server, role_arn, token)
    e = ei.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"].get("Message", "")


# ---- OIDC provider operations ------------------------------------------------------------------


def test_oidc_provider_lifecycle(iam, account_id):
    host = f"{unique('idp')}.example.com"
    url = f"https://{host}/tenant"
    arn = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["c1", "c2"], ThumbprintList=[THUMB],
        Tags=[{"Key": "team", "Value": "core"}])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{account_id}:oidc-provider/{host}/tenant"
    expect("EntityAlreadyExists", 409, iam.create_open_id_connect_provider, Url=url, ClientIDList=["c1"],
           ThumbprintList=[THUMB])

    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == f"{host}/tenant"
    assert sorted(got["ClientIDList"]) == ["c1", "c2"]
    assert got["ThumbprintList"] == [THUMB]
    assert recent(got["CreateDate"])
    assert got["Tags"] == [{"Key": "team", "Value": "core"}]
    assert arn in [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="c3")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="c3")  # no-op
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="c1")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="nope")  # no-op
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert sorted(got["ClientIDList"]) == ["c2", "c3"]
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[THUMB2, THUMB])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == [THUMB2, THUMB]

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "test"), ("team", "core")]
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [
        {"Key": "env", "Value": "test"}]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    expect("NoSuchEntity", 404, iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
    expect("NoSuchEntity", 404, iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=arn)
    assert arn not in [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]


def test_oidc_provider_bad_input(iam, account_id):
    with pytest.raises(ClientError) as ei:
        iam.create_open_id_connect_provider(Url=f"https://{unique('x')}.example.com", ClientIDList=["c"],
                                            ThumbprintList=["not-a-thumbprint-of-40-hex-digits-zzzzzzz"])
    assert ei.value.response["Error"]["Code"] in ("ValidationError", "InvalidInput"), ei.value.response
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    expect("NoSuchEntity", 404, iam.get_open_id_connect_provider,
           OpenIDConnectProviderArn=f"arn:aws:iam::{account_id}:oidc-provider/{unique('none')}.example.com")


def test_oidc_provider_url_must_be_https_outside_loopback(iam):
    """AWS: "The URL must begin with https://" (loopback http:// is iamd's test affordance)."""
    with pytest.raises(ClientError) as ei:
        iam.create_open_id_connect_provider(Url=f"http://{unique('x')}.example.com", ClientIDList=["c"],
                                            ThumbprintList=[THUMB])
    assert ei.value.response["Error"]["Code"] in ("ValidationError", "InvalidInput"), ei.value.response
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_oidc_provider_operations_need_permission(iam, principal):
    p = principal()
    access_denied(p.iam.create_open_id_connect_provider, Url=f"https://{unique('d')}.example.com",
                  ClientIDList=["c"], ThumbprintList=[THUMB])
    access_denied(p.iam.list_open_id_connect_providers)


# ---- AssumeRoleWithWebIdentity -----------------------------------------------------------------


def test_assume_role_with_web_identity(server, iam, issuer, federation):
    role = federation["role"]
    resp = assume(server, role["Arn"], issuer.token(), session="alice-app", DurationSeconds=900)
    creds = resp["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert resp["SubjectFromWebIdentityToken"] == "user-1"
    assert resp["Audience"] == "client-a"
    assert resp["Provider"] in (federation["arn"], issuer.url, issuer.host), resp["Provider"]
    want = f"arn:aws:sts::{federation['account']}:assumed-role/{role['RoleName']}/alice-app"
    assert resp["AssumedRoleUser"]["Arn"] == want
    assert resp["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:alice-app"
    # The discovery document and the JWKS were really fetched from the issuer.
    assert "/.well-known/openid-configuration" in issuer.hits and "/keys" in issuer.hits

    s_sts = temp_client(server, creds, "sts")
    s_iam = temp_client(server, creds, "iam")
    ident = s_sts.get_caller_identity()
    assert ident["Arn"] == want and ident["Account"] == federation["account"]
    # Authorized by the role's policies, and only by them.
    assert s_iam.get_role(RoleName=role["RoleName"])["Role"]["Arn"] == role["Arn"]
    s_iam.list_roles(MaxItems=1)
    access_denied(s_iam.list_users)
    access_denied(s_iam.create_user, UserName=unique("nope"))


def test_web_identity_wrong_signature(server, issuer, federation):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(key=other))
    assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)
    # A key ID the issuer does not publish is refused too.
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(key=other, kid="unknown-kid"))
    assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)
    # And a token whose payload was changed after signing.
    h, p, s = issuer.token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    claims["exp"] += 3600
    p2 = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    code, status, msg = refused(server, federation["role"]["Arn"], f"{h}.{p2}.{s}")
    assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)


def test_web_identity_unsigned_token_refused(server, issuer, federation):
    now = int(time.time())
    tok = jwt.encode({"iss": issuer.url, "sub": "user-1", "aud": "client-a", "iat": now, "exp": now + 600},
                     None, algorithm="none")
    code, status, msg = refused(server, federation["role"]["Arn"], tok)
    assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)


def test_web_identity_wrong_audience(server, issuer, federation):
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(aud="client-b"))
    assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)


def test_web_identity_expired_and_not_yet_valid(server, issuer, federation):
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(exp_in=-120))
    assert (code, status) == ("ExpiredTokenException", 400), (code, status, msg)
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(nbf=int(time.time()) + 3600))
    assert code in ("InvalidIdentityToken", "ExpiredTokenException") and status == 400, (code, status, msg)


def need_conditions(federation):
    assert federation["conditioned"], ("the trust policy with the provider's :aud/:sub condition keys "
                                       "was refused by CreateRole (see test_trust_policy_accepts_oidc_condition_keys)")


def test_trust_policy_accepts_oidc_condition_keys(iam, account_id):
    """AWS names a provider's condition keys after its URL without the scheme: host, optional port and
    path, then `:aud`/`:sub` (e.g. EKS: `oidc.eks.REGION.amazonaws.com/id/ID:sub`)."""
    refused_hosts = {}
    for host in ("127.0.0.1:8443", "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
                 "idp.example.com"):
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{account_id}:oidc-provider/{host}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{host}:aud": "client", f"{host}:sub": "user-1"}}}]}
        try:
            iam.create_role(RoleName=unique("keys"), AssumeRolePolicyDocument=json.dumps(trust))
        except ClientError as e:
            refused_hosts[host] = e.response["Error"]["Message"]
    assert not refused_hosts, f"condition keys refused: {refused_hosts}"


def test_web_identity_wrong_subject_denied_by_trust(server, issuer, federation):
    need_conditions(federation)
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(sub="user-2"))
    assert (code, status) == ("AccessDenied", 403), (code, status, msg)


def test_web_identity_unknown_issuer(server, federation):
    stranger = OidcIssuer()  # a real issuer, but no provider registered for it
    try:
        code, status, msg = refused(server, federation["role"]["Arn"], stranger.token())
        assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)
    finally:
        stranger.close()


def test_web_identity_role_not_trusting_the_provider(server, iam, issuer, federation):
    role = iam.create_role(RoleName=unique("notrust"), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]
    code, status, msg = refused(server, role["Arn"], issuer.token())
    assert (code, status) == ("AccessDenied", 403), (code, status, msg)


def test_web_identity_after_provider_client_id_removed(server, iam, issuer, federation):
    """Audience is checked against the provider's *current* client IDs."""
    need_conditions(federation)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=federation["arn"], ClientID="client-z")
    # client-z is a registered audience now, but the trust policy wants client-a: AccessDenied.
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(aud="client-z"))
    assert (code, status) == ("AccessDenied", 403), (code, status, msg)
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=federation["arn"],
                                                        ClientID="client-z")
    code, status, msg = refused(server, federation["role"]["Arn"], issuer.token(aud="client-z"))
    assert (code, status) == ("InvalidIdentityToken", 400), (code, status, msg)


def test_cli_assume_role_with_web_identity(server, issuer, federation):
    r = server.cli("sts", "assume-role-with-web-identity", "--role-arn", federation["role"]["Arn"],
                   "--role-session-name", "cli", "--web-identity-token", issuer.token())
    assert r.rc == 0, r
    assert r.json["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert r.json["SubjectFromWebIdentityToken"] == "user-1"
