"""The library's pages (being written)."""
from __future__ import annotations

from services.web import page_blueprint

blp = page_blueprint("community_library_pages", __name__)
