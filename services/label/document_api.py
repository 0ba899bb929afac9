"""HTTP API of evidence documents (issue 17, being built)."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("label_documents", __name__, url_prefix="/api/v1", description="Evidence documents of label applications")
