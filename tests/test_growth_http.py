"""`/cop growth` typed in Slack: the history every join and leave keeps, the summary, the chart in the asker's DM,
who may see what, and mistakes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from models import Person
from models.membership_periods import MembershipPeriod
from tests.community import Typist, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START
from tests.test_events_http import send_event, settle

HOUR = dt.timedelta(hours=1)


def history(bot, user_id: str) -> list[tuple]:
    with bot.services.sessions() as session:
        return [(p.started_at, p.ended_at) for p in session.scalars(
            select(MembershipPeriod).join(Person, Person.id == MembershipPeriod.person_id)
            .where(Person.user_id == user_id).order_by(MembershipPeriod.id))]


def at_hour(bot, hours: int) -> dt.datetime:
    instant = START + hours * HOUR
    bot.services.clock.set(instant)
    return instant


def say(bot, user: str, channel: str = "CDEVOPS") -> None:
    ts = f"{bot.services.clock.advance(dt.timedelta(minutes=1)).timestamp():.6f}"  # a message is known by its ts
    send_event(bot, bot.requests.message(user=user, channel=channel, text="Morning all", ts=ts))
    settle(bot)


def test_joining_leaving_and_rejoining_in_slack_each_leave_a_period(bot, cop: Typist):
    assert history(bot, "UCHANDRA") == [(START, None)]  # in the channel when it was set up
    left = at_hour(bot, 1)
    send_event(bot, bot.requests.member_left(user="UDANA", channel="CDEVOPS"))
    settle(bot)
    back = at_hour(bot, 2)
    send_event(bot, bot.requests.member_joined(user="UDANA", channel="CDEVOPS"))
    settle(bot)
    gone = at_hour(bot, 3)
    assert "left" in cop("UDANA", "leave").lower()
    assert history(bot, "UDANA") == [(START, left), (back, gone)]
    rejoined = at_hour(bot, 4)
    cop("UDANA", "join")
    cop("UDANA", "join")  # twice is harmless, and no second period
    assert history(bot, "UDANA") == [(START, left), (back, gone), (rejoined, None)]


def test_a_member_sees_the_months_and_gets_the_chart_in_their_dm(bot, cop: Typist):
    at_hour(bot, 1)
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))  # a newcomer
    settle(bot)
    say(bot, "UEVE")
    say(bot, "UEVE")  # one active member, two contributions
    say(bot, "UCHANDRA")
    at_hour(bot, 2)
    send_event(bot, bot.requests.member_left(user="UALICE", channel="CDEVOPS"))
    settle(bot)
    shown = cop("UDANA", "growth")
    assert ("*Growth of DevOps CoP*: 4 members now (+4 since the end of December 2025), 2 active with 3 "
            "contributions this month") in shown
    # The founders and Dana came with the set-up, Eve after it; Alice left. Joining is no contribution.
    assert "`Nov 2026 (so far)` 4 members · 2 active · 3 contributions · 1 new · 5 joined · 1 left" in shown
    assert "`Dec 2025` 0 members · 0 active · 0 contributions · 0 new · 0 joined · 0 left" in shown
    assert "Months in America/New_York" in shown and "The charts follow in our DM" in shown
    assert bot.slack.wait_for(lambda: len(bot.slack.files) == 2)
    members, contributions = sorted(bot.slack.files.values(), key=lambda f: f.id)
    assert {members.channel, contributions.channel} == {bot.slack.dm_channel("UDANA")}
    assert members.filename.endswith(".png") and members.content.startswith(b"\x89PNG")
    assert members.title == "Growth of DevOps CoP"
    assert members.alt_txt.startswith("Line chart: Growth of DevOps CoP, Dec 25 to Nov 26.")
    assert "Members: 0 people in Dec 25, 4 people in Nov 26" in members.alt_txt
    assert contributions.title == "Contributions per month in DevOps CoP"
    assert contributions.filename.startswith("copbot-contributions-") and contributions.content.startswith(b"\x89PNG")
    assert contributions.alt_txt.startswith("Bar chart: Contributions per month in DevOps CoP, Dec 25 to Nov 26.")
    assert "Contributions (acts): Dec 25 0, Jan 26 0," in contributions.alt_txt
    assert "Oct 26 0, Nov 26 3." in contributions.alt_txt and "receiving kudos" in contributions.alt_txt


def test_outside_a_community_a_member_sees_their_own_and_an_overall_lead_the_programme(bot, cop: Typist):
    assert "*Growth of DevOps CoP*" in cop("UDANA", "growth", channel="CRANDOM")
    programme = cop("UALICE", "growth", channel="CRANDOM")  # a workspace admin: an overall lead
    assert "*Growth of the programme (1 community)*: 4 members now" in programme
    assert "*Most grown*" in programme and "DevOps CoP: 0 → 4 (+4)" in programme
    assert "Months in Europe/London" in programme  # Alice's own time zone
    assert "*Growth of the programme" in cop("UALICE", "growth all")
    assert "*Growth of DevOps CoP*" in cop("UALICE", "growth <#CDEVOPS|devops>", channel="CRANDOM")
    assert bot.slack.wait_for(lambda: len(bot.slack.files) == 8)  # members and contributions, each time
    assert {f.channel for f in bot.slack.files.values()} == {bot.slack.dm_channel("UDANA"),
                                                             bot.slack.dm_channel("UALICE")}
    alices = {f.title: f for f in bot.slack.shared_files(bot.slack.dm_channel("UALICE"))}
    assert {"Growth of the programme (1 community)", "Contributions per month in the programme",
            "Growth of DevOps CoP", "Contributions per month in DevOps CoP"} == set(alices)
    assert alices["Contributions per month in the programme"].alt_txt.startswith(
        "Bar chart: Contributions per month in the programme, Dec 25 to Nov 26.")  # in Alice's zone, London


@pytest.mark.parametrize(("user", "text", "expected"), [
    ("UCHANDRA", "growth all", "Only an overall lead sees the whole programme's growth"),
    ("UEVE", "growth DevOps CoP", "You are not a member of *DevOps CoP*"),
    ("UDANA", "growth Cooking Club", "There is no community called “Cooking Club”"),
    ("UDANA", "growth <#CRANDOM|random>", "That channel is not a community"),
])
def test_refusals_and_mistakes_are_plain_and_show_nothing(bot, cop: Typist, user, text, expected):
    said = cop(user, text, channel="CRANDOM")
    assert expected in said and ":warning:" in said
    if "Only" not in expected:
        assert "/cop growth [&lt;community&gt; | all]" in said
    assert "members now" not in said
    bot.settle()
    assert bot.slack.files == {}


def test_a_community_is_found_by_its_name_in_any_case_or_by_its_channel_name(bot, cop: Typist):
    assert "*Growth of DevOps CoP*" in cop("UDANA", "growth devops cop", channel="CRANDOM")
    assert "*Growth of DevOps CoP*" in cop("UDANA", "growth #devops", channel="CRANDOM")


def test_a_member_exports_her_periods_and_forgetting_her_ends_them_keeping_the_counts(bot, cop: Typist):
    from tests.test_action_buttons_http import press, responses_to
    from tests.test_datarights_http import _file, _Message

    at_hour(bot, 1)
    cop("UCHANDRA", "export json")
    exported = json.loads(_file(bot, "UCHANDRA"))
    assert [(p["started_at"], p["ended_at"]) for p in exported["membership_periods"]] == [(START.isoformat(), None)]
    before = cop("UDANA", "growth")
    gone = at_hour(bot, 2)
    cop("UCHANDRA", "forget-me")
    tag = press(bot, "UCHANDRA", _Message(channel="CDEVOPS", ts=""), "forget_me_confirm", value="UCHANDRA")
    assert bot.slack.wait_for(lambda: responses_to(bot, tag))
    bot.settle()
    with bot.services.sessions() as session:
        [(ended, user_id)] = session.execute(select(MembershipPeriod.ended_at, Person.user_id).join(
            Person, Person.id == MembershipPeriod.person_id).where(Person.display_name == "a former member")).all()
    assert ended == gone and user_id.startswith("forgotten-")
    after = cop("UDANA", "growth")
    assert "4 members · 0 active · 0 contributions · 0 new · 4 joined · 0 left" in before
    # Her join still counts; she left.
    assert "3 members · 0 active · 0 contributions · 0 new · 4 joined · 1 left" in after


def test_two_communities_of_the_same_name_are_told_apart_by_their_channel(bot, cop: Typist):
    from models import Community
    from tests import factories
    from tests.conftest import TEAM
    with bot.services.sessions.begin() as session:
        other = factories.community(session, team_id=TEAM, channel_id="CSRE", name="DevOps CoP", now=START)
        other.channel_name = "sre"
        session.flush()
        assert len(session.scalars(select(Community).where(Community.name == "DevOps CoP")).all()) == 2
    said = cop("UDANA", "growth DevOps CoP", channel="CRANDOM")
    assert "More than one community is called “DevOps CoP”" in said and "`/cop growth #devops`" in said
    assert "members now" not in said
    assert "*Growth of DevOps CoP*" in cop("UDANA", "growth #devops", channel="CRANDOM")


def test_when_slack_refuses_a_chart_the_reply_says_so_and_keeps_the_figures(bot, cop: Typist):
    bot.slack.fail_next("files.completeUploadExternal")
    said = cop("UDANA", "growth")
    assert "*Growth of DevOps CoP*: 4 members now" in said
    assert "I couldn't send the charts to our DM just now (Slack refused them)" in said
