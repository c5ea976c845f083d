"""The shape every listener shares: recorded and acknowledged at the door, worked on once by a worker.

The acknowledgement is a promise to Slack, not the first line of the work. Bolt runs each listener's
`acknowledge` in the request's own thread (the app is built with `process_before_response`): it checks
a form if there is one, records the request in the inbox and answers. A worker (bot.inbox) then claims
the row and runs the handler in one transaction that also marks the row finished, sends the replies
after the commit, and wakes the outbox. No Slack call is made on the thread that answers Slack, so an
acknowledgement never waits for another request's work, however slow Slack is.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot import logs, metrics
from bot.cards import CardEdit
from bot.db import unit_of_work
from bot.render import Message, error_message
from bot.services import Services
from bot.slack import ensure_person, known_person
from handlers.errors import Unrecorded, field_errors, first_input, handle_listener_error
from handlers.naming import know_the_actors, name_people
from handlers.payloads import cleaned_json
from handlers.slack_text import to_plain
from models.errors import UserFacingError
from models.inbox import MAX_ATTEMPTS, Arrival, Claim, InboxStatus, claim, finish, give_back, give_up
from models.people import Person

logger = logging.getLogger(__name__)

SERVICES_KEY = "copbot"


@dataclass(frozen=True)
class Origin:
    """Who sent a request, from where, and to which bot: what Bolt's context said at the door."""

    team_id: str
    user_id: str = ""
    channel_id: str = ""
    bot_user_id: str = ""

    @classmethod
    def of(cls, context: BoltContext, body: dict[str, Any]) -> Origin:
        return cls(team_id=context.team_id or str(body.get("team_id") or ""), user_id=context.user_id or "",
                   channel_id=context.channel_id or "", bot_user_id=context.bot_user_id or "")


@dataclass
class Request:
    """One request from Slack, as a listener sees it."""

    body: dict[str, Any]
    origin: Origin
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
    # People the work shows but copbot never looked up (`want_names`), looked up once the transaction commits;
    # and what to do again once their names are known, in the short transaction that stores them.
    strangers: set[str] = field(default_factory=set)
    once_named: list[Callable[[Session], None]] = field(default_factory=list)

    @property
    def team_id(self) -> str:
        return self.origin.team_id

    @property
    def user_id(self) -> str:
        return self.origin.user_id

    @property
    def channel_id(self) -> str:
        return self.origin.channel_id

    @property
    def bot_user_id(self) -> str:
        return self.origin.bot_user_id

    @property
    def workspace_url(self) -> str | None:
        """`https://<workspace>.slack.com/`, for building links to messages."""
        return self.services.workspace.get(self.client)

    def plain(self, text: str, *, urls: bool = True) -> str:
        """Slack-formatted text as the person typed it, mentions by name (see `handlers.slack_text.to_plain`)."""
        return to_plain(text, lambda user_id: self.person(user_id).display_name or user_id, urls=urls)

    def person(self, user_id: str | None = None) -> Person:
        return ensure_person(self.session, self.client, team_id=self.team_id,
                             user_id=user_id or self.user_id, now=self.now)

    def known_person(self, user_id: str) -> Person | None:
        """The person, or None when Slack says there is no such user and copbot never stored them."""
        return known_person(self.session, self.client, team_id=self.team_id, user_id=user_id, now=self.now)

    def want_names(self, people: Iterable[Person]) -> None:
        """These people are shown as "someone" for now: Slack is asked their names after the commit, never while
        the transaction is open, and what showed them (a card) is corrected then (handlers.naming)."""
        self.strangers.update(person.user_id for person in people if not person.display_name)

    def when_named(self, redo: Callable[[Session], None]) -> None:
        """Something to do again once the strangers are named (a reply that lists them), with a session."""
        if self.strangers:
            self.once_named.append(redo)

    def reply(self, message: Message) -> None:
        """An ephemeral answer to the person who typed or clicked, sent once the transaction commits.

        Sending it before the commit would tell the person "done" about work that may yet roll back.
        """
        self.replies.append(message)

    def after_commit(self, action: Callable[[], None]) -> None:
        """A Slack call to make once the transaction commits (publishing a Home tab), never inside it."""
        self.afterwards.append(action)

    def update_after_commit(self, edit: CardEdit | None) -> None:
        """Show a message copbot already sent (a card, a poll, a proposal) anew, once the transaction commits."""
        if edit is not None:
            self.after_commit(lambda: self.client.chat_update(channel=edit.channel, ts=edit.ts, text=edit.message.text,
                                                              blocks=edit.message.blocks))

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
# Every listener by name: a request recorded by one process can be worked on by any other.
LISTENERS: dict[str, Handler] = {}


