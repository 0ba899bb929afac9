"""Tokens and web sessions end when their user does: at once, not when they expire.

Against a site's real API and pages (Flask test client), on PostgreSQL and on SQLite. The site admin
changes users through the users page, as a person would.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from services.bootstrap import create_app
from services.common.users import add_user, set_password
from services.common.runtime import build_runtime
from services.common.sessions import web_session
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.migrated import bootstrap
from tests.support.tokens import PASSWORD, logged_in

HTML = {"Accept": "text/html"}
PERSONAL_DATA = "/api/v1/support-statements"  # staff only: the statements' names and addresses
OFFICE_PAGE = "/office/enquiries"  # staff only
COOKIE = "sopro_at12"


@pytest.fixture(params=BACKENDS)
def site(request, make_settings):
    db_url = pg_url_if(request, request.param)
    runtime = bootstrap(make_settings("AT12", db_url=db_url))
    with runtime.engine.begin() as conn:
        add_user(conn, "admin", PASSWORD, ["site_admin"])
        add_user(conn, "anna", PASSWORD, ["broker"])
    yield runtime, create_app(runtime)
    runtime.engine.dispose()


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path, headers=HTML).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def browser_logged_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", headers=HTML, data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def admin_changes(app, username: str, roles: list[str], active: bool) -> None:
    admin = browser_logged_in(app, "admin")
    form = {"roles": roles, "csrf_token": csrf_token(admin, "/office/users")}
    response = admin.post(f"/office/users/{username}", headers=HTML, data=form)
    assert response.status_code == 302
    # (de)activation is a page of its own (the deactivation asks first)
    response = admin.post(f"/office/users/{username}/{'activate' if active else 'deactivate'}", headers=HTML,
                          data={"csrf_token": form["csrf_token"]})
    assert response.status_code == 302


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_deactivated_users_token_is_refused_at_once(site):
    _, app = site
    api = app.test_client()
    anna = logged_in(app.test_client(), "anna")
    assert api.get(PERSONAL_DATA, headers=anna).status_code == 200

    admin_changes(app, "anna", ["broker"], active=False)

    refused = api.get(PERSONAL_DATA, headers=anna)
    assert refused.status_code == 401 and refused.get_json()["code"] == "token_revoked"
    # Nor does the old token come back to life when the user is active again: they log in anew.
    admin_changes(app, "anna", ["broker"], active=True)
    assert api.get(PERSONAL_DATA, headers=anna).status_code == 401
    assert api.get(PERSONAL_DATA, headers=logged_in(app.test_client(), "anna")).status_code == 200


def test_a_demoted_users_token_keeps_only_the_roles_still_held(site):
    _, app = site
    api = app.test_client()
    anna = logged_in(app.test_client(), "anna")
    assert api.get(PERSONAL_DATA, headers=anna).status_code == 200

    admin_changes(app, "anna", ["member"], active=True)

    refused = api.get(PERSONAL_DATA, headers=anna)
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    # A role given since is not in the old token either (site_admin may read them): it comes with the next login.
    admin_changes(app, "anna", ["member", "site_admin"], active=True)
    assert api.get(PERSONAL_DATA, headers=anna).status_code == 403
    assert api.get(PERSONAL_DATA, headers=logged_in(app.test_client(), "anna")).status_code == 200


def test_a_new_password_ends_the_tokens_and_sessions_issued_before(site):
    runtime, app = site
    anna, browser = logged_in(app.test_client(), "anna"), browser_logged_in(app, "anna")
    with runtime.engine.begin() as conn:
        set_password(conn, "anna", "another-password-1")
    assert app.test_client().get(PERSONAL_DATA, headers=anna).status_code == 401
    assert sent_to_login(browser.get(OFFICE_PAGE, headers=HTML))


def test_deactivation_ends_the_users_web_sessions(site):
    runtime, app = site
    browser = browser_logged_in(app, "anna")
    assert browser.get(OFFICE_PAGE, headers=HTML).status_code == 200

    admin_changes(app, "anna", ["broker"], active=False)

    assert sent_to_login(browser.get(OFFICE_PAGE, headers=HTML))
    with runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(web_session)
                            .where(web_session.c.username == "anna")).scalar() == 0


def test_a_demoted_users_session_is_refused_the_page_of_the_role(site):
    _, app = site
    browser = browser_logged_in(app, "anna")
    admin_changes(app, "anna", ["member"], active=True)
    assert browser.get(OFFICE_PAGE, headers=HTML).status_code == 403


def test_a_copied_cookie_is_dead_after_logout(site):
    _, app = site
    browser = browser_logged_in(app, "anna")
    thief = app.test_client()
    thief.set_cookie(COOKIE, browser.get_cookie(COOKIE).value)
    assert thief.get(OFFICE_PAGE, headers=HTML).status_code == 200  # the copy works while the session lives

    browser.post("/logout", headers=HTML, data={"csrf_token": csrf_token(browser, "/")})

    assert sent_to_login(thief.get(OFFICE_PAGE, headers=HTML))
    assert sent_to_login(browser.get(OFFICE_PAGE, headers=HTML))


def test_the_cookie_holds_a_session_id_and_no_token(site):
    _, app = site
    browser = browser_logged_in(app, "anna")
    cookie = browser.get_cookie(COOKIE).value
    content = app.session_interface.get_signing_serializer(app).loads(cookie)

    assert set(content) <= {"sid", "lang", "csrf_token", "_flashes"}
    assert isinstance(content["sid"], str) and len(content["sid"]) >= 40
    assert not re.search(r"eyJ[\w-]*\.eyJ[\w-]*\.", str(content))  # nothing shaped like a JWT


def test_the_hubs_federation_token_is_no_user_and_keeps_working(site, make_settings):
    _, app = site
    hub = build_runtime(make_settings("EU"))
    token = hub.federation_token("AT12")
    response = app.test_client().get("/federation/feed/AT12/registry?after=0",
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
