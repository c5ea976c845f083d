"""The Slack Web API client, built from settings; and small helpers over its answers."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy.orm import Session

from models.people import Person, ProfileUpdate, get_person, upsert_person

logger = logging.getLogger(__name__)


def make_client(token: str, base_url: str) -> WebClient:
    # Rate limits are handled by the outbox (which honours Retry-After without blocking a
    # listener thread), so only connection errors are retried here.
    return WebClient(token=token, base_url=base_url, timeout=10,
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2)])


def _valid_zone(name: str | None) -> str:
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def profile_from_user(user: dict) -> ProfileUpdate:
    """What copbot keeps of a `users.info` user object."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
    return ProfileUpdate(
        display_name=name or user.get("id", ""),
        tz=_valid_zone(user.get("tz")),
        # Slackbot is not flagged is_bot by Slack, but it is one for every purpose here.
        is_bot=bool(user.get("is_bot") or user.get("is_app_user") or user.get("id") == "USLACKBOT"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        deleted=bool(user.get("deleted")),
    )


class _Strangers:
    """User ids Slack said it does not know, logged once each per process: a flood must not flood the log."""

    def __init__(self, most: int = 1000) -> None:
        self._seen: set[str] = set()
        self._most = most
        self._lock = threading.Lock()

    def note(self, user_id: str) -> None:
        with self._lock:
            if user_id in self._seen or len(self._seen) >= self._most:
                return
            self._seen.add(user_id)
        logger.warning("Slack does not know user %s (user_not_found); ignored", user_id[:20])


_strangers = _Strangers()


def known_person(
    session: Session, client: WebClient, *, team_id: str, user_id: str, now: dt.datetime
) -> Person | None:
    """Like `ensure_person`, but None for someone copbot has never stored and Slack says does not exist
    (`user_not_found`): such a person is not written down, greeted or counted."""
    person = get_person(session, team_id=team_id, user_id=user_id)
    if person is not None and not person.profile_is_stale(now):
        return person
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        reason = error.response.get("error")
        if person is not None:
            logger.warning("users.info failed for %s: %s", user_id[:20], reason)
            return person  # a stale profile beats none
        if reason == "user_not_found":
            _strangers.note(user_id)
            return None
        logger.warning("users.info failed for %s: %s", user_id[:20], reason)
        # Slack could not say now (rate limited, down): the person is taken as they come, profile later.
        return upsert_person(session, team_id=team_id, user_id=user_id, profile=None, now=now)
    return upsert_person(session, team_id=team_id, user_id=user_id, profile=profile_from_user(user), now=now)


def ensure_person(
    session: Session, client: WebClient, *, team_id: str, user_id: str, now: dt.datetime
) -> Person:
    """The person, with a profile no older than a day, fetched from `users.info` when needed."""
    person = known_person(session, client, team_id=team_id, user_id=user_id, now=now)
    if person is None:  # the caller needs a row all the same (someone Slack forgot may still be named)
        return upsert_person(session, team_id=team_id, user_id=user_id, profile=None, now=now)
    return person


# What users.info answers about someone who has left the workspace for good. (Its account_inactive is said of
# copbot's own token, uninstalled or its workspace deactivated, and says nothing of the person asked about.)
GONE = frozenset({"user_not_found"})


@dataclass
class LookedUp:
    """What users.info said about some people, by (team id, user id): their profiles, who has left for good,
    and whether Slack stopped answering (rate limited or in trouble) before all were asked."""

    found: dict[tuple[str, str], ProfileUpdate] = field(default_factory=dict)
    gone: list[tuple[str, str]] = field(default_factory=list)
    stopped: bool = False


def look_up(client: WebClient, people: Iterable[tuple[str, str]], *, stop_at_first_refusal: bool = True) -> LookedUp:
    """Ask users.info about each person, in order; never inside a transaction (each call takes 100-300 ms).

    A refusal other than "gone" stops the asking unless told otherwise: a job carries on at its next run.
    """
    answer = LookedUp()
    for team_id, user_id in people:
        try:
            answer.found[team_id, user_id] = profile_from_user(client.users_info(user=user_id)["user"])
        except SlackApiError as error:
            code = error.response.get("error")
            if code in GONE:
                answer.gone.append((team_id, user_id))  # never looked up again, and never messaged
                continue
            logger.warning("users.info failed (%s); those people are looked up later", code)
            answer.stopped = True
            if stop_at_first_refusal:
                break
    return answer


def channel_member_ids(client: WebClient, channel: str, *, limit: int = 5000) -> list[str]:
    """Everyone in a channel, following Slack's cursor pages (at most `limit` ids)."""
    members: list[str] = []
    cursor = None
    while len(members) < limit:
        page = client.conversations_members(channel=channel, limit=200, **({"cursor": cursor} if cursor else {}))
        members.extend(page.get("members", []))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return members[:limit]


class Workspace:
    """The workspace the bot token belongs to, asked of auth.test once per process and then kept.

    Its `team_id` is whose rows this process may read and send for (two deployments may share a
    database), and its `url` (`https://<name>.slack.com/`) is what links to messages are built on. Bolt's
    single-workspace authorization drops the `url` from its auth.test, so copbot asks itself.
    """

    ASK_AGAIN_AFTER = 30.0  # seconds: Slack unreachable or refusing is not asked again at every statement

    def __init__(self) -> None:
        self._answer: dict | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def _identity(self, client: WebClient) -> dict:
        with self._lock:
            if self._answer is None:
                if self._failed_at is not None and time.monotonic() - self._failed_at < self.ASK_AGAIN_AFTER:
                    return {}
                try:
                    self._answer = dict(client.auth_test().data)
                except (SlackApiError, OSError) as error:
                    self._failed_at = time.monotonic()
                    reason = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
                    logger.warning("auth.test failed (%s); asked again in %d s", reason, self.ASK_AGAIN_AFTER)
                    return {}
            return self._answer

    def get(self, client: WebClient) -> str | None:
        """The workspace's URL, or None when Slack cannot say (links to messages are then left out)."""
        return self._identity(client).get("url") or None

    def team_id(self, client: WebClient) -> str | None:
        """The workspace's id (`T...`), or None when Slack cannot say (nothing is then read or sent)."""
        return self._identity(client).get("team_id") or None


def permalink(workspace_url: str | None, channel: str, ts: str, thread_ts: str | None = None) -> str | None:
    """A message's permalink, in the form chat.getPermalink returns, without a Web API call per message.

    Slack's permalinks are `<workspace url>archives/<channel>/p<ts without the dot>`, with the thread
    named for a reply; building them here keeps a busy meeting thread from costing one call per line.
    """
    if not workspace_url or not channel or not ts:
        return None
    link = f"{workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link


def message_text(client: WebClient, channel: str, ts: str) -> str | None:
    """The text of one message in a channel, or None if Slack will not give it.

    conversations.history is tightly rate-limited for some apps, so callers must cope with None.
    Thread replies are not in a channel's history either.
    """
    try:
        page = client.conversations_history(channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1)
    except SlackApiError as error:
        logger.info("could not read message %s in %s: %s", ts, channel, error.response.get("error"))
        return None
    for message in page.get("messages", []):
        if message.get("ts") == ts:
            return message.get("text") or ""
    return None
