"""A listener whose transaction PostgreSQL aborts as a deadlock victim is run again, not lost."""

from __future__ import annotations

from slack_bolt import BoltContext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from handlers.base import ATTEMPTS, SERVICES_KEY, listener
from models.events import ProcessedEvent, first_delivery


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def run_listener(services, handler, body=None) -> None:  # noqa: ANN001
    context = BoltContext({SERVICES_KEY: services, "team_id": "T1"})
    listener(handler)(ack=lambda: None, body=body or {}, context=context, client=services.client)


def test_a_deadlock_victim_is_run_again_and_its_work_kept(services):
    calls = []

    def handler(request) -> None:  # noqa: ANN001
        calls.append(1)
        first_delivery(request.session, event_id=f"Ev{len(calls)}", team_id="T1", event_type="x", now=request.now)
        if len(calls) == 1:
            raise OperationalError("UPDATE people", {}, FakeDriverError("40P01"))

    run_listener(services, handler)
    assert len(calls) == 2
    with services.sessions() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["Ev2"]  # the first try rolled back


def test_other_database_errors_are_not_retried_and_retries_are_bounded(services):
    calls = []

    def broken(request) -> None:  # noqa: ANN001
        calls.append(1)
        raise OperationalError("SELECT 1", {}, FakeDriverError("08006"))

    run_listener(services, broken)
    assert len(calls) == 1

    calls.clear()

    def always_deadlocked(request) -> None:  # noqa: ANN001
        calls.append(1)
        raise OperationalError("UPDATE people", {}, FakeDriverError("40P01"))

    run_listener(services, always_deadlocked)
    assert len(calls) == ATTEMPTS
