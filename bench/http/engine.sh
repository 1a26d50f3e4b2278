#!/usr/bin/env bash
# The engine's costs over loopback, as ratios against a baseline measured in the same run:
#   1. a non-root user with 10 attached managed policies calling GetUser, against root calling
#      it, while a background client writes 50 unrelated changes per second (goal >= 0.9);
#   2. a role session (AssumeRole credentials, the same 10 policies on the role) calling GetUser,
#      against the user's long-term key; and GetCallerIdentity session against long-term
#      (goal >= 0.9);
#   3. root's GetUser with the audit trail on, against a server started with --no-audit
#      (goal >= 0.85).
#
#   cargo build --release -p iamd && bench/http/engine.sh
# Environment: IAMD_BIN, DURATION (10s), WARMUP (2s), THREADS (2), CONNS (32), PYTHON (python3),
# WRITES_PER_SEC (50), ROUNDS (2: each side of a pair is measured this many times, alternating),
# PAIRS (churn session gci audit: the pairs to measure).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
IAMD_BIN="${IAMD_BIN:-$REPO/target/release/iamd}"
DURATION="${DURATION:-10s}" WARMUP="${WARMUP:-2s}" THREADS="${THREADS:-2}" CONNS="${CONNS:-32}"
ROUNDS="${ROUNDS:-2}" PAIRS="${PAIRS:-churn session gci audit}"
PYTHON="${PYTHON:-python3}" WRITES_PER_SEC="${WRITES_PER_SEC:-50}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
WORK="$(mktemp -d)"; PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; rm -rf "$WORK"' EXIT

start() { # start NAME [ARGS...] -> sets EP, ROOT_KEY, ROOT_SECRET
  local name=$1; shift
  local port; port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  EP="http://127.0.0.1:$port/"
  IAMD_LOG="${IAMD_LOG:-warn}" "$IAMD_BIN" serve --listen "127.0.0.1:$port" --data-dir "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -fsS -o /dev/null "${EP}healthz" 2>/dev/null && break; sleep 0.1; done
  ROOT_KEY=$(sed -n 's/^aws_access_key_id *= *//p' "$WORK/$name/root-credentials")
  ROOT_SECRET=$(sed -n 's/^aws_secret_access_key *= *//p' "$WORK/$name/root-credentials")
}

# Users, policies, a role and a session; prints: USER_KEY USER_SECRET SESS_KEY SESS_SECRET SESS_TOKEN
setup() {
  "$PYTHON" - "$EP" "$ROOT_KEY" "$ROOT_SECRET" <<'PY'
import json, sys, time, boto3
ep, k, s = sys.argv[1:]
c = lambda svc, k, s, t=None: boto3.client(svc, endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k, aws_secret_access_key=s, aws_session_token=t)
iam = c("iam", k, s)
iam.create_user(UserName="bench")
arns = []
for i in range(10):
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}a", "Effect": "Allow", "Action": [f"iam:Get{x}" for x in ("User", "Group", "Role", "Policy")], "Resource": "*"},
        {"Sid": f"S{i}b", "Effect": "Allow", "Action": ["sts:AssumeRole", "iam:ListUsers"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
        {"Sid": f"S{i}c", "Effect": "Deny", "Action": f"iam:Delete{i}*", "Resource": "*"},
    ]}
    arns.append(iam.create_policy(PolicyName=f"bench{i}", PolicyDocument=json.dumps(doc))["Policy"]["Arn"])
for a in arns:
    iam.attach_user_policy(UserName="bench", PolicyArn=a)
me = iam.get_user(UserName="bench")["User"]["Arn"]
iam.create_role(RoleName="benchrole", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole"}]}))
for a in arns:
    iam.attach_role_policy(RoleName="benchrole", PolicyArn=a)
key = iam.create_access_key(UserName="bench")["AccessKey"]
sts = c("sts", key["AccessKeyId"], key["SecretAccessKey"])
for _ in range(50):
    try:
        cr = sts.assume_role(RoleArn=iam.get_role(RoleName="benchrole")["Role"]["Arn"], RoleSessionName="bench", DurationSeconds=3600)["Credentials"]
        break
    except Exception:
        time.sleep(0.1)
print(key["AccessKeyId"], key["SecretAccessKey"], cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
PY
}

# Writes unrelated changes at WRITES_PER_SEC until killed.
background_writes() {
  "$PYTHON" - "$EP" "$ROOT_KEY" "$ROOT_SECRET" "$WRITES_PER_SEC" <<'PY' &
import sys, time, boto3
ep, k, s, rate = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=k, aws_secret_access_key=s)
iam.create_user(UserName="churn")
n, t0 = 0, time.monotonic()
while True:
    iam.tag_user(UserName="churn", Tags=[{"Key": "n", "Value": str(n)}])
    n += 1
    delay = t0 + n / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
PY
  PIDS+=($!)
  BG=$!
}

