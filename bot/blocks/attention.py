"""The end of every unasked-for direct message: why it was sent, and a button to turn that kind off."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.render import context
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
}


def why_footer(kind: str, reason: str) -> list[Block]:
    """`reason` is mrkdwn the caller has escaped; the button turns off `kind` (see models.attention.DM_KINDS)."""
    dm_kind = DM_KINDS[kind]
    budget = "; `/cop dm-budget` caps how many messages like this you get a week" if dm_kind.budgeted else ""
    return [
        context(f":information_source: {reason} `{dm_kind.turn_off}` stops {dm_kind.describe}{budget}."),
        ActionsBlock(elements=[ButtonElement(text=MUTE_LABELS[kind], action_id=ActionId.MUTE_DM_KIND, value=kind)]),
    ]


def archived_note(channel_id: str) -> dict:
    """Added to a DM about a community whose channel is archived: why nothing about it shows in the channel."""
    return context(f":file_cabinet: <#{channel_id}> is archived: copbot posts nothing there until it is "
                   "unarchived.").to_dict()
