"""The one dispatcher that sends the outbox to Slack, at Slack's own ceiling and never beyond it.

Slack lets an app post about one message a second to a channel, with short bursts, and a few hundred a
minute to the whole workspace. Waiting is per channel, so the sender keeps many channels going at once:
each channel's messages go one at a time and in order, up to `Limits.in_flight` channels in parallel,
each paced by its own token bucket and all of them by the workspace's. A `Retry-After` pauses the channel
it came for (or the workspace, when several channels are told to wait at once), nothing else.

Sending happens outside any database transaction: a row is claimed just before it is posted, the post
is made, and the row is settled in a second short transaction; a claim outlives a slow post many times
over, so no other process takes a row that is still being sent.

Each post carries its delivery key in its message metadata. A post whose answer never came (the connection
dropped, or the sender died mid-post) leaves its row unsure; before posting it again, the sender looks for the
key in the channel, and settles the row as sent if Slack has it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from bot.clock import Clock
from bot.db import unit_of_work
from bot.lifecycle import PAUSING_ERRORS, hold_after_error
from bot.slack import Workspace, permalink
from models.deliveries import (
    Outgoing,
    backoff,
    claim_many,
    count_backlog,
    due_heads,
    mark_failed,
    mark_retry,
    mark_sent,
    release_claims,
)
from models.links import Posted, attach

logger = logging.getLogger(__name__)

# Errors that another try will not cure: give up at once and let the lead see it.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "invalid_blocks",
    "invalid_blocks_format", "msg_too_long", "no_text", "account_inactive", "cannot_dm_bot",
    "user_disabled", "restricted_action", "invalid_auth", "not_authed", "token_revoked",
    "missing_scope", "too_many_attachments", "invalid_arguments",
    # An edit of a message that was deleted, or that copbot may not change.
    "message_not_found", "cant_update_message",
})
# A message's metadata carries its delivery key under this event type: the outbox's own, for no one else.
METADATA_EVENT = "copbot_delivery"
# How far back to look for a message whose post went unanswered: the newest pages of its channel (or thread).
LOOK_BACK_PAGES = 3
LOOK_BACK_LIMIT = 100
POLL_EVERY = 0.5  # seconds: how often a running sender looks for rows written by other processes
COUNT_EVERY = 5.0  # seconds between counts of what is due, for the metrics
# Two channels told to wait within this many seconds: it is the workspace's limit, not a channel's.
WORKSPACE_429_WINDOW = 2.0


@dataclass(frozen=True)
class Limits:
    """Slack's posting limits as copbot keeps to them; a rate of 0 means no pacing (tests, the sandbox)."""

    channel_per_second: float = 1.0
    channel_burst: int = 3
    workspace_per_minute: float = 300.0
    workspace_burst: int = 20
    in_flight: int = 8

    @classmethod
    def unpaced(cls, in_flight: int = 8) -> Limits:
        return cls(channel_per_second=0, channel_burst=0, workspace_per_minute=0, workspace_burst=0,
                   in_flight=in_flight)


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; a rate of 0 never runs out."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._at = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def wait(self) -> float:
        """Seconds until a token is there (0 if one is)."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self) -> None:
        if self.rate > 0:
            self._refill()
            self._tokens -= 1

    @property
    def full(self) -> bool:
        self._refill()
        return self._tokens >= self.burst


class Pacer:
    """A bucket per channel and one for the workspace."""

    MAX_BUCKETS = 20_000  # beyond this, the buckets that have refilled (idle channels) are forgotten

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.workspace = TokenBucket(limits.workspace_per_minute / 60, limits.workspace_burst)
        self._channels: dict[str, TokenBucket] = {}

    def _bucket(self, channel: str) -> TokenBucket:
        bucket = self._channels.get(channel)
        if bucket is None:
            if len(self._channels) >= self.MAX_BUCKETS:
                self._channels = {c: b for c, b in self._channels.items() if not b.full}
            bucket = self._channels[channel] = TokenBucket(self.limits.channel_per_second, self.limits.channel_burst)
        return bucket

    def channel_wait(self, channel: str) -> float:
        return self._bucket(channel).wait()

    def take(self, channel: str) -> None:
        self._bucket(channel).take()
        self.workspace.take()


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    """Claims due deliveries, posts them concurrently across channels, and records what happened to each.

    `dispatch(now=...)` sends everything due at that instant and returns once it is settled (`copbot tick`,
    the tests). `start()` runs the same work on a thread of its own, woken by `nudge()` when this process
    wrote something and looking every POLL_EVERY seconds for what other processes wrote. `inline` makes
    `nudge()` dispatch at once in the caller's thread (the sandbox).
    """

    def __init__(
        self, sessions: sessionmaker[Session], client: WebClient, *, limits: Limits | None = None,
        workspace_url: Workspace | None = None, clock: Clock | None = None, inline: bool = False,
    ) -> None:
        self.sessions = sessions
        self.client = _without_blind_retries(client)
        self.limits = limits or Limits()
        self.pacer = Pacer(self.limits)
        self.workspace_url = workspace_url or Workspace()
        self.clock = clock or Clock()
        self.inline = inline
        self._executor = ThreadPoolExecutor(max(1, self.limits.in_flight), thread_name_prefix="copbot-send")
        self._cond = threading.Condition()
        self._pump_lock = threading.Lock()
        self._in_flight: dict[int, str] = {}
        self._paused: dict[str, dt.datetime] = {}
        self._workspace_paused_until: dt.datetime | None = None
        self._recent_limits: deque[tuple[float, str]] = deque(maxlen=32)
        self._reports: list[DispatchReport] = []
        self._woken = False
        self._thread: threading.Thread | None = None
        self._running = False
        self._counted_at = 0.0
        self._finished = 0  # posts ended so far, to tell whether one ended while the pump was looking

    # ------------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        return self._running

    @property
    def busy(self) -> bool:
        """Whether a message is being posted right now."""
        with self._cond:
            return bool(self._in_flight)

    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
        self._thread = threading.Thread(target=self._loop, name="copbot-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop claiming; what is being posted finishes and is settled."""
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
        self._wait_in_flight(timeout)

    def close(self) -> None:
        """Stop, and let the sending threads go: this dispatcher sends nothing more."""
        self.stop()
        self._executor.shutdown(wait=True)

    def reclaim(self, *, now: dt.datetime) -> int:
        """Take over at once what a sender that died had claimed (call it holding the outbox's lock)."""
        with unit_of_work(self.sessions) as session:
            count = release_claims(session, now=now)
        if count:
            logger.warning("%d deliveries were being sent by a sender that stopped; looking for them first", count)
        return count

    def nudge(self, *, now: dt.datetime) -> None:
        """Something was just written to the outbox: send it now rather than at the next look."""
        if self.inline:
            try:
                self.dispatch(now=now)
            except Exception:
                logger.exception("outbox dispatch failed; it is retried at the next tick")
            return
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def dispatch(self, *, now: dt.datetime, limit: int | None = None) -> DispatchReport:
        """Send everything due at `now` (at most `limit` messages) and wait until it is settled."""
        report = DispatchReport()
        with self._cond:
            self._reports.append(report)
        budget = limit if limit is not None else 1_000_000_000
        try:
            while True:
                finished_before = self._finished
                started, wait = self._pump(now, budget)
                budget -= started
                with self._cond:
                    # A post that ended while the pump looked may have freed its channel for the next message.
                    if started or self._in_flight or self._finished != finished_before:
                        # Wait for a post to finish: its channel is then free for its next message.
                        self._cond.wait(0.05)
                        continue
                if budget <= 0 or wait is None:
                    break
                time.sleep(wait)  # only pacing holds back what is due: wait for the next token
        finally:
            self._wait_in_flight(60.0)
            with self._cond:
                self._reports.remove(report)
        return report

    def _loop(self) -> None:
        while True:
            with self._cond:
                if not self._running:
                    return
                self._woken = False
            started, wait = 0, None
            finished_before = self._finished
            try:
                now = self.clock.now()
                started, wait = self._pump(now, 1_000_000_000)
                self._count(now)
            except Exception:
                # The database restarting must not end the sender for good.
                logger.exception("the outbox sender could not look for deliveries; trying again shortly")
                wait = POLL_EVERY
            with self._cond:
                if not self._running:
                    return
                if started or self._woken or self._finished != finished_before:
                    continue
                self._cond.wait(min(wait, POLL_EVERY) if wait is not None else POLL_EVERY)

    def _count(self, now: dt.datetime) -> None:
        if time.monotonic() - self._counted_at < COUNT_EVERY:
            return
        self._counted_at = time.monotonic()
        self.count_backlog(now=now)

    def count_backlog(self, *, now: dt.datetime) -> dict[str, int]:
        """Count what is not sent yet, for the metrics."""
        with unit_of_work(self.sessions) as session:
            backlog = count_backlog(session, now=now)
        metrics.outbox_due.set(backlog["due"])
        for state, count in backlog.items():
            metrics.outbox_backlog.labels(state).set(count)
        return backlog

    def _wait_in_flight(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._in_flight and time.monotonic() < deadline:
                self._cond.wait(0.05)

    # ------------------------------------------------------------------ choosing what goes now

    def _held_back(self, now: dt.datetime) -> tuple[set[str], float | None]:
        """Channels not to send to now (one in flight, or told to wait), and how long the workspace waits."""
        with self._cond:
            self._paused = {channel: until for channel, until in self._paused.items() if until > now}
            metrics.outbox_paused.set(len(self._paused))
            excluded = set(self._in_flight.values()) | set(self._paused)
            paused = self._workspace_paused_until
            if paused is not None and paused <= now:
                paused = self._workspace_paused_until = None
        return excluded, (paused - now).total_seconds() if paused is not None else None

    def _pump(self, now: dt.datetime, budget: int) -> tuple[int, float | None]:
        """Claim and start what may be posted now; (how many started, seconds until pacing lets more go)."""
        with self._pump_lock:
            free = min(self.limits.in_flight - len(self._in_flight), budget)
            excluded, workspace_wait = self._held_back(now)
            if workspace_wait is not None:
                return 0, workspace_wait
            if free <= 0:
                return 0, None
            with unit_of_work(self.sessions) as session:
                heads = due_heads(session, now=now, exclude=excluded, limit=max(4 * free, 32))
            picks: list[int] = []
            wait: float | None = None
            for delivery_id, channel in heads:
                if len(picks) >= free:
                    break
                held = max(self.pacer.channel_wait(channel), self.pacer.workspace.wait())
                if held > 0:
                    wait = held if wait is None else min(wait, held)
                    if self.pacer.workspace.wait() > 0:
                        break  # the workspace's bucket is empty: nobody else can go either
                    continue
                self.pacer.take(channel)
                picks.append(delivery_id)
            if not picks:
                return 0, wait
            with unit_of_work(self.sessions) as session:
                # The claim runs from the clock's time, not the dispatch's `now`: a row reached late in a long
                # dispatch is claimed for as long as one reached first.
                claimed = claim_many(session, ids=picks, now=now, at=max(now, self.clock.now()))
            with self._cond:
                for item in claimed:
                    self._in_flight[item.id] = item.channel
            metrics.outbox_in_flight.set(len(self._in_flight))
            for item in claimed:
                self._executor.submit(self._send, item, now)
            return len(claimed), wait

    # ------------------------------------------------------------------ sending one

    def _send(self, item: Outgoing, now: dt.datetime) -> None:
        try:
            self._post(item, now)
        except Exception:  # settling failed (the database went away): the claim expires and it is sent again
            logger.exception("delivery %s: could not record its outcome", item.key)
        finally:
            with self._cond:
                self._in_flight.pop(item.id, None)
                self._finished += 1
                metrics.outbox_in_flight.set(len(self._in_flight))
                self._cond.notify_all()

    def _tally(self, outcome: Callable[[DispatchReport], None]) -> None:
        with self._cond:
            for report in self._reports:
                outcome(report)

    def _post(self, item: Outgoing, now: dt.datetime) -> None:
        if item.unsure_since is not None and not self._look_first(item, now):
            return
        try:
            if item.chart is not None:
                # A chart: uploaded and shared with its comment; the file's id stands for the message's ts.
                response = {"channel": item.channel, "ts": share_delivered_chart(self.client, item)}
            elif item.edit_ts:
                # A message copbot sent before, shown anew (a poll that has closed), rather than a new one.
                response = self.client.chat_update(channel=item.channel, ts=item.edit_ts, text=item.text,
                                                   blocks=item.blocks)
            else:
                response = self.client.chat_postMessage(
                    channel=item.channel, text=item.text, blocks=item.blocks, thread_ts=item.thread_ts,
                    unfurl_links=False, unfurl_media=False, metadata=delivery_metadata(item.key),
                )
        except SlackApiError as error:  # Slack answered: the message is not there
            self._settle_error(item, error, now=now)
            return
        except Exception as error:  # network trouble: Slack may or may not have it
            self._settle_unanswered(item, error, now=now, unsure_since=item.attempted_at)
            return
        self._settle_sent(item, response.get("channel", item.channel), response.get("ts", ""), now=now)

    def _look_first(self, item: Outgoing, now: dt.datetime) -> bool:
        """Whether to post an item Slack may already have: not if it is found in its channel (then it is
        settled as sent), nor if the channel cannot be read now (then it waits, still unsure)."""
        try:
            found = find_posted(self.client, item)
        except SlackApiError as error:
            self._settle_error(item, error, now=now, unsure_since=item.unsure_since)
            return False
        except Exception as error:
            self._settle_unanswered(item, error, now=now, unsure_since=item.unsure_since)
            return False
        if found is None:
            return True
        logger.info("delivery %s was posted before its sender could record it; not posting it again", item.key)
        metrics.outbox_found.inc()
        self._settle_sent(item, *found, now=now)
        return False

    def _settle_sent(self, item: Outgoing, channel: str, ts: str, *, now: dt.datetime) -> None:
        link = permalink(self.workspace_url.get(self.client), channel, ts, item.thread_ts) if item.link_to else None
        with unit_of_work(self.sessions) as session:
            # What the row says now: rewritten while it was being posted (a card naming people just looked up),
            # it is shown anew below, after the commit.
            now_reads = mark_sent(session, delivery_id=item.id, channel=channel, ts=ts, now=now)
            if item.link_to and ts:
                # In the same transaction as "sent": a record never misses the link to a message it has.
                attach(session, item.link_to, Posted(channel, ts, link))
        if (now_reads is not None and ts and item.chart is None
                and (now_reads.text, now_reads.blocks) != (item.text, item.blocks)):
            try:
                self.client.chat_update(channel=channel, ts=ts, text=now_reads.text, blocks=now_reads.blocks)
            except SlackApiError as error:
                logger.warning("delivery %s changed while it was posted and could not be updated (%s)", item.key,
                               error.response.get("error"))
        metrics.outbox_sent.inc()
        self._tally(lambda r: setattr(r, "sent", r.sent + 1))

    def _settle_unanswered(self, item: Outgoing, error: Exception, *, now: dt.datetime,
                           unsure_since: dt.datetime | None) -> None:
        logger.warning("delivery %s: %s; will retry", item.key, type(error).__name__)
        with unit_of_work(self.sessions) as session:
            mark_retry(session, delivery_id=item.id, error=type(error).__name__,
                       retry_at=now + backoff(item.attempts), unsure_since=unsure_since)
        metrics.outbox_retried.labels(type(error).__name__[:40]).inc()
        self._tally(lambda r: setattr(r, "retried", r.retried + 1))

    def _settle_error(self, item: Outgoing, error: SlackApiError, *, now: dt.datetime,
                      unsure_since: dt.datetime | None = None) -> None:
        """Slack refused the post (or the look for an earlier one, which leaves the row `unsure_since`)."""
        code = str(error.response.get("error", "unknown_error"))
        status = error.response.status_code
        if status == 429 or code == "ratelimited":
            retry_after = _retry_after(error)
            self._told_to_wait(item.channel, retry_after, now)
            with unit_of_work(self.sessions) as session:
                # Slack asked us to wait; that is no fault of the message, so it costs no attempt.
                mark_retry(session, delivery_id=item.id, error="ratelimited",
                           retry_at=now + dt.timedelta(seconds=retry_after), count_attempt=False,
                           unsure_since=unsure_since)
            metrics.outbox_retried.labels("ratelimited").inc()
            self._tally(lambda r: setattr(r, "retried", r.retried + 1))
        elif code in PAUSING_ERRORS and self._paused_by_slack(item, code, now):
            metrics.outbox_retried.labels(code[:40]).inc()
        elif code in PERMANENT_ERRORS:
            logger.error("delivery %s failed for good: %s", item.key, code)
            with unit_of_work(self.sessions) as session:
                mark_failed(session, delivery_id=item.id, error=code)
            metrics.outbox_failed.labels(code[:40]).inc()

            def failed(report: DispatchReport) -> None:
                report.failed += 1
                report.errors.append(f"{item.key}: {code}")

            self._tally(failed)
        else:
            logger.warning("delivery %s: %s; will retry", item.key, code)
            with unit_of_work(self.sessions) as session:
                mark_retry(session, delivery_id=item.id, error=code, retry_at=now + backoff(item.attempts),
                           unsure_since=unsure_since)
            metrics.outbox_retried.labels(code[:40]).inc()
            self._tally(lambda r: setattr(r, "retried", r.retried + 1))

    def _paused_by_slack(self, item: Outgoing, code: str, now: dt.datetime) -> bool:
        """An archived channel or a refused token: held until it is back, like the life-cycle event would."""
        return hold_after_error(self.sessions, self.client, self.workspace_url, delivery_id=item.id,
                                channel=item.channel, code=code, now=now)

    def _told_to_wait(self, channel: str, seconds: int, now: dt.datetime) -> None:
        """Pause the channel; if another channel was told to wait just now too, pause the workspace."""
        until = now + dt.timedelta(seconds=seconds)
        moment = time.monotonic()
        with self._cond:
            self._paused[channel] = until
            others = {c for at, c in self._recent_limits if moment - at <= WORKSPACE_429_WINDOW and c != channel}
            self._recent_limits.append((moment, channel))
            if others:
                logger.info("Slack asked several channels to wait at once; the workspace waits %d s", seconds)
                self._workspace_paused_until = until
            else:
                logger.info("Slack asked channel %s to wait %d s", channel, seconds)


def _without_blind_retries(client: WebClient) -> WebClient:
    """The same client, but one that never posts again by itself when a connection fails mid-call.

    slack_sdk's connection-error retry would post at once, and blindly, a message whose answer was lost on the
    way back: Slack would then have it twice. The outbox looks for such a message before posting it again.
    """
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, headers=client.headers,
                     retry_handlers=[])


