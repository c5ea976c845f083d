"""Maturity self-assessments: a lead opens one, members answer, and only aggregates ever come out.

How answers are kept so that no one's can be read back, said plainly:
- While an assessment is open, each answer set is one row keyed by HMAC-SHA256(the assessment's random secret,
  the member's Slack id): enough to find a returning member's row, so that answering again replaces their
  answers rather than adding a second set, and nothing that names them. No command shows an open
  assessment's answers, not even counted (counts watched before and after someone answers would give them away).
- When it closes, the answers are counted per dimension and stage into the assessment's own row, then the
  answer rows and the secret are deleted: from then on there is nothing per person to read, only how many
  chose each stage. Fewer than `MIN_ANSWERS` answers are not counted at all, only their number kept.
- Neither table is in any export (`/cop export`); forget-me has nothing of a person here to erase.
- The request log (`inbox`) keeps each request a day, to recognise Slack's replays; the answers are taken out of
  the stored form in the transaction that records them (`forget_form`).
What this does not hide: while it is open, someone who can read the database can compute each member's key
with the stored secret, and read a submitted form in the request log in the moment before it is worked on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.communities import Community
from models.errors import BadArgument, NotPermitted
from models.inbox import InboxItem
from models.maturity.model import DIMENSION_KEYS, DIMENSIONS, STAGES
from models.numbers import whole_number
from models.people import Person, require_member

DEFAULT_OPEN_DAYS = 14
MAX_OPEN_DAYS = 60
# Fewer answers than this and any count could point at a person: results are shown only from this many.
MIN_ANSWERS = 3


class MaturityAssessment(Base):
    __tablename__ = "maturity_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    opened_at: Mapped[dt.datetime] = mapped_column()
    closes_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The HMAC key of the answers while open; erased when it closes.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    # Set when it closes: how many answered, and, from MIN_ANSWERS of them, how many chose each stage of
    # each dimension ({"purpose": [founding, developing, maturing, sustaining, transforming], ...}).
    answered: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    def is_open(self, now: dt.datetime) -> bool:
        return self.closed_at is None and now < self.closes_at


class MaturityAnswer(Base):
    """One member's answers to an open assessment, under their keyed hash; deleted when it closes."""

    __tablename__ = "maturity_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("maturity_assessments.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    stages: Mapped[list[Any]] = mapped_column()  # the stage (1-5) chosen for each dimension, in DIMENSIONS' order


def voter_key(secret: bytes, user_id: str) -> str:
    return hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()


def open_days(word: str) -> int:
    word = word.strip()
    if not word:
        return DEFAULT_OPEN_DAYS
    days = whole_number(word, digits=2)
    if days is None or not 1 <= days <= MAX_OPEN_DAYS:
        raise BadArgument(f"Say for how many days it stays open, from 1 to {MAX_OPEN_DAYS} "
                          f"({DEFAULT_OPEN_DAYS} unless you say), e.g. `/cop maturity start 10`.")
    return days


def open_assessment(session: Session, *, community: Community) -> MaturityAssessment | None:
    return session.scalars(select(MaturityAssessment).where(
        MaturityAssessment.community_id == community.id, MaturityAssessment.closed_at.is_(None))
        .order_by(MaturityAssessment.id.desc()).limit(1)).first()


def start(session: Session, *, community: Community, by: Person, days: int, now: dt.datetime) -> MaturityAssessment:
    """Open an assessment for `days`; one at a time per community."""
    current = open_assessment(session, community=community)
    if current is not None:
        raise BadArgument(f"An assessment of *{community.name}* is already open; `/cop maturity` shows how many "
                          "have answered and when it closes.")
    assessment = MaturityAssessment(team_id=community.team_id, community_id=community.id, opened_by_id=by.id,
                                    opened_at=now, closes_at=now + dt.timedelta(days=days),
                                    secret=secrets.token_bytes(32))
    session.add(assessment)
    session.flush()
    return assessment


def get_assessment(session: Session, *, team_id: str, assessment_id: int) -> MaturityAssessment:
    assessment = session.get(MaturityAssessment, assessment_id)
    if assessment is None or assessment.team_id != team_id:
        raise BadArgument("That button no longer points at an assessment.")
    return assessment


def check_stages(stages: Sequence[int]) -> None:
    if len(stages) != len(DIMENSIONS) or any(not 1 <= stage <= len(STAGES) for stage in stages):
        raise BadArgument(f"Choose a stage for each of the {len(DIMENSIONS)} dimensions.")


