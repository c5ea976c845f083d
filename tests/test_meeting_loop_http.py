"""The lead's loop in the channel, through Slack: schedule, move, RSVP, remind, run, record, minutes."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import select

from handlers.ids import ActionId
from models import Action, ActionStatus, Contribution, Delivery, DeliveryStatus, Meeting, Person
from models.meetings import AgendaItem, AgendaStatus, Attendance, Decision, MeetingNote, MeetingOccurrence, Rsvp
from scheduler.runner import run_tick
from tests.community import always_at_work
from tests.test_events_http import settle
from tests.test_http_app import blocks_text, setup_devops

# Bob (New York) leads; the kick-off is Wed 25 Nov 2026 10:00 New York = 15:00 UTC.
KICK_OFF = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def schedule_kick_off(bot, extra: str = "") -> None:
    assert "Scheduled" in command(bot, "UBOB", f'meeting schedule "Kick-off" 2026-11-25 10:00 {extra}'.strip())


def reply_count(bot, user: str) -> int:
    return len(bot.replies_to(user))


def command(bot, user: str, text: str, *, channel: str = "CDEVOPS") -> str:
    """Type a command and return the text of the reply it gets."""
    n = reply_count(bot, user) + 1
    bot.command(user, text, channel=channel)
    return blocks_text(bot.wait_reply(user, n))


def press(bot, user: str, action_id: str, value: str, *, channel: str, message_ts: str) -> str:
    n = reply_count(bot, user) + 1
    url = bot.slack.response_url(f"{user}-{secrets.token_hex(3)}", channel=channel, user=user)
    status, _ = bot.post(bot.requests.block_action(user_id=user, action_id=action_id, value=value,
                                                   channel_id=channel, message_ts=message_ts, response_url=url))
    assert status == 200
    return blocks_text(bot.wait_reply(user, n))


def button_value(message, action_id: str) -> str:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {message.text}")


def posted(bot, channel: str, starting: str) -> list:
    return [m for m in bot.posts_in(channel) if m.text.startswith(starting)]


def wait_posted(bot, channel: str, starting: str) -> list:
    """Wait for copbot's post and for the outbox to have recorded it as sent (its ts is then known)."""
    assert bot.slack.wait_for(lambda: posted(bot, channel, starting))

    def recorded() -> bool:
        with bot.services.sessions() as session:
            return not session.scalars(select(Delivery.id).where(Delivery.status != DeliveryStatus.SENT)).first()

    assert bot.slack.wait_for(recorded)
    return posted(bot, channel, starting)


def say_in_thread(bot, user: str, text: str, thread_ts: str) -> str:
    ts = bot.slack.post_as_user(user, "CDEVOPS", text, thread_ts=thread_ts)
    status, _ = bot.post(bot.requests.event(bot.requests.message(user=user, channel="CDEVOPS", text=text, ts=ts,
                                                                 thread_ts=thread_ts)))
    assert status == 200
    return ts


def rows(bot, model) -> list:  # noqa: ANN001
    with bot.services.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


# ----------------------------------------------------------------------------- moving and cancelling


def test_lead_moves_one_occurrence_and_the_channel_is_told(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly")
    reply = command(bot, "UBOB", "meeting reschedule 1 to thu 11am")
    assert "Thu 26 Nov 2026, 11:00 EST" in reply
    [row] = rows(bot, MeetingOccurrence)
    assert (row.original_at, row.starts_at) == (KICK_OFF, dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC))
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Moved: Kick-off"))
    listing = command(bot, "UCHANDRA", "meeting list")
    assert f"<!date^{int(row.starts_at.timestamp())}^" in listing and "moved" in listing


def test_lead_moves_the_occurrence_on_a_given_day(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly")
    command(bot, "UBOB", "meeting reschedule 1 on dec 2 to dec 3 9am")
    [row] = rows(bot, MeetingOccurrence)
    assert row.original_at == KICK_OFF + dt.timedelta(weeks=1)
    assert row.starts_at == dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC)


