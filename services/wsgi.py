"""WSGI entry for production servers: `gunicorn 'services.wsgi:create_app_from_env()'`.

The API only; run the background workers beside it with `sopro serve --role relay` (and, at the hub,
`--role ingest`). Migrations are applied by `sopro db upgrade`, not by each web worker.
"""
from __future__ import annotations

from flask import Flask

from services.bootstrap import bootstrap, create_app
from services.common.config import load_settings


def create_app_from_env() -> Flask:
    return create_app(bootstrap(load_settings(), migrate_db=False))
