"""The annual plan, the KPIs and the budget, as people see them."""

from __future__ import annotations

from decimal import Decimal

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.render import Message, context, escape, fit_lines, mention, section
from handlers.ids import ActionId, BlockId, ViewId
from models.actions.model import ActionStatus
from models.communities import Community
from models.governance.budget import Budget, BudgetLine, LineKind, RequestStatus
from models.governance.kpis import METRICS, Score
from models.governance.money import shown
from models.governance.plan import Objective, ObjectiveStatus, Progress

STATUS_MARKS = {ObjectiveStatus.OPEN: ":dart:", ObjectiveStatus.DONE: ":white_check_mark:",
                ObjectiveStatus.DROPPED: ":heavy_multiplication_x:"}


def progress_line(item: Progress) -> str:
    """`3. Run a game day · 1 of 2 actions done (50%)`, the objective's text escaped."""
    objective = item.objective
    done = (f"{item.closed} of {item.linked} linked actions done ({item.percent}%)" if item.linked
            else "no actions linked yet")
    state = "" if objective.status == ObjectiveStatus.OPEN else f" · *{objective.status.value}*"
    return f"{STATUS_MARKS[objective.status]} *{objective.number}.* {escape(objective.text)} · {done}{state}"


def plan_message(community: Community, year: int, plan: list[Progress]) -> Message:
    title = f"The {year} plan of {community.name}"
    if not plan:
        return Message.of(title, [section(f"*{escape(title)}*\nNo objectives yet. A lead adds one with "
                                          "`/cop plan add \"&lt;objective&gt;\"`.")])
    lines = []
    for item in plan:
        lines.append(progress_line(item))
        lines += [f"      {'~' if status == ActionStatus.DONE else ''}#{action_id} {escape(text)}"
                  f"{'~' if status == ActionStatus.DONE else ''}" for action_id, text, status in item.actions]
    return Message.of(title, [section(f"*{escape(title)}*"), section(fit_lines(lines)),
                              context("Leads: `/cop plan done &lt;n&gt;`, `/cop plan drop &lt;n&gt;`, "
                                      "`/cop plan link &lt;action id&gt; &lt;n&gt;` links an action to an objective")])


def objective_reply(objective: Objective, verb: str) -> Message:
    return Message.of(f"Objective {objective.number} {verb}", [section(
        f"Objective *{objective.number}* of the {objective.year} plan {verb}: {escape(objective.text)}")])


def linked_reply(action_id: int, title: str, objective: Objective) -> Message:
    return Message.of(f"Action #{action_id} linked", [section(
        f"Action #{action_id} ({escape(title)}) now counts towards objective *{objective.number}*: "
        f"{escape(objective.text)}")])


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def kpi_message(community: Community, year: int, found: list[Score], *, share: Decimal) -> Message:
    title = f"KPIs of {community.name} for {year}"
    lines = []
    for score in found:
        label = f"“{escape(score.name)}” (counted by hand)" if score.custom else f"*{score.name}*"
        if score.target is None:
            lines.append(f"• {label}: {_number(score.value)} · no target (`/cop kpi set {score.name} &lt;target&gt;`)")
            continue
        mark = ":large_green_circle: on track" if score.on_track else ":red_circle: behind"
        lines.append(f"• {label}: {_number(score.value)} of {_number(score.target)} · {mark} "
                     f"(by now: {_number(score.expected or Decimal(0))})")
    return Message.of(title, [section(f"*{escape(title)}*"), section(fit_lines(lines)), context(
        f"{round(share * 100)}% of the year gone: a total is on track when it has reached that share of its target; "
        "attendance and active members when they reach the target itself. `/cop help kpi` says what each counts.")])


def kpi_set_reply(name: str, target: Decimal, year: int) -> Message:
    return Message.of(f"Target set for {name}", [section(
        f"The {year} target for *{escape(name)}* is now {_number(target)}. `/cop kpi` shows where it stands.")])


