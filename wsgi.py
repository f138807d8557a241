"""Entry point: the one place that picks the async mode and monkey-patches.

``python wsgi.py`` serves (what ``make run`` and ``make serve`` do). Importing this
module (``flask --app wsgi ...``, tests) patches nothing and uses threading mode,
so the CLI works whatever ASYNC_MODE says.
"""

import gc
import os
import sys
from typing import Any

ASYNC_MODE = os.environ.get("ASYNC_MODE", "gevent")
SERVING = __name__ == "__main__" or os.environ.get("FACILITATE_SERVING") == "1"

if SERVING:
    # Patch before anything else imports socket, threading or ssl.
    if ASYNC_MODE == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif ASYNC_MODE == "eventlet":
        # psycopg 3's C wait blocks eventlet's hub; the select-based wait cooperates.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
        import warnings

        # The operator chose eventlet knowingly (the README says it is deprecated); its
        # import-time warning, which starts with a newline, would only add noise.
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()

from facilitate import config, create_app
from facilitate.extensions import socketio

settings = config.from_environment()
if not SERVING:
    settings["ASYNC_MODE"] = "threading"
app = create_app(settings)


def main() -> None:
    from facilitate.mail import worker

    host, port = app.config["HOST"], app.config["PORT"]
    # Beside the server, never in a request: a greenlet under gevent (facilitate/mail).
    worker.start(app)
    options: dict[str, Any] = {}
    if ASYNC_MODE == "gevent":
        from facilitate.serving import WSGIHandler

        # Ends the connection after a WebSocket, which gevent's own handler keeps for
        # HTTP keep-alive (facilitate/serving.py says what that costs).
        options["handler_class"] = WSGIHandler
    # What was made at start-up (the app, its imports' modules and tables: some 300,000
    # objects with numpy, scikit-learn and fpdf2) lives as long as the process; frozen, a
    # garbage collection no longer walks it. Collections run often under load, as each
    # connection and event allocates: this took a connect's CPU down by a sixth and a
    # vote's by a twelfth in the hall storm (docs/performance.md).
    gc.collect()
    gc.freeze()
    print(
        f"Facilitate is serving on http://{host}:{port}/ (ASYNC_MODE={ASYNC_MODE}); "
        "stop it with Ctrl+C.",
        file=sys.stderr,
        flush=True,
    )
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True, **options)


if __name__ == "__main__":
    main()
