"""`/cop plan`, `/cop kpi`, `/cop budget`: what a community set out to do this year, how far it is, what it spent."""

from __future__ import annotations

from bot.attention import Dm, deliver_dms
from bot.blocks import governance as blocks
from handlers.base import Request
from handlers.commands.parse import take_quoted
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community, target_community
from models.communities import Community
from models.errors import BadArgument, NotPermitted
from models.governance import budget as money
from models.governance import parse_number, parse_year
from models.governance.kpis import METRICS, custom_name, elapsed, metric_named, record_count, scores, set_target
from models.governance.money import parse_amount
from models.governance.plan import ObjectiveStatus, add_objective, close_objective, get_objective, link_action, plan_of
from models.people import Person, is_overall_lead


def _year(request: Request, community: Community, word: str = "") -> int:
    return parse_year(word, community=community, now=request.now)


# The plan.

def handle_plan_show(request: Request, args: str) -> None:
    community = target_community(request)
    year = _year(request, community, args)
    request.reply(blocks.plan_message(community, year, plan_of(request.session, community=community, year=year)))


def handle_plan_add(request: Request, args: str) -> None:
    text, rest = take_quoted(args, what="objective", example="Run two game days")
    if rest:
        raise BadArgument("Put the whole objective in quotes, and nothing after it.")
    community, person = led_community(request, doing="change its plan")
    objective = add_objective(request.session, community=community, year=_year(request, community),
                              text=request.plain(text), by=person, now=request.now)
    request.reply(blocks.objective_reply(objective, "added"))


def _close(request: Request, args: str, status: ObjectiveStatus) -> None:
    number = parse_number(args, what="objective")
    community, _ = led_community(request, doing="change its plan")
    objective = get_objective(request.session, community=community, year=_year(request, community), number=number)
    close_objective(objective, status=status, now=request.now)
    request.reply(blocks.objective_reply(objective, f"marked {status.value}"))


def handle_plan_done(request: Request, args: str) -> None:
    _close(request, args, ObjectiveStatus.DONE)


def handle_plan_drop(request: Request, args: str) -> None:
    _close(request, args, ObjectiveStatus.DROPPED)


def handle_plan_link(request: Request, args: str) -> None:
    words = args.split()
    if len(words) != 2:
        raise BadArgument("Say the action's number, then the objective's, e.g. `/cop plan link 12 2`.")
    action_id, number = parse_number(words[0], what="action"), parse_number(words[1], what="objective")
    community, _ = led_community(request, doing="change its plan")
    objective = get_objective(request.session, community=community, year=_year(request, community), number=number)
    action = link_action(request.session, community=community, action_id=action_id, objective=objective)
    request.reply(blocks.linked_reply(action.id, action.title, objective))


# KPIs.

def handle_kpi_show(request: Request, args: str) -> None:
    community = target_community(request)
    year = _year(request, community, args)
    found = scores(request.session, community=community, year=year, now=request.now)
    request.reply(blocks.kpi_message(community, year, found, share=elapsed(community, year, request.now)))


def handle_kpi_set(request: Request, args: str) -> None:
    words = args.split()
    if len(words) not in (2, 3):
        raise BadArgument(f"Say the metric and its target, e.g. `/cop kpi set meetings-held 12`. Metrics: "
                          f"{', '.join(METRICS)}.")
    name = metric_named(words[0])
    target = parse_amount(words[1], what="target")
    community, person = led_community(request, doing="set its KPIs")
    year = _year(request, community, words[2] if len(words) == 3 else "")
    set_target(request.session, community=community, year=year, name=name, target=target, by=person,
               now=request.now)
    request.reply(blocks.kpi_set_reply(name, target, year))


def handle_kpi_add(request: Request, args: str) -> None:
    text, rest = take_quoted(args, what="KPI's name", example="Talks given outside the company")
    name = custom_name(request.plain(text))
    if not rest or len(rest.split()) != 1:
        raise BadArgument("Give the KPI a target after its name, e.g. `/cop kpi add \"Talks given\" 4`.")
    target = parse_amount(rest, what="target")
    community, person = led_community(request, doing="set its KPIs")
    year = _year(request, community)
    set_target(request.session, community=community, year=year, name=name, target=target, by=person,
               now=request.now, custom=True)
    request.reply(blocks.kpi_set_reply(name, target, year))


