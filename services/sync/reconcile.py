"""Reconciliation: heal gaps, and catch up, from the sites' pull feeds.

On a gap (a seq arrived beyond the contiguous position) the reconciler asks the stream's site for
everything after the contiguous position, page by page, and hands the envelopes to the same
EventProcessor the bus consumer uses, so tracking absorbs what was already applied. A new hub (no
position for the stream yet) rebuilds its whole store the same way, from position 0.

On a timer it also looks at each stream's tail, but the bus delivers a backlog, not the feed
(services/sync/tail_watch.py): the feed pulls only seqs the site reports as published
(`published_seq`) that have not arrived while the hub's position stood still for a grace. So after a
partition each event reaches the hub once, and the drain runs at the consumer's full rate.

One feed cannot stall the others: a heal stops at a page that does not move `next_after` forward,
reads at most `max_pages` pages per run (the next run carries on from the contiguous position), and
reads at most `max_page_bytes` of a response within `timeout` seconds overall. A feed that breaks one
of these, errs, or answers something that is not a feed page fails its own stream only.

A stream paused by an operator (moderation) is not pulled; the reconciler only reads the origin's
last seq from its feed, so the backlog shows in the metrics. Resuming pulls it through the pause
(`heal(stream, through_pause=True)`) before live events of the stream are applied again.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Callable

import requests

from services.common import inbox
from services.common.config import Federation
from services.sync.processing import EventProcessor, Outcome
from services.sync.tail_watch import DEFAULT_GRACE_SECONDS, TailWatch

log = logging.getLogger("sopro.reconcile")


# A page of 500 envelopes is a few hundred KB; anything near this bound is not a feed page.
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_PAGES_PER_RUN = 200


class FeedError(requests.RequestException):
    """The feed answered, but not with a usable page (too big, too slow, not a page). A RequestException,
    so every caller that copes with an unreachable feed copes with this one the same way."""


class FeedClient:
    """Reads a site's feed with a federation token minted for that site."""

    def __init__(self, federation: Federation, token_for: Callable[[str], str], timeout: float = 10.0,
                 session: requests.Session | None = None, max_page_bytes: int = MAX_PAGE_BYTES):
        self.federation = federation
        self.token_for = token_for
        self.timeout = timeout
        self.session = session or requests.Session()
        self.max_page_bytes = max_page_bytes

    def page(self, stream: str, after: int, limit: int = 500) -> dict:
        site_id = stream.split("/", 1)[0]
        site = self.federation.site(site_id)
        with self.session.get(
            f"{site.url}/federation/feed/{stream}", params={"after": after, "limit": limit},
            headers={"Authorization": f"Bearer {self.token_for(site_id)}"}, timeout=self.timeout, stream=True,
        ) as response:
            response.raise_for_status()
            return _feed_page(stream, self._read(stream, response))

    def event(self, stream: str, seq: int) -> dict | None:
        """The origin's envelope at `seq` of `stream`, or None if its feed has none there."""
        events = self.page(stream, seq - 1, 1)["events"]
        return events[0] if events and isinstance(events[0], dict) and events[0].get("seq") == seq else None

    def _read(self, stream: str, response: requests.Response) -> bytes:
        # `timeout` bounds each read only; a feed dripping bytes must not hold the reconciler either.
        deadline = time.monotonic() + self.timeout
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > self.max_page_bytes:
                raise FeedError(f"the feed page of {stream} exceeds {self.max_page_bytes} bytes")
            if time.monotonic() > deadline:
                raise FeedError(f"the feed page of {stream} took longer than {self.timeout}s")
        return bytes(body)


def _feed_page(stream: str, raw: bytes) -> dict:
    try:
        page = json.loads(raw)
    except ValueError:
        raise FeedError(f"the feed of {stream} answered something that is not JSON") from None
    if not (isinstance(page, dict) and isinstance(page.get("events"), list)
            and all(type(page.get(key)) is int for key in ("last_seq", "next_after"))
            and type(page.setdefault("published_seq", page["last_seq"])) is int):  # an older feed: all published
        raise FeedError(f"the feed of {stream} answered something that is not a feed page")
    return page


