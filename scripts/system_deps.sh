#!/usr/bin/env bash
# Debian packages the test tiers need: Chromium and its driver for browser tests, PostgreSQL for
# the database tests. Installs only what is missing, and only as root.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "system_deps: missing Debian packages: ${missing[*]}; install them as root:" \
        "apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "system_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
