"""Every id copbot gives a button, a modal or a block, in one place, so listeners and builders agree."""

from __future__ import annotations

import enum


class ActionId(enum.StrEnum):
    """`action_id` of interactive elements (buttons, selects) in messages, modals and App Home."""

    ACTION_CLAIM = "action_claim"
    ACTION_DONE = "action_done"
    ACTION_DECLINE = "action_decline"
    LESSON_RECORD = "lesson_record"
    LESSON_TEXT = "lesson_text"
    LESSON_TAGS = "lesson_tags"


class ViewId(enum.StrEnum):
    """`callback_id` of modals."""

    LESSON = "lesson"


class BlockId(enum.StrEnum):
    """`block_id` of input blocks whose values a modal submission reads."""

    LESSON_TEXT = "lesson_text"
    LESSON_TAGS = "lesson_tags"