def test_lead_reschedules_the_series(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly")
    reply = command(bot, "UBOB", "meeting reschedule 1 series fri 9am every 2 weeks for 30m")
    assert "Fri 27 Nov 2026, 09:00 EST" in reply
    [meeting] = rows(bot, Meeting)
    assert (meeting.starts_at, meeting.recurrence, meeting.duration_minutes) == (
        dt.datetime(2026, 11, 27, 14, 0, tzinfo=dt.UTC), "weekly:2", 30)
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Rescheduled: Kick-off"))


def test_cancel_one_occurrence_then_the_whole_meeting(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly")
    assert "the rest of the series goes on" in command(bot, "UBOB", "meeting cancel 1 next")
    [row] = rows(bot, MeetingOccurrence)
    assert row.cancelled_at is not None and row.original_at == KICK_OFF
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(minutes=30))
    assert posted(bot, "CDEVOPS", "Reminder") == []
    assert "Cancelled `#1`" in command(bot, "UBOB", "meeting cancel 1")
    assert rows(bot, Meeting)[0].cancelled_at is not None
    assert "has no meetings coming up" in command(bot, "UCHANDRA", "meeting list")
    assert "was cancelled" in command(bot, "UBOB", "meeting cancel 1")


def test_only_leads_move_or_cancel(bot):
    setup_devops(bot)
    schedule_kick_off(bot)
    for text in ("meeting cancel 1", "meeting reschedule 1 to thu 11am", "meeting start", "meeting end"):
        assert "Only a lead" in command(bot, "UCHANDRA", text), text  # (or secretary, for `end`)
    assert rows(bot, Meeting)[0].cancelled_at is None
    assert rows(bot, MeetingOccurrence) == []


def test_bad_moves_and_cancels_say_what_is_wrong_with_usage(bot):
    setup_devops(bot)
    schedule_kick_off(bot)
    cases = [
        ("meeting cancel", "by its number"),
        ("meeting cancel 9", "no meeting `#9`"),
        ("meeting cancel 1 tomorrowish", "say `next`, or `on` and a day"),
        ("meeting cancel 1 on dec 9", "no occurrence on Wed 9 Dec 2026"),
        ("meeting cancel 1 on blurgh", "couldn't read"),
        ("meeting reschedule 1", "Say when it moves to"),
        ("meeting reschedule 1 to yesterday 3pm", "past"),
        ("meeting reschedule 1 to banana", "couldn't read"),
        ("meeting reschedule x to thu 3pm", "by its number"),
        ("meeting reschedule 1 series banana", "couldn't read"),
        ("meeting rsvp 1 perhaps", "`yes`, `maybe` or `no`"),
        ("meeting dms sometimes", "`on` or `off`"),
        ("meeting minutes 99", "no minutes `#99`"),
        ("meeting start 5", "no meeting `#5`"),
    ]
    for text, expected in cases:
        reply = command(bot, "UBOB", text)
        assert expected.lower() in reply.lower(), (text, reply)
        assert "Usage" in reply, text
    [meeting] = rows(bot, Meeting)
    assert meeting.starts_at == KICK_OFF and meeting.cancelled_at is None
    assert rows(bot, MeetingOccurrence) == []


# ----------------------------------------------------------------------------- RSVPs and reminders


def test_rsvp_buttons_and_reminder_dms_go_to_those_coming_exactly_once(bot):
    setup_devops(bot)
    schedule_kick_off(bot)
    always_at_work(bot, "UCHANDRA")  # the hour before is 19:30 in Bengaluru, after her hours
    command(bot, "UALICE", "meeting rsvp 1 yes")  # before any reminder: she gets both DMs
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=24))
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Reminder"))
    [day_before] = posted(bot, "CDEVOPS", "Reminder")
    occurrence = button_value(day_before, ActionId.RSVP_YES)
    assert "tomorrow" in day_before.text
    assert "you'll be there" in press(bot, "UCHANDRA", ActionId.RSVP_YES, occurrence, channel="CDEVOPS",
                                      message_ts=day_before.ts)
    assert "maybe" in press(bot, "UBOB", ActionId.RSVP_MAYBE, occurrence, channel="CDEVOPS",
                            message_ts=day_before.ts)
    assert [m.text for m in bot.posts_in("UALICE")] == ["Reminder: Kick-off starts tomorrow"]
    assert bot.posts_in("UCHANDRA") == []
    for _ in range(2):  # the same instant twice sends nothing new
        run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=1))
    assert len(posted(bot, "CDEVOPS", "Reminder")) == 2
    assert [m.text for m in bot.posts_in("UALICE")] == ["Reminder: Kick-off starts tomorrow",
                                                        "Reminder: Kick-off starts in 1 hour"]
    assert [m.text for m in bot.posts_in("UCHANDRA")] == ["Reminder: Kick-off starts in 1 hour"]
    assert bot.posts_in("UBOB") == []  # maybe is not yes
    dm = json.dumps(bot.posts_in("UCHANDRA")[0].blocks)
    assert "because you said you'd come" in dm and "/cop meeting dms off" in dm
    answers = {(r.person.user_id, r.answer.value) for r in rows(bot, Rsvp)}
    assert answers == {("UALICE", "yes"), ("UCHANDRA", "yes"), ("UBOB", "maybe")}
    [chandra] = [r for r in rows(bot, Rsvp) if r.person.user_id == "UCHANDRA"]
    assert chandra.permalink and day_before.ts.replace(".", "") in chandra.permalink
    with bot.services.sessions() as session:
        keys = set(session.scalars(select(Delivery.key).where(Delivery.kind == "reminder_dm")))
    assert keys == {"reminder:1:20261125T1500Z:1440m:dm:UALICE", "reminder:1:20261125T1500Z:60m:dm:UALICE",
                    "reminder:1:20261125T1500Z:60m:dm:UCHANDRA"}


