"""HTTP API of the registry: /api/v1/organisations, /offers, /support-statements, /case-studies.

Access (default deny; every method declares its rule):
- Public: reading active organisations (without their contact person), published offers and case
  studies, and filing a support statement (it is the paper form).
- site_admin and broker ("staff"): every write, reading withdrawn records (`status=withdrawn|all`),
  organisations' contact persons, and everything about support statements.
- member: publishes, edits and withdraws the offers of its own organisation (the token's
  organisation), and sees them when withdrawn.

Request bodies refuse unknown fields. Every string is checked for what the database would choke on
(NUL, lone surrogates, excess length) and every number against a range, so bad input is a 422.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.auth import current_principal, public, roles
from services.common.errors import Forbidden, NotFound
from services.registry import cpv, handlers, model as m, store
from services.registry.events import LABOUR_MARKET_SEGMENTS, NUTS3, ORGANISATION_KINDS, STATEMENT_KINDS

blp = Blueprint("registry", __name__, url_prefix="/api/v1", description="Members, offers, support and case studies")

STAFF = ("site_admin", "broker")
MAX_AMOUNT = 10 ** 12


# --- fields ------------------------------------------------------------------------------------------

def _storable(value: str) -> None:
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ma.ValidationError("contains characters that are not allowed")


class Line(ma.fields.String):
    """One line of text, trimmed; blank is not a value."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(validate=[validate.Length(min=1, max=max_length), _storable], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def Prose(max_length: int, **kwargs):
    return ma.fields.String(validate=[validate.Length(min=1, max=max_length), _storable], **kwargs)


def _at_most_4_places(value) -> None:
    if value.as_tuple().exponent < -4:
        raise ma.ValidationError("at most 4 decimal places")


def Amount(positive: bool = False, **kwargs):
    """A decimal amount (money, capacity, kilograms): a string in JSON, never a float."""
    return ma.fields.Decimal(as_string=True, validate=[
        validate.Range(min=0, min_inclusive=not positive, max=MAX_AMOUNT), _at_most_4_places], **kwargs)


def Count(maximum: int, **kwargs):
    return ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=maximum), **kwargs)


class Id(ma.fields.UUID):
    """A UUID, kept as its canonical string."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


class CpvCode(ma.fields.String):
    """`45000000` or `45000000-7` (with check digit), loaded as the eight digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = cpv.normalise(super()._deserialize(value, attr, data, **kwargs))
        if code is None:
            raise ma.ValidationError("a CPV code has eight digits, e.g. 45000000")
        return code