def kpi_recorded_reply(name: str, amount: Decimal, note: str) -> Message:
    said = f" ({escape(note)})" if note else ""
    return Message.of(f"{name}: recorded", [section(f"Recorded {_number(amount)} for “{escape(name)}”{said}.")])


def metrics_help() -> str:
    return "; ".join(f"`{name}`: {meaning}" for name, meaning in METRICS.items())


def _line(line: BudgetLine, currency: str) -> str:
    who = escape(line.person.display_name) if line.person else "someone"
    amount = f"{currency} {shown(line.amount)}"
    if line.kind == LineKind.ALLOCATION:
        return f"• allocated {amount} by {who}"
    if line.kind == LineKind.SPEND:
        return f"• spent {amount} on {escape(line.purpose)} ({who})"
    state = {RequestStatus.PENDING: "waiting for an overall lead", RequestStatus.APPROVED: "approved",
             RequestStatus.DECLINED: "declined"}[line.status or RequestStatus.PENDING]
    why = f": {escape(line.decline_reason)}" if line.decline_reason else ""
    return f"• request #{line.id}: {amount} for {escape(line.purpose)} ({who}) · {state}{why}"


def budget_message(budget: Budget) -> Message:
    title = f"Budget of {budget.community.name} for {budget.year}"
    c = budget.currency
    totals = (f"Allocated *{c} {shown(budget.allocated)}* · requested (waiting) {c} {shown(budget.requested)} · "
              f"approved {c} {shown(budget.approved)} · spent {c} {shown(budget.spent)} · "
              f"remaining to spend *{c} {shown(budget.remaining)}*")
    blocks = [section(f"*{escape(title)}*"), section(totals)]
    if budget.lines:
        blocks.append(section(fit_lines([_line(line, c) for line in budget.lines])))
    blocks.append(context("Overall leads allocate; leads `/cop budget request &lt;amount&gt; &lt;purpose&gt;` and "
                          "`/cop budget spend &lt;amount&gt; &lt;what&gt;` against what was approved."))
    return Message.of(title, blocks)


def request_dm(line: BudgetLine, currency: str, budget: Budget) -> Message:
    community = line.community
    who = mention(line.person.user_id) if line.person else "A lead"
    text = f"{community.name} asks for {currency} {shown(line.amount)}"
    return Message.of(text, [
        section(f":moneybag: {who} asks for *{currency} {shown(line.amount)}* for *{escape(community.name)}* "
                f"({line.year}): {escape(line.purpose)}"),
        context(f"Allocated {currency} {shown(budget.allocated)} · approved so far {currency} "
                f"{shown(budget.approved)} · spent {currency} {shown(budget.spent)}"),
        ActionsBlock(elements=[
            ButtonElement(text="Approve", action_id=ActionId.BUDGET_APPROVE, value=str(line.id), style="primary"),
            ButtonElement(text="Decline", action_id=ActionId.BUDGET_DECLINE, value=str(line.id)),
        ]),
    ])


def request_summary(line: BudgetLine, currency: str) -> str:
    """The request as one line of a digest, for an overall lead who was away: the DM's buttons decide it."""
    return (f"{line.community.name} asks for {currency} {shown(line.amount)} ({line.purpose}): request "
            f"#{line.id}, waiting for an overall lead's Approve or Decline.")


def requested_reply(line: BudgetLine, currency: str, told: int, *, all_away: bool = False) -> Message:
    if not told:
        return Message.of("Budget requested", [section(
            f"Request #{line.id} for {currency} {shown(line.amount)} ({escape(line.purpose)}) is recorded, but no "
            "overall lead is known to copbot yet (the workspace's admins once they have used copbot, and "
            "`COPBOT_ADMINS`): "
            "it waits in `/cop budget` until one is.")])
    leads = f"{told} overall lead{'s' if told != 1 else ''}"
    if all_away:
        return Message.of("Budget requested", [section(
            f"Request #{line.id} for {currency} {shown(line.amount)} ({escape(line.purpose)}) is recorded; "
            + ("the overall lead is away" if told == 1 else f"the {leads} are all away")
            + ", so it waits for them to come back. You will be told what they decide.")])
    return Message.of("Budget requested", [section(
        f"Request #{line.id} for {currency} {shown(line.amount)} ({escape(line.purpose)}) goes to "
        f"{leads} in their working hours; you will be told what they decide.")])


