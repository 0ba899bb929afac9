"""Whose is a stream's tail: the bus's or the feed's?

After a partition the same backlog could reach the hub twice: the site's relay publishes it on the bus,
and the reconciler could pull it from the feed. Each copy costs the hub a verification and a tracking
claim, so the two paths halve the drain rate. The bus is the path that must deliver it anyway (a
durable queue's messages are consumed whether or not they are new), so the feed stands back from a
stream's tail (the seqs after the hub's contiguous position) while the bus can still bring it:

- the seqs the site has not published yet are the relay's: the feed never pulls them;
- the published ones the hub lacks are pulled only once the hub's position has stood still for
  `grace` seconds across two looks of the reconciler: a queue that is draining moves it, a lost
  message (or a hub whose queue never held them) does not.

A hole (a seq arrived beyond the contiguous position) is a lost message; it is not this watch's
business: the reconciler heals it at once.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_GRACE_SECONDS = 5.0


class TailWatch:
    def __init__(self, grace: float = DEFAULT_GRACE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.grace = grace
        self.clock = clock
        self._looks: dict[str, tuple[int, float]] = {}  # stream -> (contiguous seq, when first seen there)
        self._lock = threading.Lock()

    def stalled(self, stream: str, contiguous: int, published: int) -> bool:
        """Whether the feed should pull `stream` through `published`: the hub lacks published seqs, and its
        contiguous position has not moved for `grace` seconds."""
        with self._lock:
            if contiguous >= published:
                self._looks.pop(stream, None)
                return False
            now = self.clock()
            seen = self._looks.get(stream)
            if seen is None or seen[0] != contiguous:
                self._looks[stream] = (contiguous, now)  # the bus moved it (or a first look): give it time
                return False
            return now - seen[1] >= self.grace