def share_delivered_chart(client: WebClient, item: Outgoing) -> str:
    """Draw and share a delivery's chart (`Delivery.chart`), in its channel or, for a user id, their DM."""
    # matplotlib is loaded only by a process that has a chart to send
    from bot.charts import Chart
    from bot.files import share_chart

    chart = Chart.from_dict(item.chart or {})
    where = {"user_id": item.channel} if item.channel.startswith(("U", "W")) else {"channel_id": item.channel}
    return share_chart(client, chart=chart, filename=chart_filename(item), comment=item.text, **where)


def chart_filename(item: Outgoing) -> str:
    """The name a delivery's chart is shared under: its key, so that it can be found again like a message."""
    return item.key.replace(":", "-") + ".png"


def _posted_for(message: dict[str, Any], item: Outgoing) -> str | None:
    """The ts of `message` if it was posted for the delivery (for a chart: the shared file's id), else None."""
    if item.chart is not None:
        wanted = chart_filename(item)
        return next((str(f["id"]) for f in message.get("files") or [] if f.get("name") == wanted), None)
    return str(message["ts"]) if (message.get("metadata") or {}) == delivery_metadata(item.key) else None


def delivery_metadata(key: str) -> dict[str, Any]:
    """Message metadata naming the delivery a message was posted for, so that it can be found again."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def find_posted(client: WebClient, item: Outgoing) -> tuple[str, str] | None:
    """(channel, ts) of the message posted for this delivery (a chart's: the file's id), if its channel or thread
    has it among its latest LOOK_BACK_PAGES pages."""
    channel = item.channel
    if channel.startswith(("U", "W")):  # a direct message is read through its conversation's own id
        channel = client.conversations_open(users=channel)["channel"]["id"]
    cursor = None
    for _ in range(LOOK_BACK_PAGES):
        if item.thread_ts:
            page = client.conversations_replies(channel=channel, ts=item.thread_ts, include_all_metadata=True,
                                                limit=LOOK_BACK_LIMIT, cursor=cursor)
        else:
            page = client.conversations_history(channel=channel, include_all_metadata=True, limit=LOOK_BACK_LIMIT,
                                                cursor=cursor)
        for message in page.get("messages") or []:
            ts = _posted_for(message, item)
            if ts is not None:
                return channel, ts
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def _retry_after(error: SlackApiError) -> int:
    headers = error.response.headers or {}
    value = headers.get("Retry-After", headers.get("retry-after", 30))
    try:
        return max(1, int(value or 30))
    except (TypeError, ValueError):
        return 30
