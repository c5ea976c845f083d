"""`/cop programme` (and `/cop program`): every community at a glance for overall leads, with two charts in their
DM; `/cop leaderboard year [<year>]`: the year's top-performing communities, published in the channel."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.blocks import programme as blocks
from bot.files import share_chart
from bot.render import Message, error_message, notice, section
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from models.errors import BadArgument, NotPermitted
from models.growth import programme_growth, zone_of
from models.health.formula import formula_text
from models.people import is_overall_lead
from models.programme import CRITERIA, FALLING, parse_league_year, programme, year_league

logger = logging.getLogger(__name__)

NOT_POSTED = {
    "not_in_channel": "I'm not in this channel, so I can't post the ranking here: `/invite @copbot` first, or type it "
                      "in a community's channel.",
    "channel_not_found": "I can't see this channel, so I can't post the ranking here: `/invite @copbot` first.",
    "is_archived": "This channel is archived: type it in a live channel.",
}


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
    """A publication: posted for everyone in the channel where it was typed, once the request commits."""
    person = request.person()
    year = parse_league_year(args, this_year=request.now.astimezone(zone_of(person.tz)).year)
    message = blocks.year_message(year_league(request.session, year=year, now=request.now))
    channel, client = request.channel_id, request.client
    if not channel:
        raise BadArgument("Type `/cop leaderboard year` in the channel where the ranking should be posted.")
    request.reply(notice(f"The top communities of {year} are posted here for everyone, with the criteria."))

    def post() -> None:
        try:
            client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            logger.info("could not post the year's ranking (%s)", code)
            said = NOT_POSTED.get(code, f"Slack would not let me post here ({code[:40]}).")
            request.replies[:] = [error_message(said, LEADERBOARD_YEAR.line)]

    request.after_commit(post)


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
