"""The door's insert: the row `models.inbox` would write, requests that arrive together in one statement."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from bot import recording
from bot.db import make_engine
from models.inbox import STRANDED_AFTER, Arrival, InboxItem, InboxStatus, claim, stranded

NOW = dt.datetime(2026, 12, 8, 9, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
def door(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, connections=4, door=True)
    yield engine
    engine.dispose()


def arrival(key: str, text: str = "action list") -> Arrival:
    return Arrival(key=key, team_id="T0COP0001", kind="command", listener="handle_cop_command", lane="UALICE",
                   body={"command": "/cop", "text": text, "user_id": "UALICE"}, user_id="UALICE",
                   channel_id="CDEVOPS", bot_user_id=None)


def values(engine: Engine, key: str, text: str = "action list") -> tuple:
    return recording.row(engine.dialect, arrival(key, text), now=NOW)


def test_a_recorded_request_is_the_row_the_inbox_reads_and_claims(door, session):
    item_id = recording.record(door, values(door, "command:1", 'action add "Ünïcode, \\"quoted\\""'))
    assert item_id is not None
    assert recording.record(door, values(door, "command:1")) is None  # a replay finds its key taken
    row = session.get(InboxItem, item_id)
    assert (row.status, row.attempts, row.received_at, row.lane) == (InboxStatus.PENDING, 0, NOW, "UALICE")
    assert row.body == {"command": "/cop", "text": 'action add "Ünïcode, \\"quoted\\""', "user_id": "UALICE"}
    # Its arrival time compares as the ORM's own do: not stranded yet, stranded once it has waited too long.
    assert stranded(session, now=NOW + STRANDED_AFTER - dt.timedelta(seconds=1)) == []
    assert stranded(session, now=NOW + STRANDED_AFTER + dt.timedelta(seconds=1)) == [(item_id, "UALICE")]
    claimed = claim(session, item_id=item_id, now=NOW)
    assert claimed is not None and claimed.item.body["text"].startswith("action add")


def test_requests_that_arrive_during_an_insert_share_the_next_one(door, session, monkeypatch):
    group = recording.GroupCommit()
    first_started, release = threading.Event(), threading.Event()
    batches: list[int] = []
    record_alone, record_many = recording.record_retrying, recording.record_many

    def slow_alone(engine, row):  # noqa: ANN001, ANN202
        first_started.set()
        release.wait(10)
        return record_alone(engine, row)

    def counted_many(engine, rows):  # noqa: ANN001, ANN202
        batches.append(len(rows))
        return record_many(engine, rows)

    monkeypatch.setattr(recording, "record_retrying", slow_alone)
    monkeypatch.setattr(recording, "record_many", counted_many)
    results: list[tuple[str, int | None]] = []

    def send(key: str) -> None:
        results.append((key, group.record(door, values(door, key))))

    first = threading.Thread(target=send, args=("command:first",))
    first.start()
    assert first_started.wait(10)
    # While the first insert is under way, six more arrive, one of them a replay of another.
    keys = ["command:a", "command:b", "command:c", "command:d", "command:e", "command:a"]
    others = [threading.Thread(target=send, args=(key,)) for key in keys]
    for thread in others:
        thread.start()
    for _ in range(1000):
        if len(group._queue) == len(others):  # noqa: SLF001
            break
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert batches == [6]  # the six waited for the first, then went in one statement
    rows = {row.key: row.id for row in session.scalars(select(InboxItem))}
    assert sorted(rows) == ["command:a", "command:b", "command:c", "command:d", "command:e", "command:first"]
    # Each was answered with its own row's id once it was committed; the replay, as a replay.
    assert sorted(results, key=lambda pair: (pair[0], pair[1] is None)) == [
        ("command:a", rows["command:a"]), ("command:a", None), ("command:b", rows["command:b"]),
        ("command:c", rows["command:c"]), ("command:d", rows["command:d"]), ("command:e", rows["command:e"]),
        ("command:first", rows["command:first"])]


def test_a_replay_within_one_statement_is_new_only_once(door):
    first, second, other = recording.record_many(door, [values(door, "command:x"), values(door, "command:x"),
                                                        values(door, "command:y")])
    assert first is not None and second is None and other is not None and other != first


def test_a_batch_with_a_row_the_database_refuses_records_the_others(door, session):
    group = recording.GroupCommit()
    bad = (None, *values(door, "ignored")[1:])  # no key: the database refuses the row
    batch = [recording._Waiting(values(door, "command:good-1")), recording._Waiting(bad),  # noqa: SLF001
             recording._Waiting(values(door, "command:good-2"))]  # noqa: SLF001
    recording._write(door, batch)  # noqa: SLF001
    assert [w.done for w in batch] == [True, True, True]
    assert batch[0].result is not None and batch[2].result is not None
    assert isinstance(batch[1].error, IntegrityError)
    assert sorted(session.scalars(select(InboxItem.key))) == ["command:good-1", "command:good-2"]
    assert group.record(door, values(door, "command:good-3")) is not None  # and the group goes on
