"""The monthly newsletter on known records across two communities: what it says, whom it features in turn,
when the clock drafts it, and "This helped" counted once per person."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.blocks.newsletter import draft_dm, issue_message
from models import NewsletterIssue, Person, Role
from models.datarights import forget_person, personal_kinds
from models.deliveries import Delivery, DeliveryStatus, delivery_by_key, enqueue, mark_failed
from models.errors import BadArgument
from models.governance.plan import ObjectiveStatus, add_objective, close_objective
from models.knowledge import KnowledgeKind
from models.knowledge.helped import helped_counts, most_reused, press_helped
from models.knowledge.items import add_item
from models.meetings.records import record_decision
from models.meetings.series import schedule_meeting
from models.newsletter import IssueStatus, issues
from models.newsletter.content import Month
from models.recognition.kudos import give_kudos
from scheduler.newsletter import draft_newsletters
from tests import factories
from tests.conftest import TEAM
from tests.test_governance_jobs import ratified_terms
from tests.test_job_statements import N, assert_flat, communities, grown, lead, people, places

UTC = dt.UTC
OCT = dt.datetime(2026, 10, 1, 9, tzinfo=UTC)
NOV = dt.datetime(2026, 11, 10, 12, tzinfo=UTC)
NOVEMBER, DECEMBER, JANUARY = Month(2026, 11, "UTC"), Month(2026, 12, "UTC"), Month(2027, 1, "UTC")


def two_communities(session: Session):
    """DevOps (Bob leads) and Data (Eve leads), set up in October; November's records in both."""
    devops = factories.community(session, team_id=TEAM, now=OCT)
    data = factories.community(session, team_id=TEAM, channel_id="CDATA", name="Data <CoP>", now=OCT)
    bob = factories.member(session, devops, "UBOB", joined=OCT, role=Role.LEAD).person
    eve = factories.member(session, data, "UEVE", joined=OCT + dt.timedelta(days=3), role=Role.LEAD).person
    chandra = factories.member(session, devops, "UCHANDRA", joined=NOV).person
    dana = factories.member(session, data, "UDANA", joined=NOV + dt.timedelta(days=1)).person
    factories.member(session, data, "UFRED", joined=OCT + dt.timedelta(days=20))  # joined in October
    factories.person(session, "UALICE", team_id=TEAM, now=OCT, overall_lead=True, tz="Asia/Tokyo")
    give_kudos(session, community=devops, giver=bob, receiver=chandra, reason="for the <runbook>", now=NOV)
    record_decision(session, community=data, occurrence=None, text="Use <b>Postgres</b>", person=eve, now=NOV)
    done = add_objective(session, community=devops, year=2026, text="Run two game days", by=bob, now=OCT)
    add_objective(session, community=devops, year=2026, text="Write the on-call guide", by=bob, now=OCT)
    close_objective(done, status=ObjectiveStatus.DONE, now=NOV)
    ratified_terms(session, data, at=NOV)
    schedule_meeting(session, community=devops, title="Game day", starts_at=dt.datetime(2026, 12, 8, 15, tzinfo=UTC),
                     created_by=bob, now=NOV)
    tip, _ = add_item(session, community=devops, kind=KnowledgeKind.TIP, text="Pin your <providers>", added_by=bob,
                      now=OCT)
    link, _ = add_item(session, community=data, kind=KnowledgeKind.TIP, text="Vacuum weekly", added_by=eve, now=OCT)
    old, _ = add_item(session, community=data, kind=KnowledgeKind.TIP, text="Old news", added_by=eve, now=OCT)
    for who in (chandra, dana):
        press_helped(session, item=tip, person=who, now=NOV)
    press_helped(session, item=link, person=chandra, now=NOV)
    press_helped(session, item=old, person=chandra, now=OCT + dt.timedelta(days=2))  # October: not November's
    session.flush()
    return devops, data


