"""Queries over the read-model tables: the same code answers from live tables or a replay."""
