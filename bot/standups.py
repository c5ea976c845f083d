"""Posting a standup's summary, and telling its leads privately who did not answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.blocks.standups import missing_dm, summary_message
from models.deliveries import enqueue
from models.links import link_to
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
        for lead in leads_to_tell(session, run=run):
            queued += enqueue(session, key=f"standup:{run.id}:missing:{lead.user_id}", team_id=community.team_id,
                              channel=lead.user_id, text=private.text, blocks=private.blocks, kind="standup_missing",
                              community_id=community.id, now=now)
    return queued
