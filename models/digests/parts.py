"""The pieces a digest is made of, in plain data: the renderer decides how they look in Slack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.communities import Community
from models.digests.period import Period
from models.people import Person

MAX_ITEMS = 10  # items a section lists before "…and N more"


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
class Reading:
    """One reader's copy of one community's digest for one week."""

    community: Community
    period: Period
    reader: Person

    @property
    def key(self) -> tuple[int, int]:
        return self.community.id, self.reader.id


# A personal section built for many readers in a few statements: (community id, reader id) -> their section.
ReadersBuilder = Callable[[Session, Sequence[Reading]], dict[tuple[int, int], Section]]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    build: SectionBuilder | None = None
    personal: bool = False
    # Instead of `build`, for a personal section that the DM job builds for all of its readers at once.
    build_for_readers: ReadersBuilder | None = None
