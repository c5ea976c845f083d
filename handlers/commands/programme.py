"""`/cop programme` (and `/cop program`): every community at a glance for overall leads, with two charts in their
DM; `/cop leaderboard year [<year>]`: the year's top-performing communities, published in the channel."""

from __future__ import annotations

import logging

from bot.blocks import programme as blocks
from bot.files import share_chart
from bot.render import Message, notice, section
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted
from models.growth import programme_growth, zone_of
from models.health.formula import formula_text
from models.people import is_overall_lead
from models.programme import CRITERIA, FALLING, parse_league_year, programme, year_league

logger = logging.getLogger(__name__)


def handle_programme(request: Request, args: str) -> None:
    person = request.person()
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted("Only an overall lead sees the programme view. `/cop health` and `/cop growth` show a "
                           "community you are in.")
    if args.strip():
        raise BadArgument("`/cop programme` takes nothing after it: it shows every community.")
    found = programme(request.session, now=request.now)
    zone = zone_of(person.tz).key
    months = programme_growth(request.session, community_ids=[v.community.id for v in found.views], now=request.now,
                              zone=zone)
    summary = blocks.programme_message(found)
    request.reply(summary)
    charts = [(blocks.health_chart(found), "programme-health", "Health per community, as you asked."),
              (blocks.members_chart(months), "programme-members",
               f"Members and active members of the programme, month by month in {zone}.")]
    user_id, client, day = request.user_id, request.client, f"{request.now:%Y%m%d}"

    def share() -> None:
        try:
            for chart, stem, comment in charts:
                share_chart(client, chart=chart, filename=f"copbot-{stem}-{day}", comment=comment, user_id=user_id)
        except Exception as error:
            logger.warning("could not share a programme chart (%s)", type(error).__name__)
            request.replies[:] = [Message.of(summary.text, [*summary.blocks, section(
                ":warning: I couldn't send the charts to our DM just now (Slack refused them); the figures are "
                "above.")])]

    request.after_commit(share)


def handle_leaderboard_year(request: Request, args: str) -> None:
    """A publication: posted in the channel where it was typed, through the outbox."""
    person = request.person()
    year = parse_league_year(args, this_year=request.now.astimezone(zone_of(person.tz)).year)
    message = blocks.year_message(year_league(request.session, year=year, now=request.now))
    channel = request.channel_id
    if not channel:
        raise BadArgument("Type `/cop leaderboard year` in the channel where the ranking should be posted.")
    enqueue(request.session, key=f"leaderboard-year:{year}:{channel}:{request.user_id}:{request.now.timestamp()}",
            team_id=request.team_id, channel=channel, text=message.text, blocks=message.blocks, kind="leaderboard",
            now=request.now)
    request.reply(notice(f"The top communities of {year} are posted here for everyone, with the criteria."))


PROGRAMME = Topic("programme", aliases=("program",), about=(
    "For overall leads: every community at a glance, privately. Each shows its health and its change since four "
    f"weeks ago ({formula_text()}), members and active members with the change over three months and last month's "
    "newcomers, KPIs on track of those with a target, meetings kept of those planned in the last 8 weeks, budget "
    "spent of approved and allocated, and any fading warning with its evidence. Communities needing attention "
    f"(fading, or health down {FALLING} points or more in four weeks) come first, then the rest by health. Two "
    "charts follow in your DM: health per community, and the programme's members and active members over 12 "
    "months. The Home tab shows overall leads the same essentials."), commands=(
    Command("programme", handle_programme, who=Who.OVERALL_LEADS, aliases=("program",),
            help="every community's health and trend, members and growth, KPIs on track, meetings kept, budget used "
                 "and fading warnings, those needing attention first; charts in your DM",
            examples=("/cop programme", "/cop program")),
))

LEADERBOARD_YEAR = Command(
    "leaderboard year", handle_leaderboard_year, usage="[<year>]",
    help="posts the year's top communities in the channel where typed. " + CRITERIA + " No person is named",
    examples=("/cop leaderboard year", "/cop leaderboard year 2026"))
