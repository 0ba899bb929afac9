"""HTTP API of the national stakeholder platform at this site: /api/v1/platform-members.

Access (default deny): anyone reads the members (organisations, never a person); brokers and site
administrators ("staff") add a registered organisation and remove a member.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import public, roles
from services.common.clock import utc_today
from services.common.ports import port
from services.common.runtime import current_runtime
from services.community.platforms import handlers, store
from services.community.platforms.model import ACTIVE, LEFT, Membership
from services.community.platforms.schemas import JoinSchema, MemberList, MemberQuery, MemberSchema
from services.contracts.ports import MemberDirectory

blp = Blueprint("community_platforms", __name__, url_prefix="/api/v1",
                description="The national stakeholder platform's member organisations at this site")

STAFF = ("site_admin", "broker")


def site_country() -> str:
    """The country whose platform this site's organisations join."""
    site = current_runtime().settings.site
    return site.country or site.id[:2]


def present(members: list[Membership]) -> list[dict]:
    """The members with their registered names (the registry's, through `MemberDirectory`)."""
    names = port(MemberDirectory).named([m.id for m in members])
    return [{"organisation_id": m.id, "name": names[m.id].name if m.id in names else None, "country": m.country,
             "role": m.role, "joined_on": m.joined_on, "left_on": m.left_on, "status": m.status,
             "registered": m.id in names and names[m.id].active} for m in members]


def listed(statuses: tuple[str, ...] = (ACTIVE,)) -> list[dict]:
    with current_runtime().engine.connect() as conn:
        found = store.members(conn, statuses)
    return sorted(present(found), key=lambda m: (m["name"] or "").casefold())


def join(organisation_id: str, role: str) -> Membership:
    """The use case with the registry's answer about the organisation (422 unknown, 409 a member)."""
    known = port(MemberDirectory).named([str(organisation_id)])
    return handlers.join(current_runtime().uow(), str(organisation_id), role, site_country(), utc_today(), known)


@blp.route("/platform-members")
class PlatformMembers(MethodView):
    @public
    @blp.arguments(MemberQuery, location="query")
    @blp.response(200, MemberList)
    def get(self, query):
        """The platform's members at this site (or those that left, or all), by name."""
        statuses = {ACTIVE: (ACTIVE,), LEFT: (LEFT,)}.get(query["status"], (ACTIVE, LEFT))
        return {"items": listed(statuses)}

    @roles(*STAFF)
    @blp.arguments(JoinSchema)
    @blp.response(201, MemberSchema)
    def post(self, body):
        """A registered organisation joins (or rejoins) the country's platform with a role (422 an unknown
        organisation or role, 409 already a member)."""
        return present([join(body["organisation_id"], body["role"])])[0]


@blp.route("/platform-members/<uuid:organisation_id>/leave")
class PlatformMemberLeaving(MethodView):
    @roles(*STAFF)
    @blp.response(200, MemberSchema)
    def post(self, organisation_id):
        """The organisation leaves the platform (404 never a member, 409 left already)."""
        return present([handlers.leave(current_runtime().uow(), str(organisation_id), utc_today())])[0]
