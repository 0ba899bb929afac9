"""HTTP API of organisations: /api/v1/organisations (access rules in `api`)."""
from __future__ import annotations

import dataclasses

from flask.views import MethodView

from services.common.auth import public, roles
from services.common.clock import utc_today
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.registry import handlers
from services.registry.api_blueprint import (
    STAFF, blp, is_member_of, is_staff, listed_statuses, read,
)
from services.registry.organisation_store import load_organisation, search_organisations
from services.registry.organisations import Organisation
from services.registry.rules import ACTIVE
from services.registry.schemas import (
    OrganisationPage, OrganisationPatch, OrganisationQuery, OrganisationSchema, Reason,
)


def _present(org: Organisation) -> Organisation:
    """The contact person is personal data: staff and the organisation's own members see it."""
    return org if is_staff() or is_member_of(org.id) else dataclasses.replace(org, contact=None)


@blp.route("/organisations")
class Organisations(MethodView):
    @public
    @blp.arguments(OrganisationQuery, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, query):
        """List and search member organisations (by kind, NUTS prefix, text, CPV of their offers)."""
        statuses = listed_statuses(query, ACTIVE)
        return read(search_organisations, statuses=statuses, **query).as_dict(_present)

    @roles(*STAFF)
    @blp.arguments(OrganisationSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, fields):
        """Register an organisation as a member of this site."""
        return handlers.register_organisation(current_runtime().uow(), fields, utc_today())


@blp.route("/organisations/<uuid:organisation_id>")
class OrganisationById(MethodView):
    @public
    @blp.response(200, OrganisationSchema)
    def get(self, organisation_id):
        """An organisation's public data (and its contact person, for staff)."""
        org = read(load_organisation, str(organisation_id))
        if org.status != ACTIVE and not (is_staff() or is_member_of(org.id)):
            raise NotFound(f"no organisation {organisation_id}")
        return _present(org)

    @roles(*STAFF)
    @blp.arguments(OrganisationPatch)
    @blp.response(200, OrganisationSchema)
    def patch(self, changes, organisation_id):
        """Change an active organisation; only the fields given change."""
        return handlers.update_organisation(current_runtime().uow(), str(organisation_id), changes)


@blp.route("/organisations/<uuid:organisation_id>/withdraw")
class OrganisationWithdrawal(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, OrganisationSchema)
    def post(self, body, organisation_id):
        """Withdraw an organisation from the register, and with it its published offers."""
        return handlers.withdraw_organisation(current_runtime().uow(), str(organisation_id), body["reason"])
