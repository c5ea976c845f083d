"""Buttons on action messages and DMs work as the commands do, and the lesson modal keeps what was learned."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time

from sqlalchemy import select

from handlers.ids import ActionId, BlockId, ViewId
from models import ActionStatus, KnowledgeItem, KnowledgeKind, Person
from scheduler.runner import run_tick
from tests.community import (  # noqa: F401  (cop_fixture provides `cop`)
    actions,
    always_at_work,
    cards,
    cop_fixture,
    credits,
    dms,
    owner_of,
    said,
)


def button_value(message, action_id: str) -> str:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {message.text}")


def press(bot, user: str, message, action_id: str, *, value: str | None = None) -> str:
    """Click a button as `user`, as Slack posts it; returns the tag of the click's response_url."""
    tag = f"click-{user}-{secrets.token_hex(3)}"
    url = bot.slack.response_url(tag, channel=message.channel, user=user, message_ts=message.ts)
    request = bot.requests.block_action(
        user_id=user, user_name=user.lower(), channel_id=message.channel, message_ts=message.ts,
        action_id=action_id, value=value if value is not None else button_value(message, action_id),
        response_url=url, is_ephemeral=message.ephemeral_to is not None)
    status, _ = bot.post(request)
    assert status == 200
    return tag


def responses_to(bot, tag: str) -> list[dict]:
    return [r for r in bot.slack.responses if r["tag"] == tag]


def click(bot, user: str, message, action_id: str, *, value: str | None = None) -> str:
    """Click a button as `user`; returns the ephemeral answer the clicker sees."""
    tag = press(bot, user, message, action_id, value=value)

    def answers() -> list[dict]:
        return [r for r in responses_to(bot, tag) if not r.get("replace_original")]

    assert bot.slack.wait_for(lambda: answers()), f"no answer to the click on {action_id}"
    return said(answers()[0])


def click_in_dm(bot, user: str, message, action_id: str) -> dict:
    """Click a button on a DM; returns the one answer: what the message became."""
    tag = press(bot, user, message, action_id)
    assert bot.slack.wait_for(lambda: responses_to(bot, tag)), f"no answer to the click on {action_id}"
    time.sleep(0.2)  # long enough for a second answer, were one sent
    [answer] = responses_to(bot, tag)
    assert answer["replace_original"] is True
    return answer


def first_card(bot):
    assert bot.slack.wait_for(lambda: cards(bot))
    return cards(bot)[0]


def test_claim_and_done_buttons_on_the_card_work_like_the_commands(bot, cop):
    cop("UBOB", 'action add "Rotate the CI secrets"')
    card = first_card(bot)
    assert "is yours now" in click(bot, "UCHANDRA", card, ActionId.ACTION_CLAIM)
    assert owner_of(bot, 1) == "UCHANDRA"
    assert bot.slack.wait_for(lambda: "Owner: *chandra*" in json.dumps(first_card(bot).blocks))
    assert "only its owner or a lead can complete it" in click(bot, "UDANA", card, ActionId.ACTION_DONE)
    assert actions(bot)[0].status == ActionStatus.IN_PROGRESS
    answer = click(bot, "UCHANDRA", card, ActionId.ACTION_DONE)
    assert "is done" in answer and ActionId.LESSON_RECORD in answer
    assert actions(bot)[0].status == ActionStatus.DONE and credits(bot, "action_closed") == ["UCHANDRA"]
    # Someone clicking Claim on an out-of-date copy of the card is told, not obeyed.
    assert "already done" in click(bot, "UCHANDRA", card, ActionId.ACTION_CLAIM, value="1")


def test_a_button_that_points_nowhere_says_so(bot, cop):
    cop("UBOB", 'action add "Something"')
    card = first_card(bot)
    assert "no longer points at an action" in click(bot, "UCHANDRA", card, ActionId.ACTION_CLAIM, value="x1")
    assert "There is no action #77" in click(bot, "UCHANDRA", card, ActionId.ACTION_CLAIM, value="77")
    assert owner_of(bot, 1) is None


def test_an_offer_is_taken_or_declined_from_its_dm(bot, cop):
    cop("UCHANDRA", 'action add "Review the modules" <@UDANA|dana>')
    cop("UCHANDRA", 'action add "Write the summary" <@UDANA|dana>')
    assert bot.slack.wait_for(lambda: len(dms(bot, "UDANA")) == 2)
    first, second = dms(bot, "UDANA")
    assert "Action #1 is yours now: “Review the modules”" in said(click_in_dm(bot, "UDANA", first,
                                                                              ActionId.ACTION_CLAIM))
    assert owner_of(bot, 1) == "UDANA"
    # One answer, and the offer now says what was chosen, its buttons gone.
    assert bot.slack.wait_for(lambda: dms(bot, "UDANA")[0].text.startswith("Action #1 is yours now"))
    assert [b["type"] for b in dms(bot, "UDANA")[0].blocks] == ["section"]
    assert "stays in the pool" in said(click_in_dm(bot, "UDANA", second, ActionId.ACTION_DECLINE))
    [_, declined] = actions(bot)
    assert (declined.owner_id, declined.proposed_owner_id) == (None, None)
    assert bot.slack.wait_for(lambda: "action #2, “Write the summary”, stays in the pool" in dms(bot, "UDANA")[1].text)
    assert [b["type"] for b in dms(bot, "UDANA")[1].blocks] == ["section"]
    assert "Nobody is waiting for your answer" in click(bot, "UDANA", second, ActionId.ACTION_DECLINE, value="2")


