"""The action rules where Slack cannot show them: two people claiming one action at the same moment."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

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
    second = sessions()
    try:
        action = get_action(first, team_id=TEAM, action_id=action_id, for_update=True)
        claim_action(first, action=action, actor=Actor(first.merge(people["UMIA"]), False), now=START)
        # While the first claim is uncommitted, the second cannot even read the action for update:
        # it would wait, and here it is told so at once instead of waiting.
        second.execute(text("SET LOCAL lock_timeout = '100ms'"))
        with pytest.raises(OperationalError, match="lock"):
            get_action(second, team_id=TEAM, action_id=action_id, for_update=True)
        second.rollback()
        first.commit()
        # Its turn comes once the first is committed, and it is told whose the action now is.
        late = get_action(second, team_id=TEAM, action_id=action_id, for_update=True)
        with pytest.raises(UserFacingError) as refused:
            claim_action(second, action=late, actor=Actor(second.merge(people["UMAX"]), False), now=START)
        assert str(refused.value) == f"Action #{action_id} is umia's: ask them or a lead to hand it over."
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()
