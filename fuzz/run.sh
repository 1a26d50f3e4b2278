#!/usr/bin/env bash
# Runs iamd's fuzz targets with AFL++ on the stable toolchain, one after another.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 seconds, every target)
#
# Installs cargo-afl when it is missing, builds the targets with `cargo afl build --release`,
# fuzzes each target for SECONDS from its seeds (fuzz/seeds/TARGET) and kept corpus
# (fuzz/corpus/TARGET), then prints executions, execs/s, corpus size, crashes and hangs.
# Findings go to a temporary directory; crashes and hangs are copied to fuzz/artifacts/TARGET/
# (not in git), and the minimised queue replaces fuzz/corpus/TARGET/ (in git, at most
# $FUZZ_CORPUS_CAP files).
#
# Everything runs under `nice -n 19`, and only one fuzzer runs at a time. Environment:
#   CARGO_TARGET_DIR   where to build (default fuzz/target)
#   FUZZ_CORPUS_CAP    the most files kept per corpus (default 300)
#   FUZZ_TIMEOUT_MS    AFL's per-input time limit (default 2000: the machines are shared)
#   FUZZ_NO_BUILD=1    use the binaries already built
#   FUZZ_KEEP_OUT=1    keep AFL's output directories (their paths are printed)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

all_targets=(policy_parse policy_validate query_decode json_input sigv4_parse token_open saml_parse aws_chunked)
secs="${1:-60}"
shift || true
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
    case " ${all_targets[*]} " in
        *" $t "*) ;;
        *) echo "unknown target: $t (targets: ${all_targets[*]})" >&2; exit 2 ;;
    esac
done
case "$secs" in ''|*[!0-9]*) echo "SECONDS must be a number, got: $secs" >&2; exit 2 ;; esac

dict_for() {
    case "$1" in
        policy_parse|policy_validate) echo dict/policy.dict ;;
        query_decode) echo dict/query.dict ;;
        json_input) echo dict/json.dict ;;
        sigv4_parse) echo dict/sigv4.dict ;;
        saml_parse) echo dict/saml.dict ;;
        *) echo "" ;;
    esac
}

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
cap="${FUZZ_CORPUS_CAP:-300}"
timeout_ms="${FUZZ_TIMEOUT_MS:-2000}"
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_NO_WARN_INSTABILITY=1

if ! cargo afl --version >/dev/null 2>&1; then
    echo "== installing cargo-afl (builds AFL++; needs a C compiler and make)"
    nice -n 19 cargo install cargo-afl --locked
fi
# cargo-afl builds AFL++ and its LLVM runtime for this rustc; redo it after a rustc update.
nice -n 19 cargo afl config --build >/dev/null 2>&1 || true

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "== building (cargo afl build --release)"
    nice -n 19 cargo afl build --release --bins
fi
bindir="$CARGO_TARGET_DIR/release"

# Corpus minimisation: AFL++'s afl-cmin.awk from cargo-afl's build. Its default afl-cmin (the
# Python one) saw no coverage for most of these targets here and kept no file, and
# afl-cmin.bash needs half an hour for a queue of 2,500 files (the awk one: 20 seconds).
cmin_awk="$(ls -t "${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/*/*/afl/bin/afl-cmin.awk 2>/dev/null | head -n 1 || true)"
if [ -n "$cmin_awk" ]; then
    afl_bin="$(dirname "$cmin_awk")"
    cmin=(env AFL_PATH="$afl_bin" PATH="$afl_bin:$PATH" bash "$cmin_awk")
else
    cmin=(cargo afl cmin)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/iamd-fuzz.XXXXXX")"
