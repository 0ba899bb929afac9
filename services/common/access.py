"""The access rule of every route of an app, in one place.

Each view declares its rule where it is written (`@public` or `@roles(...)`, services/common/auth.py)
and `enforce_access` applies it before every request, refusing a route that declared nothing. This
module reads those declarations back for the whole app, so they can be reviewed together:

- `route_rules(app)`: every (method, path) of the app's URL map with its rule, the API's and any
  other blueprint's (HTML pages, static files) alike; `sopro routes` prints it;
- `AccessRulesPlugin`: writes the same rules into the app's OpenAPI document (`security`, the roles
  as `x-sopro-roles`, and the 401/403/429 answers), so clients and schemathesis see them too.
"""
from __future__ import annotations

from dataclasses import dataclass

from apispec import BasePlugin

from services.common.auth import PUBLIC, access_rule

UNDECLARED = "UNDECLARED (refused)"
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask itself, never by a view


@dataclass(frozen=True)
class RouteRule:
    method: str
    path: str
    endpoint: str
    roles: frozenset[str] | None  # None: public or undeclared
    public: bool

    @property
    def declared(self) -> bool:
        return self.public or bool(self.roles)

    @property
    def rule(self) -> str:
        if self.public:
            return PUBLIC
        return "roles: " + ", ".join(sorted(self.roles)) if self.roles else UNDECLARED


def route_rules(app) -> list[RouteRule]:
    """Every route and method of the app with its declared access rule, sorted by path."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            declared = access_rule(app, rule.endpoint, method)
            public = declared == PUBLIC
            roles = frozenset(declared) if declared and not public else None
            found.append(RouteRule(method, rule.rule, rule.endpoint, roles, public))
    return sorted(found, key=lambda r: (r.path, r.method))


def format_rules(rules: list[RouteRule]) -> str:
    width = max((len(r.path) for r in rules), default=0)
    return "\n".join(f"{r.method:<7} {r.path:<{width}}  {r.rule}" for r in rules)


class AccessRulesPlugin(BasePlugin):
    """apispec plugin: documents each operation's access rule as flask-smorest registers it."""

    def __init__(self, app):
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            declared = access_rule(self.app, rule.endpoint, method.upper())
            responses = operation.setdefault("responses", {})
            responses.setdefault("429", "TOO_MANY_REQUESTS")
            if declared == PUBLIC:
                continue  # no security requirement: anyone may call it
            operation["security"] = [{"bearer": []}]
            operation["x-sopro-roles"] = sorted(declared) if declared else []
            responses.setdefault("401", "UNAUTHORIZED")
            responses.setdefault("403", "FORBIDDEN")
