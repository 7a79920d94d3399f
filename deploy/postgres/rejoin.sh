#!/usr/bin/env bash
# Turn a failed (or stopped) old primary into a streaming standby of the new primary.
#   deploy/postgres/rejoin.sh PGDATA PORT PRIMARY_HOST PRIMARY_PORT NAME
# Run as the server's OS user (postgres), with the old primary down. pg_rewind winds its
# data directory back to where the histories parted (it recovers a crashed one first), so
# the writes it had and the new primary never got are discarded: they were never
# acknowledged (synchronous_commit = remote_apply). Then it streams, as NAME, through a
# slot of that name, and becomes the new primary's synchronous standby.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA=$1 PORT=$2 PRIMARY_HOST=$3 PRIMARY_PORT=$4 NAME=$5
SLOT=${NAME//[^a-z0-9_]/_}
PRIMARY="host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres dbname=postgres"

# A killed postmaster's children exit when they notice; until then they hold its shared
# memory and pg_rewind cannot recover the directory. They run in it: wait for none to.
DIR=$(cd "$PGDATA" && pwd -P)
for _ in $(seq 600); do
  busy=$(for p in /proc/[0-9]*; do [ "$(readlink "$p/cwd" 2>/dev/null)" = "$DIR" ] && echo "$p"; done; true)
  [ -z "$busy" ] && break
  sleep 0.1
done
[ -z "$busy" ] || { echo "processes of the old server still run in $DIR: $busy" >&2; exit 1; }
# The killed postmaster can linger as a zombie (its parent, often init in a container,
# has not reaped it): its pid still "exists", so PostgreSQL would take the lock file for a
# live server's and pg_rewind's crash recovery refuse to start. Nothing runs in the
# directory (checked above), so the lock is stale.
rm -f "$PGDATA/postmaster.pid"

"$PGBIN/psql" -X -q -d "$PRIMARY" -v ON_ERROR_STOP=1 -c \
  "SELECT pg_create_physical_replication_slot('$SLOT') WHERE NOT EXISTS
     (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT')" >/dev/null
# A just-promoted primary states its new timeline in its control file only at its next
# checkpoint; before that pg_rewind sees one history and "rewinds" nothing.
"$PGBIN/psql" -X -q -d "$PRIMARY" -v ON_ERROR_STOP=1 -c "CHECKPOINT" >/dev/null
# -R: standby.signal and primary_conninfo (the configuration files come from the new
# primary, so this server's own port, name and slot are set again after).
"$PGBIN/pg_rewind" -D "$PGDATA" --source-server="$PRIMARY application_name=$NAME" -R \
  --restore-target-wal >/dev/null
cat >>"$PGDATA/postgresql.auto.conf" <<CONF
port = $PORT
cluster_name = '$NAME'
primary_slot_name = '$SLOT'
synchronous_standby_names = ''
CONF
test -f "$PGDATA/standby.signal" || { echo "pg_rewind left no standby.signal" >&2; exit 1; }
"$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null
"$PGBIN/psql" -X -q -d "$PRIMARY" -v ON_ERROR_STOP=1 \
  -c "ALTER SYSTEM SET synchronous_standby_names = '$NAME'" -c "SELECT pg_reload_conf()" >/dev/null
echo "$PGDATA rejoined as standby $NAME on port $PORT, synchronous for $PRIMARY_HOST:$PRIMARY_PORT"
