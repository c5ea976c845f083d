"""The one place errors become replies: specific for the person's mistakes, a reference for ours."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.render import error_message
from models.errors import UserFacingError

logger = logging.getLogger(__name__)

_BOLD = re.compile(r"\*([^*\n]+)\*")


class Unrecorded(Exception):
    """The inbox could not record an event: Bolt answers 500, so that Slack sends it again."""


class InvalidFields(UserFacingError):
    """What was typed into a modal, wrong field by field: `errors` maps an input's block_id to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def plain(text: str) -> str:
    """A message written for mrkdwn, for a modal's field error, which Slack shows as plain text."""
    return _BOLD.sub(r"\1", text).replace("`", "")


def _reference(error: Exception, body: dict[str, Any]) -> str:
    reference = secrets.token_hex(4)
    logger.exception("unexpected error (reference %s) handling %s", reference, _describe(body), exc_info=error)
    return reference


def handle_listener_error(error: Exception, body: dict[str, Any], respond: Respond | None = None,
                          client: WebClient | None = None) -> None:
    if isinstance(error, Unrecorded):
        return  # already logged; Slack's retry is the answer
    if isinstance(error, UserFacingError):
        message = error_message(str(error), error.usage)
    else:
        reference = _reference(error, body)
        typed = body.get("text")
        lost = f" What you typed: `{body.get('command', '')} {typed}`" if typed else ""
        message = error_message(f"Something went wrong on my side (reference `{reference}`); nothing was "
                                f"saved, so it is safe to try again.{lost}")
    if respond is not None and body.get("response_url"):
        try:
            respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
        except Exception as failure:  # already failing; a lost notice must not hide the first error
            logger.warning("could not tell the person what went wrong (%s)", type(failure).__name__)
    elif client is not None and body.get("type") == "view_submission":
        # A submitted modal has closed and has no response_url: the person hears it by DM.
        user = (body.get("user") or {}).get("id")
        try:
            if user:
                client.chat_postMessage(channel=user, text=message.text, blocks=message.blocks)
        except Exception as failure:  # already failing; a lost notice must not hide the first error
            logger.warning("could not tell %s what went wrong (%s)", user, type(failure).__name__)


def field_errors(error: Exception, body: dict[str, Any]) -> dict[str, str]:
    """`response_action: errors` for a modal submission that cannot be done, so nothing typed is lost.

    A field's own mistake goes under that field; anything else (a permission, a meeting gone, a fault
    of ours with its reference) goes under the modal's first input, the only place Slack shows it.
    """
    if isinstance(error, InvalidFields):
        return {block: plain(text) for block, text in error.errors.items()}
    if isinstance(error, UserFacingError):
        text = plain(str(error))
    else:
        text = (f"Something went wrong on my side (reference {_reference(error, body)}); nothing was saved. "
                "Submit again, or try later.")
    return {first_input(body): text}


def first_input(body: dict[str, Any]) -> str:
    view = body.get("view") or {}
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    # Every submitted input appears in state.values under its block_id.
    return next(iter((view.get("state") or {}).get("values") or {}), "")


def _describe(body: dict[str, Any]) -> str:
    if "command" in body:
        return f"command {body['command']}"
    if isinstance(body.get("event"), dict):
        return f"event {body['event'].get('type')} {body.get('event_id', '')}"
    return f"payload {body.get('type', '?')}"


def register(app: App) -> None:
    app.error(handle_listener_error)
