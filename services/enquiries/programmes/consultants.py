"""The consultant directory: the site's experts, the CPV divisions they know and the languages they
consult in. No I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common.changes import apply_changes
from services.common.errors import Conflict, Invalid, invalid
from services.contracts import cpv  # pure: the CPV vocabulary

LANGUAGES = ("de", "hu", "en")


def is_cpv_division(code: str) -> bool:
    """`45` is a division of the CPV (45000000, construction work)."""
    return isinstance(code, str) and len(code) == 2 and code.isdigit() and cpv.is_known(code + "000000")


@dataclass
class Consultant:
    """An expert or consultant of the site. Personal data: stays at the site, appears in no event."""

    id: str
    name: str
    expertise: list[str]
    languages: list[str]
    active: bool = True
    version: int = 0

    UPDATABLE = ("name", "expertise", "languages", "active")

    @classmethod
    def enrol(cls, **fields) -> "Consultant":
        consultant = cls(**fields)
        consultant.check()
        consultant.version = 1
        return consultant

    def check(self) -> None:
        if not self.name or not self.name.strip():
            raise invalid("name", "must not be blank")
        self.expertise = sorted(set(self.expertise))
        self.languages = [lang for lang in LANGUAGES if lang in set(self.languages)]
        unknown = {str(i): [f"{code} is not a CPV division"] for i, code in enumerate(self.expertise)
                   if not is_cpv_division(code)}
        if unknown:
            raise Invalid("expertise: unknown CPV divisions", {"expertise": unknown})
        if not self.languages:
            raise invalid("languages", f"at least one of {', '.join(LANGUAGES)}")

    def update(self, **changes) -> bool:
        changed = apply_changes(self, changes, self.UPDATABLE, self.check)
        if changed:
            self.version += 1
        return changed

    def require_active(self) -> None:
        if not self.active:
            raise Conflict(f"consultant {self.id} is inactive", {"consultant_id": ["the consultant is inactive"]},
                           code="consultant_inactive")