def test_the_draft_tells_the_month_across_communities(session: Session):
    devops, data = two_communities(session)
    issue, created = issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV + dt.timedelta(days=21))
    assert created and issue.status == IssueStatus.DRAFT and issue.featured_community_id == devops.id
    content = issue.content
    featured = content["featured"]
    assert (featured["community"], featured["leads"]) == ("DevOps CoP", ["Bob Baker"])
    assert [(o["text"], o["status"]) for o in featured["objectives"]] == [
        ("Run two game days", "done"), ("Write the on-call guide", "open")]
    assert featured["results"] == {"members": 2, "meetings": 0, "kudos": 1, "knowledge": 0, "objectives_done": 1}
    assert [(m["community"], m["count"], m["names"]) for m in content["new_members"]["items"]] == [
        ("Data <CoP>", 1, ["Dana Vogel"]), ("DevOps CoP", 1, ["Chandra Rao"])]
    # Most reused first; what was reused only in October is not November's news.
    assert [(k["title"], k["helped"]) for k in content["knowledge"]["items"]] == [
        ("Pin your <providers>", 2), ("Vacuum weekly", 1)]
    assert [(k["giver"], k["receiver"], k["reason"]) for k in content["kudos"]["items"]] == [
        ("Bob Baker", "Chandra Rao", "for the <runbook>")]
    assert [d["text"] for d in content["decisions"]["items"]] == ["Use <b>Postgres</b>"]
    assert sorted((w["community"], w["kind"]) for w in content["wins"]["items"]) == [
        ("Data <CoP>", "terms"), ("DevOps CoP", "objective")]
    assert [(c["title"], c["starts_at"][:10]) for c in content["coming"]["items"]] == [("Game day", "2026-12-08")]

    shown = json.dumps(issue_message(issue).blocks, ensure_ascii=False)
    assert "The CoP newsletter: November 2026" in shown
    assert "for the &lt;runbook&gt;" in shown and "Use &lt;b&gt;Postgres&lt;/b&gt;" in shown
    assert "Data &lt;CoP&gt;" in shown and "helped 2 people" in shown
    assert "<@" not in shown and "<runbook>" not in shown  # named, never pinged; typed text escaped
    draft = draft_dm(issue, None)
    assert "No newsletter channel is set yet" in json.dumps(draft.blocks)
    assert [e["text"]["text"] for e in draft.blocks[-1]["elements"]] == ["Approve", "Edit", "Skip"]


def test_the_feature_rotates_among_those_featured_longest_ago_unless_chosen(session: Session):
    devops, data = two_communities(session)
    alice = factories.person(session, "UALICE", team_id=TEAM, now=OCT)
    issues.set_channel(session, team_id=TEAM, channel_id="CNEWS", by=alice, now=NOV)
    featured = []
    for month in (NOVEMBER, DECEMBER, JANUARY):
        issue, _ = issues.draft_issue(session, team_id=TEAM, month=month, now=month.end)
        featured.append(issue.content["featured"]["community"])
        assert issues.approve(session, issue=issue, by=alice, now=month.end) == "CNEWS"
    assert featured == ["DevOps CoP", "Data <CoP>", "DevOps CoP"]
    # Chosen: Data, though DevOps is due; the choice is used once, then the rotation takes over.
    issues.set_feature(session, team_id=TEAM, community=data, by=alice, now=JANUARY.end)
    february = JANUARY.next()
    issue, _ = issues.draft_issue(session, team_id=TEAM, month=february, now=february.end)
    assert issue.content["featured"]["community"] == "Data <CoP>"
    issues.approve(session, issue=issue, by=alice, now=february.end)
    assert issues.settings_of(session, team_id=TEAM).feature_community_id is None
    march, _ = issues.draft_issue(session, team_id=TEAM, month=february.next(), now=february.next().end)
    assert march.content["featured"]["community"] == "DevOps CoP"


def test_an_issue_is_decided_once_and_a_posted_one_is_never_redrafted(session: Session):
    two_communities(session)
    alice = factories.person(session, "UALICE", team_id=TEAM, now=OCT)
    issue, _ = issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV)
    with pytest.raises(BadArgument, match="No newsletter channel is set"):
        issues.approve(session, issue=issue, by=alice, now=NOV)
    issues.skip(session, issue=issue, by=alice, now=NOV)
    with pytest.raises(BadArgument, match="already skipped by Alice Archer"):
        issues.approve(session, issue=issue, by=alice, now=NOV)
    again, created = issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV)
    assert (again.id, created, again.status) == (issue.id, False, IssueStatus.DRAFT)
    issues.set_channel(session, team_id=TEAM, channel_id="CNEWS", by=alice, now=NOV)
    issues.approve(session, issue=again, by=alice, now=NOV)
    with pytest.raises(BadArgument, match="posted already"):
        issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV)
    with pytest.raises(BadArgument, match="no section"):
        issues.edit(session, issue=issues.draft_issue(session, team_id=TEAM, month=DECEMBER, now=NOV)[0],
                    intro="Hi", cuts=["gossip"])


def newsletters(session: Session) -> list[tuple[str, str]]:
    return [(i.month, i.status.value) for i in session.scalars(select(NewsletterIssue).order_by(NewsletterIssue.id))]


