"""The meeting form through Slack: opened by `/cop meeting schedule` alone, `/cop meeting edit` or an Edit button,
refused field by field while still open, and then doing exactly what the typed command does."""

from __future__ import annotations

import datetime as dt
import json
import secrets

import pytest
from sqlalchemy import select

from handlers.ids import ActionId, BlockId, ViewId
from models import Meeting
from models.meetings import MeetingOccurrence
from tests.test_http_app import blocks_text, setup_devops
from tests.test_meeting_loop_http import command, posted, rows

# Bob (New York) leads DevOps CoP; Alice (London) is an overall lead; Chandra is a member.
# It is Mon 23 Nov 2026, 08:00 UTC.

INPUTS = {  # block_id -> (action_id, element type)
    BlockId.MEETING_TITLE: (ActionId.MEETING_TITLE, "plain_text_input"),
    BlockId.MEETING_WHEN: (ActionId.MEETING_WHEN, "plain_text_input"),
    BlockId.MEETING_REPEAT: (ActionId.MEETING_REPEAT, "static_select"),
    BlockId.MEETING_EVERY: (ActionId.MEETING_EVERY, "number_input"),
    BlockId.MEETING_DURATION: (ActionId.MEETING_DURATION, "plain_text_input"),
}


def opened_views(bot) -> list[dict]:
    views = [call.args["view"] for call in bot.slack.calls_to("views.open")]
    return [json.loads(view) if isinstance(view, str) else view for view in views]


def open_form(bot, user: str, text: str = "meeting schedule") -> dict:
    """Type the command; returns the form copbot opened with the command's trigger."""
    before = len(opened_views(bot))
    status, _ = bot.command(user, text)
    assert status == 200
    assert bot.slack.wait_for(lambda: len(opened_views(bot)) > before), bot.slack.responses
    assert bot.slack.calls_to("views.open")[-1].args["trigger_id"]
    return opened_views(bot)[-1]


def inputs(view: dict) -> dict[str, dict]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def prefilled(view: dict) -> dict[str, str | None]:
    """What each input shows when the form opens."""
    shown = {}
    for block_id, block in inputs(view).items():
        element = block["element"]
        option = element.get("initial_option")
        shown[block_id] = option["value"] if option else element.get("initial_value")
    return shown


def state(title: str = "Kick-off", when: str = "tomorrow 10am", repeat: str = "once", every: str | None = None,
          duration: str | None = None) -> dict:
    """`view.state.values` as Slack sends it for what was typed; an empty input's value is null."""
    typed = {BlockId.MEETING_TITLE: title, BlockId.MEETING_WHEN: when, BlockId.MEETING_EVERY: every,
             BlockId.MEETING_DURATION: duration}
    values = {}
    for block_id, (action_id, kind) in INPUTS.items():
        if kind == "static_select":
            label = {"once": "Does not repeat"}.get(repeat, repeat)
            values[block_id] = {action_id: {"type": kind, "selected_option": {
                "text": {"type": "plain_text", "text": label, "emoji": True}, "value": repeat}}}
        else:
            values[block_id] = {action_id: {"type": kind, "value": typed[block_id]}}
    return values


def submit(bot, user: str, view: dict, values: dict) -> dict:
    """Submit the form as `user`; returns Slack's answer to the submission (empty: the form closes)."""
    request = bot.requests.view_submission(user_id=user, callback_id=view["callback_id"], values=values,
                                           private_metadata=view["private_metadata"], blocks=view["blocks"])
    status, body = bot.post(request)
    assert status == 200
    return json.loads(body) if body else {}


def ephemerals(bot, user: str, channel: str = "CDEVOPS") -> list:
    return [m for m in bot.slack.messages_in(channel) if m.kind == "ephemeral" and m.ephemeral_to == user]


