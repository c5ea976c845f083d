"""Quiet members: nudged once in a while, inside their hours, within budget; never lurkers, the unwilling or bots."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from models import Community, HeldNotice, Nudge, Person, Question, Role
from models.meetings import schedule_meeting
from models.nudges import choose_invitation, nudges_due, quiet_members
from scheduler.runner import run_tick
from tests import factories
from tests.conftest import TEAM
from tests.test_events_http import send_event, settle
from tests.test_http_app import blocks_text

UTC = dt.UTC
# Wednesday 10 March 2027, 14:00 UTC: 09:00 in New York (EST), 14:00 in London, 19:30 in Bengaluru.
NY_NINE = dt.datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def quiet(sessions):
    """#devops in London: Alice speaks up; Bob, Chandra, Dana and a bot have said nothing for a month."""
    with sessions.begin() as session:
        place = factories.community(session, team_id=TEAM, now=NY_NINE - 90 * DAY)
        long_ago = NY_NINE - 60 * DAY
        alice = factories.member(session, place, "UALICE", joined=long_ago, role=Role.LEAD).person
        bob = factories.member(session, place, "UBOB", joined=long_ago).person
        factories.member(session, place, "UCHANDRA", joined=long_ago, lurker=True)
        factories.member(session, place, "UDANA", joined=long_ago, nudges_enabled=False)
        factories.member(session, place, "UHELPER", joined=long_ago, is_bot=True)
        factories.contribute(session, place, bob, NY_NINE - 30 * DAY)
        for day in range(0, 60, 3):
            factories.contribute(session, place, alice, NY_NINE - 60 * DAY + day * DAY)
        return place.id


def nudges_to(slack, user: str) -> list:
    return [m for m in slack.messages_in(user) if m.text.startswith("Something small")]


def test_quiet_list_names_the_quiet_whatever_their_settings(session, quiet):
    found = {q.person.user_id: q for q in quiet_members(session, now=NY_NINE)}
    assert set(found) == {"UBOB", "UCHANDRA", "UDANA"}  # not Alice, who spoke; not the bot
    assert found["UBOB"].days_quiet(NY_NINE) == 30
    assert found["UCHANDRA"].days_quiet(NY_NINE) == 60
    assert [q.person.user_id for q in nudges_due(session, now=NY_NINE)] == ["UBOB"]


def test_someone_enrolled_at_set_up_without_a_profile_is_not_nudged_until_copbot_knows_their_zone(session, quiet):
    from models import Community
    from models.people import enroll_members

    place = session.get(Community, quiet)
    enroll_members(session, community=place, user_ids=["UEVE"], now=NY_NINE - 60 * DAY)
    assert "UEVE" in {q.person.user_id for q in quiet_members(session, now=NY_NINE)}
    assert "UEVE" not in {q.person.user_id for q in nudges_due(session, now=NY_NINE)}
    eve = factories.person(session, "UEVE", team_id=TEAM, now=NY_NINE, profile_fetched_at=NY_NINE,
                           tz="America/New_York")
    assert eve.user_id in {q.person.user_id for q in nudges_due(session, now=NY_NINE)}


def test_nudged_once_inside_working_hours_then_not_for_fourteen_days(services, slack, quiet):
    run_tick(services, now=NY_NINE - dt.timedelta(minutes=1))  # 08:59 in New York
    assert nudges_to(slack, "UBOB") == []
    for _ in range(2):
        run_tick(services, now=NY_NINE)
    [nudge] = nudges_to(slack, "UBOB")
    body = json.dumps(nudge.blocks, ensure_ascii=False)
    assert "30 days" in body and "09:00–17:00 Mon–Fri (America/New_York)" in body
    assert "Stop nudges" in body and "dm.mute_kind" in body
    for later in (DAY, 13 * DAY + 2 * dt.timedelta(hours=1)):
        run_tick(services, now=NY_NINE + later)
    assert len(nudges_to(slack, "UBOB")) == 1
    run_tick(services, now=NY_NINE + 14 * DAY)  # a Wednesday again, 10:00 in New York (EDT since the 14th)
    assert len(nudges_to(slack, "UBOB")) == 2
    for user in ("UCHANDRA", "UDANA", "UALICE"):
        assert nudges_to(slack, user) == [], user


