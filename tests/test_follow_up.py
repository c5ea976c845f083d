"""Action follow-up at chosen instants: due-soon and overdue reminders, the blocker ladder, each step once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from models import Delivery, HeldNotice
from models.actions import Escalation
from models.actions.follow_up import set_ladder
from models.actions.workflow import Actor, add_action, block_action, complete_action, unblock_action
from models.communities import create_community
from models.people import ProfileUpdate, Role, join_community, upsert_person
from scheduler.follow_up import follow_up_actions
from tests.conftest import START, TEAM

DUE = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def person(session, user_id: str, *, admin: bool = False):  # noqa: ANN201
    profile = ProfileUpdate(display_name=user_id.lower(), tz="Europe/London", is_bot=False, is_admin=admin,
                            is_guest=False, deleted=False)
    return upsert_person(session, team_id=TEAM, user_id=user_id, profile=profile, now=START)


@pytest.fixture
def cop(session):  # noqa: ANN201
    """DevOps CoP: Lena leads, Colin co-leads, Mia and Max are members; Ada is a workspace admin."""
    community = create_community(session, team_id=TEAM, channel_id="CDEVOPS", name="DevOps CoP", created_by="ULENA",
                                 timezone="Europe/London", now=START)
    people = {u: person(session, u, admin=u == "UADA") for u in ("ULENA", "UCOLIN", "UMIA", "UMAX", "UADA")}
    for user, role in (("ULENA", Role.LEAD), ("UCOLIN", Role.CO_LEAD), ("UMIA", Role.MEMBER), ("UMAX", Role.MEMBER)):
        join_community(session, community=community, person=people[user], now=START, role=role)
    session.commit()
    return community, people


def add(session, community, people, title: str, *, owner: str | None = "UMIA", due: dt.datetime | None = None):  # noqa: ANN201
    lead = Actor(people["ULENA"], is_lead=True)
    added = add_action(session, community=community, title=title, actor=lead, now=START,
                       owner=people[owner] if owner else None, due_at=due)
    session.commit()
    return added.action


def run(session, at: dt.datetime, admin_ids: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Run the job at `at`; the (key, recipient) of each message it queued."""
    before = set(session.scalars(select(Delivery.key)))
    assert follow_up_actions(session=session, now=at, admin_ids=admin_ids) >= 0
    session.commit()
    rows = session.execute(select(Delivery.key, Delivery.channel).order_by(Delivery.id)).all()
    return [(key, channel) for key, channel in rows if key not in before]


def test_due_soon_then_overdue_once_each_on_both_sides_of_each_threshold(session, cop):
    community, people = cop
    action = add(session, community, people, "Write the runbook", due=DUE)
    assert run(session, DUE - DAY - MINUTE) == []
    assert run(session, DUE - DAY) == [(f"action:{action.id}:due_soon", "UMIA")]
    assert run(session, DUE - DAY) == []  # the same instant again: nothing new
    assert run(session, DUE - MINUTE) == []
    assert run(session, DUE) == [(f"action:{action.id}:overdue", "UMIA")]
    assert run(session, DUE) == [] and run(session, DUE + 30 * DAY) == []
    texts = session.scalars(select(Delivery.text).where(Delivery.kind == "action_reminder").order_by(Delivery.id)).all()
    assert texts == [f"Action #{action.id} is due soon", f"Action #{action.id} is overdue"]
    blocks = str(session.scalars(select(Delivery.blocks).where(Delivery.kind == "action_reminder")).first())
    assert "Why you got this" in blocks and "/cop action dms off" in blocks


def test_a_bot_that_was_down_past_the_due_date_sends_only_the_overdue_reminder(session, cop):
    community, people = cop
    action = add(session, community, people, "Write the runbook", due=DUE)
    assert run(session, DUE + dt.timedelta(hours=5)) == [(f"action:{action.id}:overdue", "UMIA")]


