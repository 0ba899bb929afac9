"""The fast tier: use cases of a service run through its handlers on in-memory SQLite, in seconds
(`pytest tests/usecases -m "not services"`); the same tests run on PostgreSQL as well."""
