"""The site administrator's forms on /office/users (issue 14): a new user, a new password, roles, and the
deactivation that asks first — each empty, with wrong values and with hostile values answers beside its
fields in the page's language (Hungarian at HU22, German at AT12) and never with a 500."""
from __future__ import annotations

import pytest

from tests.support.web import field_errors

USERS = "/office/users"
HOSTILE = "<script>alert(1)</script>"
REQUIRED = {"de": "Dieses Feld ist erforderlich.", "hu": "Ez a mező kötelező."}


@pytest.fixture
def admin(hu22):
    browser = hu22.browser()
    browser.login("admin")
    browser.get(USERS)
    return browser


def test_the_new_user_form_refuses_empty_wrong_and_hostile_values(admin):
    assert admin.post(USERS, {}).status_code == 422
    errors = field_errors(admin.page)
    assert errors["f-username"] == [REQUIRED["hu"]]
    # a site sends mail: no password is fine when an address is given for an invitation
    assert errors["f-password"] == ["Adjon meg egy jelszót, vagy egy e-mail-címet, ahová meghívót küldünk."]
    assert errors["f-roles"] and "choose" not in errors["f-roles"][0]

    for username in (HOSTILE, "x" * 5000, "1e309", "-1 OR 1=1"):
        response = admin.post(USERS, {"username": username, "password": "x" * 5000,
                                      "roles": ["federation", HOSTILE], "organisation_id": "1e309"})
        assert response.status_code == 422
        errors = field_errors(admin.page)
        assert {"f-password", "f-roles", "f-organisation_id"} <= set(errors), errors
        assert username == "1e309" or "f-username" in errors
        assert "<script>alert" not in admin.page
        assert all("must" not in m and "Not a" not in m for ms in errors.values() for m in ms), errors
    assert admin.get(USERS).status_code == 200
    assert HOSTILE not in admin.page and 'value="federation"' not in admin.page  # a machine's role is no choice


def test_the_password_page_refuses_empty_short_long_and_hostile_values(hu22, admin):
    assert admin.post(USERS, {"username": "jelszo-teszt", "password": "egy-hosszu-jelszo", "roles": "broker",
                              "organisation_id": ""}).status_code == 302
    page = f"{USERS}/jelszo-teszt/password"
    admin.get(page)
    for typed in ("", "rövid", "x" * 201, "-1", "1e309"):
        assert admin.post(page, {"password": typed}).status_code == 422, typed
        assert list(field_errors(admin.page)) == ["f-password"]
    assert admin.post(page, {"password": HOSTILE}).status_code == 302  # any 10 characters make a password
    user = hu22.browser()
    user.login("jelszo-teszt", HOSTILE)
    assert admin.get(f"{USERS}/{HOSTILE}/password").status_code == 404
    assert HOSTILE not in admin.page


def test_deactivation_asks_first_and_can_be_undone(hu22, admin):
    assert admin.post(USERS, {"username": "kilepo", "password": "egy-hosszu-jelszo", "roles": "broker",
                              "organisation_id": ""}).status_code == 302
    user = hu22.browser()
    user.login("kilepo", "egy-hosszu-jelszo")
    admin.get(USERS)
    assert 'href="/office/users/kilepo/deactivate"' in admin.page
    assert admin.get(f"{USERS}/kilepo/deactivate").status_code == 200
    assert "Inaktiválja: kilepo?" in admin.page
    assert user.get("/office/enquiries").status_code == 200, "nothing happens before the confirmation"

    assert admin.post(f"{USERS}/kilepo/deactivate").status_code == 302
    assert user.get("/office/enquiries").status_code != 200, "the open session ended at once"
    admin.get(USERS)
    assert "kilepo inaktiválva, többé nem tud bejelentkezni." in admin.page
    assert "inaktiválva</span>" in admin.page
    assert admin.post(f"{USERS}/kilepo/activate").status_code == 302
    user.login("kilepo", "egy-hosszu-jelszo")

    assert admin.get(f"{USERS}/{HOSTILE}/deactivate").status_code == 404
    assert admin.post(f"{USERS}/nincs-ilyen/activate").status_code == 404
    assert admin.post(f"{USERS}/admin/deactivate").status_code == 302  # never oneself
    admin.get(USERS)
    assert "Saját adminisztrátori jogát nem vonhatja vissza." in admin.page
    assert admin.get("/office/operations").status_code == 200, "still the administrator"


def test_roles_cannot_be_emptied_or_made_up(at12):
    admin = at12.browser()
    admin.login("admin")
    admin.get(USERS)
    for roles in ([], ["federation"], [HOSTILE], ["1e309", "-1"]):
        assert admin.post(f"{USERS}/broker", {"roles": roles}).status_code == 302
        admin.get(USERS)
        assert "Bitte wählen Sie mindestens eine Rolle." in admin.page
    assert at12.ok("GET", "/enquiries", "broker") is not None  # the broker kept its role
    broker = at12.browser()
    assert broker.client.post(f"{USERS}/admin/deactivate").status_code in (302, 400, 401, 403)
    broker.login("broker")
    broker.get("/office/enquiries")
    assert broker.post(f"{USERS}/admin/deactivate").status_code == 403
    assert broker.get(f"{USERS}/admin/deactivate").status_code == 403
