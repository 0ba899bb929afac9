"""Requests are rate-limited per client: 429 with Retry-After, in the one error shape.

The apps here are built by the kernel's factory (as every site and the hub are), on PostgreSQL, with
low limits set through Settings, so a few requests reach them.
"""
from __future__ import annotations

import pytest
from limits import parse_many
from flask_smorest import Blueprint

from services.common.api import create_flask_app
from services.common.auth import current_principal, public, roles
from services.common.users import add_user, authenticate
from services.common.config import DEFAULT_RATE_LIMIT, DEFAULT_TOKEN_RATE_LIMIT, load_settings
from tests.support.limits import ELSEWHERE, HERE, assert_too_many
from tests.support.sync import make_runtime
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

probe = Blueprint("probe", __name__, url_prefix="/api/v1/probe")


@probe.route("/public")
@public
@probe.response(200)
def open_probe():
    return {"ok": True}


@probe.route("/login", methods=["POST"])
@public
@probe.response(200)
def form_login():
    """Another place that checks passwords, as the web pages' login form does."""
    from flask import current_app, request

    with current_app.extensions["sopro"].engine.connect() as conn:
        user = authenticate(conn, request.form.get("username", ""), request.form.get("password", ""))
    return {"ok": user is not None}


@probe.route("/mine")
@roles("broker")
@probe.response(200)
def my_probe():
    return {"sub": current_principal().subject}


@pytest.fixture
def make_app(make_settings, pg_url):
    def make(**limits):
        runtime = make_runtime(make_settings("AT12", db_url=pg_url, **limits))
        app, api = create_flask_app("rate-probe", "probe", runtime)
        api.register_blueprint(probe)
        return app, runtime

    return make


def test_a_client_over_its_limit_gets_429_with_retry_after_and_others_do_not(make_app):
    app, _ = make_app(rate_limit="5/minute")
    client = app.test_client()
    for _ in range(5):
        assert client.get("/api/v1/probe/public", environ_base=HERE).status_code == 200
    assert_too_many(client.get("/api/v1/probe/public", environ_base=HERE))
    # The limit is per client across every route, not per route.
    assert_too_many(client.get("/api/v1/openapi.json", environ_base=HERE))
    assert client.get("/api/v1/probe/public", environ_base=ELSEWHERE).status_code == 200


def test_an_authenticated_client_is_counted_by_its_token_subject(make_app):
    app, runtime = make_app(rate_limit="5/minute")
    client = app.test_client()
    anna, bob = bearer(runtime, ["broker"], "anna"), bearer(runtime, ["broker"], "bob")
    for _ in range(5):
        assert client.get("/api/v1/probe/mine", headers=anna, environ_base=HERE).status_code == 200
    assert_too_many(client.get("/api/v1/probe/mine", headers=anna, environ_base=HERE))
    # Anna from another address is still anna; bob behind the same address has his own allowance.
    assert_too_many(client.get("/api/v1/probe/mine", headers=anna, environ_base=ELSEWHERE))
    response = client.get("/api/v1/probe/mine", headers=bob, environ_base=HERE)
    assert response.status_code == 200 and response.get_json() == {"sub": "bob"}
    assert client.get("/api/v1/probe/public", environ_base=HERE).status_code == 200  # the address: unused


def test_invalid_tokens_do_not_make_fresh_clients(make_app):
    app, _ = make_app(rate_limit="5/minute")
    client = app.test_client()
    for i in range(5):
        response = client.get("/api/v1/probe/mine", headers={"Authorization": f"Bearer forged-{i}"},
                              environ_base=HERE)
        assert response.status_code == 401
    assert_too_many(client.get("/api/v1/probe/mine", headers={"Authorization": "Bearer forged-6"},
                               environ_base=HERE))


def test_password_guessing_meets_the_stricter_limit_of_the_token_endpoint(make_app):
    app, runtime = make_app(rate_limit="100/minute", token_rate_limit="3/minute")
    with runtime.engine.begin() as conn:
        add_user(conn, "anna", "the-right-one", ["broker"])
    client = app.test_client()

    def login(password: str, where=HERE):
        return client.post("/api/v1/auth/token", json={"username": "anna", "password": password}, environ_base=where)

    for guess in ("123456", "password"):
        assert login(guess).status_code == 401
    # A login form elsewhere checks passwords too, and shares the allowance.
    form = client.post("/api/v1/probe/login", data={"username": "anna", "password": "anna2026"}, environ_base=HERE)
    assert form.status_code == 200 and form.get_json() == {"ok": False}
    assert_too_many(login("the-right-one"))  # even the right password waits now
    assert_too_many(client.post("/api/v1/probe/login", data={"username": "anna", "password": "the-right-one"},
                                environ_base=HERE))
    assert client.get("/api/v1/probe/public", environ_base=HERE).status_code == 200  # only logging in is held up
    assert login("the-right-one", ELSEWHERE).status_code == 200


def test_limits_are_configured_by_settings_and_environment(make_app, federation):
    env = {"SOPRO_RATE_LIMIT": "7/second;100/hour", "SOPRO_TOKEN_RATE_LIMIT": "2/minute"}
    settings = load_settings("AT12", env=env, federation=federation)
    assert (settings.rate_limit, settings.token_rate_limit) == ("7/second;100/hour", "2/minute")
    defaults = load_settings("AT12", env={}, federation=federation)
    assert (defaults.rate_limit, defaults.token_rate_limit) == (DEFAULT_RATE_LIMIT, DEFAULT_TOKEN_RATE_LIMIT)
    app, _ = make_app(rate_limit=DEFAULT_RATE_LIMIT, token_rate_limit=DEFAULT_TOKEN_RATE_LIMIT)
    limiter = app.extensions["sopro_limiter"]
    assert sorted(str(limit.limit) for limit in limiter.limit_manager.application_limits) == sorted(
        str(limit) for limit in parse_many(DEFAULT_RATE_LIMIT))
    with pytest.raises(ValueError, match="SOPRO_RATE_LIMIT"):
        make_app(rate_limit="as many as you like")


def test_a_blueprint_with_error_pages_of_its_own_still_answers_429_in_the_one_shape(make_app):
    # The kernel's handler is registered for the status 429 itself, which Flask prefers to a
    # blueprint's handler of every HTTPException (the web pages have one).
    from flask import Blueprint as PlainBlueprint
    from werkzeug.exceptions import HTTPException

    app, _ = make_app(rate_limit="2/minute")
    pages = PlainBlueprint("pages", __name__, url_prefix="/pages")

    @pages.route("/home")
    @public
    def home():
        return "<h1>home</h1>"

    @pages.errorhandler(HTTPException)
    def page_error(exc):
        return f"<h1>{exc.code}</h1>", exc.code

    app.register_blueprint(pages)
    client = app.test_client()
    assert [client.get("/pages/home", environ_base=HERE).status_code for _ in range(2)] == [200, 200]
    assert_too_many(client.get("/pages/home", environ_base=HERE))
