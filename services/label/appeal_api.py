"""HTTP API of appeals (issue 17, being built)."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("label_appeals", __name__, url_prefix="/api/v1", description="Appeals against label refusals, suspensions and revocations")
