"""The Home tab: drawn for the person who opens it, from their own records, and its switches."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from handlers.ids import ActionId
from models import ActionStatus, Community, ContributionKind
from models.attention import hold
from tests import factories
from tests.conftest import START, TEAM
from tests.test_events_http import send_event, settle
from tests.test_http_app import setup_devops
from tests.test_welcome_http import person_row


def home_text(bot, user: str) -> str:
    view = bot.slack.home_view(user)
    assert view is not None, f"no Home tab published for {user}"
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_opening_home_shows_communities_actions_meetings_contributions_and_settings(bot):
    setup_devops(bot)  # Bob leads #devops
    bot.command("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    bot.wait_reply("UBOB", 2)
    with bot.services.sessions.begin() as session:
        place = session.scalars(select(Community)).one()
        bob = factories.person(session, "UBOB", team_id=TEAM, now=START)
        factories.action(session, place, "Write the <!here> runbook", created=START, owner=bob,
                         due=START + dt.timedelta(days=3))
        factories.action(session, place, "Already done", created=START, owner=bob, status=ActionStatus.DONE)
        factories.contribute(session, place, bob, START - dt.timedelta(days=1), ContributionKind.IDEA)
        factories.contribute(session, place, bob, START - dt.timedelta(days=40))  # too long ago to show
        hold(session, key="held:1", person_id=bob.id, community_id=place.id, kind="nudge",
             summary="One small thing you could do: review #3", now=START)
    assert send_event(bot, bot.requests.app_home_opened(user="UBOB")) == 200
    assert bot.slack.wait_for(lambda: bot.slack.home_view("UBOB") is not None)
    shown = home_text(bot, "UBOB")
    assert "*DevOps CoP* (<#CDEVOPS>) · lead" in shown
    assert "Write the &lt;!here&gt; runbook" in shown and "Already done" not in shown
    assert "*Kick-off* · <!date^" in shown
    assert "1 contribution: 1 idea." in shown  # scheduling the kick-off leads nothing yet
    assert "One small thing you could do: review #3" in shown
    assert "*Nudges:* on" in shown and "09:00–17:00 Mon–Fri (America/New_York)" in shown
    assert "0 of at most 5" in shown
    [call] = bot.slack.calls_to("views.publish")
    assert call.args["user_id"] == "UBOB"


def test_the_messages_tab_draws_nothing(bot):
    send_event(bot, bot.requests.app_home_opened(user="UCHANDRA", tab="messages"))
    settle(bot)
    assert bot.slack.calls_to("views.publish") == []


def test_someone_in_no_community_is_told_how_to_join(bot):
    send_event(bot, bot.requests.app_home_opened(user="UEVE"))
    assert bot.slack.wait_for(lambda: bot.slack.home_view("UEVE") is not None)
    assert "You are not in a community yet" in home_text(bot, "UEVE")


def test_a_switch_on_home_changes_the_setting_and_redraws(bot):
    send_event(bot, bot.requests.app_home_opened(user="UCHANDRA"))
    assert bot.slack.wait_for(lambda: bot.slack.home_view("UCHANDRA") is not None)
    view = bot.slack.home_view("UCHANDRA")
    [switches] = [b for b in view["blocks"] if b["type"] == "actions"]
    nudge = next(e for e in switches["elements"] if e["value"] == "nudge:off")
    assert nudge["action_id"].startswith(ActionId.HOME_SETTING)
    status, _ = bot.post(bot.requests.block_action(user_id="UCHANDRA", action_id=nudge["action_id"],
                                                   value=nudge["value"], view_id=view["id"]))
    assert status == 200
    assert bot.slack.wait_for(lambda: len(bot.slack.calls_to("views.publish")) == 2)
    assert person_row(bot, "UCHANDRA").nudges_enabled is False
    assert "*Nudges:* off" in home_text(bot, "UCHANDRA")
    bot.post(bot.requests.block_action(user_id="UCHANDRA", action_id=f"{ActionId.HOME_SETTING}.lurker",
                                       value="lurker:on", view_id=view["id"]))
    assert bot.slack.wait_for(lambda: len(bot.slack.calls_to("views.publish")) == 3)
    assert person_row(bot, "UCHANDRA").lurker is True


def test_home_shows_the_open_objectives_of_this_years_plan(bot):
    setup_devops(bot)
    bot.command("UBOB", 'plan add "Run a &lt;b&gt;game&lt;/b&gt; day"')
    bot.wait_reply("UBOB", 2)
    bot.command("UBOB", 'plan add "Dropped soon"')
    bot.wait_reply("UBOB", 3)
    bot.command("UBOB", "plan drop 2")
    bot.wait_reply("UBOB", 4)
    assert send_event(bot, bot.requests.app_home_opened(user="UCHANDRA")) == 200
    assert bot.slack.wait_for(lambda: bot.slack.home_view("UCHANDRA") is not None)
    shown = home_text(bot, "UCHANDRA")
    assert "This year's plans" in shown and "*DevOps CoP*" in shown
    assert "*1.* Run a &lt;b&gt;game&lt;/b&gt; day · no actions linked yet" in shown and "Dropped soon" not in shown
