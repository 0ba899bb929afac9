"""After a full demo run, the hub's whole database holds no person: no name, phone or e-mail address.

The embedded federation (as `sopro demo`) is seeded with the demo data, and every kind of personal
data a site takes in is exercised on top: statements of support, an organisation's contact person,
an anonymous first contact's enquiry (naming the person in its title and description), an erasure, (issue
17) a label application's evidence document naming a person and a complaint with its complainant's contact,
and (issue 19) a registration for a community event, the experts' professional profiles and the library's
authors (the demo's, services/demo/experts.py and library.py).
Once the hub has applied every event of every site, every column of every row of every table of the hub's
database is searched.
"""
from __future__ import annotations

import json
import re

import jwt
import pytest
import requests
from sqlalchemy import create_engine, inspect, select, text

from services.common import inbox
from services.common.outbox import outbox_stream
from services.demo import community_platforms, data, experts, library
from services.demo.federation import EmbeddedFederation
from services.workers import HUB_INGEST_QUEUE
from tests.support.polling import eventually
from tests.support.tokens import http_logged_in

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\+\d[\d ()/-]{6,}\d")

# Personal data entered on top of the demo's, through the sites' APIs.
CONTACT = {"name": "Petra Leitner", "email": "p.leitner@example.at", "phone": "+43 2572 1234"}
FIRST_CONTACT = {"name": "Szilárda Ebesfalvi", "email": "ebesfalvi.szilarda@example.hu", "phone": "+36 20 555 1212"}
COMPLAINANT = {"name": "Ottokar Wiesinger", "email": "o.wiesinger@example.at", "phone": "+43 2742 98765"}
# An evidence document's content: a timesheet names the workers (personal data, kept at the site only).
EVIDENCE_MARKER = b"Timesheet Hermine Zauchinger EVIDENCE-7731"
EVIDENCE_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n% " + EVIDENCE_MARKER
                + b"\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
REGISTRANT = {"name": "Wilfried Haberzettl", "email": "w.haberzettl@example.hu", "organisation": "Haberzettl Bt."}
ERASED = {"first_name": "Rosalinde", "last_name": "Obermayr", "phone": "+43 699 1112223", "phone_kind": "mobile",
          "email": "rosalinde.obermayr@example.at"}


def persons() -> list[dict]:
    """Every person of the run: the demo's statements (services/demo/data.py) and this test's own."""
    found = []
    for rows in data.STATEMENTS.values():
        for (kind, first, last, phone, _, email, *_) in rows:
            if kind == "person":
                found.append({"names": [first, last], "phone": phone, "email": email})
    for extra in (CONTACT, FIRST_CONTACT, COMPLAINANT):
        found.append({"names": extra["name"].split(), "phone": extra["phone"], "email": extra["email"]})
    found.append({"names": [ERASED["first_name"], ERASED["last_name"]], "phone": ERASED["phone"],
                  "email": ERASED["email"]})
    return found


def add_personal_data(fed: EmbeddedFederation) -> None:
    at12 = fed.federation.site("AT12").url
    broker = http_logged_in(at12, "broker", data.DEMO_PASSWORD)
    org = requests.post(f"{at12}/api/v1/organisations", headers=broker, json={
        "kind": "social_enterprise", "name": "Weinviertler Werkstätte", "registration_number": "ZVR 77",
        "address": {"street": "Hauptplatz 1", "postcode": "2130", "town": "Mistelbach", "country": "AT"},
        "nuts3": "AT125", "labour_market_segment": "second_labour_market", "workers_in_integration": 12,
        "contact": CONTACT})
    assert org.status_code == 201, org.text
    hu22 = fed.federation.site("HU22").url
    enquiry = requests.post(f"{hu22}/api/v1/enquiries", json={  # the public form: no token, a person in its text
        "type": "give_away", "title": f"Céges ajándékok – {FIRST_CONTACT['name']} ({FIRST_CONTACT['email']})",
        "description": f"Hívjon: {FIRST_CONTACT['phone']}", "cpv_codes": ["18930000"], "quantity": "300",
        "unit": "pieces", "deadline": "2099-06-30", "delivery": {"nuts3": "HU221"}, "contact": FIRST_CONTACT})
    assert enquiry.status_code == 201, enquiry.text
    statement = requests.post(f"{at12}/api/v1/support-statements",
                              json={"kind": "person", "consent": True, "nuts3": "AT123", **ERASED})
    assert statement.status_code == 201, statement.text
    erased = requests.post(f"{at12}/api/v1/support-statements/{statement.json()['id']}/erase", headers=broker,
                           json={"ground": "request"})
    assert erased.status_code == 200 and erased.json()["status"] == "erased", erased.text
    add_label_evidence_and_complaint(at12)
    events = requests.get(f"{hu22}/api/v1/community-events").json()["items"]
    assert events, "the demo announces events at HU22"
    registration = requests.post(f"{hu22}/api/v1/community-events/{events[0]['id']}/registrations",
                                 json={**REGISTRANT, "language": "hu", "consent": True})
    assert registration.status_code == 201, registration.text


