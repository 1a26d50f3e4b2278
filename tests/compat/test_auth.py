"""SigV4 authentication: missing, unknown key, wrong secret, clock skew, presigned URLs, --dev."""

import datetime
import urllib.parse

import pytest
import requests
from botocore.exceptions import ClientError

from iamd_harness import DEV_ACCOUNT, IAM_VERSION, STS_VERSION, RawResponse, error_of, text

UNKNOWN_KEY = "AKIAZZZZZZZZZZZZZZZZ"
SOME_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def assert_error(r: RawResponse, status: int, code: str) -> dict:
    assert r.status == status, r
    err = r.error()
    assert err["Code"] == code, err
    assert err["Type"] == "Sender", err
    assert err["Message"], err
    assert err["RequestId"], err
    assert r.request_id_header == err["RequestId"]
    return err


def test_missing_authentication_token(server):
    r = server.iam_call("ListUsers", sign=False)
    assert_error(r, 403, "MissingAuthenticationToken")


def test_missing_authentication_token_sts_get(server):
    r = server.signed_request({"Action": "GetCallerIdentity", "Version": STS_VERSION}, method="GET",
                              service="sts", sign=False)
    assert_error(r, 403, "MissingAuthenticationToken")


def test_unknown_access_key(server):
    r = server.sts_call("GetCallerIdentity", access_key=UNKNOWN_KEY, secret_key=SOME_SECRET)
    assert_error(r, 403, "InvalidClientTokenId")


def test_unknown_access_key_boto3(server):
    iam = server.client("iam", access_key=UNKNOWN_KEY, secret_key=SOME_SECRET)
    with pytest.raises(ClientError) as ei:
        iam.list_users()
    assert error_of(ei.value) == ("InvalidClientTokenId", 403)


def test_wrong_secret(server):
    r = server.sts_call("GetCallerIdentity", secret_key=SOME_SECRET)
    assert_error(r, 403, "SignatureDoesNotMatch")


def test_wrong_secret_boto3(server):
    sts = server.client("sts", secret_key=SOME_SECRET)
    with pytest.raises(ClientError) as ei:
        sts.get_caller_identity()
    assert error_of(ei.value) == ("SignatureDoesNotMatch", 403)


def test_wrong_secret_cli(server, tmp_path):
    creds = tmp_path / "creds"
    creds.write_text(f"[default]\naws_access_key_id = {server.access_key}\n"
                     f"aws_secret_access_key = {SOME_SECRET}\n")
    res = server.cli("sts", "get-caller-identity", credentials_file=creds)
    assert res.rc != 0, res
    assert "(SignatureDoesNotMatch)" in res.stderr, res


def test_body_changed_after_signing(server):
    # The payload hash is part of the signature: a body altered in flight is refused.
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = f"Action=GetUser&Version={IAM_VERSION}"
    req = AWSRequest(method="POST", url=server.endpoint, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(server.access_key, server.secret_key), "iam", "us-east-1").add_auth(req)
    p = req.prepare()
    r = requests.post(p.url, headers=dict(p.headers), data=f"Action=ListUsers&Version={IAM_VERSION}",
                      timeout=30)
    assert_error(RawResponse(r.status_code, r.headers, r.content), 403, "SignatureDoesNotMatch")


def test_signature_20_minutes_old_refused(server):
    r = server.sts_call("GetCallerIdentity", clock_offset=datetime.timedelta(minutes=-20))
    err = assert_error(r, 403, "SignatureDoesNotMatch")
    # AWS: "Signature expired: 20220127T001427Z is now earlier than ... (... - 15 min.)"
    assert err["Message"].startswith("Signature expired"), err


def test_signature_20_minutes_in_future_refused(server):
    r = server.sts_call("GetCallerIdentity", clock_offset=datetime.timedelta(minutes=20))
    err = assert_error(r, 403, "SignatureDoesNotMatch")
    # AWS: "Signature not yet current: ... is still later than ... (... + 15 min.)"
    assert err["Message"].startswith("Signature not yet current"), err


def test_signature_10_minutes_old_accepted(server, account_id):
    # Within AWS's 15-minute window.
    r = server.sts_call("GetCallerIdentity", clock_offset=datetime.timedelta(minutes=-10))
    assert r.status == 200, r
    assert text(r.xml(), "GetCallerIdentityResult/Account") == account_id


