-- The PostgreSQL role the service runs as in production: it reads and appends events and
-- their hash-chain links and can never change or remove them.
--
-- 1. As the owner of the schema (not the service role), create the event tables:
--        VL_DATABASE_URL=postgresql://owner@host/db volunteer-ledger db init
-- 2. Create the service role once (choose your own password):
--        CREATE ROLE volunteer_ledger LOGIN PASSWORD '...';
-- 3. As the owner, grant it what it needs:
--        psql postgresql://owner@host/db -v role=volunteer_ledger -v schema=public \
--             -f deploy/postgres/service-role.sql
-- 4. Run the service as that role, without table management for the event store:
--        VL_DATABASE_URL=postgresql://volunteer_ledger:...@host/db VL_CREATE_EVENT_TABLES=false
--
-- The read models, users and idempotency records are the service's own tables: it
-- creates, fills and rebuilds them itself (hence CREATE on the schema).
-- Writers are serialised by a transaction-scoped advisory lock (no table lock, which
-- would need UPDATE privilege). Triggers refuse UPDATE, DELETE and TRUNCATE on events
-- and links for every role, the owner included.

\set ON_ERROR_STOP on
GRANT USAGE, CREATE ON SCHEMA :"schema" TO :"role";
REVOKE ALL ON :"schema".volunteerledger_events, :"schema".volunteerledger_events_chain FROM :"role";
GRANT SELECT, INSERT ON :"schema".volunteerledger_events, :"schema".volunteerledger_events_chain TO :"role";
GRANT USAGE ON SEQUENCE :"schema".volunteerledger_events_notification_id_seq TO :"role";
