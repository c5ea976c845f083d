"""Slash commands: `/cop <subcommand> ...`."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot import messages
from handlers.base import Request, listener
from handlers.commands.community import handle_join, handle_leave, handle_setup
from handlers.commands.digest import handle_digest
from handlers.commands.meetings import handle_meeting
from handlers.commands.parse import normalise
from handlers.commands.preferences import (
    handle_dm_budget,
    handle_hours,
    handle_intro,
    handle_lurker,
    handle_nudges,
    handle_tips,
)
from handlers.commands.quiet import handle_quiet
from handlers.commands.tor import handle_tor
from models.errors import BadArgument

Subcommand = Callable[[Request, str], None]


def handle_help(request: Request, args: str) -> None:
    request.reply(messages.help_message(args.strip().lower() or None))


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": handle_help,
    "setup": handle_setup,
    "join": handle_join,
    "leave": handle_leave,
    "meeting": handle_meeting,
    "meetings": handle_meeting,
    "tor": handle_tor,
    "intro": handle_intro,
    "digest": handle_digest,
    "nudges": handle_nudges,
    "lurker": handle_lurker,
    "tips": handle_tips,
    "hours": handle_hours,
    "dm-budget": handle_dm_budget,
    "quiet": handle_quiet,
}


def handle_cop_command(request: Request) -> None:
    text = normalise(request.body.get("text", ""))
    word, _, rest = text.partition(" ")
    word = word.lower()
    if not word:
        handle_help(request, "")
        return
    subcommand = SUBCOMMANDS.get(word)
    if subcommand is None:
        raise BadArgument(f"I don't know `/cop {word[:30]}`.", usage="/cop help")
    subcommand(request, rest.strip())


def register(app: App) -> None:
    app.command("/cop")(listener(handle_cop_command))
