"""A read-model commit the store loses (a crash, a failover) is applied again, none skipped.

The runner commits read models without waiting for the WAL (or a standby): such a commit
can be lost while the runner goes on, its positions in memory ahead of the store's. The
store's rows and tracking row go back together; the runner must notice and apply the
events between again, not carry on from where it thought it was.
"""

from __future__ import annotations

from application.readmodel.catalogue import all_projections
from infrastructure.bootstrap import Container
from infrastructure.sqlstore import SqlStore
from tests.integration.projection_support import Workload, assert_equal_to_clean_replay
from tests.support.builders import volunteer

Saved = dict[str, list[dict[str, object]]]


def _save(store: SqlStore, container: Container) -> Saved:
    """Every read-model row and the tracking rows, as the store holds them now."""
    columns = ("projection", "position", "generation", "error", "updated_at")
    tracking = store.execute(f"SELECT {', '.join(columns)} FROM rm_tracking")
    saved: Saved = {"rm_tracking": [dict(zip(columns, row, strict=True)) for row in tracking]}
    for projection in all_projections(container.rulebook):
        for table in projection.tables:
            saved[table.name] = list(store.load_table(table).values())
    return saved


def _lose_commits_after(store: SqlStore, saved: Saved) -> None:
    """The store as it was when ``saved``: the commits since are lost."""
    with store.transaction() as tx:
        for name, rows in saved.items():
            tx.execute(f"DELETE FROM {name}")
            for row in rows:
                columns = list(row)
                tx.execute(
                    f"INSERT INTO {name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    tuple(row[c] for c in columns),
                )


def test_a_runner_whose_last_commits_were_lost_applies_their_events_again(
    container: Container,
) -> None:
    ledger = container.ledger
    work = Workload(ledger, 5)
    work.run(30)
    runner = container.runner(batch_size=7)
    runner.catch_up()
    saved = _save(container.store, container)
    work.run(work.recorded + 20)
    runner.catch_up()  # committed, as far as the runner knows
    _lose_commits_after(container.store, saved)
    volunteer(ledger, insured=False)  # the log goes on after the loss

    while runner.step():
        pass

    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)
