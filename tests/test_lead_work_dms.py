"""A lead's own work by DM (the January KPI ask, the yearly Terms of Reference review, a budget request to the
overall leads): never muted nor counted against the weekly budget, but in the person's working hours, held for
their digest while they are away, and never to someone gone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.terms import send_tor_reviews
from models import BudgetLine, Delivery, HeldNotice, Person, Role
from models.attention import SWITCHABLE_KINDS, dms_used, set_wanted
from models.errors import BadArgument
from models.governance.budget import RequestStatus
from scheduler.governance import ask_for_kpis
from tests import factories
from tests.community import Typist, always_at_work, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import TEAM
from tests.test_governance_jobs import ratified_terms

UTC = dt.UTC
DAY = dt.timedelta(days=1)
SATURDAY = dt.datetime(2027, 1, 2, 12, 0, tzinfo=UTC)  # noon on a Saturday, in London and in UTC alike
MONDAY_NINE = dt.datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def _leads(session, place) -> None:  # noqa: ANN001
    for user_id, prefs in (("UALICE", {}), ("UFULL", dict(dm_budget=0)), ("UAWAY", dict(away_until=SATURDAY + 9 * DAY)),
                           ("UGONE", dict(deleted=True))):
        factories.member(session, place, user_id, joined=SATURDAY - 400 * DAY, role=Role.LEAD, **prefs)


def _sent_and_held(session, kind: str) -> tuple[dict[str, dt.datetime], dict[str, str]]:  # noqa: ANN001
    sent = {d.channel: d.next_attempt_at for d in session.scalars(select(Delivery).where(Delivery.kind == kind))}
    held = {person.user_id: notice.summary for notice, person in session.execute(
        select(HeldNotice, Person).join(Person, Person.id == HeldNotice.person_id).where(HeldNotice.kind == kind))}
    return sent, held


def test_the_kpi_ask_waits_for_working_hours_is_held_while_away_and_ignores_the_budget(session):
    place = factories.community(session, team_id=TEAM, now=SATURDAY - 400 * DAY)
    _leads(session, place)
    assert ask_for_kpis(session=session, now=SATURDAY) == 2
    sent, held = _sent_and_held(session, "kpi_ask")
    # Saturday is no working day: it reaches them on Monday at 09:00, over a budget of none as well.
    assert sent == {"UALICE": MONDAY_NINE, "UFULL": MONDAY_NINE}
    assert list(held) == ["UAWAY"] and "Set the 2027 plan and KPIs of DevOps CoP" in held["UAWAY"]
    assert dms_used(session, team_id=TEAM, user_ids=["UALICE", "UFULL"], now=MONDAY_NINE) == {}
    # Once asked or held, never again, even once the absent lead is back (the digest told them).
    assert ask_for_kpis(session=session, now=SATURDAY + 10 * DAY) == 0
    assert _sent_and_held(session, "kpi_ask") == (sent, held)


def test_the_tor_review_waits_for_working_hours_and_is_held_while_away(session):
    place = factories.community(session, team_id=TEAM, now=SATURDAY - 400 * DAY)
    _leads(session, place)
    ratified_terms(session, place, at=SATURDAY - 367 * DAY)
    assert send_tor_reviews(session=session, now=SATURDAY) == 2
    sent, held = _sent_and_held(session, "tor_review")
    assert sent == {"UALICE": MONDAY_NINE, "UFULL": MONDAY_NINE}
    assert list(held) == ["UAWAY"] and "review the Terms of Reference of DevOps CoP" in held["UAWAY"]
    assert send_tor_reviews(session=session, now=SATURDAY + 10 * DAY) == 0


def test_a_leads_own_work_cannot_be_turned_off(session):
    person = factories.person(session, "UALICE", team_id=TEAM, now=SATURDAY)
    assert "lead_work" not in SWITCHABLE_KINDS and "escalations" in SWITCHABLE_KINDS
    with pytest.raises(BadArgument, match="cannot be turned off"):
        set_wanted(person, "lead_work", False)


def _asks(bot, user: str) -> list:
    return [m for m in bot.posts_in(user) if "asks for" in m.text]


def test_a_budget_request_goes_to_the_overall_leads_not_away_and_waits_for_all_when_all_are(bot, cop: Typist):
    cop("UALICE", "role <@UDANA|dana> overall-lead")
    always_at_work(bot, "UALICE", "UDANA")
    cop("UDANA", "away 2026-12-20")
    assert "goes to 1 overall lead" in cop("UBOB", "budget request 300 Pizza")
    assert bot.slack.wait_for(lambda: _asks(bot, "UALICE"))
    bot.settle()
    assert _asks(bot, "UDANA") == []
    # Both away: nobody is messaged, the request waits for them both, and the lead is told so.
    cop("UALICE", "away 2026-12-20")
    said = cop("UBOB", "budget request 120 Books")
    assert "the 2 overall leads are all away, so it waits for them" in said
    bot.settle()
    assert len(_asks(bot, "UALICE")) == 1 and _asks(bot, "UDANA") == []
    with bot.services.sessions() as session:
        held = sorted(person.user_id for person in session.scalars(
            select(Person).join(HeldNotice, HeldNotice.person_id == Person.id).where(HeldNotice.kind == "budget_ask")))
        assert held == ["UALICE", "UDANA"]
        lines = session.scalars(select(BudgetLine).order_by(BudgetLine.id)).all()
        assert [line.status for line in lines] == [RequestStatus.PENDING] * 2


def test_a_budget_request_waits_for_an_overall_leads_hours_and_skips_one_who_left(bot, cop: Typist):
    cop("UALICE", "stats")  # Alice administers the workspace: an overall lead. 08:00 in London: before her hours.
    cop("UALICE", "role <@UDANA|dana> overall-lead")
    with bot.services.sessions.begin() as session:
        session.scalars(select(Person).where(Person.user_id == "UDANA")).one().deleted = True
    assert "goes to 1 overall lead" in cop("UBOB", "budget request 300 Pizza")
    with bot.services.sessions() as session:
        [ask] = session.scalars(select(Delivery).where(Delivery.kind == "budget_ask")).all()
    now = bot.services.clock.now()
    assert ask.channel == "UALICE" and ask.next_attempt_at == now.replace(hour=9, minute=0, second=0, microsecond=0)
