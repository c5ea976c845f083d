"""Meetings: series and one-off meetings, the occurrences that happened to them, who said they would come and
who came, agendas, decisions, notes and minutes, and the reminders copbot sent before them.

Each community has a few series (weekly, fortnightly, monthly) started in the last half year and many
one-off meetings over its life, most held, some cancelled, a few still to come; a few communities have a
meeting nobody ended, whose grace runs out at `now`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.org.context import DAY, WEEK, CommunityPlan, MemberPlan, Org
from bench.org.outbox import in_past_week
from models import ContributionKind, MentionSource
from models.links import link_to
from models.meetings import AgendaItem, Attendance, Decision, Meeting, MeetingNote, MeetingOccurrence, Rsvp
from models.meetings.agenda import AgendaStatus
from models.meetings.records import AttendedBy
from models.meetings.reminders import RsvpAnswer
from models.meetings.running import GRACE
from models.when import Recurrence, at_local, occurrences

SLOTS = tuple(dt.time(hour, minute) for hour in range(9, 17) for minute in (0, 30))
SERIES = ("weekly:1", "weekly:2", "monthly:1")
TITLES = ("Show and tell", "Community call", "Lean coffee", "Deep dive", "Retrospective", "Book club",
          "Planning session", "Ask me anything", "Lightning talks", "Clinic")
AGENDA = ("Welcome newcomers", "Review open actions", "Demo of the new pipeline", "What we learnt this month",
          "Budget for the conference", "Guidelines to review", "Ideas for the next quarter", "Tooling survey results")
DECISIONS = ("Adopt the shared template", "Move the call to fortnightly", "Publish the guideline on the wiki",
             "Run a workshop next quarter", "Retire the old checklist", "Pair newcomers with an SME")
NOTES = ("Slides are in the channel", "Recording to follow", "Three teams want to join the pilot",
         "The survey closes on Friday", "Security signed the approach off")
HISTORY = WEEK * 26  # series start in the last half year: older meetings were one-offs
UPCOMING_ROWS = WEEK  # occurrences this close have RSVPs and agenda items, so rows


@dataclass
class _Rows:
    meetings: list[dict[str, Any]] = field(default_factory=list)
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    rsvps: list[dict[str, Any]] = field(default_factory=list)
    attendances: list[dict[str, Any]] = field(default_factory=list)
    agenda: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)


def spread(total: int, parts: int) -> list[int]:
    """`total` shared out over `parts` as evenly as whole numbers allow."""
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def plan_meetings(org: Org) -> None:
    org.writer.stage("meetings")
    rows = _Rows()
    overdue = max(1, round(len(org.communities) * 0.02))
    for n, (community, count) in enumerate(zip(org.communities, spread(org.scale.meetings, len(org.communities)),
                                              strict=True)):
        _Community(org, community, rows).generate(count, overdue=n < overdue)
    for meeting in rows.meetings:
        org.meeting_ids.setdefault(meeting["community_id"], []).append(meeting["id"])
    writer = org.writer
    writer.insert(Meeting, rows.meetings)
    writer.insert(MeetingOccurrence, rows.occurrences)
    writer.insert(Rsvp, rows.rsvps)
    writer.insert(Attendance, rows.attendances)
    writer.insert(AgendaItem, rows.agenda)
    writer.insert(Decision, rows.decisions)
    writer.insert(MeetingNote, rows.notes)


class _Community:
    def __init__(self, org: Org, community: CommunityPlan, rows: _Rows) -> None:
        self.org, self.community, self.rows = org, community, rows
        self.rng = org.rng
        self.now = org.now
        self.members = community.members
        self.leads = community.leads() or community.active_members()[:1]
        # occurrence id -> (who said yes, when): whom each reminder also went to by DM.
        self.yes: dict[int, list[tuple[MemberPlan, dt.datetime]]] = {}

    def generate(self, count: int, *, overdue: bool) -> None:
        series = min(len(SERIES), count // 3)
        for rule in SERIES[:series]:
            self._series(rule)
        for n in range(count - series):
            if overdue and n == 0:
                self._overdue()
            else:
                self._one_off()
        if self.rng.random() < 0.3:  # agenda items waiting for whichever meeting comes next
            for _ in range(self.rng.randint(1, 3)):
                self._agenda_item(None, at=self.org.between(self.now - WEEK, self.now - dt.timedelta(minutes=5)),
                                  status=AgendaStatus.OPEN)

    # ------------------------------------------------------------------ series and one-offs

    def _slot(self, day: dt.date) -> dt.datetime:
        while day.isoweekday() > 5:
            day += DAY
        return at_local(day, self.rng.choice(SLOTS), self.community.tz)

    def _meeting(self, *, title: str, starts_at: dt.datetime, rule: str | None, created_at: dt.datetime,
                 cancelled_at: dt.datetime | None = None) -> dict[str, Any]:
        created_at = max(created_at, self.community.created_at)
        creator = self.rng.choice([m for m in self.leads if m.active_at(created_at)] or [self.community.founder()])
        meeting = dict(id=self.org.writer.next_id("meetings"), community_id=self.community.id, title=title,
                       starts_at=starts_at, duration_minutes=self.rng.choice((30, 45, 60, 60, 90)), recurrence=rule,
                       created_by_id=creator.person.id, created_at=created_at, cancelled_at=cancelled_at,
                       permalink=self.org.permalink(self.community.channel, self.org.ts(created_at)[0]))
        self.rows.meetings.append(meeting)
        self.org.contribute(creator, self.community, ContributionKind.MEETING_LED,
                            key=f"meeting:{meeting['id']}:scheduled", at=created_at, detail="scheduled")
        return meeting

    def _series(self, rule: str) -> None:
        # Communities are at least four months old, so every series has two months of history or more.
        earliest = max(self.now - HISTORY, self.community.created_at + 2 * DAY)
        first = self._slot(self.org.between(earliest, self.now - 8 * WEEK).date())
        meeting = self._meeting(title=self.rng.choice(TITLES), starts_at=first, rule=rule,
                                created_at=first - dt.timedelta(days=self.rng.uniform(1, 10)))
        times = occurrences(first, Recurrence.from_rule(rule), tz=self.community.tz,
                            after=first - dt.timedelta(microseconds=1), count=400, until=self.now + 2 * WEEK)
        for start in times:
            if start > self.now or self.rng.random() > 0.05:
                self._occurrence(meeting, start)
            else:
                self._row(meeting, start, created_at=start - DAY, cancelled_at=start - DAY)

    def _one_off(self) -> None:
        roll = self.rng.random()
        title = self.rng.choice(TITLES)
        if roll < 0.1:  # still to come
            start = self._slot(self.org.between(self.now + dt.timedelta(hours=1), self.now + 2 * WEEK).date())
            if start <= self.now:
                start += WEEK
            created = self.org.between(max(start - 3 * WEEK, self.community.created_at),
                                       self.now - dt.timedelta(hours=1))
            cancelled = self.org.between(created, self.now - dt.timedelta(minutes=10)) if roll < 0.004 else None
            meeting = self._meeting(title=title, starts_at=start, rule=None, created_at=created, cancelled_at=cancelled)
            if cancelled is None:
                self._occurrence(meeting, start)
            return
        start = self._slot(self.org.between(self.community.created_at + 2 * DAY, self.now - DAY).date())
        if start > self.now - 3 * dt.timedelta(hours=1):
            start -= WEEK
        created = start - dt.timedelta(days=self.rng.uniform(0.5, 14))
        if roll < 0.18:  # cancelled before it happened
            self._meeting(title=title, starts_at=start, rule=None, created_at=created,
                          cancelled_at=self.org.between(max(created, self.community.created_at), start))
            return
        meeting = self._meeting(title=title, starts_at=start, rule=None, created_at=created)
        self._occurrence(meeting, start, held=roll >= 0.25)

    def _overdue(self) -> None:
        """A meeting whose lead forgot `/cop meeting end`: its planned end and grace run out at `now`."""
        duration = dt.timedelta(minutes=60)
        start = self.now - duration - GRACE
        meeting = self._meeting(title="Community call", starts_at=start, rule=None,
                                created_at=start - dt.timedelta(days=5))
        meeting["duration_minutes"] = 60
        self._occurrence(meeting, start, started_at=start, lead_ends=False)

    # ------------------------------------------------------------------ occurrences

    def _row(self, meeting: dict[str, Any], start: dt.datetime, *, created_at: dt.datetime,
             cancelled_at: dt.datetime | None = None) -> dict[str, Any]:
        row = dict(id=self.org.writer.next_id("meeting_occurrences"), meeting_id=meeting["id"], original_at=start,
                   starts_at=start, cancelled_at=cancelled_at, started_at=None, started_by_id=None, ended_at=None,
                   closed_by_scheduler=False, thread_ts=None, permalink=None, minutes=None, minutes_permalink=None,
                   created_at=max(created_at, meeting["created_at"]))
        self.rows.occurrences.append(row)
        return row

    def _occurrence(self, meeting: dict[str, Any], start: dt.datetime, *, held: bool = True,
                    started_at: dt.datetime | None = None, lead_ends: bool | None = None) -> None:
        duration = dt.timedelta(minutes=meeting["duration_minutes"])
        if start > self.now:
            if start <= self.now + UPCOMING_ROWS:
                row = self._row(meeting, start, created_at=self.now - dt.timedelta(days=self.rng.uniform(0.1, 5)))
                self._upcoming(row, meeting)
                self._reminders(meeting, row, start)
            return
        if not held:
            if start > self.now - WEEK:
                row = self._row(meeting, start, created_at=start - DAY)
                self._reminders(meeting, row, start)
            return
        row = self._row(meeting, start, created_at=start - dt.timedelta(days=self.rng.uniform(0.2, 4)))
        self._held(meeting, row, start, duration, started_at=started_at, lead_ends=lead_ends)
        self._reminders(meeting, row, start)

    def _upcoming(self, row: dict[str, Any], meeting: dict[str, Any]) -> None:
        coming = [m for m in self.community.active_members() if m.active_at(self.now)]
        since = max(meeting["created_at"], self.now - 5 * DAY)
        for member in self.org.pick(coming, max(1, len(coming) // 20)):
            answered = self.org.between(max(since, member.joined_at), self.now - dt.timedelta(minutes=1))
            answer = self.rng.choices((RsvpAnswer.YES, RsvpAnswer.MAYBE, RsvpAnswer.NO), weights=(6, 2, 2))[0]
            self._rsvp(row, member, answer, answered)
        for _ in range(self.rng.randint(0, 3)):
            self._agenda_item(row, at=self.org.between(since, self.now - dt.timedelta(minutes=1)),
                              status=AgendaStatus.OPEN)

    def _held(self, meeting: dict[str, Any], row: dict[str, Any], start: dt.datetime, duration: dt.timedelta, *,
              started_at: dt.datetime | None, lead_ends: bool | None) -> None:
        org, rng = self.org, self.rng
        present = [m for m in self.members if m.active_at(start) and m.person.reachable]
        starters = [m for m in present if m in self.leads] or present[:1]
        if not starters:
            return
        starter = rng.choice(starters)
        started = started_at or start + dt.timedelta(minutes=rng.randint(-3, 5))
        planned_end = max(start, started) + duration
        if lead_ends is None:
            lead_ends = rng.random() > 0.08
        ended: dt.datetime | None
        if lead_ends:
            ended = planned_end + dt.timedelta(minutes=rng.randint(-10, 10))
            ended = ended if ended <= org.now else None
        elif org.handled(planned_end + GRACE, "meetings.close_overdue"):
            ended = org.tick_after(planned_end + GRACE, "meetings.close_overdue")
            row["closed_by_scheduler"] = True
        else:
            ended = None
        row.update(started_at=started, started_by_id=starter.person.id, ended_at=ended)
        if in_past_week(org, started):
            thread_ts = org.outbox.post(key=f"meeting:{row['id']}:thread", channel=self.community.channel,
                                        kind="announcement", at=started, community_id=self.community.id,
                                        text=f"{meeting['title']} has started", link_to=link_to("meeting_thread",
                                                                                                 row["id"]))
        else:
            thread_ts = org.ts(started)[0]
        row.update(thread_ts=thread_ts, permalink=org.permalink(self.community.channel, thread_ts))
        until = ended or org.now
        size = max(2, min(40, round(len(present) * rng.uniform(0.03, 0.1))))
        attendees = [starter] + [m for m in org.pick(present, size) if m is not starter]
        for member in attendees:
            seen = started if member is starter else org.between(started,
                                                                 min(until, started + dt.timedelta(minutes=20)))
            how = AttendedBy.LEAD if member is starter else rng.choice((AttendedBy.SPOKE, AttendedBy.HERE))
            self.rows.attendances.append(dict(id=org.writer.next_id("attendances"), occurrence_id=row["id"],
                                              person_id=member.person.id, attended_by=how.value, first_seen_at=seen,
                                              permalink=row["permalink"]))
            org.contribute(member, self.community, ContributionKind.MEETING_ATTENDED,
                           key=f"attended:{row['id']}:{member.person.id}", at=seen)
        org.contribute(starter, self.community, ContributionKind.MEETING_LED, key=f"led:{row['id']}", at=started,
                       detail="started")
        # Most who came said so beforehand; a few more answered and did not come.
        answering = [m for m in attendees if rng.random() < 0.7]
        answering += org.pick([m for m in present if m not in attendees], len(attendees) // 3)
        for member in answering:
            earliest = max(meeting["created_at"], start - 5 * DAY, member.joined_at)
            if earliest >= start - dt.timedelta(minutes=10):
                continue
            answer = RsvpAnswer.YES if member in attendees else rng.choice((RsvpAnswer.NO, RsvpAnswer.MAYBE,
                                                                            RsvpAnswer.YES))
            self._rsvp(row, member, answer, org.between(earliest, start - dt.timedelta(minutes=10)))
        discussed = []
        for _ in range(rng.randint(0, 4)):
            item = self._agenda_item(row, at=org.between(max(meeting["created_at"], start - 3 * DAY), start),
                                     status=AgendaStatus.DONE if ended else AgendaStatus.OPEN)
            if ended:
                item["closed_at"] = org.between(started, ended)
                discussed.append(item["text"])
        decisions = [self._decision(row, attendees, started, until) for _ in range(rng.randint(0, 3))]
        notes = [self._note(row, attendees, started, until) for _ in range(rng.randint(0, 3))]
        if ended is not None:
            self._minutes(meeting, row, attendees, decisions, notes, discussed)

    def _minutes(self, meeting: dict[str, Any], row: dict[str, Any], attendees: Sequence[MemberPlan],
                 decisions: Sequence[dict[str, Any]], notes: Sequence[dict[str, Any]], discussed: list[str]) -> None:
        """The snapshot `models.meetings.minutes.build_minutes` keeps, and its post in the channel."""
        org = self.org
        by = {m.person.id: m.person.user_id for m in attendees}
        row["minutes"] = {
            "occurrence_id": row["id"], "meeting_id": meeting["id"], "title": meeting["title"],
            "community": self.community.row["name"], "scheduled_for": row["starts_at"].isoformat(),
            "started_at": row["started_at"].isoformat(), "ended_at": row["ended_at"].isoformat(),
            "closed_by_scheduler": row["closed_by_scheduler"], "thread": row["permalink"],
            "attendees": [m.person.user_id for m in attendees],
            "decisions": [{"text": d["text"], "by": by.get(d["person_id"]), "permalink": d["permalink"]}
                          for d in decisions],
            "actions": [],
            "notes": [{"text": n["text"], "by": by.get(n["person_id"]), "permalink": n["permalink"]} for n in notes],
            "discussed": discussed, "carried_over": [], "open_actions": [], "open_actions_total": 0,
        }
        if in_past_week(org, row["ended_at"]):
            ts = org.outbox.post(key=f"minutes:{row['id']}", channel=self.community.channel, kind="minutes",
                                 at=row["ended_at"], community_id=self.community.id,
                                 text=f"Minutes of {meeting['title']}", link_to=link_to("minutes", row["id"]))
        else:
            ts = org.ts(row["ended_at"])[0]
        row["minutes_permalink"] = org.permalink(self.community.channel, ts)

    # ------------------------------------------------------------------ what a meeting records

    def _rsvp(self, row: dict[str, Any], member: MemberPlan, answer: RsvpAnswer, at: dt.datetime) -> None:
        self.rows.rsvps.append(dict(id=self.org.writer.next_id("rsvps"), occurrence_id=row["id"],
                                    person_id=member.person.id, answer=answer.value, answered_at=at, permalink=None))
        if answer is RsvpAnswer.YES:
            self.yes.setdefault(row["id"], []).append((member, at))
        self.org.contribute(member, self.community, ContributionKind.RSVP, key=f"rsvp:{row['id']}:{member.person.id}",
                            at=at, detail=answer.value)

    def _agenda_item(self, row: dict[str, Any] | None, *, at: dt.datetime, status: AgendaStatus) -> dict[str, Any]:
        org = self.org
        by = org.one([m for m in self.members if m.active_at(at) and m.person.reachable])
        item_id = org.writer.next_id("agenda_items")
        text = self.rng.choice(AGENDA)
        if by is not None and self.rng.random() < 0.15:
            text = org.mention(MentionSource.AGENDA_ITEM, item_id, self.community, by=by.person, text=text, at=at)
        item = dict(id=item_id, community_id=self.community.id, occurrence_id=row["id"] if row else None, text=text,
                    added_by_id=by.person.id if by else None, status=status.value, carried_from_id=None,
                    created_at=at, closed_at=None, permalink=None)
        self.rows.agenda.append(item)
        if by is not None:
            org.contribute(by, self.community, ContributionKind.AGENDA_ITEM, key=f"agenda:{item_id}", at=at)
        return item

    def _said(self, row: dict[str, Any], attendees: Sequence[MemberPlan], start: dt.datetime, until: dt.datetime, *,
              table: str, texts: Sequence[str], source: MentionSource, kind: ContributionKind, key: str,
              names: int) -> dict[str, Any]:
        """A line someone wrote in the meeting's thread (`decision:` or `info:`), naming people now and then."""
        org = self.org
        by = self.rng.choice(attendees)
        at = org.between(start, until)
        record_id = org.writer.next_id(table)
        link = org.permalink(self.community.channel, org.ts(at)[0])
        text = self.rng.choice(texts)
        if names:
            text = org.mention(source, record_id, self.community, by=by.person, text=text, at=at, permalink=link,
                               k=names)
        org.contribute(by, self.community, kind, key=f"{key}:{record_id}", at=at)
        return dict(id=record_id, occurrence_id=row["id"], text=text, person_id=by.person.id, created_at=at,
                    permalink=link)

    def _decision(self, row: dict[str, Any], attendees: Sequence[MemberPlan], start: dt.datetime,
                  until: dt.datetime) -> dict[str, Any]:
        names = self.rng.randint(1, 3) if self.rng.random() < 0.2 else 0
        decision = self._said(row, attendees, start, until, table="decisions", texts=DECISIONS,
                              source=MentionSource.DECISION, kind=ContributionKind.DECISION, key="decision",
                              names=names)
        decision["community_id"] = self.community.id
        self.rows.decisions.append(decision)
        return decision

    def _note(self, row: dict[str, Any], attendees: Sequence[MemberPlan], start: dt.datetime,
              until: dt.datetime) -> dict[str, Any]:
        note = self._said(row, attendees, start, until, table="meeting_notes", texts=NOTES,
                          source=MentionSource.MEETING_NOTE, kind=ContributionKind.MEETING_NOTE, key="note",
                          names=1 if self.rng.random() < 0.15 else 0)
        self.rows.notes.append(note)
        return note

    # ------------------------------------------------------------------ reminders

    def _reminders(self, meeting: dict[str, Any], row: dict[str, Any], start: dt.datetime) -> None:
        """The reminders earlier ticks sent: each offset at the first tick after its moment, unless a nearer
        offset had also come by then (a late bot sends only the nearer one), and never once the meeting began."""
        org = self.org
        if not (org.now - WEEK < start <= org.now + WEEK) or row["cancelled_at"] is not None:
            return
        offsets = sorted(self.community.row["reminder_offsets"])
        for offset in offsets:
            moment = start - dt.timedelta(minutes=offset)
            tick = org.tick_after(max(moment, meeting["created_at"]), "reminders.send_due")
            if tick >= start or not org.handled(tick, "reminders.send_due") or not in_past_week(org, tick):
                continue
            if row["started_at"] is not None and row["started_at"] <= tick:
                continue
            if any(start - dt.timedelta(minutes=nearer) <= tick for nearer in offsets if nearer < offset):
                continue
            key = f"reminder:{meeting['id']}:{start:%Y%m%dT%H%MZ}:{offset}m:"
            org.outbox.post(key=key + self.community.channel, channel=self.community.channel, kind="reminder", at=tick,
                            community_id=self.community.id, text=f"{meeting['title']} is coming up")
            row["created_at"] = min(row["created_at"], tick)
            for member, answered in self.yes.get(row["id"], []):
                person = member.person
                if answered < tick and person.reachable:
                    org.outbox.dm(person, kind="meetings", delivery_kind="reminder_dm",
                                  key=f"{key}dm:{person.user_id}", at=tick, community_id=self.community.id,
                                  text=f"{meeting['title']} is coming up", summary=f"{meeting['title']} is coming up")
