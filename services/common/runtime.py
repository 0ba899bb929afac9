"""The runtime of one site (or the hub): the dependencies that handlers, APIs and workers share.

`build_runtime(settings)` makes them (nothing is built at import time); `create_api` keeps the runtime
on its Flask app, where `current_runtime()` finds it during a request.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Engine

from services.common.tokens import Tokens, issuer_of
from services.common.config import Settings
from services.common.db import make_engine
from services.common.uow import CommitHooks, UnitOfWork
from services.common.jsonschemas import EventValidator
from services.common.keys import signing_key
from services.common.signing import Verifier

FEDERATION_ROLES = frozenset({"federation"})
APP_EXTENSION = "sopro"  # where create_api keeps the runtime on the Flask app


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    signing_key: object
    tokens: Tokens
    verifier: Verifier
    validator: EventValidator
    hooks: CommitHooks = field(default_factory=CommitHooks)

    @property
    def site_id(self) -> str:
        return self.settings.site_id

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.site_id, self.hooks)

    def federation_token(self, audience_site: str) -> str:
        """A short-lived token with which the hub reads a site's feed."""
        return self.tokens.issue(f"{self.site_id}:reconciler", ["federation"],
                                 audience=issuer_of(audience_site), ttl_seconds=300)


def current_runtime() -> Runtime:
    """The runtime of the app serving this request: how views, pages and request hooks reach it."""
    return current_app.extensions[APP_EXTENSION]


def build_runtime(settings: Settings, engine: Engine | None = None) -> Runtime:
    public_keys = settings.federation.key_ring()
    # The newest of the site's keys that the federation lists (key rotation, services/common/keys.py).
    key = signing_key(settings.site_id, settings.key_file, public_keys.get(settings.site_id, {}))
    hub_id = settings.federation.hub.id
    return Runtime(
        settings=settings,
        engine=engine or make_engine(settings.db_url),
        signing_key=key,
        tokens=Tokens(settings.site_id, key, public_keys, settings.token_ttl_seconds,
                      foreign_issuers={hub_id: FEDERATION_ROLES} if hub_id != settings.site_id else {}),
        verifier=Verifier(public_keys),
        validator=EventValidator(settings.schemas_dir),
    )
