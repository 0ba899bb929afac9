"""The tokens a site issues: JWTs signed with the site's Ed25519 key, and the roles they may grant.

Verification allows only EdDSA and requires `exp`, `iss`, `aud` and `sub`; issuer and audience are the
site itself, so a token from another site is refused, unless that issuer is listed as foreign (the hub's
federation token), and then it grants only the roles listed for it. A token of one of the site's users
is checked against the user's row on every request as well (users.py, `as_user_now`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from services.common.errors import Unauthorized
from services.common.signing import SiteKey, load_key_ring, site_of_kid

ROLES = ("site_admin", "broker", "assessor", "approver", "member", "agency_viewer", "agency_admin", "federation")
ALGORITHMS = ["EdDSA"]
ANY_ROLE = frozenset(ROLES)


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
