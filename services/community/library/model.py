"""A library item: its kind, year, authors, texts per language and document, and the events it records.

Each event carries the item's public snapshot (services.contracts.events.community): its texts, kind,
year and the document's type, size and SHA-256; never the authors, who are personal data kept here.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import Conflict
from services.common.events import Aggregate
from services.contracts.events.community import (
    LANGUAGES, PUBLISHED, WITHDRAWN, LibraryItemPublished, LibraryItemUpdated, LibraryItemWithdrawn,
)


@dataclass
class LibraryItem(Aggregate):
    id: str
    reference: str
    kind: str
    year: int
    authors: list[str]
    texts: list[dict]  # [{"language", "title", "abstract", "keywords"}], the first is the fallback
    document: dict | None = None  # {"media_type", "size", "sha256", "language", "filename"}
    status: str = PUBLISHED

    def text_in(self, language: str) -> dict:
        """The text in `language`, else the first one given."""
        return next((t for t in self.texts if t["language"] == language), self.texts[0])

    def snapshot(self) -> dict:
        document = None
        if self.document:
            document = {k: self.document[k] for k in ("media_type", "size", "sha256", "language")}
        return {"item_id": self.id, "reference": self.reference, "kind": self.kind, "year": self.year,
                "texts": [{k: t[k] for k in ("language", "title", "abstract", "keywords")} for t in self.texts],
                "document": document, "status": self.status}

    @classmethod
    def publish(cls, **values) -> "LibraryItem":
        item = cls(**values)
        item._record(LibraryItemPublished(**item.snapshot()))
        return item

    def update(self, changes: dict) -> None:
        if self.status == WITHDRAWN:
            raise Conflict("a withdrawn item cannot be changed", {"status": ["is withdrawn"]}, code="illegal_state")
        for name, value in changes.items():
            setattr(self, name, value)
        self._record(LibraryItemUpdated(**self.snapshot()))

    def withdraw(self) -> None:
        if self.status == WITHDRAWN:
            raise Conflict("the item is withdrawn already", {"status": ["is withdrawn"]}, code="illegal_state")
        self.status = WITHDRAWN
        self._record(LibraryItemWithdrawn(**self.snapshot()))


def ordered_texts(texts: list[dict]) -> list[dict]:
    """The texts given, each language once, in the order de, hu, en (the page's fallback is the first)."""
    by_language = {t["language"]: t for t in texts}
    return [by_language[lang] for lang in LANGUAGES if lang in by_language]
