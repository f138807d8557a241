"""How gevent's WSGI server treats a connection once its WebSocket has ended.

Under gevent, Socket.IO's WebSocket is simple-websocket's (through engine.io's gevent
driver): it reads and writes a duplicate of the connection's socket, beside gevent's
``pywsgi``, which served the upgrade request as an ordinary HTTP request. When the
WebSocket ends, the application returns and ``pywsgi`` takes the connection for
HTTP keep-alive: it keeps its socket open and reads the next request from it. So

- the server never closes the TCP connection after the closing handshake, as RFC 6455
  (7.1.1) asks it to: the client waits for that until it gives up (python-socketio's
  client after 3 s) before its close is over;
- whatever the client sends after its close frame (python-socketio's client sends its
  last packets and a second close frame) is parsed as an HTTP request: "Invalid HTTP
  method" in the log, and a 400 answer written onto the connection.

``WSGIHandler`` ends the connection instead: after a WebSocket request ``pywsgi`` reads
out what has already arrived (as it does before every close, so that unread bytes do not
turn the close into a reset) and closes its socket; the connection closes once
simple-websocket has closed its own, which it does when the closing handshake is done or
the peer is gone. The read-out does not take the peer's close frame from
simple-websocket: engine.io's handler returns only once simple-websocket has read it (or
the end of the connection), except when the WebSocket failed anyway.

Eventlet's server ends the connection after a WebSocket by itself. Werkzeug's (threading
mode, for development) keeps it too, and is left so.
"""

from __future__ import annotations

from gevent import pywsgi


class WSGIHandler(pywsgi.WSGIHandler):
    """gevent's handler, except that a WebSocket request is the connection's last."""

    def handle_one_response(self) -> None:
        super().handle_one_response()
        # Refused or done, the upgrade ends the connection: nothing after it is HTTP.
        environ = self.environ or {}
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            self.close_connection = True
