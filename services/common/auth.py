"""Users of a site, the tokens it issues, and the access rule of every endpoint.

Tokens are JWTs signed with the site's Ed25519 key. Verification allows only EdDSA and requires
`exp`, `iss`, `aud` and `sub`; issuer and audience are the site itself, so a token from another site
is refused. A token of one of the site's users is also checked against the user's row on every
request (one primary-key lookup): a deactivated user, a password change or a changed organisation ends
it at once, and it grants only the roles the user still holds. Every endpoint declares its access with
`@public` or `@roles(...)`; `enforce_access` runs before each request and refuses an endpoint that
declared nothing (default deny).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import jwt
from flask import current_app, g, request
from sqlalchemy import JSON, Boolean, Column, Connection, Integer, String, Table, select

from services.common.db import kernel_metadata
from services.common.errors import Forbidden, Unauthorized
from services.common.password_limit import count_password_check
from services.common.passwords import hash_password, verify_password
from services.common.sessions import end_sessions_of
from services.common.signing import SiteKey, load_key_ring, site_of_kid

ROLES = ("site_admin", "broker", "assessor", "approver", "member", "agency_viewer", "agency_admin", "federation")
ALGORITHMS = ["EdDSA"]
PUBLIC = "public"
ANY_ROLE = frozenset(ROLES)

auth_user = Table(
    "auth_user",
    kernel_metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("organisation_id", String(36)),
    Column("active", Boolean, nullable=False, default=True),
    # Raised to end every token issued before (deactivation, a new password); tokens carry it as `ver`.
    Column("token_version", Integer, nullable=False, default=0, server_default="0"),
)


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    site: str
    organisation_id: str | None = None
    token_version: int | None = None  # the user's `token_version` at issue; None: not issued to a user

    def has_any(self, roles) -> bool:
        return bool(self.roles & set(roles))


def issuer_of(site_id: str) -> str:
    return f"sopro:{site_id}"


class Tokens:
    """Issues and verifies the tokens of one site."""

    def __init__(self, site_id: str, private_key, public_keys: dict, ttl_seconds: int = 3600,
                 foreign_issuers: dict[str, frozenset[str]] | None = None):
        self.site_id = site_id
        # Other issuers whose tokens this site accepts, and the only roles it grants them
        # (the hub's federation token for the pull feed).
        self.foreign_issuers = foreign_issuers or {}
        # A raw key signs as kid <site>; a SiteKey with its own kid (the newest listed, see keys.py).
        self._signing_key = private_key if isinstance(private_key, SiteKey) else SiteKey(private_key, site_id)
        # {site: pem} or {site: {kid: pem}}: every listed key of an issuer verifies (rotation overlap).
        self._key_ring = load_key_ring(public_keys)
        self.ttl_seconds = ttl_seconds

    def issue(self, subject: str, roles, organisation_id: str | None = None, audience: str | None = None,
              ttl_seconds: int | None = None, version: int | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer_of(self.site_id),
            "aud": audience or issuer_of(self.site_id),
            "sub": subject,
            "iat": now,
            "exp": now + (ttl_seconds or self.ttl_seconds),
            "roles": sorted(roles),
        }
        if organisation_id:
            claims["org"] = organisation_id
        if version is not None:
            claims["ver"] = version
        return jwt.encode(claims, self._signing_key.private_key, algorithm="EdDSA",
                          headers={"kid": self._signing_key.kid})

    def verify(self, token: str, issuer_site: str | None = None) -> Principal:
        """Verify a token meant for this site, issued by `issuer_site` (default: this site)."""
        issuer_site = issuer_site or self.site_id
        allowed = ANY_ROLE if issuer_site == self.site_id else self.foreign_issuers.get(issuer_site)
        if allowed is None:
            raise Unauthorized(f"tokens issued by {issuer_site} are not accepted here")
        key = self._key_for(token, issuer_site)
        try:
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=issuer_of(self.site_id),
                issuer=issuer_of(issuer_site), options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized("invalid token: roles must be a list of strings")
        version = claims.get("ver")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise Unauthorized("invalid token: ver must be an integer")
        return Principal(claims["sub"], frozenset(roles) & allowed, issuer_site, claims.get("org"), version)


    def _key_for(self, token: str, issuer_site: str):
        """The listed key the token's `kid` names; a token without a kid is the issuer's first key's."""
        keys = self._key_ring.get(issuer_site)
        if not keys:
            raise Unauthorized(f"no key is known for issuer {issuer_site}")
        try:
            kid = jwt.get_unverified_header(token).get("kid") or issuer_site
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        if not isinstance(kid, str) or site_of_kid(kid) != issuer_site:
            raise Unauthorized(f"invalid token: key {kid!r} is not a key of {issuer_site}")
        if kid not in keys:
            raise Unauthorized(f"invalid token: key {kid!r} is not (or no longer) listed for {issuer_site}")
        return keys[kid]


