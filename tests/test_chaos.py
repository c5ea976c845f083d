"""The outbox under fire: several senders on PostgreSQL, the active one killed with SIGKILL at random moments in
bursts of sends. Every delivery is sent exactly once (or still waits), and a standby takes over at once.
And the scheduler's process killed in the middle of its run, on both databases: a standby takes over, and every
reminder that was due is still sent exactly once.

`COPBOT_CHAOS_KILLS` sets how many kills (20 here; `make chaos` runs a longer one).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_session_factory, unit_of_work
from models import Community, Delivery, DeliveryStatus
from models.deliveries import enqueue_many
from models.meetings.series import schedule_meeting
from tests import factories
from tests.conftest import BACKENDS, START, TEAM
from tests.test_scheduler_lock import eventually

REPO = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("COPBOT_CHAOS_KILLS", "20"))
SENDERS = 3
BURST = 12
CHANNELS = ["CDEVOPS", "UALICE", "UBOB", "UCHANDRA", "UDANA", "UEVE"]


class Senders:
    """The forking process of tests/chaos_sender.py, and what its senders say."""

    def __init__(self, database_url: str, slack_api_url: str, log: Path, mode: str = "send") -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.chaos_sender", database_url, slack_api_url, mode], cwd=REPO, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        self.forked: list[int] = []
        self.leaders: list[tuple[int, float]] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            word, pid, *rest = line.split()
            with self._changed:
                if word == "forked":
                    self.forked.append(int(pid))
                elif word == "leader":
                    self.leaders.append((int(pid), float(rest[0])))
                self._changed.notify_all()

    def fork(self) -> int:
        assert self.process.stdin is not None
        with self._changed:
            count = len(self.forked)
            self.process.stdin.write("fork\n")
            self.process.stdin.flush()
            assert self._changed.wait_for(lambda: len(self.forked) > count, 10), "no sender was forked"
            return self.forked[-1]

    def leader_after(self, count: int, timeout: float = 10.0) -> tuple[int, float]:
        """The sender that took the lock after the first `count` leaders."""
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.leaders) > count, timeout), "nobody took over"
            return self.leaders[count]

    def close(self) -> None:
        for pid in self.forked:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()


def burst(sessions, round_: int) -> list[str]:
    keys = [f"chaos:{round_}:{i}" for i in range(BURST)]
    with unit_of_work(sessions) as session:
        enqueue_many(session, [dict(key=key, team_id=TEAM, channel=CHANNELS[i % len(CHANNELS)], text=key,
                                    kind="chaos", now=START) for i, key in enumerate(keys)])
    return keys


@pytest.mark.long
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not among the test databases")
def test_killing_the_active_sender_again_and_again_loses_nothing_and_doubles_nothing(request, slack, tmp_path):
    database_url = request.getfixturevalue("pg_test_database").next_test()
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    slack.latency = 0.01  # posts take a moment, so that kills land in the middle of them
    senders = Senders(database_url, slack.base_url, tmp_path / "senders.log")
    rng = random.Random(os.environ.get("COPBOT_CHAOS_SEED", "chaos"))
    takeovers: list[float] = []
    keys: list[str] = []
    started = time.monotonic()
    try:
        for _ in range(SENDERS):
            senders.fork()
        leader, _ = senders.leader_after(0)
        for kill in range(KILLS):
            keys += burst(sessions, kill)
            time.sleep(rng.uniform(0.0, 0.08))  # somewhere in the burst: before, during or after a post
            os.kill(leader, signal.SIGKILL)
            killed_at = time.time()
            senders.fork()  # a replacement stands by, as a supervisor would restart the process
            leader, took_at = senders.leader_after(kill + 1)
            takeovers.append(took_at - killed_at)
        killing = time.monotonic() - started
        assert eventually(lambda: all_sent(sessions), timeout=30), "deliveries still waiting after the last kill"
        statuses = {key: status for key, status in rows(sessions)}
    finally:
        senders.close()
        engine.dispose()
    posted = Counter(m.metadata["event_payload"]["key"] for m in slack.messages
                     if m.kind == "message" and m.metadata)
    doubled = {key: count for key, count in posted.items() if count > 1}
    assert doubled == {}, f"sent twice: {doubled}"
    for key in keys:
        assert posted[key] == (1 if statuses[key] == DeliveryStatus.SENT else 0), key
    assert set(statuses.values()) == {DeliveryStatus.SENT}
    report = (f"{KILLS} kills in {killing:.1f} s, {len(keys)} deliveries; takeover after a kill: median "
              f"{statistics.median(takeovers) * 1000:.0f} ms, max {max(takeovers) * 1000:.0f} ms")
    print(report)
    request.node.user_properties.append(("chaos", report))
    assert max(takeovers) < 5.0


def all_sent(sessions) -> bool:
    return all(status == DeliveryStatus.SENT for _, status in rows(sessions))


def rows(sessions) -> list[tuple[str, DeliveryStatus]]:
    with sessions() as session:
        return [(key, status) for key, status in session.execute(select(Delivery.key, Delivery.status))]


SCHEDULER_KILLS = 4
MEETINGS_PER_ROUND = 15


def due_meetings(sessions, round_: int) -> list[int]:
    """Meetings starting in half an hour, by the wall clock the processes keep: each one's reminder is due now."""
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(sessions) as session:
        place = session.scalars(select(Community)).one_or_none() or factories.community(session, team_id=TEAM, now=now)
        return [schedule_meeting(session, community=place, title=f"Chaos {round_}.{n}", created_by=None, now=now,
                                 starts_at=now + dt.timedelta(minutes=30)).id for n in range(MEETINGS_PER_ROUND)]


