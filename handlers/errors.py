"""The one place errors become replies: specific for the person's mistakes, a reference for ours."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_bolt import App, Respond

from bot.render import error_message
from models.errors import UserFacingError

logger = logging.getLogger(__name__)


def handle_listener_error(error: Exception, body: dict[str, Any], respond: Respond | None = None) -> None:
    if isinstance(error, UserFacingError):
        message = error_message(str(error), error.usage)
    else:
        reference = secrets.token_hex(4)
        logger.exception("unexpected error (reference %s) handling %s", reference, _describe(body),
                         exc_info=error)
        typed = body.get("text")
        lost = f" What you typed: `{body.get('command', '')} {typed}`" if typed else ""
        message = error_message(f"Something went wrong on my side (reference `{reference}`); nothing was "
                                f"saved, so it is safe to try again.{lost}")
    if respond is not None and body.get("response_url"):
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)


def _describe(body: dict[str, Any]) -> str:
    if "command" in body:
        return f"command {body['command']}"
    if "event" in body:
        return f"event {body['event'].get('type')} {body.get('event_id', '')}"
    return f"payload {body.get('type', '?')}"


def register(app: App) -> None:
    app.error(handle_listener_error)
