#!/usr/bin/env bash
# Debian packages the test tiers need: Chromium and its driver for browser tests, PostgreSQL for
# the database tests, npm for axe-core (the accessibility checks the browser tests run, installed
# by scripts/axe.sh). Installs only what is missing, and only as root.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "system_deps: missing Debian packages: ${missing[*]}; install them as root:" \
            "apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "system_deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

bash "$(dirname "${BASH_SOURCE[0]}")/axe.sh"
