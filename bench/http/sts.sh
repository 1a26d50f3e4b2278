#!/usr/bin/env bash
# Temporary credentials over loopback, in one run against one server:
#   1. GetCallerIdentity signed with a user's long-term key (the baseline),
#   2. GetSessionToken (each request mints and seals a new session),
#   3. GetCallerIdentity signed with session credentials (the token opened, no store read).
#
#   cargo build --release -p iamd && bench/http/sts.sh
# Environment: IAMD_BIN, DURATION (10s), WARMUP (2s), THREADS (2), CONNS (32), PYTHON (python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
IAMD_BIN="${IAMD_BIN:-$REPO/target/release/iamd}"
DURATION="${DURATION:-10s}" WARMUP="${WARMUP:-2s}" THREADS="${THREADS:-2}" CONNS="${CONNS:-32}"
PYTHON="${PYTHON:-python3}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
WORK="$(mktemp -d)"; PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
EP="http://127.0.0.1:$PORT/"
IAMD_LOG="${IAMD_LOG:-warn}" "$IAMD_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/iamd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fsS -o /dev/null "${EP}healthz" 2>/dev/null && break; sleep 0.1; done
ROOT_KEY=$(sed -n 's/^aws_access_key_id *= *//p' "$WORK/data/root-credentials")
ROOT_SECRET=$(sed -n 's/^aws_secret_access_key *= *//p' "$WORK/data/root-credentials")
read -r UK US SK SS ST < <("$PYTHON" - "$EP" "$ROOT_KEY" "$ROOT_SECRET" <<'PY'
import sys, boto3
ep, k, s = sys.argv[1:]
c = lambda svc, k, s, t=None: boto3.client(svc, endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k, aws_secret_access_key=s, aws_session_token=t)
iam = c("iam", k, s)
iam.create_user(UserName="bench")
key = iam.create_access_key(UserName="bench")["AccessKey"]
sess = c("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_session_token(DurationSeconds=3600)["Credentials"]
print(key["AccessKeyId"], key["SecretAccessKey"], sess["AccessKeyId"], sess["SecretAccessKey"], sess["SessionToken"])
PY
)
"$PYTHON" "$HERE/sign_request.py" "$EP" "$UK" "$US" "$WORK/longterm.lua" sts "Action=GetCallerIdentity&Version=2011-06-15"
"$PYTHON" "$HERE/sign_request.py" "$EP" "$UK" "$US" "$WORK/issue.lua" sts "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900"
"$PYTHON" - "$EP" "$SK" "$SS" "$ST" "$WORK/session.lua" <<'PY'
import sys, urllib.parse
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
ep, k, s, t, out = sys.argv[1:]
body = "Action=GetCallerIdentity&Version=2011-06-15"
req = AWSRequest(method="POST", url=ep, data=body, headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(Credentials(k, s, t), "sts", "us-east-1").add_auth(req)
p = req.prepare()
q = lambda x: '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'
lines = ['wrk.method = "POST"', f"wrk.body = {q(body)}"]
for hk, hv in dict(p.headers).items():
    hv = hv.decode() if isinstance(hv, bytes) else hv
    lines.append(f"wrk.headers[{q(hk)}] = {q(hv)}")
lines.append(f'wrk.headers["Host"] = {q(urllib.parse.urlsplit(ep).netloc)}')
open(out, "w").write("\n".join(lines) + "\n")
PY
echo "STS over loopback: wrk -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP), $(nproc) cores"
for case in longterm issue session; do
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$WORK/$case.lua" "$EP" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/$case.lua" "$EP" >"$WORK/$case.wrk" 2>&1
  rps=$(sed -n 's/^Requests\/sec: *//p' "$WORK/$case.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$WORK/$case.wrk"); p99=$(awk '$1=="99%"{print $2}' "$WORK/$case.wrk")
  bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/$case.wrk"); bad=${bad:-0}
  printf '%-9s %10s req/s  p50 %-8s p99 %-8s non-2xx %s\n' "$case" "$rps" "$p50" "$p99" "$bad"
  eval "RPS_$case=$rps"; [ "$bad" = 0 ] || { echo "non-2xx answers for $case" >&2; exit 1; }
done
[ -n "${PERF_SESSION:-}" ] && { wrk -t"$THREADS" -c"$CONNS" -d12s -s "$WORK/session.lua" "$EP" >/dev/null 2>&1 & perf record -F 999 -g -p $PID -o /tmp/session.perf -- sleep 8 >/dev/null 2>&1; wait; }
"$PYTHON" -c "print(f'GetSessionToken/long-term: {float($RPS_issue)/float($RPS_longterm):.2f}   session-token/long-term: {float($RPS_session)/float($RPS_longterm):.2f}')"
