"""kombu's in-memory transport, one broker per virtual host (`memory://localhost/<vhost>`).

kombu keeps the in-memory queues, exchanges and bindings in class attributes: every `memory://`
connection of a process shares one broker, and a queue outlives the connections that used it. Two
embedded federations in one process (a test run) then share their hub's ingest queue, and the second
hub consumes what the first one's sites left unread. Here each virtual host is a broker of its own;
`memory://` alone keeps kombu's one shared broker (its virtual host is "/").
"""
from __future__ import annotations

import threading
from queue import Queue

from kombu.transport import memory, virtual

_lock = threading.Lock()
_queues: dict[str, dict[str, Queue]] = {}
_states: dict[str, virtual.BrokerState] = {}


def _vhost(client) -> str:
    return client.virtual_host or "/"


class Channel(memory.Channel):
    def __init__(self, connection, **kwargs):
        vhost = _vhost(connection.client)
        if vhost != "/":
            with _lock:
                self.queues = _queues.setdefault(vhost, {})
        super().__init__(connection, **kwargs)


class Transport(memory.Transport):
    Channel = Channel

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        vhost = _vhost(client)
        if vhost != "/":
            with _lock:
                self.state = _states.setdefault(vhost, virtual.BrokerState())


def forget(vhost: str) -> None:
    """Drop a virtual host's queues and bindings (when its federation stops)."""
    with _lock:
        _queues.pop(vhost, None)
        _states.pop(vhost, None)
