"""Flask app factory helpers: one error shape, an OpenAPI document per app, paging.

Every error leaves as {"code", "status", "message", "errors"}: `code` is a stable machine-readable
word, `status` the HTTP status, `errors` the field messages (empty when there are none).
"""
from __future__ import annotations

import logging

import marshmallow as ma
from flask import Flask, jsonify, make_response
from flask_smorest import Api
from jinja2 import pass_context
from werkzeug.exceptions import HTTPException

from services.common.access import AccessRulesPlugin
from services.common.auth import enforce_access
from services.common.body_limit import apply_body_limit
from services.common.errors import SoproError
from services.common.auth_api import blp as auth_blp
from services.common.health import blp as health_blp, init_health
from services.common.keyset import Cursor
from services.common.jsonbody import JSONProvider
from services.common.logs import register_request_context
from services.common.metrics import register_metrics
from services.common.migrate import KERNEL
from services.common.ratelimit import RateLimitExceeded, count_public_write, init_rate_limits, too_many_requests
from services.common.request_guard import RequestGuardPlugin, guard_request
from services.common.runtime import APP_EXTENSION

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200


class ErrorSchema(ma.Schema):
    """The one error shape, as documented for every error answer of every operation."""

    code = ma.fields.String(required=True, metadata={"description": "a stable machine-readable word"})
    status = ma.fields.Integer(required=True, metadata={"description": "the HTTP status"})
    message = ma.fields.String(required=True)
    errors = ma.fields.Dict(required=True, metadata={"description": "field messages; empty when none"})


class SoproApi(Api):
    """flask-smorest's Api, documenting errors in the project's shape rather than its own."""

    ERROR_SCHEMA = ErrorSchema


def decimal_as_string(converter, field, ret=None, **kwargs) -> dict:
    """apispec documents a marshmallow Decimal as a number; it travels as a decimal string (Flask's
    JSON writes every Decimal as a string), so the document says so. A string has no minimum or
    maximum in JSON Schema: the range stays, as x-minimum / x-maximum."""
    if not isinstance(field, ma.fields.Decimal):
        return {}
    for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if ret is not None and bound in ret:
            ret[f"x-{bound}"] = str(ret.pop(bound))
    return {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


@pass_context
def _as_rendered(_context, value):
    return value


# Jinja evaluates a filter on a constant ({{ 'granted'|term }}, {{ 1250|number }}) once, when it compiles
# the template, in the language of whichever request came first: every later reader would get that
# language. A `finalize` that needs the render context, and no optimizer, make every output wait for it.
RENDER_TIME_ONLY = {"finalize": _as_rendered, "optimized": False}


def create_flask_app(name: str, title: str, runtime, components=(KERNEL,)) -> tuple[Flask, Api]:
    """A Flask app with the kernel's concerns registered: errors, access rules, OpenAPI, and the health
    probes, whose readiness expects the migrations of `components` (the kernel's alone by default)."""
    app = Flask(name)
    app.jinja_options = {**app.jinja_options, **RENDER_TIME_ONLY}
    app.json = JSONProvider(app)  # request.get_json() bounded like every declared JSON body
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.extensions[APP_EXTENSION] = runtime
    api = SoproApi(app, spec_kwargs={
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        # each operation's access rule, and the answers of the request guard, in the document
        "extra_plugins": [AccessRulesPlugin(app), RequestGuardPlugin()],
    })
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)
    register_error_handlers(app)
    # Before the access check, so that refused requests are traced and timed too.
    register_request_context(app)
    register_metrics(app, runtime.engine)
    init_rate_limits(app, runtime.settings)  # before the access check: refused requests count too
    app.before_request(enforce_access)
    app.before_request(count_public_write)  # after the access check: a caller with a valid token is not anonymous
    app.before_request(apply_body_limit)  # a file route's larger body, before anything reads the form
    app.before_request(guard_request)  # after access and limits: strangers learn no input rules, refusals count
    init_health(app, components)
    api.register_blueprint(auth_blp)
    api.register_blueprint(health_blp)
    return app, api


def error_body(status: int, code: str, message: str, errors: dict | None = None):
    return jsonify({"code": code, "status": status, "message": message, "errors": errors or {}}), status


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(SoproError, domain_error)
    app.register_error_handler(RateLimitExceeded, rate_limited)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


# The JSON answers of errors; module-level so that the web kernel can answer a browser with a page and
# fall back on them for everyone else (services/web/error_pages.py).

def domain_error(exc: SoproError):
    return error_body(exc.status, exc.code, exc.message, exc.errors)


def rate_limited(exc: RateLimitExceeded):
    return too_many_requests(exc, error_body)


def http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors") or {}
    if exc.code == 422:
        # webargs nests field messages under the request location; callers want the fields.
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files", "path", "headers"}:
            merged = {}
            for part in messages.values():
                merged.update(part if isinstance(part, dict) else {"_schema": part})
            messages = merged
        message = data.get("message") or "the request is invalid; see errors"
        return with_headers_of(exc, error_body(422, "invalid", message, messages))
    code = (exc.name or "error").lower().replace(" ", "_")
    return with_headers_of(exc, error_body(exc.code or 500, code, data.get("message") or exc.description
                                            or exc.name, messages))


def unexpected_error(exc: Exception):
    log.exception("unhandled error")
    return error_body(500, "internal_error", "an unexpected error occurred; it has been logged")


def with_headers_of(exc: HTTPException, answer):
    """The error body with the headers the exception carries (a 405's Allow, a 503's Retry-After, those
    passed to abort()), which rebuilding the response would otherwise drop."""
    body, status = answer
    response = make_response(body, status)
    extra = (getattr(exc, "data", None) or {}).get("headers") or {}
    for name, value in [*exc.get_headers(), *dict(extra).items()]:
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


class PageQuery(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE))


class KeysetPageQuery(PageQuery):
    """Paging of a list that continues by cursor (`services.common.keyset`); `page` is OFFSET paging, kept
    for older callers: deep pages read every row they skip."""

    after = Cursor(metadata={"description": "the `next` of the previous page: the page after it (`page` is then "
                                            "ignored)"})


REGISTRY_TOTAL = ("how many items the whole list has (kept as rows are written; counted afresh, by reading the "
                  "matching rows, under a free-text, CPV or region filter)")


def keyset_page_schema(item_schema: type[ma.Schema], name: str, total: str = REGISTRY_TOTAL) -> type[ma.Schema]:
    """The response schema of a page of `item_schema` with the cursor of the next page; `total` says where the
    list's size comes from."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema)),
            "page": ma.fields.Integer(),
            "per_page": ma.fields.Integer(),
            "total": ma.fields.Integer(allow_none=True, metadata={"description": total}),
            "next": ma.fields.String(allow_none=True, metadata={
                "description": "pass as `after` for the next page; null on the last page"}),
        },
        name=name,
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The response schema of a page of `item_schema`."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema)),
            "page": ma.fields.Integer(),
            "per_page": ma.fields.Integer(),
            "total": ma.fields.Integer(),
        },
        name=name,
    )
