"""A TCP forwarder between the app and PostgreSQL or Redis, which a test can cut.

``cut()`` drops every connection through it and stops listening, so new connections
are refused at once, the way a stopped server is; ``restore()`` listens again on the
same port. Plain threads: the proxy lives in the test process, whatever the app runs on.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Proxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._pumps: set[threading.Thread] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._listening = threading.Event()

    # -- the test's controls --------------------------------------------------------------

    def start(self) -> None:
        """Listen (again): on a fresh port the first time, on the same one after a cut."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The cut leaves the port's closed connections in TIME_WAIT; the listener comes back.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        # A short accept timeout lets the acceptor see a cut: closing a socket does not
        # wake a thread blocked in accept() on Linux.
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._listening.set()
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    restore = start

    def cut(self) -> None:
        """Refuse new connections and drop every open one, both ends."""
        self._listening.clear()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
            self._acceptor = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = self._open, set()
            pumps, self._pumps = self._pumps, set()
        # Shut down, not close: a socket closed under a thread's epoll leaves that set
        # without a wake-up; a shut-down one reads as ended, and its pump closes it.
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for pump in pumps:
            pump.join(timeout=5)
            assert not pump.is_alive(), "a proxied connection outlived the cut"

    close = cut

    # -- forwarding -----------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while self._listening.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            pump = threading.Thread(target=self._pump, args=(client, server), daemon=True)
            with self._lock:
                if not self._listening.is_set():  # cut while connecting upstream
                    client.close()
                    server.close()
                    return
                self._open |= {client, server}
                self._pumps.add(pump)
            pump.start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        other = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ)
            selector.register(server, selectors.EVENT_READ)
            try:
                while True:
                    for key, _ in selector.select():
                        source: socket.socket = key.fileobj  # type: ignore[assignment]
                        data = source.recv(65536)
                        if not data:
                            return
                        other[source].sendall(data)
            except (OSError, ValueError):
                return  # cut: the sockets were shut down under us
            finally:
                with self._lock:
                    self._open -= {client, server}
                for sock in (client, server):
                    _drop(sock)


def _drop(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed, or never connected
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextmanager
def proxy_to(address: tuple[str, int]) -> Iterator[Proxy]:
    """A running proxy to ``address`` (host, port), closed at the end of the block."""
    proxy = Proxy(address[1], address[0])
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
