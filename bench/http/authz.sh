#!/usr/bin/env bash
# The cost of authorization over loopback: the same signed IAM GetUser request, once by root
# (never evaluated) and once by an IAM user with 10 attached managed policies of 5 statements
# each (wildcards, a policy variable, conditions), in the same run against the same server.
#
#   cargo build --release -p iamd && bench/http/authz.sh
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

# Set up the user and its 10 policies with boto3; print its key.
read -r USER_KEY USER_SECRET < <("$PYTHON" - "$EP" "$ROOT_KEY" "$ROOT_SECRET" <<'PY'
import json, sys, boto3
ep, k, s = sys.argv[1:]
iam = boto3.client("iam", endpoint_url=ep, aws_access_key_id=k, aws_secret_access_key=s, region_name="us-east-1")
iam.create_user(UserName="bench", Path="/load/")
services = ["s3", "ec2", "sqs", "sns", "dynamodb", "lambda", "kms", "logs", "cloudwatch", "iam"]
for i, svc in enumerate(services):
    stmts = [
        {"Effect": "Allow", "Action": [f"{svc}:Get*", f"{svc}:List*"], "Resource": f"arn:aws:{svc}:*:*:thing-{i}/*"},
        {"Effect": "Allow", "Action": f"{svc}:Describe*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
        {"Effect": "Deny", "Action": f"{svc}:Delete*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Allow", "Action": f"{svc}:Put*", "Resource": f"arn:aws:{svc}:*:*:${{aws:username}}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}}},
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/load/${aws:username}"}
        if i == 9 else
        {"Effect": "Allow", "Action": f"{svc}:Tag*", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalTag/team": "core-*"}}},
    ]
    arn = iam.create_policy(PolicyName=f"bench-{i}", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": stmts}))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="bench", PolicyArn=arn)
key = iam.create_access_key(UserName="bench")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
)
BODY="Action=GetUser&Version=2010-05-08&UserName=bench"
"$PYTHON" "$HERE/sign_request.py" "$EP" "$ROOT_KEY" "$ROOT_SECRET" "$WORK/root.lua" iam "$BODY"
"$PYTHON" "$HERE/sign_request.py" "$EP" "$USER_KEY" "$USER_SECRET" "$WORK/user.lua" iam "$BODY"
echo "IAM GetUser over loopback: wrk -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP), $(nproc) cores"
for who in root user; do
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$WORK/$who.lua" "$EP" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/$who.lua" "$EP" >"$WORK/$who.wrk" 2>&1
  rps=$(sed -n 's/^Requests\/sec: *//p' "$WORK/$who.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$WORK/$who.wrk"); p99=$(awk '$1=="99%"{print $2}' "$WORK/$who.wrk")
  bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/$who.wrk"); bad=${bad:-0}
  printf '%-5s %10s req/s  p50 %-8s p99 %-8s non-2xx %s\n' "$who" "$rps" "$p50" "$p99" "$bad"
  eval "RPS_$who=$rps"; [ "$bad" = 0 ] || { echo "non-2xx answers for $who" >&2; exit 1; }
done
[ -n "${PERF_USER:-}" ] && { wrk -t"$THREADS" -c"$CONNS" -d12s -s "$WORK/user.lua" "$EP" >/dev/null 2>&1 & perf record -F 999 -g -p $PID -o /tmp/authz.perf -- sleep 8 >/dev/null 2>&1; wait; }
"$PYTHON" -c "print(f'user/root throughput ratio: {float($RPS_user)/float($RPS_root):.2f}')"
