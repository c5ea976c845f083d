"""`/cop growth`: members over time, active members and their contributions, newcomers, joins and leaves, with two
charts in the asker's DM: members, and contributions per month."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select

from bot.blocks import growth as blocks
from bot.files import share_chart
from bot.render import Message
from handlers.base import Request
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import community_here, named_community
from models.communities import Community
from models.errors import NotPermitted
from models.growth import MonthRow, growth, programme_growth, zone_of
from models.people import Person, is_overall_lead, require_member_or_overall_lead

logger = logging.getLogger(__name__)

PROGRAMME_WORDS = frozenset({"all", "programme", "program"})


def _share(request: Request, title: str, subject: str, rows: Sequence[MonthRow], summary: Message) -> None:
    """The charts to the asker's DM once the transaction commits (members, then contributions per month); if Slack
    refuses them, the reply says so. `subject` is what the contributions are of: a community's name, or the
    programme."""
    day, user_id, client = f"{request.now:%Y%m%d}", request.user_id, request.client
    charts = [(blocks.growth_chart(title, rows), f"copbot-growth-{day}", blocks.chart_comment(title)),
              (blocks.contributions_chart(subject, rows), f"copbot-contributions-{day}",
               blocks.contributions_comment(subject))]

    def share() -> None:
        try:
            for chart, filename, comment in charts:
                share_chart(client, chart=chart, filename=filename, comment=comment, user_id=user_id)
        except Exception as error:
            logger.warning("could not share a growth chart (%s)", type(error).__name__)
            request.replies[:] = [blocks.chart_failed(summary)]

    request.after_commit(share)


def _programme(request: Request, person: Person) -> None:
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted("Only an overall lead sees the whole programme's growth; `/cop growth` in a community's "
                           "channel shows that community's.")
    zone = zone_of(person.tz).key
    rows = programme_growth(request.session, community_ids=None, now=request.now, zone=zone)
    by_community = growth(request.session, community_ids=None, now=request.now)
    names = {cid: name for cid, name in request.session.execute(select(Community.id, Community.name))}
    ends: dict[int, list[int]] = {}
    for row in by_community:
        ends.setdefault(row.community_id, []).append(row.members)
    grown = [blocks.Grown(names[cid], members[0], members[-1]) for cid, members in ends.items() if cid in names]
    title = f"Growth of the programme ({len(names)} {'community' if len(names) == 1 else 'communities'})"
    summary = blocks.growth_message(title, rows, zone=zone, grown=grown, programme=True)
    request.reply(summary)
    _share(request, title, "the programme", rows, summary)


def handle_growth(request: Request, args: str) -> None:
    words = " ".join(args.split())
    person = request.person()
    if words.lower() in PROGRAMME_WORDS or (not words and community_here(request) is None
                                            and is_overall_lead(person, request.services.settings.admin_ids)):
        _programme(request, person)
        return
    community = named_community(request, words, command="growth")
    require_member_or_overall_lead(request.session, community=community, person=person,
                                   admin_ids=request.services.settings.admin_ids)
    rows = growth(request.session, community_ids=[community.id], now=request.now)
    title = f"Growth of {community.name}"
    summary = blocks.growth_message(title, rows, zone=community.timezone)
    request.reply(summary)
    _share(request, title, community.name, rows, summary)


GROWTH = Topic("growth", about=(
    "How a community grew over the last 12 months, month by month, in its own time zone: members at each month's "
    "end, active members (who contributed themselves that month) and their contributions (every act of their own), "
    "newcomers (members for the first time, not the founders who were in the channel when it was set up), joins and "
    "leaves. Open to the community's members; the figures come as a summary, and as two charts in your DM: members, "
    "and contributions per month. `/cop growth all` (or `/cop growth` outside a community's channel) is the whole "
    "programme, for overall leads, in their own time zone: people counted once however many communities they are "
    "in, with the communities that grew most."), commands=(
    Command("growth", handle_growth, usage="[<community> | all]",
            help="members over time, active members, contributions, newcomers, joined and left per month, with "
                 "charts in your DM; `all`: the whole programme (overall leads)",
            examples=("/cop growth", "/cop growth DevOps CoP", "/cop growth all")),
))
