"""Each week: a snapshot of every community's health, then the scan for communities that start fading."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks.health import fading_dm
from models.attention import Outcome
from models.health import scan_fading, take_snapshots
from models.health.fading import told_of_fading


def weekly_health(*, session: Session, now: dt.datetime, admin_ids: frozenset[str] = frozenset()) -> int:
    """Take this week's snapshots; the first run of a week (the one that took them) also scans for fading and
    tells each community's leads and the overall leads, privately and once per episode, when one starts.
    Returns how many messages were sent (or queued for working hours)."""
    if not take_snapshots(session, now=now):
        return 0  # this week's snapshots, and so its scan, were done already
    change = scan_fading(session, now=now)
    if not change.started:
        return 0
    told = told_of_fading(session, community_ids=[e.community_id for e in change.started], admin_ids=admin_ids,
                          now=now)
    dms = []
    for episode in change.started:
        message, summary = fading_dm(episode, now)
        dms += [Dm(person, "fading", "fading", f"fading:{episode.id}:{person.user_id}", message, summary,
                   episode.community_id) for person in told[episode.community_id]]
    return sum(outcome is Outcome.SEND for outcome in deliver_dms(session, dms, now=now))
