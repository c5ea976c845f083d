"""A community's Terms of Reference, written together: a draft its leads and secretaries edit, a proposal
members agree or object to, and the ratified text newcomers are shown. Every version is kept.

`terms_of_reference` holds the ratified text (what `/cop tor` and the welcome show); `tor_versions` holds
every version, the draft included, with who proposed and ratified it and how many agreed and objected;
`tor_edits` says who changed which field of which version, to what, and when; `tor_answers` holds each
member's one answer to a proposal.
"""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.errors import BadArgument, NotPermitted
from models.people import Person

# In the order they are shown, with what each answers.
TOR_FIELDS: dict[str, str] = {
    "title": "Title",
    "purpose": "Why we exist",
    "objectives": "What we set out to achieve",
    "scope": "What we cover",
    "members": "Who it is for, and the key roles",
    "cadence": "How often we meet",
    "guests": "Who we invite from the business",
}
MAX_FIELD = 1000
MAX_REASON = 500
DEFAULT_PROPOSAL_DAYS = 7
MAX_PROPOSAL_DAYS = 30
REVIEW_EVERY_YEARS = 1


class TermsFields:
    """The seven fields, shared by the ratified text and every version."""

    title: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    purpose: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    objectives: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    scope: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    members: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    cadence: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    guests: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)

    def filled(self) -> list[tuple[str, str]]:
        """(field, text) of the fields that are set, in the order they are shown."""
        return [(name, getattr(self, name)) for name in TOR_FIELDS if getattr(self, name)]


class TermsOfReference(TermsFields, Base):
    """The ratified text: what `/cop tor` and newcomers see."""

    __tablename__ = "terms_of_reference"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"      # put to the community; answers are taken until closes_at
    RATIFIED = "ratified"      # the text in force
    SUPERSEDED = "superseded"  # was in force; a later version was ratified
    SET_ASIDE = "set-aside"    # proposed, never ratified; the draft went on from it


