"""Shared fixtures: every database test runs on SQLite and on PostgreSQL; Slack is emulated.

PostgreSQL is expected at 127.0.0.1:5432 (user postgres, trust auth) unless COPBOT_TEST_PG_URL
says otherwise; set COPBOT_TEST_DATABASES=sqlite to run without it (CI never does).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_services, create_app
from bot.clock import Clock
from bot.db import make_engine, make_session_factory
from bot.outbox import Limits
from bot.sandbox.requests import RequestFactory, SignedRequest
from bot.sandbox.slack_emulator import SlackEmulator
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.web import BackgroundServer, WebApp
from models import Delivery, DeliveryStatus, InboxItem, InboxStatus
from models.deliveries import sendable
from tests import databases
from tests.databases import BACKENDS
from tests.slack_spec.validate import check_call

# A Monday morning in November; tests move from here.
START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
TEAM = "T0COP0001"
CHANNEL_NAMES = {"CDEVOPS": "devops", "CRANDOM": "random"}


RUN_ID = pytest.StashKey[str]()


def _run_id(config: pytest.Config) -> str:
    """The run's id, shared by its xdist workers (each is told it by the process that started them)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return workerinput["testrunuid"][:12]
    return config.stash.setdefault(RUN_ID, secrets.token_hex(6))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # noqa: ANN001
    """In the process that starts the xdist workers: remember the run's id to drop its databases at the end."""
    node.config.stash[RUN_ID] = node.workerinput["testrunuid"][:12]


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Only the process that started the run: its workers may still be using the template before then.
    if "postgresql" in BACKENDS and not hasattr(session.config, "workerinput") and RUN_ID in session.config.stash:
        try:
            databases.drop_pg_databases(session.config.stash[RUN_ID])
        except OperationalError as error:  # PostgreSQL down: the tests that needed it have said so already
            print(f"could not drop the run's PostgreSQL databases: {error}", file=sys.stderr)


# Scopes whose fixture is built once for the tests that share it: those tests are handed out together (xdist may
# still move one or two to an idle worker, which builds the fixture again).
SHARED_SCOPES = ("package", "module", "class")


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups given here
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        shared = fixtures is not None and any(
            definitions[-1].scope in SHARED_SCOPES for definitions in fixtures.name2fixturedefs.values())
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    # Run in parallel (`make test` hands out one test at a time), a long test begun last would hold the whole
    # run up while the other workers idle: long tests start first, `long(first=True)` ones first of all, and
    # among the others those on PostgreSQL (the longest), then those on SQLite, then the rest.
    def order(item: pytest.Item) -> tuple[bool, ...]:
        long = item.get_closest_marker("long")
        if long is None:
            return (True,)
        return (False, not long.kwargs.get("first", False), "[postgresql" not in item.nodeid,
                "[sqlite" not in item.nodeid)

    items.sort(key=order)


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """This worker's PostgreSQL database for the run, created migrated from the run's template."""
    run_id = _run_id(request.config)
    template = databases.ensure_pg_template(run_id)
    name = f"{databases.run_prefix(run_id)}_{_worker_id()}"
    yield databases.create_pg_database(template, name)
    # The template may still be in use by other workers: the process that started the run drops it.
    databases.drop_pg_database(name)


@pytest.fixture(scope="session")
def pg_test_database(pg_database: str) -> Iterator[databases.PgTestDatabase]:
    database = databases.PgTestDatabase(pg_database)
    yield database
    database.dispose()


@pytest.fixture(scope="session", autouse=True)
def shared_statement_cache() -> Iterator[None]:
    cache = databases.SharedStatementCache()
    cache.install()
    yield
    cache.remove()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.migrate_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database: a copy of the SQLite template, or this worker's PostgreSQL one emptied."""
    if request.param == "sqlite":
        return databases.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path_factory.mktemp("db"))
    return request.getfixturevalue("pg_test_database").next_test()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """An emulated workspace; any call Slack's published spec would refuse fails the test."""
    emulator = SlackEmulator(team_id=TEAM, validator=check_call)
    emulator.add_user("UALICE", "alice", real_name="Alice Archer", tz="Europe/London", is_admin=True)
    emulator.add_user("UBOB", "bob", real_name="Bob Baker", tz="America/New_York")
    emulator.add_user("UCHANDRA", "chandra", real_name="Chandra Rao", tz="Asia/Kolkata")
    emulator.add_user("UDANA", "dana", real_name="Dana Vogel", tz="Europe/Berlin")
    emulator.add_user("UEVE", "eve", real_name="Eve Evans", tz="America/Los_Angeles")
    emulator.add_user("UHELPER", "deploybot", real_name="Deploy Bot", is_bot=True)
    emulator.add_channel("CDEVOPS", "devops", creator="UBOB", members=["U0COPBOT", "UALICE", "UBOB", "UCHANDRA"])
    emulator.add_channel("CRANDOM", "random", creator="UALICE", members=["UALICE", "UBOB"])
    with emulator:
        yield emulator
    assert emulator.violations == [], "calls Slack's spec does not allow"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def settings(database_url: str, slack: SlackEmulator) -> Settings:
    return load_settings(
        slack_bot_token="xoxb-test-" + secrets.token_hex(8),
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=slack.base_url,
        database_url=database_url,
        _env_file=None,
    )


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Iterator[Services]:
    built = build_services(settings, clock=clock, limits=Limits.unpaced())
    yield built
    built.close()


