"""Block Kit builders by feature (meetings, standups, welcomes, digests, nudges, the Home tab, actions,
recognition, knowledge), beside the shared pieces in `bot.render` and `bot.messages`.

Shared rule: people are shown by name, never by mention, unless the product wants them told
(the receiver of kudos); every piece of user text goes through `escape`.
"""

from __future__ import annotations

from bot.render import escape
from models.people import Person


def name(person: Person | None, fallback: str = "nobody") -> str:
    """A person's name as text: it shows who, and pings nobody."""
    if person is None:
        return fallback
    return escape(person.display_name or "someone")


def tag_list(tags: list[str]) -> str:
    return " ".join(f"`#{escape(t)}`" for t in tags)
