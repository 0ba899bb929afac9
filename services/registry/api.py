"""HTTP API of the registry: /api/v1/organisations, /offers, /support-statements, /case-studies.

Access (default deny; every method declares its rule):
- Public: reading active organisations (without their contact person), published offers and case
  studies, and filing a support statement (it is the paper form).
- site_admin and broker ("staff"): every write, reading withdrawn records (`status=withdrawn|all`),
  organisations' contact persons, and everything about support statements.
- member: publishes, edits and withdraws the offers of its own organisation (the token's
  organisation), and sees them when withdrawn; writes its own organisation's public profile (staff any).

One blueprint (`api_blueprint.blp`); the modules imported below add their views to it, in this order,
which is the order of the paths in the OpenAPI document. Request and response schemas are in `schemas`.
"""
from __future__ import annotations

from services.registry import organisation_api  # noqa: F401 - adds /organisations
from services.registry import profile_api  # noqa: F401 - adds /organisations/<id>/profile
from services.registry import offer_api  # noqa: F401 - adds /offers
from services.registry import statement_api  # noqa: F401 - adds /support-statements
from services.registry import supporter_api  # noqa: F401 - adds /support-statements/<id>/organisation
from services.registry import case_study_api  # noqa: F401 - adds /case-studies
from services.registry.api_blueprint import blp

__all__ = ["blp"]
