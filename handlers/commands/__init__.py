"""Slash commands: `/cop <subcommand> ...`."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot import messages
from handlers.base import Request, listener
from handlers.commands.actions import handle_action
from handlers.commands.community import handle_join, handle_leave, handle_setup
from handlers.commands.knowledge import handle_kb
from handlers.commands.meetings import handle_meeting
from handlers.commands.parse import normalise
from handlers.commands.people import handle_capacity, handle_expertise, handle_role
from handlers.commands.recognition import handle_kudos, handle_kudos_command, handle_leaderboard, handle_stats
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
    "role": handle_role,
    "roles": handle_role,
    "action": handle_action,
    "actions": handle_action,
    "capacity": handle_capacity,
    "expertise": handle_expertise,
    "kudos": handle_kudos,
    "stats": handle_stats,
    "leaderboard": handle_leaderboard,
    "kb": handle_kb,
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
    app.command("/kudos")(listener(handle_kudos_command))
