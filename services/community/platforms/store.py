"""The platform's members in their table: loading (optionally locked), saving at the version the events
bumped, and listing."""
from __future__ import annotations

from sqlalchemy import Connection, select

from services.common.versioned import save_versioned
from services.community.platforms.model import ACTIVE, Membership
from services.community.platforms.tables import platform_member

COLUMNS = ("id", "country", "role", "joined_on", "left_on", "status", "version")


def _membership(row) -> Membership:
    return Membership(id=row.id, country=row.country, role=row.role, joined_on=row.joined_on, status=row.status,
                      left_on=row.left_on, version=row.version)


def find(conn: Connection, organisation_id: str, lock: bool = False) -> Membership | None:
    query = select(platform_member).where(platform_member.c.id == str(organisation_id))
    row = conn.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _membership(row)


def save(conn: Connection, membership: Membership, expected_version: int) -> None:
    save_versioned(conn, platform_member, {name: getattr(membership, name) for name in COLUMNS}, expected_version,
                   what="platform member")


def members(conn: Connection, statuses: tuple[str, ...] = (ACTIVE,)) -> list[Membership]:
    """The memberships in these statuses, longest members first."""
    t = platform_member
    rows = conn.execute(select(t).where(t.c.status.in_(statuses)).order_by(t.c.joined_on, t.c.id))
    return [_membership(row) for row in rows]