def test_pool_done_and_undated_actions_are_not_chased(session, cop):
    community, people = cop
    add(session, community, people, "Nobody's", owner=None, due=DUE)
    done = add(session, community, people, "Finished", due=DUE)
    add(session, community, people, "Whenever")
    complete_action(session, action=done, actor=Actor(people["UMIA"], is_lead=False), now=START)
    session.commit()
    assert run(session, DUE + DAY) == []


def block(session, people, action, at: dt.datetime, owner: str = "UMIA") -> None:
    block_action(session, action=action, actor=Actor(people[owner], is_lead=False), reason="waiting for the vendor",
                 now=at)
    session.commit()


def test_the_blocker_ladder_reaches_the_leads_after_3_days_and_the_overall_leads_after_7(session, cop):
    community, people = cop
    action = add(session, community, people, "Migrate the DNS")
    blocked = START + dt.timedelta(hours=2)
    block(session, people, action, blocked)
    assert run(session, blocked + 3 * DAY - MINUTE, frozenset({"UOVERALL"})) == []
    at_three = run(session, blocked + 3 * DAY, frozenset({"UOVERALL"}))
    stamp = int(blocked.timestamp())
    assert at_three == [(f"action:{action.id}:escalate:1:{stamp}:UCOLIN", "UCOLIN"),
                        (f"action:{action.id}:escalate:1:{stamp}:ULENA", "ULENA")]
    session.refresh(action)
    assert (action.escalation_level, action.escalated_at) == (Escalation.LEAD, blocked + 3 * DAY)
    assert run(session, blocked + 3 * DAY, frozenset({"UOVERALL"})) == []
    assert run(session, blocked + 7 * DAY - MINUTE, frozenset({"UOVERALL"})) == []
    at_seven = run(session, blocked + 7 * DAY, frozenset({"UOVERALL"}))
    # Workspace admins copbot knows, and the overall leads named in COPBOT_ADMINS.
    assert sorted(channel for _, channel in at_seven) == ["UADA", "UOVERALL"]
    assert run(session, blocked + 30 * DAY, frozenset({"UOVERALL"})) == []
    blocks = str(session.scalars(select(Delivery.blocks).where(Delivery.channel == "UADA")).one())
    assert "blocked for 7 days" in blocks and "overall CoP lead" in blocks and "waiting for the vendor" in blocks


def test_the_ladder_is_the_communitys_own(session, cop):
    community, people = cop
    quick = create_community(session, team_id=TEAM, channel_id="CFAST", name="Fast CoP", created_by="ULENA",
                             timezone="Europe/London", now=START)
    join_community(session, community=quick, person=people["ULENA"], now=START, role=Role.LEAD)
    join_community(session, community=quick, person=people["UMIA"], now=START)
    set_ladder(quick, lead_days=1, overall_days=2)
    slow = add(session, community, people, "Slow community's")
    fast = add(session, quick, people, "Fast community's")
    for action in (slow, fast):
        block(session, people, action, START)
    stamp = int(START.timestamp())
    assert [key for key, _ in run(session, START + DAY)] == [f"action:{fast.id}:escalate:1:{stamp}:ULENA"]
    assert [channel for _, channel in run(session, START + 2 * DAY)] == ["UADA"]


def test_a_bot_that_was_down_across_both_rungs_climbs_both(session, cop):
    community, people = cop
    action = add(session, community, people, "Migrate the DNS")
    block(session, people, action, START)
    sent = run(session, START + 8 * DAY)
    assert sorted(channel for _, channel in sent) == ["UADA", "UCOLIN", "ULENA"]


def test_unblocking_stops_the_ladder_and_blocking_again_starts_a_new_one(session, cop):
    community, people = cop
    action = add(session, community, people, "Migrate the DNS")
    block(session, people, action, START)
    run(session, START + 3 * DAY)
    unblock_action(session, action=action, actor=Actor(people["UMIA"], is_lead=False))
    session.commit()
    assert run(session, START + 10 * DAY) == []
    again = START + 10 * DAY
    block(session, people, action, again)
    assert len(run(session, again + 3 * DAY)) == 2


