"""The site administrator links a new member to its organisation by searching the site's organisations
(never by typing an id), sees members by their organisation's name, and sets a new password for a user."""
from __future__ import annotations

import re

from tests.support.hub_pages import Hub, settings_in
from tests.support.web import PASSWORD, field_errors, form_message

USERS = "/office/users"


def organisation_choices(page: str) -> dict[str, str]:
    """The member organisation's radio buttons: {value: label text}."""
    found = re.findall(r'<input type="radio" name="organisation_id" value="([^"]*)"[^>]*>\s*([^<]*)</label>', page)
    return {value: text.strip() for value, text in found}


def new_member(**changes) -> dict:
    return {"username": "werkstatt", "password": "ein-langes-passwort", "roles": "member",
            "organisation_q": "traisen", **changes}


def test_a_member_is_linked_by_searching_its_organisation_and_shown_by_its_name(at12):
    admin = at12.browser()
    admin.login("admin")
    admin.get(USERS + "?organisation_q=TRAISEN")
    werkstatt = at12.ids["Traisentaler Werkstatt"]
    assert organisation_choices(admin.page) == {"": "Keine (Personal)",
                                                werkstatt: "Traisentaler Werkstatt · Sozialunternehmen · Town"}

    assert admin.post(USERS, new_member()).status_code == 422  # a member without its organisation
    assert field_errors(admin.page) == {
        "f-organisation_id": ["Ein Mitglied handelt für eine Organisation: Suchen Sie sie und wählen Sie sie aus."]}
    assert werkstatt in organisation_choices(admin.page)  # the search is still there

    assert admin.post(USERS, new_member(organisation_id=werkstatt)).status_code == 302
    admin.get(USERS)
    assert "Mitglied von Traisentaler Werkstatt" in admin.page
    assert werkstatt[:8] not in re.sub(r'value="[^"]*"', "", admin.page)  # no id shown anywhere
    member = at12.browser()
    member.login("werkstatt", "ein-langes-passwort")


def test_an_organisation_not_found_by_the_search_cannot_be_linked(at12):
    admin = at12.browser()
    admin.login("admin")
    admin.get(USERS + "?organisation_q=Nirgendwo")
    assert "Keine Organisation passt zu „Nirgendwo“." in admin.page
    assert organisation_choices(admin.page) == {"": "Keine (Personal)"}
    made_up = "00000000-0000-4000-8000-000000000000"
    assert admin.post(USERS, new_member(username="erfunden", organisation_id=made_up)).status_code == 422
    assert field_errors(admin.page) == {
        "f-organisation_id": ["Bitte wählen Sie eine Organisation aus den Suchergebnissen."]}
    hostile = new_member(username="", organisation_id="'><script>alert(1)</script>", roles="")
    assert admin.post(USERS, hostile).status_code == 422
    assert set(field_errors(admin.page)) == {"f-username", "f-roles", "f-organisation_id"}
    assert "<script>alert(1)" not in admin.page


def test_the_site_admin_sets_a_new_password_which_ends_the_users_sessions(hu22):
    admin = hu22.browser()
    admin.login("admin")
    admin.get("/office/users?lang=hu")
    assert admin.post(USERS, {"username": "kata", "password": "egy-hosszu-jelszo", "roles": "broker",
                              "organisation_id": ""}).status_code == 302
    kata = hu22.browser()
    kata.login("kata", "egy-hosszu-jelszo")
    assert kata.get("/office/enquiries").status_code == 200

    page = "/office/users/kata/password"
    admin.get(USERS)
    assert f'href="{page}"' in admin.page
    admin.get(page)
    assert admin.post(page, {"password": "rövid"}).status_code == 422
    assert list(field_errors(admin.page)) == ["f-password"]
    assert admin.post(page, {"password": "egy-uj-hosszu-jelszo"}).status_code == 302
    assert kata.get("/office/enquiries").status_code != 200  # the old session has ended
    kata.login("kata", "egy-uj-hosszu-jelszo")
    assert admin.get("/office/users/nobody/password").status_code == 404
    broker = hu22.browser()
    broker.login("broker", PASSWORD)
    assert broker.get(page).status_code == 403
    assert broker.post(page, {"password": "egy-harmadik-jelszo"}).status_code == 403
    assert form_message(admin.page) is None


def test_the_hub_keeps_no_members_so_its_users_page_offers_no_organisation(tmp_path_factory, federation,
                                                                           federation_files):
    hub = Hub(settings_in(tmp_path_factory, federation, federation_files, "users-hub")("EU"))
    admin = hub.browser("agency")
    admin.get(USERS + "?organisation_q=werk&lang=en")
    assert 'name="organisation_q"' not in admin.page and organisation_choices(admin.page) == {}
    assert admin.post(USERS, {"username": "analyst2", "password": "a-long-password",
                              "roles": "agency_viewer"}).status_code == 302
    hub.runtime.engine.dispose()