def test_credential_scope_for_another_service_refused(server):
    r = server.sts_call("GetCallerIdentity", service="s3")
    assert r.status == 403, r
    assert r.error()["Code"]


def test_malformed_authorization_header(server):
    r = server.iam_call("ListUsers", sign=False,
                        headers={"Authorization": "AWS4-HMAC-SHA256 garbage",
                                 "X-Amz-Date": "20260101T000000Z"})
    assert 400 <= r.status < 500, r
    assert r.error()["Code"]
    assert r.request_id_header


def test_presigned_url_tampered(server):
    url = server.presigned_url({"Action": "GetCallerIdentity", "Version": STS_VERSION})
    # Add a parameter after signing: the canonical query string no longer matches.
    r = requests.get(url + "&Extra=1", timeout=30)
    assert r.status_code == 403, r.text
    assert RawResponse(r.status_code, r.headers, r.content).error()["Code"] == "SignatureDoesNotMatch"


def test_presigned_url_expired(server):
    url = server.presigned_url({"Action": "GetCallerIdentity", "Version": STS_VERSION}, expires=60,
                               clock_offset=datetime.timedelta(minutes=-5))
    r = requests.get(url, timeout=30)
    # AWS's Query services answer a presigned request past X-Amz-Date + X-Amz-Expires with
    # 400 RequestExpired "Request has expired." (e.g. aws/aws-sdk-go-v2#1674).
    assert r.status_code == 400, r.text
    rr = RawResponse(r.status_code, r.headers, r.content)
    assert rr.error()["Code"] == "RequestExpired"
    assert rr.request_id_header


def test_presigned_url_unknown_key(server):
    url = server.presigned_url({"Action": "GetCallerIdentity", "Version": STS_VERSION},
                               access_key=UNKNOWN_KEY, secret_key=SOME_SECRET)
    r = requests.get(url, timeout=30)
    assert r.status_code == 403, r.text
    assert RawResponse(r.status_code, r.headers, r.content).error()["Code"] == "InvalidClientTokenId"


def test_presigned_url_wrong_secret(server):
    url = server.presigned_url({"Action": "GetCallerIdentity", "Version": STS_VERSION},
                               secret_key=SOME_SECRET)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    r = requests.get(url, timeout=30)
    assert r.status_code == 403, r.text
    assert RawResponse(r.status_code, r.headers, r.content).error()["Code"] == "SignatureDoesNotMatch"


# ---- --dev ----------------------------------------------------------------------------------


def test_dev_unknown_key_is_root_without_signature_check(dev_server):
    sts = dev_server.client("sts", access_key="AKIADEVANYTHING00001", secret_key="not-the-secret")
    r = sts.get_caller_identity()
    assert r["Account"] == DEV_ACCOUNT
    assert r["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:root"


def test_dev_unknown_key_can_manage_users(dev_server, uniq):
    iam = dev_server.client("iam", access_key="AKIADEVANYTHING00002", secret_key="x")
    name = uniq("dev")
    u = iam.create_user(UserName=name)["User"]
    assert u["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:user/{name}"
    iam.delete_user(UserName=name)


def test_dev_root_credentials_work(dev_server):
    assert dev_server.access_key, "a --dev server still writes root-credentials"
    r = dev_server.sts.get_caller_identity()
    assert r["Account"] == DEV_ACCOUNT


def test_dev_known_key_still_verified(dev_server):
    sts = dev_server.client("sts", secret_key=SOME_SECRET)
    with pytest.raises(ClientError) as ei:
        sts.get_caller_identity()
    assert error_of(ei.value) == ("SignatureDoesNotMatch", 403)


def test_dev_anonymous_still_refused(dev_server):
    r = dev_server.sts_call("GetCallerIdentity", sign=False)
    assert_error(r, 403, "MissingAuthenticationToken")


def test_normal_server_is_not_dev(server):
    # Without --dev an unknown key is never root, and the account is not the dev account.
    sts = server.client("sts", access_key="AKIADEVANYTHING00001", secret_key="x")
    with pytest.raises(ClientError) as ei:
        sts.get_caller_identity()
    assert error_of(ei.value) == ("InvalidClientTokenId", 403)
