"""Request and response schemas of the programmes API.

Request bodies refuse unknown fields; strings are checked for what the database would choke on, and
hours must be non-negative decimals in quarter hours (as strings or numbers), so bad input is a 422.
"""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.fields import Id, storable as _storable
from services.common.runtime import current_runtime
from services.contracts.experts import MAX_PUBLICATIONS, Division
from services.enquiries.programmes.applications import ACCEPTED, CANCELLED, WAITING, WITHDRAWN, Firm
from services.enquiries.programmes.consultants import LANGUAGES
from services.enquiries.programmes.hours import BOOKING_KINDS, is_quarter_hours
from services.enquiries.programmes.model import CLOSED, MAX_ALLOWANCE_HOURS, MAX_PLACES, OPEN
from services.enquiries.programmes.profiles import MAX_SUMMARY, MAX_TITLE, MAX_URL, is_web_url, regions_of

APPLICATION_STATUSES = (ACCEPTED, WAITING, WITHDRAWN, CANCELLED)


# --- fields ------------------------------------------------------------------------------------------

class Line(ma.fields.String):
    """One line of text, trimmed; blank is not a value."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(validate=[validate.Length(min=1, max=max_length), _storable], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not value:
            raise ma.ValidationError("must not be blank")
        return value


def _quarter_hours(value: Decimal) -> None:
    # Out-of-range values are Range's to report (arithmetic on a huge exponent would overflow).
    if value.is_finite() and value.adjusted() < 4 and not is_quarter_hours(value):
        raise ma.ValidationError("must be in quarter hours (e.g. 1.25)")


def Hours(positive: bool = False, **kwargs):
    """Hours as a decimal (a string in JSON answers), in quarter hours."""
    return ma.fields.Decimal(as_string=True, validate=[
        validate.Range(min=0, min_inclusive=not positive, max=MAX_ALLOWANCE_HOURS), _quarter_hours], **kwargs)


def Language(**kwargs):
    return ma.fields.String(validate=validate.OneOf(LANGUAGES), **kwargs)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def _site_region(value: str) -> None:
    if value not in regions_of(current_runtime().settings.site.country):
        raise ma.ValidationError("not a NUTS-2 or NUTS-3 region of the site's country")


def Region(**kwargs):
    return ma.fields.String(validate=[validate.Length(max=5), _site_region], **kwargs)


def _web_url(value: str) -> None:
    if not is_web_url(value):
        raise ma.ValidationError("an address starting with https:// or http://")


class PublicationInput(Strict):
    title = Line(MAX_TITLE, required=True)
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    url = ma.fields.String(allow_none=True, load_default=None, validate=[validate.Length(max=MAX_URL), _web_url])


class ProgrammeReason(Strict):
    reason = Line(500, allow_none=True, load_default=None)


# --- programmes --------------------------------------------------------------------------------------

class ProgrammeSchema(Strict):
    id = ma.fields.String(dump_only=True)
    name = Line(200, required=True)
    funder = Line(200, required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    places = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_PLACES),
                               metadata={"description": "how many firms get a subsidised place"})
    first_consultation_hours = Hours(load_default=Decimal(4), metadata={"description": "per firm; default 4"})
    further_hours = Hours(load_default=Decimal(10), metadata={"description": "per firm; default 10"})
    status = ma.fields.String(dump_only=True)
    accepted = ma.fields.Integer(dump_only=True)
    places_left = ma.fields.Integer(dump_only=True)
    waiting_list_length = ma.fields.Integer(dump_only=True)
    version = ma.fields.Integer(dump_only=True)

    @ma.validates_schema
    def period(self, data, **kwargs):
        if "starts_on" in data and "ends_on" in data and data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError("must not be before starts_on", "ends_on")


class ProgrammePatchSchema(ProgrammeSchema):
    pass


ProgrammePatch = ProgrammePatchSchema(partial=True)


class ProgrammeQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf((OPEN, CLOSED)))


# --- applications ------------------------------------------------------------------------------------

class ProgrammeApplicationSchema(Strict):
    id = ma.fields.String(dump_only=True)
    programme_id = ma.fields.String(dump_only=True)
    organisation_id = Id(allow_none=True, load_default=None, attribute="firm.organisation_id",
                         metadata={"description": "the member organisation; none for a first contact. "
                                                  "A member applies for its own (the default)."})
    firm_name = Line(200, required=True, attribute="firm.name")
    arrival = ma.fields.Integer(dump_only=True, metadata={"description": "order of arrival in the programme"})
    status = ma.fields.String(dump_only=True)
    waiting_position = ma.fields.Integer(dump_only=True, allow_none=True,
                                         metadata={"description": "1 = the next to get a place"})
    applied_at = ma.fields.DateTime(dump_only=True)
    ended_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    reason = ma.fields.String(dump_only=True, allow_none=True)

    @ma.post_load
    def build(self, data, **kwargs):
        firm = data.pop("firm")
        return Firm(firm["name"], firm.get("organisation_id"))


class ProgrammeApplicationQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    organisation_id = Id()


# --- bookings ----------------------------------------------------------------------------------------

class ProgrammeBookingSchema(Strict):
    id = ma.fields.String(dump_only=True)
    programme_id = ma.fields.String(dump_only=True)
    application_id = Id(required=True)
    consultant_id = Id(required=True)
    date = ma.fields.Date(required=True, metadata={"description": "when the hours were delivered"})
    hours = Hours(positive=True, required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(BOOKING_KINDS))
    note = ma.fields.String(allow_none=True, load_default=None, validate=[validate.Length(max=1000), _storable])
    status = ma.fields.String(dump_only=True)
    booked_by = ma.fields.String(dump_only=True)
    booked_at = ma.fields.DateTime(dump_only=True)
    cancelled_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class ProgrammeBookingQuery(PageQuery):
    application_id = Id()
    consultant_id = Id()
    status = ma.fields.String(validate=validate.OneOf(("active", "cancelled")))


# --- consultants -------------------------------------------------------------------------------------

class ConsultantSchema(Strict):
    id = ma.fields.String(dump_only=True)
    name = Line(200, required=True)
    expertise = ma.fields.List(Division(), required=True, validate=validate.Length(min=1, max=50),
                               metadata={"description": "CPV divisions, e.g. [\"45\", \"90\"]"})
    languages = ma.fields.List(Language(), required=True, validate=validate.Length(min=1, max=3))
    active = ma.fields.Boolean(load_default=True)
    hours_delivered = ma.fields.Decimal(as_string=True, dump_only=True)
    version = ma.fields.Integer(dump_only=True)
    # The public professional profile (profiles.py); shown at /experts and to the hub only with the consent.
    public_profile = ma.fields.Boolean(load_default=False, metadata={
        "description": "the expert consents to a public profile (recorded with the staff user and the date); "
                       "false withdraws it"})
    region = Region(allow_none=True, load_default=None)
    summaries = ma.fields.Dict(keys=Language(), values=ma.fields.String(validate=[
        validate.Length(max=MAX_SUMMARY), _storable]), load_default=dict)
    publications = ma.fields.List(ma.fields.Nested(PublicationInput), load_default=list,
                                  validate=validate.Length(max=MAX_PUBLICATIONS))
    profile_consent_at = ma.fields.DateTime(dump_only=True, allow_none=True, attribute="consent_at")
    profile_consent_by = ma.fields.String(dump_only=True, allow_none=True, attribute="consent_by")

    @ma.pre_dump
    def _consented(self, data, **kwargs):
        return {**data, "public_profile": data.get("consent_at") is not None} if isinstance(data, dict) else data


class ConsultantPatchSchema(ConsultantSchema):
    pass


ConsultantPatch = ConsultantPatchSchema(partial=True)


class ConsultantQuery(PageQuery):
    active = ma.fields.Boolean()
    division = Division()
    language = Language()
    q = Line(200, metadata={"description": "part of the name"})


# --- reports -----------------------------------------------------------------------------------------

class ProgrammeFirmHoursSchema(ma.Schema):
    application_id = ma.fields.String()
    organisation_id = ma.fields.String(allow_none=True)
    firm_name = ma.fields.String()
    status = ma.fields.String()
    first_consultation_hours = ma.fields.Decimal(as_string=True)
    further_hours = ma.fields.Decimal(as_string=True)
    total_hours = ma.fields.Decimal(as_string=True)
    remaining_hours = ma.fields.Decimal(as_string=True)


class ProgrammeConsultantHoursSchema(ma.Schema):
    consultant_id = ma.fields.String()
    name = ma.fields.String()
    hours = ma.fields.Decimal(as_string=True)


class ProgrammeReportSchema(ma.Schema):
    programme_id = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String()
    places = ma.fields.Integer()
    accepted = ma.fields.Integer()
    places_left = ma.fields.Integer()
    waiting_list_length = ma.fields.Integer()
    withdrawn = ma.fields.Integer()
    cancelled = ma.fields.Integer()
    allowance_hours = ma.fields.Decimal(as_string=True, metadata={"description": "per firm, both kinds"})
    hours_total = ma.fields.Decimal(as_string=True)
    hours_by_firm = ma.fields.List(ma.fields.Nested(ProgrammeFirmHoursSchema))
    hours_by_consultant = ma.fields.List(ma.fields.Nested(ProgrammeConsultantHoursSchema))


ProgrammePage = page_schema(ProgrammeSchema, "ProgrammePage")
ApplicationPage = page_schema(ProgrammeApplicationSchema, "ProgrammeApplicationPage")
BookingPage = page_schema(ProgrammeBookingSchema, "ProgrammeBookingPage")
ConsultantPage = page_schema(ConsultantSchema, "ConsultantPage")
