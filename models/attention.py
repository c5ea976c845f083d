"""A budget on attention: which unasked-for direct messages a person wants, how many a week, and when.

What would go over a person's budget, or reach them while they are away, is not dropped: it is held
here and shown in their next digest (and on their Home tab) instead. What comes outside their working
hours waits in the outbox until those begin.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, chunked, utcnow
from models.deliveries import Delivery, delivery_by_key, enqueue
from models.errors import BadArgument
from models.hours import WorkingHours
from models.meetings.reminders import occurrence_in_key
from models.people import Person
from models.upsert import insert_ignore, insert_ignore_many

DEFAULT_DM_BUDGET = 5
MAX_DM_BUDGET = 20
BUDGET_WINDOW = dt.timedelta(days=7)
# A held notice older than this is no longer news; it stops being shown.
HOLD_FOR = dt.timedelta(days=30)


@dataclass(frozen=True)
class DmKind:
    """A kind of direct message a person can turn off, and what that switch is called."""

    name: str
    setting: str  # the Person flag that is True while this kind is wanted
    delivery_kinds: tuple[str, ...]  # the outbox kinds that belong to it
    budgeted: bool  # counts against the weekly budget (a digest someone asked for does not)
    describe: str
    turn_on: str
    turn_off: str
    # False for a lead's own work (a budget request to decide, KPIs to set, Terms of Reference to review): no
    # switch turns it off and it never counts against the budget, yet it keeps to their hours and waits while
    # they are away, like any unasked-for message.
    mutable: bool = True


DM_KINDS: dict[str, DmKind] = {
    kind.name: kind for kind in (
        DmKind("newcomer", "newcomer_dms", ("welcome_dm", "checkin"), True,
               "welcome and check-in messages when you join a community", "/cop tips on", "/cop tips off"),
        DmKind("nudge", "nudges_enabled", ("nudge",), True,
               "a friendly nudge when you have been quiet in a community for a while", "/cop nudges on",
               "/cop nudges off"),
        # The one kind that is asked for: `/cop digest dm on` is the request, so it never counts.
        DmKind("digest", "digest_dm", ("digest_dm",), False, "the weekly digest by direct message",
               "/cop digest dm on", "/cop digest dm off"),
        DmKind("meetings", "meeting_dms", ("reminder_dm",), True,
               "reminders before meetings you said you would come to", "/cop meeting dms on",
               "/cop meeting dms off"),
        DmKind("standups", "standup_dms", ("standup_ask", "standup_missing"), True,
               "standup questions by direct message, and (as a lead) who did not answer", "/cop standup dms on",
               "/cop standup dms off"),
        DmKind("actions", "action_dms", ("action_reminder", "action_offer", "action_assigned", "lesson_offer"),
               True, "reminders about actions you own, and requests to take one on", "/cop action dms on",
               "/cop action dms off"),
        DmKind("escalations", "escalation_dms", ("escalation", "pool_return"), True,
               "blocked actions escalated to you as a lead, and the actions of members who left",
               "/cop action escalations on",
               "/cop action escalations off"),
        DmKind("scorecards", "scorecard_dms", ("scorecard",), True,
               "your community's scorecard at the end of each quarter, as its lead", "/cop scorecard dms on",
               "/cop scorecard dms off"),
        DmKind("maturity", "maturity_dms", ("maturity_prompt",), True,
               "a reminder twice a year, as a lead, to run the community's maturity self-assessment",
               "/cop maturity dms on", "/cop maturity dms off"),
        DmKind("fading", "fading_dms", ("fading",), True,
               "a private word, as a lead, when a community you lead or oversee starts fading",
               "/cop health dms on", "/cop health dms off"),
        DmKind("lead_work", "", ("kpi_ask", "tor_review", "budget_ask"), False,
               "what your role as a lead asks of you: a budget request to decide, the year's KPIs to set, the Terms "
               "of Reference to review", "", "", mutable=False),
    )
}
# The kinds a person can turn off, each a switch on the Home tab and a `/cop ... dms off` command.
SWITCHABLE_KINDS = tuple(name for name, kind in DM_KINDS.items() if kind.mutable)
BUDGETED_DELIVERY_KINDS = tuple(k for kind in DM_KINDS.values() if kind.budgeted for k in kind.delivery_kinds)
# Messages about work to do, which offer to come back the next working day ("Remind me tomorrow").
SNOOZABLE_DELIVERY_KINDS = frozenset({"action_reminder", "action_offer", "action_assigned", "escalation",
                                      "pool_return"})


class Outcome(enum.StrEnum):
    SEND = "send"
    HOLD = "hold"  # over budget, away, or too late for its moment: shown in the next digest instead
    MUTED = "muted"  # the person turned this kind off


def wants(person: Person, kind: str) -> bool:
    """Whether `person` has this kind on; a lead's own work cannot be turned off."""
    spec = DM_KINDS[kind]
    return not spec.mutable or bool(getattr(person, spec.setting))


