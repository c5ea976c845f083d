"""The weekly digest: a list of independent sections, each built from the records of one week.

A section builder is `(session, community, period, reader) -> Section | None`, returning None when
it has nothing to say. Shared sections ignore `reader` (they are built once and shown to everyone);
personal ones return None without a reader (the channel's copy). To add a section, write a builder
and put it in SECTIONS where it should appear: nothing else needs to change. A personal section is
better built for many readers at once (`build_for_readers`, as every personal section is now): the DM
job builds all of its readers' copies in a few statements rather than a few per reader.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from models.communities import Community
from models.digests.parts import Item, Reading, Section, SectionBuilder, SectionSpec
from models.digests.period import Period
from models.digests.sections import SECTIONS
from models.people import Person

__all__ = ["SECTIONS", "Digest", "Item", "Period", "Reading", "Section", "SectionBuilder", "SectionSpec",
           "build_digest", "personal_sections", "sections_for_readers", "shared_sections"]


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


def shared_sections(session: Session, *, community: Community, period: Period) -> list[Section]:
    """The sections everyone sees, built once per community and week."""
    return [s for spec in SECTIONS if not spec.personal and spec.build is not None
            if (s := spec.build(session, community, period, None)) is not None]


def sections_for_readers(session: Session, readings: Sequence[Reading]) -> dict[tuple[int, int], list[Section]]:
    """The personal sections built for many readers at once, by (community id, reader id)."""
    found: dict[tuple[int, int], list[Section]] = defaultdict(list)
    if not readings:
        return found
    for spec in SECTIONS:
        if spec.build_for_readers is not None:
            for key, built in spec.build_for_readers(session, readings).items():
                found[key].append(built)
    return found


def personal_sections(session: Session, *, community: Community, period: Period, reader: Person,
                      batched: Sequence[Section] | None = None) -> list[Section]:
    """The reader's own part; `batched` is what `sections_for_readers` already built for them."""
    if batched is None:
        reading = Reading(community, period, reader)
        batched = sections_for_readers(session, [reading]).get(reading.key, [])
    return [s for spec in SECTIONS if spec.personal and spec.build is not None
            if (s := spec.build(session, community, period, reader)) is not None] + list(batched)


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
