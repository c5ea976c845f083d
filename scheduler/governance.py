"""The governance calendar: in January, each community's leads are asked to set the year's KPIs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks.governance import kpi_ask_dm, kpi_ask_summary
from models.attention import Outcome, handled_keys
from models.governance.kpis import kpi_asks_due


def ask_for_kpis(*, session: Session, now: dt.datetime) -> int:
    """Ask each lead, once per community and year, to set its KPIs, until one is set; returns how many asks
    were queued. A lead's own work, not a nudge: whatever their DM budget and switches, but in their working
    hours, and kept for their digest while they are away (`lead_work` in models.attention.DM_KINDS)."""
    dms = []
    for ask in kpi_asks_due(session, now=now):
        message, summary = kpi_ask_dm(ask.community, ask.year), kpi_ask_summary(ask.community, ask.year)
        dms += [Dm(lead, "lead_work", "kpi_ask", ask.key(lead.user_id), message, summary, ask.community.id)
                for lead in ask.leads]
    done = handled_keys(session, (dm.key for dm in dms))
    outcomes = deliver_dms(session, [dm for dm in dms if dm.key not in done], now=now)
    return sum(outcome is Outcome.SEND for outcome in outcomes)
