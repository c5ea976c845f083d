"""How the programme looks to overall leads: `/cop programme`, its section of the Home tab and its charts; and
the year's published ranking of communities, which names no person and never says fading."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.blocks.health import trend
from bot.charts import Chart, Series
from bot.render import MAX_BLOCKS, Message, context, escape, fit_lines, header, plural, section, truncate
from models.governance.money import shown
from models.growth import MonthRow
from models.health.formula import formula_text
from models.health.snapshots import TREND_WEEKS
from models.programme import CRITERIA, FALLING, MIN_WEEKS, CommunityView, Programme, YearLeague
from models.when import format_day

# Sections of community lines in one message, leaving room for the headline and the footer.
MAX_SECTIONS = MAX_BLOCKS - 6
HOME_LINES = 5
MAX_BARS = 20
BAR_LABEL = 18
CHUNK = 2900  # characters of lines in one section, under Slack's 3000 with room for a title
TOP = 10


def _health(view: CommunityView) -> str:
    if view.health is None:
        return "health _no data_"
    change = trend(view.health, view.before)
    return f"health *{view.health}*" + (f" {change}" if change else "")


def _members(view: CommunityView) -> str:
    reading, months = view.reading, view.months
    text = f"{plural(reading.members, 'member')}, {reading.active} active"
    if not months or len(months) < 2:
        return text
    grown = view.grown or 0
    signed = f"+{grown}" if grown > 0 else (f"−{-grown}" if grown < 0 else "±0")
    return (f"{text} ({signed} since the end of {months[0].month:%b}, {months[-2].newcomers} new in "
            f"{months[-2].month:%b})")


def _kpis(view: CommunityView) -> str:
    if view.kpis is None or not view.kpis.with_targets:
        return "no KPI targets"
    return f"KPIs {view.kpis.on_track} of {view.kpis.with_targets} on track"


def _meetings(view: CommunityView) -> str:
    reading = view.reading
    return f"meetings {reading.held} of {reading.planned} kept" if reading.planned else "no meetings planned"


def _budget(view: CommunityView, currency: str) -> str:
    budget = view.budget
    if budget is None or not (budget.allocated or budget.approved or budget.spent):
        return "no budget"
    return (f"budget {currency} {shown(budget.spent)} spent of {shown(budget.approved)} approved "
            f"({shown(budget.allocated)} allocated)")


def _marker(view: CommunityView) -> str:
    if view.fading is not None:
        return ":seedling: "
    return ":chart_with_downwards_trend: " if view.falling else ""


def _warning(view: CommunityView) -> str:
    """The fading warning under the line: when it started and the first piece of evidence."""
    if view.fading is None:
        return ""
    reasons = view.fading.reasons or []
    evidence = f": {escape(truncate(reasons[0]['evidence'], 200))}" if reasons else ""
    more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
    return f"\n      _fading since {format_day(view.fading.started_at.date())}_{evidence}{more}"


def community_line(view: CommunityView, currency: str) -> str:
    new = f" · _new_ (set up {format_day(view.community.created_at.date())})" if view.new else ""
    return (f"• {_marker(view)}*{escape(view.community.name)}* · {_health(view)} · {_members(view)} · "
            f"{_kpis(view)} · {_meetings(view)} · {_budget(view, currency)}{new}{_warning(view)}")


def _counts(prog: Programme) -> str:
    average = "no data" if prog.average is None else f"*{prog.average}*"
    return (f"{plural(len(prog.views), 'community', 'communities')} · average health {average} · "
            f"{prog.fading} fading · {prog.falling} falling")


def _packed(lines: Sequence[str], title: str, room: int) -> list[Block]:
    """Lines in as many sections as Slack's limits allow (at most `room`), the last ending "…and N more"."""
    chunks: list[list[str]] = [[]]
    size = len(title) + 1
    for line in lines:
        if chunks[-1] and size + len(line) + 1 > CHUNK:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    kept, hidden = chunks[:room], sum(len(chunk) for chunk in chunks[room:])
    blocks: list[Block] = []
    for index, chunk in enumerate(kept):
        prefix = f"{title}\n" if title and index == 0 else ""
        last = index == len(kept) - 1
        blocks.append(section(prefix + fit_lines(chunk, hidden=hidden if last else 0, limit=CHUNK)))
    return blocks


