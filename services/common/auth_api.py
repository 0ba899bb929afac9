"""POST /api/v1/auth/token: a site issues tokens to its own users."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import public
from services.common.users import authenticate, user_token
from services.common.errors import Unauthorized
from services.common.ratelimit import not_a_public_write
from services.common.runtime import current_runtime

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Tokens for the users of this site")


class Credentials(ma.Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200), load_only=True)


class TokenResponse(ma.Schema):
    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()
    roles = ma.fields.List(ma.fields.String())
    organisation_id = ma.fields.String(allow_none=True)


@blp.route("/token")
class Token(MethodView):
    @public
    @not_a_public_write  # a password check: its own, stricter allowance
    @blp.arguments(Credentials)
    @blp.response(200, TokenResponse)
    def post(self, creds):
        """Exchange a site user's username and password for a bearer token."""
        runtime = current_runtime()
        with runtime.engine.connect() as conn:
            user = authenticate(conn, creds["username"], creds["password"])
        if user is None:
            raise Unauthorized("unknown user or wrong password", code="bad_credentials")
        token = user_token(runtime.tokens, user)
        return {"access_token": token, "token_type": "Bearer", "expires_in": runtime.tokens.ttl_seconds,
                "roles": user.roles, "organisation_id": user.organisation_id}
