"""HTTP: Slack's requests at POST /slack/events, a health check at GET /healthz, metrics at GET /metrics,
served by waitress."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from handlers import payloads

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger before reading it
# A load balancer waits a few seconds for its health check; a database behind a partition may keep a query
# waiting for many minutes (TCP's own timeout), so the check stops waiting first and says so.
HEALTH_TIMEOUT = 2.0


class WebApp:
    """A WSGI application: Bolt for Slack, plus the health check a load balancer polls."""

    def __init__(self, app: App, sessions: sessionmaker[Session], *, signing_secret: str) -> None:
        """`sessions` should be the door's (short timeouts): a health check must answer, not hang."""
        self.slack = _Door(app, signing_secret)
        self.sessions = sessions
        self._probe_lock = threading.Lock()
        self._probe: _Probe | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == "/metrics" and method in ("GET", "HEAD"):
            body, content_type = metrics.exposition()
            start_response("200 OK", [("Content-Type", content_type)])
            return [body]
        if path == "/slack/events":
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only\n")
            if _length(environ) > MAX_BODY:
                return _plain(start_response, "413 Payload Too Large", "too large\n")
            return self.slack(environ, start_response)
        return _plain(start_response, "404 Not Found", "not found\n")

    def _health(self, start_response: Any) -> Iterable[bytes]:
        if not self._database_answers():
            body = json.dumps({"ok": False, "database": "unreachable"}).encode()
            start_response("503 Service Unavailable", [("Content-Type", "application/json")])
            return [body]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"ok": True, "database": "ok"}).encode()]

    def _database_answers(self) -> bool:
        """Whether the database answers within HEALTH_TIMEOUT; a probe still stuck counts as no answer."""
        with self._probe_lock:
            stuck = self._probe is not None and not self._probe.done.is_set()
            if stuck:
                return False  # never pile a second thread onto a database that has not answered the first
            probe = self._probe = _Probe(self.sessions)
        if not probe.done.wait(HEALTH_TIMEOUT):
            logger.warning("health check: the database has not answered in %.0f s", HEALTH_TIMEOUT)
            return False
        return probe.ok


class _Probe:
    """One `SELECT 1` on a thread of its own, so that whoever waits for it can stop waiting."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.ok = False
        self.done = threading.Event()
        threading.Thread(target=self._run, name="copbot-health", daemon=True).start()

    def _run(self) -> None:
        try:
            with self.sessions() as session:
                session.execute(text("SELECT 1"))
            self.ok = True
        except Exception as error:  # the health check reports trouble, it must not raise it
            logger.warning("health check: database unreachable: %s", type(error).__name__)
        finally:
            self.done.set()


class _Door(SlackRequestHandler):
    """Bolt behind a check of its own: the signature first, then the body's shape, then Bolt.

    Bolt reads a body (and looks for its team, user and channel) before it checks the signature, and
    fails on one that is not shaped as Slack's are: an unsigned `[]` was answered 500. Here anything
    unsigned is 401 before it is read, and anything signed that Slack could not have sent is 400.
    """

    def __init__(self, app: App, signing_secret: str) -> None:
        super().__init__(app, path="/slack/events")
        self.secret = signing_secret.encode()

    def _signed(self, raw: bytes, timestamp: str, headers: dict[str, Any]) -> bool:
        """Slack's signature over the body's bytes (slack_sdk's verifier decodes them first, and fails on
        bytes that are not UTF-8)."""
        expected = "v0=" + hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, str(headers.get("x-slack-signature", "")))

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        environ = request.environ
        headers = request.get_headers()
        # A timestamp Slack never sends (which Bolt's own check would fail on, answering 500) or one older than
        # Slack's five minutes is refused as a bad signature before the body is read.
        timestamp = str(headers.get("x-slack-request-timestamp", ""))
        if not _whole_seconds(timestamp) or abs(time.time() - int(timestamp)) > 5 * 60:
            return BoltResponse(status=401, body="invalid request")
        raw = environ["wsgi.input"].read(_length(environ)) if "wsgi.input" in environ else b""
        if not self._signed(raw, timestamp, headers):
            return BoltResponse(status=401, body="invalid request")
        try:
            text = raw.decode("utf-8")
            body = payloads.read(text, str(headers.get("content-type", "")).split(";")[0].strip() or None)
            context = payloads.check(body)
        except (UnicodeDecodeError, payloads.Refused) as error:
            logger.warning("refused a signed request Slack could not have sent (%s)",
                           "not UTF-8" if isinstance(error, UnicodeDecodeError) else error)
            metrics.requests.labels("malformed", "refused").inc()
            return BoltResponse(status=400, body="malformed request")
        # Bolt is handed the body as read and checked here rather than reading it again: once is enough, and
        # Bolt misreads a command whose text says "payload" (see payloads.read). It still needs the raw body
        # for its own look at the signature.
        bolt_request = BoltRequest(body="", query=request.query_string, headers=headers)
        bolt_request.raw_body, bolt_request.body, bolt_request.context = text, body, context
        return self.app.dispatch(bolt_request)


def _length(environ: dict[str, Any]) -> int:
    """The body's declared length; one that is not a number is taken as none."""
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _whole_seconds(value: str) -> bool:
    """A Unix time in seconds as Slack writes it: ASCII digits only, and not absurdly many."""
    return 0 < len(value) <= 12 and value.isascii() and value.isdigit()


def _plain(start_response: Any, status: str, body: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [body.encode()]


def make_server(wsgi_app: WebApp, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 16):  # noqa: ANN201
    """A waitress server (not yet serving); port 0 picks a free one, read back from `.effective_port`.

    Each thread only verifies, records and acknowledges a request, so a few go a long way; the backlog
    lets a burst of connections wait in the kernel rather than be refused.
    """
    from waitress.server import create_server

    return create_server(wsgi_app, host=host, port=port, threads=threads, ident="copbot", backlog=1024,
                         connection_limit=1000)


class BackgroundServer:
    """A waitress server on its own thread that stops cleanly.

    waitress has no thread-safe stop: closing its sockets from another thread while its loop sits
    in select() fails with EBADF. Here the loop runs in short turns and the thread that runs it
    closes it.
    """

    def __init__(self, wsgi_app: WebApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 16) -> None:
        import threading

        self.server = make_server(wsgi_app, host=host, port=port, threads=threads)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="copbot-http", daemon=True)

    @property
    def port(self) -> int:
        return self.server.effective_port

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        while not self._stop.is_set():
            self.server.asyncore.loop(timeout=0.01, map=self.server._map, count=1)
        self.server.close()
