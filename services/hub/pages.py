"""The hub's page blueprints, for the composition root: the public pages (`web.public`) and the agency
dashboard (`web.agency`). Templates are in services/hub/web/templates. (The agency admin's operations on
streams and dead letters are the sync service's pages: services/sync/agency_pages.py.)
"""
from __future__ import annotations

from services.hub.community import pages as community_pages
from services.hub.criteria import pages as criteria_pages
from services.hub.impact import agency_pages as impact_agency_pages
from services.hub.impact import pages as impact_pages
from services.hub.handbook import pages as handbook_pages
from services.hub.experts import pages as experts_pages
from services.hub.labels import badge_pages
from services.hub.web import agency, public

BLUEPRINTS = [public.blp, agency.blp, badge_pages.blp, criteria_pages.blp, impact_pages.blp, impact_agency_pages.blp,
              community_pages.blp, handbook_pages.blp, experts_pages.blp]
