"""How big an organisation to generate: named presets, and overrides for each count."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    communities: int
    people: int
    contributions: int
    actions: int
    meetings: int


PRESETS: dict[str, Scale] = {
    # A few seconds: what the tests generate.
    "tiny": Scale(communities=5, people=200, contributions=10_000, actions=500, meetings=50),
    "small": Scale(communities=20, people=2_000, contributions=200_000, actions=10_000, meetings=1_000),
    "medium": Scale(communities=50, people=5_000, contributions=500_000, actions=25_000, meetings=2_500),
    "full": Scale(communities=200, people=20_000, contributions=2_000_000, actions=100_000, meetings=10_000),
}


def resolve_scale(preset: str, **overrides: int | None) -> Scale:
    """The preset's counts, with any count given in `overrides` (None: the preset's) in its place."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    unknown = set(overrides) - {field.name for field in dataclasses.fields(Scale)}
    if unknown:
        raise ValueError(f"no such count: {', '.join(sorted(unknown))}")
    scale = dataclasses.replace(PRESETS[preset], **{k: v for k, v in overrides.items() if v is not None})
    if scale.communities < 1 or scale.people < 3 * scale.communities:
        raise ValueError("an organisation needs at least one community and three people for each")
    if min(scale.contributions, scale.actions, scale.meetings) < 0:
        raise ValueError("counts cannot be negative")
    return scale
