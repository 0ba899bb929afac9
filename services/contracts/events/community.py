"""Events of the platform's knowledge and community (issue 19): its events for the expert public, its
library, and the national stakeholder platforms' member organisations.

Each carries the public snapshot of its aggregate after the change, so the hub applies the newest version
it has seen and ignores stale ones, as for the registry's snapshots. None carries personal data
(DESIGN.md §3):
- a community event reaches the hub with its public description and its *counts* (seats taken, people
  waiting), never a registration, a name or an address; registrations stay at the site;
- a library item reaches the hub with its metadata in de, hu and en and its document's type, size and
  SHA-256; the document stays at the site that owns it, and so do the authors' names;
- a stakeholder platform's member is an organisation (its id, as in the registry's events), never a person.

Texts are given per language: at least one, each language at most once. A reader is shown the text in its
own language, else the first one given (`texts_in` at the hub).
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from marshmallow import validate

from services.common.events import EventData, event_type
from services.common.fields import storable

LANGUAGES = ("de", "hu", "en")
LANGUAGE = validate.OneOf(LANGUAGES)
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="an ISO 3166 country code, e.g. AT")
NUTS3 = validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{3}$", error="not a NUTS-3 code (e.g. AT127)")
TITLE_MAX = 300
SUMMARY_MAX = 4000

# --- community events ----------------------------------------------------------------------------------

EVENT_KINDS = ("forum", "conference", "seminar", "training", "good_practice_visit")
# A site's own event, or one the site hosts for the whole network (listed at every site and at the hub).
EVENT_SCOPES = ("site", "network")
SCHEDULED, CANCELLED = "scheduled", "cancelled"
EVENT_STATUSES = (SCHEDULED, CANCELLED)
MAX_CAPACITY = 100_000


class _UniqueLanguages(EventData):
    @ma.validates_schema
    def _each_language_once(self, data, **kwargs):
        languages = [text["language"] for text in data.get("texts", [])]
        if len(languages) != len(set(languages)):
            raise ma.ValidationError("each language at most once", "texts")


class EventTextData(EventData):
    language = ma.fields.String(required=True, validate=LANGUAGE)
    title = ma.fields.String(required=True, validate=[validate.Length(min=1, max=TITLE_MAX), storable])
    summary = ma.fields.String(required=True, validate=[validate.Length(max=SUMMARY_MAX), storable])


class CommunityEventData(_UniqueLanguages):
    event_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True, validate=validate.Length(min=1, max=40),
                                 metadata={"description": "the site's human reference, e.g. AT12-V-2026-0003"})
    kind = ma.fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    scope = ma.fields.String(required=True, validate=validate.OneOf(EVENT_SCOPES))
    # A forum of the country's national stakeholder platform (shown on the platform's page at the hub).
    platform_forum = ma.fields.Boolean(required=True)
    texts = ma.fields.List(ma.fields.Nested(EventTextData), required=True,
                           validate=validate.Length(min=1, max=len(LANGUAGES)))
    languages = ma.fields.List(ma.fields.String(validate=LANGUAGE), required=True,
                               validate=validate.Length(min=1, max=len(LANGUAGES)),
                               metadata={"description": "the languages the event is held in"})
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    venue = ma.fields.String(required=True, validate=[validate.Length(max=300), storable],
                             metadata={"description": "the public place (an address of a venue) or an online note"})
    country = ma.fields.String(required=True, validate=COUNTRY)
    nuts3 = ma.fields.String(required=True, allow_none=True, validate=NUTS3)
    capacity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    registered = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_CAPACITY),
                                   metadata={"description": "seats taken (a count, never who)"})
    waiting = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0),
                                metadata={"description": "people on the waiting list (a count)"})
    status = ma.fields.String(required=True, validate=validate.OneOf(EVENT_STATUSES))


@dataclass(frozen=True)
class _CommunityEventSnapshot:
    event_id: str
    reference: str
    kind: str
    scope: str
    platform_forum: bool
    texts: list
    languages: list
    starts_at: object
    ends_at: object
    venue: str
    country: str
    nuts3: str | None
    capacity: int
    registered: int
    waiting: int
    status: str


@event_type("community.event.published", CommunityEventData)
class CommunityEventPublished(_CommunityEventSnapshot):
    """An event was announced."""


@event_type("community.event.updated", CommunityEventData)
class CommunityEventUpdated(_CommunityEventSnapshot):
    """An event changed: its description, or its counts (a registration, a cancellation, a move up from the
    waiting list). Its snapshot after the change."""


@event_type("community.event.cancelled", CommunityEventData)
class CommunityEventCancelled(_CommunityEventSnapshot):
    """An event was called off. Its snapshot, status `cancelled`."""


# --- the library ---------------------------------------------------------------------------------------

ITEM_KINDS = ("publication", "master_thesis", "bachelor_thesis", "training_module", "handbook", "report")
PUBLISHED, WITHDRAWN = "published", "withdrawn"
ITEM_STATUSES = (PUBLISHED, WITHDRAWN)
KEYWORDS_MAX = 500


class ItemTextData(EventData):
    language = ma.fields.String(required=True, validate=LANGUAGE)
    title = ma.fields.String(required=True, validate=[validate.Length(min=1, max=TITLE_MAX), storable])
    abstract = ma.fields.String(required=True, validate=[validate.Length(max=SUMMARY_MAX), storable])
    keywords = ma.fields.String(required=True, validate=[validate.Length(max=KEYWORDS_MAX), storable])


class DocumentData(EventData):
    media_type = ma.fields.String(required=True, validate=validate.Length(min=1, max=100))
    size = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sha256 = ma.fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    language = ma.fields.String(required=True, validate=LANGUAGE, metadata={"description": "the document's language"})


class LibraryItemData(_UniqueLanguages):
    item_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    kind = ma.fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    year = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1900, max=2100))
    texts = ma.fields.List(ma.fields.Nested(ItemTextData), required=True,
                           validate=validate.Length(min=1, max=len(LANGUAGES)))
    document = ma.fields.Nested(DocumentData, required=True, allow_none=True,
                                metadata={"description": "kept at the site; the hub links to the site's page"})
    status = ma.fields.String(required=True, validate=validate.OneOf(ITEM_STATUSES))


@dataclass(frozen=True)
class _LibraryItemSnapshot:
    item_id: str
    reference: str
    kind: str
    year: int
    texts: list
    document: dict | None
    status: str


@event_type("community.library_item.published", LibraryItemData)
class LibraryItemPublished(_LibraryItemSnapshot):
    """A publication, thesis, training module, handbook or report was put in the library."""


@event_type("community.library_item.updated", LibraryItemData)
class LibraryItemUpdated(_LibraryItemSnapshot):
    """An item's metadata or document changed. Its snapshot after the change."""


