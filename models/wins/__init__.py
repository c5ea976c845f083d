"""Wins told beyond the channel: objectives done, Terms of Reference ratified, KPIs met and the month's kudos,
recorded once each, held back by a lead if need be, and gathered into one weekly post per workspace."""

from models.wins.model import (
    Win,
    WinKind,
    WinsChannel,
    WinState,
    channel_of,
    hold,
    list_wins,
    queued_counts,
    release,
    set_channel,
)
from models.wins.scan import collect_wins

__all__ = ["Win", "WinKind", "WinState", "WinsChannel", "channel_of", "collect_wins", "hold", "list_wins",
           "queued_counts", "release", "set_channel"]
