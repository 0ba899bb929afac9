"""The hub's label register without a database: how a label event becomes a row, and which status a
verifier is told on a given day."""
from __future__ import annotations

from datetime import date

import pytest

from services.hub import consumers
from services.hub.payload_rows import label_row
from services.hub.labels.store import hub_labels, public_status

LABEL = {
    "label_id": "0c4f2d2e-0000-4000-8000-000000000030", "number": "SOPRO-HU22-2026-0003",
    "application_id": "0c4f2d2e-0000-4000-8000-000000000031",
    "holder_organisation_id": "0c4f2d2e-0000-4000-8000-000000000032", "holder_name": "Győri Műhely Kft.",
    "product": "Upcycled tote bags", "cpv_codes": ["18930000", "39500000"], "catalogue_version": 1,
    "status": "suspended", "valid_from": "2026-03-01", "valid_until": "2028-02-29",
    "suspended_until": "2026-09-01", "reason": "complaint under review",
}


def test_label_row_converts_dates_and_keeps_the_snapshot():
    row = label_row(LABEL)
    assert (row["valid_from"], row["valid_until"], row["suspended_until"]) == (
        date(2026, 3, 1), date(2028, 2, 29), date(2026, 9, 1))
    assert (row["number"], row["status"], row["reason"], row["catalogue_version"]) == (
        "SOPRO-HU22-2026-0003", "suspended", "complaint under review", 1)
    assert row["cpv_codes"] == ["18930000", "39500000"]
    assert row["holder_search"] == "győri műhely kft."  # casefolded in Python, not by the database
    # The ids come from the envelope (site, aggregate_id), not from the payload.
    assert "label_id" not in row and "application_id" not in row


def test_label_row_of_a_valid_label_has_no_suspension():
    row = label_row({**LABEL, "status": "valid", "suspended_until": None, "reason": None})
    assert (row["status"], row["suspended_until"], row["reason"]) == ("valid", None, None)


def test_every_column_of_a_label_row_exists_in_the_table():
    assert set(label_row(LABEL)) <= set(hub_labels.c.keys())


@pytest.mark.parametrize("status, valid_until, expected", [
    ("valid", date(2026, 6, 30), "valid"),  # the last valid day still counts
    ("valid", date(2026, 6, 29), "expired"),  # not yet marked expired by its site: expired all the same
    ("suspended", date(2026, 6, 29), "expired"),
    ("suspended", date(2027, 1, 1), "suspended"),
    ("revoked", date(2026, 1, 1), "revoked"),  # a revocation is not softened into an expiry
    ("expired", date(2027, 1, 1), "expired"),
])
def test_public_status_on_a_given_day(status, valid_until, expected):
    assert public_status(status, valid_until, today=date(2026, 6, 30)) == expected


def test_a_site_cannot_publish_a_label_numbered_for_another_site():
    from services.common.envelope import Envelope

    env = Envelope(
        id="0c4f2d2e-0000-4000-8000-000000000040", type="label.label.granted", version=1, site="AT12",
        stream="AT12/label", seq=1, aggregate_id=LABEL["label_id"], aggregate_version=1,
        occurred_at="2026-03-01T10:00:00+00:00", correlation_id=None, causation_id=None, data=LABEL,
    )
    with pytest.raises(consumers.ForeignLabelNumber):
        consumers.apply_label(None, env)  # refused before touching the database
