#!/usr/bin/env bash
# Fetches genuine Sigstore test data from PyPI into a cache directory and (with --update)
# refreshes the small copies kept in crates/stockade-image/tests/fixtures/sigstore/:
#
#   - Sigstore bundles made by real signers against the public-good (and staging) Fulcio and
#     Rekor, shipped as test assets in the `pypi-attestations` sdist (Apache-2.0);
#   - the production and staging `trusted_root.json` that the `sigstore` wheel (sigstore-python,
#     Apache-2.0) ships as its TUF bootstrap.
#
#   scripts/fetch-sigstore-fixtures.sh [--update] [CACHE_DIR]
#
# CACHE_DIR defaults to ~/.cache/stockade/sigstore-fixtures. Needs pip.
set -euo pipefail

cd "$(dirname "$0")/.."
UPDATE=0
if [ "${1:-}" = --update ]; then UPDATE=1; shift; fi
CACHE=${1:-$HOME/.cache/stockade/sigstore-fixtures}
FIXTURES=crates/stockade-image/tests/fixtures/sigstore
ATTESTATIONS=pypi-attestations==0.0.30
SIGSTORE=sigstore==4.5.1
mkdir -p "$CACHE"

if [ ! -d "$CACHE/pypi_attestations-0.0.30" ]; then
    python3 -m pip download -q --no-deps --no-binary :all: "$ATTESTATIONS" -d "$CACHE"
    tar xzf "$CACHE/pypi_attestations-0.0.30.tar.gz" -C "$CACHE"
fi
if [ ! -d "$CACHE/sigstore-wheel" ]; then
    python3 -m pip download -q --no-deps --only-binary :all: "$SIGSTORE" -d "$CACHE"
    python3 -m zipfile -e "$CACHE"/sigstore-4.5.1-py3-none-any.whl "$CACHE/sigstore-wheel"
fi

ASSETS=$CACHE/pypi_attestations-0.0.30/test/assets
STORE=$CACHE/sigstore-wheel/sigstore/_store
echo "bundles:       $ASSETS/*.sigstore"
echo "trusted roots: $STORE/*/trusted_root.json"

if [ "$UPDATE" = 1 ]; then
    cp "$ASSETS/pypi_attestation_models-0.0.4a2.tar.gz.sigstore" "$FIXTURES/production-dsse.sigstore.json"
    cp "$ASSETS/rfc8785-0.1.2-py3-none-any.whl.sigstore" "$FIXTURES/staging-dsse.sigstore.json"
    cp "$STORE/https%3A%2F%2Ftuf-repo-cdn.sigstore.dev/trusted_root.json" "$FIXTURES/trusted_root.production.json"
    cp "$STORE/https%3A%2F%2Ftuf-repo-cdn.sigstage.dev/trusted_root.json" "$FIXTURES/trusted_root.staging.json"
    echo "updated $FIXTURES"
fi