@dataclass
class BotServer:
    """The real app behind the real HTTP server, and a way to send it requests as Slack does."""

    url: str
    requests: RequestFactory
    slack: SlackEmulator
    services: Services

    def post(self, request: SignedRequest, *, headers: dict[str, str] | None = None) -> tuple[int, str]:
        http = urllib.request.Request(self.url + "/slack/events", data=request.body, method="POST",
                                      headers={**request.headers, **(headers or {})})
        try:
            with urllib.request.urlopen(http, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def command(self, user: str, text: str, *, channel: str = "CDEVOPS") -> tuple[int, str]:
        """Type `/cop text` as `user`; returns the HTTP status and body of the acknowledgement."""
        request = self.requests.slash_command(
            user_id=user, user_name=user.lower(), channel_id=channel, channel_name=CHANNEL_NAMES.get(channel, channel),
            text=text, response_url=self.slack.response_url(f"{user}-{secrets.token_hex(3)}", channel=channel,
                                                            user=user),
        )
        return self.post(request)

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until every request acknowledged so far has been worked on and what it queued is sent.

        Requests are acknowledged before they are worked on, so "nothing happened" can only be checked
        once the work is done: each request's row in the inbox is finished with its effects.
        """
        services = self.services

        def quiet() -> bool:
            if not services.inbox.wait_idle(0):
                return False
            with services.sessions() as session:
                unfinished = session.scalar(select(func.count()).select_from(InboxItem).where(
                    InboxItem.status.in_([InboxStatus.PENDING, InboxStatus.WORKING])))
                due = session.scalar(select(func.count()).select_from(Delivery).where(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                    Delivery.next_attempt_at <= services.clock.now(), sendable()))
            return not unfinished and not due and not services.dispatcher.busy

        # Polled here rather than with slack.wait_for, which would hold the emulator's lock over these queries.
        deadline = time.monotonic() + timeout
        while not quiet():
            assert time.monotonic() < deadline, "requests or deliveries still waiting"
            time.sleep(0.01)

    def posts_in(self, channel: str) -> list:
        """What the bot posted for everyone in a channel (or a DM), not ephemeral replies."""
        return [m for m in self.slack.messages_in(channel)
                if m.kind == "message" and m.user == self.slack.bot_user_id]

    def replies_to(self, user: str) -> list[dict]:
        return [r for r in self.slack.responses if r["tag"].startswith(f"{user}-")]

    def wait_reply(self, user: str, count: int = 1, timeout: float = 15.0) -> dict:
        assert self.slack.wait_for(lambda: len(self.replies_to(user)) >= count, timeout), (
            f"no reply #{count} to {user}; replies: {self.slack.responses}"
        )
        return self.replies_to(user)[count - 1]


@contextmanager
def serving(services: Services, slack: SlackEmulator) -> Iterator[BotServer]:
    """The app served over HTTP as `copbot run` serves it: workers doing the work, the outbox sending."""
    app = create_app(services)
    secret = services.settings.slack_signing_secret.get_secret_value()
    server = BackgroundServer(WebApp(app, services.inbox.door, signing_secret=secret)).start()
    if not services.inbox.inline:
        services.start_workers()
        services.dispatcher.start()
    requests = RequestFactory(signing_secret=secret, team_id=TEAM, bot_user_id=slack.bot_user_id)
    try:
        yield BotServer(f"http://127.0.0.1:{server.port}", requests, slack, services)
    finally:
        server.stop()
        services.inbox.stop()
        services.dispatcher.stop()


@pytest.fixture
def bot(services: Services, slack: SlackEmulator) -> Iterator[BotServer]:
    with serving(services, slack) as server:
        yield server


@pytest.fixture
def settled_bot(settings: Settings, clock: Clock, slack: SlackEmulator) -> Iterator[BotServer]:
    """The same app, answering each request only once its work is done and what it queued is sent.

    A test can then look at the outcome as soon as the request returns, including the outcome
    "nothing happened", without waiting for a time.
    """
    settled = build_services(settings, clock=clock, limits=Limits.unpaced(), inline=True)
    try:
        with serving(settled, slack) as server:
            yield server
    finally:
        settled.close()
