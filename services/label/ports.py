"""The label service's implementations of the contract's ports (`services.contracts.ports`), provided to
the other services by the composition root (`provides` of LABEL in `services.composition`)."""
from __future__ import annotations

from services.common.runtime import Runtime
from services.contracts.ports import ValidLabel
from services.label import handlers

REGISTER_PAGE = 200  # valid labels the register answers at most (as the catalogue always showed)


class PublicRegister:
    """`LabelRegister`: the public register of valid labels, the same answer as GET /api/v1/labels."""

    def __init__(self, runtime: Runtime):
        self._engine = runtime.engine

    def valid_labels(self, holder: str | None = None) -> dict[str, list[ValidLabel]]:
        page = handlers.search_labels(self._engine, holder=holder, cpv_division=None, status="valid",
                                      page=1, per_page=REGISTER_PAGE)
        found: dict[str, list[ValidLabel]] = {}
        for label in page.items:
            found.setdefault(label.holder_organisation_id, []).append(
                ValidLabel(number=label.number, holder_organisation_id=label.holder_organisation_id,
                           valid_until=label.valid_until))
        return found
