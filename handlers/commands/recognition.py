"""`/cop kudos` (and `/kudos`), `/cop stats`, `/cop leaderboard`."""

from __future__ import annotations

from bot.blocks import recognition as blocks
from handlers.base import Request
from handlers.commands.parse import normalise, take_mentions, user_id_of
from handlers.commands.resolve import target_community
from handlers.mentions import note_mentions
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted, UserFacingError
from models.links import link_to
from models.mentions import MentionSource
from models.people import Person, communities_of, is_community_lead, is_overall_lead
from models.recognition.kudos import give_kudos, kudos_received
from models.recognition.standing import PERIODS, league, portfolio, top_contributors

KUDOS_USAGE = "/kudos @user <what for>   (or /cop kudos @user <what for>)"
STATS_USAGE = "/cop stats [@user]"
LEADERBOARD_USAGE = "/cop leaderboard [week | month | quarter] | opt-out | opt-in"


def handle_kudos(request: Request, args: str) -> None:
    word, _, reason = normalise(args).partition(" ")
    receiver_id = user_id_of(word)
    if receiver_id is None:
        raise BadArgument("Start with who the kudos are for, e.g. `/kudos @dana for the runbook`.", usage=KUDOS_USAGE)
    if receiver_id in (request.bot_user_id, "USLACKBOT"):
        raise BadArgument("Bots don't need kudos; thank the person behind the bot.", usage=KUDOS_USAGE)
    community = target_community(request)
    try:
        kudos, remaining = give_kudos(request.session, community=community, giver=request.person(),
                                      receiver=request.person(receiver_id), reason=request.plain(reason),
                                      now=request.now)
    except UserFacingError as error:
        error.usage = error.usage or KUDOS_USAGE
        raise
    note_mentions(request, args, community_id=community.id, source=MentionSource.KUDOS, record_id=kudos.id,
                  by=kudos.giver, text=kudos.reason)
    announcement = blocks.kudos_announcement(kudos)
    enqueue(request.session, key=f"kudos:{kudos.id}:announced", team_id=community.team_id,
            channel=community.channel_id, text=announcement.text, blocks=announcement.blocks, kind="kudos",
            community_id=community.id, now=request.now, link_to=link_to("kudos", kudos.id))
    request.reply(blocks.kudos_reply(kudos, remaining))


def handle_kudos_command(request: Request) -> None:
    """`/kudos @user <reason>`: the shortcut for `/cop kudos`."""
    handle_kudos(request, request.body.get("text", ""))


def handle_stats(request: Request, args: str) -> None:
    people, rest = take_mentions(args)
    if rest or len(people) > 1:
        raise BadArgument("Name one person at most, e.g. `/cop stats @dana`.", usage=STATS_USAGE)
    viewer = request.person()
    subject = request.person(people[0]) if people else viewer
    if subject.is_bot:
        raise BadArgument("Bots have no contributions to show.", usage=STATS_USAGE)
    if subject.leaderboard_opt_out and subject.id != viewer.id and not _leads(request, viewer, subject):
        raise NotPermitted(f"{subject.display_name} keeps their contributions to themselves and their leads.")
    request.reply(blocks.portfolio_message(portfolio(request.session, person=subject, now=request.now),
                                           kudos_received(request.session, person=subject)))


def _leads(request: Request, viewer: Person, subject: Person) -> bool:
    """Whether the viewer leads a community the subject belongs to (or all of them)."""
    admins = request.services.settings.admin_ids
    return is_overall_lead(viewer, admins) or any(
        is_community_lead(request.session, community=c, person=viewer, admin_ids=admins)
        for c in communities_of(request.session, person=subject))


def handle_leaderboard(request: Request, args: str) -> None:
    word = args.strip().lower()
    if word in ("opt-out", "optout", "opt-in", "optin"):
        person = request.person()
        person.leaderboard_opt_out = word.endswith("out")
        request.reply(blocks.opt_reply(opted_out=person.leaderboard_opt_out))
        return
    period = word or "month"
    if period not in PERIODS:
        raise BadArgument(f"I can't rank by “{word[:20]}”.", usage=LEADERBOARD_USAGE)
    days = PERIODS[period]
    table = league(request.session, team_id=request.team_id, now=request.now, days=days)
    top = top_contributors(request.session, team_id=request.team_id, now=request.now, days=days)
    for person, _ in top:
        request.person(person.user_id)  # names for people enrolled before copbot first met them
    request.reply(blocks.leaderboard(period, table, top))
