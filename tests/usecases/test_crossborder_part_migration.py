"""The site's crossborder migration 0003 on SQLite and PostgreSQL: parts received before it keep what they
said (the hub's English texts readable as plain JSON strings, a broker's decline text its note with the
code `other`), take deliveries afterwards, and the downgrade gives the previous version text it can read."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from services.common.migrate import KERNEL, alembic_config
from services.contracts.reasons import describe
from services.enquiries.crossborder import store
from services.enquiries.crossborder.store import COMPONENT
from services.enquiries.crossborder.production import Delivery
from tests.support.databases import BACKENDS, pg_url_if

BEFORE = "022f2a625e46"  # 0002: reasons and answers as English text
PART = ("INSERT INTO enquiries_crossborder_part (id, order_id, origin_site, correlation_id, forwarded_event_id, "
        "enquiry_reference, title, type, cpv_codes, offer_id, organisation_id, quantity, unit, unit_price, currency, "
        "deadline, delivery_nuts3, label_required, reason, status, answer, received_at, version) VALUES (:id, 'o1', "
        "'AT13', 'c1', 'e1', 'AT13-E-1', 'Bags', 'csr_product', '[]', 'f1', 's1', 10, 'bags', 3, 'EUR', "
        "'2026-12-31', 'AT130', false, :reason, :status, :answer, '2026-12-01 10:00:00+00', 1)")
NOW = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("database", BACKENDS)
def test_old_parts_keep_their_words_take_deliveries_and_go_back(database, request, tmp_path):
    engine = create_engine(pg_url_if(request, database, f"sqlite:///{tmp_path / 'site.sqlite'}"))
    cfg = alembic_config(engine, [KERNEL, COMPONENT])
    command.upgrade(cfg, f"{KERNEL.name}@head")
    command.upgrade(cfg, BEFORE)
    with engine.begin() as conn:
        conn.execute(text(PART), [
            {"id": "p1", "reason": "cheapest in time", "status": "accepted", "answer": "gladly"},
            {"id": "p2", "reason": "the rest of the order", "status": "declined", "answer": "closed in May"},
            {"id": "p3", "reason": "cheapest", "status": "withdrawn", "answer": "the enquiry was cancelled"}])
    command.upgrade(cfg, f"{COMPONENT.name}@head")

    with engine.connect() as conn:
        accepted, declined, withdrawn = (store.load_part(conn, p) for p in ("p1", "p2", "p3"))
    assert (accepted.reason, accepted.note, accepted.deliveries) == ("cheapest in time", "gladly", [])
    assert describe(accepted.reason) == "cheapest in time"  # shown as it was
    assert (declined.decline_reason, declined.note) == ({"code": "other", "params": {}}, "closed in May")
    assert (withdrawn.withdrawal_reason, withdrawn.note) == ("the enquiry was cancelled", None)

    with engine.begin() as conn:  # an old accepted part goes on like a new one
        accepted.record_delivery(Delivery(4, NOW.date()), id="d1", by="broker", now=NOW, rates_to_eur={"EUR": 1})
        store.save_part(conn, accepted)
    command.downgrade(cfg, BEFORE)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, reason, answer, status FROM enquiries_crossborder_part ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        ("p1", "cheapest in time", "gladly", "accepted"),  # in production: the previous version says accepted
        ("p2", "the rest of the order", "closed in May", "declined"),
        ("p3", "cheapest", "the enquiry was cancelled", "withdrawn")]
    assert "enquiries_crossborder_part_delivery" not in inspect(engine).get_table_names()
    engine.dispose()