def set_wanted(person: Person, kind: str, on: bool) -> bool:
    """Turn a kind of message on or off; returns whether anything changed."""
    if not DM_KINDS[kind].mutable:
        raise BadArgument("That message is part of your role as a lead: it cannot be turned off.")
    setting = DM_KINDS[kind].setting
    changed = bool(getattr(person, setting)) != on
    setattr(person, setting, on)
    return changed


def set_budget(person: Person, budget: int) -> None:
    if not 0 <= budget <= MAX_DM_BUDGET:
        raise BadArgument(f"Choose between 0 and {MAX_DM_BUDGET} messages a week.", usage="/cop dm-budget <n>")
    person.dm_budget = budget


def dms_used(session: Session, *, team_id: str, user_ids: Iterable[str], now: dt.datetime) -> dict[str, int]:
    """Unasked-for DMs each person was sent in the last seven days, counted from the outbox itself."""
    wanted = sorted(set(user_ids))
    used: dict[str, int] = {}
    for chunk in chunked(wanted):
        rows = session.execute(
            select(Delivery.channel, func.count()).where(
                Delivery.team_id == team_id, Delivery.channel.in_(chunk),
                Delivery.kind.in_(BUDGETED_DELIVERY_KINDS), Delivery.created_at > now - BUDGET_WINDOW,
            ).group_by(Delivery.channel)
        )
        used.update({channel: count for channel, count in rows})
    return used


def dms_used_by_team(session: Session, people: Iterable[Person], *, now: dt.datetime) -> dict[str, dict[str, int]]:
    """`dms_used` for people of any workspace: one query per workspace, not one per person."""
    by_team: dict[str, set[str]] = defaultdict(set)
    for person in people:
        by_team[person.team_id].add(person.user_id)
    return {team: dms_used(session, team_id=team, user_ids=users, now=now) for team, users in by_team.items()}


@dataclass(frozen=True)
class Decision:
    """What becomes of one DM, and, when it is sent, the instant it may reach its person."""

    outcome: Outcome
    arrives: dt.datetime | None = None


def arrival(person: Person, now: dt.datetime) -> dt.datetime:
    """When an unasked-for DM written at `now` may reach `person`: at once inside their working hours, else
    when those next begin (`/cop hours`, on their own clock)."""
    return WorkingHours.of(person).next_start(now)


def decide(person: Person, kind: str, *, used: int, now: dt.datetime, expires: dt.datetime | None = None) -> Decision:
    """The rule every unasked-for DM follows: not at all if its kind is turned off; held for the digest while
    its person is away or has had their week's budget; else sent, in their working hours. A lead's own work
    (`DmKind.mutable` False) cannot be turned off and has no budget, but keeps the rest of the rule. A message that
    would only arrive at or after `expires` (the meeting it reminds of has begun) is held instead, and the
    digest shows it only while it is still news (see `sort_out`)."""
    spec = DM_KINDS[kind]
    if person.deleted or not wants(person, kind):  # someone no longer in the workspace is sent nothing
        return Decision(Outcome.MUTED)
    if spec.mutable and not spec.budgeted:  # asked for: it comes when it was asked to
        return Decision(Outcome.SEND, now)
    if person.is_away(now) or (spec.budgeted and used >= person.dm_budget):
        return Decision(Outcome.HOLD)
    arrives = arrival(person, now)
    if expires is not None and arrives >= expires:
        return Decision(Outcome.HOLD)
    return Decision(Outcome.SEND, arrives)


SNOOZE_MARK = ":snooze:"


