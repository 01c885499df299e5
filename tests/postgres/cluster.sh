#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the test suite: `cluster.sh start|stop`.
# Data lives under /tmp; the server runs as the postgres user (initdb refuses root).
# The suite's cluster skips durability (fsync off) for speed; DURABLE=1 keeps PostgreSQL's
# defaults, as the benchmark does, so a commit costs what it costs in production; KEEP=1 keeps
# the data between runs (start reuses a cluster already in $PGDATA, stop leaves it there);
# PG_OPTIONS adds server settings ("-c shared_buffers=2GB").
set -euo pipefail
PGPORT="${PGPORT:-54329}"
PGDATA="${PGDATA:-/tmp/pledgedesk-pg-$PGPORT}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    # A cluster still running from this folder (another run on this machine) is refused, not
    # deleted under its feet: stop it first, or choose another PGPORT.
    if [ -f "$PGDATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      echo "a postgresql cluster is already running from $PGDATA; run '$0 stop' or set PGPORT" >&2
      exit 1
    fi
    if [ "${KEEP:-0}" != 1 ] || [ ! -f "$PGDATA/PG_VERSION" ]; then
      rm -rf "$PGDATA"; mkdir -p "$PGDATA"
      [ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
      as_pg "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    options="-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 ${PG_OPTIONS:-}"
    if [ "${DURABLE:-0}" != 1 ]; then
      options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o "$options" start >/dev/null
    echo "postgresql running on 127.0.0.1:$PGPORT (data in $PGDATA)"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    [ "${KEEP:-0}" = 1 ] || rm -rf "$PGDATA"
    echo "postgresql stopped"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
