"""The kernel: configuration, database, event envelope, bus, outbox, inbox, auth, API helpers.

No domain lives here, and nothing here imports a service.
"""
