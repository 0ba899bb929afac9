"""Events the label service publishes: one snapshot of the label after every decision or status change.

A label is public by nature (anyone may verify it): the holder is an organisation, never a person.
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from marshmallow import validate

from services.common.events import EventData, event_type
from services.contracts.events.registry import CPV

LABEL_STATUSES = ("valid", "suspended", "revoked", "expired")
LABEL_NUMBER = validate.Regexp(r"^SOPRO-[A-Z]{2}[0-9A-Z]{0,3}-[0-9]{4}-[0-9]{4,}$",
                               error="a label number looks like SOPRO-HU22-2026-0003")


class LabelData(EventData):
    label_id = ma.fields.UUID(required=True)
    number = ma.fields.String(required=True, validate=LABEL_NUMBER)
    application_id = ma.fields.UUID(required=True)
    holder_organisation_id = ma.fields.UUID(required=True)
    holder_name = ma.fields.String(required=True)
    product = ma.fields.String(required=True)
    cpv_codes = ma.fields.List(ma.fields.String(validate=CPV), required=True)
    catalogue_version = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(LABEL_STATUSES))
    valid_from = ma.fields.Date(required=True)
    valid_until = ma.fields.Date(required=True)
    suspended_until = ma.fields.Date(required=True, allow_none=True)
    reason = ma.fields.String(required=True, allow_none=True)


@dataclass(frozen=True)
class _LabelSnapshot:
    label_id: str
    number: str
    application_id: str
    holder_organisation_id: str
    holder_name: str
    product: str
    cpv_codes: list
    catalogue_version: int
    status: str
    valid_from: object
    valid_until: object
    suspended_until: object
    reason: str | None


@event_type("label.label.granted", LabelData)
class LabelGranted(_LabelSnapshot):
    """An approver (not the assessor) granted the label: its number and validity."""


@event_type("label.label.renewed", LabelData)
class LabelRenewed(_LabelSnapshot):
    """The label was renewed before it expired: a new validity period."""


@event_type("label.label.suspended", LabelData)
class LabelSuspended(_LabelSnapshot):
    """The label is suspended (at most 6 months), with a reason."""


@event_type("label.label.reinstated", LabelData)
class LabelReinstated(_LabelSnapshot):
    """A suspension ended; the label is valid again."""


@event_type("label.label.revoked", LabelData)
class LabelRevoked(_LabelSnapshot):
    """The label was revoked, with a reason."""


@event_type("label.label.expired", LabelData)
class LabelExpired(_LabelSnapshot):
    """The label's validity ended without renewal."""
