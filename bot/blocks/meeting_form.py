"""The meeting form: schedule a meeting, or edit a series, with the same words the command reads."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.render import escape, section, truncate
from handlers.ids import ActionId, BlockId, ViewId
from models.meetings import MAX_TITLE
from models.when import MAX_INTERVAL

# How a meeting repeats, as the form offers it: (value, label). "weeks" and "months" take the number
# from the "every" input; the command's words for each are in handlers/interactivity/meeting_form.py.
REPEATS = (("once", "Does not repeat"), ("weekly", "Weekly"), ("weeks", "Every N weeks"),
           ("monthly", "Monthly"), ("months", "Every N months"))
WHEN_EXAMPLES = "tomorrow 10am, next tue 3pm, 2026-12-01 15:00, dec 3 at 9:30, in 2 hours"


@dataclass(frozen=True)
class MeetingFormValues:
    """What the form's inputs hold, as text: empty for a new meeting, the series' own for an edit."""

    title: str = ""
    when: str = ""
    repeat: str = "once"
    every: str = ""
    duration: str = ""


def _option(value: str) -> Option:
    return Option(value=value, label=dict(REPEATS)[value])


def meeting_form(
    *, community: str, tz: str, values: MeetingFormValues, metadata: str, meeting_id: int | None = None,
) -> View:
    """The modal; `meeting_id` makes it the edit of that series, prefilled from `values`."""
    if meeting_id is None:
        title, submit = "Schedule a meeting", "Schedule"
        intro = (f"A meeting of *{escape(community)}*. The channel is told, and everyone sees its time in "
                 "their own zone.")
        when_label = "When"
    else:
        title, submit = f"Edit meeting #{meeting_id}", "Save"
        intro = (f"Meeting `#{meeting_id}` of *{escape(community)}*. A new time, repeat or length moves the "
                 "whole series from its next meeting on, as `/cop meeting reschedule` does; the channel is told.")
        when_label = "Next meeting"
    blocks = [
        section(intro),
        InputBlock(block_id=BlockId.MEETING_TITLE, label="Title",
                   element=PlainTextInputElement(action_id=ActionId.MEETING_TITLE, max_length=MAX_TITLE,
                                                 initial_value=values.title or None,
                                                 placeholder="Monthly sync")),
        InputBlock(block_id=BlockId.MEETING_WHEN, label=when_label,
                   hint=truncate(f"Read in your own time zone ({tz}), exactly as /cop meeting schedule reads it: "
                                 f"{WHEN_EXAMPLES}.", 2000),
                   element=PlainTextInputElement(action_id=ActionId.MEETING_WHEN, max_length=100,
                                                 initial_value=values.when or None, placeholder="next tue 3pm")),
        InputBlock(block_id=BlockId.MEETING_REPEAT, label="Repeats",
                   element=StaticSelectElement(action_id=ActionId.MEETING_REPEAT,
                                               options=[_option(value) for value, _ in REPEATS],
                                               initial_option=_option(values.repeat))),
        InputBlock(block_id=BlockId.MEETING_EVERY, label="N: every how many weeks or months", optional=True,
                   hint="Only for Every N weeks or Every N months, e.g. 2 for every other week.",
                   element=NumberInputElement(action_id=ActionId.MEETING_EVERY, is_decimal_allowed=False,
                                              min_value=1, max_value=MAX_INTERVAL,
                                              initial_value=values.every or None)),
        InputBlock(block_id=BlockId.MEETING_DURATION, label="Length", optional=True,
                   hint="30m, 45 minutes, 1h or 1h30; an hour if left empty.",
                   element=PlainTextInputElement(action_id=ActionId.MEETING_DURATION, max_length=30,
                                                 initial_value=values.duration or None, placeholder="1h")),
    ]
    return View(type="modal", callback_id=ViewId.MEETING, private_metadata=metadata, title=title,
                submit=submit, close="Cancel", blocks=blocks)
