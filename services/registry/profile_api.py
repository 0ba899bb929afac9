"""HTTP API of an organisation's public profile (a client's shop window): /api/v1/organisations/<id>/profile.

Reading is public for an active organisation (staff and its own members read a withdrawn one's too).
Writing replaces the whole profile, one text per language of the site (a language left out or empty has
no text): site_admin and broker for any organisation of the site, a member for its own only (403 else).
The rules are the domain's (services.registry.profiles), the same the pages apply.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from services.common.auth import acting_for, public, roles
from services.common.errors import Invalid, NotFound
from services.common.runtime import current_runtime
from services.contracts.events.registry import LANGUAGE, PROFILE_MAX_LENGTH
from services.contracts.fields import Strict
from services.registry import handlers
from services.registry.api_blueprint import STAFF, blp, is_member_of, is_staff, read
from services.registry.organisation_store import load_organisation
from services.registry.profile_store import load_profile
from services.registry.rules import ACTIVE

TEXTS = (f"{{language: text}} in the site's languages; plain text of at most {PROFILE_MAX_LENGTH} characters "
         "each, an empty line between paragraphs")


class ProfileBody(Strict):
    texts = ma.fields.Dict(keys=ma.fields.String(validate=LANGUAGE), values=ma.fields.String(), required=True,
                           metadata={"description": TEXTS + "; a language left out or empty has no text"})


class ProfileSchema(ma.Schema):
    organisation_id = ma.fields.String()
    texts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={"description": TEXTS})


@blp.route("/organisations/<uuid:organisation_id>/profile")
class OrganisationProfile(MethodView):
    @public
    @blp.response(200, ProfileSchema)
    def get(self, organisation_id):
        """An organisation's public profile (a client's shop window), by language."""
        org = read(load_organisation, str(organisation_id))
        if org.status != ACTIVE and not (is_staff() or is_member_of(org.id)):
            raise NotFound(f"no organisation {organisation_id}")
        return {"organisation_id": org.id, "texts": read(load_profile, org.id)}

    @roles(*STAFF, "member")
    @blp.arguments(ProfileBody)
    @blp.response(200, ProfileSchema)
    def put(self, body, organisation_id):
        """Write an organisation's whole public profile: staff any of the site's, a member its own."""
        organisation_id = str(organisation_id)
        try:
            texts = handlers.write_profile(current_runtime().uow(), organisation_id, body["texts"],
                                           tuple(current_runtime().settings.site.languages),
                                           acting_for=acting_for(STAFF))
        except Invalid as exc:  # the domain names the page's fields (text_de): here they are texts.de
            raise Invalid(exc.message, {"texts": {name.removeprefix("text_"): messages
                                                  for name, messages in exc.errors.items()}}) from None
        return {"organisation_id": organisation_id, "texts": texts}
