"""Infrastructure: settings, persistence wiring, transcodings, rulebook loading."""