def wait_ephemeral(bot, user: str, count: int = 1) -> str:
    assert bot.slack.wait_for(lambda: len(ephemerals(bot, user)) >= count)
    message = ephemerals(bot, user)[count - 1]
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def test_the_form_opens_with_its_fields_and_schedules_exactly_as_the_command_does(bot):
    setup_devops(bot)
    view = open_form(bot, "UBOB")
    assert view["callback_id"] == ViewId.MEETING and view["title"]["text"] == "Schedule a meeting"
    assert list(inputs(view)) == list(INPUTS)
    when = inputs(view)[BlockId.MEETING_WHEN]
    assert "America/New_York" in when["hint"]["text"] and "/cop meeting schedule" in when["hint"]["text"]
    repeat = inputs(view)[BlockId.MEETING_REPEAT]["element"]
    assert [o["text"]["text"] for o in repeat["options"]] == [
        "Does not repeat", "Weekly", "Every N weeks", "Monthly", "Every N months"]
    assert prefilled(view)[BlockId.MEETING_REPEAT] == "once" and prefilled(view)[BlockId.MEETING_TITLE] is None
    assert inputs(view)[BlockId.MEETING_DURATION]["optional"]
    assert not inputs(view)[BlockId.MEETING_WHEN].get("optional")

    assert submit(bot, "UBOB", view, state("Kick-off", "tomorrow 10am", "weeks", "2", "45m")) == {}
    confirmation = wait_ephemeral(bot, "UBOB")
    assert "I read “tomorrow 10am” as *Tue 24 Nov 2026, 10:00 EST* in your time zone" in confirmation
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Meeting scheduled: Kick-off"))
    [by_form] = rows(bot, Meeting)
    # 10:00 in New York on Tuesday 24 November is 15:00 UTC.
    assert by_form.starts_at == dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    assert (by_form.title, by_form.recurrence, by_form.duration_minutes) == ("Kick-off", "weekly:2", 45)

    # The same words typed as the command give the same meeting, announcement and confirmation.
    bot.command("UBOB", 'meeting schedule "Kick-off" tomorrow 10am every 2 weeks for 45m')
    typed = bot.wait_reply("UBOB", 2)
    [_, by_command] = rows(bot, Meeting)
    assert (by_command.starts_at, by_command.recurrence, by_command.duration_minutes) == (
        by_form.starts_at, by_form.recurrence, by_form.duration_minutes)
    assert bot.slack.wait_for(lambda: len(posted(bot, "CDEVOPS", "Meeting scheduled: Kick-off")) == 2)
    first, second = posted(bot, "CDEVOPS", "Meeting scheduled: Kick-off")
    assert json.dumps(first.blocks).replace("`#1`", "`#2`") == json.dumps(second.blocks)
    assert json.dumps(ephemerals(bot, "UBOB")[0].blocks).replace("`#1`", "`#2`") == json.dumps(typed["blocks"])


@pytest.mark.parametrize(("typed", "refused"), [
    ({"title": "   "}, {BlockId.MEETING_TITLE: "Give the meeting a title."}),
    ({"title": "x" * 151}, {BlockId.MEETING_TITLE: "keep it to 150"}),
    ({"when": "banana"}, {BlockId.MEETING_WHEN: "I couldn't read “banana” as a time"}),
    ({"when": "yesterday 10am"}, {BlockId.MEETING_WHEN: "That is in the past (Sun 22 Nov 2026, 10:00 EST)"}),
    ({"when": "tomorrow"}, {BlockId.MEETING_WHEN: "Add a time, e.g. tomorrow 10am."}),
    ({"repeat": "weeks"}, {BlockId.MEETING_EVERY: "Say every how many weeks"}),
    ({"repeat": "months", "every": "60"}, {BlockId.MEETING_EVERY: "Repeat every 1 to 52 weeks or months."}),
    ({"repeat": "daily"}, {BlockId.MEETING_REPEAT: "Pick how the meeting repeats."}),
    ({"duration": "13h"}, {BlockId.MEETING_DURATION: "between 5 minutes and 12 hours"}),
    ({"duration": "soon"}, {BlockId.MEETING_DURATION: "I couldn't read “soon” as a duration. Try 30m"}),
    ({"title": "", "when": "banana", "repeat": "weeks", "every": "0", "duration": "2m"},
     {BlockId.MEETING_TITLE: "title", BlockId.MEETING_WHEN: "banana", BlockId.MEETING_EVERY: "1 to 52",
      BlockId.MEETING_DURATION: "5 minutes"}),
])
def test_each_bad_field_is_refused_under_that_field_and_nothing_is_scheduled(bot, typed, refused):
    setup_devops(bot)
    view = open_form(bot, "UBOB")
    answer = submit(bot, "UBOB", view, state(**typed))
    # Errors keep the form open with everything typed in it; nothing else replaces or closes it.
    assert set(answer) == {"response_action", "errors"} and answer["response_action"] == "errors"
    assert set(answer["errors"]) == set(refused)
    for block_id, words in refused.items():
        assert words in answer["errors"][block_id], answer["errors"]
        assert "`" not in answer["errors"][block_id]  # Slack shows field errors as plain text
    assert rows(bot, Meeting) == []
    assert posted(bot, "CDEVOPS", "Meeting scheduled") == [] and ephemerals(bot, "UBOB") == []


