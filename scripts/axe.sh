#!/usr/bin/env bash
# axe-core, the accessibility rules engine the browser tests inject into each page, from the npm
# registry into .cache/axe (ignored by git). Installs only when the pinned version is missing,
# so repeated `make test` runs cost nothing and need no network.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
AXE_VERSION="${AXE_VERSION:-4.11.0}"
PREFIX=.cache/axe
PACKAGE_JSON="$PREFIX/node_modules/axe-core/package.json"

installed=""
if [ -f "$PACKAGE_JSON" ]; then
    installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PACKAGE_JSON" | head -n 1)
fi
if [ "$installed" = "$AXE_VERSION" ] && [ -f "$PREFIX/node_modules/axe-core/axe.min.js" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "axe: npm is missing; install it (apt-get install -y npm) or run make test as root" >&2
    exit 1
fi
echo "axe: installing axe-core@$AXE_VERSION into $PREFIX"
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error \
    "axe-core@$AXE_VERSION"
test -f "$PREFIX/node_modules/axe-core/axe.min.js"
