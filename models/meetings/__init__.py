"""Meetings: series and their occurrences, RSVPs, agendas, what a meeting recorded, and its minutes."""

from models.meetings.agenda import AgendaItem, AgendaStatus
from models.meetings.occurrences import MeetingOccurrence, upcoming_meetings
from models.meetings.records import Attendance, AttendedBy, Decision, MeetingNote
from models.meetings.reminders import DueReminder, Rsvp, RsvpAnswer, due_reminders
from models.meetings.series import (
    DEFAULT_DURATION,
    MAX_REMINDER_OFFSET,
    MAX_TITLE,
    Meeting,
    Occurrence,
    schedule_meeting,
    validate_title,
)

__all__ = [
    "DEFAULT_DURATION", "MAX_REMINDER_OFFSET", "MAX_TITLE", "AgendaItem", "AgendaStatus", "Attendance",
    "AttendedBy", "Decision", "DueReminder", "Meeting", "MeetingNote", "MeetingOccurrence", "Occurrence",
    "Rsvp", "RsvpAnswer", "due_reminders", "schedule_meeting", "upcoming_meetings", "validate_title",
]
