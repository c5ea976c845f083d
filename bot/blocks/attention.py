"""The end of every unasked-for direct message: why it was sent, a button to turn that kind off, and on a
message about work, one to have it again the next working day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.render import Message, context, slack_date
from handlers.ids import ActionId
from models.attention import DM_KINDS

MUTE_LABELS = {
    "newcomer": "Stop newcomer messages",
    "nudge": "Stop nudges",
    "digest": "Stop digest messages",
    "meetings": "Stop meeting reminders",
    "standups": "Stop standup messages",
    "actions": "Stop action reminders",
    "escalations": "Stop escalations",
    "scorecards": "Stop scorecards",
    "maturity": "Stop maturity reminders",
    "fading": "Stop fading warnings",
}


def why_footer(kind: str, reason: str) -> list[Block]:
    """`reason` is mrkdwn the caller has escaped; the button turns off `kind` (see models.attention.DM_KINDS)."""
    dm_kind = DM_KINDS[kind]
    budget = "; `/cop dm-budget` caps how many messages like this you get a week" if dm_kind.budgeted else ""
    return [
        context(f":information_source: {reason} `{dm_kind.turn_off}` stops {dm_kind.describe}{budget}."),
        ActionsBlock(elements=[ButtonElement(text=MUTE_LABELS[kind], action_id=ActionId.MUTE_DM_KIND, value=kind)]),
    ]


def with_snooze(message: Message, key: str) -> Message:
    """`message` with "Remind me tomorrow" beside its mute button; `key` is the one it is sent under."""
    snooze = ButtonElement(text="Remind me tomorrow", action_id=ActionId.SNOOZE_DM, value=key).to_dict()
    return Message(message.text, [
        dict(block, elements=[snooze, *block["elements"]]) if _is_footer(block) else block
        for block in message.blocks])


def snoozed(message: Message, *, until: dt.datetime) -> Message:
    """What a snoozed message becomes: its footer's buttons give way to when it comes back."""
    back = context(f":zzz: I'll send this again {slack_date(until)}, in your working hours.").to_dict()
    return Message(message.text, [back if _is_footer(block) else block for block in message.blocks])


def _is_footer(block: dict[str, Any]) -> bool:
    return block.get("type") == "actions" and any(
        element.get("action_id") == ActionId.MUTE_DM_KIND for element in block.get("elements", []))


def archived_note(channel_id: str) -> dict:
    """Added to a DM about a community whose channel is archived: why nothing about it shows in the channel."""
    return context(f":file_cabinet: <#{channel_id}> is archived: copbot posts nothing there until it is "
                   "unarchived.").to_dict()