def test_no_nudge_at_weekends_or_after_hours(services, slack, quiet):
    saturday = dt.datetime(2027, 3, 13, 15, 0, tzinfo=UTC)  # 10:00 in New York, a Saturday
    run_tick(services, now=saturday)
    run_tick(services, now=NY_NINE + dt.timedelta(hours=8))  # 17:00 in New York
    assert nudges_to(slack, "UBOB") == []


def test_over_budget_the_nudge_waits_for_the_digest(services, slack, quiet):
    with services.sessions.begin() as session:
        factories.person(session, "UBOB", team_id=TEAM, now=NY_NINE, dm_budget=0, digest_dm=True)
    run_tick(services, now=NY_NINE)
    assert slack.messages_in("UBOB") == []
    with services.sessions() as session:
        [nudge] = session.scalars(select(Nudge)).all()
        [held] = session.scalars(select(HeldNotice)).all()
    assert nudge.held is True and held.kind == "nudge" and held.summary.startswith("One small thing")
    run_tick(services, now=NY_NINE + DAY)  # the held nudge counts: no second try tomorrow
    with services.sessions() as session:
        assert len(session.scalars(select(Nudge)).all()) == 1
    monday_nine = dt.datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # Bob's digest, 09:00 EDT
    run_tick(services, now=monday_nine)
    [digest] = slack.messages_in("UBOB")
    assert digest.text.startswith("Weekly digest") and "Saved for your digest" in json.dumps(digest.blocks)


def test_a_contribution_or_a_reply_starts_the_quiet_clock_again(bot, quiet):
    bot.services.clock.set(NY_NINE)
    run_tick(bot.services, now=NY_NINE)
    assert len(nudges_to(bot.slack, "UBOB")) == 1
    # Bob answers the nudge in his DM with copbot.
    reply = {"type": "message", "channel": bot.slack.dm_channel("UBOB"), "channel_type": "im", "user": "UBOB",
             "text": "Thanks, I'll look at it", "ts": f"{NY_NINE.timestamp() + 60:.6f}"}
    assert send_event(bot, reply) == 200
    settle(bot)
    with bot.services.sessions() as session:
        assert session.scalars(select(Nudge.replied_at)).one() == NY_NINE
        assert "UBOB" not in {q.person.user_id for q in quiet_members(session, now=NY_NINE + 20 * DAY)}
        assert "UBOB" in {q.person.user_id for q in quiet_members(session, now=NY_NINE + 21 * DAY)}
    run_tick(bot.services, now=NY_NINE + 14 * DAY)  # the fortnight is up, but he is not quiet any more
    assert len(nudges_to(bot.slack, "UBOB")) == 1


def test_invitation_fits_interests_then_an_open_question_then_the_next_meeting(session, quiet):
    from models import Community

    place = session.get(Community, quiet)
    bob = factories.person(session, "UBOB", team_id=TEAM, now=NY_NINE)
    alice = factories.person(session, "UALICE", team_id=TEAM, now=NY_NINE)
    assert choose_invitation(session, community=place, person=bob, now=NY_NINE).kind == "hello"
    schedule_meeting(session, community=place, title="Show and tell", starts_at=NY_NINE + 2 * DAY,
                     created_by=alice, now=NY_NINE - DAY)
    assert choose_invitation(session, community=place, person=bob, now=NY_NINE).kind == "meeting"
    session.add(Question(key="CDEVOPS:1.0", community_id=place.id, person_id=alice.id, channel_id="CDEVOPS",
                         ts="1.0", text="Who knows Vault?", asked_at=NY_NINE - DAY))
    session.flush()
    invitation = choose_invitation(session, community=place, person=bob, now=NY_NINE)
    assert (invitation.kind, invitation.question.text) == ("question", "Who knows Vault?")
    factories.action(session, place, "Document the Vault setup", created=NY_NINE - DAY)
    bob.interests = "vault, secrets"
    invitation = choose_invitation(session, community=place, person=bob, now=NY_NINE)
    assert (invitation.kind, invitation.fits_interests, invitation.action.title) == (
        "action", True, "Document the Vault setup")


