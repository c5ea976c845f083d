"""Jobs that write to people one by one: a newcomer's check-in after a week, a quiet member's nudge.

Both only run inside the person's working hours, honour what they turned off, and count against
their weekly budget; what would go over it is held for their digest instead. Each person's message
is their own, but what goes into them is read for everyone of a run at once, and written in batches.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks.nudges import checkin_message, checkin_summary, nudge_message, nudge_summary
from models.attention import Outcome, handled_keys
from models.hours import WorkingHours
from models.newcomers import checkin_key, checkins_due, public_welcome_key
from models.nudges import invitations, nudge_key, nudges_due, record_nudges


def send_checkins(*, session: Session, now: dt.datetime) -> int:
    """A week after someone was welcomed, if they have not contributed yet, one friendly check-in."""
    candidates = [m for m in checkins_due(session, now=now) if WorkingHours.of(m.person).contains(now)]
    welcomed = handled_keys(session, [public_welcome_key(m) for m in candidates])
    done = handled_keys(session, [checkin_key(m) for m in candidates])
    candidates = [m for m in candidates if public_welcome_key(m) in welcomed and checkin_key(m) not in done]
    offers = invitations(session, wanted=[(m.community, m.person) for m in candidates], now=now)
    dms = []
    for membership in candidates:
        person, community = membership.person, membership.community
        invitation = offers[community.id, person.id]
        dms.append(Dm(person, "newcomer", "checkin", checkin_key(membership),
                      checkin_message(person, community, invitation), checkin_summary(invitation), community.id))
    return sum(outcome is Outcome.SEND for outcome in deliver_dms(session, dms, now=now))


def send_nudges(*, session: Session, now: dt.datetime) -> int:
    """One small invitation to each quiet member whose working hours these are and who was not nudged lately."""
    due = nudges_due(session, now=now)
    offers = invitations(session, wanted=[(q.community, q.person) for q in due], now=now)
    dms = []
    for quiet in due:
        person, community = quiet.person, quiet.community
        invitation = offers[community.id, person.id]
        dms.append(Dm(person, "nudge", "nudge", nudge_key(person=person, community_id=community.id, now=now),
                      nudge_message(quiet, invitation, now=now), nudge_summary(invitation), community.id))
    outcomes = deliver_dms(session, dms, now=now)
    # Held for the digest counts as nudged, so the person is not asked again before the fortnight is up.
    record_nudges(session, nudges=[
        dict(key=dm.key, community_id=dm.community_id, person_id=dm.person.id,
             invitation=offers[dm.community_id, dm.person.id].kind, held=outcome is Outcome.HOLD)
        for dm, outcome in zip(dms, outcomes, strict=True) if outcome is not Outcome.MUTED], now=now)
    return sum(outcome is Outcome.SEND for outcome in outcomes)
