"""The quarterly scorecard: in the first days of a quarter, each lead gets the scorecard of the one just ended."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks.scorecard import chart_comment, kpi_chart, scorecard_dm, scorecard_summary
from models.attention import Outcome, arrival, handled_keys, wants
from models.deliveries import enqueue_many
from models.governance.scorecard import health_of_many, scorecard_of, scorecard_rounds


def send_scorecards(*, session: Session, now: dt.datetime) -> int:
    """Once per lead, community and quarter (the outbox key says which), under the attention rule: not to a lead
    who turned scorecards off, held for the digest while they are away or past their week's budget, else in
    their working hours, the chart of the KPIs right after it. Each community's scorecard is read once (a few
    statements each, whatever its number of members and leads; health one league per workspace and zone), and
    only for a community with a lead still to be sent it."""
    rounds = scorecard_rounds(session, now=now)
    done = handled_keys(session, [r.key(p) for r in rounds for p in r.leads])
    todo = [(due, [p for p in due.leads if due.key(p) not in done and wants(p, "scorecards")]) for due in rounds]
    todo = [(due, leads) for due, leads in todo if leads]
    health = health_of_many(session, cards=[(due.community, due.period) for due, _ in todo], now=now)
    dms, charts = [], []
    for due, leads in todo:
        card = scorecard_of(session, community=due.community, period=due.period, now=now, health=health)
        message, summary, chart = scorecard_dm(card), scorecard_summary(card), kpi_chart(card)
        for lead in leads:
            dms.append(Dm(lead, "scorecards", "scorecard", due.key(lead), message, summary, due.community.id))
            charts.append((chart, chart_comment(card)))
    outcomes = deliver_dms(session, dms, now=now)
    # The chart goes where its message went, just after it: the same person, the same moment of their day.
    enqueue_many(session, [
        dict(key=f"{dm.key}:chart", team_id=dm.person.team_id, channel=dm.person.user_id, text=comment,
             kind="scorecard_chart", community_id=dm.community_id, now=now, not_before=arrival(dm.person, now),
             chart=chart.to_dict())
        for dm, outcome, (chart, comment) in zip(dms, outcomes, charts, strict=True)
        if outcome is Outcome.SEND and chart is not None])
    return sum(outcome is Outcome.SEND for outcome in outcomes)