def test_changing_an_answer_to_no_stops_the_dm_and_dms_can_be_turned_off(bot):
    setup_devops(bot)
    schedule_kick_off(bot)
    command(bot, "UALICE", "meeting rsvp 1 yes")
    command(bot, "UCHANDRA", "meeting rsvp 1 yes")
    command(bot, "UALICE", "meeting rsvp 1 no")
    assert "No more meeting reminders by DM" in command(bot, "UCHANDRA", "meeting dms off")
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=1))
    assert posted(bot, "CDEVOPS", "Reminder")
    assert bot.posts_in("UALICE") == [] and bot.posts_in("UCHANDRA") == []


def test_rsvp_on_a_cancelled_occurrence_is_refused(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly")
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=24))
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Reminder"))
    [reminder] = posted(bot, "CDEVOPS", "Reminder")
    command(bot, "UBOB", "meeting cancel 1 next")
    reply = press(bot, "UCHANDRA", ActionId.RSVP_YES, button_value(reminder, ActionId.RSVP_YES),
                  channel="CDEVOPS", message_ts=reminder.ts)
    assert "was cancelled" in reply
    assert rows(bot, Rsvp) == []


def test_a_button_naming_another_workspaces_meeting_is_refused(bot):
    setup_devops(bot)
    reply = press(bot, "UCHANDRA", ActionId.RSVP_YES, "9999", channel="CDEVOPS", message_ts="1.0")
    assert "can't find that meeting" in reply


# ----------------------------------------------------------------------------- running a meeting


def start_kick_off(bot) -> str:
    """Schedule, reach the kick-off's time, start it; returns the ts of its thread."""
    schedule_kick_off(bot, "weekly for 45m")
    bot.services.clock.set(KICK_OFF - dt.timedelta(minutes=2))
    assert "has started" in command(bot, "UBOB", "meeting start")
    return wait_posted(bot, "CDEVOPS", "Meeting started")[0].ts


