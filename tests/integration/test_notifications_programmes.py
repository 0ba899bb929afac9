"""The programme applicants' mail through a real SMTP server on loopback, at AT12, on SQLite and
PostgreSQL: a place granted on applying or moved up from the waiting list (a withdrawal, more places), and
a booking of consultation hours made or cancelled, to the members of the applicant organisation, each in
their language, linking to their programmes page, once, not after "off", and never for a refused step."""
from __future__ import annotations

import pytest

from services.common import notifications
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.programmes import ORG_A, ORG_B, ProgrammesSite, consultant_body

A_HU, A_DE, B_DE = "anna@bau.example", "andreas@bau.example", "berta@druck.example"


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, smtp_server):
    db_url = pg_url_if(request, request.param)
    s = ProgrammesSite(lambda site_id, db_url=None: make_settings(site_id, db_url=db_url,
                                                                  mail=mail_settings(smtp_server.port)), db_url)
    s.add_user("member_a2", ["member"], ORG_A)
    with s.runtime.engine.begin() as conn:
        for username, address, language in (("member_a", A_HU, "hu"), ("member_a2", A_DE, "de"),
                                            ("member_b", B_DE, "de"), ("broker", "broker@at12.example", "de")):
            notifications.set_contact(conn, username, address, language)
    yield s
    s.runtime.engine.dispose()


def off(site, username: str, kind: str) -> None:
    with site.runtime.engine.begin() as conn:
        notifications.choose(conn, username, kind, "off")


def recipients(server) -> list[str]:
    return sorted(r for m in server.mailbox.received for r in m.recipients)


def test_a_place_granted_on_applying_mails_the_organisations_members_in_their_language(site, smtp_server):
    p = site.programme(places=2, name="KMU-Beratung")
    site.apply(p["id"], "Bau AG", ORG_A, as_="member_a")
    assert deliver(site.runtime) == 2
    (hu,), (de,) = mails_to(smtp_server, A_HU), mails_to(smtp_server, A_DE)
    assert hu.language == "hu" and hu.subject == "Szervezetének helye van a(z) KMU-Beratung programban"
    assert de.language == "de" and de.subject == "Ihre Organisation hat einen Platz in KMU-Beratung"
    url = site.runtime.settings.site.url
    for mail, lang in ((hu, "hu"), (de, "de")):
        assert link_in(mail, "/office/our-programmes") == f"{url}/office/our-programmes?lang={lang}"
    assert "Land Niederösterreich" in de.text and "Stunden für die Erstberatung" in de.text
    assert recipients(smtp_server) == sorted([A_HU, A_DE])

    # refused (a second application of the firm), a first contact by name, a firm that waits: no mail
    site.apply(p["id"], "Bau AG", ORG_A, as_="member_a", expect=409)
    site.apply(p["id"], "Neue Bäckerei")
    assert site.apply(p["id"], "Druckerei Blatt", ORG_B, as_="member_b")["status"] == "waiting"
    assert deliver(site.runtime) == 0


def test_moving_up_from_the_waiting_list_mails_once_and_off_is_honoured(site, smtp_server):
    p = site.programme(places=1, name="KMU-Beratung")
    first = site.apply(p["id"], "Druckerei Blatt", ORG_B, as_="member_b")
    waiting = site.apply(p["id"], "Bau AG", ORG_A, as_="member_a")
    assert waiting["status"] == "waiting"
    assert deliver(site.runtime) == 1 and recipients(smtp_server) == [B_DE]  # the place granted to B
    smtp_server.mailbox.received.clear()

    off(site, "member_a2", "programme_place")
    site.call("POST", f"/programmes/{p['id']}/applications/{first['id']}/withdraw", "member_b", 200,
              json={"reason": "keine Zeit"})
    assert deliver(site.runtime) == 1
    (moved,) = mails_to(smtp_server, A_HU)
    assert moved.subject == "Ön helyet kapott a várólistáról a(z) KMU-Beratung programban"
    assert "Felszabadult egy hely" in moved.text
    assert recipients(smtp_server) == [A_HU]  # member_a2 chose "off"; B withdrew and hears nothing of it

    site.call("POST", f"/programmes/{p['id']}/applications/{first['id']}/withdraw", "member_b", 409,
              json={"reason": "again"})
    site.call("PATCH", f"/programmes/{p['id']}", json={"places": 3}, expect=200)  # nobody waits now
    assert deliver(site.runtime) == 0


def test_more_places_move_a_waiting_firm_up(site, smtp_server):
    p = site.programme(places=1, name="KMU-Beratung")
    site.apply(p["id"], "Neue Bäckerei")
    site.apply(p["id"], "Druckerei Blatt", ORG_B, as_="member_b")
    site.call("PATCH", f"/programmes/{p['id']}", json={"places": 0}, expect=422)
    assert deliver(site.runtime) == 0
    site.call("PATCH", f"/programmes/{p['id']}", json={"places": 2}, expect=200)
    assert deliver(site.runtime) == 1
    (mail,) = mails_to(smtp_server, B_DE)
    assert mail.subject == "Sie sind in KMU-Beratung auf einen Platz nachgerückt"


def test_a_booking_made_and_cancelled_mails_the_applicant_each_once(site, smtp_server):
    p = site.programme(places=2, name="KMU-Beratung")
    application = site.apply(p["id"], "Bau AG", ORG_A, as_="member_a")
    consultant = site.call("POST", "/consultants", json=consultant_body(), expect=201).json
    deliver(site.runtime)
    smtp_server.mailbox.received.clear()

    booking = site.book(p["id"], application["id"], consultant["id"], "1.5", kind="first_consultation")
    assert deliver(site.runtime) == 2
    (de,), (hu,) = mails_to(smtp_server, A_DE), mails_to(smtp_server, A_HU)
    assert de.subject == "Beratungsstunden in KMU-Beratung gebucht" and "1,5" in de.text and "Erstberatung" in de.text
    assert hu.subject == "Tanácsadási órák lekönyvelve a(z) KMU-Beratung programban" and "1,5" in hu.text
    assert link_in(hu, "/office/our-programmes").endswith("/office/our-programmes?lang=hu")
    assert B_DE not in recipients(smtp_server)

    site.book(p["id"], application["id"], consultant["id"], "10", kind="first_consultation", expect=409)  # too many
    assert deliver(site.runtime) == 0

    off(site, "member_a", "programme_booking")
    site.call("POST", f"/programmes/{p['id']}/bookings/{booking['id']}/cancel", expect=200)
    site.call("POST", f"/programmes/{p['id']}/bookings/{booking['id']}/cancel", expect=409)
    assert deliver(site.runtime) == 1
    assert mails_to(smtp_server, A_DE)[-1].subject == "Eine Buchung in KMU-Beratung wurde storniert"
    assert len(mails_to(smtp_server, A_HU)) == 1  # "off" since
