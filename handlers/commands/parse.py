"""Splitting what a person typed after `/cop` into words, the way they meant it."""

from __future__ import annotations

import re
import shlex

from handlers.slack_text import USER_ID, mentioned_users, without_mentions
from models.errors import BadArgument

# Slack clients often turn straight quotes into typographic ones as people type.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
USER_MENTION = re.compile(rf"^<@({USER_ID})(?:\|[^>]*)?>$")


def normalise(text: str) -> str:
    return (text or "").translate(_QUOTES).strip()


def split_words(text: str) -> list[str]:
    """Words, keeping "quoted phrases" together; an unclosed quote is a specific error."""
    lexer = shlex.shlex(normalise(text), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    # Apostrophes in ordinary words (don't) must not open a quotation.
    lexer.quotes = '"'
    try:
        return list(lexer)
    except ValueError:
        raise BadArgument("A quotation mark is not closed.") from None


def take_quoted(text: str, *, what: str, example: str = "Monthly sync") -> tuple[str, str]:
    """Split `"a title" rest of line` into the title and the rest."""
    text = normalise(text)
    match = re.match(r'^"([^"]*)"\s*(.*)$', text, flags=re.S)
    if not match:
        raise BadArgument(f'Put the {what} in double quotes, e.g. "{example}".')
    return match.group(1).strip(), match.group(2).strip()


def user_id_of(word: str) -> str | None:
    """The user id in a Slack mention as a slash command delivers it (`<@U123|name>`)."""
    match = USER_MENTION.match(word)
    return match.group(1) if match else None


def on_or_off(text: str) -> bool:
    """`on` (or yes) -> True, `off` (or no) -> False; anything else is the person's mistake."""
    choice = text.strip().lower()
    if choice in ("on", "yes", "true"):
        return True
    if choice in ("off", "no", "false"):
        return False
    raise BadArgument("Say `on` or `off`.")
# A hashtag as typed (`#terraform`), or as Slack sends it when a channel has that name (`<#C123|terraform>`).
_HASHTAG = re.compile(r"(?<!\S)(?:#([A-Za-z0-9][\w+.-]*)|<#[CG][A-Z0-9]+\|([^>]+)>)")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def take_hashtags(text: str) -> tuple[list[str], str]:
    """Pull `#tags` out of text; returns the tags as typed and the text without them."""
    tags = [a or b for a, b in _HASHTAG.findall(text)]
    return tags, " ".join(_HASHTAG.sub(" ", text).split())


def take_mentions(text: str) -> tuple[list[str], str]:
    """Pull user mentions out of text; returns their user ids (each once) and the text without them."""
    return mentioned_users(text), without_mentions(text)


def first_link(text: str) -> str | None:
    match = _LINK.search(text)
    # Slack escapes a link's `&` as it does the text's: the address is kept as it was typed.
    return match.group(1).replace("&amp;", "&") if match else None