def test_a_lead_who_owns_the_blocked_action_is_not_told_about_it(session, cop):
    community, people = cop
    action = add(session, community, people, "Lena's own", owner="ULENA")
    block(session, people, action, START, owner="ULENA")
    assert [channel for _, channel in run(session, START + 3 * DAY)] == ["UCOLIN"]


def test_the_scan_is_a_few_statements_whatever_the_number_of_communities(session, cop):
    community, people = cop
    for n in range(12):
        other = create_community(session, team_id=TEAM, channel_id=f"C{n:04d}", name=f"CoP {n}", created_by="ULENA",
                                 timezone="Europe/London", now=START)
        join_community(session, community=other, person=people["UMIA"], now=START)
        join_community(session, community=other, person=people["ULENA"], now=START, role=Role.LEAD)
        block(session, people, add(session, other, people, f"Blocked {n}"), START)
        add(session, other, people, f"Due {n}", due=DUE)
    selects: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        queued = follow_up_actions(session=session, now=DUE + 3 * DAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # An overdue reminder to Mia and an escalation to Lena per community: five each go (their weekly budget),
    # the other fourteen wait for their digests. Counting everyone's DMs this week is one more statement.
    # The ladder reads the blocked actions' times and their communities, then the actions whose rung has come;
    # which of those communities' channels are archived (their DMs say so) is one more.
    assert queued == 5 + 5
    assert len(session.scalars(select(HeldNotice)).all()) == 7 + 7
    assert len(selects) <= 8, selects



def test_whoever_turned_these_dms_off_is_not_sent_them(session, cop):
    community, people = cop
    people["UMIA"].action_dms = False  # `/cop action dms off`
    people["UCOLIN"].escalation_dms = False
    people["UADA"].escalation_dms = False
    overall = person(session, "UOVERALL")
    overall.escalation_dms = False  # named in COPBOT_ADMINS, but has turned escalations off
    action = add(session, community, people, "Mia's", due=DUE)
    blocked = add(session, community, people, "Blocked", owner="UMAX")
    block(session, people, blocked, START, owner="UMAX")
    assert run(session, START + 8 * DAY, frozenset({"UOVERALL", "UNEW"})) == [
        (f"action:{blocked.id}:escalate:1:{int(START.timestamp())}:ULENA", "ULENA"),
        (f"action:{blocked.id}:escalate:2:{int(START.timestamp())}:UNEW", "UNEW"),  # never met: not opted out
    ]
    session.refresh(action)
    assert action.due_notice == 2  # the steps are taken all the same


def test_each_dm_ends_with_why_and_a_button_that_turns_its_kind_off(session, cop):
    community, people = cop
    add(session, community, people, "Mia's", due=DUE)
    blocked = add(session, community, people, "Blocked", owner="UMAX")
    block(session, people, blocked, START, owner="UMAX")
    run(session, DUE)
    for kind, mute in (("action_reminder", "actions"), ("escalation", "escalations")):
        blocks = session.scalars(select(Delivery.blocks).where(Delivery.kind == kind)).first()
        buttons = [e for b in blocks for e in b.get("elements", []) if e.get("action_id") == "dm.mute_kind"]
        assert [b["value"] for b in buttons] == [mute]
        assert "Why you got this" in str(blocks) and f"/cop action {'dms' if mute == 'actions' else mute} off" in str(
            blocks)


def test_an_overall_lead_named_in_copbot_gets_the_ladders_last_step(session, cop):
    community, people = cop
    people["UMAX"].overall_lead = True  # named by another overall lead with `/cop role @max overall-lead`
    action = add(session, community, people, "Renew the certificates")
    blocked = START + dt.timedelta(hours=2)
    block(session, people, action, blocked)
    run(session, blocked + 3 * DAY)
    assert sorted(channel for _, channel in run(session, blocked + 7 * DAY)) == ["UADA", "UMAX"]
