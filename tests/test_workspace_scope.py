"""Two workspaces, one database: each deployment reads, sends and changes only its own workspace's rows,
and a request for another workspace is acknowledged and ignored."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.app import build_services
from bot.outbox import Limits
from bot.sandbox.requests import RequestFactory
from bot.sandbox.slack_emulator import SlackEmulator
from bot.settings import load_settings
from models import ActionStatus, Community, Contribution, Delivery, DeliveryStatus, InboxItem, Person, Role
from models.base import Base
from models.deliveries import enqueue
from models.inbox import Arrival, record, stranded
from models.meetings import schedule_meeting
from models.scope import _rule
from models.terms import TermsEdit, set_term
from scheduler.runner import JOBS, run_job, run_tick
from tests import factories
from tests.conftest import START, TEAM
from tests.slack_spec.validate import check_call

OTHER = "T0OTHER02"


@pytest.fixture
def other_slack() -> Iterator[SlackEmulator]:
    """Another workspace, with its own bot, people and channel."""
    emulator = SlackEmulator(team_id=OTHER, team_domain="other-org", bot_user_id="U0OTHERBOT", bot_id="B0OTHER",
                             validator=check_call)
    emulator.add_user("UOSCAR", "oscar", real_name="Oscar Other", tz="Europe/Paris")
    emulator.add_user("UOLGA", "olga", real_name="Olga Other", tz="Europe/Paris")
    emulator.add_channel("COTHER", "other", creator="UOSCAR", members=["U0OTHERBOT", "UOSCAR", "UOLGA"])
    with emulator:
        yield emulator
    assert emulator.violations == []


@pytest.fixture
def other_services(database_url, other_slack, clock):
    settings = load_settings(slack_bot_token="xoxb-other-" + secrets.token_hex(8),
                             slack_signing_secret=secrets.token_hex(16), slack_api_url=other_slack.base_url,
                             database_url=database_url, _env_file=None)
    built = build_services(settings, clock=clock, limits=Limits.unpaced())
    yield built
    built.close()


def _seed(session, *, team_id: str, channel: str, lead: str, member: str, stranger: str) -> None:
    """A community due for everything at START + 1 day: a reminder, an overdue action, a card waiting to go,
    a member whose profile was never fetched, and a request nobody finished."""
    place = factories.community(session, team_id=team_id, channel_id=channel, now=START - dt.timedelta(days=30))
    leader = factories.member(session, place, lead, joined=START - dt.timedelta(days=30), role=Role.LEAD).person
    owner = factories.member(session, place, member, joined=START - dt.timedelta(days=30)).person
    unknown = factories.person(session, stranger, team_id=team_id, now=START)
    unknown.profile_fetched_at = None
    factories.member(session, place, stranger, joined=START - dt.timedelta(days=1))
    schedule_meeting(session, community=place, title="Retro", starts_at=START + dt.timedelta(days=1, hours=1),
                     created_by=leader, now=START)
    factories.action(session, place, "Write the runbook", created=START - dt.timedelta(days=10), owner=owner,
                     status=ActionStatus.OPEN, due=START - dt.timedelta(days=2))
    enqueue(session, key=f"card:{team_id}", team_id=team_id, channel=channel, text="a card waiting", kind="card",
            community_id=place.id, now=START)
    record(session, Arrival(key=f"event:{team_id}", team_id=team_id, kind="event", listener="nothing", lane=channel,
                            body={"event_id": team_id}, user_id=None, channel_id=channel, bot_user_id=None),
           now=START - dt.timedelta(hours=1))
    factories.around_the_clock(session, lead, member, stranger, team_id=team_id, now=START)  # DMs go at once
    session.commit()


def _api_users(slack: SlackEmulator) -> set[str]:
    return {str(call.args.get("user")) for call in slack.calls_to("users.info")}


def _posted_to(slack: SlackEmulator) -> set[str]:
    return {str(call.args.get("channel")) for call in slack.calls_to("chat.postMessage")}


def test_each_deployment_scans_claims_and_looks_up_only_its_own_workspace(
        services, other_services, session, slack, other_slack):
    _seed(session, team_id=TEAM, channel="CDEVOPS", lead="UBOB", member="UCHANDRA", stranger="UDANA")
    _seed(session, team_id=OTHER, channel="COTHER", lead="UOSCAR", member="UOLGA", stranger="UOTTO")
    now = START + dt.timedelta(days=1)

    report = run_tick(services, now=now)
    assert report.dispatched.sent > 0 and report.dispatched.failed == 0
    with services.sessions() as scoped:
        # Its own stranded request is found again, the other workspace's is not; nothing of it is even visible.
        assert [lane for _id, lane in stranded(scoped, now=now)] == ["CDEVOPS"]
        assert scoped.scalar(select(func.count()).select_from(Community)) == 1
        assert {p.team_id for p in scoped.scalars(select(Person))} == {TEAM}

    assert "COTHER" not in _posted_to(slack) and not _posted_to(slack) & {"UOSCAR", "UOLGA"}
    assert not _api_users(slack) & {"UOSCAR", "UOLGA", "UOTTO"}
    assert "UDANA" in _api_users(slack)
    session.expire_all()
    theirs = session.scalars(select(Delivery).where(Delivery.team_id == OTHER)).all()
    assert [(d.key, d.status) for d in theirs] == [(f"card:{OTHER}", DeliveryStatus.PENDING)], \
        "queued or sent for the other workspace"
    otto = session.scalars(select(Person).where(Person.user_id == "UOTTO")).one()
    assert otto.profile_fetched_at is None and not otto.deleted
    assert session.scalars(select(InboxItem.attempts).where(InboxItem.team_id == OTHER)).one() == 0

    # The other deployment then does its own, with its own token, and finds nothing of the first left to do.
    sent_here = len(slack.calls_to("chat.postMessage"))
    report = run_tick(other_services, now=now)
    assert report.dispatched.sent > 0 and report.dispatched.failed == 0
    assert "COTHER" in _posted_to(other_slack) and "CDEVOPS" not in _posted_to(other_slack)
    assert _api_users(other_slack) <= {"UOSCAR", "UOLGA", "UOTTO"}
    assert len(slack.calls_to("chat.postMessage")) == sent_here
    session.expire_all()
    pending = session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.status != DeliveryStatus.SENT))
    assert pending == 0


def test_every_table_names_its_workspace():
    """A table the scope cannot place in a workspace would be read whole by every deployment."""
    unplaced = sorted(m.class_.__name__ for m in Base.registry.mappers if _rule(m.class_) is None)
    assert unplaced == []


def test_another_workspaces_terms_edits_are_out_of_sight(services, session):
    place = factories.community(session, team_id=OTHER, channel_id="COTHER", now=START)
    oscar = factories.member(session, place, "UOSCAR", joined=START, role=Role.LEAD).person
    set_term(session, community=place, field="purpose", text="Their own purpose", by=oscar, now=START)
    session.commit()
    assert session.scalar(select(func.count()).select_from(TermsEdit)) == 1
    with services.sessions() as scoped:
        assert scoped.scalars(select(TermsEdit)).all() == []


def test_every_job_runs_scoped_to_the_workspace(services, session):
    """No job reads another workspace's rows: a job with nothing of its own to do queues nothing."""
    _seed(session, team_id=OTHER, channel="COTHER", lead="UOSCAR", member="UOLGA", stranger="UOTTO")
    now = START + dt.timedelta(days=1)
    for job in JOBS:
        assert run_job(services, job, now=now) == 0, job.id
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_each_deployment_holds_its_own_scheduler_lock(services, other_services):
    from scheduler.runner import SchedulerService

    ours, theirs = SchedulerService(services), SchedulerService(other_services)
    try:
        ours._step()
        theirs._step()
        assert ours.active and theirs.active, "one workspace's scheduler kept the other's from running"
        assert ours.lock.name.endswith(TEAM) and theirs.lock.name.endswith(OTHER)
    finally:
        ours.stop()
        theirs.stop()


