"""Every id copbot gives a button, a modal or a block, in one place, so listeners and builders agree."""

from __future__ import annotations

import enum


class ActionId(enum.StrEnum):
    """`action_id` of interactive elements (buttons, selects) in messages, modals and App Home."""

    # The button at the end of every unasked-for direct message; its value is the kind to turn off.
    MUTE_DM_KIND = "dm.mute_kind"


class ViewId(enum.StrEnum):
    """`callback_id` of modals."""


class BlockId(enum.StrEnum):
    """`block_id` of input blocks whose values a modal submission reads."""
