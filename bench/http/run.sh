#!/usr/bin/env bash
# HTTP load benchmark: authenticated STS GetCallerIdentity over loopback, iamd vs moto_server,
# same client workload (wrk replaying one SigV4-signed request), same run, same machine.
#
#   IAMD_BIN=target/release/iamd bench/http/run.sh
#
# Environment:
#   IAMD_BIN   release binary (default: <repo>/target/release/iamd; this script builds nothing)
#   DURATION   wrk duration per target (default 10s)    WARMUP    warm-up duration (default 2s)
#   THREADS    wrk threads (default 2)                  CONNS     wrk connections (default 32)
#   PYTHON     python with botocore (default python3)   SKIP_MOTO=1 to bench iamd alone
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
IAMD_BIN="${IAMD_BIN:-$REPO/target/release/iamd}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-32}"
PYTHON="${PYTHON:-python3}"
SKIP_MOTO="${SKIP_MOTO:-0}"

export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

die() { echo "bench/http: $*" >&2; exit 1; }

[ -x "$IAMD_BIN" ] || die "no iamd binary at $IAMD_BIN (cargo build --release -p iamd, or set IAMD_BIN)"
"$PYTHON" -c 'import botocore' 2>/dev/null || die "$PYTHON cannot import botocore (pip install -r tests/compat/requirements.txt)"
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench/http: installing wrk" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq wrk >/dev/null || die "could not install wrk"
fi
if [ "$SKIP_MOTO" != 1 ]; then
  command -v moto_server >/dev/null 2>&1 || die "moto_server not found (pip install 'moto[server]', or SKIP_MOTO=1)"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/iamd-bench.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # url seconds
  local url=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

check_200() { # name lua endpoint: replay the signed request once with curl and show what came back
  local name=$1 lua=$2 endpoint=$3 out status
  out="$WORK/$name.check"
  status=$("$PYTHON" - "$lua" "$endpoint" "$out" <<'EOF'
import re, sys, urllib.request
lua, endpoint, out = sys.argv[1:]
src = open(lua).read()
body = re.search(r'^wrk\.body = "(.*)"$', src, re.M).group(1)
hdrs = dict(re.findall(r'^wrk\.headers\["(.*?)"\] = "(.*)"$', src, re.M))
req = urllib.request.Request(endpoint, data=body.encode(), headers=hdrs, method="POST")
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        status, data = r.status, r.read()
except urllib.error.HTTPError as e:
    status, data = e.code, e.read()
open(out, "wb").write(data)
print(status)
EOF
)
  if [ "$status" != 200 ] || ! grep -q "GetCallerIdentityResult" "$out"; then
    echo "bench/http: $name answered $status to the signed request:" >&2
    head -c 600 "$out" >&2; echo >&2
    return 1
  fi
}

run_wrk() { # name endpoint lua -> prints wrk output to $WORK/name.wrk
  local name=$1 endpoint=$2 lua=$3
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$lua" "$endpoint" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$lua" "$endpoint" >"$WORK/$name.wrk" 2>&1
}

summ() { # name -> "rps p50 p99 avg non2xx errors"
  "$PYTHON" - "$WORK/$1.wrk" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def g(p, d="-"):
    m = re.search(p, t, re.M)
    return m.group(1) if m else d
rps = g(r"^Requests/sec:\s+([\d.]+)")
avg = g(r"^\s+Latency\s+(\S+)")
p50 = g(r"^\s+50%\s+(\S+)")
p99 = g(r"^\s+99%\s+(\S+)")
non2xx = g(r"Non-2xx or 3xx responses:\s+(\d+)", "0")
errs = g(r"Socket errors:\s+(.*)$", "none")
total = g(r"^\s+(\d+) requests in")
print(rps, p50, p99, avg, non2xx, total, errs.replace(" ", "_"), sep="\t")
EOF
}

# ---- iamd ------------------------------------------------------------------------------------
IAMD_PORT=$(free_port)
IAMD_EP="http://127.0.0.1:$IAMD_PORT/"
"$IAMD_BIN" serve --listen "127.0.0.1:$IAMD_PORT" --data-dir "$WORK/iamd-data" >"$WORK/iamd.log" 2>&1 &
PIDS+=($!)
wait_http "${IAMD_EP}healthz" 15 || { cat "$WORK/iamd.log" >&2; die "iamd did not become healthy"; }
KEY=$(sed -n 's/^aws_access_key_id *= *//p' "$WORK/iamd-data/root-credentials")
SECRET=$(sed -n 's/^aws_secret_access_key *= *//p' "$WORK/iamd-data/root-credentials")
"$PYTHON" "$HERE/sign_request.py" "$IAMD_EP" "$KEY" "$SECRET" "$WORK/iamd.lua"
check_200 iamd "$WORK/iamd.lua" "$IAMD_EP" || die "iamd refused the signed request"

# ---- moto ------------------------------------------------------------------------------------
if [ "$SKIP_MOTO" != 1 ]; then
  MOTO_PORT=$(free_port)
  MOTO_EP="http://127.0.0.1:$MOTO_PORT/"
  moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
  PIDS+=($!)
  wait_http "${MOTO_EP}moto-api/" 30 || { cat "$WORK/moto.log" >&2; die "moto_server did not start"; }
  # moto checks no signatures; sign with any key so it does the same parsing work per request.
  "$PYTHON" "$HERE/sign_request.py" "$MOTO_EP" "AKIAIOSFODNN7EXAMPLE" "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" "$WORK/moto.lua"
  check_200 moto "$WORK/moto.lua" "$MOTO_EP" || die "moto_server refused the signed request"
fi

echo "authenticated STS GetCallerIdentity over loopback: wrk -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP), $(nproc) cores"
run_wrk iamd "$IAMD_EP" "$WORK/iamd.lua"
[ "$SKIP_MOTO" = 1 ] || run_wrk moto "$MOTO_EP" "$WORK/moto.lua"

printf '%-6s %12s %10s %10s %10s %9s %10s  %s\n' target "req/s" p50 p99 avg non-2xx requests socket-errors
for name in iamd moto; do
  [ -f "$WORK/$name.wrk" ] || continue
  IFS=$'\t' read -r rps p50 p99 avg non2xx total errs < <(summ "$name")
  printf '%-6s %12s %10s %10s %10s %9s %10s  %s\n' "$name" "$rps" "$p50" "$p99" "$avg" "$non2xx" "$total" "$errs"
  eval "RPS_$name=$rps NON2XX_$name=$non2xx"
done
if [ "$SKIP_MOTO" != 1 ]; then
  "$PYTHON" -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'iamd/moto throughput ratio: {a/b:.1f}x' if b else 'moto served nothing')" "$RPS_iamd" "$RPS_moto"
fi
status=0
for name in iamd moto; do
  v="NON2XX_$name"; [ -n "${!v:-}" ] || continue
  if [ "${!v}" != 0 ]; then echo "bench/http: $name answered ${!v} non-2xx responses" >&2; status=1; fi
done
if [ -n "${BENCH_VERBOSE:-}" ]; then for f in "$WORK"/*.wrk; do echo "--- $f"; cat "$f"; done; fi
exit $status
