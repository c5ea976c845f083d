"""Scheduling and listing meetings through `/cop meeting`, and their reminders through the clock."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from models import Delivery, Meeting
from scheduler.runner import run_tick
from tests.community import always_at_work
from tests.test_http_app import blocks_text, setup_devops


def meetings(bot) -> list[Meeting]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(Meeting).order_by(Meeting.id)))


def test_lead_schedules_in_their_own_zone_and_everyone_sees_local_time(bot):
    setup_devops(bot)  # bob, in New York, leads
    bot.command("UBOB", 'meeting schedule "Kick-off" tomorrow 10am for 45m')
    reply = blocks_text(bot.wait_reply("UBOB", 2))
    [meeting] = meetings(bot)
    # 10:00 in New York on Tuesday 24 November is 15:00 UTC.
    assert meeting.starts_at == dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    assert (meeting.title, meeting.duration_minutes, meeting.recurrence) == ("Kick-off", 45, None)
    assert "Tue 24 Nov 2026, 10:00 EST" in reply
    stamp = int(meeting.starts_at.timestamp())
    assert f"<!date^{stamp}^" in reply
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    assert f"<!date^{stamp}^" in json.dumps(bot.posts_in("CDEVOPS")[1].blocks)


def test_a_time_on_the_minute_a_zone_by_name_and_an_hour_that_is_not_one(bot):
    setup_devops(bot)  # it is 03:00 sharp in New York, where Bob is
    bot.command("UBOB", 'meeting schedule "Early" tomorrow 3am')
    assert "Scheduled" in blocks_text(bot.wait_reply("UBOB", 2))
    bot.command("UBOB", 'meeting schedule "With Berlin" tomorrow 3pm Europe/Berlin')
    assert "Scheduled" in blocks_text(bot.wait_reply("UBOB", 3))
    assert [m.starts_at for m in meetings(bot)] == [dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC),
                                                    dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)]
    bot.command("UBOB", 'meeting schedule "Late" tomorrow 25pm')
    reply = blocks_text(bot.wait_reply("UBOB", 4))
    assert "“25pm” is not a time of day: on a 12-hour clock the hour is 1 to 12" in reply and "Add a time" not in reply
    assert len(meetings(bot)) == 2


def test_recurring_meeting_with_smart_quotes(bot):
    setup_devops(bot)
    bot.command("UBOB", "meeting schedule “Show and tell” 2026-12-01 15:00 every 2 weeks")
    assert "Scheduled" in blocks_text(bot.wait_reply("UBOB", 2))
    [meeting] = meetings(bot)
    assert (meeting.title, meeting.recurrence) == ("Show and tell", "weekly:2")
    bot.command("UCHANDRA", "meeting list")
    listing = blocks_text(bot.wait_reply("UCHANDRA"))
    assert listing.count("Show and tell") == 1 and "every 2 weeks" in listing


def test_the_list_shows_every_series_however_far_its_next_meeting(bot):
    setup_devops(bot)
    for n, text in enumerate(['meeting schedule "Summit" 2027-06-10 10:00',  # 200 days away
                              'meeting schedule "Quarterly" 2026-12-02 10:00 every 3 months'], start=2):
        bot.command("UBOB", text)
        assert "Scheduled" in blocks_text(bot.wait_reply("UBOB", n))
    bot.command("UBOB", "meeting cancel 2 next")  # the next is then in March, 99 days away
    assert "Cancelled" in blocks_text(bot.wait_reply("UBOB", 4))
    bot.command("UCHANDRA", "meeting list")
    listing = blocks_text(bot.wait_reply("UCHANDRA"))
    assert "Summit" in listing and "Quarterly" in listing and "no meetings coming up" not in listing
    assert listing.index("Quarterly") < listing.index("Summit")


def test_member_who_is_not_a_lead_cannot_schedule(bot):
    setup_devops(bot)
    bot.command("UCHANDRA", 'meeting schedule "Mine" tomorrow 10am')
    assert "Only a lead of *DevOps CoP* can schedule its meetings" in blocks_text(bot.wait_reply("UCHANDRA"))
    assert meetings(bot) == []


def test_bad_schedules_get_specific_errors_and_save_nothing(bot):
    setup_devops(bot)
    cases = [
        ("meeting schedule Kick-off tomorrow 10am", "double quotes"),
        ('meeting schedule "Kick-off tomorrow 10am', "double quotes"),
        ('meeting schedule "Kick-off"', "Say when the meeting starts"),
        ('meeting schedule "Kick-off" yesterday 10am', "past"),
        ('meeting schedule "Kick-off" banana', "couldn't read"),
        ('meeting schedule "Kick-off" tomorrow 10am for 13h', "12 hours"),
        ('meeting schedule "" tomorrow 10am', "title"),
        ("meeting frobnicate 3", "I don't know `/cop meeting frobnicate`"),
    ]
    for n, (text, expected) in enumerate(cases, start=2):
        bot.command("UBOB", text)
        reply = blocks_text(bot.wait_reply("UBOB", n))
        assert expected.lower() in reply.lower(), (text, reply)
        assert "Usage" in reply, text
    assert meetings(bot) == []


def test_title_cannot_smuggle_mentions_or_links(bot):
    setup_devops(bot)
    bot.command("UBOB", 'meeting schedule "<!channel> free pizza <https://evil.example|click>" tomorrow 10am')
    bot.wait_reply("UBOB", 2)
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    posted = json.dumps(bot.posts_in("CDEVOPS")[1].blocks) + bot.posts_in("CDEVOPS")[1].text
    assert "<!channel>" not in posted and "<https://evil" not in posted
    assert "&lt;!channel&gt;" in posted


def test_meeting_list_outside_any_community_explains(bot):
    bot.command("UCHANDRA", "meeting list", channel="CRANDOM")
    assert "not in one yet" in blocks_text(bot.wait_reply("UCHANDRA"))


def test_reminders_are_posted_24h_and_1h_before_each_exactly_once(bot):
    setup_devops(bot)
    bot.command("UBOB", 'meeting schedule "Kick-off" 2026-11-25 10:00')  # 15:00 UTC Wednesday
    bot.wait_reply("UBOB", 2)
    services = bot.services
    start = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)

    def reminders() -> list[str]:
        return [m.text for m in bot.posts_in("CDEVOPS") if m.text.startswith("Reminder")]

    run_tick(services, now=start - dt.timedelta(hours=25))
    assert reminders() == []
    for _ in range(2):  # a second tick at the same instant sends nothing new
        run_tick(services, now=start - dt.timedelta(hours=24))
    assert reminders() == ["Reminder: Kick-off starts tomorrow"]
    run_tick(services, now=start - dt.timedelta(minutes=59))
    run_tick(services, now=start - dt.timedelta(minutes=30))
    assert reminders() == ["Reminder: Kick-off starts tomorrow", "Reminder: Kick-off starts in 1 hour"]
    run_tick(services, now=start + dt.timedelta(minutes=5))
    assert len(reminders()) == 2
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "reminder")) == 2


def test_a_bot_that_was_down_sends_only_the_reminder_that_still_makes_sense(bot):
    setup_devops(bot)
    bot.command("UBOB", 'meeting schedule "Kick-off" 2026-11-25 10:00')
    bot.wait_reply("UBOB", 2)
    start = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
    run_tick(bot.services, now=start - dt.timedelta(minutes=20))  # asleep through the 24 h mark
    texts = [m.text for m in bot.posts_in("CDEVOPS") if m.text.startswith("Reminder")]
    assert texts == ["Reminder: Kick-off starts in 20 minutes"]


def test_a_reminder_sent_late_says_the_time_really_left(bot):
    setup_devops(bot)
    bot.command("UBOB", 'meeting schedule "Kick-off" 2026-11-25 10:00')
    bot.wait_reply("UBOB", 2)
    bot.command("UCHANDRA", "meeting rsvp 1 yes")
    bot.wait_reply("UCHANDRA")
    always_at_work(bot, "UCHANDRA")  # 20:01 in Bengaluru: after her hours, the reminder would wait
    start = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
    run_tick(bot.services, now=start - dt.timedelta(minutes=29))  # the hour's reminder, half an hour late
    assert bot.slack.wait_for(lambda: bot.posts_in("UCHANDRA"))
    [reminder] = [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Reminder")]
    assert reminder.text == "Reminder: Kick-off starts in 29 minutes"
    assert "starts in 29 minutes" in json.dumps(reminder.blocks)
    assert [m.text for m in bot.posts_in("UCHANDRA")] == ["Reminder: Kick-off starts in 29 minutes"]


def test_recurring_meeting_is_reminded_for_each_occurrence(bot):
    setup_devops(bot)
    bot.command("UBOB", 'meeting schedule "Weekly" 2026-11-25 10:00 weekly')
    bot.wait_reply("UBOB", 2)
    first = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
    for week in range(3):
        run_tick(bot.services, now=first + dt.timedelta(weeks=week, hours=-1))
    hourly = [m for m in bot.posts_in("CDEVOPS") if m.text == "Reminder: Weekly starts in 1 hour"]
    assert len(hourly) == 3
