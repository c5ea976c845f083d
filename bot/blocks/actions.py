"""How actions look: the card in the channel, list lines, replies, and the DMs that follow them up.

Every DM copbot sends on its own ends with why it was sent and what the person can do about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.blocks import name, tag_list
from bot.blocks.attention import why_footer
from bot.render import Message, context, escape, fit_lines, section, slack_date, truncate
from handlers.ids import ActionId, BlockId, ViewId
from models.actions import Action, ActionStatus, Escalation
from models.actions.fairness import Suggestion
from models.actions.follow_up import DueStep, EscalationStep
from models.actions.model import DueNotice
from models.communities import Community
from models.people import Person

STATUS_WORDS = {
    ActionStatus.OPEN: "open",
    ActionStatus.IN_PROGRESS: "in progress",
    ActionStatus.BLOCKED: "blocked",
    ActionStatus.DONE: "done",
    ActionStatus.DROPPED: "dropped",
}
LIST_LIMIT = 30


def title_of(action: Action) -> str:
    return f"*#{action.id} {escape(action.title)}*"


def _due(action: Action, now: dt.datetime) -> str:
    if action.due_at is None:
        return ""
    late = action.is_active and action.due_at < now
    return f" · {':warning: was ' if late else ''}due {slack_date(action.due_at)}"


def _origin(action: Action, meeting_title: str | None) -> str:
    if action.source_permalink:
        return f"From <{action.source_permalink}|this message>"
    if meeting_title:
        return f"From the meeting *{escape(meeting_title)}*"
    return ""


def _owner_text(action: Action) -> str:
    if action.owner is not None:
        return f"Owner: *{name(action.owner)}*"
    if action.proposed_owner is not None:
        return f"Up for grabs: *{name(action.proposed_owner)}* has been asked"
    return "Up for grabs: nobody owns it yet"


def suggestion_text(suggestions: Sequence[Suggestion]) -> str:
    parts = []
    for s in suggestions:
        knows = f", knows {tag_list(list(s.matched_tags))}" if s.matched_tags else ""
        parts.append(f"{name(s.person)} ({s.open_actions} of {s.capacity} open{knows})")
    return "Who has room: " + ", ".join(parts) if parts else ""


def buttons(action: Action) -> ActionsBlock:
    return ActionsBlock(block_id=f"action:{action.id}", elements=[
        ButtonElement(text="Claim", action_id=ActionId.ACTION_CLAIM, value=str(action.id)),
        ButtonElement(text="Done", action_id=ActionId.ACTION_DONE, value=str(action.id), style="primary"),
    ])


def action_card(action: Action, *, now: dt.datetime, suggestions: Sequence[Suggestion] = (),
                meeting_title: str | None = None) -> Message:
    """The action's own message in the channel: who owns it, when it is due, where it came from."""
    lines = [f":ballot_box_with_check: {title_of(action)}",
             _owner_text(action) + _due(action, now) + (f" · {tag_list(action.tags)}" if action.tags else "")]
    if origin := _origin(action, meeting_title):
        lines.append(origin)
    if action.status == ActionStatus.BLOCKED:
        lines.append(f":no_entry: Blocked: {escape(action.blocker_reason or '')}")
    elif not action.is_active:
        lines.append(f"{':white_check_mark:' if action.status == ActionStatus.DONE else ':wastebasket:'} "
                     f"{STATUS_WORDS[action.status].capitalize()}")
    blocks: list[Block] = [section("\n".join(lines))]
    if action.is_active:
        hint = suggestion_text(suggestions) if action.owner is None else ""
        blocks.append(context((hint + " · " if hint else "") + f"`/cop action claim {action.id}` or the buttons"))
        blocks.append(buttons(action))
    return Message.of(f"Action #{action.id}: {action.title}", blocks)


