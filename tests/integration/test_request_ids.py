"""A client's request id is kept beside the server's correlation id, through the event, the
fast header reading and the audit trail, and an audit table made before it gains the column."""

from __future__ import annotations

from application.readmodel.tables import AUDIT_EVENT
from infrastructure.bootstrap import Container
from tests.support.builders import volunteer


def test_an_audit_table_made_before_request_ids_gains_the_column_and_keeps_its_rows(
    container: Container,
) -> None:
    old_columns = [
        f"{c} {'BIGINT' if AUDIT_EVENT.is_int(c) else 'TEXT'}"
        for c in AUDIT_EVENT.columns
        if c != "request_id"
    ]
    with container.store.transaction(ddl=True) as tx:
        tx.execute(f"CREATE TABLE au_event ({', '.join(old_columns)}, PRIMARY KEY (position))")
    container.runner().catch_up()  # a worker starting on the old table
    vid = volunteer(container.ledger, insured=False)
    container.runner().catch_up()

    [row] = container.store.select(AUDIT_EVENT, {"aggregate_id": str(vid)})
    assert row["correlation_id"] == "req-staff" and row["request_id"] is None
