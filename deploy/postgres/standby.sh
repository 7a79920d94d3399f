#!/usr/bin/env bash
# Make a streaming hot standby of a primary, and make it the primary's synchronous one.
#   deploy/postgres/standby.sh PGDATA PORT PRIMARY_HOST PRIMARY_PORT [NAME]
# Run as the server's OS user (postgres). PGDATA must not exist yet.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA=$1 PORT=$2 PRIMARY_HOST=$3 PRIMARY_PORT=$4 NAME=${5:-standby1}
SLOT=${NAME//[^a-z0-9_]/_}
PRIMARY="host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres dbname=postgres"

# The slot keeps the primary's WAL until this standby has it, even while it is down.
"$PGBIN/psql" -X -q -d "$PRIMARY" -v ON_ERROR_STOP=1 -c \
  "SELECT pg_create_physical_replication_slot('$SLOT') WHERE NOT EXISTS
     (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT')" >/dev/null
# -R writes standby.signal and primary_conninfo; -S streams through the slot.
"$PGBIN/pg_basebackup" -d "$PRIMARY application_name=$NAME" -D "$PGDATA" -R -S "$SLOT" \
  -X stream --checkpoint=fast
cat >>"$PGDATA/postgresql.auto.conf" <<CONF
port = $PORT
cluster_name = '$NAME'
CONF
"$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null
# From now on a commit on the primary waits until this standby has applied it.
"$PGBIN/psql" -X -q -d "$PRIMARY" -v ON_ERROR_STOP=1 \
  -c "ALTER SYSTEM SET synchronous_standby_names = '$NAME'" -c "SELECT pg_reload_conf()" >/dev/null
echo "standby $NAME up on port $PORT, synchronous for $PRIMARY_HOST:$PRIMARY_PORT"
