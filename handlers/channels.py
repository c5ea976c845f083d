"""A channel an overall lead names for copbot to post to (wins, the newsletter): checked with Slack when it is
chosen, so that a channel copbot cannot post to is refused now rather than found out when a post fails."""

from __future__ import annotations

import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from models.errors import BadArgument

# A channel as Slack sends it in a command's text: `<#C0123|devops>`, or `<#C0123>`. Ids fit the 20 characters
# copbot stores.
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]{2,19})(?:\|[^<>]*)?>")


def channel_in(text: str) -> str | None:
    """The channel's id when `text` is one channel as Slack sends it (spaces around it aside); None otherwise."""
    match = _CHANNEL.fullmatch(text.strip())
    return match[1] if match else None


def require_channel(text: str, *, example: str) -> str:
    """The channel's id in `text`; anything else is the person's mistake, answered with `example`."""
    channel_id = channel_in(text)
    if channel_id is None:
        word = " ".join(text.split())
        shown = (word[:30] + "…" if len(word) > 30 else word) or "nothing"
        raise BadArgument(f"“{shown}” is not a channel: pick one with `#`, e.g. `{example}`.")
    return channel_id


# What Slack says of a channel copbot cannot post to, in words a lead can act on.
_UNUSABLE = {
    "channel_not_found": "I can't find that channel: it was deleted, or it is private and I am not in it. Invite "
                         "me first (`/invite @copbot`), then choose it again.",
    "is_archived": "That channel is archived: choose one people read.",
}


def make_usable(client: WebClient, channel_id: str) -> None:
    """Join `channel_id` if it is public and copbot is not in it; refuse an archived one, a private one copbot is
    not in, and one Slack does not show. Asked before anything is written, so no Slack call waits inside the
    transaction's writes."""
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
        if info.get("is_archived"):
            raise BadArgument(_UNUSABLE["is_archived"])
        if not info.get("is_member"):
            if info.get("is_private"):
                raise BadArgument("That channel is private: invite me to it first (`/invite @copbot`).")
            client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        raise BadArgument(_UNUSABLE.get(code, f"Slack would not let me use that channel ({code[:40]}).")) from None
