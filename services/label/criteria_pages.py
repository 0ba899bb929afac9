"""The network's criteria catalogues at a site (issue 17, being built)."""
from __future__ import annotations

from services.web import page_blueprint

blp = page_blueprint("label_criteria_pages", __name__)
