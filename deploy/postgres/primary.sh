#!/usr/bin/env bash
# Make a PostgreSQL 15 primary ready for a streaming standby and WAL archiving.
#   deploy/postgres/primary.sh PGDATA PORT ARCHIVE_DIR
# Run as the server's OS user (postgres). Creates the cluster if PGDATA is empty, sets
# replication and archiving up, starts it. docs/operations.md explains each setting.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGDATA=$1 PORT=$2 ARCHIVE=$3
SHARED_BUFFERS=${SHARED_BUFFERS:-128MB}

mkdir -p "$ARCHIVE"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=trust \
    --data-checksums >/dev/null
fi
cat >>"$PGDATA/postgresql.conf" <<CONF
# --- volunteer-ledger: primary with a streaming standby (deploy/postgres/primary.sh)
port = $PORT
listen_addresses = '127.0.0.1'
shared_buffers = $SHARED_BUFFERS
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
wal_log_hints = on                # lets pg_rewind turn a failed primary into a standby
# a write is acknowledged once the standby has applied it: see docs/operations.md
synchronous_commit = remote_apply
# synchronous_standby_names is set by standby.sh once the standby streams
archive_mode = on
# never overwrite a segment already archived; a failure is retried and shows in
# pg_stat_archiver (the "archive failures" alarm)
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
archive_timeout = 60              # a quiet hour still archives a segment a minute
# used only in recovery: a standby fetching what its slot no longer holds, and pg_rewind
# (rejoin.sh) finding the WAL from before the histories parted
restore_command = 'cp $ARCHIVE/%f %p'
CONF
# replication connections from this host (use scram-sha-256 and a password across hosts)
echo "host replication postgres 127.0.0.1/32 trust" >>"$PGDATA/pg_hba.conf"
"$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null
echo "primary up on port $PORT, archiving to $ARCHIVE"
