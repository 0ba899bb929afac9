"""One feed cannot stall reconciliation. On PostgreSQL, with AT12's real feed on a real port and fake
feeds for the other sites on another: one that returns the same page forever, one that keeps
advancing without end, one that answers 50 MB, one that errs and one that answers no feed page.
The hub's reconciler stops each of them in bounded time and still heals AT12."""
from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from services.sync.reconcile import FeedClient, FeedError, Reconciler
from tests.support.sync import FeedServer, make_runtime, processor_for, relay_for, write_events

pytestmark = pytest.mark.services

MAX_PAGES, MAX_BYTES = 5, 1024 * 1024
STALLED, ENDLESS, HUGE, FAILING, NOT_A_PAGE = "AT13/registry", "AT11/registry", "AT22/registry", \
    "HU22/registry", "AT11/enquiries"


class FakeFeeds(BaseHTTPRequestHandler):
    """Every other site's feed, misbehaving in its own way; counts the requests per stream."""

    requests: Counter = Counter()

    def do_GET(self):  # noqa: N802 - the http.server API
        url = urlsplit(self.path)
        stream = url.path.removeprefix("/federation/feed/")
        after = int(parse_qs(url.query)["after"][0])
        self.requests[stream] += 1
        if stream == HUGE:
            return self._huge()
        if stream == FAILING:
            return self._send(500, b"Internal Server Error")
        if stream == NOT_A_PAGE:
            return self._send(200, json.dumps({"events": "later"}).encode())
        next_after = after if stream == STALLED else after + 1  # the same page forever / never the end
        page = {"stream": stream, "after": after, "last_seq": after + 1000, "next_after": next_after,
                "events": [{"not": "an envelope"}]}
        return self._send(200, json.dumps(page).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _huge(self) -> None:  # 50 MB of a page, without a Content-Length
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            self.wfile.write(b'{"events": [], "last_seq": 1, "next_after": 1, "pad": "')
            for _ in range(50):
                self.wfile.write(b"x" * 1024 * 1024)
            self.wfile.write(b'"}')
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader gave up: what we want

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_feeds():
    FakeFeeds.requests = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeFeeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", FakeFeeds.requests
    server.shutdown()


def test_one_feed_cannot_stall_the_others(make_settings, pg_schema_url, fake_feeds):
    fake_url, requests_made = fake_feeds
    site = make_runtime(make_settings("AT12", db_url=pg_schema_url("site")))
    hub = make_runtime(make_settings("EU", db_url=pg_schema_url("hub")))
    write_events(site, 3)
    relay_for(site, "memory://").run_once()  # numbers them (seqs 1..3), as a running site would
    with FeedServer(site) as at12:
        federation = hub.settings.federation
        sites = {sid: replace(s, url=at12.url if sid == "AT12" else fake_url) for sid, s in federation.sites.items()}
        feeds = FeedClient(replace(federation, sites=sites), hub.federation_token, timeout=10,
                           max_page_bytes=MAX_BYTES)
        reconciler = Reconciler(processor_for(hub), feeds,
                                [STALLED, ENDLESS, HUGE, FAILING, NOT_A_PAGE, "AT12/registry"], max_pages=MAX_PAGES)
        result = {}
        run = threading.Thread(target=lambda: result.update(reconciler.run_once()), daemon=True)
        run.start()
        run.join(60)
        assert not run.is_alive(), f"reconciliation stalled; requests so far: {dict(requests_made)}"

    assert result == {"AT12/registry": 3}, "AT12 healed although every other feed misbehaved"
    assert reconciler.positions()["AT12/registry"] == (3, 3)
    assert requests_made[STALLED] == 1, "a page that makes no progress ends the heal"
    assert requests_made[ENDLESS] == MAX_PAGES, "a feed that never ends is read for max_pages pages per run"
    assert requests_made[HUGE] == requests_made[FAILING] == requests_made[NOT_A_PAGE] == 1
    with pytest.raises(FeedError, match="exceeds 1048576 bytes"):
        feeds.page(HUGE, 0)
