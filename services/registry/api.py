"""HTTP API of the registry: /api/v1/organisations, /offers, /support-statements, /case-studies.

Access (default deny; every method declares its rule):
- Public: reading active organisations (without their contact person), published offers and case
  studies, and filing a support statement (it is the paper form).
- site_admin and broker ("staff"): every write, reading withdrawn records (`status=withdrawn|all`),
  organisations' contact persons, and everything about support statements.
- member: publishes, edits and withdraws the offers of its own organisation (the token's
  organisation), and sees them when withdrawn.

Request and response schemas are in `schemas.py`.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import current_principal, public, roles
from services.common.errors import Forbidden, NotFound
from services.registry import handlers, model as m, store
from services.registry.schemas import (
    AuditEntrySchema, CaseStudyPage, Erasure, CaseStudyPatch, CaseStudyQuery, CaseStudySchema, OfferPage, OfferPatch,
    OfferQuery, OfferSchema, OrganisationPage, OrganisationPatch, OrganisationQuery, OrganisationSchema,
    Reason, StatementPage, StatementQuery, StatementReceipt, StatementSchema,
)

blp = Blueprint("registry", __name__, url_prefix="/api/v1", description="Members, offers, support and case studies")

STAFF = ("site_admin", "broker")


# --- helpers -----------------------------------------------------------------------------------------

def _runtime():
    return current_app.extensions["sopro"]


def _now():
    return datetime.now(timezone.utc)


def _today():
    return _now().date()


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
        """File a statement of support (the paper form). Anyone may; consent is required. It counts in the
        statistics once confirmed: by the link mailed to its e-mail address, or by a broker."""
        return handlers.file_support_statement(_runtime().uow(), fields, _today(), _runtime().settings.site.url)

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


@blp.route("/support-statements/<uuid:statement_id>/confirm")
class SupportStatementConfirmation(MethodView):
    @roles(*STAFF)
    @blp.response(200, StatementSchema)
    def post(self, statement_id):
        """A broker confirms the statement: from now on it counts in the statistics."""
        return handlers.confirm_by_broker(_runtime().uow(), str(statement_id), _actor(), _now())


@blp.route("/support-statements/confirmations/<string:token>")
class SupportStatementLink(MethodView):
    @public
    @blp.response(200, StatementReceipt)
    def post(self, token):
        """The link mailed to the statement's address: confirms it, once, before it expires (404 unknown,
        409 used or expired)."""
        return handlers.confirm_by_link(_runtime().uow(), token, _now())


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
    @blp.arguments(Erasure)
    @blp.response(200, StatementSchema)
    def post(self, body, statement_id):
        """Erase the personal data of a statement for good; the audit keeps who, when and on which ground."""
        return handlers.erase_support_statement(_runtime().uow(), str(statement_id), _actor(), body["ground"])


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
