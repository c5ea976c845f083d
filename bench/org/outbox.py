"""The outbox as the past week left it: what was posted to channels, and the direct messages, each sent,
held for a digest when it would have gone over the person's weekly budget, or not sent when turned off.

DMs are decided in the order they happened, as copbot decides them, so that the budget counts each
person's week as the jobs will count it (from the outbox itself).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.org.context import TEAM_ID, WEEK, Org, PersonPlan
from models import Delivery, DeliveryStatus, HeldNotice
from models.attention import BUDGET_WINDOW, DM_KINDS, Outcome

# Slack answers a post within a second or two; the outbox records when.
SEND_DELAY = dt.timedelta(seconds=2)


@dataclass
class _Dm:
    at: dt.datetime
    order: int
    person: PersonPlan
    kind: str
    delivery_kind: str
    key: str
    community_id: int | None
    text: str
    summary: str
    then: Callable[[Outcome], None] | None

    def __lt__(self, other: _Dm | _Event) -> bool:
        return (self.at, self.order) < (other.at, other.order)


@dataclass
class _Event:
    """Something that happened between the DMs and depends on how they went (a standup closing)."""

    at: dt.datetime
    order: int
    run: Callable[[], None]

    def __lt__(self, other: _Dm | _Event) -> bool:
        return (self.at, self.order) < (other.at, other.order)


class Outbox:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.deliveries: list[dict[str, Any]] = []
        self.held: list[dict[str, Any]] = []
        self._timeline: list[_Dm | _Event] = []
        self._order = 0
        self._keys: set[str] = set()
        # person id -> when each digest reached them by DM, for releasing what was held for it.
        self._digests: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)

    def _claim(self, key: str) -> None:
        # Keys are unique in the outbox; a repeat here is a mistake in the generator, not data to skip.
        if key in self._keys:
            raise ValueError(f"outbox key generated twice: {key}")
        self._keys.add(key)

    def post(self, *, key: str, channel: str, kind: str, at: dt.datetime, community_id: int | None, text: str,
             thread_ts: str | None = None, link_to: str | None = None) -> str:
        """A message copbot posted to a channel at `at`; returns its ts."""
        self._claim(key)
        ts, _ = self.org.ts(at + SEND_DELAY)
        self.deliveries.append(self._row(key=key, channel=channel, kind=kind, at=at, community_id=community_id,
                                         text=text, thread_ts=thread_ts, ts=ts, sent_channel=channel,
                                         link_to=link_to))
        return ts

    def dm(self, person: PersonPlan, *, kind: str, delivery_kind: str, key: str, at: dt.datetime,
           community_id: int | None, text: str, summary: str, then: Callable[[Outcome], None] | None = None) -> None:
        """A direct message copbot decided to send at `at`; sent, held or dropped when the week is settled."""
        if at <= self.org.now - BUDGET_WINDOW or at > self.org.now:
            raise ValueError(f"a DM of the past week is generated outside it: {key} at {at}")
        self._claim(key)
        self._push(_Dm(at, self._next(), person, kind, delivery_kind, key, community_id, text, summary, then))

    def later(self, at: dt.datetime, run: Callable[[], None]) -> None:
        """Run `run` when the week is settled, after every DM decided before `at`; it may send DMs of its own."""
        self._push(_Event(at, self._next(), run))

    def _next(self) -> int:
        self._order += 1
        return self._order

    def _push(self, item: _Dm | _Event) -> None:
        heapq.heappush(self._timeline, item)

    def settle(self) -> None:
        """Decide every DM in time order against its person's switches and weekly budget."""
        sent: dict[int, list[dt.datetime]] = defaultdict(list)
        while self._timeline:
            dm = heapq.heappop(self._timeline)
            if isinstance(dm, _Event):
                dm.run()
                continue
            spec = DM_KINDS[dm.kind]
            person = dm.person
            times = sent[person.id]
            used = len(times) - bisect.bisect_right(times, dm.at - BUDGET_WINDOW)
            if not person.row[spec.setting]:
                outcome = Outcome.MUTED
            elif spec.budgeted and used >= person.row["dm_budget"]:
                outcome = Outcome.HOLD
            else:
                outcome = Outcome.SEND
            if outcome is Outcome.SEND:
                if spec.budgeted:
                    times.append(dm.at)
                ts, _ = self.org.ts(dm.at + SEND_DELAY)
                self.deliveries.append(self._row(key=dm.key, channel=person.user_id, kind=dm.delivery_kind, at=dm.at,
                                                 community_id=dm.community_id, text=dm.text, ts=ts,
                                                 sent_channel="D" + person.user_id[1:]))
                if dm.kind == "digest":
                    self._digests[person.id].append((dm.at, dm.community_id or 0))
            elif outcome is Outcome.HOLD:
                self.held.append(dict(id=self.org.writer.next_id("held_notices"), key=dm.key, person_id=person.id,
                                      community_id=dm.community_id, kind=dm.delivery_kind, summary=dm.summary[:500],
                                      created_at=dm.at, released_at=None))
            if dm.then is not None:
                dm.then(outcome)
        self._release()

    def _release(self) -> None:
        """A held notice was shown (and released) by the first digest DM of its community that followed it."""
        for notice in self.held:
            for at, community_id in sorted(self._digests.get(notice["person_id"], [])):
                if at > notice["created_at"] and community_id == notice["community_id"]:
                    notice["released_at"] = at
                    break

    def write(self) -> None:
        self.org.writer.insert(HeldNotice, self.held)
        self.org.writer.insert(Delivery, self.deliveries)

    @staticmethod
    def _row(*, key: str, channel: str, kind: str, at: dt.datetime, community_id: int | None, text: str,
             ts: str, sent_channel: str, thread_ts: str | None = None, link_to: str | None = None) -> dict[str, Any]:
        return dict(key=key, team_id=TEAM_ID, community_id=community_id, kind=kind, channel=channel, text=text,
                    blocks=None, thread_ts=thread_ts, status=DeliveryStatus.SENT.value, attempts=1,
                    next_attempt_at=at, claimed_until=None, last_error=None, link_to=link_to,
                    sent_channel=sent_channel, sent_ts=ts, created_at=at, sent_at=at + SEND_DELAY)


def in_past_week(org: Org, at: dt.datetime) -> bool:
    """Whether a message sent at `at` is still in the outbox's budget window (and so worth generating as a DM)."""
    return org.now - WEEK < at <= org.now
