"""`/cop kudos` (and `/kudos`), `/cop stats`, `/cop leaderboard`."""

from __future__ import annotations

from bot.blocks import recognition as blocks
from handlers.base import Request
from handlers.commands.parse import normalise, take_mentions, user_id_of
from handlers.commands.programme import LEADERBOARD_YEAR
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import target_community
from handlers.mentions import note_mentions
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted
from models.health.league import league
from models.links import link_to
from models.mentions import MentionSource
from models.people import Person, communities_of, is_community_lead, is_overall_lead
from models.recognition.kudos import give_kudos, kudos_received
from models.recognition.standing import PERIODS, portfolio, top_contributors


def handle_kudos(request: Request, args: str) -> None:
    word, _, reason = normalise(args).partition(" ")
    receiver_id = user_id_of(word)
    if receiver_id is None:
        raise BadArgument("Start with who the kudos are for, e.g. `/kudos @dana for the runbook`.")
    if receiver_id in (request.bot_user_id, "USLACKBOT"):
        raise BadArgument("Bots don't need kudos; thank the person behind the bot.")
    community = target_community(request)
    kudos, remaining = give_kudos(request.session, community=community, giver=request.person(),
                                  receiver=request.person(receiver_id), reason=request.plain(reason), now=request.now)
    note_mentions(request, args, community_id=community.id, source=MentionSource.KUDOS, record_id=kudos.id,
                  by=kudos.giver, text=kudos.reason)
    announcement = blocks.kudos_announcement(kudos)
    enqueue(request.session, key=f"kudos:{kudos.id}:announced", team_id=community.team_id,
            channel=community.channel_id, text=announcement.text, blocks=announcement.blocks, kind="kudos",
            community_id=community.id, now=request.now, link_to=link_to("kudos", kudos.id))
    request.reply(blocks.kudos_reply(kudos, remaining))


def handle_stats(request: Request, args: str) -> None:
    people, rest = take_mentions(args)
    if rest or len(people) > 1:
        raise BadArgument("Name one person at most, e.g. `/cop stats @dana`.")
    viewer = request.person()
    subject = request.person(people[0]) if people else viewer
    if subject.is_bot:
        raise BadArgument("Bots have no contributions to show.")
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
        raise BadArgument(f"I can't rank by “{word[:20]}”.")
    days = PERIODS[period]
    table = league(request.session, now=request.now, days=days)
    top = top_contributors(request.session, team_id=request.team_id, now=request.now, days=days)
    for person, _ in top:
        request.person(person.user_id)  # names for people enrolled before copbot first met them
    request.reply(blocks.leaderboard(period, table, top))


KUDOS = Topic("kudos", about=(
    "Thanks someone in public, in the community's channel, with the reason. Five a day each (your day, in your "
    "time zone); not for yourself, and not for bots. Kudos count for both of you. `/kudos @user <what for>` is "
    "the same."), commands=(
    Command("kudos", handle_kudos, usage="@user <what for>",
            help="thank someone in the channel, with the reason (`/kudos @user <what for>` too); five a day each, not "
                 "for yourself or bots", examples=("/kudos @chandra for halving the CI bill",)),
))
STATS = Topic("stats", about=(
    "A person's contributions by kind and month, in every community, with the kudos they received: a portfolio "
    "for review time. Whoever opted out of the leaderboard is shown only to themselves and their leads."),
    commands=(
    Command("stats", handle_stats, usage="[@user]",
            help="a person's contributions by kind and month, across communities, with the kudos they received",
            examples=("/cop stats", "/cop stats @dana")),
))
LEADERBOARD = Topic("leaderboard", about=(
    "Ranks the communities by the health index (`/cop health` shows its published weights and components) and "
    "names the top contributors of the period, without pinging anyone. Opt out to stay off it. `/cop leaderboard "
    "year` publishes the year's top communities in the channel, with the criteria: the average of each community's "
    "weekly health snapshots over the year (at least four of them), ties broken by KPIs on track, then by meetings "
    "held. It names communities only, never a person."), commands=(
    Command("leaderboard", handle_leaderboard, usage="[week | month | quarter] | opt-out | opt-in",
            help="communities ranked by the health index, with its weights, and the period's top contributors, "
                 "named without pinging; opt out to stay off it",
            examples=("/cop leaderboard", "/cop leaderboard quarter")),
    LEADERBOARD_YEAR,
))
