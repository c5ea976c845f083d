"""copbot benchmarks: how the scans and the request path scale. Run: .venv/bin/python bench/run.py

Numbers are wall-clock on a shared machine, so read ratios within one run rather than absolutes.
Each figure is the median of several repetitions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from bot.app import build_services, create_app  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.db import make_engine, make_session_factory  # noqa: E402
from bot.outbox import Limits  # noqa: E402
from bot.sandbox.requests import RequestFactory  # noqa: E402
from bot.sandbox.slack_emulator import SlackEmulator  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from models.actions.workflow import Actor, add_action, block_action  # noqa: E402
from models.communities import create_community  # noqa: E402
from models.contributions import ContributionKind, record_contribution  # noqa: E402
from models.deliveries import enqueue  # noqa: E402
from models.digests.due import dm_digests_due  # noqa: E402
from models.meetings import due_reminders, schedule_meeting  # noqa: E402
from models.mentions import MentionSource, record_mentions  # noqa: E402
from models.nudges import nudges_due  # noqa: E402
from models.people import Membership, Person, ProfileUpdate, Role, join_community, upsert_person  # noqa: E402
from models.when import Recurrence, parse_when  # noqa: E402
from scheduler.digests import post_channel_digests, send_digest_dms  # noqa: E402
from scheduler.follow_up import follow_up_actions  # noqa: E402
from scheduler.outreach import send_nudges  # noqa: E402

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def median_seconds(function: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_reminder_scan(kind: str, communities: int) -> dict[str, float]:
    """due_reminders over `communities` communities with 3 meetings each (one weekly)."""
    url, drop = fresh_database(kind)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        for n in range(communities):
            community = create_community(session, team_id="T1", channel_id=f"C{n:06d}", name=f"CoP {n}",
                                         created_by="U1", timezone="Europe/London", now=NOW)
            for hours, rule in ((23, None), (50, Recurrence("weekly", 1)), (24 * 9, None)):
                schedule_meeting(session, community=community, title=f"Meeting {n}", created_by=None, now=NOW,
                                 starts_at=NOW + dt.timedelta(hours=hours), recurrence=rule)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)

    def scan() -> int:
        with sessions() as session:
            return len(due_reminders(session, now=NOW))

    due = scan()
    per_scan = statements
    seconds = median_seconds(scan)
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    drop()
    return {"due": due, "statements": per_scan, "ms": seconds * 1000}


def bench_reminder_job(kind: str, communities: int, coming: int = 5) -> dict[str, float]:
    """send_due_reminders when one meeting per community is an hour away and `coming` members said yes:
    the channel reminders and everyone's DMs, within their budgets; then the same instant again."""
    from models.meetings.occurrences import find_occurrence, occurrence_row
    from models.meetings.reminders import RsvpAnswer, record_rsvp
    from scheduler.jobs import send_due_reminders

    url, drop = fresh_database(kind)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    starts = NOW + dt.timedelta(hours=1)
    profile = ProfileUpdate(display_name="x", tz="Europe/London", is_bot=False, is_admin=False, is_guest=False,
                            deleted=False)
    with sessions.begin() as session:
        for n in range(communities):
            community = create_community(session, team_id="T1", channel_id=f"C{n:06d}", name=f"CoP {n}",
                                         created_by="U1", timezone="Europe/London", now=NOW)
            meeting = schedule_meeting(session, community=community, title=f"Meeting {n}", created_by=None,
                                       now=NOW - dt.timedelta(days=2), starts_at=starts)
            row = occurrence_row(session, find_occurrence(session, meeting=meeting, now=NOW))
            for m in range(coming):
                person = upsert_person(session, team_id="T1", user_id=f"U{n:04d}{m:03d}", profile=profile, now=NOW)
                join_community(session, community=community, person=person, now=NOW)
                record_rsvp(session, occurrence=row, person=person, answer=RsvpAnswer.YES, now=NOW)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    start = time.perf_counter()
    with sessions.begin() as session:
        queued = send_due_reminders(session=session, now=NOW)
    first_ms, first_statements = (time.perf_counter() - start) * 1000, statements
    statements = 0
    with sessions.begin() as session:
        again = send_due_reminders(session=session, now=NOW)
    repeat_statements = statements
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    drop()
    return {"queued": queued, "first_statements": first_statements, "first_ms": first_ms, "again": again,
            "repeat_statements": repeat_statements}


ZONES = ("Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata")
# Monday 22 March 2027, 09:00 in London: the London communities' slot, London readers' 09:00, and working
# hours in London and Berlin, so the digest and nudge scans both have work to do.
OUTREACH_AT = dt.datetime(2027, 3, 22, 9, 0, tzinfo=dt.UTC)


