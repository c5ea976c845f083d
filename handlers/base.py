"""The shape every listener shares: ack first, one transaction, events handled once, outbox after."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.db import unit_of_work
from bot.render import Message
from bot.services import Services
from bot.slack import ensure_person
from handlers.errors import field_errors, handle_listener_error
from handlers.slack_text import to_plain
from models.events import first_delivery
from models.people import Person

logger = logging.getLogger(__name__)

SERVICES_KEY = "copbot"


@dataclass
class Request:
    """One request from Slack, as a listener sees it."""

    body: dict[str, Any]
    context: BoltContext
    client: WebClient
    respond: Respond | None
    session: Session
    services: Services
    now: dt.datetime
    replies: list[Message] = field(default_factory=list)
    original: Message | None = None
    afterwards: list[Callable[[], None]] = field(default_factory=list)
    # Where replies go when the request has no response_url (a submitted modal): an ephemeral
    # message in this channel, or a DM when it cannot be shown there.
    reply_channel: str | None = None

    @property
    def team_id(self) -> str:
        return self.context.team_id or self.body.get("team_id") or ""

    @property
    def user_id(self) -> str:
        return self.context.user_id or ""

    @property
    def channel_id(self) -> str:
        return self.context.channel_id or ""

    @property
    def bot_user_id(self) -> str:
        return self.context.bot_user_id or ""

    @property
    def workspace_url(self) -> str | None:
        """`https://<workspace>.slack.com/`, for building links to messages."""
        return self.services.workspace_url.get(self.client)

    def plain(self, text: str, *, urls: bool = True) -> str:
        """Slack-formatted text as the person typed it, mentions by name (see `handlers.slack_text.to_plain`)."""
        return to_plain(text, lambda user_id: self.person(user_id).display_name or user_id, urls=urls)

    def person(self, user_id: str | None = None) -> Person:
        return ensure_person(self.session, self.client, team_id=self.team_id,
                             user_id=user_id or self.user_id, now=self.now)

    def reply(self, message: Message) -> None:
        """An ephemeral answer to the person who typed or clicked, sent once the transaction commits.

        Sending it before the commit would tell the person "done" about work that may yet roll back.
        """
        self.replies.append(message)

    def after_commit(self, action: Callable[[], None]) -> None:
        """A Slack call to make once the transaction commits (publishing a Home tab), never inside it."""
        self.afterwards.append(action)

    def update_original(self, message: Message) -> None:
        """Replace the message whose button was clicked (through its response_url), after the commit."""
        self.original = message

    def send_replies(self) -> None:
        for action in self.afterwards:
            try:
                action()
            except Exception as error:  # the work is committed; showing it again is best effort
                logger.warning("could not finish after commit (%s); the request itself succeeded",
                               type(error).__name__)
        if self.respond is None or not self.body.get("response_url"):
            # Bolt gives a submitted modal a `respond` even without a response_url; it cannot send.
            self._post_replies()
            return
        if self.original is not None:
            try:
                self.respond(text=self.original.text, blocks=self.original.blocks, replace_original=True)
            except Exception as error:  # the click's work is committed; a stale message is no failure
                logger.warning("could not update the clicked message (%s)", type(error).__name__)
        for message in self.replies:
            try:
                self.respond(text=message.text, blocks=message.blocks, response_type="ephemeral",
                             replace_original=False)
            except Exception as error:  # the work is committed; a lost confirmation must not say otherwise
                logger.warning("could not deliver a reply (%s); the request itself succeeded", type(error).__name__)

    def _post_replies(self) -> None:
        if self.reply_channel is None:
            return
        for message in self.replies:
            try:
                try:
                    self.client.chat_postEphemeral(channel=self.reply_channel, user=self.user_id, text=message.text,
                                                   blocks=message.blocks)
                except SlackApiError:  # not a channel copbot or the person is in: their DM with copbot instead
                    self.client.chat_postMessage(channel=self.user_id, text=message.text, blocks=message.blocks)
            except Exception as error:  # the work is committed; a lost confirmation must not say otherwise
                logger.warning("could not deliver a reply (%s); the request itself succeeded", type(error).__name__)


Handler = Callable[[Request], None]

ATTEMPTS = 3
# PostgreSQL's "deadlock detected" and "could not serialize": the transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _sqlstate(error: OperationalError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def _conflicted(error: OperationalError) -> bool:
    return _sqlstate(error) in RETRYABLE_SQLSTATES


def _check_submission(validate: Handler, body: dict[str, Any], context: BoltContext, client: WebClient,
                      services: Services, now: dt.datetime) -> dict[str, str]:
    """Run a modal's checks; what they refuse, keyed by the block_id of the input to show it under."""
    try:
        # Its own transaction: checks only read, but reading the person may refresh their cached profile.
        with unit_of_work(services.sessions) as session:
            validate(Request(body=body, context=context, client=client, respond=None, session=session,
                             services=services, now=now))
    except Exception as error:
        return field_errors(error, body)
    return {}


def listener(handler: Handler, *, dedupe_events: bool = False, validate: Handler | None = None) -> Callable[..., None]:
    """Wrap a handler: ack, open a transaction, skip a redelivered event, then flush the outbox.

    Bolt runs listener middleware before handing the listener to its thread pool, so a session
    opened there would be closed before the listener runs; the transaction lives here instead.

    `validate`, for a modal's submission, runs before the acknowledgement: Slack shows errors under a
    modal's fields only when they come in the acknowledgement itself (`response_action: errors`),
    and the modal then stays open with everything typed in it. The handler runs only if it passes,
    at the same `now`, so it reads the form exactly as the checks did.
    """

    @functools.wraps(handler)
    def run(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient,
            respond: Respond | None = None) -> None:
        services: Services = context[SERVICES_KEY]
        now = services.clock.now()
        if validate is not None and (errors := _check_submission(validate, body, context, client, services, now)):
            ack(response_action="errors", errors=errors)
            return
        ack()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with unit_of_work(services.sessions) as session:
                    if dedupe_events and body.get("event_id"):
                        event = body.get("event") or {}
                        if not first_delivery(session, event_id=body["event_id"], team_id=context.team_id or "",
                                              event_type=str(event.get("type", ""))[:64], now=now):
                            logger.info("event %s already handled; Slack retried it", body["event_id"])
                            return
                    request = Request(body=body, context=context, client=client, respond=respond,
                                      session=session, services=services, now=now)
                    handler(request)
                request.send_replies()
                break
            except OperationalError as error:
                if attempt < ATTEMPTS and _conflicted(error):
                    # Two events touching the same rows (a busy meeting thread) can deadlock on
                    # PostgreSQL, which then aborts one of them; run that one again rather than lose it.
                    logger.warning("transaction conflict (%s); running the listener again", _sqlstate(error))
                    continue
                handle_listener_error(error, body, respond, client)
                return
            except Exception as error:
                # Handled here rather than raised to Bolt: when a listener raises after ack(), Bolt's
                # thread runner resets the acknowledgement, and a request whose ack it had not yet seen
                # is answered 404 after three seconds, which Slack shows as a failed command.
                handle_listener_error(error, body, respond, client)
                return
        # After commit: what the handler put in the outbox goes out now, not at the next tick. The
        # request has already succeeded, so a failure here is the dispatcher's to retry, not the user's.
        try:
            services.dispatcher.dispatch(now=now)
        except Exception:
            logger.exception("outbox dispatch after a request failed; the scheduler will retry")

    # Bolt passes arguments by the names in the signature; keep ours, not the handler's.
    del run.__wrapped__
    return run
