"""Who may act as a social enterprise on enquiries: an organisation the projection knows as an active
social enterprise (registry events only, never the registry's tables). It sees the enquiries open for
proposals that share a CPV division with one of its published offers (the shortlist's own prefilter),
and proposes only with its own published offers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Connection

from services.enquiries.matching import store


@dataclass(frozen=True)
class SocialEnterprise:
    organisation_id: str
    divisions: frozenset[str]  # the CPV divisions of its published offers

    def fits(self, cpv_codes: Iterable[str]) -> bool:
        return any(code[:2] in self.divisions for code in cpv_codes)


def social_enterprise(conn: Connection, organisation_id: str | None) -> SocialEnterprise | None:
    """The organisation as an active social enterprise, or None (another kind, withdrawn, unknown)."""
    if not organisation_id or not store.is_active_social_enterprise(conn, organisation_id):
        return None
    return SocialEnterprise(organisation_id, frozenset(store.published_offer_divisions(conn, organisation_id)))


def offers_own(conn: Connection, organisation_id: str, offer_id: str) -> bool:
    """Whether `offer_id` is a published offer of the organisation."""
    return store.is_published_offer_of(conn, str(offer_id), organisation_id)
