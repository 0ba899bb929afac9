"""How events move: the outbox relay, the consumer runner, the pull feed and reconciliation."""
