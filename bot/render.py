"""Block Kit messages, shared by handlers and scheduler jobs. Every piece of user text is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from models.datarights import FORMER_MEMBER, is_forgotten  # noqa: E402

MAX_BLOCKS = 50
SECTION_LIMIT = 3000
HEADER_LIMIT = 150


def escape(text: str) -> str:
    """Show user text as text: no mentions, `<!channel>` broadcasts or links smuggled in.

    Slack parses only `<...>` sequences as mentions and links, and asks apps to escape exactly
    these three characters; `@channel` typed as plain text is not a broadcast unless link_names
    is set, which copbot never sets.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_date(instant: dt.datetime, fmt: str = "{date_short_pretty} at {time}") -> str:
    """A time every reader sees in their own zone; the fallback (UTC) is for old clients."""
    utc = instant.astimezone(dt.UTC)
    fallback = utc.strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{int(utc.timestamp())}^{fmt}|{fallback}>"


def mention(user_id: str) -> str:
    if is_forgotten(user_id):
        return FORMER_MEMBER  # someone who asked to be forgotten has no Slack id left to mention
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 update`, `2 updates`: a count with its noun agreeing (`many` for irregular plurals)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_lines(lines: Sequence[str], *, limit: int = SECTION_LIMIT, max_items: int | None = None,
              hidden: int = 0) -> str:
    """Join lines into one section's text, ending with "and N more" rather than exceeding Slack's limit.

    `hidden` counts items the caller already left out, so that "and N more" counts them too.
    """
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        remaining = len(lines) - index + hidden
        tail = f"…and {remaining} more" if remaining else ""
        over_count = max_items is not None and len(shown) >= max_items
        if over_count or used + len(line) + 1 + len(tail) + 1 > limit:
            shown.append(f"…and {remaining} more")
            break
        shown.append(line)
        used += len(line) + 1
    else:
        if hidden:
            shown.append(f"…and {hidden} more")
    return "\n".join(shown)


@dataclass(frozen=True)
class Message:
    """A message ready to send: fallback text for notifications plus blocks.

    The fallback is plain words (it shows in notifications): `of` escapes it, so callers pass raw
    text there, and escape user text themselves only inside blocks, where they also use markup.
    """

    text: str
    blocks: list[dict[str, Any]]

    @classmethod
    def of(cls, text: str, blocks: Sequence[Block | dict[str, Any]]) -> Message:
        """`blocks` as Block Kit objects, or as the dicts they render to (a block shared by many messages is
        rendered once)."""
        rendered = [block if isinstance(block, dict) else block.to_dict() for block in blocks]
        if len(rendered) > MAX_BLOCKS:
            rendered = rendered[: MAX_BLOCKS - 1] + [
                ContextBlock(elements=[MarkdownTextObject(text=f"…and {len(rendered) - MAX_BLOCKS + 1} more")])
                .to_dict()
            ]
        return cls(text=truncate(escape(text), 3000), blocks=rendered)


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_LIMIT)))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, 2000))])


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=truncate(text, HEADER_LIMIT))


def divider() -> DividerBlock:
    return DividerBlock()


def error_message(message: str, usage: str | None = None) -> Message:
    """A person's mistake, explained. Both texts are plain (they may quote what was typed) and are
    escaped here; `*bold*` and `code` still show, and `<name>` in a usage line stays visible."""
    blocks: list[Block] = [section(f":warning: {escape(message)}")]
    if usage:
        blocks.append(context(f"Usage: `{escape(usage)}` · `/cop help` lists every command"))
    return Message.of(message, blocks)


def notice(text: str) -> Message:
    return Message.of(text, [section(text)])
