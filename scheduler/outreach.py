"""Jobs that write to one person at a time: a newcomer's check-in after a week.

It only runs inside the person's working hours, honours what they turned off, and counts against
their weekly budget; what would go over it is held for their digest instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.orm import Session

from bot.attention import deliver_dm
from bot.blocks.nudges import checkin_message, checkin_summary
from models.attention import Outcome, dms_used, handled_keys
from models.hours import WorkingHours
from models.newcomers import checkin_key, checkins_due, public_welcome_key
from models.nudges import choose_invitation
from models.people import Person


def _budgets(session: Session, people: Iterable[Person], *, now: dt.datetime) -> dict[str, dict[str, int]]:
    """DMs used this week, per workspace and person: one query per workspace, not one per person."""
    by_team: dict[str, set[str]] = defaultdict(set)
    for person in people:
        by_team[person.team_id].add(person.user_id)
    return {team: dms_used(session, team_id=team, user_ids=users, now=now) for team, users in by_team.items()}


def send_checkins(*, session: Session, now: dt.datetime) -> int:
    """A week after someone was welcomed, if they have not contributed yet, one friendly check-in."""
    candidates = [m for m in checkins_due(session, now=now) if WorkingHours.of(m.person).contains(now)]
    welcomed = handled_keys(session, [public_welcome_key(m) for m in candidates])
    done = handled_keys(session, [checkin_key(m) for m in candidates])
    candidates = [m for m in candidates if public_welcome_key(m) in welcomed and checkin_key(m) not in done]
    used = _budgets(session, (m.person for m in candidates), now=now)
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
