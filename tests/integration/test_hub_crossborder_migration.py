"""Hub migration 0006 on SQLite and PostgreSQL: parts forwarded with English reasons keep them readable
as plain JSON strings, a declined part's free text becomes its note with the code `other`, and the
downgrade gives the previous version back text columns it can read."""
from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from services.common.migrate import KERNEL, alembic_config
from services.contracts.reasons import describe
from services.hub.store import COMPONENT as HUB
from tests.support.databases import BACKENDS, pg_url_if

BEFORE = "d2de31bbe924"  # 0005: reasons and answers as English text
ORDER = ("INSERT INTO hub_crossborder_orders (id, origin_site, enquiry_id, correlation_id, reference, title, type, "
         "client_kind, cpv_codes, quantity, deadline, currency, label_required, max_partners, min_lot, sites, status, "
         "version, allocation, created_at, updated_at) VALUES ('o1', 'AT13', 'e1', 'c1', 'AT13-E-1', 'Bags', "
         "'csr_product', 'economic_enterprise', '[]', 100, '2026-12-31', 'EUR', false, 5, 1, '[]', 'agreed', 1, "
         "'{\"rounds\": []}', '2026-12-01 10:00:00+00', '2026-12-02 10:00:00+00')")
PART = ("INSERT INTO hub_crossborder_parts (id, order_id, site, organisation_id, offer_id, quantity, unit_price, "
        "currency, unit_cost_eur, reason, status, answer, version, forwarded_at) VALUES (:id, 'o1', 'HU22', 's1', "
        "'f1', 50, 1000, 'HUF', 2.5, :reason, :status, :answer, 2, '2026-12-01 10:00:00+00')")


@pytest.mark.parametrize("database", BACKENDS)
def test_reasons_become_json_and_answers_notes_and_back(database, request, tmp_path):
    engine = create_engine(pg_url_if(request, database, f"sqlite:///{tmp_path / 'hub.sqlite'}"))
    cfg = alembic_config(engine, [KERNEL, HUB])
    command.upgrade(cfg, f"{KERNEL.name}@head")
    command.upgrade(cfg, BEFORE)
    with engine.begin() as conn:
        conn.execute(text(ORDER))
        conn.execute(text(PART), [
            {"id": "p1", "reason": "2.5 EUR per delivered unit, number 1 of 3", "status": "accepted", "answer": None},
            {"id": "p2", "reason": "the rest of the order", "status": "declined", "answer": "closed in May"}])
    command.upgrade(cfg, f"{HUB.name}@head")

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, CAST(reason AS TEXT) AS reason, CAST(answer AS TEXT) AS answer, note, "
                                 "delivered FROM hub_crossborder_parts ORDER BY id")).all()
        agreed_at = conn.execute(text("SELECT agreed_at FROM hub_crossborder_orders")).scalar()
    loaded = [(r.id, _json(r.reason), _json(r.answer), r.note, r.delivered) for r in rows]
    assert loaded == [
        ("p1", "2.5 EUR per delivered unit, number 1 of 3", None, None, 0),
        ("p2", "the rest of the order", {"code": "other", "params": {}}, "closed in May", 0)]
    assert describe(loaded[0][1]) == "2.5 EUR per delivered unit, number 1 of 3"  # shown as it was
    assert agreed_at is not None
    assert "hub_crossborder_timeline" in inspect(engine).get_table_names()

    with engine.begin() as conn:  # a part forwarded by this version, with a coded reason, failed
        conn.execute(text(PART), [{"id": "p3", "reason": json.dumps({"code": "whole_capacity", "params": {"rank": 1}}),
                                   "status": "declined", "answer": json.dumps({"code": "no_capacity", "params": {}})}])
        conn.execute(text("UPDATE hub_crossborder_parts SET status = 'failed' WHERE id = 'p1'"))
    command.downgrade(cfg, BEFORE)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, reason, answer, status FROM hub_crossborder_parts ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        ("p1", "2.5 EUR per delivered unit, number 1 of 3", None, "withdrawn"),
        ("p2", "the rest of the order", "closed in May", "declined"),
        ("p3", "whole_capacity", "no_capacity", "declined")]
    assert "note" not in {c["name"] for c in inspect(engine).get_columns("hub_crossborder_parts")}
    assert "hub_crossborder_timeline" not in inspect(engine).get_table_names()
    engine.dispose()


def _json(value: str | None):
    return None if value is None else json.loads(value)