def action_line(action: Action, *, now: dt.datetime, with_community: bool = False) -> str:
    who = name(action.owner, "_pool_")
    where = f" · {escape(action.community.name)}" if with_community else ""
    line = f"`#{action.id}` {escape(truncate(action.title, 120))} · {who}{_due(action, now)} · " \
           f"{STATUS_WORDS[action.status]}{where}"
    if action.status == ActionStatus.BLOCKED and action.blocked_at is not None:
        days = (now - action.blocked_at).days
        line += f" {days}d: {escape(truncate(action.blocker_reason or '', 100))}"
        if action.escalation_level >= Escalation.LEAD and action.escalated_at is not None:
            reached = "the overall leads" if action.escalation_level >= Escalation.OVERALL_LEAD else "the leads"
            line += f" · :rotating_light: with {reached} since {slack_date(action.escalated_at, '{date_short}')}"
    return line


def action_list(heading: str, actions: Sequence[Action], total: int, *, now: dt.datetime, empty: str,
                with_community: bool = False) -> Message:
    if not actions:
        return Message.of(heading, [section(f"*{escape(heading)}*\n{escape(empty)}")])
    lines = [action_line(a, now=now, with_community=with_community) for a in actions[:LIST_LIMIT]]
    more = total - len(lines)
    if more > 0:
        lines.append(f"…and {more} more")
    return Message.of(heading, [section(f"*{escape(heading)}*"), section(fit_lines(lines)),
                                context("`/cop action claim|done|drop &lt;id&gt;` · `/cop help action`")])


def added_reply(action: Action, *, now: dt.datetime, suggestions: Sequence[Suggestion], understood: str | None,
                local_due: str | None) -> Message:
    lines = [f":white_check_mark: Added {title_of(action)}", _owner_text(action) + _due(action, now)]
    blocks: list[Block] = [section("\n".join(lines))]
    notes = []
    if understood and local_due:
        notes.append(f"I read “{escape(understood)}” as *{local_due}* in your time zone.")
    if action.proposed_owner is not None:
        notes.append(f"{name(action.proposed_owner)} has been asked; it is theirs once they accept.")
    elif action.owner is None and suggestions:
        notes.append(suggestion_text(suggestions) + ". Nobody is assigned without agreeing.")
    notes.append("The channel has been told.")
    blocks.append(context(" ".join(notes)))
    return Message.of(f"Added action #{action.id}", blocks)


def done_reply(action: Action, *, offer_lesson: bool) -> Message:
    blocks: list[Block] = [section(f":white_check_mark: {title_of(action)} is done. Thank you!")]
    if offer_lesson:
        blocks += lesson_offer_blocks(action)
    return Message.of(f"Action #{action.id} is done", blocks)


def unblocked_reply(action: Action, *, offer_lesson: bool) -> Message:
    blocks: list[Block] = [section(f":arrow_forward: {title_of(action)} is no longer blocked.")]
    if offer_lesson:
        blocks += lesson_offer_blocks(action)
    return Message.of(f"Action #{action.id} is unblocked", blocks)


def lesson_offer_blocks(action: Action) -> list[Block]:
    return [
        section("What did it teach you? A line or two saves the next person the trouble."),
        ActionsBlock(block_id=f"lesson:{action.id}", elements=[
            ButtonElement(text="Record the lesson", action_id=ActionId.LESSON_RECORD, value=str(action.id))]),
    ]


def _why(text: str, kind: str = "actions") -> list[Block]:
    """Why this DM came, and a button that turns its kind off (see models.attention.DM_KINDS)."""
    return why_footer(kind, f"_Why you got this:_ {text}")


def lesson_offer_dm(action: Action, *, closed_by: Person, unblocked: bool) -> Message:
    what = "was unblocked" if unblocked else "was marked done"
    return Message.of(f"Action #{action.id} {what}: record the lesson?", [
        section(f"{title_of(action)} in *{escape(action.community.name)}* {what} by {name(closed_by)}."),
        *lesson_offer_blocks(action),
        *_why("you own this action, and copbot offers its owner to record what it taught. Ignore it if "
              "there is nothing to record; it is asked once."),
    ])


