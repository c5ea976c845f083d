"""`/cop action ...` end to end: the action plan run from Slack, with its permissions and its messages."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from models import ActionStatus, Delivery
from scheduler.runner import run_tick
from tests.community import (  # noqa: F401  (cop_fixture provides `cop`)
    actions,
    always_at_work,
    cards,
    cop_fixture,
    credits,
    dms,
    owner_of,
    stray_markup,
)
from tests.test_meeting_loop_http import wait_posted


def test_a_member_adds_an_action_for_themselves_with_a_due_date_and_tags(bot, cop):
    reply = cop("UCHANDRA", 'action add "Write the spot-instance runbook" <@UCHANDRA|chandra> due friday #CI #aws')
    [action] = actions(bot)
    # Chandra is in Kolkata: Friday 27 November, 17:00 there is 11:30 UTC.
    assert action.due_at == dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
    assert (action.title, action.tags, action.status) == ("Write the spot-instance runbook", ["ci", "aws"],
                                                          ActionStatus.OPEN)
    assert owner_of(bot, action.id) == "UCHANDRA"
    assert "Added *#1 Write the spot-instance runbook*" in reply and "I read “friday” as" in reply
    assert bot.slack.wait_for(lambda: len(cards(bot)) == 1)
    card = json.dumps(cards(bot)[0].blocks)
    assert "action_claim" in card and "action_done" in card and "#ci" in card
    assert "<@" not in card  # the card names people; it pings nobody
    assert credits(bot, "action_created") == ["UCHANDRA"]


def test_an_action_nobody_owns_suggests_who_has_room(bot, cop):
    cop("UCHANDRA", "capacity 2")
    cop("UALICE", "capacity 5")
    cop("UDANA", "capacity 0")  # not taking on anything for now
    cop("UBOB", 'action add "Bob\'s work" <@UBOB|bob>')
    cop("UCHANDRA", 'action add "Chandra\'s work" <@UCHANDRA|chandra>')
    reply = cop("UCHANDRA", 'action add "Tidy the wiki"')
    pool = actions(bot)[-1]
    assert pool.owner_id is None and pool.proposed_owner_id is None
    # The least open work relative to declared capacity first: 0/5, then 1/3, then 1/2.
    assert "Who has room: alice (0 of 5 open), bob (1 of 3 open), chandra (1 of 2 open)" in reply
    assert "Nobody is assigned without agreeing" in reply


def test_a_pool_card_right_after_setup_names_the_members_copbot_has_not_met(bot, cop):
    # Alice and Chandra were enrolled with the channel at setup: copbot has never looked them up.
    reply = cop("UBOB", 'action add "Tidy the wiki"')
    assert "Who has room: alice (0 of 3 open), bob (0 of 3 open), chandra (0 of 3 open)" in reply
    assert bot.slack.wait_for(lambda: cards(bot))
    card = json.dumps(cards(bot)[0].blocks)
    assert "alice (0 of 3 open)" in card and "someone" not in card
    assert {"UALICE", "UCHANDRA"} <= {c.args["user"] for c in bot.slack.calls_to("users.info")}


def test_a_pool_card_that_could_not_name_people_is_corrected_when_their_names_arrive(bot, cop):
    bot.slack.rate_limit_next("users.info", times=2)  # Slack says wait while the card is made
    assert "Who has room: someone (0 of 3 open), someone (0 of 3 open)" in cop("UBOB", 'action add "Tidy the wiki"')
    assert bot.slack.wait_for(lambda: cards(bot))
    bot.settle()
    assert "someone" in json.dumps(cards(bot)[0].blocks)
    run_tick(bot.services, now=bot.services.clock.now())  # the profile job names them
    assert bot.slack.wait_for(lambda: "alice (0 of 3 open)" in json.dumps(cards(bot)[0].blocks))
    assert "someone" not in json.dumps(cards(bot)[0].blocks)
    [update] = bot.slack.calls_to("chat.update")
    run_tick(bot.services, now=bot.services.clock.now())
    assert bot.slack.calls_to("chat.update") == [update]  # corrected once


def test_naming_someone_else_only_asks_them_unless_a_lead_does(bot, cop):
    always_at_work(bot, "UALICE")  # 08:00 in London: before her hours, the request would wait for them
    cop("UCHANDRA", 'action add "Review the Terraform modules" <@UALICE|alice>')
    [asked] = actions(bot)
    assert asked.owner_id is None and owner_of(bot, asked.id) is None
    assert bot.slack.wait_for(lambda: len(dms(bot, "UALICE")) == 1)
    offer = dms(bot, "UALICE")[0]
    assert "asks whether you could take action #1" in offer.text
    assert "Why you got this" in json.dumps(offer.blocks)
    cop("UBOB", 'action add "Book the room" <@UCHANDRA|chandra>')
    assert owner_of(bot, 2) == "UCHANDRA"
    assert bot.slack.wait_for(lambda: len(dms(bot, "UCHANDRA")) == 1)
    assert "You have been assigned action #2" in dms(bot, "UCHANDRA")[0].text


BAD_ACTION_COMMANDS = [
    ("action add Write it", "double quotes"),
    ('action add "Write it', 'double quotes, e.g. \\"Write the runbook'),
    ('action add ""', "Give the action a title"),
    ('action add "Write it" due banana', "couldn't read"),
    ('action add "Write it" due yesterday 10am', "past"),
    ('action add "Write it" soonish', "I didn't understand"),
    ('action add "Write it" <@UALICE|alice> <@UBOB|bob>', "one owner at most"),
    ('action add "Write it" <@UHELPER|deploybot>', "bot can't own"),
    ('action add "Write it" <@UEVE|eve>', "not a member"),
    ('action add "' + "x" * 201 + '"', "keep it to 200"),
    ('action add "Write it" #' + "x" * 31, "not a tag"),
    ("action frobnicate", "I don't know `/cop action frobnicate`"),
    ("action claim", "Say which action by its number"),
    ("action claim twelve", "Say which action by its number"),
    ("action claim 99", "There is no action #99"),
    ("action claim 12345678901234567890", "Say which action by its number"),
    ("action assign 1", "Mention the one person"),
    ("action block 1", "Say what blocks it"),
    ("action list someday", "I can't list"),
    ("action ladder 7 3", "the first smaller"),
    ("action ladder soon", "two numbers"),
]


def test_bad_action_commands_get_a_specific_error_with_usage_and_change_nothing(bot, cop):
    cop("UBOB", 'action add "Existing" <@UBOB|bob>')
    for text, expected in BAD_ACTION_COMMANDS:
        reply = cop("UBOB", text)
        assert expected.lower() in reply.lower(), (text, reply)
        assert "Usage" in reply, text
    assert [(a.title, a.status) for a in actions(bot)] == [("Existing", ActionStatus.OPEN)]


def test_claim_done_and_the_credit_they_give(bot, cop):
    cop("UBOB", 'action add "Rotate the CI secrets"')
    assert "is yours now" in cop("UCHANDRA", "action claim 1")
    assert "already yours" in cop("UCHANDRA", "action claim 1")
    assert "is chandra's" in cop("UDANA", "action claim #1")
    assert "only its owner or a lead can complete it" in cop("UDANA", "action done 1")
    reply = cop("UCHANDRA", "action done 1")
    assert "is done" in reply and "lesson_record" in reply  # the owner is offered to record the lesson
    [action] = actions(bot)
    assert (action.status, action.closed_at) == (ActionStatus.DONE, bot.services.clock.now())
    assert credits(bot, "action_closed") == ["UCHANDRA"]
    assert "already done" in cop("UCHANDRA", "action done 1")
    assert credits(bot, "action_closed") == ["UCHANDRA"]


def test_a_lead_closing_someone_elses_action_offers_the_owner_the_lesson_by_dm(bot, cop):
    cop("UCHANDRA", 'action add "Upgrade the runners" <@UCHANDRA|chandra>')
    reply = cop("UBOB", "action done 1")
    assert "lesson_record" not in reply
    assert bot.slack.wait_for(lambda: len(dms(bot, "UCHANDRA")) == 1)
    offer = dms(bot, "UCHANDRA")[0]
    assert "record the lesson" in offer.text and "lesson_record" in json.dumps(offer.blocks)
    assert credits(bot, "action_closed") == ["UCHANDRA"]


def test_whoever_finishes_a_pool_action_owns_it(bot, cop):
    cop("UBOB", 'action add "Update the onboarding doc"')
    cop("UALICE", "action done 1")
    assert owner_of(bot, 1) == "UALICE" and credits(bot, "action_closed") == ["UALICE"]


def test_drop_own_or_pool_but_not_someone_elses(bot, cop):
    cop("UBOB", 'action add "Mine" <@UBOB|bob>')
    cop("UBOB", 'action add "Pool"')
    assert "only its owner or a lead can drop it" in cop("UCHANDRA", "action drop 1")
    assert "Dropped action #2" in cop("UCHANDRA", "action drop 2")
    assert "Dropped action #1" in cop("UBOB", "action drop 1")
    assert [a.status for a in actions(bot)] == [ActionStatus.DROPPED, ActionStatus.DROPPED]


def test_assign_by_a_lead_assigns_and_by_a_member_asks(bot, cop):
    cop("UCHANDRA", 'action add "Pool work"')
    assert "is now chandra's" in cop("UBOB", "action assign 1 <@UCHANDRA|chandra>")
    assert owner_of(bot, 1) == "UCHANDRA"
    cop("UCHANDRA", 'action add "More pool work"')
    assert "Asked alice" in cop("UCHANDRA", "action assign 2 <@UALICE|alice>")
    assert owner_of(bot, 2) is None
    assert "is chandra's: only they or a lead" in cop("UDANA", "action assign 1 <@UALICE|alice>")
    # Alice accepts by claiming; declining instead would leave it in the pool.
    assert "Nobody is waiting for your answer" in cop("UBOB", "action decline 2")
    cop("UALICE", "action claim 2")
    assert owner_of(bot, 2) == "UALICE"


def test_declining_leaves_the_action_in_the_pool(bot, cop):
    cop("UCHANDRA", 'action add "Pool work" <@UALICE|alice>')
    assert "stays in the pool" in cop("UALICE", "action decline 1")
    [action] = actions(bot)
    assert action.owner_id is None and action.proposed_owner_id is None


def test_block_and_unblock(bot, cop):
    cop("UCHANDRA", 'action add "Migrate the DNS" <@UCHANDRA|chandra>')
    assert "only its owner or a lead can block it" in cop("UDANA", "action block 1 waiting on IT")
    reply = cop("UCHANDRA", "action block 1 waiting for the <!channel> registrar & IT")
    assert "its leads hear of it after 3 days and the overall leads after 7" in reply
    [action] = actions(bot)
    assert (action.status, action.blocker_reason, action.blocked_at) == (
        ActionStatus.BLOCKED, "waiting for the @channel registrar & IT", bot.services.clock.now())
    assert "already blocked" in cop("UCHANDRA", "action block 1 still")
    reply = cop("UCHANDRA", "action unblock 1")
    assert "no longer blocked" in reply and "lesson_record" in reply
    assert actions(bot)[0].status == ActionStatus.IN_PROGRESS
    assert "is not blocked" in cop("UCHANDRA", "action unblock 1")


def test_lists_by_filter(bot, cop):
    cop("UBOB", 'action add "Due soon" <@UBOB|bob> due tomorrow 9am')
    cop("UBOB", 'action add "In the pool"')
    cop("UCHANDRA", 'action add "Chandra\'s" <@UCHANDRA|chandra>')
    cop("UCHANDRA", "action block 3 vendor")
    assert "Due soon" in cop("UBOB", "action list mine") and "In the pool" not in cop("UBOB", "action list mine")
    pool = cop("UBOB", "action list pool")
    assert "In the pool" in pool and "Due soon" not in pool
    blocked = cop("UBOB", "action list blocked")
    assert "Chandra" in blocked and "vendor" in blocked and "In the pool" not in blocked
    everything = cop("UBOB", "action")
    assert all(t in everything for t in ("Due soon", "In the pool", "Chandra"))
    bot.services.clock.advance(dt.timedelta(days=2))
    overdue = cop("UBOB", "action list overdue")
    assert "Due soon" in overdue and "In the pool" not in overdue
    assert "Nothing here" in cop("UBOB", "action list done")


def test_titles_cannot_smuggle_mentions_or_links(bot, cop):
    cop("UBOB", 'action add "<!channel> free pizza <https://evil.example|click> &amp; more"')
    # A link's address is kept in sight beside its label, as plain text: nothing can hide where it goes.
    assert actions(bot)[0].title == "@channel free pizza click (https://evil.example) & more"
    assert bot.slack.wait_for(lambda: len(cards(bot)) == 1)
    posted = json.dumps(cards(bot)[0].blocks) + cards(bot)[0].text
    assert "<!channel>" not in posted and "<https://evil" not in posted and "|click>" not in posted
    assert "free pizza click (https://evil.example) &amp; more" in posted


def test_a_change_by_command_updates_the_card_already_in_the_channel(bot, cop):
    cop("UBOB", 'action add "Rotate the CI secrets"')
    # Already in the channel means its ts is recorded too: only then can a change be shown on it.
    wait_posted(bot, "CDEVOPS", "Action #")
    assert len(cards(bot)) == 1
    assert "Up for grabs" in json.dumps(cards(bot)[0].blocks)
    # The card may be corrected once more by itself, when the people it suggests are named after it was posted
    # (handlers.naming): count only what the two commands change.
    bot.settle()
    named = len(bot.slack.calls_to("chat.update"))
    cop("UCHANDRA", "action claim 1")
    assert bot.slack.wait_for(lambda: "Owner: *chandra*" in json.dumps(cards(bot)[0].blocks))
    cop("UCHANDRA", "action done 1")
    assert bot.slack.wait_for(lambda: ":white_check_mark: Done" in json.dumps(cards(bot)[0].blocks))
    assert "action_claim" not in json.dumps(cards(bot)[0].blocks)  # no buttons on a closed action
    bot.settle()
    assert len(bot.slack.calls_to("chat.update")) - named == 2


def test_an_action_added_during_a_meeting_links_to_it(bot, cop):
    cop("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    bot.services.clock.set(dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC))  # half way through it
    cop("UBOB", 'action add "Share the slides"')
    assert actions(bot)[0].meeting_id is not None
    assert bot.slack.wait_for(lambda: any("From the meeting *Kick-off*" in json.dumps(c.blocks) for c in cards(bot)))


def test_the_ladder_is_per_community_and_only_a_lead_changes_it(bot, cop):
    assert "after *3* days" in cop("UCHANDRA", "action ladder")
    assert "Only a lead of *DevOps CoP* can change its blocker ladder" in cop("UCHANDRA", "action ladder 1 2")
    assert "now go to its leads after *1* days and to the overall leads after *2* days" in cop(
        "UBOB", "action ladder 1 2")
    with bot.services.sessions() as session:
        keys = session.scalars(select(Delivery.key)).all()
    assert not [k for k in keys if k.startswith("action")]


def test_replies_carry_no_markup_slack_would_swallow(bot, cop):
    cop("UBOB", 'action add "Something" <@UBOB|bob>')
    replies = [cop("UCHANDRA", text) for text in (
        "action list done", "action list", "kb", "kb review", "kb add A tip", "help action", "help kb", "leaderboard",
        "stats", "action ladder")]
    for reply in replies:
        assert stray_markup(reply) == [], reply


def test_each_escalation_shows_in_the_leads_view_and_the_overall_leads_view(bot, cop):
    always_at_work(bot, "UBOB", "UALICE")
    cop("UCHANDRA", 'action add "Migrate the DNS" <@UCHANDRA|chandra>')
    cop("UCHANDRA", "action block 1 waiting for IT")
    blocked = bot.services.clock.now()
    run_tick(bot.services, now=blocked + dt.timedelta(days=3))
    assert [m.text for m in dms(bot, "UBOB")] == ["Action #1 has been blocked for 3 days"]
    bot.services.clock.set(blocked + dt.timedelta(days=3, hours=1))
    assert ":rotating_light: with the leads since" in cop("UBOB", "action list blocked")
    assert "with the leads since" in cop("UALICE", "action list escalated", channel="CRANDOM")
    run_tick(bot.services, now=blocked + dt.timedelta(days=7))
    assert [m.text for m in dms(bot, "UALICE")] == ["Action #1 has been blocked for 7 days"]
    bot.services.clock.set(blocked + dt.timedelta(days=7, hours=1))
    overall = cop("UALICE", "action list escalated", channel="CRANDOM")  # outside any community
    assert "Escalated blockers in every community" in overall
    assert "Migrate the DNS" in overall and "DevOps CoP" in overall and "with the overall leads since" in overall


def test_someone_who_leaves_gives_their_actions_back_to_the_pool_and_the_leads_are_told(bot, cop):
    from tests.test_events_http import send_event, settle

    always_at_work(bot, "UBOB")  # 03:00 in New York: the leads' message would wait for his hours
    cop("UCHANDRA", 'action add "Chandra\'s runbook" <@UCHANDRA|chandra>')
    cop("UCHANDRA", 'action add "Chandra\'s dashboards" <@UCHANDRA|chandra>')
    cop("UALICE", 'action add "Alice\'s review" <@UALICE|alice>')
    runbook, dashboards, review = actions(bot)
    cop("UCHANDRA", f"action claim {dashboards.id}")  # under way when she leaves
    send_event(bot, bot.requests.member_left(user="UCHANDRA", channel="CDEVOPS"))
    settle(bot)
    bot.settle()
    assert [owner_of(bot, a.id) for a in (runbook, dashboards, review)] == [None, None, "UALICE"]
    assert {a.status for a in actions(bot)[:2]} == {ActionStatus.OPEN}
    told = [m for m in dms(bot, "UBOB") if "back in the pool" in m.text]  # Bob leads DevOps CoP
    assert len(told) == 1
    assert "Chandra's runbook" in json.dumps(told[0].blocks) and "Alice's review" not in json.dumps(told[0].blocks)
    assert not [m for m in dms(bot, "UALICE") if "back in the pool" in m.text]  # a member, not a lead here


@contextlib.contextmanager
def lookups_watched(bot) -> Iterator[list[tuple[str, bool]]]:  # noqa: ANN001
    """Each users.info call while inside, with whether the thread that made it had a transaction open."""
    engine = bot.services.sessions.kw["bind"]
    open_here = threading.local()
    during_lookups: list[tuple[str, bool]] = []

    def began(_connection) -> None:  # noqa: ANN001
        open_here.value = True

    def ended(_connection) -> None:  # noqa: ANN001
        open_here.value = False

    client = bot.services.client
    ask = client.users_info

    def users_info(**kwargs):  # noqa: ANN003, ANN202
        during_lookups.append((kwargs["user"], getattr(open_here, "value", False)))
        return ask(**kwargs)

    for name, listener in (("begin", began), ("commit", ended), ("rollback", ended)):
        event.listen(engine, name, listener)
    client.users_info = users_info
    try:
        yield during_lookups
    finally:
        del client.users_info
        for name, listener in (("begin", began), ("commit", ended), ("rollback", ended)):
            event.remove(engine, name, listener)


def test_no_transaction_is_open_while_slack_names_the_people_a_pool_card_suggests(bot, cop):
    # users.info takes 100-300 ms: asked with a transaction open, it would hold that transaction's locks as long.
    with lookups_watched(bot) as during_lookups:
        reply = cop("UBOB", 'action add "Tidy the wiki"')
        bot.settle()
    # Alice and Chandra, enrolled at set-up, are named on the reply and the card, and were looked up once each,
    # with no transaction open in the thread that asked.
    assert "Who has room: alice (0 of 3 open), bob (0 of 3 open), chandra (0 of 3 open)" in reply
    assert bot.slack.wait_for(lambda: cards(bot))
    assert "alice (0 of 3 open)" in json.dumps(cards(bot)[0].blocks)
    asked = [user for user, _ in during_lookups]
    assert {"UALICE", "UCHANDRA"} <= set(asked) and asked.count("UALICE") == 1
    assert [user for user, in_transaction in during_lookups if in_transaction] == []


@pytest.mark.parametrize("act", ["command", "reaction"])
def test_someone_copbot_has_not_met_is_looked_up_before_the_work_opens_its_transaction(bot, cop, act):
    # Eve is in Slack but copbot has never stored her: her first command, or her first reaction in the
    # community's channel, finds her profile already fetched, with no transaction (on SQLite, the write lock every
    # acknowledgement waits for) held during the 100-300 ms users.info takes.
    with lookups_watched(bot) as during_lookups:
        if act == "command":
            assert cop("UEVE", "action list")
        else:
            # thanks for Frank's message (in Slack, and new to copbot too): both are looked up beforehand
            bot.slack.add_user("UFRANK", "frank", real_name="Frank Fuller")
            status, _ = bot.post(bot.requests.event(bot.requests.reaction(
                user="UEVE", reaction="tada", channel="CDEVOPS", ts="1700000000.000100", item_user="UFRANK")))
            assert status == 200
        bot.settle()
    assert sorted(during_lookups) == ([("UEVE", False)] if act == "command" else [("UEVE", False), ("UFRANK", False)])
