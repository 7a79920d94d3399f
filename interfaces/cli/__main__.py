"""``python -m interfaces.cli``: the same command line as ``volunteer-ledger``."""

from interfaces.cli.main import app

app(prog_name="volunteer-ledger")