# --- users -------------------------------------------------------------------------------------------

def add_user(conn: Connection, username: str, password: str, roles, organisation_id: str | None = None) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    conn.execute(auth_user.insert().values(
        username=username, password_hash=hash_password(password), roles=sorted(roles),
        organisation_id=organisation_id, active=True,
    ))


def user_token(tokens: Tokens, user) -> str:
    """The token of a user row (`authenticate`'s), bound to its current `token_version`."""
    return tokens.issue(user.username, user.roles, user.organisation_id, version=user.token_version)


def update_user(conn: Connection, username: str, roles=None, active: bool | None = None) -> bool:
    """New roles and/or active state; False if there is no such user. Deactivation ends the user's
    tokens and web sessions at once; fewer roles take effect on the next request anyway (a token grants
    only the roles its user still holds)."""
    values = {}
    if roles is not None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles {sorted(unknown)}")
        values["roles"] = sorted(roles)
    if active is not None:
        values["active"] = active
    if active is False:
        values["token_version"] = auth_user.c.token_version + 1
        end_sessions_of(conn, username)
    if not values:
        return _exists(conn, username)
    return conn.execute(auth_user.update().where(auth_user.c.username == username).values(**values)).rowcount == 1


def set_password(conn: Connection, username: str, password: str) -> bool:
    """A new password ends every token and web session issued with the old one."""
    end_sessions_of(conn, username)
    return conn.execute(auth_user.update().where(auth_user.c.username == username).values(
        password_hash=hash_password(password), token_version=auth_user.c.token_version + 1)).rowcount == 1


def _exists(conn: Connection, username: str) -> bool:
    return conn.execute(select(auth_user.c.username).where(auth_user.c.username == username)).first() is not None


def authenticate(conn: Connection, username: str, password: str):
    count_password_check()  # password guessing meets the stricter limit, wherever passwords are checked
    row = conn.execute(select(auth_user).where(auth_user.c.username == username)).first()
    # scrypt runs for unknown users too (against a decoy): the time of the answer names no user.
    if not verify_password(password, row.password_hash if row is not None else None) or not row.active:
        return None
    return row


# --- access rules ------------------------------------------------------------------------------------

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
    runtime = current_app.extensions["sopro"]
    principal = runtime.tokens.verify(token.strip(), issuer_site=_issuer_hint(token.strip()))
    if principal.site != runtime.site_id:
        return principal  # another issuer's token (the hub's federation token): not a user of this site
    with runtime.engine.connect() as conn:
        return as_user_now(conn, principal)


def as_user_now(conn: Connection, principal: Principal) -> Principal:
    """The principal of a token of this site, as its user stands now: refused if the user is inactive,
    changed password or organisation since; granted only the token's roles the user still holds."""
    user = conn.execute(select(auth_user.c.active, auth_user.c.roles, auth_user.c.organisation_id,
                               auth_user.c.token_version)
                        .where(auth_user.c.username == principal.subject)).first()
    if user is None:
        if principal.token_version is None:
            return principal  # issued to a service principal (a subject that is no user), never to a person
        raise Unauthorized("the token's user no longer exists", code="token_revoked")
    if not user.active:
        raise Unauthorized("the token's user has been deactivated", code="token_revoked")
    if (principal.token_version or 0) != user.token_version or principal.organisation_id != user.organisation_id:
        raise Unauthorized("the token has been revoked; log in again", code="token_revoked")
    return replace(principal, roles=principal.roles & frozenset(user.roles))


def _issuer_hint(token: str) -> str | None:
    # Which key to verify with; Tokens.verify decides whether that issuer is accepted at all.
    try:
        iss = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
    except jwt.PyJWTError:
        return None
    return iss.removeprefix("sopro:") if iss.startswith("sopro:") else None


def current_principal() -> Principal | None:
    return g.get("principal")