@event_type("community.library_item.withdrawn", LibraryItemData)
class LibraryItemWithdrawn(_LibraryItemSnapshot):
    """An item was taken out of the library. Its snapshot, status `withdrawn`."""


# --- national stakeholder platforms --------------------------------------------------------------------

MEMBER_ROLES = ("social_enterprise", "company", "public_body", "ngo", "research", "funder")
ACTIVE, LEFT = "active", "left"


class PlatformMemberData(EventData):
    organisation_id = ma.fields.UUID(required=True, metadata={"description": "as in the registry's events"})
    country = ma.fields.String(required=True, validate=COUNTRY, metadata={"description": "whose national platform"})
    role = ma.fields.String(required=True, validate=validate.OneOf(MEMBER_ROLES))
    joined_on = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf((ACTIVE, LEFT)))


@dataclass(frozen=True)
class _PlatformMemberSnapshot:
    organisation_id: str
    country: str
    role: str
    joined_on: object
    status: str


@event_type("community.platform_member.joined", PlatformMemberData)
class PlatformMemberJoined(_PlatformMemberSnapshot):
    """An organisation joined its country's national stakeholder platform (or rejoined it)."""


@event_type("community.platform_member.left", PlatformMemberData)
class PlatformMemberLeft(_PlatformMemberSnapshot):
    """An organisation left its country's platform. Its snapshot, status `left`."""
