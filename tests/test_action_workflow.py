"""The action rules where Slack cannot show them: two people claiming one action at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, text

from models.actions.queries import get_action
from models.actions.workflow import Actor, add_action, claim_action
from models.errors import UserFacingError
from tests.conftest import START, TEAM
from tests.test_follow_up import cop  # noqa: F401  (the fixture)


def test_an_action_about_to_change_is_locked_on_postgresql(session, cop):  # noqa: F811
    community, people = cop
    action = add_action(session, community=community, title="Contended", actor=Actor(people["ULENA"], True),
                        now=START).action
    session.commit()
    statements: list[str] = []
    engine = session.get_bind()

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        session.expunge_all()
        assert get_action(session, team_id=TEAM, action_id=action.id, for_update=True).title == "Contended"
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert any("FOR UPDATE" in s for s in statements) is (engine.dialect.name == "postgresql")


def test_two_claims_at_once_take_turns_and_the_second_is_told(session, sessions, cop):  # noqa: F811
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite admits one writer at a time by itself")
    community, people = cop
    action_id = add_action(session, community=community, title="Contended", actor=Actor(people["ULENA"], True),
                           now=START).action.id
    session.commit()
    first = sessions()
    action = get_action(first, team_id=TEAM, action_id=action_id, for_update=True)
    mia = first.merge(people["UMIA"])
    claim_action(first, action=action, actor=Actor(mia, False), now=START)
    outcome: list[str] = []
    failures: list[BaseException] = []

    def second_claim() -> None:
        try:
            with sessions() as second:
                max_ = second.merge(people["UMAX"])
                late = get_action(second, team_id=TEAM, action_id=action_id, for_update=True)  # waits for the first
                try:
                    claim_action(second, action=late, actor=Actor(max_, False), now=START)
                    second.commit()
                    outcome.append("claimed")
                except UserFacingError as error:
                    outcome.append(str(error))
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    thread = threading.Thread(target=second_claim)
    thread.start()
    try:
        with sessions() as watcher:
            waiting = ("SELECT count(*) FROM pg_stat_activity "
                       "WHERE wait_event_type = 'Lock' AND datname = current_database()")
            # Polled with a generous bound: a loaded machine may take a while to get the second claim there.
            for _ in range(6000):
                if watcher.execute(text(waiting)).scalar():
                    break
                assert thread.is_alive(), f"the second claim ended without waiting: {outcome or failures}"
                threading.Event().wait(0.01)
            else:
                pytest.fail("the second claim never waited for the first")
        first.commit()
    finally:
        # Whatever happened, let go of the row, or every later test would wait on it.
        first.rollback()
        first.close()
        thread.join(timeout=30)
    assert failures == []
    assert outcome == [f"Action #{action_id} is umia's: ask them or a lead to hand it over."]