@pytest.mark.long
def test_killing_the_scheduler_mid_run_a_standby_sends_every_due_reminder_exactly_once(database_url, slack, tmp_path):
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    slack.latency = 0.05  # posts take a moment, so that a kill lands while the run's reminders go out
    meetings = due_meetings(sessions, 0)
    processes = Senders(database_url, slack.base_url, tmp_path / "schedulers.log", mode="run")
    rng = random.Random(os.environ.get("COPBOT_CHAOS_SEED", "scheduler"))
    unsent_at_kills: list[int] = []

    def reminders() -> dict[str, DeliveryStatus]:
        with sessions() as session:
            return {key: status for key, status in session.execute(
                select(Delivery.key, Delivery.status).where(Delivery.kind == "reminder"))}

    def sent_count() -> int:
        return list(reminders().values()).count(DeliveryStatus.SENT)

    try:
        processes.fork()
        processes.fork()  # the standby
        leader, _ = processes.leader_after(0)
        for kill in range(SCHEDULER_KILLS):
            if kill % 2:  # while it sends the reminders its run queued: once the first has gone
                before = sent_count()
                assert eventually(lambda before=before: sent_count() > before, 15)
                time.sleep(rng.uniform(0.0, 0.05))
            else:  # while its run is still queuing them
                time.sleep(rng.uniform(0.0, 0.1))
            # More fall due as it dies (a run starts at once only on take-up; after that, every minute).
            earlier = len(meetings)
            meetings += due_meetings(sessions, kill + 1)
            os.kill(leader, signal.SIGKILL)
            unsent_at_kills.append(earlier - sent_count())
            processes.fork()  # a replacement stands by, as a supervisor would restart the process
            new_leader, _ = processes.leader_after(kill + 1, timeout=15)
            assert new_leader != leader
            leader = new_leader
        assert eventually(lambda: len(reminders()) == len(meetings)
                          and set(reminders().values()) == {DeliveryStatus.SENT}, timeout=30), (
            len(meetings), {k: v for k, v in reminders().items() if v != DeliveryStatus.SENT})
        keys = reminders()
    finally:
        processes.close()
        engine.dispose()
    assert all(unsent_at_kills), f"a kill came after the run's reminders were all out: {unsent_at_kills}"
    # One reminder per meeting, each posted once.
    assert sorted(int(key.split(":")[1]) for key in keys) == sorted(meetings)
    posted = Counter(m.metadata["event_payload"]["key"] for m in slack.messages
                     if m.kind == "message" and m.metadata and m.channel == "CDEVOPS")
    assert {key: posted[key] for key in keys} == dict.fromkeys(keys, 1)
