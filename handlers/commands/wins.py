"""`/cop wins`: the wins a community's records hold, the announcements channel they go to, and holding one back."""

from __future__ import annotations

from bot.blocks import wins as blocks
from handlers.base import Request
from handlers.channels import make_usable, require_channel
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import community_here, led_community, target_community
from models.errors import BadArgument, NotPermitted
from models.governance import parse_number
from models.people import is_community_lead, is_overall_lead, require_member_or_overall_lead
from models.wins import channel_of, collect_wins, hold, list_wins, queued_counts, release, set_channel
from models.wins.weekly import names_for


def handle_wins_show(request: Request, args: str) -> None:
    if args.strip():
        raise BadArgument("`/cop wins` takes nothing after it: `/cop wins hold <n>` and `/cop wins release <n>` "
                          "act on a win, `/cop wins channel #channel` chooses where they go.")
    person = request.person()
    admin_ids = request.services.settings.admin_ids
    channel = channel_of(request.session, team_id=request.team_id)
    if community_here(request) is None and is_overall_lead(person, admin_ids):
        request.reply(blocks.wins_overview(channel, queued_counts(request.session, team_id=request.team_id)))
        return
    community = target_community(request)
    require_member_or_overall_lead(request.session, community=community, person=person, admin_ids=admin_ids)
    # The weekly job scans hourly; scanning here too lists a win the moment it happened.
    collect_wins(request.session, now=request.now, community_ids=[community.id])
    wins = list_wins(request.session, community=community, now=request.now)
    names = names_for(request.session, wins=wins)
    lead = is_community_lead(request.session, community=community, person=person, admin_ids=admin_ids)
    request.reply(blocks.wins_list(community, wins, names, channel, lead=lead))


def handle_wins_channel(request: Request, args: str) -> None:
    person = request.person()
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted("Only an overall CoP lead can choose where wins are told.")
    channel_id = require_channel(args, example="/cop wins channel #announcements")
    make_usable(request.client, channel_id)  # a channel copbot cannot post to is refused now, not on Friday
    chosen = set_channel(request.session, team_id=request.team_id, channel_id=channel_id, by=person, now=request.now)
    request.reply(blocks.channel_set_reply(chosen))


def _hold_or_release(request: Request, args: str, *, held: bool) -> None:
    number = parse_number(args, what="win")
    community, person = led_community(request, doing="hold back or release its wins")
    if held:
        win = hold(request.session, community=community, number=number, by=person, now=request.now)
    else:
        win = release(request.session, community=community, number=number)
    names = names_for(request.session, wins=[win])
    request.reply(blocks.held_reply(win, names, held=held))


def handle_wins_hold(request: Request, args: str) -> None:
    _hold_or_release(request, args, held=True)


def handle_wins_release(request: Request, args: str) -> None:
    _hold_or_release(request, args, held=False)


WINS = Topic("wins", aliases=("win",), about=(
    "Wins told beyond the channel: objectives done, Terms of Reference ratified, KPIs reaching their target for the "
    "year and a summary of the month's kudos are recorded as they happen and gathered into one post a week, on "
    "Friday afternoon, in the announcements channel an overall lead chose, grouped by community. People are named, "
    "never mentioned. A community's leads see its wins by number with `/cop wins` and can hold one back."), commands=(
    Command("wins", handle_wins_show,
            help="the community's wins by number, queued, held or posted, and where they go",
            examples=("/cop wins",)),
    Command("wins channel", handle_wins_channel, usage="#<channel>", who=Who.OVERALL_LEADS,
            help="choose the announcements channel the weekly post of wins goes to",
            examples=("/cop wins channel #announcements",)),
    Command("wins hold", handle_wins_hold, usage="<n>", who=Who.LEADS,
            help="keep win <n> out of the weekly post until it is released", examples=("/cop wins hold 3",)),
    Command("wins release", handle_wins_release, usage="<n>", who=Who.LEADS,
            help="let a held win go out in the next weekly post", examples=("/cop wins release 3",)),
))
