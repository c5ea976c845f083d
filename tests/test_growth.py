"""Membership history kept on every join, leave and rejoin, and growth counted from it per month, per community in
its own time zone and for the whole programme, in statements that do not grow with communities."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import ContributionKind
from models.datarights import forget_person
from models.errors import BadArgument
from models.growth import MonthRow, growth, months_of, programme_growth
from models.membership_periods import MembershipPeriod
from models.people import enroll_members, join_community, leave_community
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import counting

UTC = dt.UTC
SET_UP = dt.datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
AT = dt.datetime(2026, 7, 2, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def periods(session, person) -> list[tuple]:
    return [(p.started_at, p.ended_at) for p in session.scalars(
        select(MembershipPeriod).where(MembershipPeriod.person_id == person.id).order_by(MembershipPeriod.id))]


def by_month(rows: list[MonthRow], community_id: int | None) -> dict[str, tuple]:
    return {f"{r.month:%Y-%m}": (r.members, r.active, r.newcomers, r.joined, r.left)
            for r in rows if r.community_id == community_id}


def acts(rows: list[MonthRow], community_id: int | None) -> dict[str, int]:
    return {f"{r.month:%Y-%m}": r.contributions for r in rows if r.community_id == community_id}


def _world(session):
    """London (set up 10 January, Bob its founder) and Tokyo (set up 1 March), through the first half of 2026."""
    london = factories.community(session, team_id=TEAM, now=SET_UP)
    bob = factories.member(session, london, "UBOB", joined=SET_UP).person
    dana = factories.member(session, london, "UDANA", joined=at(3, 5)).person
    leave_community(session, community=london, person=dana, now=at(4, 10))
    join_community(session, community=london, person=dana, now=at(6, 1))  # back
    # 23:30 UTC on 31 May is half past midnight on 1 June in London (summer time).
    eve = factories.member(session, london, "UEVE", joined=at(5, 31, 23, 30)).person
    tokyo = factories.community(session, team_id=TEAM, channel_id="CTOKYO", name="Tokyo", tz="Asia/Tokyo",
                                now=at(3, 1))
    # 16:00 UTC on 31 March is 1 April in Tokyo.
    chandra = factories.member(session, tokyo, "UCHANDRA", joined=at(3, 31, 16)).person
    join_community(session, community=tokyo, person=bob, now=at(5, 10))
    factories.contribute(session, london, bob, at(1, 20))
    factories.contribute(session, london, bob, at(2, 3), ContributionKind.KUDOS_RECEIVED)  # happened to him
    factories.contribute(session, london, dana, at(4, 5))
    factories.contribute(session, london, dana, at(4, 6))  # one person, however many acts
    factories.contribute(session, london, dana, at(5, 3))  # not a member then
    factories.contribute(session, london, eve, at(6, 30, 23, 30))  # 1 July in London
    factories.contribute(session, tokyo, chandra, at(4, 2), ContributionKind.JOINED)  # no act of hers
    return london, tokyo, dict(bob=bob, dana=dana, eve=eve, chandra=chandra)


def test_every_join_leave_and_rejoin_is_a_period_of_its_own(session):
    london, _, people = _world(session)
    assert periods(session, people["dana"]) == [(at(3, 5), at(4, 10)), (at(6, 1), None)]
    join_community(session, community=london, person=people["dana"], now=at(6, 20))  # already a member: nothing new
    assert len(periods(session, people["dana"])) == 2
    assert periods(session, people["bob"]) == [(SET_UP, None), (at(5, 10), None)]


def test_members_enrolled_with_the_channel_start_a_period_each(session):
    place = factories.community(session, team_id=TEAM, now=SET_UP)
    factories.person(session, "UALICE", team_id=TEAM, now=SET_UP)
    assert enroll_members(session, community=place, user_ids=["UALICE", "UNEW1", "UNEW2"], now=SET_UP) == 3
    starts = session.scalars(select(MembershipPeriod.started_at).where(MembershipPeriod.community_id == place.id))
    assert list(starts) == [SET_UP] * 3


def test_forgetting_someone_ends_their_periods_and_keeps_the_counts(session):
    london, _, people = _world(session)
    before = by_month(growth(session, community_ids=[london.id], now=AT), london.id)
    forget_person(session, person=people["eve"], now=AT)
    assert periods(session, people["eve"]) == [(at(5, 31, 23, 30), AT)]
    after = by_month(growth(session, community_ids=[london.id], now=AT), london.id)
    assert after["2026-06"] == before["2026-06"]  # the months she was a member still count her
    assert after["2026-07"] == (2, 1, 0, 0, 1)  # she left this month, as far as anyone can now tell
    assert people["eve"].user_id.startswith("forgotten-")


def test_each_community_counts_its_months_in_its_own_time_zone(session):
    london, tokyo, _ = _world(session)
    rows = growth(session, community_ids=None, now=AT)
    assert [f"{r.month:%Y-%m}" for r in rows if r.community_id == london.id] == [
        "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
        "2026-06", "2026-07"]
    seen = by_month(rows, london.id)
    #                    members active newcomers joined left
    assert seen["2025-12"] == (0, 0, 0, 0, 0)
    assert seen["2026-01"] == (1, 1, 0, 1, 0)  # Bob founded it: not a newcomer
    assert seen["2026-02"] == (1, 0, 0, 0, 0)  # receiving kudos is not being active
    assert seen["2026-03"] == (2, 0, 1, 1, 0)
    assert seen["2026-04"] == (1, 1, 0, 0, 1)
    assert seen["2026-05"] == (1, 0, 0, 0, 0)  # Dana spoke, but was no member
    assert seen["2026-06"] == (3, 0, 1, 2, 0)  # Dana back (no newcomer) and Eve, just past midnight
    assert seen["2026-07"] == (3, 1, 0, 0, 0)
    tokyo_seen = by_month(rows, tokyo.id)
    assert tokyo_seen["2026-03"] == (0, 0, 0, 0, 0)
    assert tokyo_seen["2026-04"] == (1, 0, 1, 1, 0)  # Chandra, on 1 April in Tokyo
    assert tokyo_seen["2026-05"] == (2, 0, 1, 1, 0)  # Bob, new to Tokyo though not to the programme


def test_the_programme_counts_people_once_in_its_own_time_zone(session):
    london, tokyo, _ = _world(session)
    seen = by_month(programme_growth(session, community_ids=None, now=AT, zone="UTC"), None)
    assert seen["2026-03"] == (3, 0, 2, 2, 0)  # Dana, and Chandra on 31 March in UTC
    assert seen["2026-04"] == (2, 1, 0, 0, 1)
    assert seen["2026-05"] == (3, 0, 1, 2, 0)  # Bob in Tokyo is no newcomer, nor counted twice; Eve in May in UTC
    assert seen["2026-06"] == (4, 1, 0, 1, 0)  # Eve's act, 30 June in UTC
    assert seen["2026-07"] == (4, 0, 0, 0, 0)
    only_tokyo = by_month(programme_growth(session, community_ids=[tokyo.id], now=AT, zone="Asia/Tokyo"), None)
    assert only_tokyo["2026-04"] == (1, 0, 1, 1, 0)
    assert only_tokyo["2026-05"] == (2, 0, 1, 1, 0)  # among the communities asked about, Bob is new


def test_months_are_cut_at_local_midnight_on_both_sides_of_new_year():
    tokyo = months_of("Asia/Tokyo", now=dt.datetime(2026, 12, 31, 15, 30, tzinfo=UTC), months=2)
    assert [m.first for m in tokyo] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    assert tokyo[1].start == dt.datetime(2026, 12, 31, 15, 0, tzinfo=UTC)
    london = months_of("Europe/London", now=dt.datetime(2026, 4, 1, 0, 30, tzinfo=UTC), months=2)
    assert [m.first for m in london] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    assert london[1].start == dt.datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # midnight in summer time
    with pytest.raises(BadArgument):
        months_of("UTC", now=AT, months=0)


def test_the_counts_take_the_same_few_statements_for_one_community_or_many(session, sessions):
    london, tokyo, _ = _world(session)
    for n in range(30):
        place = factories.community(session, team_id=TEAM, channel_id=f"CMORE{n}", name=f"More {n}",
                                    tz=("Asia/Tokyo", "Europe/London", "America/New_York")[n % 3], now=SET_UP)
        factories.member(session, place, f"UMORE{n}", joined=at(2, 1))
    session.flush()
    with counting(sessions.kw["bind"]) as one:
        growth(session, community_ids=[london.id], now=AT)
    with counting(sessions.kw["bind"]) as every:
        rows = growth(session, community_ids=None, now=AT)
    with counting(sessions.kw["bind"]) as programme:
        programme_growth(session, community_ids=None, now=AT)
    assert len(one) == 4 and len(every) == 4 and len(programme) == 3
    assert len(rows) == 32 * 12
    assert by_month(rows, tokyo.id)["2026-04"] == (1, 0, 1, 1, 0)


def test_contributions_count_every_act_of_their_own_by_members_in_the_communitys_months(session):
    london, tokyo, people = _world(session)
    bob, dana, eve, chandra = people["bob"], people["dana"], people["eve"], people["chandra"]
    factories.contribute(session, london, bob, at(2, 10), ContributionKind.ACTION_CLOSED)
    factories.contribute(session, london, bob, at(2, 11), ContributionKind.KNOWLEDGE_ITEM)
    factories.contribute(session, london, bob, at(2, 12), ContributionKind.MESSAGE)
    factories.contribute(session, london, bob, at(2, 13), ContributionKind.APPRECIATION_RECEIVED)  # thanked
    factories.contribute(session, london, eve, at(6, 1), ContributionKind.JOINED)  # joining is no act
    # 31 May at 23:30 UTC is 1 June in London; 30 April at 14:59 UTC is still April in Tokyo, 15:00 is May.
    factories.contribute(session, london, eve, at(5, 31, 23, 30), ContributionKind.KUDOS_GIVEN)
    factories.contribute(session, london, dana, at(5, 31, 22, 59), ContributionKind.IDEA)  # no member on 31 May
    factories.contribute(session, tokyo, chandra, at(4, 30, 14, 59), ContributionKind.MESSAGE)
    factories.contribute(session, tokyo, chandra, at(4, 30, 15), ContributionKind.THREAD_REPLY)
    factories.contribute(session, tokyo, bob, at(5, 20), ContributionKind.KUDOS_RECEIVED)
    rows = growth(session, community_ids=None, now=AT)
    london_acts, tokyo_acts = acts(rows, london.id), acts(rows, tokyo.id)
    assert london_acts["2026-01"] == 1  # Bob's act; his founding join is no contribution
    assert london_acts["2026-02"] == 3  # an action closed, a knowledge item, a message: not the kudos nor thanks
    assert london_acts["2026-04"] == 2  # Dana twice: every act counts, though she is one active member
    assert london_acts["2026-05"] == 0  # Dana's acts while she was no member do not count
    assert london_acts["2026-06"] == 1  # Eve's kudos given just past midnight in London; her join is not one
    assert london_acts["2026-07"] == 1  # 30 June at 23:30 UTC is 1 July in London
    assert sum(london_acts.values()) == 8
    assert tokyo_acts["2026-04"] == 1 and tokyo_acts["2026-05"] == 1  # cut at midnight in Tokyo
    assert sum(tokyo_acts.values()) == 2  # Chandra's join and Bob's kudos received are not acts
    # The programme sums them in its own calendar: in UTC both of Chandra's messages are April's.
    programme = acts(programme_growth(session, community_ids=None, now=AT, zone="UTC"), None)
    assert programme["2026-01"] == 1 and programme["2026-02"] == 3 and programme["2026-04"] == 4
    assert programme["2026-05"] == 1 and programme["2026-06"] == 1 and programme["2026-07"] == 0
    only_tokyo = acts(programme_growth(session, community_ids=[tokyo.id], now=AT, zone="Asia/Tokyo"), None)
    assert only_tokyo["2026-04"] == 1 and only_tokyo["2026-05"] == 1
