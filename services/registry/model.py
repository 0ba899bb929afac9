"""Transitional (issue 12): the old `model` module's names, for code still reaching them as `model.X`
(`handlers` and `pages`, under other work while the registry was split).

The domain lives in `rules`, `organisations`, `offers`, `statements` and `case_studies` (references in
`references`): import from those, and delete this module once nothing imports it.
"""
from __future__ import annotations

from services.registry.case_studies import CaseStudy, Impact
from services.registry.offers import Offer
from services.registry.organisations import (
    SOCIAL_ENTERPRISE, Address, ContactPerson, Coordinates, Organisation, registration_key,
)
from services.registry.references import REFERENCE_LETTERS, reference
from services.registry.rules import ACTIVE, ERASED, PUBLISHED, WITHDRAWN
from services.registry.statements import (
    ERASURE_GROUNDS, PHONE_KINDS, Person, SupportStatement, erasure_ground, statement_problems,
)

__all__ = [
    "ACTIVE", "ERASED", "ERASURE_GROUNDS", "PHONE_KINDS", "PUBLISHED", "REFERENCE_LETTERS", "SOCIAL_ENTERPRISE",
    "WITHDRAWN", "Address", "CaseStudy", "ContactPerson", "Coordinates", "Impact", "Offer", "Organisation", "Person",
    "SupportStatement", "erasure_ground", "reference", "registration_key", "statement_problems",
]