if [ "${FUZZ_KEEP_OUT:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi

summary=()
status=0
for t in "${targets[@]}"; do
    bin="$bindir/$t"
    in="$work/$t-in"
    out="$work/$t-out"
    mkdir -p "$in" "corpus/$t"
    cp seeds/"$t"/* "$in"/ 2>/dev/null || true
    find "corpus/$t" -maxdepth 1 -type f ! -name .gitkeep -exec cp {} "$in"/ \;
    dict="$(dict_for "$t")"
    dict_args=()
    if [ -n "$dict" ]; then dict_args=(-x "$dict"); fi
    echo "== $t: ${secs}s from $(ls "$in" | wc -l) inputs -> $out"
    # -V: run time in seconds; -t: per-input time limit.
    nice -n 19 cargo afl fuzz -i "$in" -o "$out" -V "$secs" -t "$timeout_ms" "${dict_args[@]}" \
        -- "$bin" > "$work/$t.log" 2>&1 || { echo "   afl-fuzz failed; its log:"; tail -30 "$work/$t.log"; status=1; }

    stats="$out/default/fuzzer_stats"
    afl_stat() { awk -F' *: *' -v k="$1" '$1==k {print $2}' "$stats" 2>/dev/null; }
    execs="$(afl_stat execs_done)"; rate="$(afl_stat execs_per_sec)"; count="$(afl_stat corpus_count)"
    crashes="$(afl_stat saved_crashes)"; hangs="$(afl_stat saved_hangs)"; runtime="$(afl_stat run_time)"
    : "${crashes:=$(afl_stat unique_crashes)}" "${hangs:=$(afl_stat unique_hangs)}"

    # Findings: kept out of git, for reproduction (`target/release/TARGET < FILE` under a
    # plain build, see README.md).
    for kind in crashes hangs; do
        if ls "$out/default/$kind"/id:* >/dev/null 2>&1; then
            mkdir -p "artifacts/$t/$kind"
            for f in "$out/default/$kind"/id:*; do
                cp "$f" "artifacts/$t/$kind/$(sha1sum "$f" | cut -c1-16)"
            done
            echo "   $kind copied to fuzz/artifacts/$t/$kind/"
        fi
    done

    # The new corpus: the queue and the old corpus, minimised (seeds stay in seeds/).
    if [ -d "$out/default/queue" ]; then
        pool="$work/$t-pool"; min="$work/$t-min"
        mkdir -p "$pool"
        for f in "$out/default/queue"/id:* corpus/"$t"/*; do
            [ -f "$f" ] || continue
            cp "$f" "$pool/$(sha1sum "$f" | cut -c1-16)"
        done
        if nice -n 19 "${cmin[@]}" -i "$pool" -o "$min" -t "$timeout_ms" -- "$bin" \
                > "$work/$t-cmin.log" 2>&1 && ls "$min"/* >/dev/null 2>&1; then
            :
        else
            echo "   afl-cmin failed (log: $work/$t-cmin.log); keeping the queue unminimised"
            rm -rf "$min"; cp -r "$pool" "$min"
        fi
        # Drop inputs identical to a seed, then keep the smallest $cap.
        for s in seeds/"$t"/*; do
            [ -f "$s" ] && rm -f "$min/$(sha1sum "$s" | cut -c1-16)"
        done
        find "corpus/$t" -maxdepth 1 -type f ! -name .gitkeep -delete
        # (`ls` may die of SIGPIPE when `head` has enough: not a failure.)
        { ls -Sr "$min" || true; } | head -n "$cap" | while read -r f; do cp "$min/$f" "corpus/$t/$f"; done
        touch "corpus/$t/.gitkeep"
    fi
    kept="$(find "corpus/$t" -maxdepth 1 -type f ! -name .gitkeep | wc -l)"
    line="$(printf '%-16s %6ss %12s execs %9s/s  queue %5s  kept %4s  crashes %s  hangs %s' \
        "$t" "${runtime:-?}" "${execs:-?}" "${rate:-?}" "${count:-?}" "$kept" "${crashes:-?}" "${hangs:-?}")"
    echo "   $line"
    summary+=("$line")
    if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then status=1; fi
done

echo
echo "== summary (run time, executions, execs/s, AFL queue, corpus kept, crashes, hangs)"
printf '%s\n' "${summary[@]}"
if [ "${FUZZ_KEEP_OUT:-0}" = 1 ]; then echo "AFL output kept in $work"; fi
exit "$status"