def test_edit_prefills_the_series_in_the_editors_zone_and_moves_it_like_the_command(bot):
    setup_devops(bot)
    command(bot, "UBOB", 'meeting schedule "Show and tell" 2026-12-01 10:00 every 2 weeks for 45m')
    # Alice, an overall lead in London, edits Bob's New York meeting: 10:00 in New York is 15:00 for her.
    view = open_form(bot, "UALICE", "meeting edit 1")
    assert view["title"]["text"] == "Edit meeting #1" and view["submit"]["text"] == "Save"
    assert prefilled(view) == {BlockId.MEETING_TITLE: "Show and tell", BlockId.MEETING_WHEN: "2026-12-01 15:00",
                               BlockId.MEETING_REPEAT: "weeks", BlockId.MEETING_EVERY: "2",
                               BlockId.MEETING_DURATION: "45m"}
    assert "Europe/London" in inputs(view)[BlockId.MEETING_WHEN]["hint"]["text"]

    assert submit(bot, "UALICE", view, state("Demo day", "2026-12-02 16:00", "monthly", None, "1h30")) == {}
    confirmation = wait_ephemeral(bot, "UALICE")
    assert "Moved *Demo day*: I read “2026-12-02 16:00” as *Wed 2 Dec 2026, 16:00 GMT* in your time zone" \
        in confirmation
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Rescheduled: Demo day"))
    [moved] = posted(bot, "CDEVOPS", "Rescheduled: Demo day")
    assert "renamed from *Show and tell*" in json.dumps(moved.blocks) and "monthly" in json.dumps(moved.blocks)
    [meeting] = rows(bot, Meeting)
    assert meeting.starts_at == dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    assert (meeting.title, meeting.recurrence, meeting.duration_minutes) == ("Demo day", "monthly:1", 90)

    # Opened again, the form shows the series as it now is.
    again = open_form(bot, "UBOB", "meeting edit 1")
    assert prefilled(again) == {BlockId.MEETING_TITLE: "Demo day", BlockId.MEETING_WHEN: "2026-12-02 11:00",
                                BlockId.MEETING_REPEAT: "monthly", BlockId.MEETING_EVERY: None,
                                BlockId.MEETING_DURATION: "1h30"}
    # A bad edit is refused on the form and changes nothing.
    answer = submit(bot, "UBOB", again, state("Demo day", "2026-11-20 10:00", "monthly"))
    assert "in the past" in answer["errors"][BlockId.MEETING_WHEN]
    assert rows(bot, Meeting)[0].starts_at == dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)


def test_a_new_title_alone_keeps_every_time_and_a_cancelled_meeting_cancelled(bot):
    setup_devops(bot)
    command(bot, "UBOB", 'meeting schedule "Weekly" 2026-11-25 10:00 weekly')
    assert "rest of the series goes on" in command(bot, "UBOB", "meeting cancel 1 next")
    view = open_form(bot, "UBOB", "meeting edit 1")
    # The next meeting is now the one after the cancelled one.
    assert prefilled(view)[BlockId.MEETING_WHEN] == "2026-12-02 10:00"

    assert submit(bot, "UBOB", view, state("Weekly", "2026-12-02 10:00", "weekly")) == {}
    assert "Nothing to change" in wait_ephemeral(bot, "UBOB")

    assert submit(bot, "UBOB", view, state("Platform weekly", "2026-12-02 10:00", "weekly")) == {}
    assert "Renamed `#1` to *Platform weekly*" in wait_ephemeral(bot, "UBOB", 2)
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Renamed: Platform weekly"))
    [meeting] = rows(bot, Meeting)
    assert (meeting.title, meeting.starts_at) == ("Platform weekly", dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC))
    [cancelled] = rows(bot, MeetingOccurrence)
    assert cancelled.cancelled_at is not None
    assert cancelled.starts_at == dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
    assert posted(bot, "CDEVOPS", "Rescheduled") == []


