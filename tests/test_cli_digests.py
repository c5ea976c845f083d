"""`copbot tick --at` as an operator runs it: digests at each reader's 09:00 and nudges in working hours,
either side of Europe's 2027 spring clock change (28 March). SQLite only, like tests/test_cli.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_session_factory, unit_of_work
from bot.sandbox.slack_emulator import SlackEmulator
from models import Community, Role
from models.digests.slot import move_digest_slot
from tests import factories
from tests.conftest import TEAM
from tests.databases import sqlite_copy
from tests.slack_spec.validate import check_call
from tests.test_cli import configured, run_copbot, workdir  # noqa: F401  (workdir is a fixture)

LONG_AGO = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def slack_for_cli() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(team_id=TEAM, validator=check_call)
    for user, (name, tz) in factories.PEOPLE.items():
        emulator.add_user(user, name.split()[0].lower(), real_name=name, tz=tz)
    emulator.add_channel("CDEVOPS", "devops", creator="UALICE", members=["U0COPBOT", "UALICE", "UBOB", "UDANA"])
    with emulator:
        yield emulator
    assert emulator.violations == [], "calls Slack's spec does not allow"


@pytest.fixture
def database(workdir: Path, sqlite_template: Path) -> str:  # noqa: F811
    """#devops in London: Alice and Dana read the digest by DM; Bob, in New York, has gone quiet."""
    url = sqlite_copy(sqlite_template, workdir)  # migrated once for the session: Alembic takes most of a second
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            place = factories.community(session, team_id=TEAM, now=LONG_AGO)
            alice = factories.member(session, place, "UALICE", joined=LONG_AGO, role=Role.LEAD, digest_dm=True)
            factories.member(session, place, "UDANA", joined=LONG_AGO, digest_dm=True, nudges_enabled=False)
            factories.member(session, place, "UBOB", joined=LONG_AGO)
            for day in (10, 26):  # often enough that Alice is never quiet; never in the week to the 22nd
                factories.contribute(session, place, alice.person, dt.datetime(2027, 3, day, 12, 0, tzinfo=dt.UTC))
    finally:
        engine.dispose()
    return url


def tick(at: str, *, cwd: Path, env: dict[str, str]) -> str:
    result = run_copbot("tick", "--at", at, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def texts(slack: SlackEmulator, channel: str) -> list[str]:
    return [m.text for m in slack.messages_in(channel)]


@pytest.mark.long
def test_tick_sends_each_copy_at_nine_local_either_side_of_the_change(workdir, slack_for_cli, database):  # noqa: F811
    env = configured(database, slack_for_cli)
    # Monday 22 March: London is on GMT, Berlin on CET.
    assert "digests.send_dms=1" in tick("2027-03-22T08:00:00Z", cwd=workdir, env=env)  # Dana, 09:00 in Berlin
    assert texts(slack_for_cli, "UDANA") == ["A quiet week in DevOps CoP"]  # Alice spoke on the 26th
    out = tick("2027-03-22T09:00:00Z", cwd=workdir, env=env)  # Alice's 09:00, and the channel's slot
    assert "digests.send_dms=1" in out and "digests.post_channel=1" in out
    assert "digests.send_dms=0" in tick("2027-03-22T09:00:00Z", cwd=workdir, env=env)  # again: nothing new
    # Monday 29 March: both an hour earlier in UTC.
    assert "digests.send_dms=1" in tick("2027-03-29T07:00:00Z", cwd=workdir, env=env)
    out = tick("2027-03-29T08:00:00Z", cwd=workdir, env=env)
    assert "digests.send_dms=1" in out and "digests.post_channel=1" in out
    assert texts(slack_for_cli, "UDANA")[1] == "Weekly digest of DevOps CoP"
    assert len(texts(slack_for_cli, "UALICE")) == 2 and len(texts(slack_for_cli, "CDEVOPS")) == 2


@pytest.mark.long
def test_tick_nudges_only_inside_working_hours(workdir, slack_for_cli, database):  # noqa: F811
    env = configured(database, slack_for_cli)
    assert "nudges.send=0" in tick("2027-03-27T15:00:00Z", cwd=workdir, env=env)  # Saturday
    assert "nudges.send=0" in tick("2027-03-29T12:59:00Z", cwd=workdir, env=env)  # 08:59 in New York
    assert "nudges.send=1" in tick("2027-03-29T13:00:00Z", cwd=workdir, env=env)
    assert "nudges.send=0" in tick("2027-03-29T13:00:00Z", cwd=workdir, env=env)
    assert texts(slack_for_cli, "UBOB") == ["Something small you could help with in DevOps CoP"]
    for user in ("UDANA", "UALICE"):  # Dana turned nudges off; Alice is not quiet (only their digests came)
        assert not [t for t in texts(slack_for_cli, user) if t.startswith("Something small")]


@pytest.mark.long
def test_tick_posts_the_channel_digest_once_a_week_when_its_slot_moves_mid_week(workdir, slack_for_cli,  # noqa: F811
                                                                              database):
    env = configured(database, slack_for_cli)
    assert "digests.post_channel=1" in tick("2027-03-22T09:00:00Z", cwd=workdir, env=env)  # Monday 09:00 GMT
    engine = make_engine(database)
    try:
        with unit_of_work(make_session_factory(engine)) as session:  # as `/cop digest slot fri 16:30` does
            place = session.scalars(select(Community)).one()
            move_digest_slot(session, community=place, weekday=4, at=dt.time(16, 30),
                             now=dt.datetime(2027, 3, 24, 12, 0, tzinfo=dt.UTC))
    finally:
        engine.dispose()
    assert "digests.post_channel=0" in tick("2027-03-26T16:30:00Z", cwd=workdir, env=env)  # this week's went out
    assert "digests.post_channel=0" in tick("2027-03-29T08:00:00Z", cwd=workdir, env=env)  # nor on Mondays now
    assert "digests.post_channel=0" in tick("2027-04-02T15:29:00Z", cwd=workdir, env=env)
    assert "digests.post_channel=1" in tick("2027-04-02T15:30:00Z", cwd=workdir, env=env)  # 16:30 BST
    assert "digests.post_channel=0" in tick("2027-04-02T15:35:00Z", cwd=workdir, env=env)
    # Alice spoke at noon on the 26th, before the second digest's own seven days (from 16:30 that day), but
    # after the first digest: the first after a move covers everything since the one before.
    assert texts(slack_for_cli, "CDEVOPS") == ["A quiet week in DevOps CoP", "Weekly digest of DevOps CoP"]
