"""The `copbot` command as an operator runs it: a separate process, configured only by its environment.

These run on SQLite only: the child process needs a database it can open by URL on its own, and a
fresh SQLite file per test is that; the PostgreSQL fixture's database is tied to this test process.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from bot.db import make_engine, make_session_factory, unit_of_work
from bot.sandbox.slack_emulator import SlackEmulator
from models import Delivery, DeliveryStatus
from models.communities import create_community
from models.meetings import schedule_meeting
from tests.conftest import TEAM
from tests.databases import sqlite_copy
from tests.slack_spec.validate import check_call

BOT_TOKEN = "xoxb-cli-" + secrets.token_hex(8)
MEETING_AT = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def copbot_command() -> list[str]:
    """The installed entry point beside this interpreter (or on PATH), else the module."""
    found = shutil.which("copbot", path=str(Path(sys.executable).parent)) or shutil.which("copbot")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


def run_copbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)}
    return subprocess.run([*copbot_command(), *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory: no .env for the command to pick up."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def emulated_slack() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(team_id=TEAM, validator=check_call)
    emulator.add_user("UBOB", "bob", real_name="Bob Baker", tz="America/New_York")
    emulator.add_channel("CDEVOPS", "devops", creator="UBOB", members=["U0COPBOT"])
    with emulator:
        yield emulator
    assert emulator.violations == [], "calls Slack's spec does not allow"


def configured(database_url: str, slack: SlackEmulator | None = None, **extra: str) -> dict[str, str]:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": secrets.token_hex(16),
           "DATABASE_URL": database_url, **extra}
    if slack is not None:
        env["SLACK_API_URL"] = slack.base_url
    return env


def test_migrate_without_configuration_says_what_is_missing_in_one_line(workdir):
    result = run_copbot("migrate", cwd=workdir)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("copbot: ")
    assert "SLACK_BOT_TOKEN" in lines[0] and "OAuth & Permissions" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert list(workdir.iterdir()) == []  # no database made on the way


def test_tick_with_a_date_it_cannot_read_is_a_usage_error(workdir):
    result = run_copbot("tick", "--at", "not-a-date", cwd=workdir)
    assert result.returncode == 2
    assert "argument --at" in result.stderr
    assert "'not-a-date' is not an ISO 8601 instant" in result.stderr
    assert "Traceback" not in result.stderr


def test_tick_with_an_instant_without_a_zone_is_a_usage_error(workdir):
    result = run_copbot("tick", "--at", "2026-11-24T14:00:00", cwd=workdir)
    assert result.returncode == 2
    assert "has no zone" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.long
def test_migrate_creates_the_schema(workdir):
    database = workdir / "copbot.db"
    result = run_copbot("migrate", cwd=workdir, env=configured(f"sqlite:///{database}"))
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stderr
    engine = make_engine(f"sqlite:///{database}")
    try:
        names = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"alembic_version", "communities", "meetings", "deliveries", "people"} <= names
    assert BOT_TOKEN not in result.stderr + result.stdout


@pytest.fixture
def database_with_a_meeting(workdir: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database with a community in #devops and a meeting at 15:00 UTC on 24 November."""
    url = sqlite_copy(sqlite_template, workdir)  # migrated once for the session: Alembic takes most of a second
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            community = create_community(session, team_id=TEAM, channel_id="CDEVOPS", name="DevOps CoP",
                                         created_by="UBOB", timezone="America/New_York",
                                         now=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
            schedule_meeting(session, community=community, title="Kick-off", starts_at=MEETING_AT,
                             created_by=None, now=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    finally:
        engine.dispose()
    return url


@pytest.mark.long
def test_tick_posts_the_due_reminder_once(workdir, emulated_slack, database_with_a_meeting):
    env = configured(database_with_a_meeting, emulated_slack, LOG_LEVEL="DEBUG")

    first = run_copbot("tick", "--at", "2026-11-24T14:00:00Z", cwd=workdir, env=env)
    assert first.returncode == 0, first.stderr
    summary = first.stdout.strip().splitlines()
    assert len(summary) == 1, first.stdout
    assert summary[0].startswith("tick at 2026-11-24T14:00:00+00:00: ")
    assert "reminders.send_due=1" in summary[0]
    assert "sent 1, retrying 0, failed 0" in summary[0]

    [reminder] = emulated_slack.messages_in("CDEVOPS")
    assert reminder.user == emulated_slack.bot_user_id
    # One hour before: the 24-hour reminder's moment has passed too, but only the nearer one is sent.
    assert reminder.text == "Reminder: Kick-off starts in 1 hour"
    assert "Kick-off" in str(reminder.blocks)
    [call] = emulated_slack.calls_to("chat.postMessage")
    assert call.args["channel"] == "CDEVOPS"
    assert BOT_TOKEN not in first.stderr + first.stdout  # not even at DEBUG

    second = run_copbot("tick", "--at", "2026-11-24T14:00:00Z", cwd=workdir, env=env)
    assert second.returncode == 0, second.stderr
    assert "reminders.send_due=0" in second.stdout and "sent 0," in second.stdout
    assert len(emulated_slack.messages_in("CDEVOPS")) == 1
    assert len(emulated_slack.calls_to("chat.postMessage")) == 1

    engine = make_engine(database_with_a_meeting)
    try:
        with make_session_factory(engine)() as session:
            [delivery] = session.scalars(select(Delivery)).all()
    finally:
        engine.dispose()
    assert (delivery.status, delivery.sent_ts, delivery.kind) == (DeliveryStatus.SENT, reminder.ts, "reminder")
    assert delivery.key.startswith("reminder:") and delivery.key.endswith(":60m:CDEVOPS")


def test_tick_reports_a_delivery_slack_refuses_and_exits_non_zero(workdir, emulated_slack, database_with_a_meeting):
    emulated_slack.leave("CDEVOPS", emulated_slack.bot_user_id)
    result = run_copbot("tick", "--at", "2026-11-24T14:00:00Z", cwd=workdir,
                        env=configured(database_with_a_meeting, emulated_slack))
    assert result.returncode == 1
    assert "sent 0, retrying 0, failed 1" in result.stdout
    assert "not_in_channel" in result.stderr
    assert emulated_slack.messages_in("CDEVOPS") == []
