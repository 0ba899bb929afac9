"""Local matching: the site's view of its own social enterprises, their capacity, and the ranked shortlist.

- `store`: the projection (built from the registry's events) and the capacity commitments.
- `consumers`: how registry events update the projection.
- `capacity`, `ranking`, `split`: pure domain code (no I/O), importable by the hub.
- `service`: what the rest of the enquiries service calls: `shortlist`, `reserve`, `release`,
  `free_capacity`.
"""