def _seed_outreach(sessions, communities: int, members: int) -> None:
    """`communities` × `members` people over four zones; half read the digest by DM; half have gone quiet;
    in each community, the lead's decision this week mentions three members."""
    joined = OUTREACH_AT - dt.timedelta(days=60)
    with sessions.begin() as session:
        people = []
        for n in range(communities * members // 2):  # everyone is in two communities
            people.append(Person(team_id="T1", user_id=f"U{n:06d}", display_name=f"Person {n}", tz=ZONES[n % 4],
                                 digest_dm=n % 2 == 0, profile_fetched_at=joined, created_at=joined))
        session.add_all(people)
        session.flush()
        for c in range(communities):
            community = create_community(session, team_id="T1", channel_id=f"C{c:06d}", name=f"CoP {c}",
                                         created_by="U1", timezone=ZONES[c % 4], now=joined)
            here = [people[(c * members // 2 + m) % len(people)] for m in range(members)]
            for m, person in enumerate(here):
                session.add(Membership(community_id=community.id, person_id=person.id, joined_at=joined,
                                       role=Role.LEAD if m == 0 else Role.MEMBER))
                if m % 2 == 0:  # the other half has said nothing since joining
                    record_contribution(session, key=f"b:{c}:{m}", community_id=community.id, person_id=person.id,
                                        kind=ContributionKind.MESSAGE, occurred_at=OUTREACH_AT - dt.timedelta(days=2))
            record_mentions(session, community_id=community.id, source=MentionSource.DECISION, record_id=c + 1,
                            mentioned=here[1:4], by=here[0], text=f"Decision {c}",
                            now=OUTREACH_AT - dt.timedelta(days=3))


def bench_outreach(kind: str, communities: int, members: int = 20) -> dict[str, dict[str, float]]:
    """The digest and nudge scans, and the jobs that queue their messages, at an instant when much is due."""
    url, drop = fresh_database(kind)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    _seed_outreach(sessions, communities, members)
    statements = mention_reads = 0

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal statements, mention_reads
        statements += 1
        mention_reads += "FROM mentions" in statement

    event.listen(engine, "before_cursor_execute", count)
    results: dict[str, dict[str, float]] = {}
    scans = {
        "nudges_due (who may be nudged)": lambda s: len(nudges_due(s, now=OUTREACH_AT)),
        "dm_digests_due (whose 09:00 it is)": lambda s: len(dm_digests_due(s, now=OUTREACH_AT)),
        "idle: both scans at 02:00 UTC": lambda s: len(nudges_due(s, now=OUTREACH_AT - dt.timedelta(hours=7)))
        + len(dm_digests_due(s, now=OUTREACH_AT - dt.timedelta(hours=7))),
    }
    for name, scan in scans.items():
        statements = 0
        with sessions() as session:
            found = scan(session)
        per_scan = statements

        def timed(scan=scan) -> None:  # noqa: ANN001
            with sessions() as session:
                scan(session)

        results[name] = {"found": found, "statements": per_scan, "ms": median_seconds(timed) * 1000}
    jobs = {"send_nudges": send_nudges, "post_channel_digests": post_channel_digests,
            "send_digest_dms": send_digest_dms}
    for name, job in jobs.items():
        statements = mention_reads = 0
        start = time.perf_counter()
        with sessions.begin() as session:
            queued = job(session=session, now=OUTREACH_AT)
        results[name] = {"found": queued, "statements": statements, "ms": (time.perf_counter() - start) * 1000,
                         "mention_reads": mention_reads}
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    drop()
    return results


def bench_standup_asks(kind: str, communities: int, members: int) -> dict[str, float]:
    """ask_standups over `communities` with `members` each (four zones): the first tick, then a repeat."""
    from models.people import ProfileUpdate, join_community, upsert_person
    from models.standups.settings import set_schedule, standup_for
    from scheduler.jobs import ask_standups

    url, drop = fresh_database(kind)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    zones = ("Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata")
    with sessions.begin() as session:
        for n in range(communities):
            community = create_community(session, team_id="T1", channel_id=f"C{n:06d}", name=f"CoP {n}",
                                         created_by="U1", timezone="Europe/London", now=NOW)
            for m in range(members):
                profile = ProfileUpdate(display_name=f"p{m}", tz=zones[m % 4], is_bot=False, is_admin=False,
                                        is_guest=False, deleted=False)
                person = upsert_person(session, team_id="T1", user_id=f"U{n:04d}{m:04d}", profile=profile, now=NOW)
                join_community(session, community=community, person=person, now=NOW)
            set_schedule(session, standup=standup_for(session, community=community), days="12345",
                         at=dt.time(9, 30))
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    at = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # 09:30 has come in all four zones
    start = time.perf_counter()
    with sessions.begin() as session:
        asked = ask_standups(session=session, now=at)
    first_ms, first_statements = (time.perf_counter() - start) * 1000, statements
    statements = 0
    start = time.perf_counter()
    with sessions.begin() as session:
        again = ask_standups(session=session, now=at)
    repeat_ms, repeat_statements = (time.perf_counter() - start) * 1000, statements
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    drop()
    return {"asked": asked, "again": again, "first_statements": first_statements, "first_ms": first_ms,
            "repeat_statements": repeat_statements, "repeat_ms": repeat_ms}


def bench_follow_up_scan(kind: str, communities: int) -> dict[str, float]:
    """follow_up_actions over `communities` communities with 4 actions each: due soon, overdue, blocked, undated."""
    url, drop = fresh_database(kind)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    profile = ProfileUpdate(display_name="x", tz="Europe/London", is_bot=False, is_admin=False, is_guest=False,
                            deleted=False)
    earlier = NOW - dt.timedelta(days=4)
    with sessions.begin() as session:
        lead = upsert_person(session, team_id="T1", user_id="ULEAD", profile=profile, now=earlier)
        for n in range(communities):
            community = create_community(session, team_id="T1", channel_id=f"C{n:06d}", name=f"CoP {n}",
                                         created_by="ULEAD", timezone="Europe/London", now=earlier)
            member = upsert_person(session, team_id="T1", user_id=f"U{n:06d}", profile=profile, now=earlier)
            join_community(session, community=community, person=lead, now=earlier, role=Role.LEAD)
            join_community(session, community=community, person=member, now=earlier)
            actor = Actor(lead, is_lead=True)
            for title, due in (("soon", NOW + dt.timedelta(hours=3)), ("late", NOW - dt.timedelta(hours=3)),
                               ("blocked", None), ("whenever", None)):
                action = add_action(session, community=community, title=title, actor=actor, now=earlier,
                                    owner=member, due_at=due and max(due, earlier + dt.timedelta(minutes=1)))
                if title == "blocked":
                    block_action(session, action=action.action, actor=actor, reason="vendor", now=earlier)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    with sessions.begin() as session:
        queued = follow_up_actions(session=session, now=NOW)
    first = list(statements)
    statements.clear()
    with sessions.begin() as session:
        again = follow_up_actions(session=session, now=NOW)
    second = list(statements)
    event.remove(engine, "before_cursor_execute", count)

    def scan() -> int:
        with sessions() as session:  # rolled back: every repetition scans the same due rows
            return follow_up_actions(session=session, now=NOW)

    with sessions.begin() as session:  # put the rows back as they were before the first scan
        session.execute(text("UPDATE actions SET due_notice = 0, escalation_level = 0, escalated_at = NULL"))
    seconds = median_seconds(scan)
    engine.dispose()
    drop()
    selects = sum(1 for s in first if s.lstrip().upper().startswith("SELECT"))
    return {"queued": queued, "selects": selects, "statements": len(first), "again": again,
            "again_statements": len(second), "ms": seconds * 1000}


def bench_dispatch(messages: int) -> dict[str, float]:
    """Outbox to the emulated Slack over HTTP: messages per second, with pacing off."""
    url, drop = fresh_database("sqlite")
    with SlackEmulator() as slack:
        for n in range(10):
            slack.add_channel(f"C{n}", f"c{n}", creator="U0COPBOT", members=["U0COPBOT"])
        settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=secrets.token_hex(16),
                                 slack_api_url=slack.base_url, database_url=url, _env_file=None)
        services = build_services(settings, clock=Clock(NOW), limits=Limits.unpaced())
        with services.sessions.begin() as session:
            for n in range(messages):
                enqueue(session, key=f"bench:{n}", team_id="T1", channel=f"C{n % 10}", text=f"message {n}",
                        kind="bench", now=NOW)
        start = time.perf_counter()
        report = services.dispatcher.dispatch(now=NOW, limit=messages)
        seconds = time.perf_counter() - start
    drop()
    return {"sent": report.sent, "per_second": report.sent / seconds}


def bench_events(count: int) -> dict[str, float]:
    """Signed reaction_added events through the whole app (verify, claim, record), per second."""
    from slack_bolt.request import BoltRequest

    url, drop = fresh_database("sqlite")
    with SlackEmulator() as slack:
        slack.add_user("UA", "a", tz="Europe/London")
        slack.add_user("UB", "b", tz="Asia/Kolkata")
        slack.add_channel("CDEV", "dev", creator="UA", members=["U0COPBOT", "UA", "UB"])
        secret = secrets.token_hex(16)
        settings = load_settings(slack_bot_token="xoxb-bench", slack_signing_secret=secret,
                                 slack_api_url=slack.base_url, database_url=url, _env_file=None)
        # Inline: each event's work is done before it is answered, so the figure is the whole work's rate.
        services = build_services(settings, clock=Clock(NOW), limits=Limits.unpaced(), inline=True)
        app = create_app(services)
        with services.sessions.begin() as session:
            create_community(session, team_id=slack.team_id, channel_id="CDEV", name="Dev", created_by="UA",
                             timezone="Europe/London", now=NOW)
        factory = RequestFactory(signing_secret=secret, team_id=slack.team_id)
        requests = []
        for n in range(count):
            ts = f"1795000000.{n:06d}"
            reaction = factory.reaction(user="UA", reaction="tada", channel="CDEV", ts=ts, item_user="UB")
            requests.append(factory.event(reaction))
        tracemalloc.start()
        start = time.perf_counter()
        for request in requests:
            response = app.dispatch(BoltRequest(body=request.text, headers=request.headers))
            assert response.status == 200
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    drop()
    return {"per_second": count / seconds, "peak_mib": peak / 2**20}


def bench_parse_when(count: int) -> dict[str, float]:
    phrases = ["tomorrow 10am", "next tue 3pm", "2026-12-01 15:00", "in 2 hours", "dec 3 at 9:30"]
    start = time.perf_counter()
    for n in range(count):
        parse_when(phrases[n % len(phrases)], tz="America/New_York", now=NOW)
    return {"per_second": count / (time.perf_counter() - start)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the benchmarks still run")
    args = parser.parse_args()
    sizes = (10, 50) if args.quick else (50, 200)
    print("reminder scan (due_reminders), 3 meetings per community")
    for kind in ("sqlite", "postgresql"):
        for size in sizes:
            result = bench_reminder_scan(kind, size)
            print(f"  {kind:10} {size:4} communities: {result['due']:4} due, {result['statements']} statements, "
                  f"{result['ms']:.1f} ms")
    print("reminder job (send_due_reminders), a meeting an hour away per community, 5 members coming")
    for kind in ("sqlite", "postgresql"):
        for size in sizes:
            result = bench_reminder_job(kind, size)
            print(f"  {kind:10} {size:4} communities: {result['queued']:5} queued in {result['first_statements']} "
                  f"statements, {result['first_ms']:.0f} ms; again: {result['again']} in "
                  f"{result['repeat_statements']} statements")
    print(f"digest and nudge scans, 20 members per community, at {OUTREACH_AT:%a %d %b %Y %H:%M} UTC")
    for kind in ("sqlite", "postgresql"):
        for size in sizes:
            for name, result in bench_outreach(kind, size).items():
                reads = f" ({result['mention_reads']} reading mentions)" if result.get("mention_reads") else ""
                print(f"  {kind:10} {size:4} communities: {name:36} {result['found']:5} found/queued, "
                      f"{result['statements']:5} statements{reads}, {result['ms']:8.1f} ms")
    print("async standup asks (ask_standups), members in four zones, first tick then the same instant again")
    for kind in ("sqlite", "postgresql"):
        for communities, members in ((5, 10), (10, 20)) if args.quick else ((20, 10), (50, 40)):
            result = bench_standup_asks(kind, communities, members)
            print(f"  {kind:10} {communities:3} x {members:3} members: asked {result['asked']} in "
                  f"{result['first_statements']} statements, {result['first_ms']:.0f} ms; again: {result['again']} "
                  f"in {result['repeat_statements']} statements, {result['repeat_ms']:.0f} ms")
    print("action follow-up scan (follow_up_actions), 4 actions per community: due soon, overdue, blocked, undated")
    for kind in ("sqlite", "postgresql"):
        for size in sizes:
            result = bench_follow_up_scan(kind, size)
            print(f"  {kind:10} {size:4} communities: {result['queued']:4} messages queued by "
                  f"{result['statements']} statements ({result['selects']} SELECTs), {result['ms']:.1f} ms; "
                  f"again at the same instant: {result['again']} queued, {result['again_statements']} statements")
    result = bench_dispatch(50 if args.quick else 300)
    print(f"outbox dispatch: {result['sent']} messages, {result['per_second']:.0f} messages/s")
    result = bench_events(50 if args.quick else 300)
    print(f"reaction events through the app: {result['per_second']:.0f} events/s, "
          f"peak traced memory {result['peak_mib']:.1f} MiB")
    parse_when("tomorrow 10am", tz="UTC", now=NOW)  # first call compiles dateparser's patterns
    result = bench_parse_when(200 if args.quick else 2000)
    print(f"parse_when: {result['per_second']:.0f} phrases/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
