"""Members enrolled with a channel are looked up by the scheduler, so their zone is known before they act."""

from __future__ import annotations

from sqlalchemy import select

from bot.db import unit_of_work
from models import Community, Person
from models.people import enroll_members
from scheduler.profiles import refresh_profiles, unprofiled_members
from scheduler.runner import run_tick
from tests.conftest import START, TEAM


def enrolled(services, user_ids: list[str]) -> None:
    with unit_of_work(services.sessions) as session:
        community = Community(team_id=TEAM, channel_id="CDEVOPS", name="DevOps CoP", created_by="UBOB")
        session.add(community)
        session.flush()
        enroll_members(session, community=community, user_ids=user_ids, now=START)


def people(services) -> dict[str, Person]:
    with services.sessions() as session:
        return {p.user_id: p for p in session.scalars(select(Person))}


def test_a_tick_fetches_the_profiles_of_members_enrolled_at_setup(services, slack):
    enrolled(services, ["UALICE", "UCHANDRA", "UHELPER"])
    assert {p.tz for p in people(services).values()} == {"UTC"}  # not known yet
    run_tick(services, now=START)
    found = people(services)
    assert (found["UCHANDRA"].tz, found["UCHANDRA"].display_name) == ("Asia/Kolkata", "chandra")
    assert found["UALICE"].tz == "Europe/London" and found["UHELPER"].is_bot
    assert all(p.profile_fetched_at == START for p in found.values())
    calls = len(slack.calls_to("users.info"))
    run_tick(services, now=START)
    assert len(slack.calls_to("users.info")) == calls  # looked up once; the cache keeps them after that


def test_someone_gone_from_the_workspace_is_marked_and_not_asked_again(services, slack):
    enrolled(services, ["UGONE", "UBOB"])
    assert refresh_profiles(sessions=services.sessions, now=START, client=services.client) == 1
    found = people(services)
    assert found["UGONE"].deleted and found["UGONE"].profile_fetched_at is None
    assert found["UBOB"].tz == "America/New_York"
    with services.sessions() as session:
        assert unprofiled_members(session) == []


def test_when_slack_says_wait_the_rest_are_left_for_the_next_run(services, slack):
    enrolled(services, ["UALICE", "UBOB", "UCHANDRA"])
    slack.rate_limit_next("users.info", times=1)
    assert refresh_profiles(sessions=services.sessions, now=START, client=services.client) == 0
    assert all(p.profile_fetched_at is None for p in people(services).values())
    assert refresh_profiles(sessions=services.sessions, now=START, client=services.client) == 3


def test_a_dead_token_marks_nobody_as_gone(services, slack):
    enrolled(services, ["UALICE", "UBOB"])
    slack.fail_next("users.info", error="account_inactive")  # copbot uninstalled: its token is dead
    assert refresh_profiles(sessions=services.sessions, now=START, client=services.client) == 0
    assert not any(p.deleted for p in people(services).values())
    assert refresh_profiles(sessions=services.sessions, now=START, client=services.client) == 2  # asked again later
