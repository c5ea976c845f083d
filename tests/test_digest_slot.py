"""`/cop digest slot`: when the channel's weekly digest comes, and a lead moving it without the channel
getting two digests in one week, or none."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from models import Community, Delivery
from models.when import parse_clock, parse_weekday
from scheduler.runner import run_tick
from tests.community import said

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
# Bob sets up #devops from New York (EST in these weeks, UTC-5): its digest comes on Mondays at 09:00 there.
MONDAY_NINE_NY = dt.datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
FRIDAY_1630_NY = dt.datetime(2026, 11, 27, 21, 30, tzinfo=UTC)
WEEK = dt.timedelta(days=7)


def type_as(bot, user: str, text: str, *, at: dt.datetime) -> str:
    bot.services.clock.set(at)
    count = len(bot.replies_to(user)) + 1
    bot.command(user, text)
    return said(bot.wait_reply(user, count))


@pytest.fixture
def devops(bot):  # noqa: ANN201
    bot.services.clock.set(MONDAY_NINE_NY - dt.timedelta(hours=6))
    bot.command("UBOB", "setup DevOps CoP")
    bot.wait_reply("UBOB")
    assert bot.slack.wait_for(lambda: bot.posts_in("CDEVOPS"))
    return bot


def channel_digests(bot) -> list[str]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(Delivery.key).where(Delivery.kind == "digest").order_by(Delivery.id)))


def posted_digests(bot) -> list:
    return [m for m in bot.posts_in("CDEVOPS") if m.text.startswith(("Weekly digest", "A quiet week"))]


def slot(bot) -> tuple[int, dt.time]:
    with bot.services.sessions() as session:
        community = session.scalars(select(Community)).one()
        return community.digest_weekday, community.digest_time


def tick(bot, at: dt.datetime) -> int:
    """Run every job at `at`; how many channel digests it queued."""
    return run_tick(bot.services, now=at).queued["digests.post_channel"]


def test_anyone_sees_the_slot_in_the_communitys_zone_and_their_own(devops):
    shown = type_as(devops, "UCHANDRA", "digest slot", at=MONDAY_NINE_NY - dt.timedelta(hours=6))
    assert "on *Mondays at 09:00* (America/New_York): *Monday 19:30* your time (Asia/Kolkata)" in shown
    assert f"<!date^{int(MONDAY_NINE_NY.timestamp())}^" in shown  # the next one: today
    shown = type_as(devops, "UBOB", "digest slot", at=MONDAY_NINE_NY + MINUTE)
    assert "*Mondays at 09:00* (America/New_York): your time too" in shown
    assert "This week's is due now: it goes out within a few minutes." in shown
    assert tick(devops, MONDAY_NINE_NY + MINUTE) == 1
    shown = type_as(devops, "UBOB", "digest slot", at=MONDAY_NINE_NY + 2 * MINUTE)
    assert f"The next one comes <!date^{int((MONDAY_NINE_NY + WEEK).timestamp())}^" in shown


def test_only_a_lead_moves_it_and_the_echo_is_in_both_zones(devops):
    refused = type_as(devops, "UCHANDRA", "digest slot fri 16:30", at=WEDNESDAY)
    assert "Only a lead of *DevOps CoP* can change when its digest is posted" in refused
    assert slot(devops) == (0, dt.time(9, 0))
    # Alice is a workspace admin, so an overall lead; she types from London.
    moved = type_as(devops, "UALICE", "digest slot Friday 4:30 pm", at=WEDNESDAY)
    assert "now goes to the channel on *Fridays at 16:30* (America/New_York): *Friday 21:30* your time " \
           "(Europe/London)" in moved
    assert f"The next one comes <!date^{int(FRIDAY_1630_NY.timestamp())}^" in moved
    assert slot(devops) == (4, dt.time(16, 30))
    assert "*Thursdays at 08:00*" in type_as(devops, "UBOB", "digest slot thu at 8am", at=WEDNESDAY)
    assert slot(devops) == (3, dt.time(8, 0))


@pytest.mark.parametrize(("typed", "expected"), [
    ("digest slot funday 16:30", "“funday” as a day of the week"),
    ("digest slot fri 25:00", "the hour is 0 to 23"),
    ("digest slot fri 13pm", "on a 12-hour clock the hour is 1 to 12"),
    ("digest slot fri half past four", "“half past four” as a time of day"),
    ("digest slot fri 16:75", "“16:75” as a time of day"),
    ("digest slot fri", "Give a day and a time of day"),
    ("digest slot 16:30 fri", "“16:30” as a day of the week"),
])
def test_a_bad_day_or_time_gets_a_specific_error_and_changes_nothing(devops, typed, expected):
    reply = type_as(devops, "UBOB", typed, at=WEDNESDAY)
    assert expected in reply, reply
    assert "Usage: `/cop digest slot [&lt;day&gt; &lt;HH:MM&gt;]" in reply
    assert slot(devops) == (0, dt.time(9, 0))


def test_moved_later_in_a_week_whose_digest_went_out_it_comes_next_week_once(devops):
    assert tick(devops, MONDAY_NINE_NY) == 1
    moved = type_as(devops, "UBOB", "digest slot fri 16:30", at=WEDNESDAY)
    assert "This week's digest has gone out already, so the next one comes " \
           f"<!date^{int((FRIDAY_1630_NY + WEEK).timestamp())}^" in moved
    type_as(devops, "UBOB", 'action add "Tidy the wiki"', at=WEDNESDAY)  # between the two digests
    assert tick(devops, FRIDAY_1630_NY) == 0  # the same week: not twice
    assert tick(devops, MONDAY_NINE_NY + WEEK) == 0  # the old slot is gone
    assert tick(devops, FRIDAY_1630_NY + WEEK - MINUTE) == 0
    assert tick(devops, FRIDAY_1630_NY + WEEK) == 1
    assert tick(devops, FRIDAY_1630_NY + WEEK) == 0
    assert tick(devops, FRIDAY_1630_NY + WEEK + dt.timedelta(hours=2)) == 0
    assert channel_digests(devops) == ["digest:1:2026-W48:channel", "digest:1:2026-W49:channel"]
    # The second covers everything since the first, not only its own seven days: nothing falls between.
    assert devops.slack.wait_for(lambda: len(posted_digests(devops)) == 2)
    second = json.dumps(posted_digests(devops)[1].blocks)
    assert "Tidy the wiki" in second and f"<!date^{int(MONDAY_NINE_NY.timestamp())}^" in second


def test_moved_to_a_time_already_past_in_a_week_without_a_digest_it_goes_out_at_once(devops):
    type_as(devops, "UBOB", "digest slot fri 16:30", at=MONDAY_NINE_NY - dt.timedelta(hours=1))
    assert tick(devops, MONDAY_NINE_NY) == 0  # Monday is no longer the day
    moved = type_as(devops, "UBOB", "digest slot tue 09:00", at=WEDNESDAY)
    assert "This week's digest had not gone out and its new time has passed, so it is being posted now" in moved
    assert devops.slack.wait_for(lambda: posted_digests(devops))  # a quiet one: the members came at set-up
    assert channel_digests(devops) == ["digest:1:2026-W48:channel"]
    assert tick(devops, WEDNESDAY) == 0 and tick(devops, FRIDAY_1630_NY) == 0  # once this week
    tuesday = dt.datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert tick(devops, tuesday - MINUTE) == 0
    assert tick(devops, tuesday) == 1
    assert tick(devops, tuesday) == 0
    assert channel_digests(devops) == ["digest:1:2026-W48:channel", "digest:1:2026-W49:channel"]


def test_moved_earlier_to_a_time_still_to_come_this_week_it_comes_then(devops):
    type_as(devops, "UBOB", "digest slot fri 16:30", at=MONDAY_NINE_NY - dt.timedelta(hours=1))
    moved = type_as(devops, "UBOB", "digest slot thu 10:00", at=WEDNESDAY)
    thursday = dt.datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert f"The next one comes <!date^{int(thursday.timestamp())}^" in moved
    assert channel_digests(devops) == []
    assert tick(devops, thursday) == 1
    assert tick(devops, FRIDAY_1630_NY) == 0
    assert tick(devops, thursday + WEEK) == 1


@pytest.mark.parametrize(("day", "clock", "expected"), [
    ("fri", "16:30", (4, dt.time(16, 30))), ("Friday", "4:30pm", (4, dt.time(16, 30))),
    ("thurs", "4.30 p.m.", (3, dt.time(16, 30))), ("SUN", "12am", (6, dt.time(0, 0))),
    ("tue", "12pm", (1, dt.time(12, 0))), ("wednesday", "9", (2, dt.time(9, 0))), ("mon.", "07:05", (0, dt.time(7, 5))),
])
def test_days_full_or_short_and_times_on_either_clock_are_read(day, clock, expected):
    assert (parse_weekday(day), parse_clock(clock)) == expected
