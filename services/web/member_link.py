"""Which organisation a site's user acts for: found by searching the site's member organisations
(the registry's `MemberDirectory` port) and shown by name, never typed or shown as an id.

The hub keeps no members: its app provides no directory, and its users are linked to none.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from services.common.ports import MissingPort, port
from services.contracts.ports import MemberDirectory, MemberOrganisation

MAX_FOUND = 20


def member_directory() -> MemberDirectory | None:
    try:
        return port(MemberDirectory)
    except MissingPort:
        return None


@dataclass
class OrganisationSearch:
    """What the administrator searched for, what it found, and the organisation chosen so far."""

    text: str = ""
    found: list[MemberOrganisation] = field(default_factory=list)
    chosen: MemberOrganisation | None = None

    @property
    def choices(self) -> list[MemberOrganisation]:
        """The organisations offered: the chosen one first (even if the search no longer finds it)."""
        rest = [o for o in self.found if self.chosen is None or o.id != self.chosen.id]
        return ([self.chosen] if self.chosen else []) + rest


def search(directory: MemberDirectory | None, text: str, chosen_id: str = "") -> OrganisationSearch:
    text = text.strip()[:100]
    if directory is None:
        return OrganisationSearch(text)
    found = directory.find(text, MAX_FOUND) if text else []
    chosen = directory.named([chosen_id]).get(chosen_id) if chosen_id else None
    return OrganisationSearch(text, found, chosen)


def link_problems(directory: MemberDirectory | None, organisation_id: str, roles: list[str]) -> dict[str, list[str]]:
    """Field messages about the chosen organisation: it must be one of the site's, and a member acts for one."""
    if organisation_id and (directory is None or not directory.named([organisation_id])):
        return {"organisation_id": [_("Please choose an organisation from the search results.")]}
    if "member" in roles and not organisation_id and directory is not None:
        return {"organisation_id": [_("A member acts for an organisation: search for it and choose it.")]}
    return {}


def names_of(directory: MemberDirectory | None, ids) -> dict[str, MemberOrganisation]:
    ids = [i for i in ids if i]
    return directory.named(ids) if directory is not None and ids else {}
