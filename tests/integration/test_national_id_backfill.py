"""One person, one record on a store written before national ids were claimed: the
backfill claims each id for the volunteer registered first with it, and names the later
registrations of the same person instead of choosing between them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.support.registrations import ONE, national_id_of, registered_before_claims


def test_the_command_line_lists_duplicates_and_exits_1(tmp_path: Path) -> None:
    """The same code on both stores: run once, on a SQLite file."""
    store = Settings(database_url=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    container = bootstrap(store)
    first = registered_before_claims(container.ledger, national_id_of(ONE))
    again = registered_before_claims(container.ledger, national_id_of(ONE))
    container.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = store.database_url
    env["VL_SEAL_KEY_PATH"] = str(tmp_path / "seal-key.pem")
    run = subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "volunteers", "claim-ids"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1, run.stdout + run.stderr
    assert "national ids claimed now: 1" in run.stdout
    assert f"duplicate: volunteer {again} has the national id of volunteer {first}" in run.stdout
