"""`/cop scorecard [quarter | year]`: the lead's results on one page, with a chart of the KPIs by DM."""

from __future__ import annotations

import logging

from bot.blocks import scorecard as blocks
from bot.blocks.preferences import switched
from bot.files import share_chart
from handlers.base import Request
from handlers.commands.parse import on_or_off
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community
from models.attention import set_wanted
from models.governance.scorecard import parse_period, scorecard_of

logger = logging.getLogger(__name__)


def handle_scorecard(request: Request, args: str) -> None:
    """Read in this transaction; the chart is drawn and shared to the asker's DM once it commits."""
    community, _ = led_community(request, doing="see its scorecard")
    period = parse_period(args, community=community, now=request.now)
    card = scorecard_of(request.session, community=community, period=period, now=request.now)
    chart = blocks.kpi_chart(card)
    request.reply(blocks.scorecard_message(card, chart_coming=chart is not None))
    if chart is None:
        return
    user_id, comment = request.user_id, blocks.chart_comment(card)
    filename = f"scorecard-{community.id}-{period.key}"

    def share() -> None:
        try:
            share_chart(request.client, chart=chart, filename=filename, comment=comment, user_id=user_id)
        except Exception as error:  # the scorecard itself was answered; only the picture is missing
            logger.warning("could not share a scorecard chart (%s)", type(error).__name__)

    request.after_commit(share)


def handle_scorecard_dms(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "scorecards", on)
    request.reply(switched("scorecards", on))


SCORECARD = Topic("scorecard", aliases=("scorecards",), about=(
    "The lead's results on one page: the year's plan (objectives done, open and dropped, and the progress of each), "
    "the KPIs with their targets, values and whether they are on track for the period's end, the budget (allocated, "
    "approved, spent, remaining, and spent in the quarter) and the community's health. KPIs, plan and budget are "
    "yearly: a quarter shows them as they stood when it ended (or now, for the quarter under way). A bar chart of "
    "each KPI's value against the share of its target due comes by DM. Periods follow the community's time zone. "
    "In the first days of each quarter every lead is sent the scorecard of the quarter just ended, with the chart, "
    "as an unasked-for DM (it counts against `/cop dm-budget` and waits while you are away)."), commands=(
    Command("scorecard", handle_scorecard, usage="[quarter | year | q<1-4> [<year>] | <year>]", who=Who.LEADS,
            help="plan, KPIs, budget and health of this quarter (or the year, or another period), with a chart of "
                 "the KPIs by DM",
            examples=("/cop scorecard", "/cop scorecard year", "/cop scorecard q3 2026")),
    Command("scorecard dms", handle_scorecard_dms, usage="on|off",
            help="whether the quarter's scorecard of a community you lead reaches you by DM when the quarter ends",
            examples=("/cop scorecard dms off",)),
))