def offer_dm(action: Action, *, asked_by: Person) -> Message:
    return Message.of(f"{asked_by.display_name} asks whether you could take action #{action.id}", [
        section(f":raising_hand: {name(asked_by)} asks whether you could take {title_of(action)} in "
                f"*{escape(action.community.name)}*{_due(action, action.created_at)}."),
        ActionsBlock(block_id=f"offer:{action.id}", elements=[
            ButtonElement(text="Take it", action_id=ActionId.ACTION_CLAIM, value=str(action.id), style="primary"),
            ButtonElement(text="Not now", action_id=ActionId.ACTION_DECLINE, value=str(action.id)),
        ]),
        *_why(f"{name(asked_by)} named you for this action. It is not yours unless you take it; "
              f"`/cop action decline {action.id}` says no."),
    ])


def returned_dm(community: Community, left: Person, actions: Sequence[Action]) -> Message:
    """To a lead: a member left, and what they owned is back in the pool."""
    lines = fit_lines([f"• {title_of(a)}" + (" (blocked)" if a.status == ActionStatus.BLOCKED else "")
                       for a in actions])
    return Message.of(f"{left.display_name or left.user_id} left {community.name}: {len(actions)} back in the pool", [
        section(f":leftwards_arrow_with_hook: {name(left)} left *{escape(community.name)}*, so what they owned is "
                f"back in the pool for anyone to take:\n{lines}"),
        *_why(f"you lead {escape(community.name)}. `/cop action assign <n> @someone` gives one to a member.",
              kind="escalations"),
    ])


def returned_summary(community: Community, left: Person, actions: Sequence[Action]) -> str:
    return (f"{left.display_name or left.user_id} left {community.name}; back in the pool: "
            + ", ".join(f"#{a.id} {a.title}" for a in actions))


def assigned_dm(action: Action, *, lead: Person) -> Message:
    return Message.of(f"You have been assigned action #{action.id}", [
        section(f":ballot_box_with_check: {name(lead)} assigned you {title_of(action)} in "
                f"*{escape(action.community.name)}*{_due(action, action.created_at)}."),
        ActionsBlock(block_id=f"assigned:{action.id}", elements=[
            ButtonElement(text="Not for me", action_id=ActionId.ACTION_DECLINE, value=str(action.id)),
        ]),
        *_why(f"a lead of {escape(action.community.name)} assigned it to you. If you can't take it on, *Not for me* "
              f"(or `/cop action decline {action.id}`) puts it back in the pool and tells them; "
              "`/cop action list mine` shows everything that is yours."),
    ])


def declined_dm(action: Action, *, by: Person, assigner_gone: bool = False) -> Message:
    """To the lead who assigned an action (or, when they are no longer here, the community's other leads): its
    assignee said no, so it is back in the pool."""
    why = ("you lead the community, and the lead who assigned it to them is no longer here." if assigner_gone
           else "you assigned it to them.")
    return Message.of(f"{by.display_name or 'The assignee'} can't take action #{action.id}", [
        section(f":leftwards_arrow_with_hook: {name(by)} can't take on {title_of(action)} in "
                f"*{escape(action.community.name)}*, so it is back in the pool."),
        *_why(f"{why} `/cop action assign {action.id} @someone` hands it to someone else; "
              "the card in the channel suggests who has room.", kind="escalations"),
    ])


def due_dm(step: DueStep) -> Message:
    action = step.action
    if step.step == DueNotice.OVERDUE:
        head = f":warning: Your action {title_of(action)} was due {slack_date(action.due_at)}."
        fallback = f"Action #{action.id} is overdue"
    else:
        head = f":hourglass_flowing_sand: Your action {title_of(action)} is due {slack_date(action.due_at)}."
        fallback = f"Action #{action.id} is due soon"
    return Message.of(fallback, [
        section(f"{head}\nIn *{escape(action.community.name)}*."),
        ActionsBlock(block_id=f"due:{action.id}", elements=[
            ButtonElement(text="Done", action_id=ActionId.ACTION_DONE, value=str(action.id), style="primary")]),
        *_why("you own this action: copbot reminds its owner once when it is due within a day and once when it "
              f"is overdue. `/cop action drop {action.id}` if it is no longer needed, or ask a lead to reassign it."),
    ])


