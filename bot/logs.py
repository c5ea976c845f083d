"""Logging set-up, with a filter that keeps Slack secrets (tokens, response_urls) out of every log line.

Lines are for people (`LOG_FORMAT=text`) or one JSON object each for a log collector (`LOG_FORMAT=json`);
either way each names the request it was written for, when there is one.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

SECRET = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
# A response_url lets whoever holds it post into the channel for half an hour: a credential too. slack_sdk
# logs it at INFO when it retries a post to it.
RESPONSE_URL = re.compile(r"(https://hooks\.slack\.com/(?:commands|actions|app)/)[^\s'\"<>]+")


def _redact(text: str) -> str:
    return RESPONSE_URL.sub(r"\1[redacted]", SECRET.sub(r"\1-[redacted]", text))


# The inbox key of the request this thread is recording or working on ("command:1234.5678"), for every line.
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("copbot_request_id", default=None)


@contextmanager
def request_context(request_id: str) -> Iterator[None]:
    """Every line logged inside names this request."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RedactSecrets(logging.Filter):
    """Replace anything shaped like a Slack token, whoever logged it (our code or a library)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SECRET.search(message) or RESPONSE_URL.search(message):
            record.msg = _redact(message)
            record.args = None
        # Formatters append the exception's text after filters run, from exc_text when it is set:
        # render it here, redacted, so a token inside an error message cannot slip through.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _redact(record.exc_text)
        if record.stack_info:
            record.stack_info = _redact(record.stack_info)
        record.request_id = _request_id.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return line if request_id is None else f"{line} [request {request_id}]"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's id and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := getattr(record, "request_id", None)) is not None:
            entry["request_id"] = request_id
        if record.exc_info and not record.exc_text:
            record.exc_text = _redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def handler(fmt: str = "text") -> logging.StreamHandler:
    """A handler to stderr that redacts secrets, in the format named."""
    stream = logging.StreamHandler()
    stream.addFilter(RedactSecrets())
    stream.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    return stream


def configure(level: str = "INFO", fmt: str = "text") -> None:
    root = logging.getLogger()
    root.handlers[:] = [handler(fmt)]
    root.setLevel(level)
    # The SDK logs request bodies at DEBUG; keep them out unless asked for explicitly.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
