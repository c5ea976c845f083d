"""The weekly digest: a list of independent sections, each built from the records of one week.

A section is shared (the same for everyone who reads a community's week, the channel included) or
personal (each reader's own part of their DM copy). Both kinds are built for many at once: a shared
section for many weeks of many communities (`build_for_weeks`), a personal one for many readers
(`build_for_readers`), each in a statement or two whatever their number, so that a Monday morning of
two hundred communities and thousands of readers costs a job a few dozen statements. A builder leaves
out whom it has nothing to say to. To add a section, write a builder and put it in SECTIONS where it
should appear: nothing else needs to change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from models.communities import Community
from models.digests.parts import Item, Reading, Section, SectionSpec, Week
from models.digests.period import Period
from models.digests.sections import SECTIONS
from models.people import Person

__all__ = ["SECTIONS", "Digest", "Item", "Period", "Reading", "Section", "SectionSpec", "Week",
           "build_digest", "personal_sections", "sections_for_readers", "sections_for_weeks", "shared_sections"]


@dataclass(frozen=True)
class Digest:
    community: Community
    period: Period
    sections: tuple[Section, ...]
    reader: Person | None = None
    releases: tuple[int, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """Nothing happened that week (what is coming up alone is not news)."""
        return not any(section.news for section in self.sections)


def _each_section(session: Session, found: dict[Any, list[Section]], many: Sequence[Any],
                  builder: Callable[[SectionSpec], Any]) -> dict[Any, list[Section]]:
    """Every section's builder (`builder(spec)`, None where the section is of the other kind) run once on
    `many`, its sections added to `found` by key, in the order of the page."""
    if many:
        for spec in SECTIONS:
            if (build := builder(spec)) is not None:
                for key, built in build(session, many).items():
                    found[key].append(built)
    return found


def sections_for_weeks(session: Session, weeks: Sequence[Week]) -> dict[tuple[int, Period], list[Section]]:
    """The sections everyone sees, for many weeks at once, by Week.key."""
    unique = list({week.key: week for week in weeks}.values())
    return _each_section(session, {week.key: [] for week in unique}, unique, lambda spec: spec.build_for_weeks)


def shared_sections(session: Session, *, community: Community, period: Period) -> list[Section]:
    """The sections everyone sees of one community's week."""
    week = Week(community, period)
    return sections_for_weeks(session, [week])[week.key]


def sections_for_readers(session: Session, readings: Sequence[Reading]) -> dict[tuple[int, int], list[Section]]:
    """The personal sections built for many readers at once, by (community id, reader id)."""
    return _each_section(session, defaultdict(list), readings, lambda spec: spec.build_for_readers)


def personal_sections(session: Session, *, community: Community, period: Period, reader: Person,
                      batched: Sequence[Section] | None = None) -> list[Section]:
    """The reader's own part; `batched` is what `sections_for_readers` already built for them."""
    if batched is not None:
        return list(batched)
    reading = Reading(community, period, reader)
    return sections_for_readers(session, [reading]).get(reading.key, [])


def build_digest(session: Session, *, community: Community, period: Period, reader: Person | None = None,
                 shared: Sequence[Section] | None = None, batched: Sequence[Section] | None = None) -> Digest:
    """The digest of one week: the channel's copy without a reader, a member's DM copy with one."""
    built = list(shared) if shared is not None else shared_sections(session, community=community, period=period)
    if reader is not None:
        built += personal_sections(session, community=community, period=period, reader=reader, batched=batched)
    order = {spec.key: n for n, spec in enumerate(SECTIONS)}
    built.sort(key=lambda s: order.get(s.key, len(order)))
    releases = tuple(i for s in built for i in s.releases)
    return Digest(community, period, tuple(built), reader, releases)
