"""Maturity self-assessments over time: closed and counted at their time, and leads reminded twice a year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks.maturity import assessment_key, assessment_message, prompt_dm, prompt_summary
from bot.cards import show_current
from models.attention import Outcome, handled_keys
from models.communities import Community
from models.deliveries import Delivery, enqueue_many
from models.maturity import close, due_assessments, prompts_due


def close_due_assessments(*, session: Session, now: dt.datetime) -> int:
    """Close every assessment whose time has come: its answers become counts (and are deleted), and its message
    shows the results, or why there are none, without its button (an edit through the outbox)."""
    due = due_assessments(session, now=now)
    if not due:
        return 0
    close(session, assessments=due, now=now)
    communities = {c.id: c for c in session.scalars(select(Community).where(
        Community.id.in_(sorted({a.community_id for a in due}))))}
    shown = {d.key: d for d in session.scalars(select(Delivery).where(
        Delivery.key.in_([assessment_key(a.id) for a in due])))}
    edits = []
    for assessment in due:
        delivery = shown.get(assessment_key(assessment.id))
        if delivery is None:
            continue
        message = assessment_message(communities[assessment.community_id], assessment, answered=assessment.answered,
                                     now=now)
        # Not posted yet, it goes out with its results; already in Slack, it is edited.
        edit = show_current(delivery, message)
        if edit is not None:
            edits.append(dict(key=f"{assessment_key(assessment.id)}:results", team_id=assessment.team_id,
                              channel=edit.channel, text=edit.message.text, blocks=edit.message.blocks,
                              kind="maturity", community_id=assessment.community_id, edit_ts=edit.ts, now=now))
    enqueue_many(session, edits)
    return len(due)


def prompt_leads(*, session: Session, now: dt.datetime) -> int:
    """Remind each lead of a community with no assessment for about six months, once per such period: an
    unasked-for DM, so it follows the attention rule (their switch, away, working hours, weekly budget)."""
    dms = []
    for prompt in prompts_due(session, now=now):
        message = prompt_dm(prompt.community, prompt.since)
        dms += [Dm(lead, "maturity", "maturity_prompt", prompt.key(lead), message, prompt_summary(prompt.community),
                   prompt.community.id) for lead in prompt.leads]
    done = handled_keys(session, [dm.key for dm in dms])
    fresh = [dm for dm in dms if dm.key not in done]
    return sum(outcome is Outcome.SEND for outcome in deliver_dms(session, fresh, now=now))
