"""The fault-injection harness: sites, the hub and their workers under a broker that fails on purpose,
a TCP proxy that cuts or stalls links, private RabbitMQ nodes, and the checker of what the hub applied."""