def test_a_meeting_run_from_agenda_to_minutes(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly for 45m")
    command(bot, "UCHANDRA", "agenda add Spot instances for CI")
    command(bot, "UCHANDRA", "agenda add Secrets rotation")
    bot.services.clock.set(KICK_OFF - dt.timedelta(minutes=2))
    command(bot, "UBOB", "meeting start")
    [opening] = wait_posted(bot, "CDEVOPS", "Meeting started")
    opened = json.dumps(opening.blocks)
    assert "Spot instances for CI" in opened and "Secrets rotation" in opened
    thread = opening.ts
    say_in_thread(bot, "UCHANDRA", "Hi all, here from Bengaluru", thread)
    say_in_thread(bot, "UCHANDRA", "action: Write the spot instance runbook <@UALICE> due fri", thread)
    say_in_thread(bot, "UALICE", "*decision:* We move CI to spot instances &amp; keep one on-demand runner",
                  thread)
    say_in_thread(bot, "UALICE", "info: the CI bill went down 40%", thread)
    assert bot.slack.wait_for(lambda: (len(rows(bot, MeetingNote)), len(rows(bot, Decision)), len(rows(bot, Action)),
                                       len(rows(bot, Attendance))) == (1, 1, 1, 3))
    press(bot, "UDANA", ActionId.IM_HERE, button_value(opening, ActionId.IM_HERE), channel="CDEVOPS",
          message_ts=thread)
    assert "Decision recorded in *Kick-off*" in command(bot, "UBOB", "decision Next kick-off in January")
    agenda = command(bot, "UBOB", "agenda")
    assert "running now" in agenda and "Spot instances for CI" in agenda
    first_item = rows(bot, AgendaItem)[0]
    command(bot, "UBOB", f"agenda done {first_item.id}")
    assert "Ended *Kick-off*" in command(bot, "UBOB", "meeting end")
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Minutes: Kick-off"))

    [minutes_post] = posted(bot, "CDEVOPS", "Minutes: Kick-off")
    minutes = json.dumps(minutes_post.blocks)
    for who in ("UBOB", "UCHANDRA", "UALICE", "UDANA"):
        assert f"<@{who}>" in minutes
    assert "Attendees (4)" in minutes
    assert "We move CI to spot instances &amp; keep one on-demand runner" in minutes  # one escape, not two
    assert "Next kick-off in January" in minutes
    assert "Write the spot instance runbook" in minutes and "<@UALICE>" in minutes
    assert "the CI bill went down 40%" in minutes
    assert "Discussed" in minutes and "Secrets rotation" in minutes.split("Carries over")[1]

    [action] = rows(bot, Action)
    assert (action.title, action.status, action.meeting_id) == ("Write the spot instance runbook",
                                                                ActionStatus.OPEN, 1)
    # "due friday" is read as `/cop action add` reads it: 17:00 that Friday, in the writer's zone (Bengaluru).
    assert action.due_at == dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
    assert action.source_permalink.endswith(f"?thread_ts={thread}&cid=CDEVOPS")
    decisions = rows(bot, Decision)
    assert [d.text for d in decisions] == ["We move CI to spot instances & keep one on-demand runner",
                                           "Next kick-off in January"]
    root = f"https://copbot-sandbox.slack.com/archives/CDEVOPS/p{thread.replace('.', '')}"
    assert decisions[0].permalink.endswith(f"?thread_ts={thread}&cid=CDEVOPS")  # the reply that said it
    # Typed as a command: the message copbot posted in the thread for it, linked once it was sent.
    [said] = posted(bot, "CDEVOPS", "Decision: Next kick-off in January")
    assert said.thread_ts == thread
    assert decisions[1].permalink == (f"https://copbot-sandbox.slack.com/archives/CDEVOPS/p{said.ts.replace('.', '')}"
                                      f"?thread_ts={thread}&cid=CDEVOPS")
    assert rows(bot, MeetingOccurrence)[0].permalink == root
    attendance = {(a.person.user_id, a.attended_by.value) for a in rows(bot, Attendance)}
    assert attendance == {("UBOB", "lead"), ("UCHANDRA", "spoke"), ("UALICE", "spoke"), ("UDANA", "here")}
    # The unfinished item waits on next week's kick-off; the open action shows on its agenda too.
    carried = [i for i in rows(bot, AgendaItem) if i.status == AgendaStatus.OPEN]
    assert [i.text for i in carried] == ["Secrets rotation"] and carried[0].carried_from_id is not None
    next_agenda = command(bot, "UCHANDRA", "agenda")
    assert "Secrets rotation" in next_agenda and "carried over" in next_agenda
    assert "Write the spot instance runbook" in next_agenda
    stored = command(bot, "UCHANDRA", "meeting minutes")
    assert "Minutes: Kick-off" in stored and "Next kick-off in January" in stored
    kinds = {(c.kind.value, rows_person(bot, c.person_id)) for c in rows(bot, Contribution)}
    assert {("meeting_attended", "UDANA"), ("decision", "UALICE"), ("action_created", "UCHANDRA"),
            ("meeting_note", "UALICE"), ("meeting_led", "UBOB"), ("agenda_item", "UCHANDRA")} <= kinds


def rows_person(bot, person_id: int) -> str:
    with bot.services.sessions() as session:
        return session.get(Person, person_id).user_id


def test_thread_lines_outside_a_running_meeting_are_only_replies(bot):
    setup_devops(bot)
    thread = start_kick_off(bot)
    command(bot, "UBOB", "meeting end")
    say_in_thread(bot, "UCHANDRA", "decision: too late", thread)
    other = bot.slack.post_as_user("UALICE", "CDEVOPS", "unrelated")
    say_in_thread(bot, "UCHANDRA", "action: not a meeting thread", other)
    settle(bot)
    assert [d.text for d in rows(bot, Decision)] == []
    assert rows(bot, Action) == []


def test_only_one_meeting_runs_at_a_time_and_end_needs_one(bot):
    setup_devops(bot)
    assert "No meeting of *DevOps CoP* is running" in command(bot, "UBOB", "meeting end")
    start_kick_off(bot)
    assert "already running" in command(bot, "UBOB", "meeting start")
    [row] = rows(bot, MeetingOccurrence)
    assert row.running


def test_an_ad_hoc_meeting_when_nothing_is_scheduled_nearby(bot):
    setup_devops(bot)
    assert "has started" in command(bot, "UBOB", "meeting start")
    [meeting] = rows(bot, Meeting)
    assert (meeting.title, meeting.recurrence) == ("Meeting", None)
    command(bot, "UBOB", "decision Try pairing on incidents")
    command(bot, "UBOB", "meeting end")
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Minutes: Meeting"))


def test_a_meeting_nobody_ends_is_closed_by_the_scheduler_with_minutes(bot):
    setup_devops(bot)
    thread = start_kick_off(bot)
    say_in_thread(bot, "UCHANDRA", "decision: Adopt OpenTofu", thread)
    assert bot.slack.wait_for(lambda: rows(bot, Decision))
    end_of_grace = KICK_OFF + dt.timedelta(minutes=45 + 30)
    run_tick(bot.services, now=end_of_grace - dt.timedelta(minutes=1))
    assert rows(bot, MeetingOccurrence)[0].running
    for _ in range(2):
        run_tick(bot.services, now=end_of_grace)
    [minutes] = posted(bot, "CDEVOPS", "Minutes: Kick-off")
    assert "Adopt OpenTofu" in json.dumps(minutes.blocks) and "closed by copbot" in json.dumps(minutes.blocks)
    assert "· 47 min ·" in json.dumps(minutes.blocks, ensure_ascii=False)  # started 2 minutes early, ended as planned
    [row] = rows(bot, MeetingOccurrence)
    assert row.closed_by_scheduler and row.minutes["decisions"][0]["text"] == "Adopt OpenTofu"


def test_a_meeting_closed_by_the_scheduler_lasted_as_planned_or_until_the_last_word(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly for 30m")
    bot.services.clock.set(KICK_OFF)
    command(bot, "UBOB", "meeting start")
    wait_posted(bot, "CDEVOPS", "Meeting started")
    run_tick(bot.services, now=KICK_OFF + dt.timedelta(minutes=60))
    [minutes] = wait_posted(bot, "CDEVOPS", "Minutes: Kick-off")
    assert "· 30 min ·" in json.dumps(minutes.blocks, ensure_ascii=False)  # not the 60 until the scheduler closed it
    bot.services.clock.set(KICK_OFF + dt.timedelta(days=7))
    command(bot, "UBOB", "meeting start")
    assert bot.slack.wait_for(lambda: len(posted(bot, "CDEVOPS", "Meeting started")) == 2)
    thread = wait_posted(bot, "CDEVOPS", "Meeting started")[1].ts
    bot.services.clock.set(KICK_OFF + dt.timedelta(days=7, minutes=41))
    say_in_thread(bot, "UCHANDRA", "decision: Keep going", thread)
    assert bot.slack.wait_for(lambda: rows(bot, Decision))
    run_tick(bot.services, now=KICK_OFF + dt.timedelta(days=7, minutes=65))
    assert bot.slack.wait_for(lambda: len(posted(bot, "CDEVOPS", "Minutes: ")) == 2)
    assert "· 41 min ·" in json.dumps(posted(bot, "CDEVOPS", "Minutes: ")[1].blocks, ensure_ascii=False)


def test_agenda_and_decision_need_membership_and_text(bot):
    setup_devops(bot)
    bot.slack.join("CDEVOPS", "UEVE")  # in the channel, but never joined the community
    assert "not a member" in command(bot, "UEVE", "agenda add Terraform")
    assert "not a member" in command(bot, "UEVE", "decision Nothing")
    assert "Say what to put on the agenda" in command(bot, "UCHANDRA", "agenda add")
    assert "Say what was decided" in command(bot, "UCHANDRA", "decision")
    assert "no agenda item `42`" in command(bot, "UCHANDRA", "agenda done 42")
    assert "I don't know `/cop agenda frob`" in command(bot, "UCHANDRA", "agenda frob")
    assert rows(bot, AgendaItem) == [] and rows(bot, Decision) == []


def test_agenda_without_any_meeting_waits_for_the_next_one(bot):
    setup_devops(bot)
    assert "none is scheduled yet" in command(bot, "UCHANDRA", "agenda add Dependency updates")
    schedule_kick_off(bot)
    listing = command(bot, "UCHANDRA", "agenda")
    assert "Agenda of Kick-off" in listing and "Dependency updates" in listing
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=24))
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Reminder"))
    assert "Dependency updates" in json.dumps(posted(bot, "CDEVOPS", "Reminder")[0].blocks)


