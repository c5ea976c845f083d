"""Logging set-up, with a filter that keeps Slack secrets (tokens, response_urls) out of every log line."""

from __future__ import annotations

import logging
import re

SECRET = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
# A response_url lets whoever holds it post into the channel for half an hour: a credential too. slack_sdk
# logs it at INFO when it retries a post to it.
RESPONSE_URL = re.compile(r"(https://hooks\.slack\.com/(?:commands|actions|app)/)[^\s'\"<>]+")


def _redact(text: str) -> str:
    return RESPONSE_URL.sub(r"\1[redacted]", SECRET.sub(r"\1-[redacted]", text))


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
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDK logs request bodies at DEBUG; keep them out unless asked for explicitly.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
