"""Standups: scheduled ones asked by DM at each member's own time over the last two weeks (today's partly
asked), their summaries and the leads told who was missing; and a few run in the channel this morning
whose window has just closed.

Whether an ask reached someone depends on their weekly budget, so answers, summaries and the leads' DMs
are settled with the rest of the week's DMs (`Outbox.later`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bench.org.context import DAY, WEEK, CommunityPlan, MemberPlan, Org
from bench.org.outbox import in_past_week
from models import ContributionKind, MentionSource, Standup, StandupAnswer, StandupRun
from models.attention import Outcome
from models.hours import zone_of
from models.links import link_to
from models.standups.tables import DEFAULT_QUESTIONS
from models.when import at_local

DAYS = ("12345", "135", "1", "24", "1234")
ASK_AT = (dt.time(9), dt.time(9, 30), dt.time(10))
ANSWERS = (("Reviewed the pipeline changes", "Pairing on the docs", "No blockers"),
           ("Ran the user interviews", "Writing up the findings", "Nothing"),
           ("Fixed the flaky tests", "Looking at the dashboards", "Waiting on access to the staging account"),
           ("Prepared the talk", "Booking the room", "None"))
HISTORY = 2 * WEEK


@dataclass
class _Run:
    row: dict[str, Any]
    community: CommunityPlan
    expected: list[MemberPlan] = field(default_factory=list)  # asked (async) or every member (in the channel)
    answers: list[dict[str, Any]] = field(default_factory=list)


class Standups:
    """Plans the standups before the week is settled; `reserve` bounds the contributions their answers may add."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.standups: list[dict[str, Any]] = []
        self.runs: list[_Run] = []
        self.reserve = 0

    def plan(self) -> None:
        org = self.org
        org.writer.stage("standups")
        count = len(org.communities)
        in_channel = max(1, round(count * 0.05))
        for n, community in enumerate(org.communities):
            scheduled = n == 1 % count or org.rng.random() < 0.3
            if scheduled or n < in_channel or org.rng.random() < 0.1:
                standup = self._standup(community, scheduled=scheduled)
                if scheduled:
                    self._scheduled(community, standup)
                if n < in_channel:
                    self._in_channel(community, standup)
        org.writer.insert(Standup, self.standups)

    def write(self) -> None:
        self.org.writer.insert(StandupRun, (run.row for run in self.runs))
        self.org.writer.insert(StandupAnswer, (answer for run in self.runs for answer in run.answers))

    def _standup(self, community: CommunityPlan, *, scheduled: bool) -> dict[str, Any]:
        rng = self.org.rng
        row = dict(id=self.org.writer.next_id("standups"), community_id=community.id, questions=list(DEFAULT_QUESTIONS),
                   days=rng.choice(DAYS) if scheduled else "", ask_time=rng.choice(ASK_AT) if scheduled else None,
                   window_minutes=rng.choice((240, 240, 180, 120)), created_at=community.created_at + DAY)
        self.standups.append(row)
        return row

    # ------------------------------------------------------------------ asked by DM

    def _scheduled(self, community: CommunityPlan, standup: dict[str, Any]) -> None:
        """Each day of the schedule: who was asked at their own time, and when the run closes (a window after
        its last member's time, as models.standups.asks.due_asks works it out)."""
        org = self.org
        # The same people due_asks finds: active members who take standup DMs, not away.
        members = [m for m in community.active_members() if m.person.row["standup_dms"]]
        window = dt.timedelta(minutes=standup["window_minutes"])
        today = org.now.astimezone(zone_of(community.tz)).date()
        day = today - dt.timedelta(days=HISTORY.days)
        while day <= today + DAY:
            if str(day.isoweekday()) in standup["days"]:
                asks = [(m, at_local(day, standup["ask_time"], m.person.tz)) for m in members]
                asks = [(m, at) for m, at in asks if m.joined_at <= at and not m.person.away_at(at)]
                if asks:
                    self._async_run(community, standup, day, asks, window)
            day += DAY

    def _async_run(self, community: CommunityPlan, standup: dict[str, Any], day: dt.date,
                   asks: list[tuple[MemberPlan, dt.datetime]], window: dt.timedelta) -> None:
        org = self.org
        first = org.tick_after(min(at for _, at in asks), "standups.ask_due")
        if not org.handled(first, "standups.ask_due"):
            return  # nobody asked yet: the run is created by the first ask
        closes = max(at for _, at in asks) + window
        run = _Run(dict(id=org.writer.next_id("standup_runs"), standup_id=standup["id"], run_date=day,
                        questions=list(standup["questions"]), started_at=first, started_by_id=None,
                        closes_at=closes, closed_at=None, thread_ts=None, permalink=None, summary=None), community)
        self.runs.append(run)
        for member, at in asks:
            tick = org.tick_after(at, "standups.ask_due")
            if not org.handled(tick, "standups.ask_due") or tick >= closes:
                continue
            answers = org.rng.random() < 0.6 and member.active_at(at)
            self.reserve += answers
            then = self._asked(run, member, tick, answers, until=min(closes, org.now))
            if in_past_week(org, tick):
                org.outbox.dm(member.person, kind="standups", delivery_kind="standup_ask",
                              key=f"standup:{standup['id']}:{day.isoformat()}:ask:{member.person.user_id}", at=tick,
                              community_id=community.id, text=f"Standup for {community.row['name']}",
                              summary=f"Standup for {community.row['name']} on {day:%a %d %b}: you were not asked",
                              then=then)
            else:
                org.outbox.later(tick, lambda then=then: then(Outcome.SEND))
        self._closing(run, closes)

    def _asked(self, run: _Run, member: MemberPlan, tick: dt.datetime, answers: bool, *, until: dt.datetime):  # noqa: ANN202
        """What happens once the ask is decided: asked (and perhaps answered), or held back and so not expected."""
        org = self.org

        def decided(outcome: Outcome) -> None:
            asked = outcome is Outcome.SEND
            row = dict(id=org.writer.next_id("standup_answers"), run_id=run.row["id"], person_id=member.person.id,
                       asked_at=tick if asked else None, answered_at=None, answers=None, permalink=None,
                       blocker_action_id=None)
            run.answers.append(row)
            if asked:
                run.expected.append(member)
            latest = min(until, tick + dt.timedelta(hours=3)) - dt.timedelta(minutes=1)
            if asked and answers and latest > tick:
                self._answer(run, member, row, org.between(tick + dt.timedelta(minutes=1), latest))

        return decided

    def _answer(self, run: _Run, member: MemberPlan, row: dict[str, Any], at: dt.datetime) -> None:
        org = self.org
        answers = list(org.rng.choice(ANSWERS))
        if org.rng.random() < 0.1:
            answers[0] = org.mention(MentionSource.STANDUP_ANSWER, row["id"], run.community, by=member.person,
                                     text=answers[0], at=at, permalink=row["permalink"])
        row.update(answered_at=at, answers=answers)
        org.contribute(member, run.community, ContributionKind.STANDUP_UPDATE, key=f"standup:{run.row['id']}:"
                       f"{member.person.id}", at=at)

    def _closing(self, run: _Run, closes: dt.datetime) -> None:
        """The close job's work, done when the window closed if a tick has come since."""
        org = self.org
        tick = org.tick_after(closes, "standups.close_due")
        if org.handled(tick, "standups.close_due"):
            org.outbox.later(tick, lambda: self._close(run, tick))

    def _close(self, run: _Run, at: dt.datetime) -> None:
        """`models.standups.runs.close_run` and `bot.standups.post_summary`, as they were at `at`."""
        org, community = self.org, run.community
        answered = sorted((a for a in run.answers if a["answered_at"] is not None),
                          key=lambda a: (a["answered_at"], a["id"]))
        done = {a["person_id"] for a in answered}
        users = {m.person.id: m.person for m in community.members}
        missing = [m.person for m in run.expected if m.person.id not in done]
        run.row.update(closed_at=at, summary={
            "run_id": run.row["id"], "community": community.row["name"],
            "date": run.row["run_date"].isoformat() if run.row["run_date"] else None,
            "started_at": run.row["started_at"].isoformat(), "closed_at": at.isoformat(),
            "questions": list(run.row["questions"]), "thread": run.row["permalink"],
            "updates": [{"user": users[a["person_id"]].user_id, "answers": a["answers"], "permalink": a["permalink"],
                         "blocker_action": None} for a in answered],
            "missing": [p.user_id for p in missing if not p.away_at(at)],
            "away": [p.user_id for p in missing if p.away_at(at)],
        })
        if not in_past_week(org, at):
            return
        org.outbox.post(key=f"standup:{run.row['id']}:summary", channel=community.channel, kind="standup_summary",
                        at=at, community_id=community.id, text=f"Standup summary for {community.row['name']}",
                        link_to=link_to("standup_summary", run.row["id"]))
        if run.row["summary"]["missing"]:
            for lead in community.leads():
                if lead.person.row["standup_dms"]:
                    org.outbox.dm(lead.person, kind="standups", delivery_kind="standup_missing",
                                  key=f"standup:{run.row['id']}:missing:{lead.person.user_id}", at=at,
                                  community_id=community.id, text="Who did not answer the standup",
                                  summary=f"{len(run.row['summary']['missing'])} did not answer the standup")

    # ------------------------------------------------------------------ in the channel

    def _in_channel(self, community: CommunityPlan, standup: dict[str, Any]) -> None:
        """A lead ran `/cop standup` this morning and nobody ended it: its window has just closed."""
        org = self.org
        window = dt.timedelta(minutes=standup["window_minutes"])
        # Closing within the last minute: the tick before `now` did not see it close.
        started = org.now - window - dt.timedelta(seconds=org.rng.randint(0, 50))
        lead = org.one([m for m in community.leads() if m.active_at(started)]) or community.founder()
        run = _Run(dict(id=org.writer.next_id("standup_runs"), standup_id=standup["id"], run_date=None,
                        questions=list(standup["questions"]), started_at=started, started_by_id=lead.person.id,
                        closes_at=started + window, closed_at=None, thread_ts=None, permalink=None, summary=None),
                   community)
        ts = org.outbox.post(key=f"standup:{run.row['id']}:thread", channel=community.channel, kind="announcement",
                             at=started, community_id=community.id, text="Standup: answer in the thread",
                             link_to=link_to("standup_thread", run.row["id"]))
        run.row.update(thread_ts=ts, permalink=org.permalink(community.channel, ts))
        self.runs.append(run)
        present = [m for m in community.active_members() if m.active_at(started)]
        for member in org.pick(present, max(1, len(present) // 4)):
            at = org.between(started + dt.timedelta(minutes=1), run.row["closes_at"] - dt.timedelta(minutes=1))
            reply, _ = org.ts(at)
            row = dict(id=org.writer.next_id("standup_answers"), run_id=run.row["id"], person_id=member.person.id,
                       asked_at=None, answered_at=None, answers=None, permalink=org.permalink(community.channel, reply),
                       blocker_action_id=None)
            run.answers.append(row)
            self.reserve += 1
            org.outbox.later(at, lambda run=run, member=member, row=row, at=at: self._answer(run, member, row, at))
