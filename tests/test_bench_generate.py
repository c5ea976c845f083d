"""The organisation the benchmarks measure on is one copbot could have made, and its scheduler runs over it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bench.generate import generate
from bench.org.context import TEAM_ID
from bench.org.scale import PRESETS
from bot.sandbox.slack_emulator import SlackEmulator
from bot.services import Services
from models import Action, Community, Contribution, Delivery, DeliveryStatus, Meeting, Membership, Person, Role
from models.actions.model import ACTIVE_STATUSES
from scheduler.runner import JOBS, run_job, run_tick

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # a Monday: London's digests are due


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _workspace(session: Session, slack: SlackEmulator) -> None:
    """The generated people and channels in the emulated workspace, so that what the tick queues can be sent."""
    for person in session.scalars(select(Person)):
        slack.add_user(person.user_id, person.user_id.lower(), tz=person.tz if person.tz != "UTC" else "Europe/London",
                       is_bot=person.is_bot, deleted=person.deleted)
    for community in session.scalars(select(Community)):
        slack.add_channel(community.channel_id, community.channel_id.lower(), creator=community.created_by,
                          members=[slack.bot_user_id])


@pytest.mark.long
def test_the_tiny_organisation_is_consistent_and_a_tick_runs_over_it(
    database_url: str, services: Services, slack: SlackEmulator,
) -> None:
    asked = PRESETS["tiny"]
    slack.team_id = TEAM_ID  # the generated organisation's workspace is the one this deployment serves
    made = generate(database_url, preset="tiny", seed=3, now=NOW)
    assert made.rows["contributions"] == asked.contributions

    with services.sessions() as session:
        assert (_count(session, Community), _count(session, Person), _count(session, Contribution),
                _count(session, Action), _count(session, Meeting)) == (
            asked.communities, asked.people, asked.contributions, asked.actions, asked.meetings)
        community, person = aliased(Community), aliased(Person)
        orphans = session.scalar(
            select(func.count()).select_from(Membership)
            .outerjoin(community, community.id == Membership.community_id)
            .outerjoin(person, person.id == Membership.person_id)
            .where((community.id.is_(None)) | (person.id.is_(None))))
        assert orphans == 0
        per_person = session.execute(select(Membership.person_id, func.count()).group_by(Membership.person_id)).all()
        assert per_person and all(1 <= n <= 3 for _, n in per_person)
        leads = session.scalars(select(Membership.community_id).where(Membership.role == Role.LEAD,
                                                                      Membership.active.is_(True))).all()
        assert sorted(set(leads)) == list(range(1, asked.communities + 1))
        # Work still to do is owned by someone who is still a member of its community, or waits in the pool.
        owned = session.execute(
            select(Action.id, Membership.id).outerjoin(
                Membership, (Membership.community_id == Action.community_id)
                & (Membership.person_id == Action.owner_id) & Membership.active.is_(True))
            .where(Action.status.in_(ACTIVE_STATUSES), Action.owner_id.is_not(None))).all()
        assert owned and all(membership is not None for _, membership in owned)
        _workspace(session, slack)

    # What a tick before `now` would have done is done already: each job's previous tick finds nothing new.
    for job in JOBS:
        if not job.asks_slack:  # the profile job works through whoever is unprofiled, whatever the time
            assert run_job(services, job, now=NOW - job.every) == 0, job.id

    report = run_tick(services, now=NOW)
    assert report.queued["digests.post_channel"] >= 1  # the London community's slot is 09:00
    # The other two count profiles fetched and requests forgotten; every job else counts the messages it queued.
    counted_otherwise = ("people.refresh_profiles", "inbox.forget_finished")
    messages = sum(n for job, n in report.queued.items() if job not in counted_otherwise)
    with services.sessions() as session:
        # A DM written outside its person's working hours waits in the outbox until they begin.
        waiting = session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at > NOW)) or 0
    assert (report.dispatched.sent + waiting, report.dispatched.failed) == (messages, 0), report.dispatched.errors
    again = run_tick(services, now=NOW)
    assert set(again.queued.values()) == {0}, again.queued
