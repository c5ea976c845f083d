"""Growth as people see it: a month-by-month summary in words, and the chart of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.charts import Chart, Series
from bot.render import Message, context, escape, fit_lines, plural, section
from models.growth import MonthRow

HOW_COUNTED = ("Members: at each month's end. Active: members who contributed themselves that month (receiving "
               "kudos is not contributing); contributions: every act of their own that month. New: members for the "
               "first time (those in the channel when it was set up are its founders, not newcomers). Joined and "
               "left count every join and leave.")
PROGRAMME_COUNTED = ("Members, active and new are people, counted once however many communities they are in; "
                     "new means new to every community. Contributions, joined and left are summed over the "
                     "communities.")
CONTRIBUTIONS_NOTE = ("A contribution is an act of a member's own in the month: a message or reply, a reaction, kudos "
                      "given, an idea, an action opened or closed, a meeting led or attended, a knowledge item and "
                      "the like; receiving kudos or thanks, and joining, are not contributions.")
MOST_GROWN = 5


@dataclass(frozen=True)
class Grown:
    """A community's members at the start and the end of the span, for the programme's list of most grown."""

    name: str
    before: int
    now: int


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else (f"−{-n}" if n < 0 else "±0")


def _month_line(row: MonthRow, *, under_way: bool) -> str:
    label = f"{row.month:%b %Y}" + (" (so far)" if under_way else "")
    return (f"`{label}` {plural(row.members, 'member')} · {row.active} active · "
            f"{plural(row.contributions, 'contribution')} · {row.newcomers} new · {row.joined} joined · "
            f"{row.left} left")


def growth_message(title: str, rows: Sequence[MonthRow], *, zone: str, grown: Sequence[Grown] = (),
                   programme: bool = False) -> Message:
    """`title` is plain text (a community's name as stored); it is escaped here."""
    first, last = rows[0], rows[-1]
    left = sum(r.left for r in rows)
    headline = (f"*{escape(title)}*: {plural(last.members, 'member')} now ({_signed(last.members - first.members)} "
                f"since the end of {first.month:%B %Y}), {last.active} active with "
                f"{plural(last.contributions, 'contribution')} this month; "
                f"{sum(r.newcomers for r in rows)} new and {left} {'leave' if left == 1 else 'leaves'} "
                f"in the last {plural(len(rows), 'month')}.")
    lines = [_month_line(row, under_way=row is last) for row in reversed(rows)]
    blocks = [section(headline), section(fit_lines(lines))]
    if grown:
        ranked = sorted(grown, key=lambda g: (-(g.now - g.before), g.name.lower()))
        shown = [f"{escape(g.name)}: {g.before} → {g.now} ({_signed(g.now - g.before)})" for g in ranked]
        blocks.append(section("*Most grown*\n" + fit_lines(shown, max_items=MOST_GROWN)))
    notes = HOW_COUNTED + (" " + PROGRAMME_COUNTED if programme else "")
    blocks.append(context(f"Months in {escape(zone)}, newest first. {escape(notes)} The charts follow in our DM."))
    return Message.of(f"{title}: {plural(last.members, 'member')} now", blocks)


def growth_chart(title: str, rows: Sequence[MonthRow]) -> Chart:
    labels = [f"{row.month:%b %y}" for row in rows]
    return Chart(title=title, labels=labels, unit="people", series=[
        Series("Members", [row.members for row in rows]),
        Series("Active members", [row.active for row in rows]),
        Series("Newcomers", [row.newcomers for row in rows]),
        Series("Joined", [row.joined for row in rows]),
        Series("Left", [row.left for row in rows]),
    ], notes=("Members are counted at each month's end; active members contributed themselves in the month.",))


def contributions_chart(subject: str, rows: Sequence[MonthRow]) -> Chart:
    """Each month's contributions as bars; `subject` is plain text: a community's name, or "the programme"."""
    return Chart(title=f"Contributions per month in {subject}", labels=[f"{row.month:%b %y}" for row in rows],
                 kind="bar", unit="acts", series=[Series("Contributions", [row.contributions for row in rows])],
                 notes=(CONTRIBUTIONS_NOTE,))


def contributions_comment(subject: str) -> str:
    return f"Contributions per month in {escape(subject)}: every act of a member's own, as you asked."


def chart_comment(title: str) -> str:
    """The message that comes with the chart: `title` is plain text, escaped here like the summary's."""
    return f"{escape(title)}, month by month, as you asked."


def chart_failed(summary: Message) -> Message:
    text = "I couldn't send the charts to our DM just now (Slack refused them); the figures are above."
    return Message.of(summary.text, [*summary.blocks, section(f":warning: {escape(text)}")])
