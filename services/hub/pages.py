"""The hub's page blueprints, for the composition root: the public pages (`web.public`), the agency
dashboard (`web.agency`) and the agency admin's operations (`web.operations_pages`). Templates are in
services/hub/web/templates.
"""
from __future__ import annotations

from services.hub.web import agency, operations_pages, public

BLUEPRINTS = [public.blp, agency.blp, operations_pages.blp]
