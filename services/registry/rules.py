"""What every record of the registry obeys: its states, and how a rule it breaks is reported.

No I/O. A broken rule raises `Invalid` (422, with field messages); an action the record's state does
not allow raises `Conflict` (409, naming the current state).
"""
from __future__ import annotations

from services.common.changes import apply_changes
from services.common.errors import Conflict, Invalid
from services.contracts import cpv

ACTIVE, WITHDRAWN, PUBLISHED, ERASED = "active", "withdrawn", "published", "erased"


def require_state(kind: str, current: str, allowed: tuple[str, ...], action: str) -> None:
    if current not in allowed:
        raise Conflict(f"cannot {action} a {kind} that is {current}", code=f"{kind}_{current}")


def check_cpv(codes: list[str], field_name: str = "cpv_codes") -> None:
    unknown = {str(i): [f"{code} is not a CPV 2008 code"] for i, code in enumerate(codes) if not cpv.is_known(code)}
    if unknown:
        raise Invalid(f"{field_name}: unknown CPV codes", {field_name: unknown})


class Changeable:
    """Applies a set of changes and reports whether anything changed, so that an update changing
    nothing records nothing: a repeated PATCH neither bumps the version nor publishes an event."""

    def _apply(self, changes: dict) -> bool:
        return apply_changes(self, changes, self.UPDATABLE, self._check)
