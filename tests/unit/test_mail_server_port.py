"""The demo's SMTP server (services/demo/mailbox.py) holds its port from the moment it is made: no other
process can take it before the server starts, and a given port that is taken is an error at once."""
from __future__ import annotations

import smtplib
import socket

import pytest

from services.demo.mailbox import MailServer


def bind(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def answers(port: int) -> bool:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        return client.noop()[0] == 250


def test_the_chosen_port_is_held_before_the_server_starts_and_served_after():
    server = MailServer()
    try:
        with pytest.raises(OSError):
            bind(server.port).close()
        server.start()
        assert answers(server.port)
    finally:
        server.stop()


def test_a_given_port_that_is_taken_is_an_error_at_once():
    with bind(0) as taken:
        taken.listen()
        with pytest.raises(OSError):
            MailServer(port=taken.getsockname()[1])


def test_a_stopped_server_starts_again_on_its_port():
    server = MailServer().start()
    port = server.port
    assert answers(port)
    server.stop()
    server.start()
    try:
        assert server.port == port and answers(port)
    finally:
        server.stop()


def test_a_server_never_started_gives_its_port_back():
    server = MailServer()
    port = server.port
    server.stop()
    with bind(port) as sock:  # bind raises OSError if the server still held the port
        assert sock.getsockname()[1] == port
