"""A community's budget per year: allocated by overall leads, requested and spent by its leads."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.errors import BadArgument, NotFound
from models.governance.money import shown
from models.people import Person, overall_lead_clause

MAX_PURPOSE = 300
MAX_REASON = 500
DEFAULT_CURRENCY = "EUR"


class LineKind(enum.StrEnum):
    ALLOCATION = "allocation"
    REQUEST = "request"
    SPEND = "spend"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class BudgetCurrency(Base):
    """The workspace's one currency, set by an overall lead."""

    __tablename__ = "budget_currencies"

    team_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(3))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BudgetLine(Base):
    """One movement of a community's budget for a year: an allocation, a request, or money spent."""

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LineKind] = mapped_column(str_enum(LineKind))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # What it is for (a request), what it bought (spending); empty for an allocation.
    purpose: Mapped[str] = mapped_column(String(MAX_PURPOSE), default="")
    status: Mapped[RequestStatus | None] = mapped_column(str_enum(RequestStatus), default=None)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decline_reason: Mapped[str | None] = mapped_column(String(MAX_REASON), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id], lazy="joined")
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")


@dataclass(frozen=True)
class Budget:
    community: Community
    year: int
    currency: str
    lines: list[BudgetLine]

    def _sum(self, kind: LineKind, status: RequestStatus | None = None) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == kind
                    and (status is None or line.status == status)), Decimal("0.00"))

    @property
    def allocated(self) -> Decimal:
        return self._sum(LineKind.ALLOCATION)

    @property
    def requested(self) -> Decimal:
        return self._sum(LineKind.REQUEST, RequestStatus.PENDING)

    @property
    def approved(self) -> Decimal:
        return self._sum(LineKind.REQUEST, RequestStatus.APPROVED)

    @property
    def spent(self) -> Decimal:
        return self._sum(LineKind.SPEND)

    @property
    def remaining(self) -> Decimal:
        """What is approved and not yet spent: what spending may still use."""
        return self.approved - self.spent


def currency_of(session: Session, *, team_id: str) -> str:
    found = session.get(BudgetCurrency, team_id)
    return found.code if found is not None else DEFAULT_CURRENCY


def set_currency(session: Session, *, team_id: str, code: str, by: Person, now: dt.datetime) -> str:
    code = code.strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise BadArgument(f"“{code[:10]}” is not a currency code: say three letters, e.g. `EUR`, `GBP` or `USD`.")
    found = session.get(BudgetCurrency, team_id)
    if found is None:
        found = BudgetCurrency(team_id=team_id)
        session.add(found)
    found.code, found.set_by_id, found.set_at = code, by.id, now
    session.flush()
    return code


def budget_of(session: Session, *, community: Community, year: int) -> Budget:
    lines = list(session.scalars(select(BudgetLine).where(
        BudgetLine.community_id == community.id, BudgetLine.year == year).order_by(BudgetLine.id)))
    return Budget(community, year, currency_of(session, team_id=community.team_id), lines)


def budgets_of(session: Session, *, communities: Sequence[Community], year: int) -> dict[int, Budget]:
    """`budget_of` for many communities: every line of the year in one statement, and the currency."""
    found: dict[int, list[BudgetLine]] = {c.id: [] for c in communities}
    if not found:
        return {}
    for line in session.scalars(select(BudgetLine).where(BudgetLine.community_id.in_(sorted(found)),
                                                         BudgetLine.year == year).order_by(BudgetLine.id)):
        found[line.community_id].append(line)
    currencies = {team: currency_of(session, team_id=team) for team in {c.team_id for c in communities}}
    return {c.id: Budget(c, year, currencies[c.team_id], found[c.id]) for c in communities}


def _text(text: str, *, what: str, limit: int) -> str:
    text = " ".join(text.split())
    if not text:
        raise BadArgument(f"Say {what}.")
    if len(text) > limit:
        raise BadArgument(f"That is {len(text)} characters long; keep {what} to {limit}.")
    return text


def allocate(session: Session, *, community: Community, year: int, amount: Decimal, by: Person,
             now: dt.datetime) -> BudgetLine:
    line = BudgetLine(community_id=community.id, year=year, kind=LineKind.ALLOCATION, amount=amount, person_id=by.id,
                      created_at=now)
    session.add(line)
    session.flush()
    return line


