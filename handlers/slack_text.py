"""Text as Slack delivers it (escaped, with `<@U1>` mentions and `<url|label>` links), read as people typed it."""

from __future__ import annotations

import re
from collections.abc import Callable

_ANGLED = re.compile(r"<([^<>]*)>")
# A user id is at most 20 characters (as copbot stores it); anything longer was not written by Slack.
USER_ID = r"[UW][A-Z0-9]{1,19}"
_USER = re.compile(rf"<@({USER_ID})(?:\|[^>]*)?>")


def mentioned_users(text: str) -> list[str]:
    """User ids mentioned in Slack-formatted text, in order, each once."""
    return list(dict.fromkeys(_USER.findall(text or "")))


def without_mentions(text: str) -> str:
    return " ".join(_USER.sub(" ", text or "").split())


def to_plain(text: str, name_of: Callable[[str], str] = lambda user_id: user_id, *, urls: bool = True) -> str:
    """What the person typed, for storing: `@name` for mentions, `label (url)` for links (the label alone
    when `urls` is off, for a caller that keeps the link apart), `<` for `&lt;`.

    Stored text is escaped again wherever it is shown, so nothing here can turn into a mention.
    """

    def readable(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (label or name_of(target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@team"
        if target.startswith("!date^"):
            return label
        if target.startswith("!"):
            return "@" + target[1:]
        if not urls:
            return label or target
        return f"{label} ({target})" if label and label != target else target

    plain = _ANGLED.sub(readable, text or "")
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
