#!/usr/bin/env python3
"""A tiny file service that lets iamd decide who may read what.

Clients sign their requests with SigV4 for the service name `files` (any AWS SDK or botocore
can). For every request the service forwards what it received to iamd's authorization API
(`POST /_iamd/authorize`), signed with its own iamd credentials (a user allowed
`iamd:Authorize`), and asks whether the signer may perform `files:GetFile` on
`arn:aws:files:::<path>`. It answers 200 with the file's name, or 403.

    IAMD=http://127.0.0.1:8600 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… \\
        python3 examples/authorize_service.py --listen 127.0.0.1:9000
"""

import argparse
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def ask_iamd(iamd, credentials, forwarded, action, resource):
    """The decision for one action on one resource, for whoever signed `forwarded`."""
    body = json.dumps({"Request": forwarded,
                       "Checks": [{"Action": action, "Resource": resource}]})
    req = AWSRequest(method="POST", url=iamd.rstrip("/") + "/_iamd/authorize", data=body,
                     headers={"Content-Type": "application/json"})
    SigV4Auth(credentials, "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    r = urllib.request.Request(p.url, data=p.body.encode() if isinstance(p.body, str) else p.body,
                               headers=dict(p.headers), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:  # a bad signature, an unknown key, …
        return {"Decision": "Error", "Error": json.load(e)}


def make_handler(iamd, credentials):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path, _, query = self.path.partition("?")
            forwarded = {"Method": "GET", "Path": path, "Query": query,
                         "Headers": {k.lower(): v for k, v in self.headers.items()},
                         "PayloadHash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
            answer = ask_iamd(iamd, credentials, forwarded, "files:GetFile", f"arn:aws:files:::{path}")
            allowed = answer.get("Decision") == "Allow"
            body = json.dumps({"path": path, "allowed": allowed,
                               "principal": answer.get("Principal", {}).get("Arn")}).encode()
            self.send_response(200 if allowed else 403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:9000")
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                        os.environ.get("AWS_SESSION_TOKEN"))
    server = ThreadingHTTPServer((host, int(port)), make_handler(os.environ["IAMD"], creds))
    print(f"listening on {a.listen}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
