"""Request and response schemas of the community events API (/api/v1/community-events).

Request bodies refuse unknown fields; texts are checked for what the database would choke on; the event's
rules beyond one field (a start in the future, the end after it) are the model's, also a 422.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.fields import patch_schema, storable
from services.community.calendar.model import MAX_CAPACITY
from services.contracts.events.community import EVENT_KINDS, EVENT_SCOPES, LANGUAGES, NUTS3, SUMMARY_MAX, TITLE_MAX


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def Line(max_length: int, **kwargs):
    return ma.fields.String(validate=[validate.Length(min=1, max=max_length), storable], **kwargs)


class CommunityEventTextSchema(Strict):
    language = ma.fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    title = Line(TITLE_MAX, required=True)
    summary = ma.fields.String(load_default="", validate=[validate.Length(max=SUMMARY_MAX), storable])


class CommunityEventSchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    scope = ma.fields.String(load_default="site", validate=validate.OneOf(EVENT_SCOPES))
    platform_forum = ma.fields.Boolean(load_default=False)
    texts = ma.fields.List(ma.fields.Nested(CommunityEventTextSchema), required=True,
                           validate=validate.Length(min=1, max=len(LANGUAGES)))
    languages = ma.fields.List(ma.fields.String(validate=validate.OneOf(LANGUAGES)), required=True,
                               validate=validate.Length(min=1, max=len(LANGUAGES)))
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    venue = Line(300, required=True)
    country = ma.fields.String(dump_only=True)
    nuts3 = ma.fields.String(load_default=None, allow_none=True, validate=NUTS3)
    capacity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    status = ma.fields.String(dump_only=True)
    registered = ma.fields.Integer(dump_only=True)
    waiting = ma.fields.Integer(dump_only=True)
    seats_left = ma.fields.Integer(dump_only=True)


class CommunityEventChanges(CommunityEventSchema):
    """A PATCH body: any of the fields (its own name in the API's description)."""


CommunityEventPatch = patch_schema(CommunityEventChanges)


class CommunityEventQuery(ma.Schema):
    kind = ma.fields.String(validate=validate.OneOf(EVENT_KINDS))


class CommunityEventList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CommunityEventSchema))


def _consented(value: bool) -> None:
    if value is not True:
        raise ma.ValidationError("Please agree to the processing of your data for this event.")


class CommunityRegistrationSchema(Strict):
    id = ma.fields.String(dump_only=True)
    name = Line(200, required=True)
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    organisation = ma.fields.String(load_default=None, validate=[validate.Length(max=200), storable])
    language = ma.fields.String(load_default=None, validate=validate.OneOf(LANGUAGES))
    consent = ma.fields.Boolean(required=True, load_only=True, validate=_consented)
    status = ma.fields.String(dump_only=True)
    arrival = ma.fields.Integer(dump_only=True)
    waiting_position = ma.fields.Integer(dump_only=True, allow_none=True)
    registration_url = ma.fields.String(dump_only=True)  # only in the answer to registering: the secret link


class CommunityPublicRegistrationSchema(ma.Schema):
    """What the public answer to registering shows: no name or address echoed."""
    id = ma.fields.String()
    status = ma.fields.String()
    arrival = ma.fields.Integer()
    waiting_position = ma.fields.Integer(allow_none=True)
    registration_url = ma.fields.String()


class CommunityStaffRegistrationSchema(ma.Schema):
    id = ma.fields.String()
    arrival = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()
    organisation = ma.fields.String(allow_none=True)
    language = ma.fields.String()
    status = ma.fields.String()
    registered_at = ma.fields.AwareDateTime()


class CommunityRegistrationList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CommunityStaffRegistrationSchema))