class CpvPrefix(ma.fields.String):
    """A filter: a full code (itself and everything under it) or a prefix of digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        prefix = cpv.search_prefix(super()._deserialize(value, attr, data, **kwargs))
        if prefix is None:
            raise ma.ValidationError("a CPV code or a prefix of 1 to 8 digits")
        return prefix


class NutsPrefix(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).upper()
        validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{0,3}$", error="a NUTS code or prefix, e.g. AT12")(value)
        return value


def Nuts3(**kwargs):
    return ma.fields.String(validate=NUTS3, **kwargs)


def Phone(**kwargs):
    return ma.fields.String(validate=validate.Regexp(r"^\+?[0-9][0-9 ()/.-]{4,30}$",
                                                     error="a phone number, e.g. +43 2742 12345"), **kwargs)


def Email(**kwargs):
    return ma.fields.Email(validate=[validate.Length(max=254), _storable], **kwargs)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def _into(cls):
    """A post_load hook building the value object `cls` from the loaded fields."""
    @ma.post_load
    def build(self, data, **kwargs):
        return cls(**data)
    return build


# --- organisations -----------------------------------------------------------------------------------

class AddressSchema(Strict):
    street = Line(200, required=True)
    postcode = Line(16, required=True)
    town = Line(100, required=True)
    country = ma.fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. AT"))
    _build = _into(m.Address)


class CoordinatesSchema(Strict):
    lat = ma.fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = ma.fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    _build = _into(m.Coordinates)


class ContactSchema(Strict):
    """The contact person: shown to staff only."""

    name = Line(200, required=True)
    email = Email(allow_none=True, load_default=None)
    phone = Phone(allow_none=True, load_default=None)
    _build = _into(m.ContactPerson)


class OrganisationSchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    name = Line(200, required=True)
    registration_number = Line(64, required=True)
    address = ma.fields.Nested(AddressSchema, required=True)
    nuts3 = Nuts3(required=True)
    coordinates = ma.fields.Nested(CoordinatesSchema, allow_none=True)
    labour_market_segment = ma.fields.String(allow_none=True, validate=validate.OneOf(LABOUR_MARKET_SEGMENTS),
                                             metadata={"description": "required for social enterprises only"})
    workers_in_integration = Count(1_000_000, allow_none=True)
    website = ma.fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=300))
    contact = ma.fields.Nested(ContactSchema, allow_none=True, metadata={"description": "staff only"})
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


# A PATCH names only what changes; a nested address or contact is replaced whole. The kind is fixed.
class OrganisationPatchSchema(OrganisationSchema):
    pass


OrganisationPatch = OrganisationPatchSchema(partial=tuple(m.Organisation.UPDATABLE), exclude=("kind",))


class Reason(Strict):
    reason = Line(500, allow_none=True, load_default=None)


class OrganisationQuery(PageQuery):
    kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    nuts = NutsPrefix()
    q = Line(200)
    cpv = CpvPrefix(metadata={"description": "organisations with a published offer under this CPV code"})
    status = ma.fields.String(validate=validate.OneOf(("active", "withdrawn", "all")))


# --- offers ------------------------------------------------------------------------------------------

class OfferSchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    organisation_id = Id(required=True)
    title = Line(200, required=True)
    description = Prose(10_000, required=True)
    cpv_codes = ma.fields.List(CpvCode(), required=True, validate=validate.Length(min=1, max=50))
    capacity_per_week = Amount(positive=True, required=True)
    unit = Line(50, required=True)
    lead_time_days = Count(3650, required=True)
    price_min = Amount(allow_none=True)
    price_max = Amount(allow_none=True)
    currency = ma.fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="ISO 4217 code, e.g. EUR"),
                                metadata={"description": "default: the site's currency"})
    delivery_radius_km = Count(20_000, allow_none=True)
    cross_border = ma.fields.Boolean(load_default=False)
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class OfferPatchSchema(OfferSchema):
    pass


OfferPatch = OfferPatchSchema(partial=tuple(m.Offer.UPDATABLE), exclude=("organisation_id",))


class OfferQuery(PageQuery):
    organisation_id = Id()
    nuts = NutsPrefix(metadata={"description": "region of the offering organisation"})
    q = Line(200)
    cpv = CpvPrefix()
    cross_border = ma.fields.Boolean()
    status = ma.fields.String(validate=validate.OneOf(("published", "withdrawn", "all")))


# --- support statements ------------------------------------------------------------------------------

class StatementSchema(Strict):
    """The paper form. Person fields are personal data: staff see them, nobody else."""

    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(STATEMENT_KINDS))
    first_name = Line(100, allow_none=True, attribute="person.first_name")
    last_name = Line(100, allow_none=True, attribute="person.last_name")
    phone = Phone(allow_none=True, attribute="person.phone")
    phone_kind = ma.fields.String(allow_none=True, validate=validate.OneOf(m.PHONE_KINDS), attribute="person.phone_kind")
    email = Email(allow_none=True, attribute="person.email")
    organisation_name = Line(200, allow_none=True)
    organisation_kind = ma.fields.String(allow_none=True, validate=validate.OneOf(ORGANISATION_KINDS))
    consent = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    given_on = ma.fields.Date(allow_none=True, metadata={"description": "default: today"})
    nuts3 = Nuts3(required=True)
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)

    @ma.post_load
    def build(self, data, **kwargs):
        person = data.pop("person", {})
        if data.get("given_on") is None:
            data.pop("given_on", None)
        return {**data, "person": m.Person(**person)}


class StatementReceipt(ma.Schema):
    """What the public sees of a statement it filed: no personal data."""

    id = ma.fields.String()
    reference = ma.fields.String()
    kind = ma.fields.String()
    organisation_kind = ma.fields.String(allow_none=True)
    nuts3 = ma.fields.String()
    given_on = ma.fields.Date()
    status = ma.fields.String()


class AuditEntrySchema(ma.Schema):
    action = ma.fields.String()
    actor = ma.fields.String()
    at = ma.fields.DateTime()
    fields = ma.fields.List(ma.fields.String(), metadata={"description": "names of the erased fields"})
    reason = ma.fields.String(allow_none=True)


class StatementQuery(PageQuery):
    kind = ma.fields.String(validate=validate.OneOf(STATEMENT_KINDS))
    organisation_kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    nuts = NutsPrefix()
    q = Line(200, metadata={"description": "part of a name or e-mail address"})
    status = ma.fields.String(validate=validate.OneOf(("active", "withdrawn", "erased", "all")))


# --- case studies ------------------------------------------------------------------------------------

class ImpactSchema(Strict):
    value_paid_eur = Amount(allow_none=True, load_default=None)
    material_diverted_kg = Amount(allow_none=True, load_default=None)
    integration_hours = Amount(allow_none=True, load_default=None)
    _build = _into(m.Impact)


class CaseStudySchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    title = Line(200, required=True)
    summary = Prose(20_000, required=True)
    year = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1990, max=2100))
    cpv_codes = ma.fields.List(CpvCode(), validate=validate.Length(max=50))
    client_organisation_id = Id(allow_none=True)
    social_enterprise_id = Id(allow_none=True)
    impact = ma.fields.Nested(ImpactSchema)
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class CaseStudyPatchSchema(CaseStudySchema):
    pass


CaseStudyPatch = CaseStudyPatchSchema(partial=tuple(m.CaseStudy.UPDATABLE))


class CaseStudyQuery(PageQuery):
    cpv = CpvPrefix()
    nuts = NutsPrefix(metadata={"description": "region of the social enterprise"})
    q = Line(200)
    year = ma.fields.Integer(validate=validate.Range(min=1990, max=2100))
    organisation_id = Id(metadata={"description": "as client or as social enterprise"})
    status = ma.fields.String(validate=validate.OneOf(("published", "withdrawn", "all")))


OrganisationPage = page_schema(OrganisationSchema, "OrganisationPage")
OfferPage = page_schema(OfferSchema, "OfferPage")
StatementPage = page_schema(StatementSchema, "SupportStatementPage")
CaseStudyPage = page_schema(CaseStudySchema, "CaseStudyPage")


# --- helpers -----------------------------------------------------------------------------------------

def _runtime():
    return current_app.extensions["sopro"]


def _today():
    return datetime.now(timezone.utc).date()


def _is_staff() -> bool:
    principal = current_principal()
    return principal is not None and principal.has_any(STAFF)


def _is_member_of(organisation_id: str) -> bool:
    principal = current_principal()
    return principal is not None and "member" in principal.roles and principal.organisation_id == organisation_id


def _acting_for() -> str | None:
    """None for staff; for a member, the organisation whose offers it may manage."""
    if _is_staff():
        return None
    organisation_id = current_principal().organisation_id
    if not organisation_id:
        raise Forbidden("this member's token names no organisation")
    return organisation_id


def _actor() -> str:
    return current_principal().subject


def _statuses(query: dict, default: str) -> tuple[str, ...]:
    """The statuses a listing shows: the default one for everybody; others, or `all`, for staff."""
    status = query.pop("status", None) or default
    if status != default and not _is_staff():
        raise Forbidden(f"only staff can list records that are not {default}")
    return () if status == "all" else (status,)


def _read(fn, *args, **kwargs):
    with _runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def _page(page: store.Page, present=lambda item: item) -> dict:
    return {"items": [present(i) for i in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total}


def _present_organisation(org: m.Organisation) -> m.Organisation:
    """The contact person is personal data: staff and the organisation's own members see it."""
    return org if _is_staff() or _is_member_of(org.id) else dataclasses.replace(org, contact=None)


