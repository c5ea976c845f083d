"""The weekly digest: a list of independent sections, each built from the records of one week.

A section builder is `(session, community, period, reader) -> Section | None`, returning None when
it has nothing to say. Shared sections ignore `reader` (they are built once and shown to everyone);
personal ones return None without a reader (the channel's copy). To add a section, write a builder
and put it in SECTIONS where it should appear: nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from models.communities import Community
from models.digests.parts import Item, Section, SectionBuilder, SectionSpec
from models.digests.period import Period
from models.digests.sections import SECTIONS
from models.people import Person

__all__ = ["SECTIONS", "Digest", "Item", "Period", "Section", "SectionBuilder", "SectionSpec", "build_digest",
           "personal_sections", "shared_sections"]


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
    return [s for spec in SECTIONS if not spec.personal
            if (s := spec.build(session, community, period, None)) is not None]


def personal_sections(session: Session, *, community: Community, period: Period, reader: Person) -> list[Section]:
    return [s for spec in SECTIONS if spec.personal
            if (s := spec.build(session, community, period, reader)) is not None]


def build_digest(session: Session, *, community: Community, period: Period, reader: Person | None = None,
                 shared: Sequence[Section] | None = None) -> Digest:
    """The digest of one week: the channel's copy without a reader, a member's DM copy with one."""
    built = list(shared) if shared is not None else shared_sections(session, community=community, period=period)
    if reader is not None:
        built += personal_sections(session, community=community, period=period, reader=reader)
    order = {spec.key: n for n, spec in enumerate(SECTIONS)}
    built.sort(key=lambda s: order.get(s.key, len(order)))
    releases = tuple(i for s in built for i in s.releases)
    return Digest(community, period, tuple(built), reader, releases)
