"""The weekly health job over simulated weeks: snapshots kept once a week, a community that fades, recovers and
fades again (one private word per episode), one that never fades, and a new one that is never called fading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Community, ContributionKind, Delivery, Meeting, Role
from models.health import FadingEpisode, HealthSnapshot, current_fading, history, week_of
from models.meetings import Attendance, AttendedBy, MeetingOccurrence
from models.when import Recurrence
from scheduler.health import weekly_health
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import AT, N, assert_flat, communities, grown, places

WEEK, HOUR = dt.timedelta(weeks=1), dt.timedelta(hours=1)
T0 = dt.datetime(2026, 9, 7, 12, 0, tzinfo=dt.UTC)  # a Monday, noon: each run is at T0 + k weeks
ADMINS = frozenset({"UBOSS"})


def lively(session: Session, name: str, channel: str, weeks: Iterable[int], *, created: dt.datetime,
           size: int = 5, present: Callable[[int], int] = lambda week: 3) -> int:
    """A community whose weekly meeting (Mondays 10:00) is held, with `present(week)` there, and whose members
    write, in the given weeks (counted from T0) only."""
    place = factories.community(session, team_id=TEAM, channel_id=channel, name=name, now=created)
    people = [factories.member(session, place, f"U{channel}{n}", joined=created,
                               role=Role.LEAD if n == 0 else Role.MEMBER).person for n in range(size)]
    factories.around_the_clock(session, people[0].user_id, team_id=TEAM, now=created)
    first = T0 - 2 * HOUR  # week 0's meeting; week k's is k weeks later
    meeting = Meeting(community_id=place.id, title="Weekly sync", starts_at=max(first - 20 * WEEK, created + HOUR),
                      recurrence=Recurrence("weekly").to_rule(), created_at=created)
    session.add(meeting)
    session.flush()
    for week in weeks:
        slot = first + week * WEEK
        if slot < meeting.starts_at:
            continue
        row = MeetingOccurrence(meeting_id=meeting.id, original_at=slot, starts_at=slot, started_at=slot,
                                ended_at=slot + HOUR)
        session.add(row)
        session.flush()
        session.add_all(Attendance(occurrence_id=row.id, person_id=p.id, attended_by=AttendedBy.HERE,
                                   first_seen_at=slot) for p in people[:present(week)])
        for person in people:
            factories.contribute(session, place, person, slot + 2 * HOUR, ContributionKind.MESSAGE)
    return place.id


def run_weeks(sessions, weeks: Iterable[int]) -> dict[int, int]:  # noqa: ANN001
    sent = {}
    for k in weeks:
        with sessions.begin() as session:
            sent[k] = weekly_health(session=session, now=T0 + k * WEEK, admin_ids=ADMINS)
    return sent


def fading_dms(sessions) -> list[tuple[str, str, int]]:  # noqa: ANN001
    with sessions() as session:
        return [(d.key, d.channel, d.community_id) for d in session.scalars(
            select(Delivery).where(Delivery.kind == "fading").order_by(Delivery.id))]


def test_snapshots_are_taken_once_a_week_and_give_each_figure_a_trend(sessions):
    with sessions.begin() as session:
        place_id = lively(session, "Steady CoP", "CSTEADY", range(-20, 12), created=T0 - 30 * WEEK)
    assert run_weeks(sessions, [0]) == {0: 0}
    with sessions.begin() as session:
        assert weekly_health(session=session, now=T0 + 2 * HOUR, admin_ids=ADMINS) == 0
        assert weekly_health(session=session, now=T0 + 4 * 24 * HOUR, admin_ids=ADMINS) == 0
    run_weeks(sessions, range(1, 6))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(HealthSnapshot)) == 6  # one a week, however often
        snapshots = history(session, community_ids=[place_id], now=T0 + 5 * WEEK)[place_id]
    assert [s.week for s in snapshots] == [(T0 + k * WEEK).date() for k in range(6)]
    assert all(s.members == 5 and s.active_members == 5 and s.cadence == 100 for s in snapshots)
    assert all(s.attendees == 3 and s.attendance == 60 for s in snapshots)
    assert snapshots[0].taken_at == T0 and snapshots[0].health is not None
    assert fading_dms(sessions) == []  # a steady community is never fading


def test_a_community_that_fades_recovers_and_fades_again_is_told_once_per_episode(sessions):
    active_weeks = [*range(-20, 3), *range(7, 19)]
    with sessions.begin() as session:
        fading_id = lively(session, "Fading CoP", "CFADE", active_weeks, created=T0 - 30 * WEEK)
        steady_id = lively(session, "Steady CoP", "CSTEADY", range(-20, 30), created=T0 - 30 * WEEK)
        lively(session, "New CoP", "CNEW", [], created=T0 + 21 * WEEK)  # nothing happens there, but it is new
    run_weeks(sessions, range(0, 25))
    with sessions() as session:
        episodes = session.scalars(select(FadingEpisode).order_by(FadingEpisode.id)).all()
        spans = [(e.community_id, (e.started_at - T0) // WEEK,
                  None if e.ended_at is None else (e.ended_at - T0) // WEEK) for e in episodes]
        first_reasons = {r["rule"] for r in episodes[0].reasons}
        open_now = current_fading(session)
    # Meetings stopped after week 2: by week 4's, twice the weekly cadence has passed. Held again in week 7, when
    # the episode ends; stopped after week 18, a new episode starts in week 20.
    assert [s[0] for s in spans] == [fading_id, fading_id]
    (_, start1, end1), (_, start2, end2) = spans
    assert (start1, end1, start2, end2) == (4, 7, 20, None)
    assert first_reasons == {"lapsed", "quiet"}
    assert {r["rule"] for r in episodes[1].reasons} == {"lapsed", "quiet", "health"}
    assert list(open_now) == [fading_id] and open_now[fading_id].id == episodes[1].id
    dms = fading_dms(sessions)
    # One private word per episode to the lead and to the overall lead, none about the steady or new community.
    assert sorted((key, channel) for key, channel, _ in dms) == sorted(
        (f"fading:{e.id}:{user}", user) for e in episodes for user in ("UCFADE0", "UBOSS"))
    assert {community for _, _, community in dms} == {fading_id}
    assert steady_id not in open_now
    with sessions() as session:
        channels = set(session.scalars(select(Community.channel_id)))
        said_in_channels = session.scalars(select(Delivery.text).where(Delivery.channel.in_(channels))).all()
        dm = session.scalars(select(Delivery).where(Delivery.key == dms[0][0])).one()
    assert not any("fading" in text.lower() for text in said_in_channels)  # never named fading in a channel
    assert "Fading CoP" in dm.text and "Move the meeting slot" in str(dm.blocks)
    assert "No meeting for" in str(dm.blocks)


def test_no_fading_word_for_a_community_set_up_or_watched_for_less_than_four_weeks(sessions):
    with sessions.begin() as session:
        new_id = lively(session, "New CoP", "CNEW", [], created=T0 + WEEK + HOUR)
        met_id = lively(session, "Just met CoP", "CMET", [], created=T0 - 30 * WEEK)  # copbot meets it at week 0
    run_weeks(sessions, range(0, 4))
    assert fading_dms(sessions) == []
    run_weeks(sessions, [4])  # watched for four weeks, silent all along: now it may be told
    assert [community for _, _, community in fading_dms(sessions)] == [met_id, met_id]
    run_weeks(sessions, [5])  # set up less than four weeks ago
    assert new_id not in {community for _, _, community in fading_dms(sessions)}
    run_weeks(sessions, [6])
    assert [community for _, _, community in fading_dms(sessions)][2:] == [new_id, new_id]


def test_turned_off_fading_warnings_are_not_sent(sessions):
    with sessions.begin() as session:
        lively(session, "Quiet CoP", "CQUIET", [], created=T0 - 10 * WEEK)
        factories.person(session, "UCQUIET0", team_id=TEAM, now=T0, fading_dms=False)
    run_weeks(sessions, range(0, 5))
    assert [channel for _, channel, _ in fading_dms(sessions)] == ["UBOSS"]


def test_attendance_falling_four_weeks_running_is_caught_with_its_evidence(sessions):
    with sessions.begin() as session:
        place_id = lively(session, "Dwindling CoP", "CDWINDLE", range(-20, 10), created=T0 - 30 * WEEK, size=10,
                          present=lambda week: 8 - max(0, week))
    run_weeks(sessions, range(0, 4))
    assert fading_dms(sessions) == []  # three weeks of falling is not yet four
    run_weeks(sessions, [4])
    with sessions() as session:
        [episode] = current_fading(session).values()
        dm = session.scalars(select(Delivery).where(Delivery.kind == "fading")).first()
    assert episode.community_id == place_id
    assert episode.reasons == [{"rule": "attendance", "evidence": "Attendance fell four weeks running: "
                                "8.0 → 7.8 → 7.2 → 6.5 → 5.5 people at an average meeting."}]
    assert "Invite a guest speaker" in str(dm.blocks)


def test_the_weekly_job_costs_the_same_statements_for_four_times_the_communities(sessions):
    def grow(session: Session, start: int, count: int) -> None:
        ids = communities(sessions, count, start)
        for place in places(session, ids):
            # Watched for four weeks already, and silent: each is found fading.
            session.add(HealthSnapshot(community_id=place.id, week=week_of(AT) - 4 * WEEK, taken_at=AT - 4 * WEEK,
                                       members=1, active_members=0))
        factories.person(session, "ULEAD", team_id=TEAM, now=AT, dm_budget=20, **factories.AROUND_THE_CLOCK)

    small, large = grown(sessions, weekly_health, grow)
    assert_flat(small, large, work=N)


def test_a_community_whose_channel_is_archived_is_never_called_fading(sessions):
    with sessions.begin() as session:
        paused_id = lively(session, "Paused CoP", "CPAUSED", [], created=T0 - 30 * WEEK)
        quiet_id = lively(session, "Quiet CoP", "CQUIET", [], created=T0 - 30 * WEEK)
        session.get(Community, paused_id).archived_at = T0 + HOUR
    run_weeks(sessions, range(0, 5))
    # Both were silent for the four weeks copbot watched them; only the one still open is told of.
    assert {community for _, _, community in fading_dms(sessions)} == {quiet_id}
    with sessions() as session:
        assert set(current_fading(session)) == {quiet_id}
