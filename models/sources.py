"""The Slack message a record came from, by channel and ts: one record per message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    channel: str
    ts: str
    permalink: str | None = None

    @property
    def key(self) -> str:
        return f"message:{self.channel}:{self.ts}"
