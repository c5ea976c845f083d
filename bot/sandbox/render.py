"""Slack messages as terminal text, the way one particular person would read them in Slack.

Pure functions: a message (fallback text plus Block Kit dicts) and a `Viewer` in, plain text out.
Slack formats `<!date^...>` in each reader's own zone, turns `<@U...>` into names and `<url|label>`
into links; a terminal has none of that, so this module does it for the sandbox.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LONG_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                    "October", "November", "December")

# Slack's special mentions; shown as Slack shows them, never expanded into anything else.
SPECIAL_MENTIONS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}

# Anything between < and > is Slack markup; user text can't contain a raw < (it arrives as &lt;).
_MARKUP = re.compile(r"<([^<>]*)>")
_TOKEN = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Viewer:
    """Who reads the message: their zone, and the names Slack would show them for ids.

    `now` lets `{date_pretty}` and friends say "today" or "tomorrow" as Slack does; without it
    they fall back to the plain date.
    """

    tz: str = "UTC"
    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    now: dt.datetime | None = None
    # How the zone note reads, e.g. "your time" or "bob's time".
    time_label: str = "your time"


def _relative_day(local: dt.datetime, viewer: Viewer, zone: ZoneInfo) -> str | None:
    if viewer.now is None:
        return None
    today = viewer.now.astimezone(zone).date()
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get((local.date() - today).days)


def _ago(instant: dt.datetime, viewer: Viewer) -> str:
    if viewer.now is None:
        return instant.strftime("%Y-%m-%d %H:%M UTC")
    seconds = int((viewer.now - instant).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            span = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {span}" if future else f"{span} ago"
    return "just now"


def format_date_token(timestamp: int, fmt: str, viewer: Viewer) -> str:
    """What Slack shows for `<!date^timestamp^fmt|...>` to this viewer, with a note of whose zone it is."""
    zone = ZoneInfo(viewer.tz)
    instant = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    local = instant.astimezone(zone)
    same_year = viewer.now is not None and viewer.now.astimezone(zone).year == local.year
    year = "" if same_year else f" {local.year}"
    day, month = DAY_NAMES[local.weekday()], MONTH_NAMES[local.month - 1]
    plain = {
        "date_num": f"{local:%Y-%m-%d}",
        "date": f"{local.day} {LONG_MONTH_NAMES[local.month - 1]} {local.year}",
        "date_short": f"{day} {local.day} {month}{year}",
        "date_long": f"{LONG_DAY_NAMES[local.weekday()]} {local.day} {LONG_MONTH_NAMES[local.month - 1]} {local.year}",
        "time": f"{local:%H:%M}",
        "time_secs": f"{local:%H:%M:%S}",
        "ago": _ago(instant, viewer),
    }
    relative = _relative_day(local, viewer, zone)
    for name in ("date", "date_short", "date_long"):
        # Slack's *_pretty forms say "today"/"tomorrow"/"yesterday" when they can, else the plain form.
        plain[f"{name}_pretty"] = relative or plain[name]

    def token(match: re.Match[str]) -> str:
        return plain.get(match.group(1), match.group(0))

    return f"{_TOKEN.sub(token, fmt)} ({viewer.time_label}, {viewer.tz})"


def _markup(inner: str, viewer: Viewer) -> str:
    """One `<...>` sequence as the viewer would read it."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (viewer.users.get(user_id) or label or user_id)
    if target.startswith("#"):
        channel_id = target[1:]
        return "#" + (viewer.channels.get(channel_id) or label.lstrip("#") or channel_id)
    if target.startswith("!"):
        command = target[1:]
        if command.startswith("date^"):
            parts = command.split("^")
            try:
                return format_date_token(int(parts[1]), parts[2] if len(parts) > 2 else "{date_num}", viewer)
            except (ValueError, IndexError, OverflowError):
                return label or inner
        if command.startswith("subteam^"):
            return label or "@" + command.split("^", 1)[1]
        return SPECIAL_MENTIONS.get(command, label or "@" + command)
    if label:
        return f"{label} ({target})"
    return target


def render_mrkdwn(text: str, viewer: Viewer) -> str:
    """Slack markup resolved for the viewer; *bold*, _italics_ and `code` are left as typed.

    Entities are unescaped last, so escaped user text (`&lt;!here&gt;`) shows as the text it was
    and is never mistaken for markup.
    """
    resolved = _MARKUP.sub(lambda match: _markup(match.group(1), viewer), text or "")
    return resolved.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_object(obj: Any, viewer: Viewer) -> str:
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return render_mrkdwn(text, viewer)
    # plain_text is shown as typed; Slack unescapes nothing else in it.
    return text


def _element(element: Any, viewer: Viewer) -> str:
    if not isinstance(element, Mapping):
        return ""
    kind = element.get("type")
    if kind == "button":
        return f"[ {_text_object(element.get('text'), viewer)} ]"
    if kind in ("mrkdwn", "plain_text"):
        return _text_object(element, viewer)
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    placeholder = _text_object(element.get("placeholder"), viewer)
    return f"[{kind}{': ' + placeholder if placeholder else ''} ▾]"


def _rich_text(block: Mapping[str, Any], viewer: Viewer) -> str:
    """Enough of rich_text for what people type: text, mentions, links, emoji."""
    pieces: list[str] = []

    def walk(items: Sequence[Any]) -> None:
        for item in items:
            if not isinstance(item, Mapping):
                continue
            kind = item.get("type")
            if kind == "text":
                pieces.append(str(item.get("text", "")))
            elif kind == "user":
                pieces.append("@" + viewer.users.get(str(item.get("user_id")), str(item.get("user_id"))))
            elif kind == "channel":
                pieces.append("#" + viewer.channels.get(str(item.get("channel_id")), str(item.get("channel_id"))))
            elif kind == "link":
                pieces.append(str(item.get("text") or item.get("url", "")))
            elif kind == "emoji":
                pieces.append(f":{item.get('name', '')}:")
            elif kind == "broadcast":
                pieces.append("@" + str(item.get("range", "")))
            elif "elements" in item:
                walk(item.get("elements") or [])
                if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
                    pieces.append("\n")

    walk(block.get("elements") or [])
    return "".join(pieces).rstrip("\n")


def render_block(block: Mapping[str, Any], viewer: Viewer) -> str:
    """One block as lines of text; unknown block types say what they are rather than vanish."""
    kind = block.get("type")
    if kind == "header":
        title = _text_object(block.get("text"), viewer)
        return f"{title}\n{'═' * min(len(title), 60)}"
    if kind == "section":
        lines = []
        if block.get("text"):
            lines.append(_text_object(block["text"], viewer))
        fields = [_text_object(f, viewer) for f in block.get("fields") or []]
        lines.extend(fields)
        if block.get("accessory"):
            lines.append(_element(block["accessory"], viewer))
        return "\n".join(line for line in lines if line)
    if kind == "context":
        return "  ".join(filter(None, (_element(e, viewer) for e in block.get("elements") or [])))
    if kind == "divider":
        return "─" * 20
    if kind == "actions":
        return "  ".join(filter(None, (_element(e, viewer) for e in block.get("elements") or [])))
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "rich_text":
        return _rich_text(block, viewer)
    return f"[{kind} block]"


def render_message(text: str, blocks: Sequence[Mapping[str, Any]] | None, viewer: Viewer) -> str:
    """A whole message: its blocks when it has any (that is what Slack shows), else its text."""
    if blocks:
        rendered = [render_block(block, viewer) for block in blocks if isinstance(block, Mapping)]
        body = "\n".join(part for part in rendered if part)
        if body:
            return body
    return render_mrkdwn(text, viewer)
