"""The one dispatcher that sends the outbox to Slack, honouring rate limits and retrying failures.

Sending happens outside any database transaction: rows are claimed and committed first, then
sent, then settled in a second short transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import unit_of_work
from bot.slack import WorkspaceUrl, permalink
from models.deliveries import Delivery, backoff, claim_due, mark_failed, mark_retry, mark_sent
from models.links import Posted, attach

logger = logging.getLogger(__name__)

# Errors that another try will not cure: give up at once and let the lead see it.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "invalid_blocks",
    "invalid_blocks_format", "msg_too_long", "no_text", "account_inactive", "cannot_dm_bot",
    "user_disabled", "restricted_action", "invalid_auth", "not_authed", "token_revoked",
    "missing_scope", "too_many_attachments", "invalid_arguments",
})


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class ChannelPacer:
    """Slack allows about one message per second per channel, with short bursts: a token bucket."""

    def __init__(self, rate: float = 1.0, burst: int = 3, sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate
        self.burst = burst
        self._sleep = sleep
        self._buckets: dict[str, tuple[float, float]] = {}

    def wait(self, channel: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        tokens, last = self._buckets.get(channel, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._sleep((1 - tokens) / self.rate)
            now = time.monotonic()
            tokens = 1.0
        self._buckets[channel] = (tokens - 1, now)


class Dispatcher:
    """Claims due deliveries, posts them, and records what happened to each."""

    def __init__(
        self, sessions: sessionmaker[Session], client: WebClient, *, pacer: ChannelPacer | None = None,
        workspace_url: WorkspaceUrl | None = None,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.pacer = pacer or ChannelPacer()
        self.workspace_url = workspace_url or WorkspaceUrl()
        self._lock = threading.Lock()

    def dispatch(self, *, now: dt.datetime, limit: int = 200) -> DispatchReport:
        """Send everything due at `now` (in batches) and report."""
        report = DispatchReport()
        # One dispatch at a time per process; other processes are kept apart by the row claims.
        with self._lock:
            while True:
                with unit_of_work(self.sessions) as session:
                    batch = [_Snapshot.of(d) for d in claim_due(session, now=now, limit=min(limit, 50))]
                if not batch:
                    break
                for item in batch:
                    self._send_one(item, now=now, report=report)
                limit -= len(batch)
                if limit <= 0:
                    break
        return report

    def _send_one(self, item: _Snapshot, *, now: dt.datetime, report: DispatchReport) -> None:
        self.pacer.wait(item.channel)
        try:
            response = self.client.chat_postMessage(
                channel=item.channel, text=item.text, blocks=item.blocks, thread_ts=item.thread_ts,
                unfurl_links=False, unfurl_media=False,
            )
        except SlackApiError as error:
            self._settle_error(item, error, now=now, report=report)
            return
        except Exception as error:  # network trouble: the same message may go through later
            logger.warning("delivery %s: %s; will retry", item.key, type(error).__name__)
            with unit_of_work(self.sessions) as session:
                mark_retry(session, delivery_id=item.id, error=type(error).__name__,
                           retry_at=now + backoff(item.attempts))
            report.retried += 1
            return
        channel, ts = response.get("channel", item.channel), response.get("ts", "")
        link = permalink(self.workspace_url.get(self.client), channel, ts, item.thread_ts) if item.link_to else None
        with unit_of_work(self.sessions) as session:
            mark_sent(session, delivery_id=item.id, channel=channel, ts=ts, now=now)
            if item.link_to and ts:
                # In the same transaction as "sent": a record never misses the link to a message it has.
                attach(session, item.link_to, Posted(channel, ts, link))
        report.sent += 1

    def _settle_error(self, item: _Snapshot, error: SlackApiError, *, now: dt.datetime,
                      report: DispatchReport) -> None:
        code = str(error.response.get("error", "unknown_error"))
        status = error.response.status_code
        with unit_of_work(self.sessions) as session:
            if status == 429 or code == "ratelimited":
                retry_after = int(error.response.headers.get("Retry-After", error.response.headers.get(
                    "retry-after", 30)) or 30)
                # Slack asked us to wait; that is no fault of the message, so it costs no attempt.
                mark_retry(session, delivery_id=item.id, error="ratelimited",
                           retry_at=now + dt.timedelta(seconds=retry_after), count_attempt=False)
                report.retried += 1
            elif code in PERMANENT_ERRORS:
                logger.error("delivery %s failed for good: %s", item.key, code)
                mark_failed(session, delivery_id=item.id, error=code)
                report.failed += 1
                report.errors.append(f"{item.key}: {code}")
            else:
                logger.warning("delivery %s: %s; will retry", item.key, code)
                mark_retry(session, delivery_id=item.id, error=code, retry_at=now + backoff(item.attempts))
                report.retried += 1


@dataclass(frozen=True)
class _Snapshot:
    """The fields needed to send a delivery, read while its row was claimed."""

    id: int
    key: str
    channel: str
    text: str
    blocks: list | None
    thread_ts: str | None
    attempts: int
    link_to: str | None

    @classmethod
    def of(cls, delivery: Delivery) -> _Snapshot:
        return cls(delivery.id, delivery.key, delivery.channel, delivery.text, delivery.blocks,
                   delivery.thread_ts, delivery.attempts, delivery.link_to)
