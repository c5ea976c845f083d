"""Running a meeting in the channel: `/cop meeting start|end|minutes`, `/cop decision`, `/cop agenda`."""

from __future__ import annotations

from bot.blocks import meetings as blocks
from bot.minutes import post_minutes
from bot.render import escape, notice
from bot.slack import permalink
from handlers.base import Request
from handlers.commands.meetings import meeting_number
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community, target_community
from handlers.meeting_steps import announce
from handlers.mentions import note_mentions
from models.communities import Community
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted
from models.links import link_to
from models.meetings import MeetingOccurrence
from models.meetings.agenda import add_agenda_item, agendas, current_agenda, get_item, mark_done, next_meeting_row
from models.meetings.minutes import minutes_of, recent_minutes
from models.meetings.records import open_actions, owners_of, record_decision
from models.meetings.running import end_meeting, require_running, running_occurrence, start_meeting, thread_of
from models.meetings.series import get_meeting
from models.mentions import MentionSource
from models.numbers import whole_number
from models.people import Person, is_drafter, require_member_or_overall_lead
from models.when import format_local


def _member(request: Request) -> tuple[Community, Person]:
    community = target_community(request)
    person = request.person()
    require_member_or_overall_lead(request.session, community=community, person=person,
                                   admin_ids=request.services.settings.admin_ids)
    return community, person



def in_thread(request: Request, occurrence: MeetingOccurrence) -> tuple[str | None, str | None]:
    """The meeting thread's ts and permalink, once copbot's opening message has gone out."""
    thread_ts = thread_of(request.session, occurrence=occurrence)
    link = permalink(request.workspace_url, occurrence.meeting.community.channel_id, thread_ts) if thread_ts else None
    return thread_ts, link


def handle_meeting_start(request: Request, args: str) -> None:
    community, person = led_community(request, doing="start its meetings")
    meeting = None
    if args.strip():
        meeting_id = meeting_number(args.strip())
        meeting = get_meeting(request.session, community=community, meeting_id=meeting_id)
    row = start_meeting(request.session, community=community, person=person, now=request.now, meeting=meeting)
    items = agendas(request.session, occurrences=[row], with_pool=False)[row.id]
    actions = open_actions(request.session, community=community)
    message = blocks.meeting_thread(row.meeting.title, started_by=person.user_id, items=items, actions=actions,
                                    owners=owners_of(request.session, actions), occurrence_id=row.id)
    announce(request, community, row.thread_key, message, link=link_to("meeting_thread", row.id))
    request.reply(blocks.meeting_started_reply(row.meeting.title))


def handle_meeting_end(request: Request, args: str) -> None:
    community = target_community(request)
    # Ending a meeting records its minutes, which a secretary does as well as its leads.
    if not is_drafter(request.session, community=community, person=request.person(),
                      admin_ids=request.services.settings.admin_ids):
        raise NotPermitted(f"Only a lead or secretary of *{community.name}* can end its meetings.")
    row = require_running(request.session, community=community)
    row.thread_ts, row.permalink = in_thread(request, row)
    end_meeting(request.session, occurrence=row, now=request.now)
    post_minutes(request.session, occurrence=row, now=request.now)
    request.reply(notice(f"Ended *{escape(row.meeting.title)}*; its minutes are posted in the channel "
                         f"(`/cop meeting minutes {row.id}`)."))


def handle_meeting_minutes(request: Request, args: str) -> None:
    community = target_community(request)
    if args.strip():
        number = meeting_number(args.strip())
        row = minutes_of(request.session, community=community, occurrence_id=number)
        request.reply(blocks.minutes_message(row.minutes or {}))
        return
    rows = recent_minutes(request.session, community=community)
    if rows:
        request.reply(blocks.minutes_message(rows[0].minutes or {}))
    request.reply(blocks.minutes_list(community.name, [(r.id, r.meeting.title, r.started_at or r.starts_at)
                                                       for r in rows]))


def _recording(request: Request, args: str, *, missing: str) -> tuple[str, Community, Person, MeetingOccurrence | None]:
    """What a member asked to record, and the meeting running in their community, if any."""
    text = request.plain(args)
    if not text:
        raise BadArgument(missing)
    community, person = _member(request)
    return text, community, person, running_occurrence(request.session, community=community)


def handle_decision(request: Request, args: str) -> None:
    text, community, person, running = _recording(request, args, missing="Say what was decided.")
    thread_ts, link = in_thread(request, running) if running else (None, None)
    decision = record_decision(request.session, community=community, occurrence=running, text=text, person=person,
                               now=request.now, permalink=link)
    note_mentions(request, args, community_id=community.id, source=MentionSource.DECISION, record_id=decision.id,
                  by=person, text=decision.text, permalink=link)
    message = blocks.recorded_in_thread("decision", decision.text, by=person.user_id)
    enqueue(request.session, key=f"decision:{decision.id}", team_id=request.team_id, channel=community.channel_id,
            text=message.text, blocks=message.blocks, kind="decision", community_id=community.id,
            thread_ts=thread_ts, now=request.now, link_to=link_to("decision", decision.id))
    where = f"in *{escape(running.meeting.title)}*" if running else "for the community"
    request.reply(notice(f"Decision recorded {where}."))


