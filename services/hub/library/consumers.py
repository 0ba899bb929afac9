"""The ingest's handlers of the sites' library events: each is the item's snapshot, so the newest
`aggregate_version` per (site, item) wins (services.hub.payload_rows.write_snapshots) and the full-text index follows
the row it applied: a published item's texts, nothing for a withdrawn one."""
from __future__ import annotations

from sqlalchemy import Connection

from services.common.envelope import Envelope
from services.contracts.events.community import PUBLISHED
from services.hub.library.store import INDEX, hub_library_item, search_key
from services.hub.payload_rows import Snapshot, batched, snapshot


def item_row(site: str, data: dict) -> dict:
    """What the hub keeps of an item: its metadata and its document's fingerprint, nothing else."""
    doc = data.get("document") or {}
    texts = [{k: t[k] for k in ("language", "title", "abstract", "keywords")} for t in data["texts"]]
    return {"search_key": search_key(site, str(data["item_id"])), "reference": data["reference"],
            "kind": data["kind"], "year": data["year"], "texts": texts,
            "languages": " ".join(t["language"] for t in texts),
            "document_media_type": doc.get("media_type"), "document_size": doc.get("size"),
            "document_sha256": doc.get("sha256"), "document_language": doc.get("language"),
            "status": data["status"]}


def _follow_index(conn: Connection, written: list[Snapshot]) -> None:
    """The full-text index follows the rows written: a published item's texts, nothing for a withdrawn one."""
    for s in written:
        if s.row["status"] == PUBLISHED:
            INDEX.put(conn, s.row["search_key"], s.row["texts"])
        else:
            INDEX.remove(conn, s.row["search_key"])


@batched
def apply_library_item(env: Envelope) -> Snapshot:
    if str(env.data["item_id"]) != str(env.aggregate_id):
        raise ValueError(f"library item {env.data['item_id']} sent as aggregate {env.aggregate_id}")
    return snapshot(env, hub_library_item, item_row(env.site, env.data), then=_follow_index)
