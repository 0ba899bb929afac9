"""Spot-check pages (issue 17, being built)."""
from __future__ import annotations

from services.web import page_blueprint

blp = page_blueprint("label_spot_check_pages", __name__)