def _foreign(bot, team_id: str) -> RequestFactory:
    return RequestFactory(signing_secret=bot.services.settings.slack_signing_secret.get_secret_value(),
                          team_id=team_id, bot_user_id=bot.slack.bot_user_id)


def test_a_request_for_another_workspace_is_acknowledged_ignored_and_logged_once(settled_bot, caplog):
    bot = settled_bot
    foreign = _foreign(bot, OTHER)
    url = bot.slack.response_url("UBOB-setup", channel="CDEVOPS", user="UBOB")
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        for _ in range(3):
            status, _body = bot.post(foreign.slash_command(
                user_id="UBOB", user_name="bob", channel_id="CDEVOPS", channel_name="devops", text="setup DevOps CoP",
                response_url=url))
            assert status == 200
        status, _body = bot.post(foreign.event(foreign.member_joined(user="UCHANDRA", channel="CDEVOPS")))
        assert status == 200
    with bot.services.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Community)) == 0
        assert connection.scalar(select(func.count()).select_from(InboxItem)) == 0
    assert bot.replies_to("UBOB") == [] and bot.posts_in("CDEVOPS") == []
    said = [r.getMessage() for r in caplog.records if OTHER in r.getMessage()]
    assert len(said) == 1, said


def test_a_person_from_another_workspace_in_this_ones_shared_channel_is_served(settled_bot):
    """Slack names the installation an event is for in `authorizations`; the speaker's own team may differ."""
    bot = settled_bot
    from tests.test_http_app import setup_devops

    setup_devops(bot)
    bot.slack.add_user("UGUEST", "guest", real_name="Guest From Elsewhere", tz="UTC")
    event = bot.requests.message(user="UGUEST", channel="CDEVOPS", text="hello from the partner org",
                                 ts="1795420000.000100")
    event.update(user_team=OTHER, source_team=OTHER)
    status, _body = bot.post(bot.requests.event(event))
    assert status == 200
    with bot.services.sessions() as scoped:
        speakers = scoped.scalars(select(Person.user_id).join(Contribution, Contribution.person_id == Person.id))
        assert "UGUEST" in set(speakers)
