"""The fault proxy itself, against a local echo server (no broker needed)."""
from __future__ import annotations

import socket
import socketserver
import threading
import time

import pytest

from tests.support.faults.proxy import FaultProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(65536):
            self.server.received += len(data)
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Echo)
        self.received = 0
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def echo():
    server = EchoServer()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(echo):
    with FaultProxy("127.0.0.1", echo.server_address[1]) as p:
        yield p


def connect(proxy: FaultProxy, timeout: float = 2.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)


def roundtrip(sock: socket.socket, payload: bytes) -> bytes:
    sock.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def test_passes_bytes_both_ways(proxy, echo):
    with connect(proxy) as sock:
        assert roundtrip(sock, b"hello" * 1000) == b"hello" * 1000
    assert proxy.bytes_up == proxy.bytes_down == 5000
    assert echo.received == 5000


def test_cut_resets_open_connections_and_lets_new_ones_through(proxy):
    sock = connect(proxy)
    assert roundtrip(sock, b"ping") == b"ping"
    assert proxy.cut() == 1
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        # A reset connection fails on the next send or receive (RST, not an orderly EOF).
        sock.sendall(b"after the cut")
        if sock.recv(10) == b"":
            raise ConnectionResetError("closed")
    sock.close()
    with connect(proxy) as fresh:
        assert roundtrip(fresh, b"again") == b"again"


def test_blackhole_keeps_the_socket_open_but_drops_every_byte(proxy, echo):
    sock = connect(proxy, timeout=0.4)
    assert roundtrip(sock, b"ping") == b"ping"
    assert proxy.blackhole() == 1
    sock.sendall(b"into the void")
    with pytest.raises(socket.timeout):
        sock.recv(10)  # neither an answer nor a close: half-open
    assert echo.received == 4, "nothing went upstream"
    sock.close()
    with connect(proxy) as fresh:  # the path itself still works
        assert roundtrip(fresh, b"new") == b"new"


def test_slow_adds_latency_each_way(proxy):
    with connect(proxy) as sock:
        proxy.slow(0.15)
        started = time.monotonic()
        assert roundtrip(sock, b"x") == b"x"
        assert time.monotonic() - started >= 0.3
        proxy.heal()
        started = time.monotonic()
        assert roundtrip(sock, b"y") == b"y"
        assert time.monotonic() - started < 0.3


def test_partition_holds_traffic_and_new_connections_until_healed(proxy, echo):
    sock = connect(proxy, timeout=0.4)
    assert roundtrip(sock, b"a") == b"a"
    proxy.partition()
    sock.sendall(b"held")
    with pytest.raises(socket.timeout):
        sock.recv(10)
    late = connect(proxy, timeout=0.4)
    late.sendall(b"late")
    with pytest.raises(socket.timeout):
        late.recv(10)
    assert echo.received == 1
    proxy.heal()
    sock.settimeout(2)
    late.settimeout(2)
    assert sock.recv(10) == b"held"
    assert late.recv(10) == b"late"
    sock.close()
    late.close()


def test_cut_after_resets_mid_transfer(proxy, echo):
    sock = connect(proxy)
    assert roundtrip(sock, b"z") == b"z"
    proxy.cut_after(4096, grace=0.05)
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        for _ in range(100):
            sock.sendall(b"b" * 1024)
            time.sleep(0.002)
    sock.close()
    assert proxy.bytes_up == 1 + 4096, "exactly 4 KiB more crossed, then the connection was cut"
    assert echo.received <= 1 + 4096
