"""Wins found in the records once each, and the weekly post at chosen instants: once a week, grouped by community,
nothing in an empty week, held wins left out, and Slack's refusal of a post handled."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.blocks.wins import weekly_post
from models import Community, Delivery, DeliveryStatus, Role, Win, WinsChannel
from models.errors import UserFacingError
from models.governance.kpis import set_target
from models.governance.plan import ObjectiveStatus, add_objective, close_objective
from models.recognition.kudos import give_kudos
from models.terms import propose, ratify, set_term
from models.wins import WinKind, WinState, collect_wins, hold, release, set_channel
from models.wins.weekly import Waiting
from scheduler.wins import post_weekly_wins
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import AT, N, assert_flat, communities, grown, lead, places

UTC = dt.UTC
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
# Monday 16 November 2026; the Fridays after it are the 20th and the 27th, then 4 and 11 December.
MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
FRIDAY = dt.datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 15:30 in London, where Alice chose the channel
WEEK = 7 * DAY


def build(session: Session) -> tuple[Community, Community]:
    devops = factories.community(session, team_id=TEAM, now=MONDAY - 90 * DAY)
    data = factories.community(session, team_id=TEAM, channel_id="CDATA", name="Data <b> & Co", tz="Europe/Berlin",
                               now=MONDAY - 90 * DAY)
    for place in (devops, data):
        factories.member(session, place, "UBOB", joined=MONDAY - 90 * DAY, role=Role.LEAD)
        factories.member(session, place, "UDANA", joined=MONDAY - 90 * DAY)
    factories.person(session, "UALICE", team_id=TEAM, now=MONDAY, is_admin=True)
    return devops, data


def person(session: Session, user_id: str):  # noqa: ANN201
    return factories.person(session, user_id, team_id=TEAM, now=MONDAY)


def wins(session: Session) -> list[tuple[str, str, int, str]]:
    return [(w.kind.value, w.title, w.number, w.state.value)
            for w in session.scalars(select(Win).order_by(Win.community_id, Win.number))]


def test_each_kind_of_win_is_recorded_once(session):
    devops, data = build(session)
    bob, dana = person(session, "UBOB"), person(session, "UDANA")
    objective = add_objective(session, community=devops, year=2026, text="Run two game days", by=bob, now=MONDAY)
    close_objective(objective, status=ObjectiveStatus.DONE, now=MONDAY + HOUR)
    set_term(session, community=data, field="title", text="Data <!channel> charter", by=bob, now=MONDAY)
    propose(session, community=data, by=bob, days=7, now=MONDAY)
    ratify(session, community=data, by=bob, now=MONDAY + HOUR)
    set_target(session, community=devops, year=2026, name="kudos", target=Decimal(2), by=bob, now=MONDAY)
    give_kudos(session, community=devops, giver=dana, receiver=bob, reason="the runbook", now=MONDAY)

    assert collect_wins(session, now=MONDAY + 2 * HOUR) == 2
    assert collect_wins(session, now=MONDAY + 3 * HOUR) == 0
    assert wins(session) == [("objective", "Run two game days", 1, "queued"),
                             ("terms", "Data <!channel> charter", 1, "queued")]
    [terms] = session.scalars(select(Win).where(Win.kind == WinKind.TERMS))
    assert terms.detail == dict(version=1, agreed=0, objected=0, by=bob.id)

    # The KPI crosses its target with the second kudos: found once, and not again with a third.
    give_kudos(session, community=devops, giver=bob, receiver=dana, reason="the dashboards", now=MONDAY + DAY)
    assert collect_wins(session, now=MONDAY + DAY + HOUR) == 1
    give_kudos(session, community=devops, giver=bob, receiver=dana, reason="the review", now=MONDAY + 2 * DAY)
    assert collect_wins(session, now=MONDAY + 2 * DAY + HOUR) == 0
    [kpi] = session.scalars(select(Win).where(Win.kind == WinKind.KPI))
    assert (kpi.title, kpi.number, kpi.detail) == ("kudos", 2, dict(year=2026, target="2", value="2", custom=False))

    # November's kudos, once November is over on the community's clock: counts, and who was thanked most.
    assert collect_wins(session, now=dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC)) == 0
    assert collect_wins(session, now=dt.datetime(2026, 12, 1, 0, 30, tzinfo=UTC)) == 1
    assert collect_wins(session, now=dt.datetime(2026, 12, 20, tzinfo=UTC)) == 0
    [kudos] = session.scalars(select(Win).where(Win.kind == WinKind.KUDOS))
    assert (kudos.title, kudos.community_id) == ("November 2026", devops.id)
    assert kudos.detail["kudos"] == 3 and kudos.detail["people"] == 2
    assert kudos.detail["notable"] == [[dana.id, 2], [bob.id, 1]]


def test_an_objective_dropped_before_the_post_is_no_win(session):
    devops, _ = build(session)
    bob = person(session, "UBOB")
    objective = add_objective(session, community=devops, year=2026, text="Write the guide", by=bob, now=MONDAY)
    close_objective(objective, status=ObjectiveStatus.DONE, now=MONDAY)
    assert collect_wins(session, now=MONDAY + HOUR) == 1
    close_objective(objective, status=ObjectiveStatus.DROPPED, now=MONDAY + 2 * HOUR)
    assert collect_wins(session, now=MONDAY + 3 * HOUR) == 0
    assert wins(session) == []


def test_an_old_objective_is_not_news(session):
    devops, _ = build(session)
    objective = add_objective(session, community=devops, year=2026, text="Old", by=person(session, "UBOB"),
                              now=MONDAY - 90 * DAY)
    close_objective(objective, status=ObjectiveStatus.DONE, now=MONDAY - 60 * DAY)
    assert collect_wins(session, now=MONDAY) == 0


def objective_done(session: Session, place: Community, text: str, at: dt.datetime) -> None:
    objective = add_objective(session, community=place, year=2026, text=text, by=person(session, "UBOB"), now=at)
    close_objective(objective, status=ObjectiveStatus.DONE, now=at)


def posts(session: Session) -> list[Delivery]:
    return factories.deliveries(session, kind="wins")


def test_one_post_a_week_grouped_by_community_and_nothing_in_an_empty_week(session):
    devops, data = build(session)
    set_channel(session, team_id=TEAM, channel_id="CANNOUNCE", by=person(session, "UALICE"), now=MONDAY)
    objective_done(session, devops, "Ship <!channel> & <@U1> runbooks", MONDAY)
    objective_done(session, data, "Open the data catalogue", MONDAY)
    objective_done(session, data, "Keep this one quiet", MONDAY)
    collect_wins(session, now=MONDAY + HOUR)
    [quiet] = session.scalars(select(Win).where(Win.title == "Keep this one quiet"))
    hold(session, community=data, number=quiet.number, by=person(session, "UBOB"), now=MONDAY + HOUR)

    assert post_weekly_wins(session=session, now=FRIDAY - DAY) == 0        # Thursday
    assert post_weekly_wins(session=session, now=FRIDAY - HOUR) == 0       # Friday 14:30 in London
    assert post_weekly_wins(session=session, now=FRIDAY) == 1
    assert post_weekly_wins(session=session, now=FRIDAY + HOUR) == 0       # once a week
    [post] = posts(session)
    shown = json.dumps(post.blocks)
    assert post.channel == "CANNOUNCE" and post.key.startswith(f"wins:{TEAM}:2026-W47:")
    # Grouped by community (by name), user text escaped, nobody pinged.
    assert shown.index("Data &lt;b&gt; &amp; Co") < shown.index("Open the data catalogue") < shown.index(
        "DevOps CoP") < shown.index("Ship &lt;!channel&gt; &amp; &lt;@U1&gt; runbooks")
    assert "<@" not in shown and "<!" not in shown and "Keep this one quiet" not in shown
    assert [w[3] for w in wins(session)] == ["posted", "posted", "held"]

    # A win on Saturday waits for the next Friday, with the held one once released.
    objective_done(session, devops, "Run a game day", FRIDAY + DAY)
    assert post_weekly_wins(session=session, now=FRIDAY + DAY + HOUR) == 0
    release(session, community=data, number=quiet.number)
    assert post_weekly_wins(session=session, now=FRIDAY + WEEK) == 1
    second = json.dumps(posts(session)[-1].blocks)
    assert "Run a game day" in second and "Keep this one quiet" in second and "Open the data" not in second
    # A week without wins posts nothing.
    assert post_weekly_wins(session=session, now=FRIDAY + 2 * WEEK) == 0
    assert len(posts(session)) == 2


def test_without_a_channel_wins_wait_and_the_overall_leads_are_told_once(session):
    devops, _ = build(session)
    objective_done(session, devops, "Run a game day", MONDAY)
    collect_wins(session, now=MONDAY + HOUR)
    assert post_weekly_wins(session=session, now=FRIDAY, admin_ids=frozenset({"UEVE"})) == 2
    assert post_weekly_wins(session=session, now=FRIDAY + WEEK, admin_ids=frozenset({"UEVE"})) == 0
    notices = factories.deliveries(session, kind="wins_notice")
    assert sorted(n.channel for n in notices) == ["UALICE", "UEVE"]
    assert "no wins channel is chosen" in notices[0].text and posts(session) == []
    assert wins(session)[0][3] == "queued"

    set_channel(session, team_id=TEAM, channel_id="CANNOUNCE", by=person(session, "UALICE"), now=FRIDAY + WEEK)
    assert post_weekly_wins(session=session, now=FRIDAY + WEEK + HOUR) == 1


def test_a_post_slack_refused_puts_its_wins_back_and_tells_the_overall_leads_once(session):
    devops, _ = build(session)
    set_channel(session, team_id=TEAM, channel_id="CANNOUNCE", by=person(session, "UALICE"), now=MONDAY)
    objective_done(session, devops, "Run a game day", MONDAY)
    assert post_weekly_wins(session=session, now=FRIDAY) == 1
    session.execute(update(Delivery).where(Delivery.kind == "wins").values(
        status=DeliveryStatus.FAILED, last_error="is_archived"))

    assert post_weekly_wins(session=session, now=FRIDAY + HOUR) == 1  # the notice to Alice
    assert post_weekly_wins(session=session, now=FRIDAY + 2 * HOUR) == 0
    [notice] = factories.deliveries(session, kind="wins_notice")
    assert notice.channel == "UALICE" and "is_archived" in json.dumps(notice.blocks)
    assert wins(session)[0][3] == "queued"
    assert session.get(WinsChannel, TEAM).broken == "is_archived"
    assert post_weekly_wins(session=session, now=FRIDAY + WEEK) == 0  # not to a channel Slack refused

    set_channel(session, team_id=TEAM, channel_id="CWINS", by=person(session, "UALICE"), now=FRIDAY + WEEK)
    assert post_weekly_wins(session=session, now=FRIDAY + WEEK + HOUR) == 1
    assert posts(session)[-1].channel == "CWINS" and wins(session)[0][3] == "posted"


def test_hold_and_release_say_what_is_wrong(session):
    devops, _ = build(session)
    bob = person(session, "UBOB")
    objective_done(session, devops, "Run a game day", MONDAY)
    collect_wins(session, now=MONDAY + HOUR)
    with pytest.raises(UserFacingError, match="not held"):
        release(session, community=devops, number=1)
    assert hold(session, community=devops, number=1, by=bob, now=MONDAY).state is WinState.HELD
    with pytest.raises(UserFacingError, match="already held"):
        hold(session, community=devops, number=1, by=bob, now=MONDAY)
    with pytest.raises(UserFacingError, match="no win 7"):
        hold(session, community=devops, number=7, by=bob, now=MONDAY)


def test_a_post_keeps_to_slacks_limits_and_leaves_the_rest_for_next_week():
    places = {n: Community(id=n, name=f"CoP {n} " + "x" * 60) for n in range(1, 61)}
    many = [Win(id=n * 100 + k, community_id=n, number=k, kind=WinKind.OBJECTIVE, title="y" * 290,
                detail=dict(year=2026)) for n in places for k in range(1, 21)]
    message, shown = weekly_post(Waiting(many, places))
    assert len(message.blocks) <= 50
    assert all(len(block["text"]["text"]) <= 3000 for block in message.blocks if block["type"] == "section")
    assert 0 < len(shown) < len(many)
    assert "more next week" in json.dumps(message.blocks)


def test_finding_wins_costs_the_same_for_four_times_the_communities(sessions):
    def grow(session: Session, start: int, count: int) -> None:
        for place in places(session, communities(sessions, count, start)):
            objective = add_objective(session, community=place, year=2027, text="Done", by=lead(session), now=AT)
            close_objective(objective, status=ObjectiveStatus.DONE, now=AT)
            give_kudos(session, community=place, giver=lead(session),
                       receiver=factories.person(session, "UOTHER", team_id=TEAM, now=AT),
                       reason="help", now=AT - 30 * DAY, per_day=10_000)
            set_target(session, community=place, year=2027, name="kudos", target=Decimal(1), by=lead(session), now=AT)

    def job(*, session: Session, now: dt.datetime) -> int:
        return collect_wins(session, now=now)

    small, large = grown(sessions, job, grow)
    assert_flat(small, large, work=3 * N)  # an objective, a KPI met, February's kudos


def test_the_most_thanked_are_never_someone_who_opted_out_of_being_ranked(session):
    devops, _ = build(session)
    set_channel(session, team_id=TEAM, channel_id="CANNOUNCE", by=person(session, "UALICE"), now=MONDAY)
    bob, dana, chandra = person(session, "UBOB"), person(session, "UDANA"), person(session, "UCHANDRA")
    bob.display_name, dana.display_name, chandra.display_name = "Bob", "Dana", "Chandra"
    dana.leaderboard_opt_out = True
    for n, (giver, receiver) in enumerate([(bob, dana), (chandra, dana), (dana, bob), (dana, chandra)]):
        give_kudos(session, community=devops, giver=giver, receiver=receiver, reason=f"help {n}",
                   now=MONDAY + n * HOUR)
    december = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert collect_wins(session, now=december) == 1
    [kudos] = session.scalars(select(Win).where(Win.kind == WinKind.KUDOS))
    # Dana was thanked most, but asked not to be ranked: the counts include her, the names do not.
    assert kudos.detail["kudos"] == 4 and kudos.detail["people"] == 3
    assert [person_id for person_id, _ in kudos.detail["notable"]] == [bob.id, chandra.id]
    # Chandra opts out after the scan, before the post: the post does not name her either.
    chandra.leaderboard_opt_out = True
    session.flush()
    assert post_weekly_wins(session=session, now=dt.datetime(2026, 12, 4, 15, 30, tzinfo=UTC)) == 1
    shown = json.dumps(posts(session)[-1].blocks)
    assert "thanked most: Bob (1)" in shown and "Chandra" not in shown and "Dana" not in shown
