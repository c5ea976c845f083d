"""An action's card kept current: an edit is made only when the card would read differently."""

from __future__ import annotations

from sqlalchemy import select

from bot.cards import rewrite_card
from models import Action
from tests.community import cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.test_meeting_loop_http import wait_posted


def test_a_card_that_already_reads_as_the_records_say_is_not_edited_again(bot, cop):
    cop("UBOB", 'action add "Rotate the CI secrets"')
    wait_posted(bot, "CDEVOPS", "Action #")
    with bot.services.sessions() as session, session.begin():
        action = session.scalars(select(Action)).one()
        now = bot.services.clock.now()
        rewrite_card(session, action, now=now)  # the records may rank the suggestions differently by now
        assert rewrite_card(session, action, now=now) is None  # nothing changed since
        action.title = "Rotate every CI secret"
        edit = rewrite_card(session, action, now=now)
        assert edit is not None and "Rotate every CI secret" in edit.message.text
        assert rewrite_card(session, action, now=now) is None  # the edit is what Slack now shows
