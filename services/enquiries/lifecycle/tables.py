"""The lifecycle's tables: one Alembic component (branch `enquiries_lifecycle`). SQLite and PostgreSQL.

The client's contact person (personal data) lives in `enquiries_enquiry` and nowhere else. So do the
title and description as typed: what leaves the site is their public version (`public_*`), set by a broker.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Date, Float, ForeignKey, Integer, String, Table, Text,
)

from services.common.db import BigId, Component, ExactDecimal, UtcDateTime, new_metadata

metadata = new_metadata()
COMPONENT = Component("enquiries_lifecycle", metadata, Path(__file__).parent / "migrations" / "versions")

def _money(name: str, nullable: bool = True) -> Column:
    return Column(name, ExactDecimal(18, 4), nullable=nullable)


def _timestamps():
    return [Column("created_at", UtcDateTime, nullable=False),
            Column("updated_at", UtcDateTime, nullable=False)]


enquiry = Table(
    "enquiries_enquiry", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("type", String(32), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("description", Text),
    # The version of title and description a broker approved for leaving the site (events, the hub).
    Column("public_title", String(200)),
    Column("public_description", Text),
    Column("public_approved_by", String(100)),
    Column("public_approved_at", UtcDateTime),
    Column("client_kind", String(32), nullable=False),
    Column("client_organisation_id", String(36), index=True),
    # Personal data of the person acting for the client: staff and the client see it; events never do.
    Column("contact_name", String(200)),
    Column("contact_email", String(254)),
    Column("contact_phone", String(32)),
    Column("cpv_codes", JSON, nullable=False),
    _money("quantity"),
    Column("unit", String(50)),
    Column("deadline", Date, index=True),
    Column("delivery_nuts3", String(5)),
    Column("delivery_lat", Float),
    Column("delivery_lon", Float),
    _money("budget"),
    Column("currency", String(3), nullable=False),
    Column("label_required", Boolean, nullable=False),
    Column("cross_border_allowed", Boolean, nullable=False),
    Column("cross_border_flagged", Boolean, nullable=False),
    Column("residual_material", JSON),
    Column("state", String(16), nullable=False, index=True),
    Column("submitted_at", UtcDateTime),
    Column("case_study_id", String(36)),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

# One row per CPV code of an enquiry: the list filter by code or prefix uses an index.
enquiry_cpv = Table(
    "enquiries_enquiry_cpv", metadata,
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(8), primary_key=True, index=True),
)

# Every transition: who, as which party, when, from, to, and why.
transition = Table(
    "enquiries_transition", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id"), nullable=False, index=True),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("party", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", String(1000)),
)

counter = Table(
    "enquiries_enquiry_counter", metadata,
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

_TERMS = lambda: [  # noqa: E731 - the columns of a proposal's terms, shared by three tables
    _money("quantity", False), Column("unit", String(50), nullable=False), _money("price", False),
    Column("currency", String(3), nullable=False), Column("delivery_date", Date, nullable=False),
    Column("conditions", Text),
]

proposal = Table(
    "enquiries_proposal", metadata,
    Column("id", String(36), primary_key=True),
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id"), nullable=False, index=True),
    Column("organisation_id", String(36), nullable=False, index=True),
    Column("offer_id", String(36)),
    Column("revision", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    *_TERMS(),
    Column("created_by", String(100), nullable=False),
    *_timestamps(),
)

proposal_revision = Table(
    "enquiries_proposal_revision", metadata,
    Column("proposal_id", String(36), ForeignKey("enquiries_proposal.id"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    *_TERMS(),
    Column("revised_by", String(100), nullable=False),
    Column("revised_at", UtcDateTime, nullable=False),
)

message = Table(
    "enquiries_message", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id"), nullable=False, index=True),
    # The social enterprise the negotiation thread is with; none for a note to everybody involved.
    Column("organisation_id", String(36)),
    Column("author", String(100), nullable=False),
    Column("party", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

agreement = Table(
    "enquiries_agreement", metadata,
    Column("id", String(36), primary_key=True),
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id"), nullable=False, index=True),
    Column("proposal_id", String(36), ForeignKey("enquiries_proposal.id"), nullable=False, unique=True),
    Column("proposal_revision", Integer, nullable=False),
    Column("organisation_id", String(36), nullable=False, index=True),
    Column("offer_id", String(36)),
    *_TERMS(),
    Column("status", String(16), nullable=False),
    Column("made_at", UtcDateTime, nullable=False),
    Column("made_by", String(100), nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("version", Integer, nullable=False),
)

impact = Table(
    "enquiries_impact", metadata,
    Column("id", String(36), primary_key=True),
    Column("agreement_id", String(36), ForeignKey("enquiries_agreement.id"), nullable=False, unique=True),
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id"), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    _money("value_paid", False),
    Column("currency", String(3), nullable=False),
    _money("value_paid_eur", False),
    _money("material_diverted_kg"),
    _money("regional_share"),
    _money("distance_km"),
    Column("production_nuts3", String(5)),
    _money("integration_hours"),
    Column("basis", JSON, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
)

# The client-facing agreement of a cross-border order (crossborder/origin.py): one per order the hub composed
# for an enquiry, one line per part the client agreed to, with its price in the part's currency and in EUR.
consortium_agreement = Table(
    "enquiries_consortium_agreement", metadata,
    Column("order_id", String(36), primary_key=True),  # the hub's order id
    Column("enquiry_id", String(36), ForeignKey("enquiries_enquiry.id"), nullable=False, unique=True),
    Column("made_at", UtcDateTime, nullable=False),
    Column("unit", String(50)),
    Column("currency", String(3), nullable=False),  # the site's
    Column("rate_to_eur", ExactDecimal(18, 8), nullable=False),  # of the site's currency, when it was made
)

consortium_agreement_line = Table(
    "enquiries_consortium_agreement_line", metadata,
    Column("part_id", String(36), primary_key=True),  # the hub's part id
    Column("order_id", String(36), ForeignKey("enquiries_consortium_agreement.order_id"), nullable=False,
           index=True),
    Column("site", String(8), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("organisation_name", String(300)),
    Column("offer_id", String(36), nullable=False),
    Column("quantity", Integer, nullable=False),
    _money("unit_price", False),
    Column("currency", String(3), nullable=False),
    _money("unit_price_eur", False),
    Column("status", String(16), nullable=False),
    Column("delivered", Integer, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)