def test_the_owner_records_the_lesson_in_a_modal_and_the_channel_sees_it(bot, cop):
    cop("UCHANDRA", 'action add "Move the builds to spot instances" <@UCHANDRA|chandra> #ci')
    card = first_card(bot)
    click(bot, "UCHANDRA", card, ActionId.ACTION_DONE)
    offer = [m for m in bot.slack.messages_in("CDEVOPS") if m.ephemeral_to == "UCHANDRA"
             and ActionId.LESSON_RECORD in json.dumps(m.blocks)][0]
    click_request = bot.requests.block_action(
        user_id="UCHANDRA", user_name="chandra", channel_id="CDEVOPS", message_ts=offer.ts,
        action_id=ActionId.LESSON_RECORD, value="1", is_ephemeral=True,
        response_url=bot.slack.response_url("lesson", channel="CDEVOPS", user="UCHANDRA"))
    assert bot.post(click_request)[0] == 200
    assert bot.slack.wait_for(lambda: bot.slack.calls_to("views.open"))
    view = bot.slack.calls_to("views.open")[0].args["view"]
    assert (view["callback_id"], view["private_metadata"], view["title"]["text"]) == (
        ViewId.LESSON, "1", "Record the lesson")
    submission = bot.requests.view_submission(
        user_id="UCHANDRA", user_name="chandra", callback_id=ViewId.LESSON, private_metadata="1",
        values={BlockId.LESSON_TEXT: {ActionId.LESSON_TEXT: {"type": "plain_text_input",
                                                             "value": "Spot capacity <vanishes> at 9am; keep one "
                                                                      "on-demand runner."}},
                BlockId.LESSON_TAGS: {ActionId.LESSON_TAGS: {"type": "plain_text_input", "value": "CI, aws, ???"}}})
    assert bot.post(submission)[0] == 200
    assert bot.slack.wait_for(lambda: any("recorded a lesson" in json.dumps(m.blocks) for m in bot.posts_in("CDEVOPS")))
    with bot.services.sessions() as session:
        [item] = session.scalars(select(KnowledgeItem)).all()
        assert (item.kind, item.action_id, item.tags) == (KnowledgeKind.LESSON, 1, ["ci", "aws"])
        assert item.body == "Spot capacity <vanishes> at 9am; keep one on-demand runner."
    shared = [m for m in bot.posts_in("CDEVOPS") if "recorded a lesson" in json.dumps(m.blocks)][0]
    assert "&lt;vanishes&gt;" in json.dumps(shared.blocks) and "<vanishes>" not in json.dumps(shared.blocks)
    assert credits(bot, "knowledge_item") == ["UCHANDRA"]


def test_the_due_reminder_arrives_by_dm_and_its_done_button_closes_the_action(bot, cop):
    cop("UCHANDRA", 'action add "Renew the certificate" <@UCHANDRA|chandra> due 2026-11-25 10:00')
    due = actions(bot)[0].due_at
    run_tick(bot.services, now=due - dt.timedelta(hours=23))
    [reminder] = dms(bot, "UCHANDRA")
    assert reminder.text == "Action #1 is due soon"
    answer = said(click_in_dm(bot, "UCHANDRA", reminder, ActionId.ACTION_DONE))
    assert "*#1 Renew the certificate* is done" in answer and ActionId.LESSON_RECORD in answer  # the owner's offer
    assert actions(bot)[0].status == ActionStatus.DONE
    assert bot.slack.wait_for(lambda: dms(bot, "UCHANDRA")[0].text == "Action #1 is done")
    assert ActionId.ACTION_DONE not in json.dumps(dms(bot, "UCHANDRA")[0].blocks)
    run_tick(bot.services, now=due + dt.timedelta(hours=1))  # done: no overdue reminder
    assert [m.text for m in dms(bot, "UCHANDRA")] == ["Action #1 is done"]