def community_names() -> list[str]:
    """Issue 19's persons, by their full names: experts (with and without a public profile), the library's
    authors, and this test's registrant. Their names stay at their sites."""
    titles = re.compile(r"^(Dr\.|Mag\.) ")
    names = [titles.sub("", row[0]) for rows in experts.EXPERTS.values() for row in rows]
    names += [titles.sub("", author) for rows in library.ITEMS.values() for _, _, authors, *_ in rows
              for author in authors if not author.startswith("Servicestelle")]
    return [*names, REGISTRANT["name"]]


def add_label_evidence_and_complaint(at12: str) -> None:
    """A member's label application with an evidence document, and a complaint about one of the site's labels."""
    member = http_logged_in(at12, "member", data.DEMO_PASSWORD)
    claims = jwt.decode(member["Authorization"].split()[1], options={"verify_signature": False})
    app = requests.post(f"{at12}/api/v1/label-applications", headers=member, json={
        "holder_organisation_id": claims["org"], "holder_name": "Traisentaler Beschäftigungswerkstatt",
        "product": "Holzspielzeug", "cpv_codes": ["37500000"], "evidence": {}})
    assert app.status_code == 201, app.text
    document = requests.post(f"{at12}/api/v1/label-applications/{app.json()['id']}/documents", headers=member,
                             data={"criterion": "se_share"}, files={"file": ("stunden.pdf", EVIDENCE_PDF)})
    assert document.status_code == 201, document.text
    labels = requests.get(f"{at12}/api/v1/labels?status=valid").json()["items"]
    complaint = requests.post(f"{at12}/api/v1/label-complaints", json={
        "label_number": labels[0]["number"] if labels else None, "text": "Die Ware kommt aus Übersee.",
        "contact": f"{COMPLAINANT['name']} <{COMPLAINANT['email']}>, {COMPLAINANT['phone']}"})
    assert complaint.status_code == 201, complaint.text


def hub_has_everything(fed: EmbeddedFederation) -> bool:
    """Every stream of every site is applied at the hub up to the site's last seq."""
    with fed.runtimes["EU"].engine.connect() as conn:
        at_hub = inbox.positions(conn, HUB_INGEST_QUEUE)
    for site in fed.federation.member_sites:
        with fed.runtimes[site.id].engine.connect() as conn:
            for row in conn.execute(select(outbox_stream)):
                if at_hub.get(row.stream, (0, 0))[0] < row.last_seq:
                    return False
    return bool(at_hub)


def all_sequenced(fed: EmbeddedFederation) -> bool:
    """No site holds an event its relay has not yet given a seq."""
    for site in fed.federation.member_sites:
        with fed.runtimes[site.id].engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM outbox WHERE seq IS NULL")).scalar():
                return False
    return True


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("privacy"), ephemeral_ports=True, reconcile_interval=1).start()
    try:
        fed.seed()
        add_personal_data(fed)
        assert eventually(lambda: all_sequenced(fed) and hub_has_everything(fed), timeout=60, interval=0.2), \
            "the hub applied every site's events"
        yield fed
    finally:
        fed.stop()


def cells_of(db_file) -> list[tuple[str, str, str]]:
    """(table, column, text) of every non-empty cell of a database, read from the file itself."""
    engine = create_engine(f"sqlite:///{db_file}")
    cells = []
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                result = conn.execute(text(f'SELECT * FROM "{table}"'))
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row):
                        if value is not None:
                            shown = value if isinstance(value, str) else json.dumps(value, default=str)
                            cells.append((table, column, shown))
    finally:
        engine.dispose()
    return cells


def personal_fields(cells) -> list[tuple]:
    """Cells holding a person's name, e-mail or phone number, or anything shaped like an e-mail or phone."""
    found = []
    for person in persons():
        words = [re.compile(rf"\b{re.escape(n.casefold())}\b") for n in person["names"]]
        digits = re.sub(r"\D", "", person["phone"])
        for table, column, value in cells:
            folded = value.casefold()
            if person["email"].casefold() in folded or any(w.search(folded) for w in words) \
                    or any(digits in re.sub(r"\D", "", run) for run in re.findall(r"\+?[\d ()/-]{9,}", value)):
                found.append((table, column, person["email"], value[:120]))
    for table, column, value in cells:
        if EMAIL.search(value) or PHONE.search(value):
            found.append((table, column, "pattern", value[:120]))
    return found


