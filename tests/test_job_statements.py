"""What each scheduler job costs in SQL statements does not grow with the people it serves.

Each test builds communities with N members, counts the statements of one run of a job, rolls the
run back, gives the same communities 3N members more, and counts again at the same instant: the two
counts are equal, while the job's work (what it returns) grows with the members, fourfold where each
member is due something. Both sizes stay inside one IN list (500 values), so what is counted is the
few statements a job costs per community and zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import (
    ActionStatus,
    Community,
    HeldNotice,
    InboxItem,
    InboxStatus,
    Meeting,
    Membership,
    Nudge,
    Person,
    Role,
    StandupRun,
)
from models.attention import hold
from models.communities import create_community
from models.deliveries import enqueue
from models.digests.parts import MAX_ITEMS
from models.inbox import Arrival, record
from models.meetings import RsvpAnswer, schedule_meeting
from models.meetings.agenda import add_agenda_item
from models.meetings.occurrences import MeetingOccurrence, find_occurrence, occurrence_row
from models.meetings.records import AttendedBy, record_attendance, record_decision, record_note
from models.meetings.reminders import record_rsvp
from models.meetings.running import start_meeting
from models.mentions import MentionSource, record_mentions
from models.newcomers import public_welcome_key
from models.people import enroll_members
from models.questions import note_question
from models.standups.runs import record_answer
from models.standups.settings import set_schedule, standup_for
from scheduler.digests import post_channel_digests, send_digest_dms
from scheduler.follow_up import follow_up_actions
from scheduler.jobs import (
    ask_standups,
    close_overdue_meetings,
    close_standups,
    forget_finished_requests,
    send_due_reminders,
)
from scheduler.outreach import send_checkins, send_nudges
from scheduler.profiles import refresh_profiles
from tests import factories
from tests.conftest import TEAM

UTC = dt.UTC
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
# Monday 22 March 2027, 10:00 UTC: 10:00 in London, 11:00 in Berlin, 15:30 in Bengaluru. Every reader's
# 09:00 has come, and every community's Monday 09:00 slot; these are everyone's working hours.
AT = dt.datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
LONG_AGO = AT - 60 * DAY
ZONES = ("Europe/London", "Europe/Berlin", "Asia/Kolkata")
N = 4  # members per community at first; then four times as many
Grow = Callable[[Session, int, int], None]


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """Every statement sent to the database while inside (an executemany counts once)."""
    statements: list[str] = []

    def note(_connection, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


@dataclass(frozen=True)
class Run:
    statements: int
    result: int


def measure(sessions: sessionmaker[Session], job: Callable[..., int], at: dt.datetime) -> Run:
    """One run of `job`, flushed and counted, then rolled back so that the next run finds the same work."""
    with sessions() as session, counting(sessions.kw["bind"]) as statements:
        result = job(session=session, now=at)
        session.flush()
        count = len(statements)
        session.rollback()
    return Run(count, result)


def grown(sessions: sessionmaker[Session], job: Callable[..., int], grow: Grow,
          at: dt.datetime = AT) -> tuple[Run, Run]:
    """The job's run with N members per community, and with 4N."""
    with sessions.begin() as session:
        grow(session, 0, N)
    small = measure(sessions, job, at)
    with sessions.begin() as session:
        grow(session, N, 3 * N)
    return small, measure(sessions, job, at)


def assert_flat(small: Run, large: Run, *, work: int) -> None:
    assert (small.result, large.result) == (work, 4 * work), "the fixture should give the job four times the work"
    assert large.statements == small.statements, (
        f"{small.statements} statements for {small.result}, {large.statements} for {large.result}")


def communities(sessions: sessionmaker[Session], count: int, start: int = 0) -> list[int]:
    """Communities in London, Berlin and Bengaluru in turn, all led by the same lead."""
    with sessions.begin() as session:
        made = [create_community(session, team_id=TEAM, channel_id=f"C{n:04d}", name=f"CoP {n}", created_by="ULEAD",
                                 timezone=ZONES[n % len(ZONES)], now=LONG_AGO - DAY)
                for n in range(start, start + count)]
        for place in made:
            factories.member(session, place, "ULEAD", joined=LONG_AGO, role=Role.LEAD, nudges_enabled=False)
        return [place.id for place in made]


def lead(session: Session) -> Person:
    return factories.person(session, "ULEAD", team_id=TEAM, now=LONG_AGO)


