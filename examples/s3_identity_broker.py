#!/usr/bin/env python3
"""The seeds' identity broker, end to end, through `iamd gateway s3`.

A small broker authenticates employees against a local directory file (salted PBKDF2 password
hashes) and, for an employee who signs in, calls STS `GetFederationToken` with a policy limited
to that employee's own folder of the backup bucket. The laptop's backup app gets temporary
credentials from the broker and writes its backups there through the gateway; everywhere else
it is denied. Removing the broker user's permissions revokes every credential it issued, on the
very next request: a federated user can never do more than the user who issued its token, and
iamd evaluates both on every request.

    IAMD_BIN=target/debug/iamd python3 examples/s3_identity_broker.py
"""

import hashlib
import hmac
import json
import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from s3_stack import Stack, expect_allowed, expect_denied

BUCKET = "backups"
ITERATIONS = 200_000


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS).hex()


def write_directory(path, employees):
    """The company directory: name -> salt and password hash (never the password)."""
    out = {}
    for name, password in employees.items():
        salt = os.urandom(16)
        out[name] = {"salt": salt.hex(), "hash": hash_password(password, salt)}
    path.write_text(json.dumps({"employees": out}, indent=1))


def folder_policy(employee: str) -> str:
    """What one employee's backup credentials may do: their own folder only."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
         "Resource": f"arn:aws:s3:::{BUCKET}/{employee}/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{BUCKET}",
         "Condition": {"StringLike": {"s3:prefix": [f"{employee}/*", f"{employee}/"]}}},
    ]})


class Broker:
    """Authenticates against the directory file; issues federation tokens with its own keys."""

    def __init__(self, directory_path, sts):
        self.directory_path = directory_path
        self.sts = sts

    def authenticate(self, name: str, password: str) -> bool:
        entry = json.loads(self.directory_path.read_text())["employees"].get(name)
        if entry is None:
            hash_password(password, b"0" * 16)  # same work for unknown names
            return False
        got = hash_password(password, bytes.fromhex(entry["salt"]))
        return hmac.compare_digest(got, entry["hash"])

    def credentials_for(self, name: str, password: str):
        if not self.authenticate(name, password):
            return None
        return self.sts.get_federation_token(Name=name, Policy=folder_policy(name),
                                             DurationSeconds=3600)["Credentials"]

    def serve(self):
        """`POST /credentials {"user", "password"}` on a loopback port."""
        broker = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                try:
                    creds = broker.credentials_for(req.get("user", ""), req.get("password", ""))
                except Exception as e:  # STS refused the broker itself
                    self._answer(503, {"error": str(e)})
                    return
                if creds is None:
                    self._answer(401, {"error": "unknown user or wrong password"})
                    return
                self._answer(200, {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")})

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def sign_in(broker_url, user, password):
    req = urllib.request.Request(broker_url + "/credentials", method="POST",
                                 data=json.dumps({"user": user, "password": password}).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return {"status": e.code}


def main():
    with Stack() as s:
        admin = s.s3_client(*s.root)
        admin.create_bucket(Bucket=BUCKET)
        admin.create_bucket(Bucket="corp")
        admin.put_object(Bucket=BUCKET, Key="bob/laptop/diary.txt", Body=b"bob's")

        # The broker's IAM user: it may issue federation tokens, and (so may its tokens) use
        # the backup bucket. A token's permissions are this ∩ the token's own policy.
        s.iam.create_user(UserName="broker")
        s.iam.put_user_policy(UserName="broker", PolicyName="broker", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "*"},
                {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}]}))
        k = s.iam.create_access_key(UserName="broker")["AccessKey"]
        broker_sts = s.session(k["AccessKeyId"], k["SecretAccessKey"]).client("sts", endpoint_url=s.iamd)

        directory = s.dir / "directory.json"
        write_directory(directory, {"alice": "correct horse battery staple", "bob": "hunter2"})
        server = Broker(directory, broker_sts).serve()
        broker_url = f"http://127.0.0.1:{server.server_address[1]}"

        assert sign_in(broker_url, "alice", "wrong password") == {"status": 401}
        assert sign_in(broker_url, "mallory", "anything") == {"status": 401}
        print("refused : sign-in with a wrong password or an unknown name")
        c = sign_in(broker_url, "alice", "correct horse battery staple")
        print(f"issued  : federated credentials {c['AccessKeyId']} for alice")

        # The laptop's backup app, with alice's temporary credentials.
        app = s.s3_client(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        for name in ["photos/1.jpg", "docs/cv.pdf"]:
            expect_allowed(f"backup writes {BUCKET}/alice/laptop/{name}", app.put_object,
                           Bucket=BUCKET, Key=f"alice/laptop/{name}", Body=os.urandom(1024))
        listed = expect_allowed("backup lists alice/", app.list_objects_v2, Bucket=BUCKET, Prefix="alice/")
        assert len(listed["Contents"]) == 2
        expect_denied("backup writes into bob's folder", app.put_object, Bucket=BUCKET,
                      Key="bob/laptop/evil.txt", Body=b"x")
        expect_denied("backup reads bob's folder", app.get_object, Bucket=BUCKET, Key="bob/laptop/diary.txt")
        expect_denied("backup lists the whole bucket", app.list_objects_v2, Bucket=BUCKET)
        expect_denied("backup writes to another bucket", app.put_object, Bucket="corp", Key="x", Body=b"x")

        # Revocation, the seeds' way: remove the broker user's permissions.
        s.iam.delete_user_policy(UserName="broker", PolicyName="broker")
        print("revoked : the broker user's policy is deleted")
        expect_denied("backup's very next write with alice's credentials", app.put_object,
                      Bucket=BUCKET, Key="alice/laptop/after.txt", Body=b"x")
        expect_denied("backup's read of its own backup", app.get_object, Bucket=BUCKET,
                      Key="alice/laptop/docs/cv.pdf")
        assert sign_in(broker_url, "bob", "hunter2")["status"] == 503
        print("refused : the broker can no longer issue credentials")
        server.shutdown()
        print("OK")


if __name__ == "__main__":
    main()