def escalation_dm(step: EscalationStep) -> Message:
    action = step.action
    community = escape(action.community.name)
    if step.level == Escalation.OVERALL_LEAD:
        why = (f"you are an overall CoP lead, and blockers in {community} reach the overall leads after "
               f"{step.after_days} days.")
    else:
        why = f"you lead {community}, and its blockers reach its leads after {step.after_days} days."
    return Message.of(f"Action #{action.id} has been blocked for {step.after_days} days", [
        section(f":rotating_light: {title_of(action)} in *{community}* has been blocked for {step.after_days} days "
                f"(owner: {name(action.owner)}).\n> {escape(action.blocker_reason or '')}"),
        *_why(f"{why} `/cop action unblock {action.id}` once it is cleared, `/cop action assign {action.id} "
              "@someone` to hand it on; a lead changes the ladder with `/cop action ladder &lt;days&gt; &lt;days&gt;`.",
              "escalations"),
    ])


def lesson_modal(action: Action) -> View:
    return View(
        type="modal", callback_id=ViewId.LESSON, private_metadata=str(action.id),
        title="Record the lesson", submit="Save", close="Cancel",
        blocks=[
            section(f"From {title_of(action)}"),
            InputBlock(block_id=BlockId.LESSON_TEXT, label="What did you learn?",
                       element=PlainTextInputElement(action_id=ActionId.LESSON_TEXT, multiline=True,
                                                     min_length=5, max_length=2000)),
            InputBlock(block_id=BlockId.LESSON_TAGS, label="Tags", optional=True,
                       hint="Words people would search for, e.g. terraform, ci",
                       element=PlainTextInputElement(action_id=ActionId.LESSON_TAGS, max_length=200)),
        ],
    )


def ladder_reply(*, lead_days: int, overall_days: int, community_name: str, changed: bool) -> Message:
    verb = "now go" if changed else "go"
    return Message.of("Blocker ladder", [section(
        f"Blocked actions in *{escape(community_name)}* {verb} to its leads after *{lead_days}* days and to the "
        f"overall leads after *{overall_days}* days.")])


# What a held action DM says in its person's digest: one plain line (the digest escapes it) with the way to act.
def lesson_offer_summary(action: Action, *, unblocked: bool) -> str:
    what = "was unblocked" if unblocked else "is done"
    return f"#{action.id} {action.title} {what}: what did it teach you? `/cop kb add lesson <text>` keeps it"


def offer_summary(action: Action, *, asked_by: Person) -> str:
    return (f"{asked_by.display_name or 'Someone'} asks whether you could take #{action.id} {action.title}: "
            f"`/cop action claim {action.id}` or `/cop action decline {action.id}`")


def assigned_summary(action: Action, *, lead: Person) -> str:
    return (f"{lead.display_name or 'A lead'} assigned you #{action.id} {action.title}: "
            f"`/cop action decline {action.id}` if you can't take it on")


def declined_summary(action: Action, *, by: Person) -> str:
    return f"{by.display_name or 'Your assignee'} can't take #{action.id} {action.title}; it is back in the pool"


def due_summary(step: DueStep) -> str:
    action = step.action
    state = "is overdue" if step.step == DueNotice.OVERDUE else "is due within a day"
    return f"Your action #{action.id} {action.title} {state}: `/cop action done {action.id}` once it is"


def escalation_summary(step: EscalationStep) -> str:
    action = step.action
    return (f"#{action.id} {action.title} in {action.community.name} has been blocked for {step.after_days} days: "
            f"{action.blocker_reason or 'no reason given'}")
