#!/usr/bin/env bash
# The authorization API over loopback, against GetCallerIdentity in the same run: a service
# (an IAM user allowed iamd:Authorize) forwards an S3 GET signed by Joe (a user with an S3
# policy) and asks for s3:GetObject. Goal: >= 0.8 of GetCallerIdentity's throughput, p99 <= 2 ms.
#
#   cargo build --release -p iamd && bench/http/authorize_api.sh
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
IAMD_LOG="${IAMD_LOG:-warn}" "$IAMD_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" ${SERVE_ARGS:-} >"$WORK/iamd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fsS -o /dev/null "${EP}healthz" 2>/dev/null && break; sleep 0.1; done
ROOT_KEY=$(sed -n 's/^aws_access_key_id *= *//p' "$WORK/data/root-credentials")
ROOT_SECRET=$(sed -n 's/^aws_secret_access_key *= *//p' "$WORK/data/root-credentials")
"$PYTHON" - "$EP" "$ROOT_KEY" "$ROOT_SECRET" "$WORK" <<'PY'
import json, sys, urllib.parse, boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
ep, k, s, work = sys.argv[1:]
iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k, aws_secret_access_key=s)
def user(name, doc):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(doc))
    return iam.create_access_key(UserName=name)["AccessKey"]
svc = user("svc", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iamd:Authorize", "Resource": "*"}]})
joe = user("joe", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::corp/home/${aws:username}/*"}]})
fwd = AWSRequest(method="GET", url="http://s3.local.test/corp/home/joe/a.txt", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
SigV4Auth(Credentials(joe["AccessKeyId"], joe["SecretAccessKey"]), "s3", "us-east-1").add_auth(fwd)
p = fwd.prepare()
headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in p.headers.items()}
headers["host"] = "s3.local.test"
body = json.dumps({"Request": {"Method": "GET", "Path": "/corp/home/joe/a.txt", "Headers": headers},
                   "Checks": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::corp/home/joe/a.txt"}]})
q = lambda x: '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'
def lua(path, url, service, data, ctype, out):
    req = AWSRequest(method="POST", url=url, data=data, headers={"Content-Type": ctype})
    SigV4Auth(Credentials(svc["AccessKeyId"], svc["SecretAccessKey"]), service, "us-east-1").add_auth(req)
    pr = req.prepare()
    lines = ['wrk.method = "POST"', f'wrk.path = {q(path)}', f"wrk.body = {q(data)}"]
    for hk, hv in dict(pr.headers).items():
        hv = hv.decode() if isinstance(hv, bytes) else hv
        lines.append(f"wrk.headers[{q(hk)}] = {q(hv)}")
    lines.append(f'wrk.headers["Host"] = {q(urllib.parse.urlsplit(ep).netloc)}')
    open(out, "w").write("\n".join(lines) + "\n")
lua("/_iamd/authorize", ep + "_iamd/authorize", "iamd", body, "application/json", f"{work}/authorize.lua")
lua("/", ep, "sts", "Action=GetCallerIdentity&Version=2011-06-15", "application/x-www-form-urlencoded; charset=utf-8", f"{work}/gci.lua")
PY
# The server's user + system CPU ticks so far (all its threads, the audit writer included).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
measure() {
  local label=$1
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$WORK/$label.lua" "$EP" >/dev/null 2>&1 || true
  local t0 t1; t0=$(cpu_ticks)
  /usr/bin/time -f "%U %S" -o "$WORK/$label.time" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/$label.lua" "$EP" >"$WORK/$label.wrk" 2>&1
  t1=$(cpu_ticks)
  local rps p50 p99 bad reqs cpu wcpu
  rps=$(sed -n 's/^Requests\/sec: *//p' "$WORK/$label.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$WORK/$label.wrk"); p99=$(awk '$1=="99%"{print $2}' "$WORK/$label.wrk")
  bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/$label.wrk"); bad=${bad:-0}
  reqs=$(awk '/requests in/{print $1}' "$WORK/$label.wrk")
  cpu=$(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / reqs ))
  wcpu=$(awk -v n="$reqs" '{printf "%d", ($1 + $2) * 1000000 / n}' "$WORK/$label.time")
  printf '%-10s %10s req/s  p50 %-8s p99 %-8s CPU us/req: server %s, wrk %s  non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "$cpu" "$wcpu" "$bad"
  [ "$bad" = 0 ] || { echo "non-2xx answers for $label" >&2; exit 1; }
  eval "RPS_${label}_$2=$rps"
}
echo "authorization API over loopback: wrk -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP), $(nproc) cores"
measure gci 1; measure authorize 1; measure gci 2; measure authorize 2
"$PYTHON" -c "print(f'authorize / GetCallerIdentity: {($RPS_authorize_1 + $RPS_authorize_2) / ($RPS_gci_1 + $RPS_gci_2):.2f}  (goal >= 0.8)')"
# Low-load latency: 1 connection.
CONNS=1 THREADS=1 measure authorize 3
# PERF_OUT=file: a profile of the server under the 32-connection load of PERF_LOAD (authorize,
# or gci for the baseline); waits for wrk only (the server is a child too).
if [ -n "${PERF_OUT:-}" ]; then
  wrk -t2 -c32 -d10s -s "$WORK/${PERF_LOAD:-authorize}.lua" "$EP" >/dev/null 2>&1 & WRK=$!
  perf record -F 999 --call-graph dwarf,32768 -p $PID -o "$PERF_OUT" -- sleep 7 >/dev/null 2>&1
  wait $WRK
fi
