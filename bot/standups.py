"""Posting a standup's summary, and telling its leads privately who did not answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks.standups import missing_dm, missing_summary, summary_message
from models.attention import Outcome
from models.deliveries import enqueue
from models.links import link_to
from models.people import display_names
from models.standups import StandupRun
from models.standups.runs import leads_to_tell


def post_summary(session: Session, *, run: StandupRun, now: dt.datetime, tell_leads: bool) -> int:
    """Queue the channel's summary and, when `tell_leads`, a DM to each lead naming who did not answer."""
    if run.summary is None:
        return 0
    community = run.standup.community
    message = summary_message(run.summary)
    queued = int(enqueue(session, key=f"standup:{run.id}:summary", team_id=community.team_id,
                         channel=community.channel_id, text=message.text, blocks=message.blocks,
                         kind="standup_summary", community_id=community.id, now=now,
                         link_to=link_to("standup_summary", run.id)))
    if tell_leads and run.summary["missing"]:
        private = missing_dm(run.summary)
        leads = leads_to_tell(session, run=run)
        names = display_names(session, team_id=community.team_id, user_ids=run.summary["missing"])
        summary = missing_summary(run.summary, names)
        dms = [Dm(lead, "standups", "standup_missing", f"standup:{run.id}:missing:{lead.user_id}", private, summary,
                  community.id) for lead in leads]
        outcomes = deliver_dms(session, dms, now=now)
        queued += sum(outcome is Outcome.SEND for outcome in outcomes)
    return queued
