"""The federation's contract: what the services and the hub agree on, and the only code they share.

- `events`: every event type a site or the hub publishes, with the schema of its data. The JSON Schemas
  in `schemas/events/` are generated from them (`sopro schemas generate`).
- `cpv` and `nuts`: the vocabularies events and requests are classified with (CPV 2008, NUTS-3).
- `fields`: the request field types several services' schemas are made of.

A service imports the kernel (`services.common`, `services.web`) and this package, never another
service; the hub imports no site service. `lint-imports` enforces it (pyproject.toml).
"""