def test_questions_are_noted_and_answered_in_their_thread(bot, quiet):
    ts = f"{NY_NINE.timestamp():.6f}"
    send_event(bot, bot.requests.message(user="UALICE", channel="CDEVOPS", text="Anyone tried <https://x.io|x>?",
                                         ts=ts))
    send_event(bot, bot.requests.message(user="UALICE", channel="CDEVOPS", text="Just a statement", ts="1.5"))
    settle(bot)
    with bot.services.sessions() as session:
        [question] = session.scalars(select(Question)).all()
        assert (question.text, question.answered_at) == ("Anyone tried <https://x.io|x>?", None)
    send_event(bot, bot.requests.message(user="UALICE", channel="CDEVOPS", text="bump", ts="2.0", thread_ts=ts))
    send_event(bot, bot.requests.message(user="UBOB", channel="CDEVOPS", text="Yes!", ts="3.0", thread_ts=ts))
    settle(bot)
    with bot.services.sessions() as session:
        assert session.scalars(select(Question.answered_at)).one() is not None  # by Bob; Alice's bump was not


def test_only_leads_see_the_quiet_list_and_only_privately(bot, quiet):
    bot.services.clock.set(NY_NINE)
    bot.command("UBOB", "quiet")
    assert "Only a lead of *DevOps CoP* can see who has gone quiet" in blocks_text(bot.wait_reply("UBOB"))
    bot.command("UALICE", "quiet")
    reply = bot.wait_reply("UALICE")
    shown = blocks_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert "<@UBOB>: quiet 30 days" in shown and "not nudged yet" in shown
    assert "<@UCHANDRA>: quiet 60 days" in shown and "happy lurker" in shown
    assert "turned nudges off" in shown and "<@UALICE>" not in shown.split("Quiet in")[1].split("Only you")[0]
    bot.command("UALICE", "quiet after 45")
    shown = blocks_text(bot.wait_reply("UALICE", 2))
    assert "<@UBOB>" not in shown and "<@UCHANDRA>" in shown
    settle(bot)
    assert bot.posts_in("CDEVOPS") == []  # nothing about anyone's quietness in public
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.user_id).where(Person.lurker.is_(True))).all() == ["UCHANDRA"]


def test_reading_the_quiet_list_changes_nothing_and_a_lead_sets_when_nudges_begin(bot, quiet):
    bot.services.clock.set(NY_NINE)

    def threshold() -> int:
        with bot.services.sessions() as session:
            return session.scalars(select(Community.quiet_after_days)).one()

    before = threshold()
    bot.command("UALICE", "quiet after 10")
    assert "nothing for 10 days or more" in blocks_text(bot.wait_reply("UALICE"))
    assert threshold() == before  # looking with another threshold sets nothing
    bot.command("UBOB", "nudges after 30")
    assert "Only a lead of *DevOps CoP* can change when nudges begin" in blocks_text(bot.wait_reply("UBOB"))
    bot.command("UALICE", "nudges after 5")
    assert "Choose between 7 and 365 days." in blocks_text(bot.wait_reply("UALICE", 2))
    bot.command("UALICE", "nudges after 45")
    assert "may be nudged, after 45 days without a contribution" in blocks_text(bot.wait_reply("UALICE", 3))
    assert threshold() == 45
    bot.command("UALICE", "quiet")
    assert "nothing for 45 days or more" in blocks_text(bot.wait_reply("UALICE", 4))


def test_someone_away_is_not_nudged_until_they_are_back(session, quiet):
    bob = session.scalars(select(Person).where(Person.user_id == "UBOB")).one()
    bob.away_until = NY_NINE + 2 * DAY
    session.flush()
    assert "UBOB" not in {q.person.user_id for q in nudges_due(session, now=NY_NINE)}
    assert "UBOB" in {q.person.user_id for q in nudges_due(session, now=NY_NINE + 2 * DAY)}


def test_a_newcomer_away_gets_no_check_in_while_away(session, quiet):
    from models import Community
    from models.newcomers import checkins_due

    place = session.get(Community, quiet)
    eve = factories.member(session, place, "UEVE", joined=NY_NINE - 8 * DAY).person
    assert "UEVE" in {m.person.user_id for m in checkins_due(session, now=NY_NINE)}
    eve.away_until = NY_NINE + DAY
    session.flush()
    assert "UEVE" not in {m.person.user_id for m in checkins_due(session, now=NY_NINE)}
