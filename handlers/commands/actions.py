"""`/cop action ...`: the community's action plan."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.blocks import actions as blocks
from bot.blocks.preferences import switched
from bot.render import Message, notice
from handlers import action_steps as steps
from handlers.base import Request
from handlers.commands.parse import on_or_off, take_hashtags, take_mentions, take_quoted
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import community_here, target_community
from handlers.mentions import note_mentions
from models.actions import Action
from models.actions.fairness import suggest_owners
from models.actions.follow_up import set_ladder
from models.actions.queries import ListFilter, list_actions
from models.actions.workflow import (
    add_action,
    assign_action,
    block_action,
    meeting_in_progress,
    parse_due,
)
from models.attention import set_wanted
from models.errors import BadArgument
from models.mentions import MentionSource
from models.numbers import whole_number
from models.people import is_overall_lead, require_lead
from models.when import WhenError, format_local

MAX_ID_DIGITS = 9
LIST_HEADINGS = {
    ListFilter.OPEN: "Open actions", ListFilter.POOL: "Actions nobody owns yet", ListFilter.OVERDUE: "Overdue actions",
    ListFilter.BLOCKED: "Blocked actions", ListFilter.ESCALATED: "Escalated blockers", ListFilter.DONE: "Done lately",
}


def parse_id(text: str) -> tuple[int, str]:
    """`12 rest` or `#12 rest` -> (12, "rest")."""
    word, _, rest = text.strip().partition(" ")
    number = whole_number(word.lstrip("#"), digits=MAX_ID_DIGITS)
    if number is None:
        raise BadArgument("Say which action by its number, e.g. `12` (`/cop action list` shows them).")
    return number, rest.strip()


def handle_action_add(request: Request, args: str) -> None:
    title, rest = take_quoted(args, what="action title",
                              example="Write the runbook")
    tags, rest = take_hashtags(rest)
    owners, rest = take_mentions(rest)
    word, _, due_text = rest.partition(" ")
    if rest and (word.lower() != "due" or not due_text.strip()):
        raise BadArgument(f"I didn't understand “{rest[:60]}”: after the title come an @owner, `due <when>` "
                          "and #tags.")
    if len(owners) > 1:
        raise BadArgument("Name one owner at most.")
    community = target_community(request)
    actor = steps.actor_in(request, community)
    meeting = meeting_in_progress(request.session, community=community, now=request.now)
    try:
        due_at = parse_due(due_text, tz=actor.person.tz, now=request.now) if rest else None
    except WhenError as error:
        raise BadArgument(str(error)) from None
    added = add_action(request.session, community=community, title=request.plain(title), actor=actor,
                       now=request.now, owner=request.person(owners[0]) if owners else None, due_at=due_at,
                       tags=tags, meeting=meeting)
    action = added.action
    note_mentions(request, args, community_id=community.id, source=MentionSource.ACTION, record_id=action.id,
                  by=actor.person, text=action.title, permalink=action.source_permalink)
    steps.announce(request, action)
    steps.tell_new_owner(request, action, by=actor.person)
    understood = due_text.strip() if rest else None
    local_due = format_local(due_at, actor.person.tz) if due_at else None

    def added(session: Session, action: Action) -> Message:
        suggestions = suggest_owners(session, action=action) if action.owner is None else []
        return blocks.added_reply(action, now=request.now, suggestions=suggestions, understood=understood,
                                  local_due=local_due)

    request.reply(added(request.session, action))
    # Who has room may include people copbot has yet to look up: once named (after the commit), say it again.
    place, action_id = len(request.replies) - 1, action.id
    request.when_named(lambda session: request.replies.__setitem__(place, added(session, session.get_one(
        Action, action_id))))


def handle_action_list(request: Request, args: str) -> None:
    try:
        which = ListFilter(args.strip().lower() or ListFilter.OPEN)
    except ValueError:
        raise BadArgument(f"I can't list “{args.strip()[:30]}” actions.") from None
    person = request.person()
    if which == ListFilter.MINE:
        community, heading = None, "Your open actions, in every community"
    elif which == ListFilter.ESCALATED and community_here(request) is None and is_overall_lead(
            person, request.services.settings.admin_ids):
        community, heading = None, "Escalated blockers in every community"
    else:
        community = target_community(request)
        heading = f"{LIST_HEADINGS[which]} in {community.name}"
    actions, total = list_actions(request.session, which=which, now=request.now, person=person, community=community)
    for owner_id in {a.owner.user_id for a in actions if a.owner is not None and not a.owner.display_name}:
        request.person(owner_id)  # names for people enrolled before copbot first met them
    request.reply(blocks.action_list(heading, actions, total, now=request.now, with_community=community is None,
                                     empty="Nothing here. `/cop action add \"<title>\"` adds one."))


def _by_id(step: Callable) -> Callable[[Request, str], None]:
    def handle(request: Request, args: str) -> None:
        action_id, _ = parse_id(args)
        action, actor = steps.load(request, action_id)
        request.reply(step(request, action, actor))

    return handle


def handle_action_assign(request: Request, args: str) -> None:
    action_id, rest = parse_id(args)
    people, _ = take_mentions(rest)
    if len(people) != 1:
        raise BadArgument("Mention the one person who should take it, e.g. `@dana`.")
    action, actor = steps.load(request, action_id)
    assignee = request.person(people[0])
    assigned = assign_action(request.session, action=action, actor=actor, assignee=assignee, now=request.now)
    steps.tell_new_owner(request, action, by=actor.person)
    steps.refresh_card(request, action)
    if assigned:
        request.reply(notice(f"Action #{action.id} is now {assignee.display_name}'s; they have been told."))
    else:
        request.reply(notice(f"Asked {assignee.display_name} whether they can take action #{action.id}; it is "
                             "theirs once they accept. Only a lead assigns without asking."))


def handle_action_block(request: Request, args: str) -> None:
    action_id, reason = parse_id(args)
    action, actor = steps.load(request, action_id)
    block_action(request.session, action=action, actor=actor, reason=request.plain(reason), now=request.now)
    steps.refresh_card(request, action)
    community = action.community
    request.reply(notice(f"Action #{action.id} is blocked. Unless it is unblocked first, its leads hear of it after "
                         f"{community.blocker_lead_days} days and the overall leads after "
                         f"{community.blocker_overall_days}. `/cop action unblock {action.id}` when it moves again."))


def handle_action_ladder(request: Request, args: str) -> None:
    community = target_community(request)
    words = args.split()
    if words:
        days = [whole_number(word, digits=3) for word in words]
        if len(days) != 2 or None in days:
            raise BadArgument("Give two numbers of days, e.g. `3 7`.")
        require_lead(request.session, community=community, person=request.person(),
                     admin_ids=request.services.settings.admin_ids, doing="change its blocker ladder")
        set_ladder(community, lead_days=days[0], overall_days=days[1])
    request.reply(blocks.ladder_reply(lead_days=community.blocker_lead_days,
                                      overall_days=community.blocker_overall_days,
                                      community_name=community.name, changed=bool(words)))


def _switch(kind: str) -> Callable[[Request, str], None]:
    """`/cop action dms|escalations on|off`: whether these DMs reach you."""

    def handle(request: Request, args: str) -> None:
        on = on_or_off(args)
        set_wanted(request.person(), kind, on)
        request.reply(switched(kind, on))

    return handle


TOPIC = Topic("action", aliases=("actions",), about=(
    "The community's action plan. An action without an owner waits in the pool, and copbot suggests who has "
    "room (see `/cop help capacity`). Naming someone else as owner only asks them, unless a lead does it. "
    "Owners are reminded a day before the due date and once it is overdue; a blocked action goes to the "
    "community's leads after 3 days and to the overall leads after 7 (`ladder` changes that). React "
    ":ballot_box_with_check: to a message to make it an action, :white_check_mark: to close one."), commands=(
    Command("action add", handle_action_add, usage='"<title>" [@owner] [due <when>] [#tag ...]',
            help="add to the action plan: your own, a lead's assignment, or the pool, where copbot suggests who has "
                 "room; naming someone else only asks them (a DM with *Take it* / *Not now*) unless a lead does it. "
                 "A card with *Claim* and *Done* buttons goes to the channel and stays current",
            examples=('/cop action add "Write the runbook" @chandra due friday #ci',)),
    Command("action list", handle_action_list, bare=True,
            usage="[open | mine | pool | overdue | blocked | escalated | done]",
            help="the plan; `mine` spans your communities, `escalated` outside a community is the overall lead's "
                 "view of every community",
            examples=("/cop action list mine", "/cop action list pool")),
    Command("action claim", _by_id(steps.claim), usage="<id>", help="take an action from the pool",
            examples=("/cop action claim 12",)),
    Command("action done", _by_id(steps.complete), usage="<id>",
            help="finish an action (members their own and the pool's, leads any); its owner is offered to record "
                 "the lesson", examples=("/cop action done 12",)),
    Command("action drop", _by_id(steps.drop), usage="<id>", help="drop an action nobody will do",
            examples=("/cop action drop 12",)),
    Command("action decline", _by_id(steps.decline), usage="<id>",
            help="say no to an action you were asked to take, or were assigned (the assignment DM's *Not for me* "
                 "does the same): it goes back to the pool and the lead who assigned it is told",
            examples=("/cop action decline 12",)),
    Command("action assign", handle_action_assign, usage="<id> @user",
            help="hand an action on: a lead assigns, anyone else asks", examples=("/cop action assign 12 @dana",)),
    Command("action block", handle_action_block, usage="<id> <reason>",
            help="record what blocks an action; it climbs to the leads and then the overall leads if it stays blocked",
            examples=("/cop action block 12 waiting for the vendor",)),
    Command("action unblock", _by_id(steps.unblock), usage="<id>", help="the action moves again",
            examples=("/cop action unblock 12",)),
    Command("action ladder", handle_action_ladder, usage="[<days to the leads> <days to the overall leads>]",
            who=Who.LEADS, help="when blocked actions go to the leads and to the overall leads (3 and 7 days "
                                "unless a lead changes it)", examples=("/cop action ladder 2 5",)),
    Command("action dms", _switch("actions"), usage="on|off",
            help="whether reminders about your actions, and requests to take one, reach you by DM",
            examples=("/cop action dms off",)),
    Command("action escalations", _switch("escalations"), usage="on|off",
            help="whether blocked actions escalated to you as a lead reach you by DM",
            examples=("/cop action escalations off",)),
))
