"""Slash commands: `/cop <subcommand> ...` and `/kudos`, dispatched through one registry."""

from __future__ import annotations

from bot.blocks.help import help_message
from handlers.base import Request
from handlers.commands import (
    actions,
    community,
    datarights,
    digest,
    governance,
    growth,
    health,
    knowledge,
    maturity,
    meetings,
    newsletter,
    outbox,
    people,
    polls,
    preferences,
    programme,
    quiet,
    recognition,
    running,
    scorecard,
    standups,
    tor,
    wins,
)
from handlers.commands.parse import normalise
from handlers.commands.registry import Command, Registry, Topic
from handlers.routes import Routes


def handle_help(request: Request, args: str) -> None:
    request.reply(help_message(REGISTRY, args.strip().lower() or None))


HELP = Topic("help", about="Explains every command, with examples; `/cop help <topic>` explains one.", commands=(
    Command("help", handle_help, usage="[<topic>]", help="explains every command, with examples",
            examples=("/cop help", "/cop help meeting")),
))

# The order in which `/cop help` and the README list them.
REGISTRY = Registry((
    HELP,
    community.SETUP,
    community.JOIN,
    people.ROLE,
    Topic("meeting", aliases=("meetings",), about=meetings.ABOUT,
          commands=meetings.COMMANDS + running.MEETING_COMMANDS),
    running.AGENDA,
    running.DECISION,
    standups.STANDUP,
    standups.AWAY,
    actions.TOPIC,
    people.CAPACITY,
    recognition.KUDOS,
    recognition.STATS,
    recognition.LEADERBOARD,
    health.HEALTH,
    knowledge.KB,
    tor.TOR,
    governance.PLAN,
    governance.KPI,
    governance.BUDGET,
    growth.GROWTH,
    programme.PROGRAMME,
    wins.WINS,
    scorecard.SCORECARD,
    maturity.MATURITY,
    newsletter.NEWSLETTER,
    polls.POLL,
    preferences.INTRO,
    digest.DIGEST,
    preferences.NUDGES,
    quiet.QUIET,
    outbox.OUTBOX,
    datarights.DATA,
))


def handle_cop_command(request: Request) -> None:
    text = normalise(request.body.get("text", ""))
    if not text:
        handle_help(request, "")
        return
    REGISTRY.run(request, text)


def handle_kudos_command(request: Request) -> None:
    """`/kudos @user <reason>`: the shortcut for `/cop kudos`."""
    REGISTRY.run(request, "kudos " + normalise(request.body.get("text", "")))


def register(routes: Routes) -> None:
    routes.command("/cop", handle_cop_command)
    routes.command("/kudos", handle_kudos_command)
