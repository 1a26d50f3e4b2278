#!/usr/bin/env python3
"""Sign one Query request with botocore (long-term or session credentials) and write a wrk Lua
script replaying it. A SigV4 signature stays valid for 15 minutes; the server verifies it in
full on every request.

usage: sign_lua.py ENDPOINT SERVICE BODY ACCESS_KEY SECRET_KEY [SESSION_TOKEN] > OUT.lua
"""

import sys
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    if len(sys.argv) not in (6, 7):
        print(__doc__, file=sys.stderr)
        return 2
    ep, service, body, key, secret = sys.argv[1:6]
    token = sys.argv[6] if len(sys.argv) == 7 else None
    req = AWSRequest(method="POST", url=ep, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret, token), service, "us-east-1").add_auth(req)
    p = req.prepare()
    lines = ['wrk.method = "POST"', f"wrk.body = {q(body)}"]
    for hk, hv in dict(p.headers).items():
        hv = hv.decode() if isinstance(hv, bytes) else hv
        lines.append(f"wrk.headers[{q(hk)}] = {q(hv)}")
    lines.append(f'wrk.headers["Host"] = {q(urllib.parse.urlsplit(ep).netloc)}')
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
