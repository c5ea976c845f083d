"""`/cop action add|list|claim|done|drop|assign|block|unblock|decline|ladder`."""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks import actions as blocks
from bot.blocks.preferences import switched
from bot.render import notice
from handlers import action_steps as steps
from handlers.base import Request
from handlers.commands.parse import dispatch, on_or_off, take_hashtags, take_mentions, take_quoted
from handlers.commands.resolve import community_here, target_community
from handlers.mentions import note_mentions
from models.actions.fairness import suggest_owners
from models.actions.follow_up import LADDER_USAGE, set_ladder
from models.actions.queries import ListFilter, list_actions
from models.actions.workflow import (
    add_action,
    assign_action,
    block_action,
    meeting_in_progress,
    parse_due,
)
from models.attention import set_wanted
from models.errors import BadArgument, UserFacingError
from models.mentions import MentionSource
from models.numbers import whole_number
from models.people import is_overall_lead, require_lead
from models.when import WhenError, format_local

ADD_USAGE = '/cop action add "<title>" [@owner] [due <when>] [#tag ...]'
LIST_USAGE = "/cop action list [open | mine | pool | overdue | blocked | escalated | done]"
ASSIGN_USAGE = "/cop action assign <id> @user"
BLOCK_USAGE = "/cop action block <id> <reason>"
ACTION_USAGE = ("/cop action add | list | claim | done | drop | assign | block | unblock | decline | ladder | dms | "
                "escalations")
MAX_ID_DIGITS = 9
LIST_HEADINGS = {
    ListFilter.OPEN: "Open actions", ListFilter.POOL: "Actions nobody owns yet", ListFilter.OVERDUE: "Overdue actions",
    ListFilter.BLOCKED: "Blocked actions", ListFilter.ESCALATED: "Escalated blockers", ListFilter.DONE: "Done lately",
}


def parse_id(text: str, *, usage: str) -> tuple[int, str]:
    """`12 rest` or `#12 rest` -> (12, "rest")."""
    word, _, rest = text.strip().partition(" ")
    number = whole_number(word.lstrip("#"), digits=MAX_ID_DIGITS)
    if number is None:
        raise BadArgument("Say which action by its number, e.g. `12` (`/cop action list` shows them).", usage=usage)
    return number, rest.strip()


def _with_usage(error: UserFacingError, usage: str) -> UserFacingError:
    error.usage = error.usage or usage
    return error


def handle_action_add(request: Request, args: str) -> None:
    title, rest = take_quoted(args, what="action title", usage=ADD_USAGE,
                              example="Write the runbook")
    tags, rest = take_hashtags(rest)
    owners, rest = take_mentions(rest)
    word, _, due_text = rest.partition(" ")
    if rest and (word.lower() != "due" or not due_text.strip()):
        raise BadArgument(f"I didn't understand “{rest[:60]}”: after the title come an @owner, `due <when>` "
                          "and #tags.", usage=ADD_USAGE)
    if len(owners) > 1:
        raise BadArgument("Name one owner at most.", usage=ADD_USAGE)
    community = target_community(request)
    actor = steps.actor_in(request, community)
    meeting = meeting_in_progress(request.session, community=community, now=request.now)
    try:
        due_at = parse_due(due_text, tz=actor.person.tz, now=request.now) if rest else None
        added = add_action(request.session, community=community, title=request.plain(title), actor=actor,
                           now=request.now, owner=request.person(owners[0]) if owners else None, due_at=due_at,
                           tags=tags, meeting=meeting)
    except WhenError as error:
        raise BadArgument(str(error), usage=ADD_USAGE) from None
    except UserFacingError as error:
        raise _with_usage(error, ADD_USAGE) from None
    action = added.action
    note_mentions(request, args, community_id=community.id, source=MentionSource.ACTION, record_id=action.id,
                  by=actor.person, text=action.title, permalink=action.source_permalink)
    steps.announce(request, action)
    steps.tell_new_owner(request, action, by=actor.person)
    suggestions = suggest_owners(request.session, action=action) if action.owner is None else []
    request.reply(blocks.added_reply(action, now=request.now, suggestions=suggestions,
                                     understood=due_text.strip() if rest else None,
                                     local_due=format_local(due_at, actor.person.tz) if due_at else None))


