"""kernel, outbox append: on PostgreSQL one function writes a transaction's outbox rows and wakes the relay
if it asks, so that a unit of work sends its rows and its COMMIT in one message; it replaces the statement
trigger of 0007

Revision ID: 5d2b7e91c0a4
Revises: 3f6a0c9d2e41
Create Date: 2026-12-06 15:00:00
"""
from alembic import op


revision = '5d2b7e91c0a4'
down_revision = '3f6a0c9d2e41'
branch_labels = None
depends_on = None


# The rows come as one JSON array and go in in its order (`position`). PL/pgSQL keeps the INSERT's plan
# for the session, so a caller that sends `SELECT outbox_append('…'); COMMIT` as one simple query has
# the prepared INSERT without a round trip of its own (services/common/outbox.write_and_commit).
# The notification is delivered at commit, and not at all on rollback. The channel is the one the
# listener computes from current_schema(); the rows go to the outbox of the same schema.
APPEND = """
CREATE FUNCTION outbox_append(rows json) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (event_id, stream, type, version, aggregate_id, aggregate_version, occurred_at,
                        correlation_id, causation_id, to_site, data)
    SELECT r.event_id, r.stream, r.type, r.version, r.aggregate_id, r.aggregate_version, r.occurred_at,
           r.correlation_id, r.causation_id, r.to_site, r.data
    FROM json_to_recordset(rows) AS r(
        event_id varchar, stream varchar, type varchar, version integer, aggregate_id varchar,
        aggregate_version integer, occurred_at timestamptz, correlation_id varchar, causation_id varchar,
        to_site varchar, data json, position bigint)
    ORDER BY r.position;
    IF EXISTS (SELECT FROM outbox_wakeup WHERE wanted) THEN
        PERFORM pg_notify('sopro_outbox_' || md5(current_schema()), '');
    END IF;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND)
        op.execute('DROP TRIGGER outbox_wake ON outbox')
        op.execute('DROP FUNCTION outbox_wake()')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT FROM outbox_wakeup WHERE wanted) THEN
                    PERFORM pg_notify('sopro_outbox_' || md5(TG_TABLE_SCHEMA), '');
                END IF;
                RETURN NULL;
            END $$""")
        op.execute('CREATE TRIGGER outbox_wake BEFORE INSERT ON outbox '
                   'FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake()')
        op.execute('DROP FUNCTION outbox_append(json)')
