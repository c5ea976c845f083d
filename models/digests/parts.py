"""The pieces a digest is made of, in plain data: the renderer decides how they look in Slack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.communities import Community
from models.digests.period import Period
from models.people import Person


@dataclass(frozen=True)
class Item:
    """One line of a section. Every string is the record's own text: the renderer escapes it."""

    text: str
    ref: str | None = None  # a short id, e.g. "#12"
    when: dt.datetime | None = None  # shown in each reader's own time zone
    when_label: str = ""  # what the time is: "due", "starts"...
    note: str | None = None  # a few plain words after the text: "owner: Dana"
    link: str | None = None  # a URL for the text (minutes, a message)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...] = ()
    total: int | None = None  # how many there were, when the builder kept only the first few
    summary: str | None = None  # one plain line above the items
    news: bool = True  # whether it alone makes the week worth more than a one-line "quiet week"
    releases: tuple[int, ...] = ()  # held notices this section shows, released once the digest is queued

    @property
    def more(self) -> int:
        return max((self.total or 0) - len(self.items), 0)


SectionBuilder = Callable[[Session, Community, Period, Person | None], Section | None]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    build: SectionBuilder
    personal: bool = False
