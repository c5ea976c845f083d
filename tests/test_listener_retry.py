"""A request's work, done from its inbox row: run again when PostgreSQL picks it as a deadlock victim,
put back when the database goes away, done once even when two workers reach it, ended visibly otherwise."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.db import unit_of_work
from handlers.base import ATTEMPTS, listener, work_on
from models import Community, InboxItem, InboxStatus
from models.inbox import CLAIM_FOR, MAX_ATTEMPTS, Arrival, claim, finish, record
from tests.conftest import START, TEAM


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def accepted(services, handler, key: str = "command:1.1.test") -> int:
    """Record a request for `handler` as the door does, without a worker picking it up."""
    listener(handler)  # registers it by name, as the app's registration does
    with unit_of_work(services.sessions) as session:
        item_id = record(session, Arrival(key=key, team_id=TEAM, kind="command", listener=handler.__name__,
                                          lane="UALICE", body={"text": "x"}, user_id="UALICE", channel_id="CDEVOPS",
                                          bot_user_id="U0COPBOT"), now=START)
    assert item_id is not None
    return item_id


def inbox_row(services, item_id: int) -> InboxItem:
    with services.sessions() as session:
        return session.get_one(InboxItem, item_id)


def note(request, text: str) -> None:  # noqa: ANN001
    """Some effect of the work, to see whether it was kept."""
    request.session.add(Community(team_id=TEAM, channel_id=f"C{len(text)}{text[:8]}", name=text, created_by="UBOB"))


def effects(services) -> list[str]:
    with services.sessions() as session:
        return list(session.scalars(select(Community.name).order_by(Community.id)))


def test_a_deadlock_victim_is_run_again_and_its_work_kept(services):
    calls = []

    def handle_deadlocked_once(request) -> None:  # noqa: ANN001
        calls.append(1)
        note(request, f"try {len(calls)}")
        if len(calls) == 1:
            raise OperationalError("UPDATE people", {}, FakeDriverError("40P01"))

    item_id = accepted(services, handle_deadlocked_once)
    work_on(services, item_id)
    assert len(calls) == 2
    assert effects(services) == ["try 2"]  # the first try rolled back
    row = inbox_row(services, item_id)
    assert (row.status, row.outcome, row.attempts) == (InboxStatus.DONE, "done", 1)


def test_retries_of_a_deadlock_are_bounded(services):
    calls = []

    def handle_always_deadlocked(request) -> None:  # noqa: ANN001
        calls.append(1)
        raise OperationalError("UPDATE people", {}, FakeDriverError("40P01"))

    item_id = accepted(services, handle_always_deadlocked)
    work_on(services, item_id)
    assert len(calls) == ATTEMPTS
    assert inbox_row(services, item_id).status == InboxStatus.FAILED


def test_a_database_that_went_away_mid_work_leaves_the_request_for_another_try(services):
    calls = []

    def handle_when_the_database_is_back(request) -> None:  # noqa: ANN001
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, FakeDriverError("08006"))  # connection failure
        note(request, "done at last")

    item_id = accepted(services, handle_when_the_database_is_back)
    work_on(services, item_id)
    assert len(calls) == 1  # not retried in a loop against a database that is away
    row = inbox_row(services, item_id)
    assert (row.status, row.claim_token) == (InboxStatus.PENDING, None)
    work_on(services, item_id)  # the next sweep hands it to a worker again
    assert effects(services) == ["done at last"]
    assert inbox_row(services, item_id).status == InboxStatus.DONE


def test_a_finished_request_is_never_worked_on_again(services):
    calls = []

    def handle_once_only(request) -> None:  # noqa: ANN001
        calls.append(1)
        note(request, "once")

    item_id = accepted(services, handle_once_only)
    work_on(services, item_id)
    work_on(services, item_id)
    assert calls == [1]
    assert effects(services) == ["once"]


def handle_nothing(request) -> None:  # noqa: ANN001
    """A listener that does nothing, for claims tested on their own."""


def test_a_worker_whose_claim_was_taken_over_cannot_finish(services):
    item_id = accepted(services, handle_nothing)
    with unit_of_work(services.sessions) as session:
        slow = claim(session, item_id=item_id, now=START)
    assert slow is not None
    later = START + CLAIM_FOR + dt.timedelta(seconds=1)
    with unit_of_work(services.sessions) as session:
        taker = claim(session, item_id=item_id, now=later)
    assert taker is not None and taker.token != slow.token
    with unit_of_work(services.sessions) as session:
        assert finish(session, slow, outcome="done", now=later) is False  # its transaction must roll back
        assert finish(session, taker, outcome="done", now=later) is True


def test_a_request_that_keeps_killing_its_worker_is_given_up_visibly(services):
    calls = []

    def handle_never_reached(request) -> None:  # noqa: ANN001
        calls.append(1)

    item_id = accepted(services, handle_never_reached)
    now = START
    for _ in range(MAX_ATTEMPTS):  # each claim expires unfinished, as when the worker's process dies
        with unit_of_work(services.sessions) as session:
            assert claim(session, item_id=item_id, now=now) is not None
        now += CLAIM_FOR + dt.timedelta(seconds=1)
    services.clock.set(now)
    work_on(services, item_id)
    assert calls == []
    row = inbox_row(services, item_id)
    assert row.status == InboxStatus.FAILED and "given up" in row.outcome


def test_a_mistake_is_finished_as_refused_and_a_fault_as_failed(services):
    from models.errors import BadArgument

    def handle_a_mistake(request) -> None:  # noqa: ANN001
        note(request, "never kept")
        raise BadArgument("That is not a number.")

    def handle_a_fault(request) -> None:  # noqa: ANN001
        raise KeyError("type")

    refused = accepted(services, handle_a_mistake, key="command:2.2.test")
    failed = accepted(services, handle_a_fault, key="command:3.3.test")
    work_on(services, refused)
    work_on(services, failed)
    assert effects(services) == []
    assert (inbox_row(services, refused).status, inbox_row(services, refused).outcome) == (InboxStatus.DONE,
                                                                                           "refused")
    assert inbox_row(services, failed).status == InboxStatus.FAILED
    assert "KeyError" in inbox_row(services, failed).outcome
