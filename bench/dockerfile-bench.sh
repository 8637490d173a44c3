#!/usr/bin/env bash
# `stockade dockerfile lint` on all Dockerfiles of ../shared/corpus/dockerfiles vs hadolint on
# ONE of them and on all of them (one process), same run, with hyperfine.
#
# usage: bench/dockerfile-bench.sh      env: SHARED=../shared PEERS=~/.cache/peers RUNS=30
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHARED=$(realpath "${SHARED:-$ROOT/../shared}")
PEERS=${PEERS:-$HOME/.cache/peers}
RUNS=${RUNS:-30}
C=$SHARED/corpus/dockerfiles
H=$PEERS/hadolint/bin/hadolint
[ -x "$H" ] || { echo "hadolint missing (see ../shared/peers/README.md)" >&2; exit 2; }
[ -n "${STOCKADE_PREBUILT:-}" ] || cargo build --release -q -p stockade
mapfile -t ALL < <(find "$C" -type f | sort)
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); ${#ALL[@]} Dockerfiles; $("$H" --version)"
# -i: both exit 1 on findings.
hyperfine -N -i --warmup 3 --runs "$RUNS" \
    -n "stockade: all ${#ALL[@]} files" "target/release/stockade dockerfile lint --no-config --format json $C" \
    -n "hadolint: 1 file (argo-cd/Dockerfile)" "$H --no-fail -f json $C/argoproj+argo-cd/Dockerfile" \
    -n "hadolint: all ${#ALL[@]} files, one process" "$H --no-fail -f json ${ALL[*]}"