def places(session: Session, ids: list[int]) -> list[Community]:
    return [session.get_one(Community, community_id) for community_id in ids]


def people(session: Session, start: int, count: int, **prefs: object) -> list[Person]:
    """People numbered from `start`, over the three zones, with their profile known."""
    return [factories.person(session, f"U{n:05d}", team_id=TEAM, now=LONG_AGO, tz=ZONES[n % len(ZONES)], **prefs)
            for n in range(start, start + count)]


def enrol(session: Session, ids: list[int], start: int, count: int, *, since: dt.datetime = LONG_AGO,
          **prefs: object) -> list[Membership]:
    """`people` made members of every community of `ids`, community by community."""
    made = people(session, start, count, **prefs)
    return [factories.member(session, place, person.user_id, joined=since)
            for place in places(session, ids) for person in made]


def busy_week(session: Session, ids: list[int]) -> None:
    """More actions opened and decisions taken this week than a digest lists: a list that grows past MAX_ITEMS
    costs its section one count more, once per community, which is not what these tests are about."""
    for place in places(session, ids):
        for n in range(MAX_ITEMS + 1):
            factories.action(session, place, f"Pool {n}", created=AT - 4 * DAY)
            record_decision(session, community=place, occurrence=None, text=f"Decision {n}", person=lead(session),
                            now=AT - 4 * DAY)


def test_digest_dms_cost_the_same_for_four_times_the_readers(sessions):
    """Each reader, in two communities, has open actions, messages held for them and a mention in both."""
    ids = communities(sessions, 2)
    with sessions.begin() as session:
        busy_week(session, ids)

    def grow(session: Session, start: int, count: int) -> None:
        for membership in enrol(session, ids, start, count, digest_dm=True, nudges_enabled=False):
            place, reader = membership.community, membership.person
            factories.action(session, place, f"Write up {reader.user_id}", created=AT - 3 * DAY, owner=reader,
                             due=AT + 2 * DAY)
            hold(session, key=f"held:{place.id}:{reader.id}", person_id=reader.id, community_id=place.id,
                 kind="nudge", summary="One small thing", now=AT - 2 * DAY)
        readers = people(session, start, count)
        for place in places(session, ids):
            record_mentions(session, community_id=place.id, source=MentionSource.DECISION, record_id=start + 1,
                            mentioned=readers, by=lead(session), text="We agreed", now=AT - DAY)
        for reader in readers:  # about no community: shown in the first of their copies only
            hold(session, key=f"held:none:{reader.id}", person_id=reader.id, community_id=None, kind="escalation",
                 summary="Escalated to you", now=AT - DAY)

    small, large = grown(sessions, send_digest_dms, grow)
    assert_flat(small, large, work=2 * N)


def test_a_notice_held_about_no_community_is_in_the_first_copy_only(sessions):
    ids = communities(sessions, 2)
    with sessions.begin() as session:
        [membership, _] = enrol(session, ids, 0, 1, digest_dm=True, nudges_enabled=False)
        hold(session, key="held:none", person_id=membership.person_id, community_id=None, kind="escalation",
             summary="Escalated to you", now=AT - DAY)
    with sessions.begin() as session:
        assert send_digest_dms(session=session, now=AT) == 2
        copies = factories.deliveries(session, kind="digest_dm")
        assert ["Escalated to you" in str(copy.blocks) for copy in copies] == [True, False]
        assert session.scalars(select(HeldNotice.released_at)).one() == AT


def invitations(session: Session, ids: list[int]) -> None:
    """In the first community an action fits those into vault, and a question is open; in the second a meeting
    is coming; the third has an action nobody is into; the fourth, if any, has nothing to offer."""
    pooled, meeting, other, *_ = places(session, ids)
    factories.action(session, pooled, "Document the vault setup", created=AT - DAY)
    note_question(session, community_id=pooled.id, person_id=lead(session).id, channel_id=pooled.channel_id,
                  ts="1.0", text="Who knows Vault?", asked_at=AT - 2 * DAY)
    schedule_meeting(session, community=meeting, title="Show and tell", starts_at=AT + 3 * DAY,
                     created_by=lead(session), now=LONG_AGO)
    factories.action(session, other, "Tidy the wiki", created=AT - DAY)