measure() { # measure LABEL LUA -> prints and sets RPS_LABEL
  local label=$1 lua=$2
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$lua" "$EP" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$lua" "$EP" >"$WORK/$label.wrk" 2>&1
  local rps p50 p99 bad
  rps=$(sed -n 's/^Requests\/sec: *//p' "$WORK/$label.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$WORK/$label.wrk"); p99=$(awk '$1=="99%"{print $2}' "$WORK/$label.wrk")
  bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/$label.wrk"); bad=${bad:-0}
  printf '%-22s %10s req/s  p50 %-8s p99 %-8s non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "$bad"
  eval "RPS_$label=$rps"
  [ "$bad" = 0 ] || { echo "non-2xx answers for $label" >&2; sed -n 1,40p "$WORK/$label.wrk" >&2; exit 1; }
}

sign() { "$PYTHON" "$HERE/sign_lua.py" "$EP" "$@"; }
GETUSER="Action=GetUser&Version=2010-05-08&UserName=bench"
GCI="Action=GetCallerIdentity&Version=2011-06-15"

echo "engine over loopback: wrk -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP), $ROUNDS rounds per pair, $(nproc) cores"
start audited
read -r UK US SK SS ST < <(setup)
sign iam "$GETUSER" "$ROOT_KEY" "$ROOT_SECRET" >"$WORK/root_getuser.lua"
sign iam "$GETUSER" "$UK" "$US" >"$WORK/user_getuser.lua"
sign iam "$GETUSER" "$SK" "$SS" "$ST" >"$WORK/session_getuser.lua"
sign sts "$GCI" "$UK" "$US" >"$WORK/user_gci.lua"
sign sts "$GCI" "$SK" "$SS" "$ST" >"$WORK/session_gci.lua"

# Each pair is measured A, B, A, B, ... (ROUNDS times each) and compared on the sums, so drift in
# the machine's load affects both sides alike. A side may name its own server (EP_A, EP_B).
pair() { # pair A_LABEL A_LUA B_LABEL B_LUA
  local ep=$EP i sa=0 sb=0
  for i in $(seq "$ROUNDS"); do
    EP=${EP_A:-$ep}; measure "$1_$i" "$2"; sa=$(echo "$sa + $(eval echo \$RPS_$1_$i)" | bc)
    EP=${EP_B:-$ep}; measure "$3_$i" "$4"; sb=$(echo "$sb + $(eval echo \$RPS_$3_$i)" | bc)
  done
  EP=$ep
  eval "RPS_$1=$sa"; eval "RPS_$3=$sb"
}

wanted() { [[ " $PAIRS " == *" $1 "* ]]; }
if wanted churn; then
  background_writes
  pair root_getuser_churn "$WORK/root_getuser.lua" user10_getuser_churn "$WORK/user_getuser.lua"
  kill $BG 2>/dev/null || true
fi
wanted session && pair user10_getuser "$WORK/user_getuser.lua" session_getuser "$WORK/session_getuser.lua"
wanted gci && pair user_gci "$WORK/user_gci.lua" session_gci "$WORK/session_gci.lua"
AUDITED_EP=$EP
start unaudited --no-audit
sign iam "$GETUSER" "$ROOT_KEY" "$ROOT_SECRET" >"$WORK/root_getuser_off.lua"
"$PYTHON" -c "import boto3,sys; boto3.client('iam',endpoint_url='$EP',region_name='us-east-1',aws_access_key_id='$ROOT_KEY',aws_secret_access_key='$ROOT_SECRET').create_user(UserName='bench')"
UNAUDITED_EP=$EP
# The two servers run side by side; each side of the pair targets one of them.
wanted audit && EP_A=$AUDITED_EP EP_B=$UNAUDITED_EP pair root_getuser_audit "$WORK/root_getuser.lua" root_getuser_noaudit "$WORK/root_getuser_off.lua"
# PERF_AUDIT=file: a profile of the audited server under root's GetUser, after the measurements.
if [ -n "${PERF_AUDIT:-}" ]; then
  APID=${PIDS[0]}  # the audited server, started first
  wrk -t"$THREADS" -c"$CONNS" -d10s -s "$WORK/root_getuser.lua" "$AUDITED_EP" >/dev/null 2>&1 & WRK=$!
  perf record -F 499 --call-graph dwarf,16384 -p "$APID" -o "$PERF_AUDIT" -- sleep 7 >/dev/null 2>&1
  wait $WRK
fi
DROPPED=$(curl -fsS "${AUDITED_EP}metrics" | awk '/^iamd_audit_events_dropped_total/{print $2}')
WRITTEN=$(curl -fsS "${AUDITED_EP}metrics" | awk '/^iamd_audit_events_written_total/{print $2}')

"$PYTHON" - <<PY
def r(label, a, b, goal):
    if a and b:
        print(f"{label:<50}{float(a) / float(b):.2f}  (goal >= {goal})")
r("user with 10 policies / root, under $WRITES_PER_SEC writes/s:", "${RPS_user10_getuser_churn:-}", "${RPS_root_getuser_churn:-}", 0.9)
r("role session / long-term key, GetUser:", "${RPS_session_getuser:-}", "${RPS_user10_getuser:-}", 0.9)
r("role session / long-term key, GetCallerIdentity:", "${RPS_session_gci:-}", "${RPS_user_gci:-}", 0.9)
r("audit on / audit off, root GetUser:", "${RPS_root_getuser_audit:-}", "${RPS_root_getuser_noaudit:-}", 0.85)
print("audit events written / dropped on the audited server: ${WRITTEN:-?} / ${DROPPED:-?}")
PY
