"""A lead's view of what copbot could not deliver for their community: held back, still retrying, failed for
good, or held while its channel was archived and out of date when it came back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.render import Message, channel_link, context, escape, fit_lines, mention, section, slack_date, truncate
from models.communities import Community
from models.deliveries import DeliveryStatus, Held
from models.undelivered import SHOWN_FAILED_FOR, Undelivered

# What a lead can do about the errors another try cannot cure.
REMEDIES = {
    "not_in_channel": "invite copbot to the channel",
    "channel_not_found": "the channel is gone or copbot cannot see it",
    "is_archived": "the channel is archived",
    "user_not_found": "the person has left the workspace",
    "user_disabled": "the person has left the workspace",
    "invalid_auth": "Slack refused copbot's token: reinstall the app",
    "token_revoked": "Slack refused copbot's token: reinstall the app",
    "not_authed": "Slack refused copbot's token: reinstall the app",
    # Said of copbot's own token, never of the person written to: the app was uninstalled or the workspace
    # deactivated.
    "account_inactive": "copbot's token is for an app that was uninstalled or a workspace that was deactivated: "
                        "reinstall the app",
}


# Why a message waits without being tried, and when it goes.
HELD = {
    Held.STOPPED: "copbot was removed from the workspace or its token revoked; it goes once copbot is reinstalled",
    Held.ARCHIVED: "the channel is archived; it goes once the channel is unarchived",
    Held.DEACTIVATED: "the person is deactivated in Slack; it goes if they come back",
}


def _is_dm(channel: str) -> bool:
    return channel.startswith(("U", "W"))  # a direct message is addressed to the person's user id


def _where(channel: str) -> str:
    return f"DM to {mention(channel)}" if _is_dm(channel) else f"in {channel_link(channel)}"


def _line(item: Undelivered) -> str:
    what = f"*{escape(item.kind)}* {_where(item.channel)}"
    if not _is_dm(item.channel):  # a post to the channel is public; a DM's words stay between copbot and them
        what += f": _{escape(truncate(item.text, 60))}_"
    if item.held is not None:
        return f"• :double_vertical_bar: {what} · held: {HELD[item.held]}"
    error = f"`{escape(item.last_error or 'unknown')}`"
    if item.status == DeliveryStatus.EXPIRED:  # its reason reads as a sentence ("expired: ...")
        return f"• :wastebasket: {what} · not posted, {escape(item.last_error or 'expired')}"
    if item.status == DeliveryStatus.FAILED:
        remedy = REMEDIES.get(item.last_error or "")
        return f"• :x: {what} · failed: {error}" + (f" ({remedy})" if remedy else "")
    return (f"• :hourglass_flowing_sand: {what} · {item.attempts} tries since "
            f"{slack_date(item.created_at)}, Slack said {error} · next try {slack_date(item.next_attempt_at)}")


def outbox_list(community: Community, items: Sequence[Undelivered], counts: Mapping[str, int]) -> Message:
    """Private to the lead who asked; `counts` are all there are by state (held, retrying, failed, expired), the list
    may be cut."""
    if not items:
        return Message.of("Nothing undelivered", [section(
            f"Everything copbot had to send for *{escape(community.name)}* has been delivered.")])
    named = {"held": "held back", "retrying": "retrying", "failed": "failed", "expired": "out of date"}
    tally = " · ".join(f"{counts[state]} {name}" for state, name in named.items() if counts.get(state))
    return Message.of(f"Undelivered messages of {community.name}", [
        section(f"*Not delivered yet for {escape(community.name)}* ({tally})"),
        section(fit_lines([_line(item) for item in items])),
        context("copbot keeps trying what Slack failed for a passing reason for a day, and gives up at once on "
                f"what another try cannot mend. Failures of the last {SHOWN_FAILED_FOR.days} days are shown."),
    ])
