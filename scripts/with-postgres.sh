#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster:
#   bash scripts/with-postgres.sh <command> [args…]
# The cluster lives in a temporary directory, listens on 127.0.0.1 only, on a free port, and is
# stopped and removed when the command ends. The command finds it in P360_TEST_POSTGRES
# (postgresql://postgres@127.0.0.1:PORT/postgres; P360_TEST_POSTGRES_UNIX names the same server
# through its Unix socket); tests create their own databases in it, and
# stop or start the server with "$P360_TEST_POSTGRES_CTL stop|start" (restart tests).
# Needs no system service. PostgreSQL refuses to run as root, so as root the cluster belongs to
# the `postgres` account the Debian package creates.
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [[ ! -x "$PG_BIN/initdb" ]]; then
    echo "with-postgres: no PostgreSQL server binaries found (install postgresql)" >&2
    exit 1
fi

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cluster="$(mktemp -d /tmp/p360-pg.XXXXXX)"
chmod 755 "$cluster"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$cluster"
fi
cleanup() {
    as_owner "$PG_BIN/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap cleanup EXIT

port="$(free_port)"
# Trust on loopback is fine for a cluster that lives only as long as this command. The C locale
# keeps text ordering byte-wise, as in SQLite.
as_owner "$PG_BIN/initdb" -D "$cluster/data" -U postgres --auth=trust --locale=C \
    --encoding=UTF8 >/dev/null
cat >>"$cluster/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$cluster'
max_connections = 400
shared_buffers = 256MB
CONF
# More settings for this cluster, one per line (benchmarks: P360_POSTGRES_SETTINGS=$'a = 1\nb = 2').
if [[ -n "${P360_POSTGRES_SETTINGS:-}" ]]; then
    printf '%s\n' "$P360_POSTGRES_SETTINGS" >>"$cluster/data/postgresql.conf"
fi

# Stops (fast: open sessions are cut) or starts the cluster; tests use it to restart the
# database under load.
cat >"$cluster/ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
run() { if [[ \$(id -u) -eq 0 ]]; then runuser -u postgres -- "\$@"; else "\$@"; fi; }
case "\$1" in
    stop) run "$PG_BIN/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null ;;
    start) run "$PG_BIN/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start >/dev/null ;;
    *) echo "usage: ctl stop|start" >&2; exit 2 ;;
esac
CTL
chmod 755 "$cluster/ctl"
"$cluster/ctl" start

export P360_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
export P360_TEST_POSTGRES_CTL="$cluster/ctl"
# The same server through its Unix socket, as a payer360 on the database's own machine would
# reach it.
export P360_TEST_POSTGRES_UNIX="postgresql://postgres@/postgres?host=$cluster&port=$port"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | grep -o '[0-9][0-9.]*' | head -n 1) on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