def request(session: Session, *, community: Community, year: int, amount: Decimal, purpose: str, by: Person,
            now: dt.datetime) -> BudgetLine:
    line = BudgetLine(community_id=community.id, year=year, kind=LineKind.REQUEST, amount=amount,
                      purpose=_text(purpose, what="what it is for", limit=MAX_PURPOSE),
                      status=RequestStatus.PENDING, person_id=by.id, created_at=now)
    session.add(line)
    session.flush()
    return line


def get_request(session: Session, *, team_id: str, line_id: int) -> BudgetLine:
    line = session.get(BudgetLine, line_id)
    if line is None or line.kind != LineKind.REQUEST or line.community.team_id != team_id:
        raise NotFound(f"There is no budget request #{line_id}.")
    return line


def require_pending(line: BudgetLine) -> None:
    """A request is decided once: a second decision is refused, saying who made the first."""
    if line.status != RequestStatus.PENDING:
        who = line.decided_by.display_name if line.decided_by else "someone"
        raise BadArgument(f"Request #{line.id} was already {line.status.value if line.status else 'decided'} "
                          f"by {who}.")


def decide(line: BudgetLine, *, approve: bool, by: Person, now: dt.datetime, reason: str = "") -> BudgetLine:
    """Approve or decline a pending request (overall leads only: the caller checks)."""
    require_pending(line)
    if not approve:
        line.decline_reason = _text(reason, what="why it is declined", limit=MAX_REASON)
    line.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    line.decided_by_id, line.decided_at = by.id, now
    return line


def spend(session: Session, *, community: Community, year: int, amount: Decimal, what: str, by: Person,
          now: dt.datetime) -> tuple[BudgetLine, Budget]:
    """Record money spent, against what was approved; more than remains is refused, saying what remains."""
    what = _text(what, what="what it was spent on", limit=MAX_PURPOSE)
    # Two leads spending at once must not both fit in what remains: they take turns on the community's row.
    session.execute(select(Community.id).where(Community.id == community.id).with_for_update())
    budget = budget_of(session, community=community, year=year)
    if amount > budget.remaining:
        raise BadArgument(f"That is more than remains approved for {year}: {budget.currency} "
                          f"{shown(budget.remaining)} (approved {shown(budget.approved)}, spent "
                          f"{shown(budget.spent)}). Ask for more with `/cop budget request <amount> <purpose>`.")
    line = BudgetLine(community_id=community.id, year=year, kind=LineKind.SPEND, amount=amount, purpose=what,
                      person_id=by.id, created_at=now)
    session.add(line)
    session.flush()
    budget.lines.append(line)
    return line, budget


def overall_leads(session: Session, *, team_id: str, admin_ids: frozenset[str], now: dt.datetime) -> list[Person]:
    """Every overall lead still in the workspace, by user id: the workspace's admins and owners, those named in
    copbot, and those named in the settings. Someone named in the settings whom copbot has never met gets a row,
    so that their working hours (the default until they are known) and their absences apply to them like anyone."""
    people = session.scalars(select(Person).where(
        Person.team_id == team_id, overall_lead_clause(admin_ids), Person.is_bot.is_(False))).all()
    known = {person.user_id for person in people}
    strangers = [Person(team_id=team_id, user_id=user_id, created_at=now)
                 for user_id in sorted(admin_ids - known)]
    if strangers:
        session.add_all(strangers)
        session.flush()
    return sorted((p for p in [*people, *strangers] if not p.deleted), key=lambda p: p.user_id)


def overall_lead_ids(session: Session, *, team_id: str, admin_ids: frozenset[str]) -> list[str]:
    """Every overall lead's user id: the workspace's admins and owners, those named in copbot, and those named
    in the settings (whether or not copbot has met them)."""
    known = set(session.scalars(select(Person.user_id).where(
        Person.team_id == team_id, overall_lead_clause(admin_ids), Person.deleted.is_(False),
        Person.is_bot.is_(False))))
    return sorted(known | set(admin_ids))
