"""Read models: projections of the event log into query tables, queries over them, replay."""
