#!/usr/bin/env bash
# PostgreSQL against SQLite, and three servers against one, over loopback, in one run:
#   - reads: root's signed IAM GetUser on a SQLite server and on a PostgreSQL server;
#   - durable writes: root's signed TagUser (overwriting one tag: a committed, fsynced write and
#     its audit event each time) on both;
#   - reads through three PostgreSQL servers at once (one wrk each, the connections split
#     three ways) against one server with all the connections;
#   - propagation: a policy change through server 1, then server 2's /_iamd/authorize polled until
#     its decision changes; p50/p99 over PROPAGATION_ROUNDS changes.
# Every figure is from the same run on the same machine; wrk, PostgreSQL and the servers share
# its cores, so compare ratios, not absolute numbers.
#
#   cargo build --release -p iamd && bench/http/postgres.sh
# Environment: IAMD_BIN, IAMD_TEST_POSTGRES_URL (a cluster to use; else one is started),
# DURATION (5s), THREADS (2), CONNS (32), PYTHON (python3), PROPAGATION_ROUNDS (200).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
IAMD_BIN="${IAMD_BIN:-$REPO/target/release/iamd}"
DURATION="${DURATION:-5s}" THREADS="${THREADS:-2}" CONNS="${CONNS:-32}" PYTHON="${PYTHON:-python3}"
PROPAGATION_ROUNDS="${PROPAGATION_ROUNDS:-200}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
WORK="$(mktemp -d)"; PG_DIR=""
cleanup() {
  # Servers are started in command substitutions (subshells): their PIDs are kept in a file.
  if [ -f "$WORK/pids" ]; then while read -r p; do kill "$p" 2>/dev/null || true; done <"$WORK/pids"; fi
  if [ -n "$PG_DIR" ]; then "$REPO/scripts/pg-cluster" stop "$PG_DIR"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${IAMD_TEST_POSTGRES_URL:-}" ]; then
  PG_DIR="$(mktemp -d)"
  IAMD_TEST_POSTGRES_URL="$("$REPO/scripts/pg-cluster" start "$PG_DIR")"
fi
# A database of its own.
DB="iamd_bench_$$_$RANDOM"
"$PYTHON" - "$IAMD_TEST_POSTGRES_URL" "$DB" <<'PY'
import subprocess, sys, urllib.parse, glob
u = urllib.parse.urlsplit(sys.argv[1])
createdb = (sorted(glob.glob("/usr/lib/postgresql/*/bin/createdb")) or ["createdb"])[-1]
subprocess.run([createdb, "-h", u.hostname, "-p", str(u.port), "-U", u.username, sys.argv[2]], check=True)
PY
PG_URL="${IAMD_TEST_POSTGRES_URL%/*}/$DB"
openssl rand -hex 32 >"$WORK/master.key"

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # start NAME STORE -> prints the port
  local port; port=$(free_port)
  mkdir -p "$WORK/$1"
  IAMD_LOG=warn IAMD_MASTER_KEY_FILE="$WORK/master.key" "$IAMD_BIN" serve --listen "127.0.0.1:$port" \
    --data-dir "$WORK/$1" --store "$2" >"$WORK/$1.log" 2>&1 &
  echo $! >>"$WORK/pids"
  for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
  echo "$port"
}
S=$(start sqlite "sqlite:$WORK/sqlite/iamd.db")
P1=$(start pg1 "$PG_URL")
# The other servers use the account the first one made.
for d in pg2 pg3; do mkdir -p "$WORK/$d"; cp "$WORK/pg1/root-credentials" "$WORK/$d/"; done
P2=$(start pg2 "$PG_URL")
P3=$(start pg3 "$PG_URL")

# Set-up (users, policies) and one signed request per server and kind.
"$PYTHON" - "$WORK" "$HERE" "$S" "$P1" "$P2" "$P3" <<'PY'
import json, subprocess, sys, boto3
work, here, s, p1, p2, p3 = sys.argv[1:]
def creds(d):
    lines = dict(l.split(" = ") for l in open(f"{work}/{d}/root-credentials").read().splitlines() if " = " in l)
    return lines["aws_access_key_id"], lines["aws_secret_access_key"]
