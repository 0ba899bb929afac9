"""Every event type of the federation, by the service that publishes it.

`declared_types()` lists them from the modules imported here, explicitly: no type registers
itself as a side effect of some other import.
"""
from __future__ import annotations

from services.contracts.events import community, criteria, enquiries, hub, label, registry

PUBLISHERS = (registry, enquiries, label, hub, criteria, community)


def declared_types() -> dict[tuple[str, int], type]:
    """{(type name, version): dataclass} of every declared event type."""
    found: dict[tuple[str, int], type] = {}
    for module in PUBLISHERS:
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and hasattr(value, "TYPE"):
                key = (value.TYPE, value.VERSION)
                if key in found:
                    raise ValueError(f"event type {key[0]} v{key[1]} is declared twice")
                found[key] = value
    return dict(sorted(found.items()))
