"""STS GetCallerIdentity as root: boto3, raw XML, GET and POST, any region, presigned URLs."""

import re

import requests

from iamd_harness import STS_NS, STS_VERSION, local, ns_of, text


def test_account_id_is_twelve_digits(account_id):
    assert re.fullmatch(r"\d{12}", account_id)


def test_get_caller_identity_root(sts, account_id):
    r = sts.get_caller_identity()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    # For the root user AWS reports the account id as the UserId and arn:aws:iam::ACCT:root.
    assert r["Account"] == account_id
    assert r["UserId"] == account_id
    assert r["Arn"] == f"arn:aws:iam::{account_id}:root"


def test_get_caller_identity_xml_shape(server, account_id):
    r = server.sts_call("GetCallerIdentity")
    assert r.status == 200, r
    root = r.xml()
    assert local(root.tag) == "GetCallerIdentityResponse"
    assert ns_of(root.tag) == STS_NS
    assert text(root, "GetCallerIdentityResult/Account") == account_id
    assert text(root, "GetCallerIdentityResult/UserId") == account_id
    assert text(root, "GetCallerIdentityResult/Arn") == f"arn:aws:iam::{account_id}:root"
    rid = text(root, "ResponseMetadata/RequestId")
    assert rid
    assert r.request_id_header == rid
    assert "xml" in r.headers.get("Content-Type", "")


def test_request_ids_are_unique(server):
    ids = {server.sts_call("GetCallerIdentity").request_id_header for _ in range(5)}
    assert len(ids) == 5 and None not in ids


def test_any_region_in_credential_scope(server, account_id):
    # STS is reached through regional endpoints; the credential scope's region is any region.
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        r = server.client("sts", region=region).get_caller_identity()
        assert r["Account"] == account_id


def test_signed_get_query_string(server, account_id):
    # The Query protocol accepts GET with the parameters in the query string.
    r = server.signed_request({"Action": "GetCallerIdentity", "Version": STS_VERSION}, method="GET",
                              service="sts")
    assert r.status == 200, r
    assert text(r.xml(), "GetCallerIdentityResult/Account") == account_id


def test_presigned_url_accepted(server, account_id):
    url = server.presigned_url({"Action": "GetCallerIdentity", "Version": STS_VERSION})
    assert "X-Amz-Signature=" in url and "Authorization" not in url
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert "x-amzn-RequestId" in r.headers
    assert f"arn:aws:iam::{account_id}:root" in r.text


def test_presigned_url_for_iam_action(server, account_id):
    url = server.presigned_url({"Action": "GetUser", "Version": "2010-05-08"}, service="iam")
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert f"arn:aws:iam::{account_id}:root" in r.text


def test_get_caller_identity_cli(server, account_id):
    res = server.cli("sts", "get-caller-identity")
    assert res.rc == 0, res
    assert res.json == {"UserId": account_id, "Account": account_id,
                        "Arn": f"arn:aws:iam::{account_id}:root"}