def test_the_clock_drafts_on_the_first_working_day_in_an_overall_leads_zone_once_a_month(session: Session):
    two_communities(session)  # Alice, the overall lead, works 09:00-17:00 Monday to Friday in Tokyo
    # 1 November 2026 is a Sunday: the first working day is Monday 2 November, from 09:00 in Tokyo (00:00 UTC).
    sunday = dt.datetime(2026, 11, 1, 3, tzinfo=UTC)
    assert draft_newsletters(session=session, now=sunday) == 0
    assert draft_newsletters(session=session, now=dt.datetime(2026, 11, 1, 23, 59, tzinfo=UTC)) == 0
    monday = dt.datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert draft_newsletters(session=session, now=monday) == 1
    assert newsletters(session) == [("2026-10", "draft")]
    [dm] = factories.deliveries(session, kind="newsletter")
    assert (dm.channel, dm.key) == ("UALICE", "newsletter:1:draft:UALICE") and "October 2026" in dm.text
    assert draft_newsletters(session=session, now=monday + dt.timedelta(hours=5)) == 0
    assert draft_newsletters(session=session, now=monday + dt.timedelta(days=8)) == 0
    # 1 December is a Tuesday: November's issue, once.
    assert draft_newsletters(session=session, now=dt.datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) == 0
    assert draft_newsletters(session=session, now=dt.datetime(2026, 12, 1, 1, tzinfo=UTC)) == 1
    assert draft_newsletters(session=session, now=dt.datetime(2026, 12, 2, 1, tzinfo=UTC)) == 0
    assert newsletters(session) == [("2026-10", "draft"), ("2026-11", "draft")]


def test_without_a_known_overall_lead_the_workspace_default_is_nine_utc_on_weekdays(session: Session):
    factories.community(session, team_id=TEAM, now=OCT)
    assert draft_newsletters(session=session, now=dt.datetime(2026, 11, 2, 8, 59, tzinfo=UTC)) == 0
    assert draft_newsletters(session=session, now=dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
                             admin_ids=frozenset()) == 0  # drafted, but nobody to send it to
    assert newsletters(session) == [("2026-10", "draft")]


def test_this_helped_counts_once_per_person_and_a_second_press_takes_it_back(session: Session):
    devops = factories.community(session, team_id=TEAM, now=OCT)
    bob = factories.member(session, devops, "UBOB", joined=OCT).person
    dana = factories.member(session, devops, "UDANA", joined=OCT).person
    tip, _ = add_item(session, community=devops, kind=KnowledgeKind.TIP, text="Pin versions", added_by=bob, now=OCT)
    assert press_helped(session, item=tip, person=dana, now=NOV).total == 1
    second = press_helped(session, item=tip, person=dana, now=NOV)
    assert (second.counted, second.total) == (False, 0)
    assert press_helped(session, item=tip, person=dana, now=NOV).counted
    assert press_helped(session, item=tip, person=bob, now=NOV).total == 2
    assert helped_counts(session, item_ids=[tip.id]) == {tip.id: 2}
    reused, total = most_reused(session, team_id=TEAM, start=NOVEMBER.start, end=NOVEMBER.end)
    assert ([(r.item.id, r.helped) for r in reused], total) == ([(tip.id, 2)], 1)
    assert most_reused(session, team_id="T0OTHER", start=NOVEMBER.start, end=NOVEMBER.end) == ([], 0)
    # What someone said helped them is theirs: it is in their export.
    [kind] = [k for k in personal_kinds(person=dana) if k.name == "knowledge_helped"]
    assert [row.item_id for row in session.execute(kind.statement)] == [tip.id]


def test_long_sections_end_with_and_n_more(session: Session):
    devops = factories.community(session, team_id=TEAM, now=OCT)
    bob = factories.member(session, devops, "UBOB", joined=OCT, role=Role.LEAD).person
    for n in range(13):
        record_decision(session, community=devops, occurrence=None, text=f"Decision {n} " + "x" * 280, person=bob,
                        now=NOV + dt.timedelta(minutes=n))
    issue, _ = issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV)
    assert (len(issue.content["decisions"]["items"]), issue.content["decisions"]["total"]) == (10, 13)
    [decisions] = [b["text"]["text"] for b in issue_message(issue).blocks if "*Decisions*" in b.get("text", {})
                   .get("text", "")]
    assert decisions.endswith("more") and "…and" in decisions and len(decisions) <= 3000
    assert "Decision 0 " in decisions and "Decision 12 " not in decisions


