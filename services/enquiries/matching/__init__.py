"""Local matching: the site's view of its own social enterprises, their capacity, and the ranked shortlist.

- `store`: the projection (built from the registry's events) and the capacity commitments.
- `consumers`: how registry events update the projection.
- `ranking`, `split`: pure domain code (no I/O); free capacity is the contract's (`services.contracts.capacity`).
- `service`: what the rest of the enquiries service calls: `shortlist`, `reserve`, `release`,
  `free_capacity`.
"""
