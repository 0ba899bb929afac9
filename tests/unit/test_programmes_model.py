"""Consultation programmes and consultants: the rules, with no I/O."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services.common.errors import Conflict, Invalid
from services.enquiries.programmes.applications import ACCEPTED, CANCELLED, WAITING, WITHDRAWN, Application, Firm
from services.enquiries.programmes.consultants import Consultant, is_cpv_division
from services.enquiries.programmes.hours import FIRST_CONSULTATION, FURTHER
from services.enquiries.programmes.model import OPEN, Programme

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


def programme(**overrides) -> Programme:
    fields = dict(id="p1", name="KMU-Beratung 2026", funder="Land NÖ", starts_on=date(2026, 1, 1),
                  ends_on=date(2026, 12, 31), places=2)
    return Programme.create(**{**fields, **overrides})


def firm(n: int) -> Firm:
    return Firm(f"Firm {n}", str(uuid.UUID(int=n)))


def apply(p: Programme, n: int) -> Application:
    return p.apply(f"a{n}", firm(n), NOW)


def test_defaults_are_a_half_day_and_ten_further_hours():
    p = programme()
    assert (p.first_consultation_hours, p.further_hours, p.status, p.version) == (4, 10, OPEN, 1)


@pytest.mark.parametrize("overrides, field", [
    ({"places": 0}, "places"),
    ({"ends_on": date(2025, 12, 31)}, "ends_on"),
    ({"further_hours": Decimal("-1")}, "further_hours"),
    ({"first_consultation_hours": Decimal("1.1")}, "first_consultation_hours"),
    ({"first_consultation_hours": Decimal(0), "further_hours": Decimal(0)}, "further_hours"),
    ({"name": "  "}, "name"),
])
def test_invalid_programmes_name_the_field(overrides, field):
    with pytest.raises(Invalid) as raised:
        programme(**overrides)
    assert field in raised.value.errors


def test_first_come_first_served_then_waiting_list():
    p = programme(places=2)
    statuses = [apply(p, n).status for n in range(1, 5)]
    assert statuses == [ACCEPTED, ACCEPTED, WAITING, WAITING]
    assert [a.arrival for a in p.applications] == [1, 2, 3, 4]
    assert p.places_left == 0 and [a.id for a in p.waiting_list] == ["a3", "a4"]
    assert p.position_of(p.applications[3]) == 2


def test_a_freed_place_goes_to_the_longest_waiting():
    p = programme(places=2)
    for n in range(1, 5):
        apply(p, n)
    p.changed.clear()
    ended = p.end("a1", WITHDRAWN, NOW, "no time")
    assert ended.status == WITHDRAWN and ended.reason == "no time"
    assert {a.id: a.status for a in p.applications} == {"a2": ACCEPTED, "a3": ACCEPTED, "a4": WAITING}
    assert p.changed == {"a1", "a3"}
    p.end("a4", CANCELLED, NOW)  # a waiting one leaves: nobody moves
    assert [a.id for a in p.accepted] == ["a2", "a3"]


def test_one_live_application_per_firm_and_a_withdrawn_firm_goes_to_the_back():
    p = programme(places=1)
    apply(p, 1)
    with pytest.raises(Conflict) as raised:
        apply(p, 1)
    assert raised.value.errors == {"organisation_id": ["already applied to this programme"]}
    p.apply("x", Firm("  Neue   Bäckerei "), NOW)  # a first contact, known by name only
    with pytest.raises(Conflict) as raised:
        p.apply("y", Firm("neue bäckerei"), NOW)
    assert raised.value.errors == {"firm_name": ["already applied to this programme"]}
    p.end("a1", WITHDRAWN, NOW)
    again = p.apply("a1b", firm(1), NOW)
    assert again.status == WAITING and again.arrival == 3 and [a.id for a in p.waiting_list] == ["a1b"]


def test_ending_twice_or_after_closing_is_a_conflict():
    p = programme()
    apply(p, 1)
    p.end("a1", WITHDRAWN, NOW)
    with pytest.raises(Conflict, match="no longer live"):
        p.end("a1", WITHDRAWN, NOW)
    p.close()
    with pytest.raises(Conflict, match="closed"):
        apply(p, 2)
    with pytest.raises(Conflict, match="closed"):
        p.close()


def test_no_applications_after_the_programme_ended():
    p = programme(ends_on=date(2026, 3, 1))
    with pytest.raises(Conflict, match="ended"):
        apply(p, 1)


def test_bookings_never_exceed_the_allowance_and_say_what_is_left():
    p = programme()
    apply(p, 1)
    p.book("a1", FIRST_CONSULTATION, Decimal(4), TODAY, TODAY)
    p.book("a1", FURTHER, Decimal("8.5"), TODAY, TODAY)
    with pytest.raises(Conflict) as raised:
        p.book("a1", FURTHER, Decimal(2), TODAY, TODAY)
    assert "1.5 hours left" in raised.value.message
    assert raised.value.errors["remaining"] == {"first_consultation": "0", "further": "1.5"}
    with pytest.raises(Conflict, match="0 hours left"):
        p.book("a1", FIRST_CONSULTATION, Decimal("0.25"), TODAY, TODAY)
    p.book("a1", FURTHER, Decimal("1.5"), TODAY, TODAY)
    assert p.remaining("a1") == {FIRST_CONSULTATION: 0, FURTHER: 0}
    p.unbook("a1", FURTHER, Decimal(1))
    assert p.remaining("a1")[FURTHER] == 1


@pytest.mark.parametrize("hours, on, field", [
    (Decimal(0), TODAY, "hours"), (Decimal("-1"), TODAY, "hours"), (Decimal("0.3"), TODAY, "hours"),
    (Decimal(1), date(2025, 6, 1), "date"), (Decimal(1), date(2026, 3, 3), "date"),
])
def test_invalid_bookings(hours, on, field):
    p = programme()
    apply(p, 1)
    with pytest.raises(Invalid) as raised:
        p.book("a1", FURTHER, hours, on, TODAY)
    assert field in raised.value.errors


def test_hours_only_on_a_place():
    p = programme(places=1)
    apply(p, 1), apply(p, 2)
    with pytest.raises(Conflict, match="waiting list"):
        p.book("a2", FURTHER, Decimal(1), TODAY, TODAY)
    p.end("a2", WITHDRAWN, NOW)
    with pytest.raises(Conflict, match="no longer live"):
        p.book("a2", FURTHER, Decimal(1), TODAY, TODAY)


def test_update_keeps_commitments_and_more_places_move_the_waiting_up():
    p = programme(places=1)
    apply(p, 1), apply(p, 2), apply(p, 3)
    p.book("a1", FURTHER, Decimal(6), TODAY, TODAY)
    with pytest.raises(Conflict) as raised:
        p.update(further_hours=Decimal(5))
    assert raised.value.errors == {"further_hours": ["at least 6"]} and p.further_hours == 10
    assert p.update(places=2) and p.version == 2
    assert [a.id for a in p.accepted] == ["a1", "a2"]
    with pytest.raises(Conflict, match="cannot drop"):
        p.update(places=1)
    assert not p.update(places=2)  # no change, no new version
    with pytest.raises(Invalid):
        p.update(status="closed")
    with pytest.raises(Invalid):
        p.update(ends_on=date(2025, 1, 1))
    assert p.ends_on == date(2026, 12, 31)


def test_consultants_need_known_divisions_and_languages():
    c = Consultant.enrol(id="c1", name="Dr. Eva Kern", expertise=["90", "45", "45"], languages=["en", "de"])
    assert c.expertise == ["45", "90"] and c.languages == ["de", "en"] and c.version == 1
    with pytest.raises(Invalid) as raised:
        Consultant.enrol(id="c2", name="X", expertise=["46"], languages=["de"])
    assert raised.value.errors == {"expertise": {"0": ["46 is not a CPV division"]}}
    with pytest.raises(Invalid):
        Consultant.enrol(id="c2", name="X", expertise=["45"], languages=[])
    assert c.update(active=False) and c.version == 2
    with pytest.raises(Conflict, match="inactive"):
        c.require_active()
    assert is_cpv_division("03") and not is_cpv_division("3") and not is_cpv_division(45)
