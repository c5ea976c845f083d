"""When the newsletter is drafted: on the first working day of each month, from the start of the working
day, on the clock of an overall lead (the one copbot has known longest) or, with none known, the workspace
default (09:00-17:00, Monday to Friday, UTC)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.hours import WorkingHours
from models.newsletter.content import Month
from models.people import Person, overall_lead_clause

# A draft missed while copbot was down is still worth making for a few days; after that the month has moved on.
LATE_BY = dt.timedelta(days=5)
DEFAULT_HOURS = WorkingHours(tz="UTC")


def newsletter_hours(session: Session, *, team_id: str, admin_ids: frozenset[str] = frozenset()) -> WorkingHours:
    lead = session.scalars(select(Person).where(Person.team_id == team_id, overall_lead_clause(admin_ids),
                                                Person.deleted.is_(False), Person.is_bot.is_(False))
                           .order_by(Person.id).limit(1)).first()
    return WorkingHours.of(lead) if lead is not None else DEFAULT_HOURS


def first_working_day(month: Month, days: str) -> dt.date:
    day = month.first_day
    while str(day.isoweekday()) not in (days or "12345"):
        day += dt.timedelta(days=1)
    return day


def drafting_starts(month: Month, hours: WorkingHours) -> dt.datetime:
    """The start of the working day on the month's first working day, in UTC."""
    return dt.datetime.combine(first_working_day(month, hours.days), hours.start, hours.zone).astimezone(dt.UTC)


def month_due(hours: WorkingHours, *, now: dt.datetime) -> Month | None:
    """The month whose newsletter is due to be drafted at `now` (the one before this), or None."""
    this = Month.of(now, hours.tz)
    starts = drafting_starts(this, hours)
    return this.previous() if starts <= now < starts + LATE_BY else None


def last_complete_month(hours: WorkingHours, *, now: dt.datetime) -> Month:
    return Month.of(now, hours.tz).previous()
