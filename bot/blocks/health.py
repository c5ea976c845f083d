"""How health looks: `/cop health` with its formula and components, its chart, the league's footer, and the
private word to leads when a community starts fading (never said in a channel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.blocks.attention import why_footer
from bot.charts import Chart, Series
from bot.render import Message, context, escape, section
from models.communities import Community
from models.health.fading import FadingEpisode, suggestion_for
from models.health.formula import COMPONENTS, formula_text, used_weights
from models.health.measure import Reading
from models.health.snapshots import TREND_WEEKS, HealthSnapshot
from models.when import format_day

MISSING_BECAUSE = {
    "cadence": "no meeting was planned in the last 8 weeks",
    "attendance": "no meeting was held in the last 4 weeks",
    "breadth": "the community has no members",
    "follow_through": "no action was due in the last 90 days",
    "newcomers": "nobody joined in the last 90 days, or their first 30 days are not over",
    "knowledge": "no week to count",
}


def _basis(reading: Reading, key: str) -> str:
    """The counts behind a component, so its 0-100 can be checked by hand."""
    r = reading
    return {
        "cadence": f"{r.held} of {r.planned} planned meetings held",
        "attendance": f"{r.attendees} people at an average meeting, of {r.members} members",
        "breadth": f"{r.active} of {r.members} members active",
        "follow_through": f"{r.closed} of {r.due} actions due closed",
        "newcomers": f"{r.activated} of {r.newcomers} newcomers took part within 30 days",
        "knowledge": f"knowledge added in {r.knowledge_weeks} of {r.weeks_counted} weeks",
    }[key]


def trend(now: int | None, before: int | None) -> str:
    """`↑5`, `↓3` or `=` against a figure of some weeks ago; empty when either is unknown."""
    if now is None or before is None:
        return ""
    change = now - before
    return "=" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")


def _percent(weight: float) -> str:
    return f"{weight * 100:.0f}%" if round(weight * 100, 1).is_integer() else f"{weight * 100:.1f}%"


def weights_note(reading: Reading) -> str:
    """Which components are missing and what the others weigh instead; empty when none is missing."""
    if not reading.missing:
        return ""
    used = used_weights(reading.components)
    missing = ", ".join(c.label for c in COMPONENTS if c.key in reading.missing)
    scaled = ", ".join(f"{c.label} {_percent(used[c.key])}" for c in COMPONENTS if c.key in used)
    return f"Missing: {missing}; the other weights are scaled up to make 100%: {scaled}."


def health_message(reading: Reading, before: HealthSnapshot | None) -> Message:
    community, health = reading.community, reading.health
    was = f" ({trend(health, before.health)} since the week of {format_day(before.week)})" \
        if before is not None and trend(health, before.health) else ""
    if before is None:
        was = f" (no snapshot from {TREND_WEEKS} weeks ago yet to compare with)"
    score = "no data yet" if health is None else f"*{health}*/100"
    lines = []
    used = used_weights(reading.components)
    for component in COMPONENTS:
        value = reading.components[component.key]
        if value is None:
            lines.append(f"• {component.label}: _missing_ ({MISSING_BECAUSE[component.key]}) · weight "
                         f"{_percent(component.weight)}, left out")
            continue
        change = trend(value, getattr(before, component.key)) if before is not None else ""
        weight = _percent(component.weight) + (f" → {_percent(used[component.key])}" if reading.missing else "")
        lines.append(f"• {component.label}: *{value}* ({_basis(reading, component.key)}) · weight {weight}"
                     + (f" · {change}" if change else ""))
    blocks = [section(f":heartbeat: *Health of {escape(community.name)}*: {score}{was}"), section("\n".join(lines))]
    note = weights_note(reading)
    blocks.append(context(f"Health = {formula_text()}. Each component is 0-100: "
                          + "; ".join(f"{c.label} is {c.measures}" for c in COMPONENTS) + "."
                          + (f" {note}" if note else "")
                          + f" A snapshot is kept each week; trends compare with {TREND_WEEKS} weeks ago."))
    return Message.of(f"Health of {community.name}: {'no data yet' if health is None else health}", blocks)


def health_chart(community: Community, snapshots: Sequence[HealthSnapshot], reading: Reading) -> Chart:
    """Health over the last weeks from the weekly snapshots, with this moment's reading as the last point."""
    points = [(format_day(s.week), s.health) for s in snapshots]
    points.append(("now", reading.health))
    return Chart(title=f"Health of {community.name}", labels=[label for label, _ in points],
                 series=[Series("health", [value for _, value in points])], y_max=100, unit="points",
                 notes=(f"Health = {formula_text()}.",))


def league_footer() -> str:
    """The league's footer: the formula exactly as the number is computed."""
    return (f"Health = {formula_text()}, each 0-100; a component with no data is left out and the others' weights "
            "scaled up to make 100%. Only what members did themselves counts as taking part (kudos received do "
            "not). `/cop health &lt;community&gt;` shows each component.")


def fading_dm(episode: FadingEpisode, reading_at: dt.datetime) -> tuple[Message, str]:
    """The private word to a lead or overall lead, with the evidence and one suggestion; and its summary."""
    community = episode.community
    evidence = "\n".join(f"• {escape(r['evidence'])}" for r in episode.reasons)
    text = f"{community.name} may be fading"
    blocks = [
        section(f":seedling: *{escape(community.name)}* may be fading, as of {format_day(reading_at.date())}. "
                f"This is only for you and the other leads; nothing was said in the channel.\n{evidence}"),
        section(f"*One thing to try:* {suggestion_for(episode.reasons)}"),
        context(f"`/cop health {escape(community.name)}` shows each part of its health. You'll hear again only if "
                "it recovers and later fades anew."),
        *why_footer("fading", "You lead this community, or oversee all of them."),
    ]
    return Message.of(text, blocks), f"{community.name} may be fading: {episode.reasons[0]['evidence']}"


def dms_switched(on: bool) -> Message:
    text = ("You'll hear privately when a community you lead starts fading." if on
            else "No more fading warnings; `/cop health dms on` brings them back.")
    return Message.of(text, [section(f":white_check_mark: {text}" if on else f":mute: {text}")])