def programme_message(prog: Programme) -> Message:
    blocks: list[Block] = [section(f":bar_chart: *The programme*: {_counts(prog)}")]
    if not prog.views:
        blocks.append(section("No communities yet: `/cop setup <name>` in a channel starts one."))
        return Message.of("The programme: no communities yet", blocks)
    attention = [community_line(v, prog.currency) for v in prog.views if v.needs_attention]
    rest = [community_line(v, prog.currency) for v in prog.views if not v.needs_attention]
    room = MAX_SECTIONS
    if attention:
        packed = _packed(attention, "*Needs attention*", room // 2 if rest else room)
        blocks += packed
        room -= len(packed)
    if rest:
        blocks += _packed(rest, "*By health*" if attention else "", room)
    blocks.append(context(
        f"Health now, with its change since {TREND_WEEKS} weeks ago (= {formula_text()}; `/cop health "
        "&lt;community&gt;` shows its parts). Members now, active in the last 30 days, the change since the end of "
        "the month three months back, newcomers last month. KPIs on track for the date, of those with a target this "
        "year; meetings kept of those planned in the last 8 weeks; budget this year. Needs attention: fading, or "
        f"health down {FALLING} points or more in {TREND_WEEKS} weeks. Only overall leads see this view; two charts "
        "follow in our DM."))
    return Message.of(f"The programme: {len(prog.views)} communities, {prog.fading} fading", blocks)


def _home_line(view: CommunityView) -> str:
    state = f" · fading since {format_day(view.fading.started_at.date())}" if view.fading is not None else ""
    return (f"• {_marker(view)}*{escape(view.community.name)}* · {_health(view)} · "
            f"{view.reading.active} of {plural(view.reading.members, 'member')} active{state}")


def home_section(prog: Programme) -> list[Block]:
    """The Home tab's part for overall leads: the counts and the first few communities (attention first)."""
    lines = [_home_line(v) for v in prog.views]
    body = fit_lines(lines, max_items=HOME_LINES) if lines else "No communities yet."
    return [header("The programme"), section(f"{_counts(prog)}\n{body}"),
            context("Only overall leads see this. `/cop programme` shows every community with its members, KPIs, "
                    "meetings and budget, and sends charts.")]


def health_chart(prog: Programme) -> Chart:
    """Each community's health now, highest first (at most MAX_BARS; those with no data left out and said)."""
    known = sorted((v for v in prog.views if v.health is not None),
                   key=lambda v: (-(v.health or 0), v.community.name.lower()))
    shown_views = known[:MAX_BARS]
    notes = [f"Health = {formula_text()}."]
    if len(known) > MAX_BARS:
        notes.append(f"The {MAX_BARS} healthiest of {len(known)} communities with figures are drawn.")
    if len(prog.views) > len(known):
        notes.append(f"{plural(len(prog.views) - len(known), 'community', 'communities')} with no data yet left out.")
    return Chart(title="Health per community", kind="bar", unit="points", y_max=100,
                 labels=[truncate(v.community.name, BAR_LABEL) for v in shown_views] or ["none"],
                 series=[Series("Health", [v.health for v in shown_views] or [None])], notes=tuple(notes))


def members_chart(rows: Sequence[MonthRow]) -> Chart:
    return Chart(title="Members of the programme", unit="people", labels=[f"{r.month:%b %y}" for r in rows], series=[
        Series("Members", [r.members for r in rows]), Series("Active members", [r.active for r in rows])],
        notes=("People counted once however many communities they are in; members at each month's end, active "
               "members contributed themselves in the month.",))


def _year_line(rank: int, row) -> str:  # noqa: ANN001 (a YearRow)
    kpis = f"KPIs {row.on_track} of {row.with_targets} on track" if row.with_targets else "no KPI targets"
    return (f"{rank}. *{escape(row.community.name)}* · average health *{row.average}* over "
            f"{plural(row.weeks, 'week')} · {kpis} · {plural(row.meetings, 'meeting')} held")


def year_message(league: YearLeague) -> Message:
    """The ranking as posted in a channel: communities only, no person, nothing of fading."""
    so_far = " (so far)" if league.under_way else ""
    title = f"Top communities of {league.year}{so_far}"
    if not league.rows:
        body = (f"No community has {MIN_WEEKS} weekly health snapshots in {league.year} yet, so there is nothing to "
                "rank.")
    else:
        body = fit_lines([_year_line(rank, row) for rank, row in enumerate(league.rows, start=1)], max_items=TOP)
    unranked = (f" {plural(league.unranked, 'community', 'communities')} with fewer than {MIN_WEEKS} snapshots in "
                f"{league.year} {'is' if league.unranked == 1 else 'are'} not ranked." if league.unranked else "")
    return Message.of(title, [
        section(f":trophy: *{title}*\n{body}"),
        context(f"{CRITERIA} Health = {formula_text()}.{unranked} `/cop leaderboard year` posts this list."),
    ])
