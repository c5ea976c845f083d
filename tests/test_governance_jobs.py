"""The governance jobs at chosen instants: polls closing at their time and the yearly Terms of Reference review,
each sent once and each costing the same statements for four times the work."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.polls import poll_key
from bot.polls import close_due_polls
from bot.terms import send_tor_reviews
from models import Delivery, Person, Poll, Role
from models.deliveries import enqueue
from models.polls import create_poll, vote
from models.terms import propose, ratify, set_term
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import AT, LONG_AGO, N, assert_flat, communities, grown, lead, people, places

DAY = dt.timedelta(days=1)


def test_closing_polls_costs_the_same_for_four_times_the_polls_and_voters(sessions):
    [place_id] = communities(sessions, 1)

    def grow(session: Session, start: int, count: int) -> None:
        [place] = places(session, [place_id])
        voters = people(session, start, count)
        for n in range(count):
            poll = create_poll(session, community=place, by=lead(session), question=f"Q{start + n}?",
                               options=["Yes", "No"], anonymous=bool(n % 2), closes_at=AT, now=AT - DAY)
            enqueue(session, key=poll_key(poll.id), team_id=TEAM, channel=place.channel_id, text="Poll", kind="poll",
                    community_id=place.id, now=AT - DAY)
            for voter in voters:
                vote(session, poll=poll, person=voter, option=0, now=AT - DAY)

    small, large = grown(sessions, close_due_polls, grow)
    assert_flat(small, large, work=N)


def test_tor_reviews_cost_the_same_for_four_times_the_communities(sessions):
    def grow(session: Session, start: int, count: int) -> None:
        ids = communities(sessions, count, start)
        for place in places(session, ids):
            ratified_terms(session, place, at=AT - 400 * DAY)

    small, large = grown(sessions, send_tor_reviews, grow)
    assert_flat(small, large, work=N)


def ratified_terms(session: Session, place, *, at: dt.datetime) -> None:  # noqa: ANN001
    by = lead(session)
    set_term(session, community=place, field="purpose", text="Share what we learn", by=by, now=at)
    propose(session, community=place, by=by, days=7, now=at)
    ratify(session, community=place, by=by, now=at + DAY)


def test_the_review_reminder_goes_to_each_lead_once_a_year_after_ratification(sessions):
    [place_id] = communities(sessions, 1)
    ratified = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    with sessions.begin() as session:
        [place] = places(session, [place_id])
        factories.member(session, place, "UCOLEAD", joined=LONG_AGO, role=Role.CO_LEAD)
        factories.member(session, place, "UMEMBER", joined=LONG_AGO)
        ratified_terms(session, place, at=ratified - DAY)

    def run(at: dt.datetime) -> list[tuple[str, str]]:
        with sessions.begin() as session:
            send_tor_reviews(session=session, now=at)
        with sessions() as session:
            return [tuple(row) for row in session.execute(select(Delivery.key, Delivery.channel).where(
                Delivery.kind == "tor_review").order_by(Delivery.id))]

    assert run(ratified + 364 * DAY) == []
    first = run(dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC))
    assert sorted(channel for _, channel in first) == ["UCOLEAD", "ULEAD"]
    assert all(key.startswith(f"tor-review:{place_id}:2027:") for key, _ in first)
    assert run(dt.datetime(2027, 12, 31, tzinfo=dt.UTC)) == first  # once in the year, however often it runs
    assert run(dt.datetime(2028, 1, 2, tzinfo=dt.UTC)) == first  # a new calendar year is not a new review year
    assert len(run(dt.datetime(2028, 3, 10, 12, 0, tzinfo=dt.UTC))) == 4
    with sessions() as session:
        text = session.scalars(select(Delivery.text).where(Delivery.kind == "tor_review")).first()
    assert text == "Time to review the Terms of Reference of CoP 0"


def test_a_poll_closes_at_its_time_and_forgets_its_secret(sessions):
    [place_id] = communities(sessions, 1)
    with sessions.begin() as session:
        [place] = places(session, [place_id])
        poll = create_poll(session, community=place, by=lead(session), question="Online?", options=["Yes", "No"],
                           anonymous=True, closes_at=AT, now=AT - DAY)
        poll_id = poll.id
    for at, closed in ((AT - dt.timedelta(seconds=1), 0), (AT, 1), (AT + DAY, 0)):
        with sessions.begin() as session:
            assert close_due_polls(session=session, now=at) == closed
    with sessions() as session:
        poll = session.get_one(Poll, poll_id)
        assert (poll.closed_at, poll.secret) == (AT, None)


def test_the_review_falls_due_on_the_anniversary_of_the_communitys_own_calendar(sessions):
    # Ratified at 00:30 on 10 March 2026 in Auckland: 11:30 on 9 March in UTC. Its first review is due when
    # 10 March 2027 begins in Auckland (11:00 UTC on 9 March), not when it begins in UTC half a day later.
    [place_id] = communities(sessions, 1)
    ratified = dt.datetime(2026, 3, 9, 11, 30, tzinfo=dt.UTC)
    with sessions.begin() as session:
        [place] = places(session, [place_id])
        place.timezone = "Pacific/Auckland"
        ratified_terms(session, place, at=ratified - DAY)

    def reviews(at: dt.datetime) -> list[str]:
        with sessions.begin() as session:
            send_tor_reviews(session=session, now=at)
        with sessions() as session:
            return list(session.scalars(select(Delivery.key).where(Delivery.kind == "tor_review")))

    # 23:59 on 9 March 2027 in Auckland, though already 10:59 on 9 March in UTC: not yet its day there.
    assert reviews(dt.datetime(2027, 3, 9, 10, 59, tzinfo=dt.UTC)) == []
    # 00:00 on 10 March in Auckland; still 9 March in UTC.
    assert reviews(dt.datetime(2027, 3, 9, 11, 0, tzinfo=dt.UTC)) == [f"tor-review:{place_id}:2027:{lead_id(sessions)}"]


def lead_id(sessions) -> int:  # noqa: ANN001
    with sessions() as session:
        return session.scalars(select(Person.id).where(Person.user_id == "ULEAD")).one()
