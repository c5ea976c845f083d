"""The health index's published formula: its components, their weights, and how missing ones are left out.

Each component is a share from 0 to 100 read from the records; the index is the weighted average of
the components that have data, the weights of the missing ones spread over the rest in proportion.
Nothing else goes into it, so the number can always be recomputed by hand from what `/cop health` shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from models.contributions import ContributionKind

# The windows each component looks back over, from the moment it is computed.
CADENCE_WINDOW = dt.timedelta(weeks=8)
ATTENDANCE_WINDOW = dt.timedelta(weeks=4)
ACTIVE_WINDOW = dt.timedelta(days=30)
FOLLOW_THROUGH_WINDOW = dt.timedelta(days=90)
NEWCOMER_WINDOW = dt.timedelta(days=90)
NEWCOMER_GRACE = dt.timedelta(days=30)
KNOWLEDGE_WEEKS = 8

# Acts a person does themselves. Being thanked (kudos or appreciation received) is not taking part, and
# joining is not either: none of them make a member active.
OWN_KINDS = tuple(kind for kind in ContributionKind if kind not in (
    ContributionKind.JOINED, ContributionKind.KUDOS_RECEIVED, ContributionKind.APPRECIATION_RECEIVED))


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: float
    measures: str  # what its 0-100 is, as `/cop health` and the league's footer say it


COMPONENTS: tuple[Component, ...] = (
    Component("cadence", "cadence kept", 0.20,
              "meetings held against those the schedule planned, last 8 weeks"),
    Component("attendance", "attendance", 0.15,
              "people at an average meeting held in the last 4 weeks, as a share of the members"),
    Component("breadth", "breadth", 0.25,
              "members who did something themselves in the last 30 days (kudos received do not count)"),
    Component("follow_through", "follow-through", 0.15,
              "actions due in the last 90 days that are closed"),
    Component("newcomers", "newcomer activation", 0.10,
              "people who joined in the last 90 days and took part within 30 days of joining"),
    Component("knowledge", "knowledge growth", 0.15,
              "weeks of the last 8 (since set-up, if later) in which a knowledge item was added"),
)
WEIGHTS: dict[str, float] = {c.key: c.weight for c in COMPONENTS}
COMPONENT_KEYS: tuple[str, ...] = tuple(WEIGHTS)
assert abs(sum(WEIGHTS.values()) - 1) < 1e-9, "the published weights must add up to 100%"


def share(part: float, whole: float) -> int | None:
    """`part` of `whole` as 0-100 (capped at 100), or None when there is no whole to measure against."""
    if whole <= 0:
        return None
    return round(100 * min(1.0, part / whole))


def used_weights(values: Mapping[str, int | None]) -> dict[str, float]:
    """The weight each component with data carries once the missing ones are left out (adding up to 1)."""
    present = {key: WEIGHTS[key] for key in COMPONENT_KEYS if values.get(key) is not None}
    total = sum(present.values())
    return {key: weight / total for key, weight in present.items()} if total else {}


def index_of(values: Mapping[str, int | None]) -> int | None:
    """The health index: the components with data, weighted by `used_weights`; None when none has data."""
    weights = used_weights(values)
    if not weights:
        return None
    return round(sum(weights[key] * float(values[key] or 0) for key in weights))


def formula_text() -> str:
    """The formula as one line: `20% cadence kept + 15% attendance + ...`."""
    return " + ".join(f"{round(c.weight * 100)}% {c.label}" for c in COMPONENTS)