def test_the_hub_database_holds_no_personal_field(demo_run):
    cells = cells_of(demo_run.var_dir / "EU.sqlite")
    tables = {t for t, _, _ in cells}
    # The scan saw the consolidated store, not an empty file: the demo's data is there.
    assert {"hub_organisation", "hub_offer", "hub_support_statement", "inbox"} <= tables, tables
    assert any("Weinviertler Werkstätte" in v for _, _, v in cells), "the AT12 organisation reached the hub"
    statements = sum(1 for t, c, _ in cells if t == "hub_support_statement" and c == "id")
    supporters = sum(len(rows) for rows in community_platforms.SUPPORTERS.values())  # organisations' statements
    assert statements == sum(len(rows) for rows in data.STATEMENTS.values()) + supporters + 1
    assert personal_fields(cells) == []


def test_the_hub_holds_no_evidence_document_which_stays_at_its_site(demo_run):
    marker = EVIDENCE_MARKER.decode()
    hub = cells_of(demo_run.var_dir / "EU.sqlite")
    assert not [c for c in hub if marker in c[2] or c[0] == "label_document"]
    at12 = cells_of(demo_run.var_dir / "AT12.sqlite")
    assert [c for c in at12 if c[0] == "label_document" and c[1] == "content" and marker in c[2]], \
        "the scan reads the document where it is kept"


def test_the_same_scan_finds_the_persons_at_their_sites(demo_run):
    """The scan would see a person if one were there: at AT12 and HU22 it finds theirs, not the erased one."""
    at12 = {email for *_, email, _ in personal_fields(cells_of(demo_run.var_dir / "AT12.sqlite"))}
    hu22 = {email for *_, email, _ in personal_fields(cells_of(demo_run.var_dir / "HU22.sqlite"))}
    assert {"j.gruber@example.at", "maria.huber@example.at", CONTACT["email"], COMPLAINANT["email"]} <= at12
    assert {"nagy.katalin@example.hu", FIRST_CONTACT["email"]} <= hu22
    assert ERASED["email"] not in at12  # erased at the site, as asked


def test_mail_went_out_from_the_sites_and_no_address_left_them_in_an_event(demo_run):
    """Issue 15: the sites mailed their people during the demo (the demo's SMTP server received it), each
    from the site holding the address; the hub wrote no mail, and no event a site published (its outbox,
    the messages the hub ingests) nor any message the hub sent holds an address."""
    assert demo_run.mail_server.mailbox.mails(), "the demo's SMTP server received the sites' mail"
    hub_cells = cells_of(demo_run.var_dir / "EU.sqlite")
    assert not [c for c in hub_cells if c[0] == "notification"] and not [c for c in hub_cells if c[0] == "user_contact"]
    assert [v for t, _, v in hub_cells if t == "outbox"], "the hub's own outgoing messages were scanned"
    for site in ("AT11", "AT12", "AT13", "AT22", "HU22"):
        cells = cells_of(demo_run.var_dir / f"{site}.sqlite")
        assert [c for c in cells if c[0] == "notification" and c[1] == "recipient"], f"{site} wrote mail"
        published = [(t, c, v) for t, c, v in cells if t == "outbox"]
        assert published and [hit for hit in published if EMAIL.search(hit[2])] == [], site


def test_the_hub_knows_community_events_by_their_counts_and_no_registrant_expert_or_author(demo_run):
    """Issue 19: the registration reached the hub as a count; the experts (asked at request time) and the
    library's authors never reached it. The same names are found where they are kept."""
    hub = cells_of(demo_run.var_dir / "EU.sqlite")
    counts = [v for t, c, v in hub if t == "hub_community_event" and c == "registered"]
    assert counts and max(int(v) for v in counts) >= 1, "the hub holds the events' counts"
    assert any(t == "hub_library_item" for t, _, _ in hub), "the library's items reached the hub"
    names = [name.casefold() for name in community_names()]
    assert len(names) >= 8
    leaked = [(t, c, v[:120]) for t, c, v in hub
              if REGISTRANT["email"] in v or any(name in v.casefold() for name in names)]
    assert leaked == []
    at12 = " ".join(v for _, _, v in cells_of(demo_run.var_dir / "AT12.sqlite")).casefold()
    hu22_cells = cells_of(demo_run.var_dir / "HU22.sqlite")
    assert "eva kern" in at12 and "sabine hofer" in at12 and "julia steiner" in at12
    assert [c for c in hu22_cells if c[0] == "community_registration" and c[2] == REGISTRANT["email"]]
