#!/usr/bin/env bash
# Two builds of iamd side by side, root's signed IAM GetUser against each, alternating A, B
# three times, in one run: a before/after comparison of a change.
#
#   cp target/release/iamd /tmp/iamd-before; (change, rebuild); bench/http/ab.sh /tmp/iamd-before target/release/iamd
# Environment: DURATION (5s), THREADS (2), CONNS (32), PYTHON (python3), ROUNDS (3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
A=$1 B=$2
DURATION="${DURATION:-5s}" THREADS="${THREADS:-2}" CONNS="${CONNS:-32}" PYTHON="${PYTHON:-python3}"
ROUNDS="${ROUNDS:-3}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
WORK="$(mktemp -d)"; PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; rm -rf "$WORK"' EXIT
start() { # start NAME BIN -> prints the endpoint
  local port; port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  IAMD_LOG=warn "$2" serve --listen "127.0.0.1:$port" --data-dir "$WORK/$1" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
  local k s; k=$(sed -n 's/^aws_access_key_id *= *//p' "$WORK/$1/root-credentials")
  s=$(sed -n 's/^aws_secret_access_key *= *//p' "$WORK/$1/root-credentials")
  "$PYTHON" -c "import boto3; boto3.client('iam',endpoint_url='http://127.0.0.1:$port/',region_name='us-east-1',aws_access_key_id='$k',aws_secret_access_key='$s').create_user(UserName='bench')"
  "$PYTHON" "$HERE/sign_lua.py" "http://127.0.0.1:$port/" iam "Action=GetUser&Version=2010-05-08&UserName=bench" "$k" "$s" >"$WORK/$1.lua"
  echo "http://127.0.0.1:$port/"
}
EP_A=$(start a "$A"); EP_B=$(start b "$B")
SUM_A=0; SUM_B=0
for i in $(seq "$ROUNDS"); do
  for side in a b; do
    ep=EP_${side^^}
    rps=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$WORK/$side.lua" "${!ep}" | sed -n 's/^Requests\/sec: *//p')
    echo "$side round $i: $rps req/s"
    if [ "$side" = a ]; then SUM_A=$(echo "$SUM_A + $rps" | bc); else SUM_B=$(echo "$SUM_B + $rps" | bc); fi
  done
done
"$PYTHON" -c "print(f'B / A: {$SUM_B / $SUM_A:.3f}')"