class TermsVersion(TermsFields, Base):
    __tablename__ = "tor_versions"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(str_enum(VersionStatus), default=VersionStatus.DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column()
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closes_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    ratified_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    ratified_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The answers when it was ratified or set aside (live counts come from tor_answers until then).
    agreed: Mapped[int | None] = mapped_column(Integer, default=None)
    objected: Mapped[int | None] = mapped_column(Integer, default=None)

    def takes_answers(self, now: dt.datetime) -> bool:
        return self.status == VersionStatus.PROPOSED and self.closes_at is not None and now < self.closes_at


class TermsEdit(Base):
    """Who changed a field of a version, to what, and when."""

    __tablename__ = "tor_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("tor_versions.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column()


class TermsAnswer(Base):
    """One member's answer to a proposal: agree, or object with a reason; changeable until it closes."""

    __tablename__ = "tor_answers"
    __table_args__ = (UniqueConstraint("version_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("tor_versions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    agree: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(MAX_REASON), default=None)
    at: Mapped[dt.datetime] = mapped_column()


def terms_of(session: Session, *, community: Community) -> TermsOfReference | None:
    """The ratified text, if it says anything."""
    terms = session.get(TermsOfReference, community.id)
    return terms if terms is not None and terms.filled() else None


def _latest(session: Session, community: Community, *statuses: VersionStatus) -> TermsVersion | None:
    return session.scalars(select(TermsVersion).where(
        TermsVersion.community_id == community.id, TermsVersion.status.in_(list(statuses)))
        .order_by(TermsVersion.number.desc()).limit(1)).first()


def draft_of(session: Session, *, community: Community) -> TermsVersion | None:
    return _latest(session, community, VersionStatus.DRAFT)


def proposal_of(session: Session, *, community: Community) -> TermsVersion | None:
    """The proposal awaiting ratification, open for answers or not."""
    return _latest(session, community, VersionStatus.PROPOSED)


def _copy_fields(source: TermsFields | None, target: TermsFields) -> None:
    for name in TOR_FIELDS:
        setattr(target, name, getattr(source, name) if source is not None else None)


def answer_counts(session: Session, *, version: TermsVersion) -> tuple[int, int]:
    """(agreed, objected): frozen once ratified or set aside, live before."""
    if version.agreed is not None and version.objected is not None:
        return version.agreed, version.objected
    rows = dict(session.execute(select(TermsAnswer.agree, func.count()).where(
        TermsAnswer.version_id == version.id).group_by(TermsAnswer.agree)).all())
    return rows.get(True, 0), rows.get(False, 0)


def _freeze(session: Session, version: TermsVersion) -> None:
    version.agreed, version.objected = answer_counts(session, version=version)


def set_term(session: Session, *, community: Community, field: str, text: str, by: Person,
             now: dt.datetime) -> TermsVersion:
    """Set one field of the draft (its leads and secretaries: the caller checks); empty text clears it.

    The first edit starts the draft from the ratified text, or from a proposal that closed unratified
    (which is then set aside). While a proposal takes answers its text cannot change under the voters.
    """
    field = field.lower()
    if field not in TOR_FIELDS:
        raise BadArgument(f"The Terms of Reference have no field “{field[:30]}”; use one of "
                          f"{', '.join(TOR_FIELDS)}.")
    text = " ".join(text.split())
    if len(text) > MAX_FIELD:
        raise BadArgument(f"That is {len(text)} characters long; keep each field to {MAX_FIELD}.")
    draft = draft_of(session, community=community)
    if draft is None:
        proposal = proposal_of(session, community=community)
        if proposal is not None and proposal.takes_answers(now):
            raise NotPermitted("The draft is out for answers until the proposal closes; a lead can ratify it "
                               "(`/cop tor ratify`) or wait for it to close, then edit again.")
        if proposal is not None:
            _freeze(session, proposal)
            proposal.status = VersionStatus.SET_ASIDE
        draft = TermsVersion(community_id=community.id, number=_next_number(session, community), created_at=now,
                             status=VersionStatus.DRAFT)
        _copy_fields(proposal or session.get(TermsOfReference, community.id), draft)
        session.add(draft)
    setattr(draft, field, text or None)
    session.flush()
    session.add(TermsEdit(version_id=draft.id, field=field, text=text or None, by_id=by.id, at=now))
    session.flush()
    return draft


def _next_number(session: Session, community: Community) -> int:
    return (session.scalar(select(func.max(TermsVersion.number)).where(
        TermsVersion.community_id == community.id)) or 0) + 1


def propose(session: Session, *, community: Community, by: Person, days: int, now: dt.datetime) -> TermsVersion:
    """Put the draft to the community for `days` days (leads: the caller checks)."""
    if not 1 <= days <= MAX_PROPOSAL_DAYS:
        raise BadArgument(f"Keep a proposal open for 1 to {MAX_PROPOSAL_DAYS} days.")
    if proposal_of(session, community=community) is not None:
        raise BadArgument("A proposal already awaits ratification: `/cop tor ratify` it first.")
    draft = draft_of(session, community=community)
    if draft is None or not draft.filled():
        raise BadArgument("There is no draft to propose: write one first with `/cop tor set <field> <text>`.")
    draft.status = VersionStatus.PROPOSED
    draft.proposed_by_id, draft.proposed_at = by.id, now
    draft.closes_at = now + dt.timedelta(days=days)
    session.flush()
    return draft


def answer(session: Session, *, version: TermsVersion, person: Person, agree: bool, reason: str | None,
           now: dt.datetime) -> None:
    """Record or change a person's one answer while the proposal takes answers."""
    if not version.takes_answers(now):
        raise NotPermitted("This proposal no longer takes answers.")
    if person.is_bot:
        raise NotPermitted("Bots don't answer proposals.")
    reason = " ".join((reason or "").split()) or None
    if not agree and not reason:
        raise BadArgument("Say why you object, so that the draft can meet it.")
    if reason and len(reason) > MAX_REASON:
        raise BadArgument(f"Keep the reason to {MAX_REASON} characters.")
    row = session.scalars(select(TermsAnswer).where(TermsAnswer.version_id == version.id,
                                                    TermsAnswer.person_id == person.id)).one_or_none()
    if row is None:
        row = TermsAnswer(version_id=version.id, person_id=person.id, agree=agree)
        session.add(row)
    row.agree, row.reason, row.at = agree, None if agree else reason, now
    session.flush()


def ratify(session: Session, *, community: Community, by: Person, now: dt.datetime) -> TermsVersion:
    """Make the proposal the text in force (leads: the caller checks); answers stop there."""
    proposal = proposal_of(session, community=community)
    if proposal is None:
        raise BadArgument("There is no proposal to ratify: a lead puts the draft to the community first with "
                          "`/cop tor propose`.")
    current = _latest(session, community, VersionStatus.RATIFIED)
    if current is not None:
        current.status = VersionStatus.SUPERSEDED
    _freeze(session, proposal)
    proposal.status = VersionStatus.RATIFIED
    proposal.ratified_by_id, proposal.ratified_at = by.id, now
    if proposal.closes_at is not None and proposal.closes_at > now:
        proposal.closes_at = now
    terms = session.get(TermsOfReference, community.id)
    if terms is None:
        terms = TermsOfReference(community_id=community.id)
        session.add(terms)
    _copy_fields(proposal, terms)
    terms.updated_by_id, terms.updated_at = by.id, now
    session.flush()
    return proposal


def get_version(session: Session, *, team_id: str, version_id: int) -> TermsVersion:
    version = session.get(TermsVersion, version_id)
    community = session.get(Community, version.community_id) if version is not None else None
    if version is None or community is None or community.team_id != team_id:
        raise BadArgument("That proposal is gone.")
    return version


def history(session: Session, *, community: Community) -> tuple[list[TermsVersion], dict[int, list[TermsEdit]]]:
    """Every version, newest first, and each one's edits in order: two queries."""
    versions = list(session.scalars(select(TermsVersion).where(TermsVersion.community_id == community.id)
                                    .order_by(TermsVersion.number.desc())))
    edits: dict[int, list[TermsEdit]] = {version.id: [] for version in versions}
    if versions:
        for edit in session.scalars(select(TermsEdit).where(TermsEdit.version_id.in_(list(edits)))
                                    .order_by(TermsEdit.id)):
            edits[edit.version_id].append(edit)
    return versions, edits


def names_of(session: Session, *, person_ids: set[int]) -> dict[int, str]:
    """Display names by person id, in one query; someone without one is "someone"."""
    if not person_ids:
        return {}
    return {person_id: name or "someone" for person_id, name in session.execute(
        select(Person.id, Person.display_name).where(Person.id.in_(sorted(person_ids))))}


def reviews_due(session: Session, *, now: dt.datetime) -> list[tuple[TermsVersion, int]]:
    """Ratified versions a year old or more, each with the year its review falls due in (its anniversary's).

    The anniversary is on the community's own clock, as its year is for KPIs: terms ratified on 10 March in
    Auckland come up for review on 10 March there, though it is still 9 March in UTC.
    """
    due = []
    # A local year can be a little shorter than 365 days of UTC (a zone's offset changes); the exact test is below.
    for version, timezone in session.execute(
            select(TermsVersion, Community.timezone).join(Community, Community.id == TermsVersion.community_id)
            .where(TermsVersion.status == VersionStatus.RATIFIED,
                   TermsVersion.ratified_at <= now - dt.timedelta(days=363)).order_by(TermsVersion.id)):
        zone = ZoneInfo(timezone)
        today = now.astimezone(zone)
        ratified = (version.ratified_at or now).astimezone(zone)
        years = today.year - ratified.year - ((today.month, today.day) < (ratified.month, ratified.day))
        if years >= REVIEW_EVERY_YEARS:
            due.append((version, ratified.year + years))
    return due