for name, port, d in [("s", s, "sqlite"), ("p1", p1, "pg1"), ("p2", p2, "pg1"), ("p3", p3, "pg1")]:
    k, sec = creds(d)
    ep = f"http://127.0.0.1:{port}/"
    if name in ("s", "p1"):
        iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k, aws_secret_access_key=sec)
        iam.create_user(UserName="bench")
    for kind, body in [("read", "Action=GetUser&Version=2010-05-08&UserName=bench"),
                       ("write", "Action=TagUser&Version=2010-05-08&UserName=bench&Tags.member.1.Key=k&Tags.member.1.Value=v")]:
        with open(f"{work}/{name}-{kind}.lua", "w") as f:
            subprocess.run([sys.executable, f"{here}/sign_lua.py", ep, "iam", body, k, sec], stdout=f, check=True)
PY

rps() { # rps SCRIPT PORT CONNS -> requests/s (non-2xx make it fail)
  local out; out=$(wrk -t"$THREADS" -c"$3" -d"$DURATION" -s "$WORK/$1.lua" "http://127.0.0.1:$2/")
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "non-2xx responses" >&2; exit 1; fi
  echo "$out" | sed -n 's/^Requests\/sec: *//p'
}
ratio() { "$PYTHON" -c "print(f'{$1 / $2:.2f}')"; }

echo "== reads (GetUser), $CONNS connections, $DURATION each"
wrk -t1 -c4 -d1s -s "$WORK/s-read.lua" "http://127.0.0.1:$S/" >/dev/null   # warm-up
wrk -t1 -c4 -d1s -s "$WORK/p1-read.lua" "http://127.0.0.1:$P1/" >/dev/null
SR=$(rps s-read "$S" "$CONNS"); PR=$(rps p1-read "$P1" "$CONNS")
echo "sqlite $SR req/s, postgres $PR req/s: postgres/sqlite $(ratio "$PR" "$SR")"

echo "== durable writes (TagUser), $CONNS connections"
SW=$(rps s-write "$S" "$CONNS"); PW=$(rps p1-write "$P1" "$CONNS")
echo "sqlite $SW req/s, postgres $PW req/s: postgres/sqlite $(ratio "$PW" "$SW")"

echo "== writes of two accounts vs one account, through two postgres servers at once"
# A second account (its root key), with a user to tag; one signed TagUser for server 2.
IAMD_MASTER_KEY_FILE="$WORK/master.key" "$IAMD_BIN" account create --store "$PG_URL" >"$WORK/acct2"
"$PYTHON" - "$WORK" "$HERE" "$P2" <<'PY'
import subprocess, sys, boto3
work, here, p2 = sys.argv[1:]
lines = dict(l.split(" = ") for l in open(f"{work}/acct2").read().splitlines() if " = " in l)
k, s = lines["aws_access_key_id"], lines["aws_secret_access_key"]
ep = f"http://127.0.0.1:{p2}/"
boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k, aws_secret_access_key=s).create_user(UserName="bench")
with open(f"{work}/p2-write-other.lua", "w") as f:
    subprocess.run([sys.executable, f"{here}/sign_lua.py", ep, "iam",
                    "Action=TagUser&Version=2010-05-08&UserName=bench&Tags.member.1.Key=k&Tags.member.1.Value=v", k, s],
                   stdout=f, check=True)
PY
HALF=$(( CONNS / 2 > 1 ? CONNS / 2 : 1 ))
(rps p1-write "$P1" "$HALF" >"$WORK/same-1") & (rps p2-write "$P2" "$HALF" >"$WORK/same-2") & wait
(rps p1-write "$P1" "$HALF" >"$WORK/diff-1") & (rps p2-write-other "$P2" "$HALF" >"$WORK/diff-2") & wait
SAME=$("$PYTHON" -c "print(sum(float(open('$WORK/same-%d' % n).read()) for n in (1, 2)))")
DIFF=$("$PYTHON" -c "print(sum(float(open('$WORK/diff-%d' % n).read()) for n in (1, 2)))")
echo "one account $SAME req/s, two accounts $DIFF req/s: two/one $(ratio "$DIFF" "$SAME")"

