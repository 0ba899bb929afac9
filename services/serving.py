"""Serving Flask apps from threads (the embedded demo and `sopro serve`), until a signal stops the process."""
from __future__ import annotations

import logging
import signal
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

log = logging.getLogger("sopro.serve")


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its `Server: Werkzeug/<version> Python/<version>`: no versions for an
    attacker to look up (gunicorn, in production, says only `gunicorn`)."""

    def version_string(self) -> str:
        return "sopro"


class AppServer:
    def __init__(self, app, host: str, port: int):
        self.server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"http-{port}", daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_port

    def start(self) -> "AppServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


def wait_for_signal(seconds: float | None = None) -> None:
    """Block until SIGINT or SIGTERM (or `seconds` pass), so that the caller can stop its servers cleanly."""
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait(seconds)
