"""What every hub API shares: the member sites and the query parameters' validators (a paged answer
is the kernel's `Page.as_dict()`). The APIs themselves are one per capability (`register.api`, `enquiries.api`,
`labels.api`, `crossborder.api`); `services.hub.api` lists their blueprints.
"""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import validate

from services.common.fields import storable as _storable
from services.common.runtime import current_runtime

CPV_PREFIX = validate.Regexp(r"^[0-9]{1,8}$", error="a CPV prefix is one to eight digits, e.g. 452")
NUTS_PREFIX = validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{0,3}$", error="a NUTS code or prefix, e.g. AT or AT12 or AT127")
STRICT_QUERY = {"location": "query", "unknown": ma.RAISE}


def search_text(description: str) -> ma.fields.String:
    """A free-text query parameter: one to 200 characters the database can compare."""
    return ma.fields.String(validate=[validate.Length(min=1, max=200), _storable],
                            metadata={"description": description})


def member_site_ids() -> list[str]:
    return [s.id for s in current_runtime().settings.federation.member_sites]


def _known_site(value: str) -> None:
    known = member_site_ids()
    if value not in known:
        raise ma.ValidationError(f"unknown site; one of {', '.join(known)}")

class SiteQuery(ma.Schema):
    site = ma.fields.String(validate=_known_site, metadata={"description": "only this site (NUTS-2 id)"})


class UtcDateTime(ma.fields.DateTime):
    """Times are stored in UTC; SQLite hands them back without an offset, so say it is UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)
