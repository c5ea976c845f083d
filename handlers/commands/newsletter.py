"""`/cop newsletter [draft | channel #c | feature <community> | list]`: the monthly newsletter, for overall leads."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import newsletter as blocks
from handlers.base import Request
from handlers.channels import channel_in, make_usable, require_channel
from handlers.commands.registry import Command, Topic, Who
from models.communities import Community, community_for_channel
from models.deliveries import enqueue
from models.errors import BadArgument, NotFound, NotPermitted
from models.newsletter import issues
from models.newsletter.schedule import last_complete_month, newsletter_hours
from models.people import Person, is_overall_lead


def _overall_lead(request: Request) -> Person:
    person = request.person()
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted("Only an overall CoP lead can draft, set up or list the newsletter.")
    return person


def handle_newsletter_draft(request: Request, args: str) -> None:
    person = _overall_lead(request)
    if args.strip():
        raise BadArgument("`/cop newsletter draft` takes nothing after it: it drafts last month's newsletter.")
    hours = newsletter_hours(request.session, team_id=request.team_id, admin_ids=request.services.settings.admin_ids)
    issue, created = issues.draft_issue(request.session, team_id=request.team_id,
                                        month=last_complete_month(hours, now=request.now), now=request.now)
    found = issues.settings_of(request.session, team_id=request.team_id)
    message = blocks.draft_dm(issue, found.channel_id if found else None)
    # Asked for: it goes now, whatever the asker's DM budget; each draft on demand is a message of its own (the
    # command's trigger is one per command typed, and the same if the request is worked on again).
    asked = str(request.body.get("trigger_id") or request.now.isoformat())[:80]
    enqueue(request.session, key=f"newsletter:{issue.id}:draft:{person.user_id}:{asked}",
            team_id=request.team_id, channel=person.user_id, text=message.text, blocks=message.blocks,
            kind="newsletter", now=request.now)
    request.reply(blocks.drafted_reply(issue, created=created))


def handle_newsletter_channel(request: Request, args: str) -> None:
    person = _overall_lead(request)
    channel_id = require_channel(args, example="/cop newsletter channel #cop-news")
    make_usable(request.client, channel_id)  # refused now rather than when an approved issue cannot be posted
    issues.set_channel(request.session, team_id=request.team_id, channel_id=channel_id, by=person, now=request.now)
    request.reply(blocks.channel_reply(channel_id))


def _community_named(request: Request, text: str) -> Community:
    channel_id = channel_in(text)
    if channel_id is not None:
        found = community_for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
        if found is None:
            raise NotFound("That channel is not a community.")
        return found
    live = list(request.session.scalars(select(Community).where(
        Community.team_id == request.team_id, Community.archived_at.is_(None)).order_by(Community.name)))
    wanted = " ".join(request.plain(text).split()).casefold()
    exact = [c for c in live if c.name.casefold() == wanted]
    partial = exact or [c for c in live if wanted in c.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    names = ", ".join(c.name for c in (partial or live)[:10])
    if partial:
        raise BadArgument(f"“{text[:60]}” could be any of {names}: say which.")
    raise NotFound(f"No community is called “{text[:60]}”. The communities: {names or 'none yet'}.")


def handle_newsletter_feature(request: Request, args: str) -> None:
    person = _overall_lead(request)
    if not args.strip():
        raise BadArgument("Say which community, by name or channel, e.g. `/cop newsletter feature DevOps CoP`.")
    community = _community_named(request, args.strip())
    issues.set_feature(request.session, team_id=request.team_id, community=community, by=person, now=request.now)
    request.reply(blocks.feature_reply(community.name))


def handle_newsletter_list(request: Request, args: str) -> None:
    _overall_lead(request)
    found, total = issues.past_issues(request.session, team_id=request.team_id)
    settings = issues.settings_of(request.session, team_id=request.team_id)
    request.reply(blocks.issues_list(found, total, settings.channel_id if settings else None))


NEWSLETTER = Topic("newsletter", about=(
    "The monthly CoP newsletter, for overall leads. On the first working day of each month copbot drafts it from "
    "the records of the month before, across every community: one community featured (its leads, its plan, what "
    "it did), chosen in turn among those featured longest ago unless an overall lead chose one; newcomers; the "
    "most reused knowledge (“This helped”); kudos; decisions; wins; meetings coming up. The draft comes to the "
    "overall leads by direct message with Approve / Edit (an introduction, and sections to leave out) / Skip; it "
    "is posted to the newsletter channel only when approved, and once."), commands=(
    Command("newsletter draft", handle_newsletter_draft, who=Who.OVERALL_LEADS,
            help="draft last month's newsletter now; it comes to you by DM with Approve / Edit / Skip",
            examples=("/cop newsletter draft",)),
    Command("newsletter channel", handle_newsletter_channel, usage="#<channel>", who=Who.OVERALL_LEADS,
            help="where an approved newsletter is posted", examples=("/cop newsletter channel #cop-news",)),
    Command("newsletter feature", handle_newsletter_feature, usage="<community>", who=Who.OVERALL_LEADS,
            help="feature this community in the next newsletter, instead of the rotation's choice",
            examples=("/cop newsletter feature DevOps CoP",)),
    Command("newsletter list", handle_newsletter_list, bare=True, who=Who.OVERALL_LEADS,
            help="past newsletters: drafted, posted or skipped, and whom each featured",
            examples=("/cop newsletter list",)),
))
