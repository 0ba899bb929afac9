"""The consultant directory: the site's experts, the CPV divisions they know and the languages they
consult in, and their public professional profile (profiles.py): shown only with their consent. No I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.common.changes import apply_changes
from services.common.errors import Conflict, Invalid, invalid
from services.contracts.experts import LANGUAGES, is_cpv_division
from services.enquiries.programmes import profiles


@dataclass
class Consultant:
    """An expert or consultant of the site. Personal data: stays at the site, appears in no event."""

    id: str
    name: str
    expertise: list[str]
    languages: list[str]
    active: bool = True
    version: int = 0
    region: str | None = None  # NUTS-2 or NUTS-3 of the site's country (the schema checks the country)
    summaries: dict[str, str] = field(default_factory=dict)  # a short professional summary per language
    publications: list[dict] = field(default_factory=list)  # {title, year, url or None}
    consent_at: datetime | None = None  # the public profile's consent: when it was given, and by which
    consent_by: str | None = None  # staff user it was recorded; None: no public profile

    UPDATABLE = ("name", "expertise", "languages", "active", "region", "summaries", "publications")

    @property
    def is_public(self) -> bool:
        return self.active and self.consent_at is not None

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
        self.summaries = profiles.check_summaries(self.summaries or {})
        self.publications = profiles.check_publications(self.publications or [])

    def record_consent(self, given: bool, by: str | None, now: datetime) -> bool:
        """Staff record the public profile's consent (or its withdrawal, which hides the profile at once)."""
        changes = profiles.consent_changes(given, self.consent_at, by, now)
        for name, value in changes.items():
            setattr(self, name, value)
        return bool(changes)

    def update(self, **changes) -> bool:
        changed = apply_changes(self, changes, self.UPDATABLE, self.check)
        if changed:
            self.version += 1
        return changed

    def require_active(self) -> None:
        if not self.active:
            raise Conflict(f"consultant {self.id} is inactive", {"consultant_id": ["the consultant is inactive"]},
                           code="consultant_inactive")