def handle_agenda_add(request: Request, args: str) -> None:
    text, community, person, running = _recording(request, args, missing="Say what to put on the agenda.")
    target = running or next_meeting_row(request.session, community=community, now=request.now)
    thread_ts, link = in_thread(request, running) if running else (None, None)
    item = add_agenda_item(request.session, community=community, occurrence=target, text=text, person=person,
                           now=request.now, permalink=link)
    note_mentions(request, args, community_id=community.id, source=MentionSource.AGENDA_ITEM, record_id=item.id,
                  by=person, text=item.text, permalink=item.permalink)
    # In the running meeting's thread, or in the channel for a meeting to come: everyone sees the agenda
    # grow, and the item has a message to link to.
    message = blocks.recorded_in_thread("agenda", item.text, by=person.user_id) if running is not None else \
        blocks.agenda_item_added(item.text, by=person.user_id, occurrence=target)
    enqueue(request.session, key=f"agenda:{item.id}:added", team_id=request.team_id,
            channel=community.channel_id, text=message.text, blocks=message.blocks, kind="agenda",
            community_id=community.id, thread_ts=thread_ts, now=request.now,
            link_to=link_to("agenda_item", item.id))
    if target is None:
        where = "the next meeting's agenda (none is scheduled yet)"
    else:
        where = (f"the agenda of *{escape(target.meeting.title)}*, "
                 f"{format_local(target.starts_at, person.tz)}{' (running now)' if running else ''}")
    request.reply(notice(f"Added `{item.id}` to {where}."))


def handle_agenda_done(request: Request, args: str) -> None:
    number = whole_number(args.strip().removeprefix("#"))
    if number is None:
        raise BadArgument("Say which item by its number, e.g. `/cop agenda done 4`.")
    community, _ = _member(request)
    item = mark_done(request.session, item=get_item(request.session, community=community, item_id=number),
                     now=request.now)
    request.reply(notice(f"Ticked off `{item.id}` {escape(item.text)}."))


def handle_agenda_show(request: Request, args: str) -> None:
    community = target_community(request)
    running = running_occurrence(request.session, community=community)
    agenda = current_agenda(request.session, community=community, now=request.now, running=running)
    actions = open_actions(request.session, community=community)
    request.reply(blocks.agenda_message(community.name, agenda.occurrence, agenda.items, actions,
                                        owners_of(request.session, actions), running=agenda.running))


MEETING_COMMANDS = (
    Command("meeting start", handle_meeting_start, who=Who.LEADS, usage="[<id>]",
            help="start the nearest meeting (or an ad-hoc one): a thread with the agenda and open actions; replies "
                 "starting `action:`, `decision:`, `info:` are recorded, and whoever speaks there or presses *I'm "
                 "here* attended", examples=("/cop meeting start",)),
    Command("meeting end", handle_meeting_end, who=Who.LEADS,
            help="close it: minutes (attendees, decisions, actions with owners and due dates, notes, what carries "
                 "over) are posted and stored; a secretary may end it too", examples=("/cop meeting end",)),
    Command("meeting minutes", handle_meeting_minutes, usage="[<number>]",
            help="the latest minutes, or those numbered, and a list of past ones", examples=("/cop meeting minutes",)),
)
AGENDA = Topic("agenda", about=(
    "The agenda of the running meeting, or of the next one. Topics added when no meeting is scheduled wait for "
    "whichever comes first. Topics not ticked off carry over to the next meeting, and so do the community's "
    "open actions."), commands=(
    Command("agenda show", handle_agenda_show, bare=True, aliases=("agenda list",),
            help="the running or next meeting's agenda, with the open actions", examples=("/cop agenda",)),
    Command("agenda add", handle_agenda_add, usage="<topic>",
            help="add a topic to the running or next meeting's agenda",
            examples=("/cop agenda add Move CI to spot instances",)),
    Command("agenda done", handle_agenda_done, usage="<number>", aliases=("agenda tick",),
            help="tick a topic off; unfinished topics carry over", examples=("/cop agenda done 4",)),
))
DECISION = Topic("decision", about=(
    "Records a decision: in the running meeting (it goes into its thread and minutes), or for the community when "
    "no meeting is running. In a meeting's thread, a reply starting `decision:` does the same."), commands=(
    Command("decision", handle_decision, usage="<text>",
            help="record a decision, in the running meeting or for the community",
            examples=("/cop decision We adopt trunk-based development from January",)),
))