def some_into_vault_and_some_out_of_room(memberships: list[Membership]) -> None:
    for membership in memberships:
        person = membership.person
        n = int(person.user_id[1:])
        person.interests = "vault" if n % 2 else None
        person.dm_budget = 0 if n % 4 == 0 else person.dm_budget


def test_nudges_cost_the_same_for_four_times_the_quiet(sessions):
    ids = communities(sessions, 4)
    with sessions.begin() as session:
        invitations(session, ids)

    def grow(session: Session, start: int, count: int) -> None:
        some_into_vault_and_some_out_of_room(enrol(session, ids, start, count))

    small, large = grown(sessions, send_nudges, grow)
    # One nudge each, whatever their number of communities; one in four has no room left, and theirs is held.
    assert_flat(small, large, work=N - N // 4)


def test_a_quiet_member_who_asked_the_latest_question_is_offered_someone_elses(sessions):
    ids = communities(sessions, 1)
    with sessions.begin() as session:
        [place] = places(session, ids)
        asker, _other = (m.person for m in enrol(session, ids, 0, 2))
        note_question(session, community_id=place.id, person_id=lead(session).id, channel_id=place.channel_id,
                      ts="1.0", text="Who knows Vault?", asked_at=AT - 3 * DAY)
        note_question(session, community_id=place.id, person_id=asker.id, channel_id=place.channel_id, ts="2.0",
                      text="Is the wiki current?", asked_at=AT - DAY)
    with sessions.begin() as session:
        assert send_nudges(session=session, now=AT) == 2
        texts = {d.channel: d.text + str(d.blocks) for d in factories.deliveries(session, kind="nudge")}
        assert "Who knows Vault?" in texts["U00000"] and "Is the wiki current?" in texts["U00001"]
        assert {n.invitation for n in session.scalars(select(Nudge))} == {"question"}


def test_checkins_cost_the_same_for_four_times_the_newcomers(sessions):
    """Newcomers a week in, welcomed and silent since."""
    ids = communities(sessions, 3)
    with sessions.begin() as session:
        invitations(session, ids)

    def grow(session: Session, start: int, count: int) -> None:
        memberships = enrol(session, ids, start, count, since=AT - 8 * DAY)
        some_into_vault_and_some_out_of_room(memberships)
        for membership in memberships:
            enqueue(session, key=public_welcome_key(membership), team_id=TEAM,
                    channel=membership.community.channel_id, text="Welcome!", kind="welcome",
                    community_id=membership.community_id, now=AT - 8 * DAY)

    small, large = grown(sessions, send_checkins, grow)
    # A check-in from each community, but for the one in four with no room left, whose check-ins are held.
    assert_flat(small, large, work=3 * (N - N // 4))


def test_channel_digests_cost_the_same_for_four_times_the_members(sessions):
    """A week of members joining, speaking, owning and deciding, in communities of three zones."""
    ids = communities(sessions, 3)
    with sessions.begin() as session:
        busy_week(session, ids)
        for place in places(session, ids):
            schedule_meeting(session, community=place, title="Show and tell", starts_at=AT + 3 * DAY,
                             created_by=lead(session), now=LONG_AGO)

    def grow(session: Session, start: int, count: int) -> None:
        for membership in enrol(session, ids, start, count, since=AT - 3 * DAY):
            place, person = membership.community, membership.person
            factories.contribute(session, place, person, AT - 2 * DAY)
            factories.action(session, place, f"Write up {person.user_id}", created=AT - 2 * DAY, owner=person)
            record_decision(session, community=place, occurrence=None, text=f"{person.user_id} decided",
                            person=person, now=AT - DAY)
            record_mentions(session, community_id=place.id, source=MentionSource.DECISION, record_id=1,
                            mentioned=[person], by=lead(session), text="We agreed", now=AT - DAY)

    small, large = grown(sessions, post_channel_digests, grow)
    assert large.result == small.result == 3  # one per community, whatever its size
    assert large.statements == small.statements


def meeting_row(session: Session, place: Community, *, before: dt.datetime) -> tuple[Meeting, MeetingOccurrence]:
    """The community's one meeting, and the row of its occurrence after `before`."""
    meeting = session.scalars(select(Meeting).where(Meeting.community_id == place.id)).one()
    return meeting, occurrence_row(session, find_occurrence(session, meeting=meeting, now=before))


def test_meeting_reminders_cost_the_same_for_four_times_the_people_coming(sessions):
    ids = communities(sessions, 3)
    with sessions.begin() as session:
        for place in places(session, ids):
            schedule_meeting(session, community=place, title="Show and tell", starts_at=AT + HOUR,
                             created_by=lead(session), now=LONG_AGO)

    def grow(session: Session, start: int, count: int) -> None:
        for membership in enrol(session, ids, start, count):
            _, row = meeting_row(session, membership.community, before=AT)
            record_rsvp(session, occurrence=row, person=membership.person, answer=RsvpAnswer.YES, now=AT - DAY)

    small, large = grown(sessions, send_due_reminders, grow)
    # The channel's reminder in each community, and a DM to each of its members coming.
    assert (small.result, large.result) == (3 + 3 * N, 3 + 12 * N)
    assert large.statements == small.statements


def test_meeting_reminders_cost_the_same_for_four_times_the_meetings_due(sessions):
    """Each community's meeting is an hour away: its reminder and its row are written with the others'."""
    ids = communities(sessions, 8)
    runs = []
    for due in (ids[:2], ids[2:]):
        with sessions.begin() as session:
            for place in places(session, due):
                schedule_meeting(session, community=place, title="Show and tell", starts_at=AT + HOUR,
                                 created_by=lead(session), now=LONG_AGO)
        runs.append(measure(sessions, send_due_reminders, AT))
    small, large = runs
    assert (small.result, large.result) == (2, 8)
    assert large.statements == small.statements


def test_closing_forgotten_meetings_costs_the_same_for_four_times_the_attendees(sessions):
    """Each attendee put an item on the agenda, took an action, wrote a note and a decision."""
    ids = communities(sessions, 3)
    started = AT - 2 * HOUR
    with sessions.begin() as session:
        for place in places(session, ids):
            schedule_meeting(session, community=place, title="Show and tell", starts_at=started, duration=HOUR,
                             created_by=lead(session), now=LONG_AGO)
            start_meeting(session, community=place, person=lead(session), now=started)

    def grow(session: Session, start: int, count: int) -> None:
        for membership in enrol(session, ids, start, count):
            place, person = membership.community, membership.person
            meeting, row = meeting_row(session, place, before=started - HOUR)
            record_attendance(session, occurrence=row, person=person, attended_by=AttendedBy.SPOKE,
                              now=started + dt.timedelta(minutes=5))
            add_agenda_item(session, community=place, occurrence=row, text=f"From {person.user_id}", person=person,
                            now=started - DAY)
            during = started + dt.timedelta(minutes=10)
            record_note(session, occurrence=row, text=f"{person.user_id} noted", person=person, now=during)
            record_decision(session, community=place, occurrence=row, text=f"{person.user_id} decided",
                            person=person, now=during)
            factories.action(session, place, f"Follow up {person.user_id}", owner=person, created=during,
                             meeting_id=meeting.id)

    small, large = grown(sessions, close_overdue_meetings, grow)
    assert large.result == small.result == 3  # one set of minutes per community
    assert large.statements == small.statements


def standups(sessions: sessionmaker[Session], ids: list[int]) -> None:
    """Each community's standup asks its members by DM at 09:30 their time, on weekdays."""
    with sessions.begin() as session:
        for place in places(session, ids):
            set_schedule(session, standup=standup_for(session, community=place), days="12345", at=dt.time(9, 30))


def test_standup_asks_cost_the_same_for_four_times_the_members(sessions):
    ids = communities(sessions, 3)
    standups(sessions, ids)

    def grow(session: Session, start: int, count: int) -> None:
        enrol(session, ids, start, count)

    small, large = grown(sessions, ask_standups, grow)
    # The lead is asked too, once in each community.
    assert (small.result, large.result) == (3 + 3 * N, 3 + 12 * N)
    assert large.statements == small.statements


def test_closing_standups_costs_the_same_for_four_times_the_members(sessions):
    """Half the members answered; the others are missing from the summary, and named to the lead."""
    ids = communities(sessions, 3)
    standups(sessions, ids)

    def grow(session: Session, start: int, count: int) -> None:
        memberships = enrol(session, ids, start, count)
        ask_standups(session=session, now=AT)
        for membership in memberships[::2]:
            run = session.scalars(select(StandupRun).where(
                StandupRun.standup_id == standup_for(session, community=membership.community).id)).one()
            record_answer(session, run=run, person=membership.person, answers=["Shipped", "More", "No"],
                          now=AT + dt.timedelta(minutes=30))

    small, large = grown(sessions, close_standups, grow, at=AT + 5 * HOUR)
    # Each community's summary, and a DM to the lead (who leads all three) naming who did not answer, but for
    # the third, which waits for their digest: their three asks already went this week, in a budget of five.
    assert large.result == small.result == 5
    assert large.statements == small.statements


def test_action_follow_up_costs_the_same_for_four_times_the_owners(sessions):
    """Each owner has an action due soon, one overdue and one blocked long enough to reach the lead."""
    ids = communities(sessions, 3)

    def grow(session: Session, start: int, count: int) -> None:
        for membership in enrol(session, ids, start, count):
            place, person = membership.community, membership.person
            factories.action(session, place, "Soon", created=AT - 3 * DAY, owner=person, due=AT + 3 * HOUR)
            factories.action(session, place, "Late", created=AT - 3 * DAY, owner=person, due=AT - 3 * HOUR)
            factories.action(session, place, "Stuck", created=AT - 5 * DAY, owner=person, status=ActionStatus.BLOCKED,
                             blocker_reason="vendor", blocked_at=AT - 4 * DAY)

    small, large = grown(sessions, follow_up_actions, grow)
    # Everyone's reminders go out until their budget of five runs out, and the lead's escalations likewise.
    assert (small.result, large.result) == (N * 5 + 5, 4 * N * 5 + 5)
    assert large.statements == small.statements


def test_profile_refresh_costs_the_same_for_four_times_the_members(services, slack):
    """Members enrolled at set-up, one in five of whom has left the workspace since."""
    with services.sessions.begin() as session:
        place_id = create_community(session, team_id=TEAM, channel_id="C0000", name="CoP", created_by="ULEAD",
                                    timezone="Europe/London", now=LONG_AGO).id
    runs = []
    for start, count in ((0, 5), (5, 20)):
        users = [f"U{n:05d}" for n in range(start, start + count)]
        for n, user in enumerate(users, start=start):
            if n % 5:
                slack.add_user(user, user.lower(), real_name=f"Person {n}", tz=ZONES[n % len(ZONES)])
        with services.sessions.begin() as session:
            enroll_members(session, community=session.get_one(Community, place_id), user_ids=users, now=LONG_AGO)
        with counting(services.engine) as statements:
            fetched = refresh_profiles(sessions=services.sessions, client=services.client, now=AT)
        runs.append(Run(len(statements), fetched))
    small, large = runs
    assert (small.result, large.result) == (4, 16)
    assert large.statements == small.statements
    with services.sessions() as session:
        found = {p.user_id: p for p in session.scalars(select(Person))}
    assert (found["U00001"].tz, found["U00001"].display_name, found["U00001"].profile_fetched_at) == (
        "Europe/Berlin", "u00001", AT)
    assert found["U00005"].deleted and found["U00005"].profile_fetched_at is None


def test_forgetting_finished_requests_costs_one_statement_whatever_their_number(sessions):
    def grow(session: Session, start: int, count: int) -> None:
        for n in range(start, start + count):
            item = record(session, Arrival(key=f"event:Ev{n:05d}", team_id=TEAM, kind="event", listener="x",
                                           lane="U1", body={}, user_id=None, channel_id=None, bot_user_id=None),
                          now=AT - 8 * DAY)
            session.execute(update(InboxItem).where(InboxItem.id == item).values(
                status=InboxStatus.DONE, finished_at=AT - 8 * DAY))

    small, large = grown(sessions, forget_finished_requests, grow)
    assert (small.result, large.result, small.statements, large.statements) == (N, 4 * N, 1, 1)


def community_week(session: Session, ids: list[int]) -> None:
    """Each community of `ids` has a busy week, a meeting coming up and a member who reads its digest by DM."""
    busy_week(session, ids)
    for place in places(session, ids):
        schedule_meeting(session, community=place, title="Show and tell", starts_at=AT + 3 * DAY,
                         created_by=lead(session), now=LONG_AGO)
        [reader] = people(session, place.id * 10, 1, digest_dm=True, nudges_enabled=False)
        factories.member(session, place, reader.user_id, joined=LONG_AGO)
        factories.contribute(session, place, reader, AT - 2 * DAY)


@pytest.mark.parametrize("job", [post_channel_digests, send_digest_dms], ids=["channel", "dm"])
def test_digests_cost_the_same_for_four_times_the_communities(sessions, job):
    """The shared sections are read for every community's week at once, and the copies queued in one batch:
    a Monday of two hundred communities costs what a Monday of a few does."""
    first = communities(sessions, 3)
    with sessions.begin() as session:
        community_week(session, first)
    small = measure(sessions, job, AT)
    more = communities(sessions, 9, start=3)
    with sessions.begin() as session:
        community_week(session, more)
    large = measure(sessions, job, AT)
    assert (small.result, large.result) == (3, 12)
    assert large.statements == small.statements, (
        f"{small.statements} statements for {small.result}, {large.statements} for {large.result}")


# Where each scheduled job's statements are shown not to grow: here, or beside the tests of its behaviour.
FLAT_TESTS: dict[str, tuple[str, ...]] = {
    "people.refresh_profiles": ("test_job_statements",
                                "test_profile_refresh_costs_the_same_for_four_times_the_members"),
    "reminders.send_due": ("test_job_statements",
                           "test_meeting_reminders_cost_the_same_for_four_times_the_people_coming"),
    "meetings.close_overdue": ("test_job_statements",
                               "test_closing_forgotten_meetings_costs_the_same_for_four_times_the_attendees"),
    "standups.ask_due": ("test_job_statements", "test_standup_asks_cost_the_same_for_four_times_the_members"),
    "standups.close_due": ("test_job_statements", "test_closing_standups_costs_the_same_for_four_times_the_members"),
    "polls.close_due": ("test_governance_jobs",
                        "test_closing_polls_costs_the_same_for_four_times_the_polls_and_voters"),
    "maturity.close_due": ("test_maturity_jobs",
                           "test_closing_costs_the_same_for_four_times_the_assessments_and_answers"),
    "tor.reviews": ("test_governance_jobs", "test_tor_reviews_cost_the_same_for_four_times_the_communities"),
    "inbox.forget_finished": ("test_job_statements",
                              "test_forgetting_finished_requests_costs_one_statement_whatever_their_number"),
    "actions.follow_up": ("test_job_statements", "test_action_follow_up_costs_the_same_for_four_times_the_owners"),
    "newcomers.check_in": ("test_job_statements", "test_checkins_cost_the_same_for_four_times_the_newcomers"),
    "nudges.send": ("test_job_statements", "test_nudges_cost_the_same_for_four_times_the_quiet"),
    "digests.post_channel": ("test_job_statements", "test_channel_digests_cost_the_same_for_four_times_the_members"),
    "digests.send_dms": ("test_job_statements", "test_digest_dms_cost_the_same_for_four_times_the_readers"),
    "governance.ask_for_kpis": ("test_governance",
                                "test_asking_for_kpis_costs_the_same_statements_for_four_times_the_leads"),
    # the hourly part: the weekly post is one message per workspace
    "wins.post_weekly": ("test_wins",
                         "test_finding_wins_costs_the_same_for_four_times_the_communities",
                         "collect_wins"),
    "scorecards.send_quarterly": ("test_scorecard", "test_the_quarterly_job_costs_the_same_for_four_times_the_leads"),
    "maturity.prompt_leads": ("test_maturity_jobs", "test_reminding_costs_the_same_for_four_times_the_communities"),
    "newsletter.draft": ("test_newsletter",
                         "test_drafting_costs_the_same_statements_for_four_times_the_communities_records_and_leads"),
    "health.weekly": ("test_health_jobs",
                      "test_the_weekly_job_costs_the_same_statements_for_four_times_the_communities"),
}


def test_every_scheduled_job_has_its_statements_counted_at_two_sizes():
    """A job added to the scheduler without a test showing its statements flat in its members fails here."""
    import importlib
    import inspect

    from scheduler.runner import JOBS

    assert set(FLAT_TESTS) == {job.id for job in JOBS}
    for job in JOBS:
        module, name, *runs = FLAT_TESTS[job.id]
        test = getattr(importlib.import_module(f"tests.{module}"), name)
        source = inspect.getsource(test)
        # The test runs this very job (or its part that scans), and compares its statements at two sizes.
        assert (runs[0] if runs else job.function.__name__) in source, (job.id, name)
        checks = ("assert_flat", "statements ==", "large.statements)")
        assert any(check in source for check in checks), (job.id, name)
