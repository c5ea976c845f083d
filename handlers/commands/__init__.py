"""Slash commands: `/cop <subcommand> ...`."""

from __future__ import annotations

from collections.abc import Callable

from bot import messages
from handlers.base import Request
from handlers.commands import meetings, running, standups
from handlers.commands.actions import handle_action
from handlers.commands.community import handle_join, handle_leave, handle_setup
from handlers.commands.digest import handle_digest
from handlers.commands.knowledge import handle_kb
from handlers.commands.outbox import handle_outbox
from handlers.commands.parse import normalise
from handlers.commands.people import handle_capacity, handle_expertise, handle_role
from handlers.commands.preferences import (
    handle_dm_budget,
    handle_hours,
    handle_intro,
    handle_lurker,
    handle_nudges,
    handle_tips,
)
from handlers.commands.quiet import handle_quiet
from handlers.commands.recognition import handle_kudos, handle_kudos_command, handle_leaderboard, handle_stats
from handlers.commands.tor import handle_tor
from handlers.routes import Routes
from models.errors import BadArgument, NotPermitted, UserFacingError

Subcommand = Callable[[Request, str], None]


def handle_help(request: Request, args: str) -> None:
    request.reply(messages.help_message(args.strip().lower() or None))


# Each subcommand with the usage shown when what was typed cannot be done.
MEETING_SUBCOMMANDS: dict[str, tuple[Subcommand, str]] = {
    "schedule": (meetings.handle_meeting_schedule, meetings.SCHEDULE_USAGE),
    "edit": (meetings.handle_meeting_edit, meetings.EDIT_USAGE),
    "list": (meetings.handle_meeting_list, meetings.MEETING_USAGE),
    "": (meetings.handle_meeting_list, meetings.MEETING_USAGE),
    "cancel": (meetings.handle_meeting_cancel, meetings.CANCEL_USAGE),
    "reschedule": (meetings.handle_meeting_reschedule, meetings.RESCHEDULE_USAGE),
    "move": (meetings.handle_meeting_reschedule, meetings.RESCHEDULE_USAGE),
    "rsvp": (meetings.handle_meeting_rsvp, meetings.RSVP_USAGE),
    "dms": (meetings.handle_meeting_dms, meetings.DMS_USAGE),
    "reminders": (meetings.handle_meeting_reminders, meetings.REMINDERS_USAGE),
    "start": (running.handle_meeting_start, running.START_USAGE),
    "end": (running.handle_meeting_end, running.END_USAGE),
    "minutes": (running.handle_meeting_minutes, running.MINUTES_USAGE),
}


def with_usage(subcommand: Subcommand, usage: str) -> Subcommand:
    """Errors that do not say how to type the command get this subcommand's usage line."""

    def run(request: Request, args: str) -> None:
        try:
            subcommand(request, args)
        except UserFacingError as error:
            if error.usage is None and not isinstance(error, NotPermitted):
                error.usage = usage
            raise

    return run


def handle_meeting(request: Request, args: str) -> None:
    sub, _, rest = args.strip().partition(" ")
    found = MEETING_SUBCOMMANDS.get(sub.lower())
    if found is None:
        raise BadArgument(f"I don't know `/cop meeting {sub.lower()[:30]}`.", usage=meetings.MEETING_USAGE)
    with_usage(*found)(request, rest.strip())


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
    "agenda": with_usage(running.handle_agenda, running.AGENDA_USAGE),
    "decision": with_usage(running.handle_decision, running.DECISION_USAGE),
    "standup": with_usage(standups.handle_standup, standups.STANDUP_USAGE),
    "standups": with_usage(standups.handle_standup, standups.STANDUP_USAGE),
    "away": with_usage(standups.handle_away, standups.AWAY_USAGE),
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
    "outbox": handle_outbox,
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
        # No usage line: it would only say `/cop help` a second time.
        raise BadArgument(f"I don't know `/cop {word[:30]}`: it is not a command. `/cop help` lists every command.")
    subcommand(request, rest.strip())


def register(routes: Routes) -> None:
    routes.command("/cop", handle_cop_command)
    routes.command("/kudos", handle_kudos_command)