class Reconciler:
    def __init__(self, processor: EventProcessor, feeds: FeedClient, expected_streams: list[str],
                 page_size: int = 500, max_pages: int = MAX_PAGES_PER_RUN, tail_grace: float = DEFAULT_GRACE_SECONDS):
        self.processor = processor
        self.feeds = feeds
        self.expected_streams = expected_streams
        self.page_size = page_size
        self.max_pages = max_pages
        self.tails = TailWatch(tail_grace)
        self._lock = threading.Lock()

    def positions(self) -> dict[str, tuple[int, int]]:
        with self.processor.engine.connect() as conn:
            return inbox.positions(conn, self.processor.name)

    def heal(self, stream: str, through_pause: bool = False, through: int | None = None) -> int:
        """Pull `stream` from its contiguous position to the end (or through seq `through`), or for at most
        `max_pages` pages. Returns how many events were new."""
        processor = self.processor.ignoring_pause(stream) if through_pause else self.processor
        with self._lock:
            applied = 0
            after = self.positions().get(stream, (0, 0))[0]
            for _ in range(self.max_pages):
                if through is not None and after >= through:
                    return applied
                limit = self.page_size if through is None else min(self.page_size, through - after)
                page = self.feeds.page(stream, after, limit)
                self._note_origin(stream, page["last_seq"])
                events = page["events"]
                if not events:
                    return applied
                outcome: Outcome = processor.process(events)
                applied += len(outcome.applied)
                if page["next_after"] <= after:
                    log.warning("feed of %s does not move past %d; stopped, tried again next run", stream, after)
                    return applied
                after = page["next_after"]
                if after >= page["last_seq"]:
                    return applied
            log.info("%s: %d pages pulled, the rest next run", stream, self.max_pages)
            return applied

    def _note_origin(self, stream: str, last_seq: int) -> None:
        with self.processor.engine.begin() as conn:
            inbox.note_origin_seq(conn, self.processor.name, stream, last_seq)

    def paused(self) -> set[str]:
        with self.processor.engine.connect() as conn:
            return inbox.paused_streams(conn, self.processor.name)

    def catch_up(self, stream: str, contiguous: int) -> int:
        """Pull the tail of a stream without a hole only if the bus cannot bring it (TailWatch)."""
        head = self.feeds.page(stream, contiguous, 1)
        self._note_origin(stream, head["last_seq"])
        published = min(head["published_seq"], head["last_seq"])
        if not self.tails.stalled(stream, contiguous, published):
            return 0
        log.info("%s: seqs %d..%d were published but have not arrived; pulled from the feed",
                 stream, contiguous + 1, published)
        return self.heal(stream, through=published)

    def run_once(self) -> dict[str, int]:
        """Heal every stream with a gap, rebuild every expected stream the hub has never received, and
        catch up the tails the bus does not bring (but paused streams)."""
        positions = self.positions()
        streams = set(self.expected_streams) | {s for s, (c, m) in positions.items() if m > c}
        paused = self.paused()
        healed = {}
        for stream in sorted(streams):
            try:
                if stream in paused:
                    after = positions.get(stream, (0, 0))[0]
                    self._note_origin(stream, self.feeds.page(stream, after, 1)["last_seq"])
                    continue
                contiguous, max_seen = positions.get(stream, (None, None))
                if contiguous is None or max_seen > contiguous:  # a new hub, or a lost message
                    count = self.heal(stream)
                else:
                    count = self.catch_up(stream, contiguous)
            except requests.RequestException as exc:
                log.info("feed of %s unreachable: %s", stream, exc)
                continue
            except Exception:  # noqa: BLE001 - one stream's failure must not keep the others from healing
                log.warning("reconciling %s failed", stream, exc_info=True)
                continue
            if count:
                log.info("reconciled %s: %d events pulled from the feed", stream, count)
                healed[stream] = count
        return healed

    def run_forever(self, stop: threading.Event, interval: float, wake: threading.Event | None = None) -> None:
        wake = wake or threading.Event()
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - keep reconciling whatever one stream does
                log.warning("reconciliation failed", exc_info=True)
            wake.wait(interval)
            wake.clear()


def make_reconciler(runtime, processor: EventProcessor, streams: list[str]) -> Reconciler:
    """The reconciler of `runtime`'s ingest: it reads the sites' feeds with the runtime's federation token."""
    return Reconciler(processor, FeedClient(runtime.settings.federation, runtime.federation_token), streams)
