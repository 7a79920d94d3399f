"""Use cases (one eventsourcing Application), and later projections, queries and replay."""
