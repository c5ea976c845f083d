"""Which community a command acts on."""

from __future__ import annotations

from handlers.base import Request
from models.communities import Community, community_for_channel
from models.errors import BadArgument, NotFound
from models.people import Person, communities_of, require_lead


def community_here(request: Request) -> Community | None:
    return community_for_channel(request.session, team_id=request.team_id, channel_id=request.channel_id)


def target_community(request: Request) -> Community:
    """The community of this channel; elsewhere, the person's only community."""
    community = community_here(request)
    if community is not None:
        return community
    mine = communities_of(request.session, person=request.person())
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise NotFound("This channel is not a community, and you are not in one yet. In a community's "
                       "channel, `/cop join`; or turn a channel into one with `/cop setup <name>`.")
    names = ", ".join(c.name for c in mine)
    raise BadArgument(f"You are in several communities ({names}): type the command in that community's channel.")


def require_community_here(request: Request) -> Community:
    community = community_here(request)
    if community is None:
        raise NotFound("This channel is not a community. A lead can turn it into one with "
                       "`/cop setup <name>`.")
    return community


def led_community(request: Request, *, doing: str) -> tuple[Community, Person]:
    """The target community and the person, who must lead it (or be an overall lead) to do this."""
    community = target_community(request)
    person = request.person()
    require_lead(request.session, community=community, person=person,
                 admin_ids=request.services.settings.admin_ids, doing=doing)
    return community, person