# --- organisation views ------------------------------------------------------------------------------

@blp.route("/organisations")
class Organisations(MethodView):
    @public
    @blp.arguments(OrganisationQuery, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, query):
        """List and search member organisations (by kind, NUTS prefix, text, CPV of their offers)."""
        statuses = _statuses(query, m.ACTIVE)
        return _page(_read(store.search_organisations, statuses=statuses, **query), _present_organisation)

    @roles(*STAFF)
    @blp.arguments(OrganisationSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, fields):
        """Register an organisation as a member of this site."""
        return handlers.register_organisation(_runtime().uow(), fields, _today())


@blp.route("/organisations/<uuid:organisation_id>")
class OrganisationById(MethodView):
    @public
    @blp.response(200, OrganisationSchema)
    def get(self, organisation_id):
        """An organisation's public data (and its contact person, for staff)."""
        org = _read(store.load_organisation, str(organisation_id))
        if org.status != m.ACTIVE and not (_is_staff() or _is_member_of(org.id)):
            raise NotFound(f"no organisation {organisation_id}")
        return _present_organisation(org)

    @roles(*STAFF)
    @blp.arguments(OrganisationPatch)
    @blp.response(200, OrganisationSchema)
    def patch(self, changes, organisation_id):
        """Change an active organisation; only the fields given change."""
        return handlers.update_organisation(_runtime().uow(), str(organisation_id), changes)


