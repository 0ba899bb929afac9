"""Anonymous writes meet a stricter allowance per address than everything else (issue 11, 3.6).

A site built as every site is (PostgreSQL, the kernel's factory and all pages), with a public-write
limit of 3 a minute and the general limit lifted: statements of support, public enquiries and label
complaints, through the API or a page's form, share the address's allowance; over it, 429 with
Retry-After (JSON in the one error shape, or a page for a browser). A caller with a token, logging in
and every read are not counted. A public form added tomorrow is counted without a line of its own.
"""
from __future__ import annotations

import pytest
from flask_smorest import Blueprint

from services.bootstrap import create_app
from services.common.access import route_rules
from services.common.api import create_flask_app
from services.common.auth import public
from services.common.users import add_user
from services.common.config import DEFAULT_PUBLIC_WRITE_RATE_LIMIT, load_settings
from services.common.ratelimit import READS
from tests.support.limits import ELSEWHERE, ENQUIRY, HERE, assert_too_many
from tests.support.migrated import bootstrap
from tests.support.sync import make_runtime
from tests.support.tokens import PASSWORD, logged_in

pytestmark = pytest.mark.services

API = "/api/v1"
STATEMENT = {"kind": "person", "consent": True, "nuts3": "AT123", "first_name": "Lena", "last_name": "Pichler"}
COMPLAINT = {"label_number": "SOPRO-AT12-2026-0001", "text": "The product is not what the label says."}

later_form = Blueprint("later_form", __name__, url_prefix="/api/v1/later")


@later_form.route("/suggestions", methods=["POST"])
@public
@later_form.response(201)
def suggest():
    """A public form added later, with no rate-limit code of its own."""
    return {"ok": True}


@pytest.fixture
def site(make_settings, pg_schema_url):
    runtime = bootstrap(make_settings("AT12", db_url=pg_schema_url("site"), public_write_rate_limit="3/minute"))
    with runtime.engine.begin() as conn:
        add_user(conn, "broker", PASSWORD, ["broker"])
    yield runtime, create_app(runtime)
    runtime.engine.dispose()


def test_anonymous_writes_share_a_stricter_allowance_per_address(site):
    _, app = site
    client = app.test_client()
    assert client.post(f"{API}/support-statements", json=STATEMENT, environ_base=HERE).status_code == 201
    assert client.post(f"{API}/enquiries", json=ENQUIRY, environ_base=HERE).status_code == 201
    # Invalid or not, each attempt counts: the allowance is for attempts, not for records.
    assert client.post(f"{API}/label-complaints", json={"text": ""}, environ_base=HERE).status_code == 422
    assert_too_many(client.post(f"{API}/support-statements", json=STATEMENT, environ_base=HERE))
    assert_too_many(client.post(f"{API}/label-complaints", json=COMPLAINT, environ_base=HERE))
    # The page's form shares it; a browser is shown a page, with Retry-After.
    page = client.post("/support", data={"kind": "person"}, headers={"Accept": "text/html"}, environ_base=HERE)
    assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 60
    assert "text/html" in page.content_type and "<h1>" in page.get_data(as_text=True)

    # Reads, logging in and a caller with a token are not held up; another address has its own allowance.
    assert client.get(f"{API}/offers", environ_base=HERE).status_code == 200
    broker = logged_in(client, "broker", environ_base=HERE)
    for _ in range(4):  # a broker typing in paper forms
        assert client.post(f"{API}/support-statements", json=STATEMENT, headers=broker,
                           environ_base=HERE).status_code == 201
    assert client.post(f"{API}/support-statements", json=STATEMENT, environ_base=ELSEWHERE).status_code == 201


def test_a_public_form_added_later_is_counted_without_code_of_its_own(make_settings, pg_url):
    app, api = create_flask_app("later", "later", make_runtime(make_settings("AT12", db_url=pg_url,
                                                                              public_write_rate_limit="2/minute")))
    api.register_blueprint(later_form)
    client = app.test_client()
    assert [client.post(f"{API}/later/suggestions", environ_base=HERE).status_code for _ in range(2)] == [201, 201]
    assert_too_many(client.post(f"{API}/later/suggestions", environ_base=HERE))


def test_every_public_write_of_a_site_is_counted_or_says_why_not(make_settings, pg_schema_url):
    """The public operations other than reads that are not counted are exactly those marked: the password
    checks, logging out, and the one-click unsubscribe (RFC 8058: mail providers POST it from shared servers;
    it files nothing, tests/integration/test_notification_settings.py)."""
    from services.common.auth import view_of

    runtime = bootstrap(make_settings("AT12", db_url=pg_schema_url("site")))
    try:
        app = create_app(runtime)
        writes = [r for r in route_rules(app) if r.public and r.method not in READS]
        exempt = {(r.method, r.path) for r in writes
                  if getattr(view_of(app, r.endpoint, r.method), "__sopro_public_write__", True) is False}
        assert exempt == {("POST", "/api/v1/auth/token"), ("POST", "/login"), ("POST", "/logout"),
                          ("POST", "/notifications/unsubscribe/<token>")}
        counted = {(r.method, r.path) for r in writes} - exempt
        assert {("POST", "/api/v1/support-statements"), ("POST", "/api/v1/enquiries"),
                ("POST", "/api/v1/label-complaints"), ("POST", "/support"), ("POST", "/enquire")} <= counted
    finally:
        runtime.engine.dispose()


def test_the_public_write_limit_is_a_setting(federation):
    assert load_settings("AT12", env={}, federation=federation).public_write_rate_limit == \
        DEFAULT_PUBLIC_WRITE_RATE_LIMIT
    env = {"SOPRO_PUBLIC_WRITE_RATE_LIMIT": "1/minute"}
    assert load_settings("AT12", env=env, federation=federation).public_write_rate_limit == "1/minute"