def test_only_leads_open_or_submit_the_form_and_others_are_told_why(bot):
    setup_devops(bot)
    command(bot, "UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    assert "Only a lead of *DevOps CoP* can schedule its meetings" in command(bot, "UCHANDRA", "meeting schedule")
    assert "Only a lead of *DevOps CoP* can edit its meetings" in command(bot, "UCHANDRA", "meeting edit 1")
    assert opened_views(bot) == []
    assert "has no meeting `#9`" in command(bot, "UBOB", "meeting edit 9")
    assert "Usage" in command(bot, "UBOB", "meeting edit one")

    # A member who got hold of a lead's form is refused on the form itself.
    view = open_form(bot, "UBOB", "meeting edit 1")
    answer = submit(bot, "UCHANDRA", view, state("Mine now", "tomorrow 11am"))
    assert answer["errors"] == {BlockId.MEETING_TITLE: "Only a lead of DevOps CoP can edit its meetings."}
    [meeting] = rows(bot, Meeting)
    assert meeting.title == "Kick-off" and posted(bot, "CDEVOPS", "Rescheduled") == []


def test_a_leads_meeting_list_has_edit_buttons_that_open_the_prefilled_form(bot):
    setup_devops(bot)
    command(bot, "UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    command(bot, "UBOB", 'meeting schedule "Retro" 2026-12-04 16:00 for 30m')
    assert "Edit #" not in command(bot, "UCHANDRA", "meeting list")
    bot.command("UBOB", "meeting list")
    listing = bot.wait_reply("UBOB", 4)
    buttons = [e for b in listing["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Edit #1 Kick-off", "1"), ("Edit #2 Retro", "2")]
    assert len({b["action_id"] for b in buttons}) == 2  # Slack wants them distinct within a block

    url = bot.slack.response_url(f"UBOB-{secrets.token_hex(3)}", channel="CDEVOPS", user="UBOB")
    status, _ = bot.post(bot.requests.block_action(user_id="UBOB", action_id=buttons[1]["action_id"], value="2",
                                                   channel_id="CDEVOPS", response_url=url, is_ephemeral=True))
    assert status == 200
    assert bot.slack.wait_for(lambda: opened_views(bot))
    [view] = opened_views(bot)
    assert prefilled(view)[BlockId.MEETING_TITLE] == "Retro"
    assert prefilled(view)[BlockId.MEETING_DURATION] == "30m"
    assert prefilled(view)[BlockId.MEETING_WHEN] == "2026-12-04 16:00"

    # The same button pressed by a member opens nothing and says why.
    url = bot.slack.response_url(f"UCHANDRA-{secrets.token_hex(3)}", channel="CDEVOPS", user="UCHANDRA")
    bot.post(bot.requests.block_action(user_id="UCHANDRA", action_id=buttons[1]["action_id"], value="2",
                                       channel_id="CDEVOPS", response_url=url, is_ephemeral=True))
    assert "Only a lead of *DevOps CoP* can edit its meetings" in blocks_text(bot.wait_reply("UCHANDRA", 2))
    assert len(opened_views(bot)) == 1
    assert "/cop meeting edit &lt;id&gt;" in command(bot, "UCHANDRA", "help meeting")


def test_the_confirmation_reaches_a_lead_by_dm_when_the_form_came_from_elsewhere(bot):
    setup_devops(bot)
    with bot.services.sessions() as session:
        assert session.scalars(select(Meeting)).all() == []
    # Typed in #random, where copbot is not: the form is for Bob's only community, DevOps CoP.
    before = len(opened_views(bot))
    bot.command("UBOB", "meeting schedule", channel="CRANDOM")
    assert bot.slack.wait_for(lambda: len(opened_views(bot)) > before)
    view = opened_views(bot)[-1]
    assert submit(bot, "UBOB", view, state("Kick-off", "tomorrow 10am")) == {}
    assert bot.slack.wait_for(lambda: bot.posts_in(bot.slack.dm_channel("UBOB")))
    [dm] = bot.posts_in(bot.slack.dm_channel("UBOB"))
    assert "Tue 24 Nov 2026, 10:00 EST" in json.dumps(dm.blocks)
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Meeting scheduled: Kick-off"))


def test_a_fault_of_ours_is_shown_on_the_open_form_or_by_dm_once_it_has_closed(bot, monkeypatch):
    from handlers import meeting_steps
    from handlers.interactivity import meeting_form

    setup_devops(bot)
    view = open_form(bot, "UBOB")

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("a fault of ours")

    # Found while the form is open: shown on it, with a reference, and everything typed kept.
    with monkeypatch.context() as patch:
        patch.setattr(meeting_form, "parse_form", broken)
        answer = submit(bot, "UBOB", view, state())
    assert answer["response_action"] == "errors"
    assert "Something went wrong on my side (reference " in answer["errors"][BlockId.MEETING_TITLE]

    # Found after the form has closed: the lead hears it by DM, and nothing is half-done.
    with monkeypatch.context() as patch:
        patch.setattr(meeting_steps, "schedule", broken)
        assert submit(bot, "UBOB", view, state()) == {}
        dm = bot.slack.dm_channel("UBOB")
        assert bot.slack.wait_for(lambda: bot.posts_in(dm))
    assert "Something went wrong on my side" in json.dumps(bot.posts_in(dm)[0].blocks)
    assert rows(bot, Meeting) == [] and ephemerals(bot, "UBOB") == []
