"""Who is suggested for unowned work, and how portfolios are counted (community health: tests/test_health.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Action
from models.actions.fairness import suggest_owners
from models.actions.workflow import Actor, add_action, complete_action
from models.communities import create_community
from models.contributions import ContributionKind, record_contribution
from models.people import ProfileUpdate, Role, join_community, membership_of, upsert_person
from models.recognition.standing import portfolio
from tests.conftest import START, TEAM


def person(session, user_id: str, *, tz: str = "Europe/London", bot: bool = False, deleted: bool = False):  # noqa: ANN201
    profile = ProfileUpdate(display_name=user_id[1:].lower(), tz=tz, is_bot=bot, is_admin=False, is_guest=False,
                            deleted=deleted)
    return upsert_person(session, team_id=TEAM, user_id=user_id, profile=profile, now=START)


@pytest.fixture
def cop(session):  # noqa: ANN201
    community = create_community(session, team_id=TEAM, channel_id="CDEVOPS", name="DevOps CoP", created_by="ULEAD",
                                 timezone="Europe/London", now=START)
    people = {}
    for user, role in (("ULEAD", Role.LEAD), ("UANN", Role.MEMBER), ("UBEN", Role.SME), ("UCAT", Role.MEMBER),
                       ("UGUEST", Role.GUEST), ("UBOT", Role.MEMBER), ("UGONE", Role.MEMBER)):
        people[user] = person(session, user, bot=user == "UBOT", deleted=user == "UGONE")
        join_community(session, community=community, person=people[user], now=START, role=role)
    return community, people


def give(session, community, people, owner: str, n: int) -> None:
    for i in range(n):
        add_action(session, community=community, title=f"{owner} {i}", actor=Actor(people["ULEAD"], True),
                   now=START, owner=people[owner])


def capacity(session, community, people, user: str, value: int) -> None:
    membership_of(session, community=community, person=people[user]).capacity = value


def names(suggestions) -> list[str]:  # noqa: ANN001
    return [s.person.user_id for s in suggestions]


def test_the_most_room_relative_to_capacity_comes_first(session, cop):
    community, people = cop
    capacity(session, community, people, "UANN", 4)  # 1 of 4: a quarter full
    capacity(session, community, people, "UBEN", 2)  # 1 of 2: half full
    capacity(session, community, people, "UCAT", 1)  # 1 of 1: full, not suggested
    capacity(session, community, people, "ULEAD", 0)  # taking nothing on now
    for user in ("UANN", "UBEN", "UCAT"):
        give(session, community, people, user, 1)
    pool = add_action(session, community=community, title="Pool", actor=Actor(people["UANN"], False), now=START)
    suggestions = suggest_owners(session, action=pool.action, limit=5)
    # Guests, bots and people who have left are never suggested.
    assert names(suggestions) == ["UANN", "UBEN"]
    assert [(s.open_actions, s.capacity) for s in suggestions] == [(1, 4), (1, 2)]


def test_matching_expertise_comes_before_room_when_the_action_has_tags(session, cop):
    community, people = cop
    people["UCAT"].expertise = ["terraform", "aws"]
    people["UBEN"].expertise = ["terraform"]
    give(session, community, people, "UCAT", 2)  # busier than Ann, but knows both tags
    tagged = add_action(session, community=community, title="Refactor the modules", actor=Actor(people["UANN"], False),
                        now=START, tags=["Terraform", "AWS"])
    suggestions = suggest_owners(session, action=tagged.action)
    assert names(suggestions) == ["UCAT", "UBEN", "UANN"]
    assert suggestions[0].matched_tags == ("terraform", "aws") and suggestions[2].matched_tags == ()
    untagged = add_action(session, community=community, title="Anything", actor=Actor(people["UANN"], False),
                          now=START)
    assert names(suggest_owners(session, action=untagged.action, limit=5))[-1] == "UCAT"  # without tags, room decides


def test_done_work_frees_capacity_and_ties_are_broken_by_name(session, cop):
    community, people = cop
    for user in ("UANN", "UBEN", "UCAT", "ULEAD"):
        capacity(session, community, people, user, 1)
    give(session, community, people, "UANN", 1)
    pool = add_action(session, community=community, title="Pool", actor=Actor(people["UANN"], False), now=START)
    assert names(suggest_owners(session, action=pool.action, limit=5)) == ["UBEN", "UCAT", "ULEAD"]
    [first] = [a for a in community_actions(session) if a.title == "UANN 0"]
    complete_action(session, action=first, actor=Actor(people["UANN"], False), now=START)
    assert names(suggest_owners(session, action=pool.action, limit=5)) == ["UANN", "UBEN", "UCAT", "ULEAD"]


def community_actions(session):  # noqa: ANN201
    return session.scalars(select(Action)).unique().all()


def test_a_portfolio_counts_by_month_in_the_persons_own_zone(session, cop):
    community, _ = cop
    chandra = person(session, "UCHANDRA", tz="Asia/Kolkata")
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    instants = [
        dt.datetime(2026, 10, 31, 18, 29, tzinfo=dt.UTC),  # 23:59 on 31 October in Kolkata
        dt.datetime(2026, 10, 31, 18, 30, tzinfo=dt.UTC),  # midnight: 1 November there
        dt.datetime(2026, 5, 31, 18, 30, tzinfo=dt.UTC),  # 1 June there: the oldest month shown
        dt.datetime(2026, 3, 1, tzinfo=dt.UTC),  # before the months shown: all time only
    ]
    for n, at in enumerate(instants):
        record_contribution(session, key=f"m{n}", community_id=community.id, person_id=chandra.id,
                            kind=ContributionKind.MESSAGE, occurred_at=at)
    record_contribution(session, key="joined", community_id=community.id, person_id=chandra.id,
                        kind=ContributionKind.JOINED, occurred_at=now)
    result = portfolio(session, person=chandra, now=now)
    assert [m.strftime("%b") for m in result.months] == ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    assert result.by_month == {ContributionKind.MESSAGE: [1, 0, 0, 0, 1, 1]}
    assert result.all_time == {ContributionKind.MESSAGE: 4}  # joining is not a contribution
