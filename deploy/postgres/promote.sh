#!/usr/bin/env bash
# Fail over: promote the standby to primary, running without a synchronous standby.
#   deploy/postgres/promote.sh PGDATA
# Run as the server's OS user (postgres), once the old primary is known to be down
# (stopped, or fenced off): two primaries would both accept writes.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA=$1
"$PGBIN/pg_ctl" -D "$PGDATA" -w promote >/dev/null
PORT=$("$PGBIN/postgres" -D "$PGDATA" -C port)
# There is no standby left to wait for: until one is rebuilt (docs/operations.md, "fail
# back"), commits are acknowledged once on this server's disk.
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()" >/dev/null
echo "promoted $PGDATA (port $PORT): now the primary, no synchronous standby"
