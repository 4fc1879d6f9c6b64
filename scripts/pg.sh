#!/usr/bin/env bash
# A private, throwaway PostgreSQL for the test suite: its own data folder, listening only on
# 127.0.0.1, never the machine's own cluster.
#   scripts/pg.sh start   initdb if needed, start, create database csc_test, print its URL
#   scripts/pg.sh stop    stop it (no-op when it is not running)
#   scripts/pg.sh url     print the URL of the running server
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME=csc_test
FIRST_PORT=${CSC_PG_PORT:-55432}

pg_bin() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    local dir
    dir=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        echo "pg.sh: PostgreSQL server binaries not found; run scripts/system_deps.sh as root" >&2
        exit 1
    fi
    echo "$dir"
}

# initdb and postgres refuse to run as root, so as root the server runs as the postgres user,
# which must be able to reach its folder; a repository under a private home folder falls back
# to a folder in /tmp named after the repository path.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

choose_root() {
    local root="$REPO/.cache/pg"
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "pg.sh: running as root needs the 'postgres' OS user (apt-get install postgresql)" >&2
            exit 1
        fi
        mkdir -p "$root"
        chown postgres: "$root"
        if ! runuser -u postgres -- test -w "$root"; then
            root="${TMPDIR:-/tmp}/csc-pg-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)"
            mkdir -p "$root"
            chown postgres: "$root"
            chmod 700 "$root"
        fi
    else
        mkdir -p "$root"
    fi
    echo "$root"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_running() {
    [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

url() {
    echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$ROOT/port")/$DB_NAME"
}

start() {
    if is_running; then
        url
        return
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$DATA"
        as_owner mkdir -p "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
            >"$ROOT/initdb.log" 2>&1 || {
            cat "$ROOT/initdb.log" >&2
            echo "pg.sh: initdb failed (log above)" >&2
            exit 1
        }
    fi
    local port=$FIRST_PORT
    while port_in_use "$port"; do
        port=$((port + 1))
        if [ "$port" -gt $((FIRST_PORT + 100)) ]; then
            echo "pg.sh: no free port in $FIRST_PORT..$((FIRST_PORT + 100))" >&2
            exit 1
        fi
    done
    as_owner mkdir -p "$SOCKETS"
    # fsync off: the data are thrown away after the tests, and tests run much faster.
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$ROOT/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $SOCKETS -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        tail -n 30 "$ROOT/server.log" >&2 || true
        echo "pg.sh: PostgreSQL did not start (log above)" >&2
        exit 1
    fi
    echo "$port" >"$ROOT/port"
    if [ -z "$(as_owner "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
        as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"
    fi
    url
}

stop() {
    if is_running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
}

BIN=$(pg_bin)
ROOT=$(choose_root)
DATA="$ROOT/data"
SOCKETS="$ROOT/run"

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url)
        if is_running; then url; else echo "pg.sh: not running" >&2; exit 1; fi
        ;;
    *)
        echo "usage: scripts/pg.sh start|stop|url" >&2
        exit 2
        ;;
esac
