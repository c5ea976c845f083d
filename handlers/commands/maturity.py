"""`/cop maturity [start [<days>] | results | dms on|off]`: the community's maturity self-assessment."""

from __future__ import annotations

from bot.blocks import maturity as blocks
from bot.blocks.preferences import switched
from handlers.base import Request
from handlers.commands.parse import on_or_off
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community, target_community
from models.attention import set_wanted
from models.communities import Community
from models.deliveries import enqueue
from models.errors import BadArgument
from models.maturity import DIMENSIONS, MIN_ANSWERS, STAGES, answered_so_far, history, open_assessment, open_days, start
from models.people import require_member_or_overall_lead


def _readable(request: Request) -> Community:
    """Its members (and overall leads) see a community's maturity."""
    community = target_community(request)
    require_member_or_overall_lead(request.session, community=community, person=request.person(),
                                   admin_ids=request.services.settings.admin_ids)
    return community


def _status(request: Request, *, with_results: bool) -> None:
    community = _readable(request)
    current = open_assessment(request.session, community=community)
    answered = answered_so_far(request.session, assessment=current) if current is not None else 0
    request.reply(blocks.status_message(community, current, answered, history(request.session, community=community),
                                        with_results=with_results))


def handle_maturity(request: Request, args: str) -> None:
    if args.strip():
        raise BadArgument(f"I don't know `/cop maturity {args.strip()[:30]}`.")
    _status(request, with_results=False)


def handle_maturity_results(request: Request, args: str) -> None:
    if args.strip():
        raise BadArgument("`/cop maturity results` takes nothing after it.")
    _status(request, with_results=True)


def handle_maturity_start(request: Request, args: str) -> None:
    days = open_days(args)
    community, person = led_community(request, doing="open a maturity self-assessment")
    assessment = start(request.session, community=community, by=person, days=days, now=request.now)
    message = blocks.assessment_message(community, assessment, answered=0, now=request.now)
    enqueue(request.session, key=blocks.assessment_key(assessment.id), team_id=community.team_id,
            channel=community.channel_id, text=message.text, blocks=message.blocks, kind="maturity",
            community_id=community.id, now=request.now)
    request.reply(blocks.started_reply(assessment))


def handle_maturity_dms(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "maturity", on)
    request.reply(switched("maturity", on))


MATURITY = Topic("maturity", aliases=("assessment",), about=(
    f"A self-assessment of how far along the community is: {len(STAGES)} stages ("
    + ", ".join(stage.lower() for stage in STAGES) + ") across " + str(len(DIMENSIONS)) + " dimensions ("
    + ", ".join(d.name.lower() for d in DIMENSIONS) + "), each stage described in the form. A lead opens one; "
    "every member answers once in a form from the channel message, and can change their answers until it closes. "
    f"Answers are anonymous: results are only counts per dimension (the median stage and how many chose each), "
    f"shown once it closes and only if at least {MIN_ANSWERS} members answered; no one's answers are ever shown, "
    "kept past closing, or exported. Each assessment is kept so the trend shows, and the weakest dimension comes "
    "with practices to try next. Leads are reminded when none was run for six months."), commands=(
    Command("maturity", handle_maturity,
            help="the state: how many have answered an open assessment and when it closes, or the last results",
            examples=("/cop maturity",)),
    Command("maturity start", handle_maturity_start, usage="[<days>]", who=Who.LEADS,
            help="open a self-assessment in the channel for <days> (14 unless said, at most 60); one at a time",
            examples=("/cop maturity start", "/cop maturity start 10")),
    Command("maturity results", handle_maturity_results,
            help="the last results per dimension, the trend across assessments, and practices for the weakest",
            examples=("/cop maturity results",)),
    Command("maturity dms", handle_maturity_dms, usage="on|off",
            help="as a lead, whether the twice-yearly reminder to run an assessment reaches you",
            examples=("/cop maturity dms off",)),
))