def handle_action_list(request: Request, args: str) -> None:
    try:
        which = ListFilter(args.strip().lower() or ListFilter.OPEN)
    except ValueError:
        raise BadArgument(f"I can't list “{args.strip()[:30]}” actions.", usage=LIST_USAGE) from None
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


def _by_id(step: Callable, usage: str) -> Callable[[Request, str], None]:
    def handle(request: Request, args: str) -> None:
        action_id, _ = parse_id(args, usage=usage)
        action, actor = steps.load(request, action_id, usage=usage)
        try:
            request.reply(step(request, action, actor))
        except UserFacingError as error:
            raise _with_usage(error, usage) from None

    return handle


def handle_action_assign(request: Request, args: str) -> None:
    action_id, rest = parse_id(args, usage=ASSIGN_USAGE)
    people, _ = take_mentions(rest)
    if len(people) != 1:
        raise BadArgument("Mention the one person who should take it, e.g. `@dana`.", usage=ASSIGN_USAGE)
    action, actor = steps.load(request, action_id, usage=ASSIGN_USAGE)
    assignee = request.person(people[0])
    try:
        assigned = assign_action(request.session, action=action, actor=actor, assignee=assignee, now=request.now)
    except UserFacingError as error:
        raise _with_usage(error, ASSIGN_USAGE) from None
    steps.tell_new_owner(request, action, by=actor.person)
    steps.refresh_card(request, action)
    if assigned:
        request.reply(notice(f"Action #{action.id} is now {assignee.display_name}'s; they have been told."))
    else:
        request.reply(notice(f"Asked {assignee.display_name} whether they can take action #{action.id}; it is "
                             "theirs once they accept. Only a lead assigns without asking."))


def handle_action_block(request: Request, args: str) -> None:
    action_id, reason = parse_id(args, usage=BLOCK_USAGE)
    action, actor = steps.load(request, action_id, usage=BLOCK_USAGE)
    try:
        block_action(request.session, action=action, actor=actor, reason=request.plain(reason), now=request.now)
    except UserFacingError as error:
        raise _with_usage(error, BLOCK_USAGE) from None
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
            raise BadArgument("Give two numbers of days, e.g. `3 7`.", usage=LADDER_USAGE)
        require_lead(request.session, community=community, person=request.person(),
                     admin_ids=request.services.settings.admin_ids, doing="change its blocker ladder")
        set_ladder(community, lead_days=days[0], overall_days=days[1])
    request.reply(blocks.ladder_reply(lead_days=community.blocker_lead_days,
                                      overall_days=community.blocker_overall_days,
                                      community_name=community.name, changed=bool(words)))


def _switch(kind: str, usage: str) -> Callable[[Request, str], None]:
    """`/cop action dms|escalations on|off`: whether these DMs reach you."""

    def handle(request: Request, args: str) -> None:
        on = on_or_off(args, usage=usage)
        set_wanted(request.person(), kind, on)
        request.reply(switched(kind, on))

    return handle


ACTION_SUBCOMMANDS: dict[str, Callable[[Request, str], None]] = {
    "add": handle_action_add,
    "list": handle_action_list,
    "claim": _by_id(steps.claim, "/cop action claim <id>"),
    "done": _by_id(steps.complete, "/cop action done <id>"),
    "drop": _by_id(steps.drop, "/cop action drop <id>"),
    "decline": _by_id(steps.decline, "/cop action decline <id>"),
    "unblock": _by_id(steps.unblock, "/cop action unblock <id>"),
    "assign": handle_action_assign,
    "block": handle_action_block,
    "ladder": handle_action_ladder,
    "dms": _switch("actions", "/cop action dms on|off"),
    "escalations": _switch("escalations", "/cop action escalations on|off"),
}


def handle_action(request: Request, args: str) -> None:
    dispatch(ACTION_SUBCOMMANDS, request, args, command="action", default="list", usage=ACTION_USAGE)
