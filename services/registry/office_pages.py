"""The staff's (brokers' and site administrators') pages of the registry: member organisations, their offers,
case studies, a delivery among them, and the supporters' newsletter. Members get the kernel's 403 page.

One blueprint (`office_blueprint.blp`); the modules imported below add their views to it.
"""
from __future__ import annotations

from services.registry import office_organisation_pages  # noqa: F401 - adds /office/organisations
from services.registry import office_offer_pages  # noqa: F401 - adds the organisations' offers
from services.registry import office_case_study_pages  # noqa: F401 - adds /office/case-studies
from services.registry import newsletter_pages  # noqa: F401 - adds /office/newsletter
from services.registry.office_blueprint import blp

__all__ = ["blp"]
