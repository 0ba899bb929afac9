"""A small TCP fault proxy, of the project's own, for breaking links on purpose.

It sits between clients and a server (the broker, a site's feed) and forwards bytes both ways, until
a test tells it otherwise:

- `cut()`: reset every open connection (RST to both ends), as a crashed NAT box or a broker-side kill
  would. New connections pass.
- `blackhole()`: every open connection turns half-open: the sockets stay open, but bytes are dropped
  both ways, silently. Only heartbeats can tell. New connections pass (the path itself is fine).
- `slow(seconds)`: every chunk is delayed by `seconds` each way (latency, not a bandwidth cap).
- `partition()` / `heal()`: nothing crosses, on open or new connections, until healed; bytes sent in
  the meantime wait (as TCP retransmits them) and cross after `heal()`, if their connection is still
  alive. New connections wait too: their client sees a connect that never completes.
- `cut_after(n)`: reset every connection once `n` more bytes have gone upstream (mid-batch), after a
  moment in which nothing crosses (the server acts on what it got; its answers are lost).

It runs an asyncio loop in a daemon thread; every control method is thread-safe.
"""
from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

_CHUNK = 65536
_CUT = object()  # in a send queue: reset every connection once what is before it has been sent


@dataclass(eq=False)  # identity, so links can live in a set
class _Link:
    """One client connection and its upstream connection."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    blackholed: bool = False
    tasks: list = field(default_factory=list)

    def reset(self) -> None:
        for writer in (self.client, self.upstream):
            if writer is None:
                continue
            sock = writer.get_extra_info("socket")
            try:
                # SO_LINGER 0: close sends RST, not FIN, like a connection torn down by the network.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            writer.transport.abort()
        for task in self.tasks:
            task.cancel()


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.port = 0
        self.latency = 0.0
        self.accepted: list[float] = []  # monotonic time of every accepted connection
        self.bytes_up = 0
        self.bytes_down = 0
        self._links: set[_Link] = set()
        self._cut_at: int | None = None
        self._cut_grace = 0.0
        self._loop = asyncio.new_event_loop()
        self._healed: asyncio.Event | None = None
        self._server = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)

    # --- life cycle ----------------------------------------------------------------------------------

    def start(self) -> "FaultProxy":
        self._thread.start()
        self._call(self._start())
        return self

    async def _start(self) -> None:
        self._healed = asyncio.Event()
        self._healed.set()
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _stop(self) -> None:
        self._server.close()
        self._healed.set()
        links, self._links = list(self._links), set()
        for link in links:
            link.reset()
        await asyncio.gather(*(t for link in links for t in link.tasks), return_exceptions=True)

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, scheme: str, userinfo: str = "", path: str = "") -> str:
        """The URL a client uses to go through the proxy, e.g. url("amqp", "guest:guest@", "/vhost")."""
        return f"{scheme}://{userinfo}{self.host}:{self.port}{path}"

    # --- faults --------------------------------------------------------------------------------------

    def cut(self) -> int:
        """Reset every open connection. Returns how many were cut."""
        return self._call(self._cut())

    async def _cut(self) -> int:
        links, self._links = list(self._links), set()
        for link in links:
            link.reset()
        return len(links)

    def cut_after(self, nbytes: int, grace: float = 0.2) -> None:
        """Cut every connection once `nbytes` more bytes have been forwarded upstream. In between, for
        `grace` seconds, nothing crosses: the server has time to act on what it got, but its answers
        (confirms, say) are lost with the link."""
        self._cut_grace = grace
        self._loop.call_soon_threadsafe(setattr, self, "_cut_at", self.bytes_up + nbytes)

    def blackhole(self) -> int:
        """Make every open connection half-open. Returns how many."""
        return self._call(self._blackhole())

    async def _blackhole(self) -> int:
        for link in self._links:
            link.blackholed = True
        return len(self._links)

    def slow(self, seconds: float) -> None:
        self.latency = seconds

    def partition(self) -> None:
        """Hold all traffic from now on (in effect when this returns)."""
        self._call(self._set_healed(False))

    def heal(self) -> None:
        """End a partition and any added latency (half-open connections stay dead)."""
        self.latency = 0.0
        self._call(self._set_healed(True))

    async def _set_healed(self, healed: bool) -> None:
        self._healed.set() if healed else self._healed.clear()

    @property
    def open_connections(self) -> int:
        return len(self._links)

    def connections_since(self, moment: float) -> int:
        return sum(1 for t in self.accepted if t >= moment)

    def _call(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # --- forwarding ----------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted.append(time.monotonic())
        link = _Link(client=writer)
        self._links.add(link)
        try:
            await self._healed.wait()  # a partition holds the connect itself
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except (OSError, asyncio.CancelledError):
            self._links.discard(link)
            writer.transport.abort()
            return
        link.upstream = up_writer
        if link not in self._links:  # cut while connecting
            link.reset()
            return
        link.tasks = [asyncio.current_task()]
        try:
            await asyncio.gather(self._pump(link, reader, up_writer, up=True),
                                 self._pump(link, up_reader, writer, up=False))
        except (asyncio.CancelledError, OSError):
            pass
        finally:
            if link in self._links:
                self._links.discard(link)
                for w in (writer, up_writer):
                    w.close()

    async def _pump(self, link: _Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    up: bool) -> None:
        # Latency keeps throughput: chunks queue with their due time and a sender writes them when due.
        queue: asyncio.Queue = asyncio.Queue()
        sender = asyncio.ensure_future(self._send(queue, writer))
        try:
            while True:
                data = await reader.read(_CHUNK)
                if not data:
                    break
                await self._healed.wait()  # partitioned: hold the bytes, as TCP would retransmit them
                if link.blackholed:
                    continue
                if up:
                    if self._cut_at is not None and self.bytes_up + len(data) >= self._cut_at:
                        # Forward the bytes up to the mark, then cut: the peer gets a torn message.
                        data = data[:self._cut_at - self.bytes_up]
                        self._cut_at = None
                        self.bytes_up += len(data)
                        queue.put_nowait((time.monotonic() + self.latency, data))
                        queue.put_nowait(_CUT)
                        await sender
                        return
                    self.bytes_up += len(data)
                else:
                    self.bytes_down += len(data)
                queue.put_nowait((time.monotonic() + self.latency, data))
            await self._healed.wait()  # a FIN waits out a partition too
            if link.blackholed:
                return  # a half-open link tells the other end nothing, not even a close
            queue.put_nowait(None)
            await sender
        finally:
            sender.cancel()

    async def _send(self, queue: asyncio.Queue, writer: asyncio.StreamWriter) -> None:
        while (item := await queue.get()) is not None:
            if item is _CUT:
                await self._blackhole()
                await asyncio.sleep(self._cut_grace)
                await self._cut()
                return
            due, data = item
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._healed.wait()
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
