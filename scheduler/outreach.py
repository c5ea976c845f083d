"""Jobs that write to one person at a time: a newcomer's check-in after a week, a quiet member's nudge.

Both only run inside the person's working hours, honour what they turned off, and count against
their weekly budget; what would go over it is held for their digest instead.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import deliver_dm
from bot.blocks.nudges import checkin_message, checkin_summary, nudge_message, nudge_summary
from models.attention import Outcome, dms_used_by_team, handled_keys
from models.hours import WorkingHours
from models.newcomers import checkin_key, checkins_due, public_welcome_key
from models.nudges import choose_invitation, nudge_key, nudges_due, record_nudge


def send_checkins(*, session: Session, now: dt.datetime) -> int:
    """A week after someone was welcomed, if they have not contributed yet, one friendly check-in."""
    candidates = [m for m in checkins_due(session, now=now) if WorkingHours.of(m.person).contains(now)]
    welcomed = handled_keys(session, [public_welcome_key(m) for m in candidates])
    done = handled_keys(session, [checkin_key(m) for m in candidates])
    candidates = [m for m in candidates if public_welcome_key(m) in welcomed and checkin_key(m) not in done]
    used = dms_used_by_team(session, (m.person for m in candidates), now=now)
    sent = 0
    for membership in candidates:
        person, community = membership.person, membership.community
        invitation = choose_invitation(session, community=community, person=person, now=now)
        outcome = deliver_dm(session, person=person, kind="newcomer", delivery_kind="checkin",
                             key=checkin_key(membership), message=checkin_message(person, community, invitation),
                             summary=checkin_summary(invitation), community_id=community.id, now=now,
                             used=used[person.team_id])
        sent += outcome is Outcome.SEND
    return sent


def send_nudges(*, session: Session, now: dt.datetime) -> int:
    """One small invitation to each quiet member whose working hours these are and who was not nudged lately."""
    due = nudges_due(session, now=now)
    used = dms_used_by_team(session, (q.person for q in due), now=now)
    sent = 0
    for quiet in due:
        person, community = quiet.person, quiet.community
        key = nudge_key(person=person, community_id=community.id, now=now)
        invitation = choose_invitation(session, community=community, person=person, now=now)
        outcome = deliver_dm(session, person=person, kind="nudge", delivery_kind="nudge", key=key,
                             message=nudge_message(quiet, invitation, now=now), summary=nudge_summary(invitation),
                             community_id=community.id, now=now, used=used[person.team_id])
        if outcome is not Outcome.MUTED:
            record_nudge(session, key=key, community_id=community.id, person_id=person.id,
                         invitation=invitation.kind, held=outcome is Outcome.HOLD, now=now)
        sent += outcome is Outcome.SEND
    return sent
