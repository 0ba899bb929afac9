"""How the hub applies the sites' community events (`<site>/community`) to its community tables.

Every event is the aggregate's full public snapshot whatever its verb (published, updated, cancelled;
joined, left): the status says which. So each handler writes the snapshot through `payload_rows.write_snapshots`,
and the newest `aggregate_version` per (site, aggregate) wins whatever order events arrive in; a stale or
replayed one changes nothing. A cancelled event stays, marked cancelled (a calendar subscriber is told it
is called off); a member who left stays as a row with status `left`, which no page shows.

The three `community.library_item.*` types are the library's (another module); `services.hub.consumers`
merges these handlers into its `HANDLERS`.
"""
from __future__ import annotations

from datetime import date

from services.contracts.events import community
from services.hub.community.store import hub_community_event, hub_platform_member
from services.hub.payload_rows import snapshot_handler, utc

def event_row(data: dict) -> dict:
    """An event's public description and its counts; the ids of its registrations never reach the hub."""
    return {
        "reference": data["reference"],
        "kind": data["kind"],
        "scope": data["scope"],
        "platform_forum": bool(data["platform_forum"]),
        "texts": [{"language": t["language"], "title": t["title"], "summary": t["summary"]} for t in data["texts"]],
        "languages": list(data["languages"]),
        "starts_at": utc(data["starts_at"]),
        "ends_at": utc(data["ends_at"]),
        "venue": data["venue"],
        "country": data["country"],
        "nuts3": data["nuts3"],
        "capacity": data["capacity"],
        "registered": data["registered"],
        "waiting": data["waiting"],
        "status": data["status"],
    }


def member_row(data: dict) -> dict:
    joined_on = data["joined_on"]
    return {
        "organisation_id": str(data["organisation_id"]),
        "country": data["country"],
        "role": data["role"],
        "joined_on": joined_on if isinstance(joined_on, date) else date.fromisoformat(joined_on),
        "status": data["status"],
    }


apply_event = snapshot_handler(hub_community_event, event_row)
apply_member = snapshot_handler(hub_platform_member, member_row)

HANDLERS = {
    community.CommunityEventPublished.TYPE: apply_event,
    community.CommunityEventUpdated.TYPE: apply_event,
    community.CommunityEventCancelled.TYPE: apply_event,
    community.PlatformMemberJoined.TYPE: apply_member,
    community.PlatformMemberLeft.TYPE: apply_member,
}
