"""matching shortlist in SQL: offer codes by significant prefix, label divisions, organisations' unit vectors, eligible offers per division, an index on weekly capacity

The shortlist scores and cuts its candidates in SQL (sql_ranking.py). It needs each offer's CPV codes as
rows (division, significant prefix), each label's CPV divisions as rows, and each organisation's place as
a point on the unit sphere (distance by arithmetic, as SQLite has no trigonometry), and which division rows
belong to a published offer of an active social enterprise (counted without joins). Filled here from the
rows already projected; the consumers keep them from now on.

Revision ID: 3a8c51d0e9b4
Revises: 27d64af80810
Create Date: 2026-12-06 07:45:00
"""
import json
import math

import sqlalchemy as sa
from alembic import op

revision = '3a8c51d0e9b4'
down_revision = '27d64af80810'
branch_labels = None
depends_on = None


def _significant_prefix(code: str) -> str:
    # as services.contracts.cpv.significant_prefix (a migration does not import the code it migrates)
    return code[:2] + code[2:].rstrip("0")


def _codes(value) -> list:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or ())


def upgrade() -> None:
    op.create_table('matching_offer_code',
    sa.Column('division', sa.String(length=2), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('division', 'prefix', 'offer_id', name=op.f('pk_matching_offer_code'))
    )
    op.create_table('matching_label_division',
    sa.Column('label_id', sa.String(length=36), nullable=False),
    sa.Column('division', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('label_id', 'division', name=op.f('pk_matching_label_division'))
    )
    with op.batch_alter_table('matching_offer_division', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligible', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('matching_offer', schema=None) as batch_op:
        batch_op.create_index('ix_matching_offer_capacity', ['capacity_per_week'], unique=False)
    with op.batch_alter_table('matching_organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ux', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('uy', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('uz', sa.Float(), nullable=True))

    conn = op.get_bind()
    offers = conn.execute(sa.text("SELECT id, cpv_codes FROM matching_offer")).all()
    rows = [{"division": p[:2], "prefix": p, "offer_id": offer_id}
            for offer_id, codes in offers for p in sorted({_significant_prefix(c) for c in _codes(codes)})]
    if rows:
        conn.execute(sa.text("INSERT INTO matching_offer_code (division, prefix, offer_id) "
                             "VALUES (:division, :prefix, :offer_id)"), rows)
    labels = conn.execute(sa.text("SELECT label_id, cpv_codes FROM matching_label")).all()
    rows = [{"label_id": label_id, "division": d}
            for label_id, codes in labels for d in sorted({c[:2] for c in _codes(codes)})]
    if rows:
        conn.execute(sa.text("INSERT INTO matching_label_division (label_id, division) VALUES (:label_id, :division)"),
                     rows)
    places = conn.execute(sa.text("SELECT id, lat, lon FROM matching_organisation "
                                  "WHERE lat IS NOT NULL AND lon IS NOT NULL")).all()
    rows = [{"id": org_id, "ux": math.cos(math.radians(lat)) * math.cos(math.radians(lon)),
             "uy": math.cos(math.radians(lat)) * math.sin(math.radians(lon)), "uz": math.sin(math.radians(lat))}
            for org_id, lat, lon in places]
    if rows:
        conn.execute(sa.text("UPDATE matching_organisation SET ux = :ux, uy = :uy, uz = :uz WHERE id = :id"), rows)
    conn.execute(sa.text(
        "UPDATE matching_offer_division SET eligible = EXISTS (SELECT 1 FROM matching_offer o "
        "JOIN matching_organisation g ON g.id = o.organisation_id WHERE o.id = matching_offer_division.offer_id "
        "AND o.status = 'published' AND g.status = 'active' AND g.kind = 'social_enterprise')"))


def downgrade() -> None:
    with op.batch_alter_table('matching_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_matching_offer_capacity')
    with op.batch_alter_table('matching_offer_division', schema=None) as batch_op:
        batch_op.drop_column('eligible')
    with op.batch_alter_table('matching_organisation', schema=None) as batch_op:
        batch_op.drop_column('uz')
        batch_op.drop_column('uy')
        batch_op.drop_column('ux')
    op.drop_table('matching_label_division')
    op.drop_table('matching_offer_code')