def test_standalone_decision_is_posted_in_the_channel(bot):
    setup_devops(bot)
    assert "Decision recorded for the community" in command(bot, "UCHANDRA", "decision <!channel> Friday freeze")
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Decision"))
    post = posted(bot, "CDEVOPS", "Decision")[0]
    assert "<!channel>" not in json.dumps(post.blocks) + post.text
    [decision] = rows(bot, Decision)
    assert decision.text == "@channel Friday freeze" and decision.occurrence_id is None


def test_reminder_times_are_a_community_setting_for_its_leads(bot):
    setup_devops(bot)
    assert "24 hours and 1 hour before" in command(bot, "UCHANDRA", "meeting reminders")
    assert "Only a lead" in command(bot, "UCHANDRA", "meeting reminders 2h")
    for bad, expected in (("soon", "couldn't read"), ("8d", "7 days"), ("1m", "5 minutes"),
                          ("1h 2h 3h 4h 5h", "1 to 4")):
        assert expected in command(bot, "UBOB", f"meeting reminders {bad}"), bad
    assert "From now on: Reminders come 2 days and 15 minutes before" in command(bot, "UBOB",
                                                                                 "meeting reminders 15m, 2d")
    schedule_kick_off(bot)
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=24))
    assert posted(bot, "CDEVOPS", "Reminder") != []  # the two-day reminder, a day late, says so
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(hours=1))
    run_tick(bot.services, now=KICK_OFF - dt.timedelta(minutes=15))
    assert [m.text for m in posted(bot, "CDEVOPS", "Reminder")] == ["Reminder: Kick-off starts tomorrow",
                                                                    "Reminder: Kick-off starts in 15 minutes"]
    assert "No reminders" in command(bot, "UBOB", "meeting reminders off")


