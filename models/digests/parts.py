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
    helped_id: int | None = None  # a knowledge item readers can say helped them ("This helped")


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


@dataclass(frozen=True)
class Week:
    """One community's digest of one week: what its shared sections are built for."""

    community: Community
    period: Period

    @property
    def key(self) -> tuple[int, Period]:
        return self.community.id, self.period


# A shared section built for many weeks (of many communities) in a few statements: Week.key -> its section.
WeeksBuilder = Callable[[Session, Sequence[Week]], dict[tuple[int, Period], Section]]


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
    """A section of the page: shared (`build_for_weeks`, the same for every reader of a week) or personal
    (`build_for_readers`, each reader's own). Both build for many at once, so no job costs a statement per
    community or per reader."""

    key: str
    build_for_weeks: WeeksBuilder | None = None
    build_for_readers: ReadersBuilder | None = None