def handle_kpi_record(request: Request, args: str) -> None:
    text, rest = take_quoted(args, what="KPI's name", example="Talks given")
    amount_word, _, note = rest.partition(" ")
    if not amount_word:
        raise BadArgument("Say how many to record after the name, e.g. `/cop kpi record \"Talks given\" 1 DevOpsDays`.")
    amount = parse_amount(amount_word, what="number")
    community, person = led_community(request, doing="record its KPIs")
    name = " ".join(request.plain(text).split())
    record = record_count(request.session, community=community, year=_year(request, community), name=name,
                          amount=amount, note=request.plain(note), by=person, now=request.now)
    request.reply(blocks.kpi_recorded_reply(name, record.amount, record.note))


# The budget.

def _require_overall_lead(request: Request, doing: str) -> Person:
    person = request.person()
    if not is_overall_lead(person, request.services.settings.admin_ids):
        raise NotPermitted(f"Only an overall CoP lead can {doing}.")
    return person


def handle_budget_show(request: Request, args: str) -> None:
    community = target_community(request)
    year = _year(request, community, args)
    request.reply(blocks.budget_message(money.budget_of(request.session, community=community, year=year)))


def handle_budget_allocate(request: Request, args: str) -> None:
    words = args.split()
    if len(words) not in (1, 2):
        raise BadArgument("Say the amount, and the year if not this one, e.g. `/cop budget allocate 5000`.")
    amount = parse_amount(words[0])
    person = _require_overall_lead(request, "allocate a budget")
    community = target_community(request)
    year = _year(request, community, words[1] if len(words) == 2 else "")
    money.allocate(request.session, community=community, year=year, amount=amount, by=person, now=request.now)
    request.reply(blocks.allocated_reply(money.budget_of(request.session, community=community, year=year)))


def handle_budget_request(request: Request, args: str) -> None:
    amount_word, _, purpose = args.strip().partition(" ")
    amount = parse_amount(amount_word)
    community, person = led_community(request, doing="ask for budget")
    year = _year(request, community)
    line = money.request(request.session, community=community, year=year, amount=amount,
                         purpose=request.plain(purpose), by=person, now=request.now)
    budget = money.budget_of(request.session, community=community, year=year)
    message, summary = blocks.request_dm(line, budget.currency, budget), blocks.request_summary(line, budget.currency)
    leads = money.overall_leads(request.session, team_id=request.team_id,
                                admin_ids=request.services.settings.admin_ids, now=request.now)
    # A request waits on their answer: it is the overall leads' own work, sent whatever their DM budget, in their
    # working hours, to those who are not away; kept for them all (their digest and Home tab) if all are.
    present = [lead for lead in leads if not lead.is_away(request.now)]
    deliver_dms(request.session, [
        Dm(lead, "lead_work", "budget_ask", f"budget:{line.id}:ask:{lead.user_id}", message, summary, community.id)
        for lead in present or leads], now=request.now)
    request.reply(blocks.requested_reply(line, budget.currency, len(present or leads), all_away=bool(leads)
                                         and not present))


def handle_budget_spend(request: Request, args: str) -> None:
    amount_word, _, what = args.strip().partition(" ")
    amount = parse_amount(amount_word)
    community, person = led_community(request, doing="record its spending")
    line, budget = money.spend(request.session, community=community, year=_year(request, community), amount=amount,
                               what=request.plain(what), by=person, now=request.now)
    request.reply(blocks.spent_reply(line, budget))


def handle_budget_currency(request: Request, args: str) -> None:
    if not args.strip():
        request.reply(blocks.currency_reply(money.currency_of(request.session, team_id=request.team_id), changed=False))
        return
    person = _require_overall_lead(request, "set the currency")
    code = money.set_currency(request.session, team_id=request.team_id, code=args, by=person, now=request.now)
    request.reply(blocks.currency_reply(code, changed=True))