def test_running_a_meeting_counts_as_leading_it_and_scheduling_it_does_not(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly for 45m")
    assert [c for c in rows(bot, Contribution) if c.kind.value == "meeting_led"] == []
    bot.services.clock.set(KICK_OFF - dt.timedelta(minutes=2))
    command(bot, "UBOB", "meeting start")
    details = [(c.kind.value, c.detail) for c in rows(bot, Contribution) if c.kind.value == "meeting_led"]
    assert details == [("meeting_led", "started")]


def test_help_explains_meetings_agenda_decisions_standups_and_away(bot):
    for topic in ("meeting", "agenda", "decision", "standup", "away"):
        reply = command(bot, "UCHANDRA", f"help {topic}")
        assert f"/cop {topic}" in reply, topic
    # Placeholders in the explanations are shown, not taken by Slack for links.
    assert "`action: &lt;title&gt; @owner due &lt;when&gt;`" in command(bot, "UCHANDRA", "help meeting")


def test_start_a_named_meeting_near_its_time_and_an_overall_lead_may_too(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly")
    assert "no occurrence within 12 hours" in command(bot, "UBOB", "meeting start 1")  # two days early
    bot.services.clock.set(KICK_OFF + dt.timedelta(minutes=10))
    assert "has started" in command(bot, "UALICE", "meeting start #1")  # a workspace admin, not a lead here
    [row] = rows(bot, MeetingOccurrence)
    assert (row.original_at, row.started_at) == (KICK_OFF, KICK_OFF + dt.timedelta(minutes=10))
    command(bot, "UALICE", "meeting end")
    # The next week's occurrence is untouched and still listed.
    assert f"<!date^{int((KICK_OFF + dt.timedelta(weeks=1)).timestamp())}^" in command(bot, "UCHANDRA",
                                                                                       "meeting list")


def test_an_action_added_by_command_during_a_meeting_that_overran_is_in_its_minutes(bot):
    setup_devops(bot)
    schedule_kick_off(bot, "weekly for 30m")
    bot.services.clock.set(KICK_OFF)
    assert "has started" in command(bot, "UBOB", "meeting start")
    bot.services.clock.advance(dt.timedelta(hours=2))  # long past its planned end, but still running
    command(bot, "UCHANDRA", 'action add "Pair on the next incident review"')
    bot.services.clock.advance(dt.timedelta(minutes=5))
    command(bot, "UBOB", "meeting end")
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Minutes: Kick-off"))
    [action] = rows(bot, Action)
    assert action.meeting_id == rows(bot, Meeting)[0].id
    assert "Pair on the next incident review" in json.dumps(posted(bot, "CDEVOPS", "Minutes: Kick-off")[0].blocks)


# ----------------------------------------------------------------------------- links to copbot's own messages


def link_to_message(message, *, thread_ts: str | None = None) -> str:
    link = f"https://copbot-sandbox.slack.com/archives/{message.channel}/p{message.ts.replace('.', '')}"
    return link + (f"?thread_ts={thread_ts}&cid={message.channel}" if thread_ts else "")


def test_a_standalone_decision_links_to_the_message_that_announced_it(bot):
    setup_devops(bot)
    command(bot, "UCHANDRA", "decision Friday freeze on deploys")
    [post] = wait_posted(bot, "CDEVOPS", "Decision")
    [decision] = rows(bot, Decision)
    assert decision.permalink == link_to_message(post)
    schedule_kick_off(bot)
    [meeting_post] = wait_posted(bot, "CDEVOPS", "Meeting scheduled")
    assert rows(bot, Meeting)[0].permalink == link_to_message(meeting_post)


def test_a_meeting_closed_by_the_scheduler_links_its_thread_and_its_minutes(bot):
    setup_devops(bot)
    thread = start_kick_off(bot)
    [opening] = posted(bot, "CDEVOPS", "Meeting started")
    say_in_thread(bot, "UCHANDRA", "decision: Adopt OpenTofu", thread)
    assert bot.slack.wait_for(lambda: rows(bot, Decision))
    run_tick(bot.services, now=KICK_OFF + dt.timedelta(minutes=45 + 30))
    [minutes] = wait_posted(bot, "CDEVOPS", "Minutes: Kick-off")
    [row] = rows(bot, MeetingOccurrence)
    assert row.closed_by_scheduler
    assert row.thread_ts == thread and row.permalink == link_to_message(opening)
    assert row.minutes["thread"] == link_to_message(opening)
    assert link_to_message(opening) in json.dumps(minutes.blocks)  # the minutes point at the thread
    assert row.minutes_permalink == link_to_message(minutes)


# ----------------------------------------------------------------------------- actions from a meeting's thread


def cards_in_thread(bot, thread: str) -> list:
    return [m for m in bot.posts_in("CDEVOPS") if m.thread_ts == thread and m.text.startswith("Action #")]


def ephemerals_to(bot, user: str) -> list[str]:
    return [m.text for m in bot.slack.messages_in("CDEVOPS") if m.kind == "ephemeral" and m.ephemeral_to == user]


def test_thread_actions_follow_the_action_rules_and_get_a_card(bot):
    setup_devops(bot)
    thread = start_kick_off(bot)
    always_at_work(bot, "UCHANDRA")  # 20:28 in Bengaluru, after her hours
    # A member naming someone else only asks them; a lead's naming assigns.
    say_in_thread(bot, "UCHANDRA", "action: Update the runbook <@UALICE>", thread)
    say_in_thread(bot, "UBOB", "action: Rotate the deploy keys <@UCHANDRA> due fri", thread)
    say_in_thread(bot, "UALICE", "action: Tidy the dashboards", thread)
    settle(bot)
    by_title = {a.title: a for a in rows(bot, Action)}  # the three events may be handled in any order
    asked, assigned, pooled = (by_title[t] for t in ("Update the runbook", "Rotate the deploy keys",
                                                     "Tidy the dashboards"))
    alice, chandra = (rows_id(bot, user) for user in ("UALICE", "UCHANDRA"))
    assert (asked.owner_id, asked.proposed_owner_id) == (None, alice)
    assert (assigned.owner_id, assigned.proposed_owner_id) == (chandra, None)
    assert (pooled.owner_id, pooled.proposed_owner_id, pooled.meeting_id) == (None, None, 1)
    assert bot.slack.wait_for(lambda: len(cards_in_thread(bot, thread)) == 3)
    assert bot.slack.wait_for(lambda: any("asks whether you could take" in m.text for m in bot.posts_in("UALICE")))
    assert bot.slack.wait_for(lambda: any("You have been assigned" in m.text for m in bot.posts_in("UCHANDRA")))
    # The minutes say who was only asked.
    command(bot, "UBOB", "meeting end")
    [minutes] = wait_posted(bot, "CDEVOPS", "Minutes: Kick-off")
    assert "<@UALICE> _(asked, not yet accepted)_" in json.dumps(minutes.blocks)


def test_a_thread_action_that_cannot_be_recorded_is_explained_to_its_writer_only(bot):
    setup_devops(bot)
    thread = start_kick_off(bot)
    bot.slack.join("CDEVOPS", "UEVE")  # in the channel, not in the community
    say_in_thread(bot, "UCHANDRA", "action: " + "x" * 250, thread)
    say_in_thread(bot, "UEVE", "action: Write the docs", thread)
    settle(bot)
    assert rows(bot, Action) == []
    assert bot.slack.wait_for(lambda: ephemerals_to(bot, "UCHANDRA") and ephemerals_to(bot, "UEVE"))
    assert "was not recorded" in ephemerals_to(bot, "UCHANDRA")[0] and "200" in ephemerals_to(bot, "UCHANDRA")[0]
    assert "Join *DevOps CoP* first" in ephemerals_to(bot, "UEVE")[0]
    assert ephemerals_to(bot, "UALICE") == []
    # The line still counts as being there.
    attended = {a.person.user_id for a in rows(bot, Attendance)}
    assert {"UCHANDRA", "UEVE"} <= attended


def rows_id(bot, user_id: str) -> int:
    with bot.services.sessions() as session:
        return session.scalars(select(Person.id).where(Person.user_id == user_id)).one()


def test_an_agenda_item_added_before_the_meeting_is_shown_in_the_channel_and_linked(bot):
    setup_devops(bot)
    schedule_kick_off(bot)
    command(bot, "UCHANDRA", "agenda add <!here> Spot instances for CI")
    [post] = wait_posted(bot, "CDEVOPS", "Added to the agenda")
    shown = json.dumps(post.blocks)
    assert post.thread_ts is None and "<@UCHANDRA>" in shown and "Kick-off" in shown
    assert "<!here>" not in shown + post.text and "@here Spot instances for CI" in shown
    [item] = rows(bot, AgendaItem)
    assert item.permalink == link_to_message(post)
