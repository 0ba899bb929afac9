"""Composition root: which services a site runs, which the hub runs, and their apps, databases and workers.

The services and what each contributes are listed in `services.composition`; this builds from that table.
Nothing is built at import time. `create_app(runtime)` is the app factory: the kernel's app
(`create_flask_app`), the web kernel (`init_web`), every service's blueprints, in the table's order, and
the ports the services provide each other (`services.common.ports.provide`).
"""
from __future__ import annotations

from functools import partial

from flask import Flask

from services.common.api import create_flask_app
from services.common.config import Settings
from services.common.db import Component
from services.common.migrate import KERNEL, upgrade
from services.common.ports import provide
from services.common.runtime import Runtime, build_runtime
from services.composition import HUB_SERVICES, SITE_SERVICES, Service
from services.sync.api import provide_hub_ingest
from services.web import init_web
from services.workers import Workers, start_hub_ingest, start_site_consumers


def services_of(settings: Settings) -> tuple[Service, ...]:
    return HUB_SERVICES if settings.is_hub else SITE_SERVICES


def components(settings: Settings) -> list[Component]:
    """The kernel's tables and those of every service this site (or the hub) runs, one Alembic branch each."""
    return [KERNEL, *(c for service in services_of(settings) for c in service.components)]


def site_queues(runtime: Runtime) -> list[tuple]:
    """The queues a site consumes, as (QueueSpec, EventProcessor)."""
    return [make(runtime) for service in services_of(runtime.settings) for make in service.consumers]


def consumers(runtime: Runtime) -> list[tuple]:
    """Every queue this site consumes, as (QueueSpec, EventProcessor); at the hub, its ingest."""
    ingest = hub_ingest_of(runtime.settings)
    return site_queues(runtime) + ([ingest(runtime)[:2]] if ingest else [])


def consumer_processors(runtime: Runtime) -> dict:
    """Every consumer of this site (or the hub) with its processor, by consumer (queue) name."""
    return {spec.name: processor for spec, processor in consumers(runtime)}


def hub_ingest_of(settings: Settings):
    """The hub's ingest, runtime -> (QueueSpec, EventProcessor, streams); None at a site."""
    return next((s.ingest for s in services_of(settings) if s.ingest), None)


def start_consumers(runtime: Runtime, workers: Workers) -> None:
    """A thread for each queue this site consumes; at the hub, its ingest and the reconciler that heals it."""
    start_site_consumers(runtime, workers, site_queues(runtime))
    ingest = hub_ingest_of(runtime.settings)
    if ingest is not None:
        start_hub_ingest(runtime, workers, ingest(runtime))


def migrate(runtime: Runtime) -> None:
    upgrade(runtime.engine, components(runtime.settings))


def create_app(runtime: Runtime) -> Flask:
    settings = runtime.settings
    site = settings.site
    title = f"SoPro {site.name} ({site.id})" + (" hub" if site.is_hub else " site")
    services = services_of(settings)
    app, api = create_flask_app(f"sopro.{site.id}", title, runtime, components(settings))
    init_web(app, runtime, [path for service in services for path in service.translations])
    for service in services:
        for blp in service.api:
            api.register_blueprint(blp)
        for blp in service.pages:
            app.register_blueprint(blp)
        for kind, implementation in service.provides:
            provide(app, kind, implementation(runtime))
    ingest = hub_ingest_of(settings)
    if ingest is not None:
        provide_hub_ingest(app, partial(ingest, runtime))
    return app


def bootstrap(settings: Settings, migrate_db: bool = True) -> Runtime:
    runtime = build_runtime(settings)
    if migrate_db:
        migrate(runtime)
    return runtime