PLAN = Topic("plan", about=(
    "The community's annual plan: its objectives for the year, each moved forward by the actions linked to it. An "
    "objective's progress is its linked actions done out of those linked (dropped actions do not count). Leads add "
    "objectives, mark them done or dropped, and link actions with `/cop plan link <action id> <n>`; the plan shows "
    "on the Home tab and in the weekly digest."), commands=(
    Command("plan", handle_plan_show, usage="[<year>]",
            help="the annual plan: objectives, each with its linked actions and progress",
            examples=("/cop plan", "/cop plan 2026")),
    Command("plan add", handle_plan_add, usage='"<objective>"', who=Who.LEADS,
            help="add an objective to this year's plan; it is numbered in order",
            examples=('/cop plan add "Run two game days"',)),
    Command("plan done", handle_plan_done, usage="<n>", who=Who.LEADS, help="mark objective <n> done",
            examples=("/cop plan done 1",)),
    Command("plan drop", handle_plan_drop, usage="<n>", who=Who.LEADS, help="drop objective <n>",
            examples=("/cop plan drop 2",)),
    Command("plan link", handle_plan_link, usage="<action id> <n>", who=Who.LEADS,
            help="link an action to objective <n>: its progress becomes the objective's",
            examples=("/cop plan link 12 1",)),
))
KPI = Topic("kpi", aliases=("kpis",), about=(
    "Key performance indicators for the year, scored from the records as it goes. The metrics: "
    + blocks.metrics_help() + ". A total (all but attendance and active members) is on track when it has reached "
    "the share of its target that the year has run (half of it on 2 July); attendance and active members when they "
    "reach the target itself. A KPI no record can count is added by name and counted by hand, each count with a "
    "note; it is a total. At the start of each year copbot asks the leads to set them."), commands=(
    Command("kpi", handle_kpi_show, usage="[<year>]",
            help="every KPI: target, value so far, on track or not for the date",
            examples=("/cop kpi", "/cop kpi 2026")),
    Command("kpi set", handle_kpi_set, usage="<metric> <target> [<year>]", who=Who.LEADS,
            help="set a metric's target: " + ", ".join(METRICS),
            examples=("/cop kpi set meetings-held 12", "/cop kpi set attendance 8 2027")),
    Command("kpi add", handle_kpi_add, usage='"<name>" <target>', who=Who.LEADS,
            help="a KPI no record can count, for this year, counted by hand",
            examples=('/cop kpi add "Talks given outside" 4',)),
    Command("kpi record", handle_kpi_record, usage='"<name>" <n> [<note>]', who=Who.LEADS,
            help="count <n> towards a custom KPI, with a note saying what it was",
            examples=('/cop kpi record "Talks given outside" 1 DevOpsDays Berlin',)),
))
BUDGET = Topic("budget", about=(
    "The community's budget for the year: overall leads allocate it; leads ask for an amount for a purpose (each "
    "overall lead gets a DM with Approve / Decline, a decline says why, and the lead is told either way) and record "
    "what they spend against what was approved, never more. Amounts are positive, with the digits 0-9 and at most "
    "two decimals, in the workspace's one currency."), commands=(
    Command("budget", handle_budget_show, usage="[<year>]",
            help="allocated, requested, approved, spent and remaining, each line with its purpose",
            examples=("/cop budget",)),
    Command("budget allocate", handle_budget_allocate, usage="<amount> [<year>]", who=Who.OVERALL_LEADS,
            help="add to the community's budget for the year", examples=("/cop budget allocate 5000",)),
    Command("budget request", handle_budget_request, usage="<amount> <purpose>", who=Who.LEADS,
            help="ask the overall leads for an amount; they get a DM with Approve / Decline",
            examples=("/cop budget request 1200 Speaker travel for the spring meetup",)),
    Command("budget spend", handle_budget_spend, usage="<amount> <what>", who=Who.LEADS,
            help="record money spent, against what was approved; more than remains is refused",
            examples=("/cop budget spend 450.50 Train tickets for the speaker",)),
    Command("budget currency", handle_budget_currency, usage="[<code>]", who=Who.OVERALL_LEADS,
            help="the workspace's one currency (EUR unless an overall lead changes it)",
            examples=("/cop budget currency GBP",)),
))