def snooze(session: Session, *, person: Person, key: str, now: dt.datetime) -> tuple[Delivery, dt.datetime]:
    """Send `person` the DM they got under `key` again at the start of their next working day; returns that
    message and when it comes back.

    The copy goes through the outbox under a key of its own for that day (pressing twice sends it once), and
    counts against the person's budget as the first did. A copy snoozed again is keyed from the first message.
    """
    original = delivery_by_key(session, key=key.partition(SNOOZE_MARK)[0])
    if (original is None or original.team_id != person.team_id or original.channel != person.user_id
            or original.kind not in SNOOZABLE_DELIVERY_KINDS):
        raise BadArgument("That button is out of date: there is nothing of yours to remind you of.")
    hours = WorkingHours.of(person)
    until = hours.next_day_start(now)
    local_day = until.astimezone(hours.zone).date()
    enqueue(session, key=f"{original.key}{SNOOZE_MARK}{local_day:%Y%m%d}", team_id=person.team_id,
            channel=person.user_id, text=original.text, blocks=original.blocks, kind=original.kind,
            community_id=original.community_id, now=now, not_before=until)
    return original, until


class HeldNotice(Base):
    """A message that would have gone over someone's budget, waiting for their digest."""

    __tablename__ = "held_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The outbox key the message would have had, so that holding it is as once-only as sending it.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None] = mapped_column(default=None)


def hold(session: Session, *, key: str, person_id: int, community_id: int | None, kind: str, summary: str,
         now: dt.datetime) -> bool:
    """Keep a message for the person's next digest; False if it was already held."""
    return insert_ignore(
        session, HeldNotice,
        dict(key=key, person_id=person_id, community_id=community_id, kind=kind, summary=summary[:500],
             created_at=now),
        conflict="key",
    )


def hold_many(session: Session, rows: Sequence[dict], *, now: dt.datetime) -> int:
    """`hold` for many messages at once (each a dict of its keyword arguments but `now`)."""
    return insert_ignore_many(session, HeldNotice, [
        dict(row, summary=row["summary"][:500], created_at=now) for row in rows], conflict="key")


def sort_out(notices: Sequence[HeldNotice], *, at: dt.datetime) -> tuple[list[HeldNotice], list[int]]:
    """What of `notices` is still worth reading at `at`, and the ids of the rest, which can be let go.

    A held meeting reminder is news only until its meeting starts (the reminder's key says when), and
    the 24-hour and 1-hour reminders of one meeting say the same thing: the first of them is kept.
    """
    shown: list[HeldNotice] = []
    spent: list[int] = []
    meetings: set[tuple[int, dt.datetime]] = set()
    for notice in notices:
        occurrence = occurrence_in_key(notice.key)
        if occurrence is not None and (occurrence[1] <= at or occurrence in meetings):
            spent.append(notice.id)
            continue
        if occurrence is not None:
            meetings.add(occurrence)
        shown.append(notice)
    return shown, spent


def waiting_notices(session: Session, *, person_ids: Iterable[int], now: dt.datetime) -> dict[int, list[HeldNotice]]:
    """What is waiting for each person and still worth reading (see `sort_out`), oldest first, in one query."""
    wanted = sorted(set(person_ids))
    found: dict[int, list[HeldNotice]] = {}
    for chunk in chunked(wanted):
        for notice in session.scalars(
            select(HeldNotice).where(HeldNotice.person_id.in_(chunk), HeldNotice.released_at.is_(None),
                                     HeldNotice.created_at > now - HOLD_FOR).order_by(HeldNotice.id)
        ):
            found.setdefault(notice.person_id, []).append(notice)
    return {person_id: sort_out(notices, at=now)[0] for person_id, notices in found.items()}


def release(session: Session, *, notice_ids: Iterable[int], now: dt.datetime) -> None:
    """Mark notices as shown in a digest that is on its way (a digest run releases thousands at once)."""
    for chunk in chunked(sorted(set(notice_ids))):
        session.execute(update(HeldNotice).where(HeldNotice.id.in_(chunk)).values(released_at=now))


def handled_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these keys were already sent (or queued) or held: either way, their work is done."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for chunk in chunked(wanted):
        found.update(session.scalars(select(Delivery.key).where(Delivery.key.in_(chunk))))
        found.update(session.scalars(select(HeldNotice.key).where(HeldNotice.key.in_(chunk))))
    return found