@blp.route("/organisations/<uuid:organisation_id>/withdraw")
class OrganisationWithdrawal(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, OrganisationSchema)
    def post(self, body, organisation_id):
        """Withdraw an organisation from the register, and with it its published offers."""
        return handlers.withdraw_organisation(_runtime().uow(), str(organisation_id), body["reason"])


# --- offer views -------------------------------------------------------------------------------------

@blp.route("/offers")
class Offers(MethodView):
    @public
    @blp.arguments(OfferQuery, location="query")
    @blp.response(200, OfferPage)
    def get(self, query):
        """List and search published offers (by CPV code or prefix, region, text, organisation)."""
        statuses = _statuses(query, m.PUBLISHED)
        return _page(_read(store.search_offers, statuses=statuses, **query))

    @roles(*STAFF, "member")
    @blp.arguments(OfferSchema)
    @blp.response(201, OfferSchema)
    def post(self, fields):
        """Publish an offer of an active social enterprise (a member: of its own organisation)."""
        fields.setdefault("currency", _runtime().settings.site.currency)
        return handlers.publish_offer(_runtime().uow(), fields, _today(), acting_for=_acting_for())


@blp.route("/offers/<uuid:offer_id>")
class OfferById(MethodView):
    @public
    @blp.response(200, OfferSchema)
    def get(self, offer_id):
        """A published offer; a withdrawn one only for staff and its organisation's members."""
        offer = _read(store.load_offer, str(offer_id))
        if offer.status != m.PUBLISHED and not (_is_staff() or _is_member_of(offer.organisation_id)):
            raise NotFound(f"no offer {offer_id}")
        return offer

    @roles(*STAFF, "member")
    @blp.arguments(OfferPatch)
    @blp.response(200, OfferSchema)
    def patch(self, changes, offer_id):
        """Change a published offer; only the fields given change."""
        return handlers.update_offer(_runtime().uow(), str(offer_id), changes, acting_for=_acting_for())


@blp.route("/offers/<uuid:offer_id>/withdraw")
class OfferWithdrawal(MethodView):
    @roles(*STAFF, "member")
    @blp.arguments(Reason)
    @blp.response(200, OfferSchema)
    def post(self, body, offer_id):
        """Withdraw an offer."""
        return handlers.withdraw_offer(_runtime().uow(), str(offer_id), body["reason"], acting_for=_acting_for())


