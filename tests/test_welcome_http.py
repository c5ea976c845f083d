"""Newcomers: the welcome DM with what the community is for, a meeting, a first step and a buddy; the
check-in a week later; the intro; and the button that stops newcomer messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets

import pytest
from sqlalchemy import select

from bot.blocks.attention import MUTE_LABELS
from bot.render import escape
from handlers.commands import REGISTRY
from handlers.ids import ActionId
from models import Action, Community, HeldNotice, Membership, Person, Role
from models.newcomers import choose_buddy, first_action
from scheduler.runner import run_tick
from tests import factories
from tests.community import always_at_work
from tests.conftest import START, TEAM
from tests.test_events_http import send_event, settle
from tests.test_http_app import blocks_text, setup_devops


def dms(bot, user: str) -> list:
    return bot.posts_in(user)


def set_role(bot, user: str, role: Role) -> None:
    with bot.services.sessions.begin() as session:
        membership = session.scalars(select(Membership).join(Person).where(Person.user_id == user)).one()
        membership.role = role


def add_pool_action(bot, title: str) -> int:
    with bot.services.sessions.begin() as session:
        community = session.scalars(select(Community)).one()
        action = Action(community_id=community.id, title=title, created_at=START)
        session.add(action)
        session.flush()
        return action.id


def person_row(bot, user: str) -> Person:
    with bot.services.sessions() as session:
        return session.scalars(select(Person).where(Person.user_id == user)).one()


def click(bot, user: str, action_id: str, value: str, *, channel: str | None = None) -> int:
    tag = f"{user}-{secrets.token_hex(3)}"
    response_url = bot.slack.response_url(tag, channel=channel or "", user=user) if channel else None
    status, _ = bot.post(bot.requests.block_action(user_id=user, action_id=action_id, value=value,
                                                   response_url=response_url, channel_id=channel))
    return status


def test_newcomer_gets_one_dm_with_purpose_meeting_first_step_and_buddy(bot):
    setup_devops(bot)  # Bob (New York) leads; Alice (London) and Chandra (Bengaluru) are members
    bot.command("UBOB", "tor set purpose Share what we learn running production <!channel>")
    bot.wait_reply("UBOB", 2)
    bot.command("UBOB", "tor propose")
    bot.wait_reply("UBOB", 3)
    bot.command("UBOB", "tor ratify")  # newcomers are shown the ratified version
    bot.wait_reply("UBOB", 4)
    bot.command("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    bot.wait_reply("UBOB", 5)
    set_role(bot, "UALICE", Role.SME)
    action_id = add_pool_action(bot, "Write the on-call runbook")

    event = bot.requests.member_joined(user="UDANA", channel="CDEVOPS")  # Dana is in Berlin
    for retry in (None, 1, 2):
        assert send_event(bot, event, event_id="EvJOINDANA", retry_num=retry) == 200
    assert bot.slack.wait_for(lambda: len(dms(bot, "UDANA")) == 1)
    settle(bot)
    [dm] = dms(bot, "UDANA")
    body = json.dumps(dm.blocks)
    assert "Share what we learn running production" in body
    assert "<!channel>" not in body and "running production @channel" in body
    assert "Kick-off" in body and "<!date^" in body
    assert f"`#{action_id}` *Write the on-call runbook*" in body
    # Alice shares seven working hours a day with Berlin; Bob in New York only two.
    assert "*Your buddy:* <@UALICE>, our subject-matter expert" in body
    assert "because you joined *DevOps CoP*" in body
    # How to introduce oneself, in the grammar `/cop help` gives for the command.
    assert f"`{escape(REGISTRY.find('intro')[0].line)}`" in body
    [actions] = [b for b in dm.blocks if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == ActionId.MUTE_DM_KIND
    assert actions["elements"][0]["value"] == "newcomer"
    assert len([m for m in bot.posts_in("CDEVOPS") if "<@UDANA>" in json.dumps(m.blocks)]) == 1


def test_no_dm_for_the_bot_itself_other_bots_or_slackbot(bot):
    setup_devops(bot)
    for user in ("U0COPBOT", "UHELPER", "USLACKBOT"):
        send_event(bot, bot.requests.member_joined(user=user, channel="CDEVOPS"))
    settle(bot)
    with bot.services.sessions() as session:
        assert factories.deliveries(session, kind="welcome_dm") == []


def test_buddy_is_whoever_shares_most_working_hours(session):
    place = factories.community(session, team_id=TEAM, now=START)
    factories.member(session, place, "UBOB", joined=START, role=Role.SME)  # New York
    factories.member(session, place, "UDANA", joined=START, role=Role.SME)  # Berlin
    factories.member(session, place, "UALICE", joined=START, role=Role.LEAD)  # London
    factories.member(session, place, "UEVE", joined=START)  # a member, never a buddy
    chandra = factories.person(session, "UCHANDRA", team_id=TEAM, now=START)  # Bengaluru
    buddy = choose_buddy(session, community=place, newcomer=chandra, now=START)
    assert (buddy.person.user_id, buddy.role) == ("UDANA", Role.SME)
    assert buddy.overlap == dt.timedelta(hours=3.5 * 5)



def test_a_newcomer_whose_hours_meet_nobodys_still_gets_the_buddy_whose_clock_is_nearest(session):
    place = factories.community(session, team_id=TEAM, now=START)
    factories.member(session, place, "UALICE", joined=START, role=Role.LEAD)  # London: 11 hours from Sydney
    factories.member(session, place, "UDANA", joined=START, role=Role.SME)  # Berlin: 10 hours
    kirra = factories.person(session, "UKIRRA", team_id=TEAM, now=START, tz="Australia/Sydney")
    buddy = choose_buddy(session, community=place, newcomer=kirra, now=START)
    assert (buddy.person.user_id, buddy.overlap) == ("UDANA", dt.timedelta())
    # Even a lead with a few hours in common beats the nearest clock with none.
    factories.member(session, place, "UEVE", joined=START, role=Role.LEAD, work_end=dt.time(19, 0))
    assert choose_buddy(session, community=place, newcomer=kirra, now=START).person.user_id == "UEVE"


def test_a_newcomer_in_sydney_is_told_their_buddys_hours_differ_and_how_to_reach_them(bot):
    setup_devops(bot)  # Bob (New York) leads; Alice (London) and Chandra (Bengaluru) are members
    bot.slack.add_user("UKIRRA", "kirra", real_name="Kirra Lee", tz="Australia/Sydney")
    send_event(bot, bot.requests.member_joined(user="UKIRRA", channel="CDEVOPS"))
    # 19:00 in Sydney: the welcome DM waits for her next morning, 09:00 Tuesday there (22:00 UTC).
    run_tick(bot.services, now=START + dt.timedelta(hours=14))
    assert bot.slack.wait_for(lambda: len(dms(bot, "UKIRRA")) == 1)
    body = json.dumps(dms(bot, "UKIRRA")[0].blocks)
    assert "*Your buddy:* <@UBOB>, our lead" in body  # 8 hours from Sydney the short way; London is 11
    assert "Your working hours and theirs don't overlap" in body and "(America/New_York)" in body
    assert "ask in a thread in <#CDEVOPS> or send them a DM" in body


def test_mute_button_turns_newcomer_messages_off_and_the_check_in_never_comes(bot):
    setup_devops(bot)
    always_at_work(bot, "UEVE")
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(dms(bot, "UEVE")) == 1)
    assert click(bot, "UEVE", ActionId.MUTE_DM_KIND, "newcomer", channel=bot.slack.dm_channel("UEVE")) == 200
    assert bot.slack.wait_for(lambda: bot.replies_to("UEVE"))
    assert "no more welcome and check-in messages" in blocks_text(bot.replies_to("UEVE")[0])
    assert person_row(bot, "UEVE").newcomer_dms is False
    run_tick(bot.services, now=START + dt.timedelta(days=7, hours=10))  # 10:00 in Los Angeles, a week on
    assert len(dms(bot, "UEVE")) == 1
    assert MUTE_LABELS["newcomer"] in json.dumps(dms(bot, "UEVE")[0].blocks)


def test_check_in_after_a_week_only_without_a_contribution_and_inside_working_hours(bot):
    setup_devops(bot)
    for user in ("UEVE", "UDANA"):
        send_event(bot, bot.requests.member_joined(user=user, channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(dms(bot, "UDANA")) == 1)  # 09:00 in Berlin: at once
    settle(bot)
    assert dms(bot, "UEVE") == []  # midnight in Los Angeles: her welcome waits for her morning
    run_tick(bot.services, now=START + dt.timedelta(hours=9))
    assert len(dms(bot, "UEVE")) == 1
    said = f"{(START + dt.timedelta(hours=2)).timestamp():.6f}"  # on the bot's clock, after she joined
    send_event(bot, bot.requests.message(user="UDANA", channel="CDEVOPS", text="Hello all, glad to be here", ts=said))
    settle(bot)

    week = START + dt.timedelta(days=7)  # Monday 30 November, 08:00 UTC
    run_tick(bot.services, now=week - dt.timedelta(hours=1))  # not yet a week
    run_tick(bot.services, now=week)  # a week, but midnight in Los Angeles
    assert len(dms(bot, "UEVE")) == 1
    for _ in range(2):
        run_tick(bot.services, now=week + dt.timedelta(hours=9))  # 09:00 in Los Angeles
    assert len(dms(bot, "UEVE")) == 2
    checkin = dms(bot, "UEVE")[1]
    assert checkin.text == "A week in DevOps CoP: how is it going?"
    assert "a week ago" in json.dumps(checkin.blocks)
    run_tick(bot.services, now=week + dt.timedelta(days=1, hours=9))
    assert len(dms(bot, "UEVE")) == 2
    assert len(dms(bot, "UDANA")) == 1  # she spoke up, so no check-in


@pytest.mark.parametrize(("setting", "said", "held"), [
    ("dm-budget 0", "At most *0*", ["welcome_dm"]),  # over budget: it waits for the digest
    ("tips off", "no more welcome and check-in messages", []),  # turned off: it is not sent at all
])
def test_no_welcome_dm_over_budget_or_with_tips_off_only_the_public_welcome(bot, setting, said, held):
    setup_devops(bot)
    bot.command("UEVE", setting, channel="CRANDOM")
    assert said in blocks_text(bot.wait_reply("UEVE"))
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    settle(bot)
    assert dms(bot, "UEVE") == []
    with bot.services.sessions() as session:
        assert [h.kind for h in session.scalars(select(HeldNotice).order_by(HeldNotice.id))] == held


def test_intro_is_told_in_the_welcome_thread_once_and_kept(bot):
    setup_devops(bot)
    always_at_work(bot, "UEVE")
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    welcome = bot.posts_in("CDEVOPS")[1]

    def welcome_recorded() -> bool:
        with bot.services.sessions() as session:
            return any(d.sent_ts == welcome.ts for d in factories.deliveries(session, kind="welcome"))

    assert bot.slack.wait_for(welcome_recorded)  # Slack has it; now the outbox knows its ts too
    bot.command("UEVE", "intro Terraform modules, <!here> and platform testing")
    assert "I've told *DevOps CoP*" in blocks_text(bot.wait_reply("UEVE"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 3)
    intro = bot.posts_in("CDEVOPS")[2]
    assert intro.thread_ts == welcome.ts
    assert "modules, @here and" in json.dumps(intro.blocks) and "<!here>" not in json.dumps(intro.blocks)
    bot.command("UEVE", "intro Terraform and Go")
    assert "Saved. I use it" in blocks_text(bot.wait_reply("UEVE", 2))
    settle(bot)
    assert len(bot.posts_in("CDEVOPS")) == 3
    assert person_row(bot, "UEVE").interests == "Terraform and Go"
    # Back another day: the public welcome now says what she is into from the start.
    send_event(bot, bot.requests.member_left(user="UEVE", channel="CDEVOPS"))
    settle(bot)
    bot.services.clock.advance(dt.timedelta(days=1))
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 4 and len(dms(bot, "UEVE")) == 2)
    assert "is into: _Terraform and Go_" in json.dumps(bot.posts_in("CDEVOPS")[3].blocks)


def test_interests_pick_the_first_step_from_the_pool(session):
    place = factories.community(session, team_id=TEAM, now=START)
    factories.action(session, place, "Tidy the wiki", created=START + dt.timedelta(hours=1))  # the newest
    fitting = factories.action(session, place, "Review the terraform module layout", created=START)
    factories.action(session, place, "Owned already: terraform state", created=START,
                     owner=factories.person(session, "UBOB", team_id=TEAM, now=START))
    eve = factories.person(session, "UEVE", team_id=TEAM, now=START, interests="Terraform, testing")
    assert first_action(session, community=place, person=eve, now=START).id == fitting.id
    eve.interests = "knitting"  # nothing fits: the newest action in the pool
    assert first_action(session, community=place, person=eve, now=START).title == "Tidy the wiki"


def test_a_join_by_a_user_slack_does_not_know_is_ignored_quietly(bot, caplog):
    setup_devops(bot)
    ghost = "UGHOST" + secrets.token_hex(3).upper()  # each process logs a stranger once, whatever the test
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for event_id in ("EvGHOST1", "EvGHOST2"):  # the same stranger twice: logged once
            send_event(bot, bot.requests.member_joined(user=ghost, channel="CDEVOPS"), event_id=event_id)
        settle(bot)
    with bot.services.sessions() as session:
        assert session.scalars(select(Person).where(Person.user_id == ghost)).all() == []
        assert factories.deliveries(session, kind="welcome") == []
        assert factories.deliveries(session, kind="welcome_dm") == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert len([r for r in caplog.records if ghost in r.getMessage()]) == 1
