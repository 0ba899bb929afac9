"""Hand-rolled peers: what a competent engineer would write in ~100 lines to do a subject's work, measured
beside it (not the project's code, and not imported by it)."""
