"""Which community a command acts on."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.base import Request
from handlers.channels import channel_in
from models.communities import Community, community_for_channel
from models.errors import BadArgument, NotFound
from models.people import Person, communities_of, require_lead

MAX_NAME = 80


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


def named_community(request: Request, words: str, *, command: str) -> Community:
    """The community named by `words` (its name or its channel's, in any case, or its channel as `#channel`);
    this channel's (or the person's only one) without words. `command` is named in the hint for two of a name."""
    words = " ".join(words.split())
    if not words:
        return target_community(request)
    channel_id = channel_in(words)
    if channel_id:
        found = community_for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
        if found is None:
            raise NotFound("That channel is not a community's channel.")
        return found
    name = request.plain(words).strip()  # as typed: Slack sends `R&D` as `R&amp;D`
    if len(name) > MAX_NAME:
        raise BadArgument(f"A community's name is at most {MAX_NAME} characters; that was {len(name)}.")
    wanted = name.lstrip("#").lower()
    matches = request.session.scalars(select(Community).where(
        Community.team_id == request.team_id,
        (func.lower(Community.name).in_([name.lower(), wanted])) | (func.lower(Community.channel_name) == wanted))
        .order_by(Community.id)).all()
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise BadArgument(f"More than one community is called “{words}”: name it by its channel, e.g. "
                          f"`/cop {command} #{matches[0].channel_name or 'channel'}`.")
    raise NotFound(f"There is no community called “{words}”. Name it as it was set up, or by its channel.")
