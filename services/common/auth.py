"""The access rule of every endpoint, and the authenticated principal of a request.

Every endpoint declares its access with `@public` or `@roles(...)`; `enforce_access` runs before each
request and refuses an endpoint that declared nothing (default deny). The bearer token is verified
(tokens.py) and, if issued by this site, checked against its user's row (users.py) once per request.
"""
from __future__ import annotations

from typing import Iterable

import jwt
from flask import current_app, g, request

from services.common.errors import Forbidden, Unauthorized
from services.common.runtime import current_runtime
from services.common.tokens import ROLES, Principal
from services.common.users import as_user_now

PUBLIC = "public"


def public(fn):
    """Anyone may call this endpoint, with or without a token."""
    fn.__sopro_access__ = PUBLIC
    return fn


def roles(*names: str):
    """Only a caller holding one of these roles may call this endpoint."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def mark(fn):
        fn.__sopro_access__ = frozenset(names)
        return fn

    return mark


def view_of(app, endpoint: str, method: str):
    """The function that answers `method` at `endpoint` (a MethodView's method), or None."""
    view = app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, method.lower(), None) if view_class else view


def access_rule(app, endpoint: str, method: str):
    """The declared rule of an endpoint and method, or None if it declared nothing."""
    if app.view_functions.get(endpoint) is None:
        return None
    if endpoint.startswith("api-docs.") or endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC  # the OpenAPI document and static files (the app's or a blueprint's)
    return getattr(view_of(app, endpoint, method), "__sopro_access__", None)


def enforce_access():
    """before_request hook: authenticate the bearer token and apply the endpoint's rule."""
    g.principal = None
    if request.endpoint is None or request.method == "OPTIONS":
        return None
    rule = access_rule(current_app, request.endpoint, request.method)
    g.principal = bearer_principal()
    if rule == PUBLIC:
        return None
    if rule is None:
        raise Forbidden("this endpoint declares no access rule")
    if g.principal is None:
        raise Unauthorized("a bearer token is required")
    if not g.principal.has_any(rule):
        raise Forbidden(f"requires one of the roles {sorted(rule)}")
    return None


_UNSET = object()


def bearer_principal() -> Principal | None:
    """The verified principal of the request's bearer token, None without an Authorization header;
    Unauthorized for a bad one. Verified once per request (the rate limiter asks too)."""
    header = request.headers.get("Authorization", "")
    # Keyed by the header: a hook may lend a page request its session's token after the limiter asked.
    seen, outcome = g.get("_sopro_bearer", (_UNSET, None))
    if seen != header:
        try:
            outcome = _verify_bearer(header)
        except Unauthorized as exc:
            outcome = exc
        g._sopro_bearer = (header, outcome)
    if isinstance(outcome, Unauthorized):
        raise outcome
    return outcome


def _verify_bearer(header: str) -> Principal | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    runtime = current_runtime()
    principal = runtime.tokens.verify(token.strip(), issuer_site=_issuer_hint(token.strip()))
    if principal.site != runtime.site_id:
        return principal  # another issuer's token (the hub's federation token): not a user of this site
    with runtime.engine.connect() as conn:
        return as_user_now(conn, principal)


def _issuer_hint(token: str) -> str | None:
    # Which key to verify with; Tokens.verify decides whether that issuer is accepted at all.
    try:
        iss = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
    except jwt.PyJWTError:
        return None
    return iss.removeprefix("sopro:") if iss.startswith("sopro:") else None


def current_principal() -> Principal | None:
    return g.get("principal")


def acting_for(staff_roles: Iterable[str]) -> str | None:
    """Whose records the caller may manage: None for staff (anyone's), else its own organisation's."""
    principal = current_principal()
    if principal.has_any(staff_roles):
        return None
    if not principal.organisation_id:
        raise Forbidden("this member's token names no organisation")
    return principal.organisation_id
