"""What every part of the generator shares: the instant, the random source, the people and where they belong.

The records describe an organisation as a running copbot would have left it just before `now`: whatever
a job would have done at an earlier tick is done (its messages are in the outbox, its steps are marked),
and what falls due between the previous tick and `now` is left for the jobs being measured.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.org.scale import Scale
from bench.org.writer import Writer
from models import ContributionKind, MentionSource, Role
from models.hours import WorkingHours
from models.mentions import short_text
from scheduler.runner import JOBS

if TYPE_CHECKING:
    from bench.org.outbox import Outbox

TEAM_ID = "T0ORG0001"
WORKSPACE_URL = "https://copbot-org.slack.com"
# Where people work, and how many of every hundred work there.
ZONES: tuple[tuple[str, int], ...] = (
    ("Europe/London", 30), ("America/New_York", 20), ("Europe/Berlin", 15), ("Asia/Kolkata", 15),
    ("America/Los_Angeles", 10), ("Australia/Sydney", 10),
)
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
LEAD_ROLES = (Role.LEAD, Role.CO_LEAD)
# Slack's ts has six digits after the point; this many seconds of spread keep 8 million of them distinct.
_TS_SPREAD = 8


def job_every(job_id: str) -> dt.timedelta:
    """How often the scheduler runs a job: what "done at an earlier tick" means for it."""
    return next(job.every for job in JOBS if job.id == job_id)


@dataclass(eq=False)
class PersonPlan:
    row: dict[str, Any]
    hours: WorkingHours
    members: list[MemberPlan] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def user_id(self) -> str:
        return self.row["user_id"]

    @property
    def tz(self) -> str:
        return self.row["tz"]

    @property
    def name(self) -> str:
        return self.row["display_name"]

    @property
    def reachable(self) -> bool:
        """Someone copbot would write to: a person, still in the workspace."""
        return not self.row["is_bot"] and not self.row["deleted"]

    def away_at(self, at: dt.datetime) -> bool:
        away = self.row["away_until"]
        return away is not None and away > at


@dataclass(eq=False)
class CommunityPlan:
    row: dict[str, Any]
    topic: str
    members: list[MemberPlan] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def channel(self) -> str:
        return self.row["channel_id"]

    @property
    def tz(self) -> str:
        return self.row["timezone"]

    @property
    def created_at(self) -> dt.datetime:
        return self.row["created_at"]

    def active_members(self) -> list[MemberPlan]:
        return [m for m in self.members if m.row["active"] and m.person.reachable]

    def leads(self) -> list[MemberPlan]:
        return [m for m in self.active_members() if m.role in LEAD_ROLES]

    def founder(self) -> MemberPlan:
        """The lead who set the community up, a member since its first day."""
        return next(m for m in self.members if m.role is Role.LEAD)


@dataclass(eq=False)
class MemberPlan:
    row: dict[str, Any]
    person: PersonPlan
    community: CommunityPlan
    # Until when this member takes part (contributes, attends, answers); before `joined_at` for one who never has.
    active_until: dt.datetime
    weight: float

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def role(self) -> Role:
        return self.row["role"]

    @property
    def joined_at(self) -> dt.datetime:
        return self.row["joined_at"]

    def active_at(self, at: dt.datetime) -> bool:
        return self.joined_at <= at <= self.active_until


class Org:
    """The organisation being generated: its plan (people, communities, memberships) and helpers over it."""

    def __init__(self, *, scale: Scale, seed: int, now: dt.datetime, writer: Writer) -> None:
        if now.tzinfo is None:
            raise ValueError("`now` must be an aware UTC datetime")
        self.scale = scale
        self.now = now.astimezone(dt.UTC)
        self.rng = random.Random(seed)
        self.writer = writer
        self.people: list[PersonPlan] = []
        self.communities: list[CommunityPlan] = []
        self.members: list[MemberPlan] = []
        # (community id, person id) -> the latest contribution so far: who is quiet depends on it.
        self.last_contribution: dict[tuple[int, int], dt.datetime] = {}
        self.mentions: list[dict[str, Any]] = []
        self.meeting_ids: dict[int, list[int]] = {}
        self.outbox: Outbox
        self._ts = itertools.count()

    # ------------------------------------------------------------------ time

    def handled(self, moment: dt.datetime, job_id: str) -> bool:
        """Whether a tick of the job before `now` already saw `moment` come."""
        return moment <= self.now - job_every(job_id)

    def tick_after(self, moment: dt.datetime, job_id: str) -> dt.datetime:
        """The first tick of the job (on the grid of its interval ending at `now`) at or after `moment`."""
        every = job_every(job_id)
        steps = math.floor((self.now - moment) / every)
        return self.now - steps * every

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A random instant in [start, end], to the second."""
        seconds = max(0, int((end - start).total_seconds()))
        return start + dt.timedelta(seconds=self.rng.randint(0, seconds))

    def ts(self, at: dt.datetime) -> tuple[str, dt.datetime]:
        """A Slack message ts for a message sent about `at`, unique in the whole organisation, and its instant.

        The count picks the microseconds and, past every million, a second a little later, so no two
        messages share one however many are made.
        """
        n = next(self._ts)
        seconds = (int(at.timestamp()) // _TS_SPREAD + 1) * _TS_SPREAD + (n // 1_000_000) % _TS_SPREAD
        micros = n % 1_000_000
        ts = f"{seconds}.{micros:06d}"
        return ts, dt.datetime.fromtimestamp(seconds, dt.UTC) + dt.timedelta(microseconds=micros)

    @staticmethod
    def permalink(channel: str, ts: str) -> str:
        return f"{WORKSPACE_URL}/archives/{channel}/p{ts.replace('.', '')}"

    # ------------------------------------------------------------------ choosing people

    def pick(self, members: Sequence[MemberPlan], k: int) -> list[MemberPlan]:
        """Up to `k` of `members`, the more active more likely (weighted sampling without replacement)."""
        if k <= 0 or not members:
            return []
        if k >= len(members):
            return list(members)
        keyed = [(self.rng.random() ** (1.0 / m.weight) if m.weight > 0 else 0.0, m.id, m) for m in members]
        keyed.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [m for _, _, m in keyed[:k]]

    def one(self, members: Sequence[MemberPlan]) -> MemberPlan | None:
        chosen = self.pick(members, 1)
        return chosen[0] if chosen else None

    # ------------------------------------------------------------------ the ledger

    def contribute(self, member: MemberPlan | PersonPlan, community: CommunityPlan, kind: ContributionKind, *,
                   key: str, at: dt.datetime, detail: str | None = None) -> None:
        person = member.person if isinstance(member, MemberPlan) else member
        self.writer.contribute(key=key, community_id=community.id, person_id=person.id, kind=kind, at=at,
                               detail=detail)
        if kind is not ContributionKind.JOINED:
            pair = (community.id, person.id)
            if at > self.last_contribution.get(pair, at - DAY):
                self.last_contribution[pair] = at

    # ------------------------------------------------------------------ mentions

    def mention(self, source: MentionSource, record_id: int, community: CommunityPlan, *, by: PersonPlan | None,
                text: str, at: dt.datetime, permalink: str | None = None, among: Sequence[MemberPlan] = (),
                k: int = 1) -> str:
        """Let a record name up to `k` of `among` (by default, the community's members), as members write
        "@Name" in it; returns the text with the names in it. Bots, people who left and the writer are not named."""
        pool = [m for m in (among or community.active_members())
                if m.person.reachable and (by is None or m.person is not by)]
        named = self.pick(pool, k)
        if not named:
            return text
        text = f"{text} ({', '.join('@' + m.person.name for m in named)})"
        for member in named:
            self.mentions.append(dict(id=self.writer.next_id("mentions"), community_id=community.id,
                                      person_id=member.person.id, by_id=by.id if by else None, source=source.value,
                                      record_id=record_id, text=short_text(text), permalink=permalink,
                                      created_at=at))
        return text
