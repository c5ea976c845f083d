"""What an archived channel's held posts become when it comes back: the lasting ones go out, the time-bound ones
whose moment has passed are dropped as expired, with the reason, and the lead sees them listed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.blocks.outbox import outbox_list
from models import Delivery, DeliveryStatus
from models.deliveries import due_heads, enqueue
from models.digests.due import channel_key
from models.lifecycle import (
    DIGEST_SUPERSEDED,
    MEETING_BEGUN,
    STANDUP_CLOSED,
    archive_community,
    unarchive_community,
)
from models.meetings.reminders import occurrence_in_key
from models.standups.settings import standup_for
from models.standups.tables import StandupRun
from models.undelivered import undelivered, undelivered_counts
from tests import factories
from tests.conftest import TEAM

DAY = dt.timedelta(days=1)
ARCHIVED = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
BACK = ARCHIVED + 10 * DAY


def test_time_bound_posts_past_their_moment_expire_with_a_reason_and_lasting_ones_go(session):
    place = factories.community(session, team_id=TEAM, now=ARCHIVED - 30 * DAY)
    standup = standup_for(session, community=place)
    closed = StandupRun(standup_id=standup.id, started_at=ARCHIVED, closes_at=ARCHIVED + DAY,
                        closed_at=ARCHIVED + DAY)
    running = StandupRun(standup_id=standup.id, started_at=BACK - DAY, closes_at=BACK + DAY)
    session.add_all([closed, running])
    session.flush()
    begun, to_come = ARCHIVED + 2 * DAY, BACK + 2 * DAY
    reminder_key = "reminder:{meeting}:{at:%Y%m%dT%H%MZ}:1440m:CDEVOPS"
    posts = {
        # Time-bound, and past: dropped.
        "old reminder": ("reminder", reminder_key.format(meeting=7, at=begun), ARCHIVED),
        "old digest": ("digest", channel_key(place.id, "2027-W09"), ARCHIVED),
        "closed standup": ("announcement", f"standup:{closed.id}:thread", ARCHIVED),
        "closed standup answer": ("standup_update", f"standup:{closed.id}:update:3:1", ARCHIVED),
        # Time-bound, and still to come: they go.
        "new reminder": ("reminder", reminder_key.format(meeting=8, at=to_come), BACK - DAY),
        "new digest": ("digest", channel_key(place.id, "2027-W10"), BACK - 2 * DAY),
        "running standup": ("announcement", f"standup:{running.id}:thread", BACK - DAY),
        # Lasting: they go however late.
        "card": ("action", "action:1:card", ARCHIVED),
        "decision": ("decision", "decision:1", ARCHIVED),
        "summary": ("standup_summary", f"standup:{closed.id}:summary", ARCHIVED + DAY),
    }
    assert occurrence_in_key(posts["old reminder"][1]) is not None  # the key is a reminder's, as the job writes it
    archive_community(session, community=place, now=ARCHIVED)
    for text, (kind, key, at) in posts.items():
        enqueue(session, key=key, team_id=TEAM, channel="CDEVOPS", text=text, kind=kind, community_id=place.id,
                now=at)
    assert due_heads(session, now=BACK) == []  # held while archived

    assert unarchive_community(session, community=place, now=BACK) == 4
    found = {d.text: (d.status, d.last_error) for d in session.scalars(select(Delivery))}
    assert {text: why for text, (status, why) in found.items() if status is DeliveryStatus.EXPIRED} == {
        "old reminder": MEETING_BEGUN, "old digest": DIGEST_SUPERSEDED,
        "closed standup": STANDUP_CLOSED, "closed standup answer": STANDUP_CLOSED}
    assert {text for text, (status, _) in found.items() if status is DeliveryStatus.PENDING} == {
        "new reminder", "new digest", "running standup", "card", "decision", "summary"}
    assert due_heads(session, now=BACK) != []  # what lasts goes out now
    # The lead sees what was dropped, and why.
    listed = outbox_list(place, undelivered(session, community_id=place.id, now=BACK),
                         undelivered_counts(session, community_id=place.id, now=BACK)).blocks
    shown = str(listed)
    assert "(4 out of date)" in shown
    assert "not posted, expired: its meeting had begun when the channel came back" in shown
    assert "old digest" in shown and "card" not in shown