def test_action_dms_can_be_turned_off_by_command_or_by_their_button(bot, cop):
    assert "no more reminders about actions you own" in cop("UDANA", "action dms off")
    cop("UCHANDRA", 'action add "Review the modules" <@UDANA|dana>')
    assert actions(bot)[0].proposed_owner_id is not None  # asked all the same: the card shows it
    assert "brings it back" in cop("UDANA", "action dms off")
    assert "You'll get reminders about actions you own" in cop("UDANA", "action dms on")
    assert "Say `on` or `off`" in cop("UDANA", "action dms maybe")
    cop("UCHANDRA", 'action add "Write the summary" <@UDANA|dana>')
    assert bot.slack.wait_for(lambda: any("action #2" in m.text for m in dms(bot, "UDANA")))
    [offer] = [m for m in dms(bot, "UDANA") if "action #2" in m.text]
    assert not any("action #1" in m.text for m in dms(bot, "UDANA"))
    assert "Done: no more reminders about actions you own" in click(bot, "UDANA", offer, ActionId.MUTE_DM_KIND)
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.action_dms).where(Person.user_id == "UDANA")).one() is False


def test_a_leads_assignment_can_be_declined_and_the_lead_is_told(bot, cop):
    always_at_work(bot, "UBOB", "UDANA")  # not a test of working hours: the DMs go at once
    cop("UBOB", 'action add "Rotate the CI secrets"')
    cop("UBOB", "action assign 1 <@UDANA|dana>")
    assert owner_of(bot, 1) == "UDANA"
    assert bot.slack.wait_for(lambda: len(dms(bot, "UDANA")) == 1)
    assigned = dms(bot, "UDANA")[0]
    answer = click_in_dm(bot, "UDANA", assigned, ActionId.ACTION_DECLINE)
    assert "back in the pool" in said(answer) and "bob has been told" in said(answer)
    [action] = actions(bot)
    assert (action.owner_id, action.status, action.assigned_by_id) == (None, ActionStatus.OPEN, None)
    assert bot.slack.wait_for(lambda: "nobody owns it yet" in json.dumps(first_card(bot).blocks))
    assert bot.slack.wait_for(lambda: len(dms(bot, "UBOB")) == 1)
    told = dms(bot, "UBOB")[0]
    assert "dana can't take action #1" in told.text and "back in the pool" in json.dumps(told.blocks)
    # Added for her by a lead: said no to with the command, too; once only.
    cop("UBOB", 'action add "Book the room" <@UDANA|dana>')
    assert owner_of(bot, 2) == "UDANA"
    assert "back in the pool" in cop("UDANA", "action decline 2")
    assert owner_of(bot, 2) is None
    assert "Nobody is waiting for your answer on action #2" in cop("UDANA", "action decline 2")
    assert bot.slack.wait_for(lambda: len(dms(bot, "UBOB")) == 2)


def test_an_action_someone_took_on_themselves_is_not_declined(bot, cop):
    cop("UDANA", 'action add "Tidy the wiki" <@UDANA|dana>')
    assert "Nobody is waiting for your answer on action #1" in cop("UDANA", "action decline 1")
    cop("UBOB", 'action add "Rotate the CI secrets"')
    cop("UDANA", "action claim 2")
    assert "Nobody is waiting for your answer" in cop("UDANA", "action decline 2")
    assert owner_of(bot, 1) == owner_of(bot, 2) == "UDANA"


def forget(bot, cop, user: str) -> None:
    """`/cop forget-me` and its confirming button, as `user`."""
    cop(user, "forget-me")
    button = bot.replies_to(user)[-1]["blocks"][-1]["elements"][0]
    tag = press(bot, user, _Somewhere("CDEVOPS", ""), button["action_id"], value=button["value"])
    assert bot.slack.wait_for(lambda: "you are forgotten" in json.dumps(responses_to(bot, tag)))
    bot.settle()


class _Somewhere:
    def __init__(self, channel: str, ts: str) -> None:
        self.channel, self.ts, self.blocks, self.ephemeral_to = channel, ts, [], None


def test_declining_the_assignment_of_a_forgotten_lead_tells_the_communitys_other_leads(bot, cop):
    always_at_work(bot, "UBOB", "UCHANDRA", "UDANA")
    cop("UBOB", "role <@UCHANDRA|chandra> co-lead")
    cop("UBOB", 'action add "Rotate the CI secrets" <@UDANA|dana>')
    cop("UCHANDRA", 'action add "Book the room" <@UDANA|dana>')
    forget(bot, cop, "UBOB")
    answer = cop("UDANA", "action decline 1")
    assert "back in the pool" in answer and "has been told" in answer
    assert "a former member has been told" not in answer.lower()
    assert "the lead who assigned it is no longer here, so the community's lead has been told" in answer
    assert bot.slack.wait_for(lambda: any("can't take action #1" in m.text for m in dms(bot, "UCHANDRA")))
    [told] = [m for m in dms(bot, "UCHANDRA") if "can't take action #1" in m.text]
    assert "the lead who assigned it to them is no longer here" in json.dumps(told.blocks)
    # With no lead left to tell, the answer says so.
    forget(bot, cop, "UCHANDRA")
    answer = cop("UDANA", "action decline 2")
    assert "back in the pool" in answer and "has been told" not in answer
    assert "the community has no other lead to tell" in answer
