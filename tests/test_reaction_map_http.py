"""The reaction map end to end: :ballot_box_with_check: makes an action, :white_check_mark: closes it,
:pushpin: keeps knowledge; each once however often Slack delivers it, and undone when taken back.

These run against `settled_bot`, which answers Slack only when a request's work is done, so each
outcome (including "nothing happened") can be checked as soon as the request returns.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import Action, ActionStatus, Community, Contribution, KnowledgeItem, KnowledgeKind, Person
from tests.community import actions, owner_of
from tests.test_http_app import setup_devops

RUNBOOK = "Someone should write a runbook for <https://wiki.example/ci|the spot fleet> & its quirks"


@pytest.fixture
def bot(settled_bot):
    setup_devops(settled_bot)  # Bob leads; Alice (an overall lead) and Chandra are members
    settled_bot.command("UDANA", "join")  # Dana: a plain member
    return settled_bot


def react(bot, user: str, ts: str, reaction: str, *, author: str | None, removed: bool = False,
          event_id: str | None = None, retry: int | None = None) -> None:
    event = bot.requests.reaction(user=user, reaction=reaction, channel="CDEVOPS", ts=ts, item_user=author,
                                  removed=removed)
    status, _ = bot.post(bot.requests.event(event, event_id=event_id, retry_num=retry))
    assert status == 200


def contributions(bot) -> list[tuple[str, str]]:
    with bot.services.sessions() as session:
        rows = session.execute(select(Person.user_id, Contribution.kind)
                               .join(Person, Person.id == Contribution.person_id).order_by(Contribution.id))
        return [(user, kind.value) for user, kind in rows]


def thread_posts(bot, ts: str) -> list:
    return [m for m in bot.posts_in("CDEVOPS") if m.thread_ts == ts]


def knowledge(bot) -> list[KnowledgeItem]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(KnowledgeItem).order_by(KnowledgeItem.id)).unique())


def test_the_author_ticking_their_own_message_makes_it_their_action(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", RUNBOOK)
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")
    [action] = actions(bot)
    assert action.title == "Someone should write a runbook for the spot fleet & its quirks"
    assert owner_of(bot, action.id) == "UCHANDRA"
    assert action.source_permalink == f"https://copbot-sandbox.slack.com/archives/CDEVOPS/p{ts.replace('.', '')}"
    [card] = thread_posts(bot, ts)
    assert "this message" in json.dumps(card.blocks) and "action_done" in json.dumps(card.blocks)
    assert contributions(bot) == [("UCHANDRA", "reaction_given"), ("UCHANDRA", "action_created")]


def test_someone_else_ticking_a_message_asks_its_author_and_a_lead_assigns_it(bot):
    first = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "I could look at the flaky tests")
    react(bot, "UDANA", first, "ballot_box_with_check", author="UCHANDRA")
    [asked] = actions(bot)
    assert asked.owner_id is None and asked.proposed_owner_id is not None
    assert "asks whether you could take action #1" in bot.posts_in("UCHANDRA")[0].text
    second = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "I'll update the dashboards")
    react(bot, "UBOB", second, "ballot_box_with_check", author="UCHANDRA")
    assert owner_of(bot, 2) == "UCHANDRA"
    assert "You have been assigned action #2" in bot.posts_in("UCHANDRA")[1].text


def test_one_action_per_message_however_often_and_by_whomever_it_is_ticked(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Upgrade the runners")
    for retry in (None, 1, 2):
        react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA", event_id="EvTICK0001", retry=retry)
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")  # a new event for the same reaction
    react(bot, "UDANA", ts, "ballot_box_with_check", author="UCHANDRA")
    assert len(actions(bot)) == 1 and len(thread_posts(bot, ts)) == 1
    assert [k for _, k in contributions(bot)].count("action_created") == 1
    # Slack was asked for the message once: the later reactions found the action already there.
    assert len(bot.slack.calls_to("conversations.history")) == 1


def test_taking_the_tick_back_takes_the_untouched_action_back(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Upgrade the runners")
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")
    assert len(thread_posts(bot, ts)) == 1
    react(bot, "UDANA", ts, "ballot_box_with_check", author="UCHANDRA", removed=True)  # not the one that made it
    assert len(actions(bot)) == 1
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA", removed=True)
    assert actions(bot) == [] and thread_posts(bot, ts) == []  # the card is deleted too
    assert contributions(bot) == []
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")  # ticking again makes it again
    assert len(actions(bot)) == 1


def test_taking_the_tick_back_leaves_an_action_someone_is_working_on(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Upgrade the runners")
    react(bot, "UDANA", ts, "ballot_box_with_check", author="UCHANDRA")
    bot.command("UDANA", "action claim 1")
    react(bot, "UDANA", ts, "ballot_box_with_check", author="UCHANDRA", removed=True)
    assert [(a.id, a.status) for a in actions(bot)] == [(1, ActionStatus.IN_PROGRESS)]


def test_without_the_messages_text_the_action_still_has_a_title(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Upgrade the runners")
    bot.slack.fail_next("conversations.history", error="ratelimited")
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")
    assert actions(bot)[0].title == "Follow up on chandra's message"


def test_ticking_a_message_of_copbots_makes_nothing(bot):
    ts = bot.posts_in("CDEVOPS")[0].ts
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="U0COPBOT")
    assert actions(bot) == [] and contributions(bot) == [("UCHANDRA", "reaction_given")]


def test_white_check_mark_closes_the_action_from_its_message_or_its_card_and_removal_reopens(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Upgrade the runners")
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")
    react(bot, "UDANA", ts, "white_check_mark", author="UCHANDRA")  # not Dana's to close
    assert actions(bot)[0].status == ActionStatus.OPEN
    react(bot, "UCHANDRA", ts, "white_check_mark", author="UCHANDRA")
    assert actions(bot)[0].status == ActionStatus.DONE
    assert ("UCHANDRA", "action_closed") in contributions(bot)
    assert "record the lesson" in bot.posts_in("UCHANDRA")[-1].text  # offered by DM: a reaction has no reply
    react(bot, "UCHANDRA", ts, "white_check_mark", author="UCHANDRA", removed=True)
    # Open again, and in its owner's hands; the credit for closing it is taken back.
    assert actions(bot)[0].status == ActionStatus.IN_PROGRESS
    assert ("UCHANDRA", "action_closed") not in contributions(bot)
    [card] = thread_posts(bot, ts)
    react(bot, "UCHANDRA", card.ts, "white_check_mark", author="U0COPBOT")
    assert actions(bot)[0].status == ActionStatus.DONE


def test_white_check_mark_on_an_ordinary_message_is_just_a_reaction(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Done with lunch")
    react(bot, "UBOB", ts, "white_check_mark", author="UCHANDRA")
    assert contributions(bot) == [("UBOB", "reaction_given")]


def test_a_pin_keeps_the_message_as_knowledge_once_and_unpinning_takes_it_back(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Tip: pin your Terraform providers. Floating versions bit us.")
    for _ in range(2):
        react(bot, "UDANA", ts, "pushpin", author="UCHANDRA")
    [item] = knowledge(bot)
    assert (item.kind, item.title) == (KnowledgeKind.TIP, "Tip: pin your Terraform providers.")
    assert item.body.endswith("Floating versions bit us.") and item.source_permalink is not None
    assert ("UCHANDRA", "knowledge_item") in contributions(bot)
    [note] = thread_posts(bot, ts)
    assert "Saved to the knowledge base as #1" in note.text
    react(bot, "UDANA", ts, "pushpin", author="UCHANDRA", removed=True)
    assert knowledge(bot) == [] and thread_posts(bot, ts) == []
    assert ("UCHANDRA", "knowledge_item") not in contributions(bot)


def test_a_pinned_link_is_kept_as_a_link(bot):
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "<https://sre.google/books/>")
    react(bot, "UBOB", ts, "pushpin", author="UCHANDRA")
    [item] = knowledge(bot)
    assert (item.kind, item.url) == (KnowledgeKind.LINK, "https://sre.google/books/")


def test_a_communitys_own_map_overrides_the_defaults(bot):
    with bot.services.sessions.begin() as session:
        community = session.scalars(select(Community)).one()
        community.reaction_map = {"ballot_box_with_check": "none", "todo": "create_action", "clap": "idea"}
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Upgrade the runners")
    react(bot, "UCHANDRA", ts, "ballot_box_with_check", author="UCHANDRA")
    assert actions(bot) == []
    react(bot, "UCHANDRA", ts, "todo", author="UCHANDRA")
    assert [a.title for a in actions(bot)] == ["Upgrade the runners"]
    react(bot, "UBOB", ts, "clap", author="UCHANDRA")
    assert ("UCHANDRA", "idea") in contributions(bot)


def test_the_bots_own_messages_never_count(bot):
    status, _ = bot.post(bot.requests.event(bot.requests.message(user="U0COPBOT", channel="CDEVOPS", text="hi",
                                                                 ts="1795000000.000100")))
    assert status == 200
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "a person speaking")
    bot.post(bot.requests.event(bot.requests.message(user="UCHANDRA", channel="CDEVOPS", text="x", ts=ts)))
    assert contributions(bot) == [("UCHANDRA", "message")]
    with bot.services.sessions() as session:
        assert session.scalars(select(Action)).all() == []
