#!/usr/bin/env python3
"""Generates botocore_fixtures.json: requests signed by botocore (SigV4Auth, SigV4QueryAuth) with
a fixed clock, and the canonical request / string to sign botocore computed for each.

Run from this directory: python3 gen_fixtures.py > botocore_fixtures.json
(botocore 1.43 is pinned for the compat tests; the output is committed.)
"""
import datetime
import json
import sys
from unittest import mock
from urllib.parse import urlsplit

import botocore
from botocore import auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=="
NOW = datetime.datetime(2025, 1, 1, 0, 25, 0, tzinfo=datetime.timezone.utc)
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def recording(cls):
    class Recording(cls):
        def string_to_sign(self, request, canonical_request):
            sts = super().string_to_sign(request, canonical_request)
            self.recorded = (canonical_request, sts)
            return sts

    return Recording


def make(name, method, url, *, service="iam", region="us-east-1", headers=None, data=None,
         token=None, presign=None, unsigned=False):
    creds = Credentials(AKID, SECRET, token)
    req = AWSRequest(method=method, url=url, headers=dict(headers or {}), data=data)
    if unsigned:
        req.context["payload_signing_enabled"] = False
    if presign is None:
        signer = recording(auth.SigV4Auth)(creds, service, region)
    else:
        signer = recording(auth.SigV4QueryAuth)(creds, service, region, expires=presign)
    with mock.patch.object(auth, "get_current_datetime", return_value=NOW):
        signer.add_auth(req)
    prepared = req.prepare()
    parts = urlsplit(prepared.url)
    wire_headers = [[k, v] for k, v in prepared.headers.items()]
    if not any(k.lower() == "host" for k, _ in wire_headers):
        wire_headers.insert(0, ["Host", parts.netloc])
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    canonical, sts = signer.recorded
    return {
        "name": name,
        "service": service,
        "region": region,
        "access_key_id": AKID,
        "secret": SECRET,
        "session_token": token,
        "now": NOW.strftime("%Y%m%dT%H%M%SZ"),
        "presign_expires": presign,
        "method": prepared.method,
        "path": parts.path,
        "query": parts.query,
        "headers": wire_headers,
        "body": body.decode(),
        "canonical_request": canonical,
        "string_to_sign": sts,
    }


def main():
    ua = {"User-Agent": "Boto3/1.43 md/Botocore#1.43 ua/2.1 os/linux"}
    cases = [
        make("iam-post-listusers", "POST", "https://iam.amazonaws.com/",
             headers={**ua, "Content-Type": FORM},
             data=b"Action=ListUsers&Version=2010-05-08"),
        make("iam-post-createuser-tags-token", "POST", "https://iam.amazonaws.com/",
             headers={**ua, "Content-Type": FORM}, token=TOKEN,
             data=b"Action=CreateUser&Version=2010-05-08&UserName=alice%2Bdev"
                  b"&Path=%2Fdivision_abc%2Fsubdivision_xyz%2F"
                  b"&Tags.member.1.Key=team&Tags.member.1.Value=a%20b%20%C3%A9"),
        make("sts-post-getcalleridentity-eu", "POST", "https://sts.eu-west-1.amazonaws.com/",
             service="sts", region="eu-west-1", headers={**ua, "Content-Type": FORM},
             data=b"Action=GetCallerIdentity&Version=2011-06-15"),
        make("iam-get-query", "GET",
             "https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers"
             "&PathPrefix=%2Fdivision_abc%2F&MaxItems=10&Marker=a%2Bb%3D%3D&Empty=",
             headers=ua),
        make("iam-post-date-header-and-spaces", "POST", "https://iam.amazonaws.com/",
             headers={**ua, "Content-Type": FORM, "Date": "placeholder",
                      "X-Custom": "  a   b \t c  "},
             data=b"Action=GetUser&Version=2010-05-08"),
        make("iam-post-unsigned-payload", "POST", "https://iam.amazonaws.com/",
             headers={**ua, "Content-Type": FORM}, unsigned=True,
             data=b"Action=ListGroups&Version=2010-05-08"),
        make("iam-path-normalization", "GET",
             "https://iam.amazonaws.com/a/./b/../c%20d//e~f/?Action=ListUsers&Version=2010-05-08",
             headers=ua),
        make("iam-presigned-get", "GET",
             "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
             presign=3600),
        make("sts-presigned-token-extra-header", "GET",
             "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
             service="sts", headers={"x-k8s-aws-id": "my-cluster"}, token=TOKEN, presign=60),
    ]
    json.dump({"botocore": botocore.__version__, "cases": cases}, sys.stdout, indent=1,
              ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
