"""Community health: the published index and its components, weekly snapshots for trends, and fading.

What other parts (the programme view) call:
- `read_health(session, now=..., communities=None) -> list[Reading]`: every community's index and components;
- `history(session, community_ids=..., now=..., weeks=12) -> {community id: [HealthSnapshot]}`: the trend;
- `current_fading(session, community_ids=None) -> {community id: FadingEpisode}`: who fades now, and why.
"""

from models.health.fading import FadingEpisode, Reason, current_fading, scan_fading
from models.health.formula import COMPONENTS, WEIGHTS, formula_text, index_of, used_weights
from models.health.measure import Reading, read_health
from models.health.snapshots import HealthSnapshot, history, take_snapshots, week_of

__all__ = [
    "COMPONENTS", "WEIGHTS", "FadingEpisode", "HealthSnapshot", "Reading", "Reason", "current_fading",
    "formula_text", "history", "index_of", "read_health", "scan_fading", "take_snapshots", "used_weights",
    "week_of",
]