# --- support statement views -------------------------------------------------------------------------

@blp.route("/support-statements")
class SupportStatements(MethodView):
    @public
    @blp.arguments(StatementSchema)
    @blp.response(201, StatementReceipt)
    def post(self, fields):
        """File a statement of support (the paper form). Anyone may; consent is required."""
        return handlers.file_support_statement(_runtime().uow(), fields, _today())

    @roles(*STAFF)
    @blp.arguments(StatementQuery, location="query")
    @blp.response(200, StatementPage)
    def get(self, query):
        """List and search statements, with the personal data (staff only)."""
        statuses = _statuses(query, "all")
        return _page(_read(store.search_statements, statuses=statuses, **query))


@blp.route("/support-statements/<uuid:statement_id>")
class SupportStatementById(MethodView):
    @roles(*STAFF)
    @blp.response(200, StatementSchema)
    def get(self, statement_id):
        """A statement with its personal data (none once erased)."""
        return _read(store.load_statement, str(statement_id))


@blp.route("/support-statements/<uuid:statement_id>/withdraw")
class SupportStatementWithdrawal(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, StatementSchema)
    def post(self, body, statement_id):
        """Withdraw a statement: it no longer counts; its data stays until erased."""
        return handlers.withdraw_support_statement(_runtime().uow(), str(statement_id), _actor(), body["reason"])


@blp.route("/support-statements/<uuid:statement_id>/erase")
class SupportStatementErasure(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, StatementSchema)
    def post(self, body, statement_id):
        """Erase the personal data of a statement for good; the audit keeps who and when."""
        return handlers.erase_support_statement(_runtime().uow(), str(statement_id), _actor(), body["reason"])


@blp.route("/support-statements/<uuid:statement_id>/audit")
class SupportStatementAudit(MethodView):
    @roles(*STAFF)
    @blp.response(200, AuditEntrySchema(many=True))
    def get(self, statement_id):
        """Who withdrew or erased the statement, when, and which fields were erased."""
        _read(store.load_statement, str(statement_id))  # 404 for an unknown statement
        return _read(store.audit_trail, str(statement_id))


# --- case study views --------------------------------------------------------------------------------

@blp.route("/case-studies")
class CaseStudies(MethodView):
    @public
    @blp.arguments(CaseStudyQuery, location="query")
    @blp.response(200, CaseStudyPage)
    def get(self, query):
        """List and search published case studies."""
        statuses = _statuses(query, m.PUBLISHED)
        return _page(_read(store.search_case_studies, statuses=statuses, **query))

    @roles(*STAFF)
    @blp.arguments(CaseStudySchema)
    @blp.response(201, CaseStudySchema)
    def post(self, fields):
        """Publish a case study."""
        return handlers.publish_case_study(_runtime().uow(), fields, _today())


@blp.route("/case-studies/<uuid:case_study_id>")
class CaseStudyById(MethodView):
    @public
    @blp.response(200, CaseStudySchema)
    def get(self, case_study_id):
        """A published case study; a withdrawn one for staff only."""
        study = _read(store.load_case_study, str(case_study_id))
        if study.status != m.PUBLISHED and not _is_staff():
            raise NotFound(f"no case study {case_study_id}")
        return study

    @roles(*STAFF)
    @blp.arguments(CaseStudyPatch)
    @blp.response(200, CaseStudySchema)
    def patch(self, changes, case_study_id):
        """Change a published case study; only the fields given change."""
        return handlers.update_case_study(_runtime().uow(), str(case_study_id), changes)


@blp.route("/case-studies/<uuid:case_study_id>/withdraw")
class CaseStudyWithdrawal(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, CaseStudySchema)
    def post(self, body, case_study_id):
        """Take a case study down."""
        return handlers.withdraw_case_study(_runtime().uow(), str(case_study_id), body["reason"])
