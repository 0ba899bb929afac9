"""The HTML pages of the enquiries service: every part's page blueprint (see each part's `pages`)."""
from __future__ import annotations

from services.enquiries._parts import part_modules


def blueprints() -> list:
    from services.enquiries.lifecycle import deal_pages  # noqa: F401 - adds negotiation views to the enquiry pages

    return [module.blp for module in part_modules("pages")]
