"""Projections: each turns the events it handles into rows of its own tables."""
