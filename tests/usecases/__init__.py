"""The fast tier: a service's use cases run through its handlers on SQLite, in seconds, without PostgreSQL
or RabbitMQ (`make test-fast`, which adds the unit tests). Each test gets a fresh, fully migrated site
(conftest.py). The matching service's use cases run on PostgreSQL as well (marked `services`)."""
