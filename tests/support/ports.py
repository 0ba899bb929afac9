"""A port for a server a test starts in another process, or for a test that needs a port nobody listens on.

The system chooses it and it is released at once: a process started next binds it, and connecting to it
meanwhile is refused. (A server in the test's own process binds port 0 itself and keeps its socket.)"""
from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
