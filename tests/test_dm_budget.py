"""Every unasked-for DM counts against its person's weekly budget: meeting reminders, standup questions,
action reminders and escalations go out with why and a mute button while there is room, wait for the
digest when there is not, and stop when their kind is turned off."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from handlers.ids import ActionId
from models import ActionStatus, Delivery, HeldNotice, Person, Role
from models.deliveries import DeliveryStatus, enqueue
from models.meetings import schedule_meeting
from models.meetings.occurrences import find_occurrence, occurrence_row
from models.meetings.reminders import RsvpAnswer, record_rsvp
from models.standups.settings import set_schedule, standup_for
from scheduler.runner import run_tick
from tests import factories
from tests.community import cop_fixture  # noqa: F401
from tests.conftest import TEAM
from tests.test_action_buttons_http import click

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
LONG_AGO = dt.datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
# Monday 30 November 2026: the community's digest day. Bob's copy comes at 09:00 in New York (14:00 UTC),
# Dana's at 09:00 in Berlin (08:00 UTC).
BOB_DIGEST = dt.datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
DANA_DIGEST = dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def place(bot):
    """#devops in London: Alice leads; Bob (New York) and Dana (Berlin) read the digest by DM. Nobody is
    nudged, and everyone works at every hour, so that what they are sent is what these tests are about."""
    with bot.services.sessions.begin() as session:
        community = factories.community(session, team_id=TEAM, now=LONG_AGO)
        factories.member(session, community, "UALICE", joined=LONG_AGO, role=Role.LEAD, nudges_enabled=False)
        factories.member(session, community, "UBOB", joined=LONG_AGO, digest_dm=True, nudges_enabled=False)
        factories.member(session, community, "UDANA", joined=LONG_AGO, digest_dm=True, nudges_enabled=False)
        factories.around_the_clock(session, "UALICE", "UBOB", "UDANA", "UEVE", team_id=TEAM, now=LONG_AGO)
        return community.id


def spend(bot, user: str, *, count: int, at: dt.datetime) -> None:
    """`count` unasked-for DMs already sent to `user` at `at`: their budget is that much used."""
    with bot.services.sessions.begin() as session:
        for n in range(count):
            enqueue(session, key=f"earlier:{user}:{n}", team_id=TEAM, channel=user, text="An earlier nudge",
                    kind="nudge", now=at)
        session.execute(update(Delivery).where(Delivery.key.like(f"earlier:{user}:%"))
                        .values(status=DeliveryStatus.SENT, sent_at=at))


def budget(bot, user: str, size: int) -> None:
    with bot.services.sessions.begin() as session:
        factories.person(session, user, team_id=TEAM, now=LONG_AGO, dm_budget=size)


def held(bot, user: str) -> list[HeldNotice]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(HeldNotice).join(Person, Person.id == HeldNotice.person_id)
                                    .where(Person.user_id == user).order_by(HeldNotice.id)))


def text_of(message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def dm_texts(bot, user: str) -> list[str]:
    return [m.text for m in bot.posts_in(user)]


def digests_to(bot, user: str) -> list:
    return [m for m in bot.posts_in(user) if m.text.startswith(("Weekly digest", "A quiet week"))]


def digest_to(bot, user: str):  # noqa: ANN201
    """The latest digest `user` got by DM."""
    return digests_to(bot, user)[-1]


def waiting_part(message) -> str:
    """The "Saved for your digest" section of a digest, or "" when it has none."""
    for block in message.blocks or []:
        text = (block.get("text") or {}).get("text", "")
        if text.startswith("*Saved for your digest*"):
            return text
    return ""


def mute_buttons(message) -> list[str]:
    return [e["value"] for b in message.blocks or [] for e in b.get("elements", [])
            if e.get("action_id") == ActionId.MUTE_DM_KIND]


def meeting(bot, place: int, title: str, starts_at: dt.datetime, *, coming: tuple[str, ...]) -> None:
    """A meeting, with those `coming` having answered yes."""
    from models import Community

    with bot.services.sessions.begin() as session:
        community = session.get(Community, place)
        alice = factories.person(session, "UALICE", team_id=TEAM, now=LONG_AGO)
        made = schedule_meeting(session, community=community, title=title, starts_at=starts_at, created_by=alice,
                                now=LONG_AGO)
        row = occurrence_row(session, find_occurrence(session, meeting=made, now=starts_at - 3 * DAY))
        for user in coming:
            record_rsvp(session, occurrence=row, person=factories.person(session, user, team_id=TEAM, now=LONG_AGO),
                        answer=RsvpAnswer.YES, now=LONG_AGO)


# ----------------------------------------------------------------------------- meeting reminders


def test_a_meeting_reminder_over_budget_waits_in_the_digest_only_while_the_meeting_is_to_come(bot, place):
    starts = utc(2026, 11, 30, 16, 0)  # Monday afternoon, after both digests
    meeting(bot, place, "Design review", starts, coming=("UBOB", "UDANA"))
    budget(bot, "UBOB", 2)
    spend(bot, "UBOB", count=2, at=utc(2026, 11, 27, 10, 0))
    run_tick(bot.services, now=starts - 24 * HOUR)
    assert [m.text for m in bot.posts_in("CDEVOPS")] == ["Reminder: Design review starts tomorrow"]
    [reminder] = bot.posts_in("UDANA")  # Dana has room: it comes, ending with why and its mute button
    assert reminder.text == "Reminder: Design review starts tomorrow"
    assert mute_buttons(reminder) == ["meetings"]
    assert "because you said you'd come" in text_of(reminder) and "`/cop dm-budget` caps" in text_of(reminder)
    assert dm_texts(bot, "UBOB") == []  # Bob has had his two this week
    [notice] = held(bot, "UBOB")
    assert (notice.kind, notice.key) == ("reminder_dm", "reminder:1:20261130T1600Z:1440m:dm:UBOB")
    run_tick(bot.services, now=DANA_DIGEST)
    assert "Design" not in waiting_part(digest_to(bot, "UDANA"))  # she had it already
    run_tick(bot.services, now=BOB_DIGEST)
    part = waiting_part(digest_to(bot, "UBOB"))
    assert "Design review in DevOps CoP: you said you'd come" in part
    assert f"starts <!date^{int(starts.timestamp())}^" in part  # in his own time, by Slack
    with bot.services.sessions() as session:
        assert session.scalars(select(HeldNotice.released_at)).all() == [BOB_DIGEST]
    run_tick(bot.services, now=starts - HOUR)  # still at budget: the hour-before reminder waits too
    assert dm_texts(bot, "UBOB") == ["Weekly digest of DevOps CoP"]
    assert len(held(bot, "UBOB")) == 2
    run_tick(bot.services, now=BOB_DIGEST + 7 * DAY)  # the meeting is over: its reminder is no news
    assert len(digests_to(bot, "UBOB")) == 2
    assert "Design" not in text_of(digest_to(bot, "UBOB"))


def test_one_run_sends_the_sooner_meeting_first_and_holds_what_has_no_room(bot, place):
    later, sooner = utc(2026, 11, 26, 18, 0), utc(2026, 11, 26, 17, 0)
    meeting(bot, place, "Later", later, coming=("UDANA",))
    meeting(bot, place, "Sooner", sooner, coming=("UDANA",))
    budget(bot, "UDANA", 1)
    run_tick(bot.services, now=utc(2026, 11, 26, 16, 30))  # both hour-before reminders at once
    assert dm_texts(bot, "UDANA") == ["Reminder: Sooner starts in 30 minutes"]  # half an hour late
    assert [n.summary for n in held(bot, "UDANA")] == ["Later in DevOps CoP: you said you'd come"]


def test_the_mute_button_stops_meeting_reminders_and_nothing_is_held_instead(bot, place):
    starts = utc(2026, 11, 26, 17, 0)
    meeting(bot, place, "Retro", starts, coming=("UDANA",))
    run_tick(bot.services, now=starts - 24 * HOUR)
    [reminder] = bot.posts_in("UDANA")
    assert "no more reminders before meetings you said you would come to" in click(
        bot, "UDANA", reminder, ActionId.MUTE_DM_KIND)
    run_tick(bot.services, now=starts - HOUR)
    assert len(bot.posts_in("UDANA")) == 1 and held(bot, "UDANA") == []
    assert len([m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Reminder")]) == 2  # the channel's go on


# ----------------------------------------------------------------------------- standups


def scheduled_standup(bot, place: int) -> None:
    from models import Community

    with bot.services.sessions.begin() as session:
        set_schedule(session, standup=standup_for(session, community=session.get(Community, place)), days="1234",
                     at=dt.time(9, 30))


def asks_to(bot, user: str) -> list:
    return [m for m in bot.posts_in(user) if m.text.startswith("Standup for")]


def test_a_standup_ask_over_budget_waits_and_its_person_is_not_missing(bot, place):
    scheduled_standup(bot, place)
    budget(bot, "UBOB", 1)
    spend(bot, "UBOB", count=1, at=utc(2026, 11, 24, 10, 0))
    thursday = utc(2026, 11, 26, 0, 0)
    for at in (8.5, 9.5, 14.5, 18.5):  # Berlin's, London's and New York's 09:30, then the window closes
        run_tick(bot.services, now=thursday + dt.timedelta(hours=at))
    [ask] = asks_to(bot, "UDANA")
    assert mute_buttons(ask) == ["standups"]
    assert "which holds its standup by DM" in text_of(ask) and "`/cop standup dms off`" in text_of(ask)
    assert asks_to(bot, "UBOB") == []
    [notice] = held(bot, "UBOB")
    assert notice.kind == "standup_ask"
    [missing] = [m for m in bot.posts_in("UALICE") if "who did not answer" in m.text]
    assert "<@UDANA>" in text_of(missing) and "<@UALICE>" in text_of(missing)
    assert "<@UBOB>" not in text_of(missing)  # never asked, so never missing
    assert mute_buttons(missing) == ["standups"]
    run_tick(bot.services, now=BOB_DIGEST)
    assert ("The standup of DevOps CoP on Thu 26 Nov 2026: not asked, to keep to your working hours and weekly DM "
            "budget, so not counted as missing") in waiting_part(digest_to(bot, "UBOB"))


def test_the_mute_button_on_a_standup_ask_stops_the_asks(bot, place):
    scheduled_standup(bot, place)
    thursday = utc(2026, 11, 26, 8, 30)  # 09:30 in Berlin
    run_tick(bot.services, now=thursday)
    [ask] = asks_to(bot, "UDANA")
    assert "no more standup questions by direct message" in click(bot, "UDANA", ask, ActionId.MUTE_DM_KIND)
    run_tick(bot.services, now=thursday + 4 * DAY)  # Monday, 09:30 in Berlin
    assert len(asks_to(bot, "UDANA")) == 1 and held(bot, "UDANA") == []


def test_a_leads_report_of_who_did_not_answer_waits_too_with_their_names(bot, place):
    scheduled_standup(bot, place)
    budget(bot, "UALICE", 1)  # her own ask uses it up; the report waits
    thursday = utc(2026, 11, 26, 0, 0)
    for at in (8.5, 9.5, 14.5, 18.5):
        run_tick(bot.services, now=thursday + dt.timedelta(hours=at))
    assert [m.text for m in bot.posts_in("UALICE")] == ["Standup for DevOps CoP: how's it going?"]
    [notice] = held(bot, "UALICE")
    assert notice.kind == "standup_missing"
    # In the order they were asked: Berlin, London, New York.
    assert notice.summary == ("The standup of DevOps CoP on Thu 26 Nov 2026 closed; no update from Dana Vogel, "
                              "Alice Archer, Bob Baker")


# ----------------------------------------------------------------------------- actions and escalations


def test_action_reminders_and_escalations_over_budget_wait_for_the_digest(bot, place):
    from models import Community

    due = utc(2026, 11, 27, 17, 0)
    with bot.services.sessions.begin() as session:
        community = session.get(Community, place)
        bob = factories.person(session, "UBOB", team_id=TEAM, now=LONG_AGO, dm_budget=0)
        factories.action(session, community, "Rotate <the> keys", created=LONG_AGO, owner=bob, due=due)
        factories.action(session, community, "Migrate DNS", created=LONG_AGO, owner=bob, status=ActionStatus.BLOCKED,
                         blocker_reason="vendor", blocked_at=due - 7 * DAY)
        # Eve is an overall lead, not in #devops but in another community whose digest she reads.
        other = factories.community(session, team_id=TEAM, channel_id="CRANDOM", name="Random CoP", now=LONG_AGO)
        factories.member(session, other, "UEVE", joined=LONG_AGO, is_admin=True, digest_dm=True, dm_budget=0,
                         nudges_enabled=False)
    run_tick(bot.services, now=due)
    assert dm_texts(bot, "UBOB") == [] and dm_texts(bot, "UEVE") == []
    [alice_escalation] = bot.posts_in("UALICE")  # Alice, the lead, has room
    assert mute_buttons(alice_escalation) == ["escalations"]
    assert [n.kind for n in held(bot, "UBOB")] == ["action_reminder"]
    assert [n.kind for n in held(bot, "UEVE")] == ["escalation"]
    run_tick(bot.services, now=BOB_DIGEST)
    assert "Your action #1 Rotate &lt;the&gt; keys is overdue: `/cop action done 1` once it is" in waiting_part(
        digest_to(bot, "UBOB"))
    eve_digest = utc(2026, 11, 30, 17, 0)  # 09:00 in Los Angeles
    run_tick(bot.services, now=eve_digest)
    assert "#2 Migrate DNS in DevOps CoP has been blocked for 7 days: vendor" in waiting_part(
        digest_to(bot, "UEVE"))


def test_the_mute_buttons_stop_action_reminders_and_escalations(bot, place):
    from models import Community

    due = utc(2026, 11, 27, 17, 0)
    first = due - DAY  # "First" is due within a day, "Blocked early" has waited three
    with bot.services.sessions.begin() as session:
        community = session.get(Community, place)
        bob = factories.person(session, "UBOB", team_id=TEAM, now=LONG_AGO)
        factories.action(session, community, "First", created=LONG_AGO, owner=bob, due=due)
        factories.action(session, community, "Second", created=LONG_AGO, owner=bob, due=due + 2 * DAY)
        for title, days in (("Blocked early", 3), ("Blocked later", 2)):
            factories.action(session, community, title, created=LONG_AGO, owner=bob, status=ActionStatus.BLOCKED,
                             blocker_reason="vendor", blocked_at=first - days * DAY)
    run_tick(bot.services, now=first)
    [reminder] = bot.posts_in("UBOB")
    [escalation] = [m for m in bot.posts_in("UALICE") if "Blocked early" in text_of(m)]
    assert "no more reminders about actions you own" in click(bot, "UBOB", reminder, ActionId.MUTE_DM_KIND)
    assert "no more blocked actions escalated to you" in click(bot, "UALICE", escalation, ActionId.MUTE_DM_KIND)
    run_tick(bot.services, now=due + 2 * DAY)  # both overdue; the later blocked one has reached the lead
    assert len(bot.posts_in("UBOB")) == 1 and len(bot.posts_in("UALICE")) == 1
    assert held(bot, "UBOB") == [] and held(bot, "UALICE") == []


def test_someone_named_for_an_action_over_budget_is_asked_in_their_digest(bot, cop):
    assert "At most *0* unasked-for messages a week" in cop("UDANA", "dm-budget 0")
    assert "meeting reminders, standup questions, action reminders and requests, escalations" in cop(
        "UDANA", "dm-budget")
    cop("UCHANDRA", 'action add "Review the modules" <@UDANA|dana>')
    [notice] = held(bot, "UDANA")
    assert notice.kind == "action_offer"
    assert notice.summary == ("chandra asks whether you could take #1 Review the modules: `/cop action claim 1` "
                              "or `/cop action decline 1`")
    assert bot.posts_in("UDANA") == []


def test_what_waits_on_the_home_tab_drops_a_meeting_once_it_has_begun_and_says_each_meeting_once(session):
    from models.attention import hold, waiting_notices

    dana = factories.person(session, "UDANA", team_id=TEAM, now=LONG_AGO)
    starts = utc(2026, 11, 26, 17, 0)
    for key, at in (("reminder:7:20261126T1700Z:1440m:dm:UDANA", starts - 24 * HOUR),
                    ("reminder:7:20261126T1700Z:60m:dm:UDANA", starts - HOUR), ("nudge:UDANA:1", starts - HOUR)):
        hold(session, key=key, person_id=dana.id, community_id=None, kind=key.split(":")[0], summary=key, now=at)
    before = waiting_notices(session, person_ids=[dana.id], now=starts - MINUTE)[dana.id]
    assert [n.summary for n in before] == ["reminder:7:20261126T1700Z:1440m:dm:UDANA", "nudge:UDANA:1"]
    after = waiting_notices(session, person_ids=[dana.id], now=starts)[dana.id]
    assert [n.summary for n in after] == ["nudge:UDANA:1"]
