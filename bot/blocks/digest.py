"""The weekly digest as Block Kit: a section block per digest section, long ones cut with "and N more"."""

from __future__ import annotations

import enum

from slack_sdk.models.blocks import Block

from bot.blocks.attention import why_footer
from bot.render import SECTION_LIMIT, Message, context, escape, fit_lines, header, section, slack_date
from models.digests import Digest, Item, Section


class Copy(enum.Enum):
    """Who reads this copy, which decides its last line."""

    CHANNEL = "channel"
    DM = "dm"
    PREVIEW = "preview"


def _link(url: str, text: str) -> str:
    """A link only to a web address, and with nothing in it that could end Slack's `<url|text>` early."""
    if not url.startswith(("https://", "http://")) or any(c in url for c in "<>| "):
        return f"*{text}*"
    return f"<{url}|{text}>"


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


def _quiet_week(digest: Digest) -> str:
    line = f":zzz: A quiet week in *{escape(digest.community.name)}*: nothing new was recorded."
    coming = next((s for s in digest.sections if s.key == "coming_up" and s.items), None)
    if coming is not None:
        first = coming.items[0]
        when = f", {slack_date(first.when)}" if first.when else ""
        line += f" Next up: *{escape(first.text)}*{when}."
    return line


def digest_message(digest: Digest, copy: Copy) -> Message:
    community = digest.community
    if digest.is_empty:
        blocks: list[Block] = [section(_quiet_week(digest))]
    else:
        period = digest.period
        blocks = [
            header(f"{community.name}: the week in review"),
            context(f"Week {period.week}: {slack_date(period.start, '{date_short_pretty} {time}')} to "
                    f"{slack_date(period.end, '{date_short_pretty} {time}')}, your time"),
            *(section(section_text(part)) for part in digest.sections),
        ]
    if copy is Copy.DM:
        blocks += why_footer("digest", "You get this because you asked for the weekly digest by direct message.")
    elif copy is Copy.PREVIEW:
        blocks.append(context("A preview of the last seven days, shown only to you. `/cop digest dm on` sends "
                              "it to you every week at 09:00 your time."))
    elif not digest.is_empty:
        blocks.append(context("Times are shown in your own time zone. `/cop digest dm on` to get your own copy, "
                              "with your actions and where you were mentioned, by direct message at 09:00 your "
                              "time."))
    title = f"Weekly digest of {community.name}" if not digest.is_empty else f"A quiet week in {community.name}"
    return Message.of(title, blocks)
