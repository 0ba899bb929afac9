"""Composition root: which services a site runs, which the hub runs, and their apps and workers.

Nothing is built at import time. `site_app(runtime)` and `hub_app(runtime)` are app factories in the
flaskr style: one `register_*` per concern.
"""
from __future__ import annotations

import importlib

from flask import Flask

from services.common.api import create_flask_app
from services.common.config import Settings
from services.common.db import Component
from services.common.migrate import KERNEL, upgrade
from services.common.runtime import Runtime, build_runtime
from services.web import init_web

# The services of a site and of the hub, by package name. A package provides
#   store.COMPONENT or store.COMPONENTS (its tables and migrations), api.blp or api.blueprints(),
#   optionally events (the event types it publishes) and pages.blp or pages.blueprints() (its HTML pages,
#   made with services.web.page_blueprint).
SITE_SERVICES = ("registry", "enquiries", "label", "sync")
HUB_SERVICES = ("hub", "sync")
EVENT_MODULES = ("services.registry.events", "services.enquiries.events", "services.label.events",
                 "services.hub.events")


def _module(service: str, name: str):
    try:
        return importlib.import_module(f"services.{service}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"services.{service}.{name}":
            return None
        raise


def services_of(settings: Settings) -> tuple[str, ...]:
    return HUB_SERVICES if settings.is_hub else SITE_SERVICES


def components(settings: Settings) -> list[Component]:
    found = [KERNEL]
    for service in services_of(settings):
        store = _module(service, "store")
        if store is not None:
            found += getattr(store, "COMPONENTS", [store.COMPONENT] if hasattr(store, "COMPONENT") else [])
    return found


def load_event_types() -> None:
    for name in EVENT_MODULES:
        importlib.import_module(name)


def migrate(runtime: Runtime) -> None:
    upgrade(runtime.engine, components(runtime.settings))


def create_app(runtime: Runtime) -> Flask:
    site = runtime.settings.site
    title = f"SoPro {site.name} ({site.id})" + (" hub" if site.is_hub else " site")
    app, api = create_flask_app(f"sopro.{site.id}", title, runtime)
    init_web(app, runtime, services_of(runtime.settings))
    for service in services_of(runtime.settings):
        module = _module(service, "api")
        if module is not None:
            for blp in getattr(module, "blueprints", lambda: [module.blp])():
                api.register_blueprint(blp)
        pages = _module(service, "pages")
        if pages is not None:
            for blp in getattr(pages, "blueprints", lambda: [pages.blp])():
                app.register_blueprint(blp)
    return app


def bootstrap(settings: Settings, migrate_db: bool = True) -> Runtime:
    load_event_types()
    runtime = build_runtime(settings)
    if migrate_db:
        migrate(runtime)
    return runtime
