"""The app's ports: one implementation per interface, given by the composition root, asked for by its type.

`services.bootstrap.create_app` calls `provide(app, Port, implementation)` for each entry of a service's
`provides` in `services.composition`; a consumer calls `port(Port)` during a request (or in an app
context) and gets that implementation, typed as the Protocol. The Protocols live in
`services.contracts.ports`, so that a consumer and a provider share an interface and no code.
"""
from __future__ import annotations

from typing import TypeVar

from flask import Flask, current_app

P = TypeVar("P")
PORTS = "sopro.ports"


class MissingPort(LookupError):
    """No service of this app provides the port: a wiring mistake, not bad input."""


def provide(app: Flask, kind: type[P], implementation: P) -> None:
    """Make `implementation` the app's `kind`, a class or a `@runtime_checkable` Protocol (whose methods
    are checked here, at start, not at the first request). A port is provided once: two would be ambiguous."""
    ports = app.extensions.setdefault(PORTS, {})
    if kind in ports:
        raise ValueError(f"{kind.__name__} is provided twice: by {ports[kind]!r} and {implementation!r}")
    if not isinstance(implementation, kind):
        raise TypeError(f"{implementation!r} does not implement {kind.__name__}")
    ports[kind] = implementation


def port(kind: type[P]) -> P:
    """The current app's implementation of `kind` (see `services.composition` for who provides it)."""
    try:
        return current_app.extensions.get(PORTS, {})[kind]
    except KeyError:
        raise MissingPort(f"no service of this app provides {kind.__module__}.{kind.__name__}: "
                          f"list it in a service's `provides` in services.composition") from None