def decided_dm(line: BudgetLine, currency: str) -> Message:
    """What the requester is told, either way."""
    by = escape(line.decided_by.display_name) if line.decided_by else "An overall lead"
    if line.status == RequestStatus.APPROVED:
        text = (f":white_check_mark: {by} approved your request #{line.id}: {currency} {shown(line.amount)} for "
                f"{escape(line.purpose)} ({escape(line.community.name)}). Record what you spend with "
                "`/cop budget spend &lt;amount&gt; &lt;what&gt;`.")
    else:
        text = (f":x: {by} declined your request #{line.id}: {currency} {shown(line.amount)} for "
                f"{escape(line.purpose)} ({escape(line.community.name)}).\n> {escape(line.decline_reason or '')}")
    return Message.of(f"Budget request #{line.id} {line.status.value if line.status else ''}", [section(text)])


def decided_original(line: BudgetLine, currency: str) -> Message:
    """The overall lead's DM once decided: its buttons go."""
    by = escape(line.decided_by.display_name) if line.decided_by else "an overall lead"
    state = line.status.value if line.status else "decided"
    return Message.of(f"Request #{line.id} {state}", [section(
        f"Request #{line.id} from *{escape(line.community.name)}*: {currency} {shown(line.amount)} for "
        f"{escape(line.purpose)} · *{state}* by {by}")])


def decline_modal(line: BudgetLine, currency: str) -> View:
    return View(type="modal", callback_id=ViewId.BUDGET_DECLINE, private_metadata=str(line.id),
                title="Decline the request", submit="Decline", close="Cancel", blocks=[
                    section(f"{escape(line.community.name)}: {currency} {shown(line.amount)} for "
                            f"{escape(line.purpose)}"),
                    InputBlock(block_id=BlockId.BUDGET_REASON, label="Why? They will be told.",
                               element=PlainTextInputElement(action_id=ActionId.BUDGET_REASON, multiline=True,
                                                             min_length=3, max_length=500)),
                ])


def spent_reply(line: BudgetLine, budget: Budget) -> Message:
    c = budget.currency
    return Message.of("Spending recorded", [section(
        f"Recorded {c} {shown(line.amount)} spent on {escape(line.purpose)}; {c} {shown(budget.remaining)} of what "
        "was approved remains.")])


def allocated_reply(budget: Budget) -> Message:
    return Message.of("Budget allocated", [section(
        f"*{escape(budget.community.name)}* now has {budget.currency} {shown(budget.allocated)} allocated for "
        f"{budget.year}.")])


def currency_reply(code: str, *, changed: bool) -> Message:
    said = "is now" if changed else "is"
    return Message.of(f"Currency {code}", [section(f"Budgets in this workspace {said} in *{escape(code)}*.")])


def kpi_ask_summary(community: Community, year: int) -> str:
    """The ask as one line of a digest, for a lead who was away."""
    return f"Set the {year} plan and KPIs of {community.name}: `/cop plan add` and `/cop kpi set`."


def kpi_ask_dm(community: Community, year: int) -> Message:
    """January's question to each lead: what will the community aim for this year?"""
    return Message.of(f"Set the {year} plan and KPIs of {community.name}", [
        section(f":dart: A new year for *{escape(community.name)}*: what will it aim for in {year}? Set its plan "
                "and KPI targets, and copbot scores them from the records as the year goes."),
        context("`/cop plan add \"&lt;objective&gt;\"` · `/cop kpi set &lt;metric&gt; &lt;target&gt;` · "
                "`/cop kpi add \"&lt;name&gt;\" &lt;target&gt;` · `/cop kpi` shows every metric"),
    ])
