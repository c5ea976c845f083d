"""The maturity jobs at chosen instants: assessments closed into counts at their time, and each community's leads
reminded about twice a year while none is run, through the attention rule; both a few statements whatever the
number of communities."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.maturity import assessment_key
from models import Delivery, HeldNotice, MaturityAnswer, MaturityAssessment, Role
from models.deliveries import enqueue
from models.maturity import answer, start
from scheduler.maturity import close_due_assessments, prompt_leads
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import AT, assert_flat, grown, people, places

DAY = dt.timedelta(days=1)
BORN = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def prompts(sessions) -> list[tuple[str, str]]:
    with sessions() as session:
        return [tuple(row) for row in session.execute(select(Delivery.key, Delivery.channel).where(
            Delivery.kind == "maturity_prompt").order_by(Delivery.id))]


def test_leads_are_reminded_twice_a_year_while_no_assessment_is_run(sessions):
    with sessions.begin() as session:
        place = factories.community(session, team_id=TEAM, now=BORN)
        place_id = place.id
        for user_id, role, prefs in (("ULEAD", Role.LEAD, {}), ("UCOLEAD", Role.CO_LEAD, {}),
                                     ("UMUTED", Role.CO_LEAD, {"maturity_dms": False}),
                                     ("UAWAY", Role.LEAD, {"away_until": BORN + 400 * DAY}),
                                     ("UMEMBER", Role.MEMBER, {})):
            factories.member(session, place, user_id, joined=BORN, role=role, **factories.AROUND_THE_CLOCK, **prefs)

    def run(at: dt.datetime) -> list[tuple[str, str]]:
        with sessions.begin() as session:
            prompt_leads(session=session, now=at)
        return prompts(sessions)

    assert run(BORN + 181 * DAY) == []
    first = run(BORN + 182 * DAY)
    assert sorted(channel for _, channel in first) == ["UCOLEAD", "ULEAD"]  # the muted one and a member: nothing
    assert all(key.startswith(f"maturity_prompt:{place_id}:") for key, _ in first)
    assert run(BORN + 183 * DAY) == first and run(BORN + 363 * DAY) == first  # once in the half-year
    with sessions() as session:
        # Away, the lead's reminder waits for their digest rather than being lost.
        assert session.scalars(select(HeldNotice.kind)).all() == ["maturity_prompt"]
        text = session.scalars(select(Delivery.text).where(Delivery.kind == "maturity_prompt")).first()
        blocks = str(session.scalars(select(Delivery.blocks).where(Delivery.kind == "maturity_prompt")).first())
    assert text == "Time to assess the maturity of DevOps CoP?" and "/cop maturity start" in blocks
    assert "Stop maturity reminders" in blocks and "/cop maturity dms off" in blocks
    assert len(run(BORN + 364 * DAY)) == 4  # six months on, still none run: asked again

    # An assessment opened (and run) quiets the reminders for six months from its opening.
    opened = BORN + 370 * DAY
    with sessions.begin() as session:
        [place] = places(session, [place_id])
        lead = factories.person(session, "ULEAD", team_id=TEAM, now=opened)
        start(session, community=place, by=lead, days=14, now=opened)
    assert len(run(opened + DAY)) == 4
    with sessions.begin() as session:
        assert close_due_assessments(session=session, now=opened + 14 * DAY) == 1
    assert len(run(opened + 181 * DAY)) == 4
    again = run(opened + 182 * DAY)[4:]
    assert sorted(channel for _, channel in again) == ["UAWAY", "UCOLEAD", "ULEAD"]  # the lead away is back now


def test_an_open_assessment_is_not_nagged_about(sessions):
    with sessions.begin() as session:
        place = factories.community(session, team_id=TEAM, now=BORN)
        factories.member(session, place, "ULEAD", joined=BORN, role=Role.LEAD, **factories.AROUND_THE_CLOCK)
        lead = factories.person(session, "ULEAD", team_id=TEAM, now=BORN)
        start(session, community=place, by=lead, days=60, now=BORN + 150 * DAY)
    with sessions.begin() as session:
        # Its closing is overdue by a day: the closing job comes first, the reminder has nothing to say.
        assert prompt_leads(session=session, now=BORN + 182 * DAY + 150 * DAY) == 0
    assert prompts(sessions) == []


def test_closing_costs_the_same_for_four_times_the_assessments_and_answers(sessions):
    def grow(session: Session, start_at: int, count: int) -> None:
        members = people(session, start_at, count)
        for n in range(count):
            place = factories.community(session, team_id=TEAM, channel_id=f"C{start_at + n:04d}",
                                        name=f"CoP {start_at + n}", now=AT - 30 * DAY)
            for member in members:
                factories.member(session, place, member.user_id, joined=AT - 30 * DAY)
            assessment = start(session, community=place, by=members[0], days=7, now=AT - 7 * DAY)
            # Its message still queued: closing rewrites it in the outbox with the results.
            enqueue(session, key=assessment_key(assessment.id), team_id=TEAM, channel=place.channel_id,
                    text="Assessment", kind="maturity", community_id=place.id, now=AT - 7 * DAY)
            for member in members:
                answer(session, assessment=assessment, community=place, person=member, stages=[3] * 6,
                       now=AT - DAY)

    small, large = grown(sessions, close_due_assessments, grow)
    assert_flat(small, large, work=4)
    with sessions() as session:
        assert session.scalars(select(MaturityAnswer)).all() != []  # measured runs are rolled back
    with sessions.begin() as session:
        assert close_due_assessments(session=session, now=AT) == 16
    with sessions() as session:
        texts = session.scalars(select(Delivery.text).where(Delivery.kind == "maturity")).all()
        assert len(texts) == 16 and all(text.endswith(": results") for text in texts)
        assert session.scalars(select(MaturityAnswer)).all() == []


def test_reminding_costs_the_same_for_four_times_the_communities(sessions):
    def grow(session: Session, start_at: int, count: int) -> None:
        for n in range(start_at, start_at + count):
            place = factories.community(session, team_id=TEAM, channel_id=f"C{n:04d}", name=f"CoP {n}",
                                        now=AT - 200 * DAY)
            factories.member(session, place, f"U{n:05d}", joined=AT - 200 * DAY, role=Role.LEAD,
                             **factories.AROUND_THE_CLOCK)

    small, large = grown(sessions, prompt_leads, grow)
    assert_flat(small, large, work=4)
    with sessions() as session:
        assert session.scalars(select(MaturityAssessment)).all() == []