def _sqlstate(error: OperationalError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def _conflicted(error: OperationalError) -> bool:
    return _sqlstate(error) in RETRYABLE_SQLSTATES


def request_kind(body: dict[str, Any]) -> str:
    """command, event, action (a button), view (a form), or Slack's own type for anything else."""
    if body.get("command"):
        return "command"
    kind = str(body.get("type") or "")
    return {"event_callback": "event", "block_actions": "action", "view_submission": "view",
            "view_closed": "view"}.get(kind, kind[:16] or "unknown")


def request_key(body: dict[str, Any], kind: str) -> str:
    """What makes a request unique, so that a retried event or a replayed request is recognised.

    Slack's own ids where it has them: `event_id` for events (the same on every retry), `trigger_id` for
    commands, clicks and forms (one per interaction); otherwise a digest of the whole body.
    """
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:sha256:{digest}"


UNRECORDED_TEXT = ("I couldn't save that just now: my database is not answering. Nothing was done, so it is "
                   "safe to try again in a minute.")


def _check_submission(validate: Handler, body: dict[str, Any], origin: Origin, client: WebClient,
                      services: Services, now: dt.datetime) -> dict[str, str]:
    """Run a modal's checks; what they refuse, keyed by the block_id of the input to show it under."""
    try:
        # Its own transaction: checks only read, but reading the person may refresh their cached profile.
        with unit_of_work(services.sessions) as session:
            validate(Request(body=body, origin=origin, client=client, respond=None, session=session,
                             services=services, now=now))
    except Exception as error:
        return field_errors(error, body)
    return {}


def _cause(error: Exception) -> str:
    """What the database said, without the statement or its values (which carry what people typed)."""
    orig = getattr(error, "orig", None)
    if orig is None:
        return type(error).__name__
    said = (str(orig).strip().splitlines() or [""])[0][:120]
    return f"{type(error).__name__}: {type(orig).__name__}: {said}"


def _refuse_unrecorded(ack: Ack, body: dict[str, Any], kind: str, error: Exception, client: WebClient) -> None:
    """Say honestly that nothing was done: the request is not in the inbox, so no worker will do it."""
    logger.error("could not record a %s in the inbox (%s); it was not done", kind, _cause(error))
    metrics.requests.labels(kind, "unrecorded").inc()
    if kind == "event":
        raise Unrecorded(str(type(error).__name__))
    if kind == "command":
        ack(text=UNRECORDED_TEXT, response_type="ephemeral")  # shown only to them, in the acknowledgement itself
        return
    if kind == "view":
        ack(response_action="errors", errors={first_input(body): UNRECORDED_TEXT})  # the form stays open
        return
    ack()
    url = body.get("response_url")
    if url:
        # A click has no answer of its own; tell them off the request's thread.
        message = error_message(UNRECORDED_TEXT)
        threading.Thread(target=_tell, args=(Respond(response_url=url), message), daemon=True).start()


def _tell(respond: Respond, message: Message) -> None:
    try:
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
    except Exception as error:  # already failing; the log says what was not done
        logger.warning("could not tell the person their click was not saved (%s)", type(error).__name__)


def listener(handler: Handler, *, validate: Handler | None = None) -> Callable[..., None]:
    """The acknowledgement for `handler`: check a form, record the request, answer Slack.

    It runs on the request's own thread; the handler runs later on a worker (`work_on`). `validate`, for
    a modal's submission, runs before the acknowledgement: Slack shows errors under a modal's fields only
    when they come in the acknowledgement itself (`response_action: errors`), and the modal then stays
    open with everything typed in it. The handler runs only if it passes, at the same `now`, so it reads
    the form exactly as the checks did.
    """
    name = handler.__name__
    known = LISTENERS.get(name)
    if known is not None and getattr(known, "__code__", None) is not getattr(handler, "__code__", None):
        raise ValueError(f"two listeners are named {name}; the inbox finds them by name")
    LISTENERS[name] = handler

    def acknowledge(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        started = time.perf_counter()
        # No NUL (which PostgreSQL refuses in any text) nor other control characters; the JSON is what is stored.
        body, body_json = cleaned_json(body)
        services: Services = context[SERVICES_KEY]
        now = services.clock.now()
        kind = request_kind(body)
        origin = Origin.of(context, body)
        if validate is not None and (errors := _check_submission(validate, body, origin, client, services, now)):
            ack(response_action="errors", errors=errors)
            metrics.requests.labels(kind, "refused").inc()
            return
        arrival = Arrival(key=request_key(body, kind), team_id=origin.team_id, kind=kind, listener=name,
                          lane=origin.user_id or origin.channel_id or kind, body=body, user_id=origin.user_id or None,
                          channel_id=origin.channel_id or None, bot_user_id=origin.bot_user_id or None)
        with logs.request_context(arrival.key):
            try:
                accepted = services.inbox.accept(arrival, now=now, body=body_json)
            except SQLAlchemyError as error:
                _refuse_unrecorded(ack, body, kind, error, client)
                return
            ack()
            metrics.requests.labels(kind, accepted.value).inc()
            metrics.ack_seconds.labels(kind).observe(time.perf_counter() - started)
            if accepted.value == "repeated":
                logger.info("%s %s was received before; not doing it again", kind, arrival.key)

    acknowledge.__name__ = f"acknowledge_{name}"
    return acknowledge


def work_on(services: Services, item_id: int) -> None:
    """Claim one request from the inbox and do it: the handler, the finish mark and the replies."""
    with unit_of_work(services.sessions) as session:
        claimed = claim(session, item_id=item_id, now=services.clock.now())
        if claimed is not None and claimed.attempts > MAX_ATTEMPTS:
            logger.error("request %s (%s) was started %d times without finishing; giving up", item_id,
                         claimed.item.kind, MAX_ATTEMPTS)
            give_up(session, item_id=item_id, now=services.clock.now())
            claimed = None
    if claimed is None:
        return  # another worker has it, or it is finished
    with logs.request_context(claimed.item.key):
        _work(services, claimed)


def _work(services: Services, claimed: Claim) -> None:
    handler = LISTENERS.get(claimed.item.listener)
    if handler is None:
        _settle_failure(services, claimed, f"no listener {claimed.item.listener}")
        return
    outcome = _run(services, handler, claimed)
    metrics.work_outcomes.labels(claimed.item.kind, outcome).inc()
    metrics.work_seconds.labels(claimed.item.kind).observe(
        max(0.0, (services.clock.now() - claimed.received_at).total_seconds()))
    # What the handler put in the outbox goes out now, not at the sender's next look.
    services.dispatcher.nudge(now=claimed.received_at)


class _ClaimLost(Exception):
    """Another worker took this request over (our claim had expired); its work is the one that counts."""


def _run(services: Services, handler: Handler, claimed: Claim) -> str:
    item = claimed.item
    body = item.body
    origin = Origin(team_id=item.team_id, user_id=item.user_id or "", channel_id=item.channel_id or "",
                    bot_user_id=item.bot_user_id or "")
    respond = Respond(response_url=body["response_url"]) if body.get("response_url") else None
    client = services.client
    # The request's own instant: "tomorrow 10am" means what it meant when it was typed.
    now = claimed.received_at
    event = body.get("event") if item.kind == "event" else None
    authors = [event["item_user"]] if isinstance(event, dict) and isinstance(event.get("item_user"), str) else []
    if item.user_id:
        know_the_actors(services, kind=item.kind, team_id=item.team_id, user_ids=[item.user_id, *authors],
                        channel_id=item.channel_id, now=now)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with unit_of_work(services.sessions) as session:
                request = Request(body=body, origin=origin, client=client, respond=respond, session=session,
                                  services=services, now=now)
                handler(request)
                if not finish(session, claimed, outcome="done", now=services.clock.now()):
                    raise _ClaimLost
            if request.strangers:
                # Committed: Slack can be asked now, with no transaction waiting on it; last of what follows the
                # commit, so that its corrections come after the work's own edits, and before its replies.
                request.after_commit(functools.partial(name_people, services, team_id=item.team_id,
                                                       user_ids=set(request.strangers), now=now,
                                                       then=list(request.once_named)))
            request.send_replies()
            return "done"
        except _ClaimLost:
            logger.warning("request %s was taken over by another worker; its work there counts", claimed.id)
            return "taken over"
        except OperationalError as error:
            if attempt < ATTEMPTS and _conflicted(error):
                # Two requests touching the same rows (a busy meeting thread) can deadlock on
                # PostgreSQL, which then aborts one of them; run that one again rather than lose it.
                logger.warning("transaction conflict (%s); running the listener again", _sqlstate(error))
                continue
            if not _conflicted(error) and _give_back(services, claimed, error):
                # The database went away mid-work: the row waits for a sweep, when it is back.
                return "deferred"
            return _report(services, claimed, error, body, respond, client)
        except Exception as error:
            return _report(services, claimed, error, body, respond, client)
    return "deferred"  # unreachable: the last attempt returns or raises above


def _give_back(services: Services, claimed: Claim, error: OperationalError) -> bool:
    try:
        with unit_of_work(services.sessions) as session:
            give_back(session, claimed, error=type(error).__name__)
        logger.warning("request %s could not be done now (%s); it will be tried again", claimed.id,
                       type(error).__name__)
        return True
    except SQLAlchemyError:
        # Not even that: the claim expires and a sweep takes the row once the database answers.
        logger.warning("request %s waits for the database to come back", claimed.id)
        return True


def _report(services: Services, claimed: Claim, error: Exception, body: dict[str, Any], respond: Respond | None,
            client: WebClient) -> str:
    """The handler refused or failed: record how it ended, then tell the person (never both undone)."""
    refused = isinstance(error, UserFacingError)
    outcome = "refused" if refused else f"error: {type(error).__name__}"
    if not _settle_failure(services, claimed, outcome, status=InboxStatus.DONE if refused else InboxStatus.FAILED):
        return "taken over"
    # Handled here rather than raised: an error is answered as the person's mistake, or as ours with a
    # reference to find it in the log.
    handle_listener_error(error, body, respond, client)
    return "refused" if refused else "failed"


def _settle_failure(services: Services, claimed: Claim, outcome: str,
                    status: InboxStatus = InboxStatus.FAILED) -> bool:
    try:
        with unit_of_work(services.sessions) as session:
            return finish(session, claimed, outcome=outcome, now=services.clock.now(), status=status)
    except SQLAlchemyError:
        logger.warning("could not record how request %s ended", claimed.id)
        return True