def answer(session: Session, *, assessment: MaturityAssessment, community: Community, person: Person,
           stages: Sequence[int], now: dt.datetime) -> bool:
    """Record or replace the member's answers; True if they had answered before."""
    if not assessment.is_open(now) or assessment.secret is None:
        raise NotPermitted("This assessment has closed; its results are on its message.")
    if person.is_bot:
        raise NotPermitted("Bots don't answer.")
    require_member(session, community=community, person=person)
    check_stages(stages)
    key = voter_key(assessment.secret, person.user_id)
    current = session.scalars(select(MaturityAnswer).where(
        MaturityAnswer.assessment_id == assessment.id, MaturityAnswer.voter_key == key)).one_or_none()
    if current is not None:
        current.stages = list(stages)
        session.flush()
        return True
    session.add(MaturityAnswer(team_id=assessment.team_id, assessment_id=assessment.id, voter_key=key,
                               stages=list(stages)))
    session.flush()
    return False


def forget_form(session: Session, *, request_key: str) -> None:
    """Take the chosen stages out of the stored request that carried them (its key stays, so that a replay of
    it is still recognised): the request log is not a way round the keyed hash."""
    item = session.scalars(select(InboxItem).where(InboxItem.key == request_key)).one_or_none()
    if item is None:
        return
    view = dict(item.body.get("view") or {})
    view["state"] = {"values": {}}
    item.body = {**item.body, "view": view}
    session.flush()


def answered_so_far(session: Session, *, assessment: MaturityAssessment) -> int:
    if assessment.closed_at is not None:
        return assessment.answered
    return session.scalars(select(func.count()).select_from(MaturityAnswer)
                           .where(MaturityAnswer.assessment_id == assessment.id)).one()


def tally(rows: Sequence[Sequence[int]]) -> dict[str, list[int]]:
    """How many chose each stage of each dimension."""
    counts = {key: [0] * len(STAGES) for key in DIMENSION_KEYS}
    for stages in rows:
        for key, stage in zip(DIMENSION_KEYS, stages, strict=True):
            counts[key][stage - 1] += 1
    return counts


def due_assessments(session: Session, *, now: dt.datetime) -> list[MaturityAssessment]:
    return list(session.scalars(select(MaturityAssessment).where(
        MaturityAssessment.closed_at.is_(None), MaturityAssessment.closes_at <= now).order_by(MaturityAssessment.id)))


def close(session: Session, *, assessments: Sequence[MaturityAssessment], now: dt.datetime) -> None:
    """Count each one's answers into its row, then delete the answers and the secret: from here on only the
    counts remain, and none at all when fewer than MIN_ANSWERS answered."""
    ids = [assessment.id for assessment in assessments]
    if not ids:
        return
    answers: dict[int, list[list[int]]] = {}
    for assessment_id, stages in session.execute(select(MaturityAnswer.assessment_id, MaturityAnswer.stages)
                                                 .where(MaturityAnswer.assessment_id.in_(ids))):
        answers.setdefault(assessment_id, []).append(list(stages))
    for assessment in assessments:
        rows = answers.get(assessment.id, [])
        assessment.answered = len(rows)
        assessment.counts = tally(rows) if len(rows) >= MIN_ANSWERS else None
        assessment.secret = None
        assessment.closed_at = now
    session.execute(delete(MaturityAnswer).where(MaturityAnswer.assessment_id.in_(ids)),
                    execution_options={"synchronize_session": False})
    session.flush()


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    counts: tuple[int, ...]
    median: float
    mean: float


def median_of(counts: Sequence[int]) -> float:
    """The median stage (1-5) of a distribution; halfway between two stages when the middle falls there."""
    values = [stage for stage, n in enumerate(counts, start=1) for _ in range(n)]
    middle = len(values) // 2
    if len(values) % 2:
        return float(values[middle])
    return (values[middle - 1] + values[middle]) / 2


def results(assessment: MaturityAssessment) -> list[DimensionResult] | None:
    """Each dimension's distribution and median; None when there is nothing that may be shown."""
    if assessment.counts is None:
        return None
    found = []
    for dimension in DIMENSIONS:
        counts = tuple(int(n) for n in assessment.counts[dimension.key])
        total = sum(counts)
        mean = sum(stage * n for stage, n in enumerate(counts, start=1)) / total
        found.append(DimensionResult(dimension.key, dimension.name, counts, median_of(counts), mean))
    return found


def weakest(found: Sequence[DimensionResult]) -> DimensionResult:
    """The lowest median; between equal medians, the lowest mean; then the first in the model's order."""
    return min(found, key=lambda result: (result.median, result.mean, DIMENSION_KEYS.index(result.key)))


def history(session: Session, *, community: Community, limit: int = 6) -> list[MaturityAssessment]:
    """The community's closed assessments, newest first."""
    return list(session.scalars(select(MaturityAssessment).where(
        MaturityAssessment.community_id == community.id, MaturityAssessment.closed_at.is_not(None))
        .order_by(MaturityAssessment.closed_at.desc(), MaturityAssessment.id.desc()).limit(limit)))
