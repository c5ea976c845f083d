"""The governance calendar: in January, each community's leads are asked to set the year's KPIs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.blocks.governance import kpi_ask_dm
from models.deliveries import enqueue_many
from models.governance.kpis import kpi_asks_due


def ask_for_kpis(*, session: Session, now: dt.datetime) -> int:
    """Ask each lead, once per community and year, to set its KPIs, until one is set. A lead's own work, not a
    nudge: it is sent whatever their DM budget, like a budget request to an overall lead."""
    messages = []
    for ask in kpi_asks_due(session, now=now):
        message = kpi_ask_dm(ask.community, ask.year)
        messages += [dict(key=ask.key(user_id), team_id=ask.community.team_id, channel=user_id, text=message.text,
                          blocks=message.blocks, kind="kpi_ask", community_id=ask.community.id, now=now)
                     for user_id in ask.lead_ids]
    return enqueue_many(session, messages)