echo "== reads through three postgres servers at once vs one"
ONE=$(rps p1-read "$P1" "$CONNS")
PER=$(( CONNS / 3 > 1 ? CONNS / 3 : 1 ))
for n in 1 2 3; do (rps "p$n-read" "$(eval echo \$P$n)" "$PER" >"$WORK/three-$n") & done; wait
THREE=$("$PYTHON" -c "print(sum(float(open('$WORK/three-%d' % n).read()) for n in (1, 2, 3)))")
echo "one server $ONE req/s, three servers $THREE req/s: three/one $(ratio "$THREE" "$ONE")"

echo "== propagation: a policy change through server 1 until server 2 decides differently"
"$PYTHON" - "$WORK" "$P1" "$P2" "$PROPAGATION_ROUNDS" <<'PY'
import http.client, json, sys, time
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import boto3
work, p1, p2, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = dict(l.split(" = ") for l in open(f"{work}/pg1/root-credentials").read().splitlines() if " = " in l)
root = Credentials(lines["aws_access_key_id"], lines["aws_secret_access_key"])
iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{p1}/", region_name="us-east-1",
                   aws_access_key_id=root.access_key, aws_secret_access_key=root.secret_key)
account = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{p1}/", region_name="us-east-1",
                       aws_access_key_id=root.access_key, aws_secret_access_key=root.secret_key).get_caller_identity()["Account"]
iam.create_user(UserName="probe")
iam.put_user_policy(UserName="probe", PolicyName="p", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))

def signed(port, path, body):
    req = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}{path}", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"
                              if path == "/" else "application/json"})
    SigV4Auth(root, "iam" if path == "/" else "iamd", "us-east-1").add_auth(req)
    p = req.prepare()
    return p.body, dict(p.headers)

c1 = http.client.HTTPConnection("127.0.0.1", int(p1))
c2 = http.client.HTTPConnection("127.0.0.1", int(p2))
def post(c, port, path, body):
    b, h = signed(port, path, body)
    c.request("POST", path, body=b, headers=h)
    r = c.getresponse()
    data = r.read()
    assert r.status == 200, data
    return data
check = json.dumps({"PrincipalArn": f"arn:aws:iam::{account}:user/probe",
                    "Checks": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}]})
deny = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
import urllib.parse
samples = []
for i in range(rounds):
    blocked = i % 2 == 0
    if blocked:
        body = urllib.parse.urlencode({"Action": "PutUserPolicy", "Version": "2010-05-08", "UserName": "probe",
                                       "PolicyName": "block", "PolicyDocument": deny})
    else:
        body = urllib.parse.urlencode({"Action": "DeleteUserPolicy", "Version": "2010-05-08", "UserName": "probe",
                                       "PolicyName": "block"})
    want = "ExplicitDeny" if blocked else "Allow"
    # Server 2 first decides the old way (its cache is warm), then the change goes through 1.
    post(c2, p2, "/_iamd/authorize", check)
    post(c1, p1, "/", body)
    acked = time.perf_counter()
    while True:
        d = json.loads(post(c2, p2, "/_iamd/authorize", check))["Results"][0]["Decision"]
        if d == want:
            samples.append(time.perf_counter() - acked)
            break
        if time.perf_counter() - acked > 5:
            raise SystemExit(f"server 2 did not see the change within 5 s (round {i})")
samples.sort()
pct = lambda q: samples[min(len(samples) - 1, int(len(samples) * q))] * 1000
print(f"{len(samples)} changes: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {samples[-1] * 1000:.1f} ms "
      f"(from the change's acknowledgement by server 1 to server 2's first new decision, "
      f"including one authorize round trip)")
PY
