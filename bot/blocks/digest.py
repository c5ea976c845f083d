"""The weekly digest as Block Kit: a section block per digest section, long ones cut with "and N more"."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.blocks.attention import why_footer
from bot.render import SECTION_LIMIT, Message, context, escape, fit_lines, header, section, slack_date
from handlers.ids import ActionId
from models.communities import Community
from models.digests import Digest, Item, Period, Section
from models.digests.slot import DigestPlan
from models.hours import zone_of
from models.people import Person
from models.when import WEEKDAY_NAMES

HELPED_BUTTONS = 5  # "This helped" buttons under the week's knowledge: one row in Slack


class Copy(enum.Enum):
    """Who reads this copy, which decides its last line."""

    CHANNEL = "channel"
    DM = "dm"
    PREVIEW = "preview"


# An address in what someone typed: `https://sso.example.com/x`, `sso.example.com`.
_ADDRESS = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.I)


def _link(url: str, text: str) -> str:
    """A link only to a web address, and with nothing in it that could end Slack's `<url|text>` early.

    A label is whatever a member typed, so a link that leaves Slack says where it goes beside it: nobody
    follows "Re-verify your SSO account" under copbot's name without seeing it leads to evil.example. A label
    that names another address than the link's own (`https://ourcompany.slack.com/sso` leading elsewhere) is
    not made the link at all: the link is shown by where it goes.
    """
    if not url.startswith(("https://", "http://")) or any(c in url for c in "<>| "):
        return f"*{text}*"
    try:
        host = (urlsplit(url).hostname or "").encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return f"*{text}*"
    if not host:
        return f"*{text}*"
    if any(named.lower() != host for named in _ADDRESS.findall(text)):
        return f"*{text}* (<{url}|{escape(host)}>)"
    if host == "slack.com" or host.endswith(".slack.com"):
        return f"<{url}|{text}>"  # a message in Slack: where it goes is Slack itself
    return f"<{url}|{text}> ({escape(host)})"


def item_line(item: Item) -> str:
    text = escape(item.text)
    shown = _link(item.link, text) if item.link else f"*{text}*"
    parts = [f"`{escape(item.ref)}` {shown}" if item.ref else shown]
    if item.when is not None:
        parts.append(f"{item.when_label} {slack_date(item.when)}".strip())
    if item.note:
        parts.append(escape(item.note))
    return " · ".join(parts)


def section_text(part: Section) -> str:
    head = f"*{escape(part.title)}*"
    if part.summary:
        head += "\n" + escape(part.summary)
    lines = [f"• {item_line(item)}" for item in part.items]
    if not lines:
        return head
    return head + "\n" + fit_lines(lines, limit=SECTION_LIMIT - len(head) - 1, hidden=part.more)


@functools.lru_cache(maxsize=4096)
def section_block(part: Section) -> dict[str, Any]:
    """A digest section as its Block Kit dict. A job queues the same shared sections to every reader of a
    community's week: each is rendered once, not once per copy."""
    return section(section_text(part)).to_dict()


@functools.lru_cache(maxsize=4096)
def section_blocks(part: Section) -> tuple[dict[str, Any], ...]:
    """The section, and under it a "This helped" button for each knowledge item it lists."""
    helped = [item for item in part.items if item.helped_id is not None]
    if not helped:
        return (section_block(part),)
    buttons = ActionsBlock(block_id=f"kb_helped.{part.key}", elements=[
        ButtonElement(text=f"This helped: kb {item.helped_id}", action_id=f"{ActionId.KB_HELPED}.{item.helped_id}",
                      value=str(item.helped_id)) for item in helped[:HELPED_BUTTONS]])
    return section_block(part), buttons.to_dict()


def _quiet_week(digest: Digest) -> str:
    line = f":zzz: A quiet week in *{escape(digest.community.name)}*: nothing new was recorded."
    coming = next((s for s in digest.sections if s.key == "coming_up" and s.items), None)
    if coming is not None:
        first = coming.items[0]
        when = f", {slack_date(first.when)}" if first.when else ""
        line += f" Next up: *{escape(first.text)}*{when}."
    return line


@functools.lru_cache(maxsize=1024)
def _heading(name: str, period: Period) -> tuple[dict[str, Any], ...]:
    """The title and the week's dates: the same for every copy of a community's week, so rendered once."""
    dates = (f"Week {period.week}: {slack_date(period.start, '{date_short_pretty} {time}')} to "
             f"{slack_date(period.end, '{date_short_pretty} {time}')}, your time")
    return header(f"{name}: the week in review").to_dict(), context(dates).to_dict()


@functools.lru_cache(maxsize=1)
def _dm_footer() -> tuple[dict[str, Any], ...]:
    return tuple(block.to_dict() for block in why_footer(
        "digest", "You get this because you asked for the weekly digest by direct message."))


def digest_message(digest: Digest, copy: Copy) -> Message:
    community = digest.community
    blocks: list[Block | dict[str, Any]]
    if digest.is_empty:
        blocks = [section(_quiet_week(digest))]
    else:
        blocks = [*_heading(community.name, digest.period),
                  *(block for part in digest.sections for block in section_blocks(part))]
    if copy is Copy.DM:
        blocks += _dm_footer()
    elif copy is Copy.PREVIEW:
        blocks.append(context("A preview of the last seven days, shown only to you. `/cop digest dm on` sends "
                              "it to you every week at 09:00 your time."))
    elif not digest.is_empty:
        blocks.append(context("Times are shown in your own time zone. `/cop digest dm on` to get your own copy, "
                              "with your actions and where you were mentioned, by direct message at 09:00 your "
                              "time."))
    title = f"Weekly digest of {community.name}" if not digest.is_empty else f"A quiet week in {community.name}"
    return Message.of(title, blocks)


def _slot_in(instant: dt.datetime, tz: str) -> str:
    """`Friday 16:30`: the day and time `instant` falls on in zone `tz`."""
    local = instant.astimezone(zone_of(tz))
    return f"{WEEKDAY_NAMES[local.weekday()]} {local:%H:%M}"


def slot_reply(community: Community, reader: Person, plan: DigestPlan, *, changed: bool, now: dt.datetime) -> Message:
    """The community's digest slot, in its own zone and in the reader's, and when the next digest comes."""
    day = WEEKDAY_NAMES[community.digest_weekday]
    theirs = (f"*{_slot_in(plan.next_at, reader.tz)}* your time ({escape(reader.tz)})"
              if reader.tz != community.timezone else "your time too")
    verb = "now goes" if changed else "goes"
    text = (f":calendar: The weekly digest of *{escape(community.name)}* {verb} to the channel on *{day}s at "
            f"{community.digest_time:%H:%M}* ({escape(community.timezone)}): {theirs}.")
    if plan.catch_up is not None:
        when = ("This week's digest had not gone out and its new time has passed, so it is being posted now; "
                f"the next one comes {slack_date(plan.next_at)}.")
    elif plan.next_at <= now:
        when = "This week's is due now: it goes out within a few minutes."
    elif changed and plan.sent_this_week:
        when = f"This week's digest has gone out already, so the next one comes {slack_date(plan.next_at)}."
    else:
        when = f"The next one comes {slack_date(plan.next_at)}."
    hint = ("Subscribers' own copies come at 09:00 their time on that day. A lead changes the slot with "
            "`/cop digest slot &lt;day&gt; &lt;HH:MM&gt;`, e.g. `/cop digest slot fri 16:30`.")
    return Message.of(f"Weekly digest of {community.name}: {day}s at {community.digest_time:%H:%M}",
                      [section(f"{text}\n{when}"), context(hint)])
