"""The lead's scorecard as people see it: one message, and its chart of the KPIs."""

from __future__ import annotations

from decimal import Decimal

from slack_sdk.models.blocks import Block

from bot.blocks.attention import why_footer
from bot.blocks.governance import progress_line
from bot.charts import Chart, Series
from bot.render import Message, context, divider, escape, fit_lines, header, plural, section, slack_date, truncate
from models.governance.kpis import Score
from models.governance.money import shown
from models.governance.plan import ObjectiveStatus
from models.governance.scorecard import Scorecard

MAX_CHART_LABEL = 24
# A chart of more KPIs than this would be unreadable; the message lists them all anyway.
MAX_CHART_KPIS = 12


def figure(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def title_of(card: Scorecard) -> str:
    return f"Scorecard of {card.community.name} · {card.period.label}"


def _when(card: Scorecard) -> str:
    if card.finished:
        return (f"{card.period.label} has ended: KPIs and budget as they stood at its end (budget requests with their "
                "answer since); the plan as it is now.")
    return f"{card.period.label} is under way: figures as of {slack_date(card.at, '{date_short_pretty}')}."


def _plan(card: Scorecard) -> list[Block]:
    year = card.period.year
    if not card.plan:
        return [section(f"*Plan {year}*\nNo objectives yet: `/cop plan add \"&lt;objective&gt;\"`.")]
    done, open_, dropped = (card.objectives(s) for s in (ObjectiveStatus.DONE, ObjectiveStatus.OPEN,
                                                         ObjectiveStatus.DROPPED))
    within = f" ({card.closed_in_period} in {card.period.label})" if card.period.quarter else ""
    summary = (f"*Plan {year}*: {plural(len(card.plan), 'objective')}: {done} done{within}, {open_} open"
               + (f", {dropped} dropped" if dropped else ""))
    return [section(summary), section(fit_lines([progress_line(item) for item in card.plan]))]


def kpi_line(score: Score) -> str:
    label = f"“{escape(score.name)}” (by hand)" if score.custom else f"*{score.name}*"
    if score.target is None:
        return f"• {label}: {figure(score.value)} · no target"
    mark = ":large_green_circle: on track" if score.on_track else ":red_circle: behind"
    return (f"• {label}: {figure(score.value)} of {figure(score.target)} · {mark} "
            f"(due by then: {figure(score.expected or Decimal(0))})")


def _kpis(card: Scorecard) -> list[Block]:
    targeted = card.targeted
    if not targeted:
        return [section(f"*KPIs {card.period.year}*\nNo KPI has a target yet: `/cop kpi set &lt;metric&gt; "
                        "&lt;target&gt;`.")]
    on_track = sum(1 for score in targeted if score.on_track)
    summary = (f"*KPIs {card.period.year}*: {on_track} of {plural(len(targeted), 'KPI')} with a target on track, "
               f"{round(card.share * 100)}% of the year gone")
    untargeted = [score.name for score in card.kpis if score.target is None]
    lines = [kpi_line(score) for score in targeted]
    blocks: list[Block] = [section(summary), section(fit_lines(lines))]
    if untargeted:
        blocks.append(context(truncate("No target: " + ", ".join(escape(name) for name in untargeted), 2000)))
    return blocks


def _budget(card: Scorecard) -> list[Block]:
    budget, c = card.budget, card.budget.currency
    if not budget.lines:
        return [section(f"*Budget {card.period.year}*\nNothing allocated, requested or spent yet.")]
    text = (f"*Budget {card.period.year}*: allocated *{c} {shown(budget.allocated)}* · approved {c} "
            f"{shown(budget.approved)} · spent {c} {shown(budget.spent)} · remaining *{c} {shown(budget.remaining)}*")
    if budget.requested:
        text += f" · waiting for approval {c} {shown(budget.requested)}"
    if card.period.quarter:
        text += f"\nSpent in {card.period.label}: {c} {shown(card.spent_in_period)}"
    return [section(text)]


def _health(card: Scorecard) -> list[Block]:
    if card.health is None:
        return [section("*Health*: not known yet.")]
    return [section(f"*Health*: *{card.health.score}*/100 · {escape(card.health.detail)}")]


def scorecard_blocks(card: Scorecard) -> list[Block]:
    return [header(truncate(title_of(card), 150)), context(_when(card)), *_plan(card), divider(), *_kpis(card),
            divider(), *_budget(card), *_health(card)]


def scorecard_message(card: Scorecard, *, chart_coming: bool) -> Message:
    """The answer to `/cop scorecard`."""
    hint = ("The KPI chart comes to you in a DM. " if chart_coming else "") + (
        "`/cop scorecard year` for the whole year, `/cop scorecard q1 2026` for another quarter.")
    return Message.of(title_of(card), [*scorecard_blocks(card), context(hint)])


def scorecard_dm(card: Scorecard) -> Message:
    """The quarter's scorecard, sent to each of the community's leads when it ends."""
    reason = (f"You lead *{escape(card.community.name)}*, and {card.period.label} has ended. "
              "`/cop scorecard` shows it at any time.")
    return Message.of(title_of(card), [*scorecard_blocks(card), *why_footer("scorecards", reason)])


def scorecard_summary(card: Scorecard) -> str:
    """What a lead reads in their digest when the scorecard was held."""
    targeted = card.targeted
    kpis = (f"{sum(1 for s in targeted if s.on_track)} of {len(targeted)} KPIs on track" if targeted
            else "no KPI targets")
    asked = f"q{card.period.quarter} {card.period.year}" if card.period.quarter else str(card.period.year)
    return f"The {card.period.label} scorecard of {card.community.name}: {kpis}. `/cop scorecard {asked}` shows it."


def kpi_chart(card: Scorecard) -> Chart | None:
    """Each KPI with a target: its value against what is due by then (the pro-rata target); None if none has one."""
    targeted = card.targeted[:MAX_CHART_KPIS]
    if not targeted:
        return None
    labels = [truncate(score.name, MAX_CHART_LABEL) for score in targeted]
    left = len(card.targeted) - len(targeted)
    notes = [f"{round(card.share * 100)}% of the year gone by {card.at.astimezone(card.community.zone):%d %b %Y}."]
    if left:
        notes.append(f"{left} more KPIs are in the message.")
    return Chart(title=f"KPIs of {card.community.name}, {card.period.label}: value against pro-rata target",
                 labels=labels, kind="bar", notes=tuple(notes), series=(
                     Series("value", [float(score.value) for score in targeted]),
                     Series("pro-rata target", [float(score.expected or 0) for score in targeted])))


def chart_comment(card: Scorecard) -> str:
    return (f"KPIs of {escape(card.community.name)} in {card.period.label}: each value against the share of its "
            "target due by then.")
