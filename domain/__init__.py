"""The domain: aggregates, value objects, the rulebook model and pure policies.

Imports nothing of ours, and of the library only ``eventsourcing.domain``.
"""
