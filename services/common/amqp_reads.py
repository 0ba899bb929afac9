"""py-amqp's TCP transport with fewer system calls per message received, for kombu's `pyamqp` transport.

py-amqp reads each frame with exactly the bytes it needs (header, payload, frame end: three `recv` calls
per frame, three frames per message) and sets the socket's timeout before each frame and back after it
(two `settimeout` calls, each a `fcntl` when the socket switches between blocking and timeout mode). A
consumer draining a prefetched backlog spent about a third of its receiving time in those calls.

This transport reads up to `CHUNK` bytes at a time and serves the frames from its buffer, and it leaves a
read timeout in place until the next read asks for another one or a write needs the socket blocking
again. The frames and their order are py-amqp's: only how the bytes are fetched changes.
"""
from __future__ import annotations

import errno
import socket
from contextlib import contextmanager

import amqp.transport
from kombu.transport import pyamqp

CHUNK = 65536


class BufferedTCPTransport(amqp.transport.TCPTransport):
    def _setup_transport(self):
        super()._setup_transport()
        self._blocking_timeout = self.sock.gettimeout()  # what py-amqp left: None, blocking
        self._timeout = self._blocking_timeout
        sendall = self.sock.sendall

        def write(data):
            # A write waits as py-amqp's would, not for a read's short timeout.
            if self._timeout is not self._blocking_timeout:
                self._set_timeout(self._blocking_timeout)
            sendall(data)

        self._write = write

    def _set_timeout(self, timeout) -> None:
        self.sock.settimeout(timeout)
        self._timeout = timeout

    @contextmanager
    def having_timeout(self, timeout):
        wanted = self._blocking_timeout if timeout is None else timeout
        if wanted != self._timeout:
            self._set_timeout(wanted)
        try:
            yield self.sock
        except OSError as exc:
            if exc.errno == errno.EWOULDBLOCK:
                raise socket.timeout() from exc
            raise

    def _read(self, n, initial=False, _errnos=(errno.EAGAIN, errno.EINTR)):
        """Read exactly n bytes: from the buffer, refilled by reads of up to CHUNK bytes."""
        rbuf = self._read_buffer
        if len(rbuf) < n:
            recv = self._quick_recv
            try:
                while len(rbuf) < n:
                    try:
                        s = recv(CHUNK)
                    except OSError as exc:
                        if exc.errno in _errnos:
                            if initial and self.raise_on_initial_eintr:
                                raise socket.timeout() from exc
                            continue
                        raise
                    if not s:
                        raise OSError("Server unexpectedly closed connection")
                    rbuf += s
            except:  # noqa: E722 - as py-amqp: keep what was read for the next attempt, whatever failed
                self._read_buffer = rbuf
                raise
        result, self._read_buffer = rbuf[:n], rbuf[n:]
        return result


class _Connection(pyamqp.Connection):
    def Transport(self, host, connect_timeout, ssl=False, read_timeout=None, write_timeout=None,
                  socket_settings=None, **kwargs):
        if ssl:  # TLS reads are bounded by its records anyway: py-amqp's own transport
            return super().Transport(host, connect_timeout, ssl, read_timeout, write_timeout, socket_settings,
                                     **kwargs)
        return BufferedTCPTransport(host, connect_timeout=connect_timeout, read_timeout=read_timeout,
                                    write_timeout=write_timeout, socket_settings=socket_settings, **kwargs)


class Transport(pyamqp.Transport):
    """kombu's `pyamqp` transport on BufferedTCPTransport: `kombu.Connection(url, transport=Transport)`."""

    Connection = _Connection
