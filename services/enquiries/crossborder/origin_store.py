"""The client-facing agreements of this site's cross-border orders (tables in lifecycle.tables, since the
agreement is part of the enquiry's lifecycle: its migration moves with the enquiry's)."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select

from services.common.db import dialect_insert
from services.enquiries.crossborder.origin import ORDER_DELIVERED, AgreementLine, ClientAgreement
from services.enquiries.crossborder.store import consortium
from services.enquiries.lifecycle.tables import consortium_agreement as agreement, consortium_agreement_line as line

_LINE_FIELDS = [c.name for c in line.columns if c.name != "order_id"]


def load_agreement(conn: Connection, enquiry_id: str) -> ClientAgreement | None:
    row = conn.execute(select(agreement).where(agreement.c.enquiry_id == str(enquiry_id))).first()
    if row is None:
        return None
    lines = conn.execute(select(line).where(line.c.order_id == row.order_id)
                         .order_by(line.c.added_at, line.c.site, line.c.part_id)).mappings()
    return ClientAgreement(row.order_id, row.enquiry_id, row.made_at, row.unit, row.currency, row.rate_to_eur,
                           [AgreementLine(**{name: r[name] for name in _LINE_FIELDS}) for r in lines])


def add_agreement(conn: Connection, a: ClientAgreement) -> None:
    conn.execute(insert(agreement).values(order_id=a.order_id, enquiry_id=a.enquiry_id, made_at=a.made_at,
                                          unit=a.unit, currency=a.currency, rate_to_eur=a.rate_to_eur))
    save_lines(conn, a.order_id, a.lines)


def save_lines(conn: Connection, order_id: str, lines: list[AgreementLine]) -> None:
    """Insert or update the lines (keyed by the hub's part id)."""
    for item in lines:
        values = {name: getattr(item, name) for name in _LINE_FIELDS}
        stmt = dialect_insert(conn, line).values(order_id=order_id, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=[line.c.part_id], set_={
            name: stmt.excluded[name] for name in ("status", "delivered", "organisation_name")}))


def consortium_progress(conn: Connection, enquiry_id: str) -> tuple[bool, bool]:
    """(agreed, delivered): the enquiry's consortium was agreed (it has a client-facing agreement), and the
    hub reports every part of it delivered."""
    row = conn.execute(
        select(consortium.c.status)
        .select_from(agreement.outerjoin(consortium, consortium.c.id == agreement.c.order_id))
        .where(agreement.c.enquiry_id == str(enquiry_id))).first()
    return (False, False) if row is None else (True, row.status == ORDER_DELIVERED)