def test_drafting_costs_the_same_statements_for_four_times_the_communities_records_and_leads(sessions):
    first_monday = dt.datetime(2027, 3, 1, 10, tzinfo=UTC)  # 1 March 2027: the month's first working day
    february = dt.datetime(2027, 2, 10, 12, tzinfo=UTC)

    def grow(session: Session, start: int, count: int) -> None:
        ids = communities(sessions, count, start)
        session.execute(delete(NewsletterIssue))  # each run drafts February's afresh
        leads = people(session, 1000 + start, count, overall_lead=True)
        for place, newcomer in zip(places(session, ids), people(session, start, count), strict=True):
            factories.member(session, place, newcomer.user_id, joined=february)
            give_kudos(session, community=place, giver=lead(session), receiver=newcomer, reason="thanks", now=february,
                       per_day=100)
            record_decision(session, community=place, occurrence=None, text="Yes", person=newcomer, now=february)
            tip, _ = add_item(session, community=place, kind=KnowledgeKind.TIP, text="Tip", added_by=newcomer,
                              now=february)
            for reader in leads:
                press_helped(session, item=tip, person=reader, now=february)

    small, large = grown(sessions, draft_newsletters, grow, at=first_monday)
    assert_flat(small, large, work=N)


def test_the_featured_community_names_only_leads_still_in_slack(session: Session):
    devops, _ = two_communities(session)
    gone = factories.member(session, devops, "UGONE", joined=OCT, role=Role.CO_LEAD).person
    forgotten = factories.member(session, devops, "UFORGOT", joined=OCT, role=Role.CO_LEAD).person
    gone.deleted = True  # deactivated in Slack: their membership stays until someone tidies up
    forget_person(session, person=forgotten, now=NOV)
    issue, _ = issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV + dt.timedelta(days=21))
    assert issue.content["featured"]["leads"] == ["Bob Baker"]
    shown = json.dumps(issue_message(issue).blocks, ensure_ascii=False)
    assert "led by Bob Baker" in shown and "Ugone" not in shown and "former member" not in shown


def test_an_approved_issue_slack_would_not_post_comes_back_to_the_overall_leads_as_a_draft(session: Session):
    two_communities(session)
    alice = session.scalars(select(Person).where(Person.user_id == "UALICE")).one()
    issues.set_channel(session, team_id=TEAM, channel_id="CNEWS", by=alice, now=NOV)
    issue, _ = issues.draft_issue(session, team_id=TEAM, month=NOVEMBER, now=NOV)
    issues.approve(session, issue=issue, by=alice, now=NOV)
    assert enqueue(session, key=issues.post_key(issue), team_id=TEAM, channel="CNEWS", text="The newsletter",
                   kind="newsletter", now=NOV)
    posted = delivery_by_key(session, key=issues.post_key(issue))
    later = dt.datetime(2026, 12, 20, 10, tzinfo=UTC)  # no month due: only the failure is news
    assert draft_newsletters(session=session, now=later) == 0  # still pending: nothing to tell
    mark_failed(session, delivery_id=posted.id, error="is_archived")
    assert draft_newsletters(session=session, now=later) == 1
    session.refresh(issue)
    assert (issue.status, issue.decided_by_id, issue.channel_id) == (IssueStatus.DRAFT, None, None)
    assert issues.settings_of(session, team_id=TEAM).channel_id is None  # a lead must choose one that works
    [told] = session.scalars(select(Delivery).where(Delivery.key.like(f"newsletter:{issue.id}:refused:%"))).all()
    shown = json.dumps(told.blocks, ensure_ascii=False)
    assert told.channel == "UALICE" and "approved by Alice Archer, could not be posted" in shown
    assert "`is_archived`" in shown and "<#CNEWS>" in shown and "No newsletter channel is set yet" in shown
    assert [e["text"]["text"] for e in told.blocks[-1]["elements"]] == ["Approve", "Edit", "Skip"]
    assert draft_newsletters(session=session, now=later + dt.timedelta(hours=1)) == 0  # told once
    # Approved again once a channel works: posted afresh, the failed post kept for the record.
    issues.set_channel(session, team_id=TEAM, channel_id="CNEWS2", by=alice, now=later)
    assert issues.approve(session, issue=issue, by=alice, now=later) == "CNEWS2"
    assert enqueue(session, key=issues.post_key(issue), team_id=TEAM, channel="CNEWS2", text="The newsletter",
                   kind="newsletter", now=later)
    session.refresh(posted)
    assert (posted.status, posted.key) == (DeliveryStatus.FAILED, f"{issues.post_key(issue)}:failed:{posted.id}")
