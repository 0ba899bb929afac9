"""Transitional (issue 12): the old `store` module's names, for code still reaching them as `store.X`
(`handlers` and `pages`, under other work while the registry was split).

They live in `tables`, `persistence`, `search`, `references`, `organisation_store`, `offer_store`,
`statement_store`, `confirmation_store` and `case_study_store`: import from those, and delete this
module once nothing imports it.
"""
from __future__ import annotations

from services.common.db import Page
from services.registry.case_study_store import load_case_study, save_case_study, search_case_studies
from services.registry.confirmation_store import (
    add_confirmation, confirmation_by_hash, end_confirmation, pending_confirmation_links,
)
from services.registry.offer_store import load_offer, published_offers_of, save_offer, search_offers
from services.registry.organisation_store import (
    load_organisation, registration_taken, save_organisation, search_organisations,
)
from services.registry.persistence import search_text, utcnow
from services.registry.references import next_reference
from services.registry.statement_store import (
    audit, audit_trail, forget_reasons, load_statement, save_statement, search_statements,
)
from services.registry.tables import (
    COMPONENT, case_study, case_study_cpv, confirmation_mail, counter, metadata, offer, offer_cpv, organisation,
    statement_audit, statement_confirmation, support_statement,
)

__all__ = [
    "COMPONENT", "Page", "add_confirmation", "audit", "audit_trail", "case_study", "case_study_cpv",
    "confirmation_by_hash", "confirmation_mail", "counter", "end_confirmation", "forget_reasons", "load_case_study",
    "load_offer", "load_organisation", "load_statement", "metadata", "next_reference", "offer", "offer_cpv",
    "organisation", "pending_confirmation_links", "published_offers_of", "registration_taken", "save_case_study",
    "save_offer", "save_organisation", "save_statement", "search_case_studies", "search_offers",
    "search_organisations", "search_statements", "search_text", "statement_audit", "statement_confirmation",
    "support_statement", "utcnow",
]
