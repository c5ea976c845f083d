"""Every id copbot gives a button, a modal or a block, in one place, so listeners and builders agree."""

from __future__ import annotations

import enum


class ActionId(enum.StrEnum):
    """`action_id` of interactive elements (buttons, selects) in messages, modals and App Home."""


class ViewId(enum.StrEnum):
    """`callback_id` of modals."""


class BlockId(enum.StrEnum):
    """`block_id` of input blocks whose values a modal submission reads."""
