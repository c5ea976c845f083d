"""Standups: in the channel now, or asked by DM on chosen days at each member's own local time."""

from models.standups.tables import DEFAULT_QUESTIONS, Standup, StandupAnswer, StandupRun

__all__ = ["DEFAULT_QUESTIONS", "Standup", "StandupAnswer", "StandupRun"]
