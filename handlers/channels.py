"""A channel an overall lead names for copbot to post to (wins, the newsletter): checked with Slack when it is
chosen, so that a channel copbot cannot post to is refused now rather than found out when a post fails."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from models.errors import BadArgument

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
