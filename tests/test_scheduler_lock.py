"""One active scheduler at a time: the leader lock, on both databases, and the service that holds it.

Separate engines stand for separate processes (each has its own connections, or its own open file
for SQLite's lock); a child process that is killed stands for one that dies.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

import scheduler.runner as runner
from bot.app import build_services
from bot.clock import Clock
from bot.db import make_engine
from bot.outbox import Limits
from scheduler.lock import SCHEDULER_LOCK, LeaderLock, _advisory_key
from scheduler.runner import JOBS, SchedulerService
from tests.conftest import BACKENDS, START, TEAM

REPO = Path(__file__).resolve().parent.parent


def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll until predicate holds; False if it never did within timeout seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def engines(database_url: str) -> Iterator[Callable[[], Engine]]:
    """Engines on the test database, each standing for a process of its own; disposed afterwards."""
    made: list[Engine] = []

    def new() -> Engine:
        engine = make_engine(database_url)
        made.append(engine)
        return engine

    yield new
    for engine in made:
        engine.dispose()


def test_only_one_holder_until_it_releases(engines):
    first, second = LeaderLock(engines()), LeaderLock(engines())
    try:
        assert first.acquire() is True
        assert first.held and first.alive()
        assert second.acquire() is False
        assert not second.held and not second.alive()
        assert first.acquire() is True  # asking again while holding is harmless
        assert second.acquire() is False

        first.release()
        assert not first.held
        assert second.acquire() is True
        assert second.alive()
        assert first.acquire() is False
    finally:
        first.release()
        second.release()


def test_locks_with_different_names_do_not_exclude_each_other(engines):
    scheduler, other = LeaderLock(engines()), LeaderLock(engines(), name="copbot.something-else")
    try:
        assert scheduler.acquire() is True
        assert other.acquire() is True
    finally:
        scheduler.release()
        other.release()


HOLDER = """
import sys, time
from bot.db import make_engine
from scheduler.lock import SCHEDULER_LOCK, LeaderLock, _advisory_key
lock = LeaderLock(make_engine(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
time.sleep(120)
"""


def test_a_killed_holder_frees_the_lock(engines, database_url):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, database_url], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    standby = LeaderLock(engines())
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert line.strip() == "held", holder.stderr.read() if holder.stderr else ""
        assert standby.acquire() is False
        holder.kill()
        holder.wait(timeout=10)
        assert eventually(standby.acquire), "the lock of a killed process was never freed"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        for stream in (holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()
        standby.release()


requires_postgresql = pytest.mark.skipif("postgresql" not in BACKENDS,
                                         reason="PostgreSQL is not among the test databases")


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("pg_test_database").next_test()


def backend_pid(lock: LeaderLock) -> int:
    assert lock._connection is not None
    pid = lock._connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    lock._connection.commit()
    return pid


@requires_postgresql
def test_postgresql_lock_is_freed_when_the_holders_connection_closes(pg_url):
    first_engine, second_engine = make_engine(pg_url), make_engine(pg_url)
    first, second = LeaderLock(first_engine), LeaderLock(second_engine)
    try:
        assert first.acquire()
        assert second.acquire() is False
        assert first._connection is not None
        first._connection.invalidate()  # the socket closes as it would when a process dies
        assert eventually(second.acquire)
        assert second.alive()
    finally:
        second.release()
        first_engine.dispose()
        second_engine.dispose()


@requires_postgresql
def test_postgresql_holder_notices_when_the_server_drops_its_connection(pg_url):
    engine, other_engine = make_engine(pg_url), make_engine(pg_url)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    holder, other = LeaderLock(engine), LeaderLock(other_engine)
    try:
        assert holder.acquire()
        with admin.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                      {"pid": backend_pid(holder)}).scalar_one() is True
        assert holder.alive() is False
        assert not holder.held
        holder.release()  # nothing left to release; must not raise
        assert eventually(other.acquire)
    finally:
        other.release()
        engine.dispose()
        other_engine.dispose()
        admin.dispose()


# --------------------------------------------------------------------- the scheduler service


@pytest.fixture
def quick_standby(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "STANDBY_RETRY", dt.timedelta(seconds=0.05))


@pytest.fixture
def second_services(settings):
    built = build_services(settings, clock=Clock(START), limits=Limits.unpaced())
    yield built
    built.close()


def count_attempts(service: SchedulerService) -> list[bool]:
    """Record each try the service makes for the lock."""
    attempts: list[bool] = []
    acquire = service.lock.acquire

    def counted() -> bool:
        got = acquire()
        attempts.append(got)
        return got

    service.lock.acquire = counted  # type: ignore[method-assign]
    return attempts


def test_one_scheduler_is_active_and_the_standby_takes_over_when_it_stops(services, second_services, quick_standby):
    first, second = SchedulerService(services), SchedulerService(second_services)
    try:
        first.start()
        assert eventually(lambda: first.active), "the first scheduler never became active"
        assert first._scheduler is not None
        ids = {job.id for job in first._scheduler.get_jobs()}
        # Sending the outbox is a duty of its own (SenderService), never one of the scheduler's jobs.
        assert ids == {job.id for job in JOBS}

        attempts = count_attempts(second)
        second.start()
        assert eventually(lambda: len(attempts) >= 3), "the standby stopped trying"
        assert not any(attempts)
        assert not second.active and first.active

        first.stop()
        assert not first.active and not first.lock.held
        assert eventually(lambda: second.active), "the standby never took over"
        assert second.lock.alive()
    finally:
        first.stop()
        second.stop()
    assert not second.active and not second.lock.held


def test_scheduler_keeps_trying_when_the_database_is_briefly_unreachable(services, quick_standby):
    service = SchedulerService(services)
    acquire = service.lock.acquire
    calls: list[int] = []

    def flaky() -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT pg_try_advisory_lock(%(k)s)", {}, ConnectionRefusedError())
        return acquire()

    service.lock.acquire = flaky  # type: ignore[method-assign]
    try:
        service.start()
        assert service._thread is not None
        thread = service._thread
        assert eventually(lambda: service.active or not thread.is_alive())
        assert service.active, "the scheduler thread died on a passing database error"
    finally:
        service.stop()


@requires_postgresql
def test_postgresql_scheduler_stands_down_when_its_lock_is_lost(pg_url, quick_standby, slack):
    from bot.settings import load_settings

    settings = load_settings(slack_bot_token="xoxb-test-lock", slack_signing_secret="s" * 32,
                             slack_api_url=slack.base_url, database_url=pg_url, _env_file=None)
    services = build_services(settings, clock=Clock(START), limits=Limits.unpaced())
    service = SchedulerService(services)
    rival_engine = make_engine(pg_url)
    rival = rival_engine.connect()
    rival_pid = rival.execute(text("SELECT pg_backend_pid()")).scalar_one()
    key = {"k": _advisory_key(f"{SCHEDULER_LOCK}:{TEAM}")}  # each workspace's scheduler has its own lock
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    waiting = threading.Thread(target=lambda: rival.execute(text("SELECT pg_advisory_lock(:k)"), key), daemon=True)

    def rival_queued() -> bool:
        with admin.connect() as connection:
            return connection.execute(text("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                                           "AND pid = :pid"), {"pid": rival_pid}).first() is not None

    try:
        service.start()
        assert eventually(lambda: service.active)
        pid = backend_pid(service.lock)
        # Another process takes the freed lock before this one can have it back: it queues for the lock
        # first, so the server hands it over the moment it frees it, however busy the machine.
        waiting.start()
        assert eventually(rival_queued), "the rival never queued for the lock"
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        waiting.join(timeout=10)
        assert not waiting.is_alive(), "the rival never got the freed lock"
        assert eventually(lambda: not service.active), "kept running jobs without the lock"
        rival.execute(text("SELECT pg_advisory_unlock(:k)"), key)
        rival.commit()
        assert eventually(lambda: service.active), "never became active again once the lock was free"
    finally:
        service.stop()
        rival.close()
        rival_engine.dispose()
        admin.dispose()
        services.close()
