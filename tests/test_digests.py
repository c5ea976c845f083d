"""The weekly digest: what it says about a week, how it fits Slack's limits, and when each copy goes out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from bot.blocks.digest import Copy, digest_message
from models import ActionStatus, ContributionKind, Delivery, HeldNotice, Role
from models.attention import hold
from models.digests import Week, build_digest, sections_for_weeks, shared_sections
from models.digests.period import week_ending
from models.digests.sections import KIND_WORDS, counted
from models.meetings import schedule_meeting
from models.people import enroll_members
from models.when import Recurrence
from scheduler.runner import run_tick
from tests import factories
from tests.conftest import TEAM
from tests.test_http_app import blocks_text, setup_devops

UTC = dt.UTC
# Monday 22 March 2027, 09:00 in London (GMT): a week before Europe moves its clocks.
MONDAY = dt.datetime(2027, 3, 22, 9, 0, tzinfo=UTC)
WEEK = dt.timedelta(days=7)


def text_of(message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


@pytest.fixture
def week(session):
    """A community in London with a week's worth of records, some of them just outside the week."""
    place = factories.community(session, team_id=TEAM, now=MONDAY - 5 * WEEK)
    old = MONDAY - 4 * WEEK
    alice = factories.member(session, place, "UALICE", joined=old, role=Role.LEAD).person
    bob = factories.member(session, place, "UBOB", joined=old).person
    dana = factories.member(session, place, "UDANA", joined=MONDAY - dt.timedelta(days=2)).person
    factories.member(session, place, "UEVE", joined=MONDAY - WEEK - dt.timedelta(hours=1))  # the week before
    in_week = MONDAY - dt.timedelta(days=3)
    factories.action(session, place, "Write the <!channel> runbook", created=in_week, owner=bob)
    factories.action(session, place, "Old but open", created=old)
    factories.action(session, place, "Ship the dashboards", created=old, owner=alice, status=ActionStatus.DONE,
                     closed_at=in_week)
    factories.action(session, place, "Closed long ago", created=old, owner=alice, status=ActionStatus.DONE,
                     closed_at=old)
    factories.action(session, place, "Rotate the secrets", created=old, owner=bob, due=MONDAY - dt.timedelta(days=1))
    factories.action(session, place, "Migrate CI", created=old, owner=alice, status=ActionStatus.BLOCKED,
                     blocker_reason="waiting for the platform team", blocked_at=in_week)
    for n in range(3):
        factories.contribute(session, place, bob, in_week + dt.timedelta(minutes=n))
    factories.contribute(session, place, alice, in_week, ContributionKind.REACTION_GIVEN)
    factories.contribute(session, place, dana, old)  # before the week: not counted
    schedule_meeting(session, community=place, title="Show and tell", starts_at=MONDAY + dt.timedelta(days=2),
                     created_by=alice, now=old)
    schedule_meeting(session, community=place, title="Far away", starts_at=MONDAY + 3 * WEEK,
                     created_by=alice, now=old)
    session.commit()
    return place


def sections_of(digest) -> dict[str, list[str]]:
    return {s.key: [item.text for item in s.items] for s in digest.sections}


def test_the_week_in_sections_and_only_that_week(session, week):
    period = week_ending(MONDAY, "Europe/London")
    digest = build_digest(session, community=week, period=period)
    assert sections_of(digest) == {
        "actions_opened": ["Write the <!channel> runbook"],
        "actions_closed": ["Ship the dashboards"],
        "actions_overdue": ["Rotate the secrets"],
        "actions_blocked": ["Migrate CI"],
        "new_members": ["Dana Vogel"],
        "contributions": ["Bob Baker", "Alice Archer"],
        "coming_up": ["Show and tell"],
    }
    contributions = next(s for s in digest.sections if s.key == "contributions")
    assert contributions.summary == "4 in all: 3 messages, 1 reaction."
    assert not digest.is_empty


def test_the_sections_of_many_weeks_at_once_are_each_weeks_own(session, week):
    """One statement per section serves every community's week: what each week gets is what it gets alone,
    for two communities, and for one community read in two zones (two periods ending an hour apart)."""
    other = factories.community(session, team_id=TEAM, channel_id="COTHER", name="Other", now=MONDAY - 5 * WEEK)
    carol = factories.member(session, other, "UCAROL", joined=MONDAY - 3 * WEEK).person
    factories.action(session, other, "Other's action", created=MONDAY - dt.timedelta(days=1), owner=carol)
    factories.contribute(session, other, carol, MONDAY - dt.timedelta(days=1))
    # Inside the London week, outside the Berlin one, which ends an hour earlier.
    factories.contribute(session, week, carol, MONDAY - dt.timedelta(minutes=30))
    session.commit()
    weeks = [Week(place, week_ending(at, tz)) for place in (week, other)
             for at, tz in ((MONDAY, "Europe/London"), (MONDAY - dt.timedelta(hours=1), "Europe/Berlin"))]
    together = sections_for_weeks(session, weeks)
    assert len(together) == 4
    for one in weeks:
        assert together[one.key] == shared_sections(session, community=one.community, period=one.period)
    london, berlin = (next(s for s in together[w.key] if s.key == "contributions") for w in weeks[:2])
    assert (london.summary, berlin.summary) == ("5 in all: 4 messages, 1 reaction.",
                                                "4 in all: 3 messages, 1 reaction.")
    assert [s.items[0].text for s in together[weeks[2].key] if s.key == "actions_opened"] == ["Other's action"]


def test_channel_copy_escapes_text_names_without_pinging_and_shows_local_times(session, week):
    digest = build_digest(session, community=week, period=week_ending(MONDAY, "Europe/London"))
    message = digest_message(digest, Copy.CHANNEL)
    posted = json.dumps(message.blocks, ensure_ascii=False)
    assert "&lt;!channel&gt;" in posted and "<!channel>" not in posted
    assert "<@" not in posted  # top contributors by name: a digest thanks people, it does not ping them
    assert "*Bob Baker* · 3" in posted
    assert "<!date^" in posted  # meeting and due times in each reader's zone
    assert "waiting for the platform team" in posted
    assert "Your open actions" not in posted


def test_a_members_copy_adds_their_own_part(session, week):
    bob = factories.person(session, "UBOB", team_id=TEAM, now=MONDAY)
    digest = build_digest(session, community=week, period=week_ending(MONDAY, "America/New_York"), reader=bob)
    mine = sections_of(digest)["your_actions"]
    assert mine == ["Rotate the secrets", "Write the <!channel> runbook"]  # the one due first, first
    posted = json.dumps(digest_message(digest, Copy.DM).blocks, ensure_ascii=False)
    assert "Stop digest messages" in posted and "digest by direct message" in posted


def test_an_empty_week_says_so_in_one_line(session):
    place = factories.community(session, team_id=TEAM, now=MONDAY - 5 * WEEK)
    factories.member(session, place, "UALICE", joined=MONDAY - 5 * WEEK, role=Role.LEAD)
    message = digest_message(build_digest(session, community=place, period=week_ending(MONDAY, "UTC")),
                             Copy.CHANNEL)
    assert len(message.blocks) == 1
    assert message.blocks[0]["text"]["text"] == ":zzz: A quiet week in *DevOps CoP*: nothing new was recorded."
    schedule_meeting(session, community=place, title="Kick-off", starts_at=MONDAY + dt.timedelta(days=1),
                     created_by=None, now=MONDAY - WEEK)
    message = digest_message(build_digest(session, community=place, period=week_ending(MONDAY, "UTC")),
                             Copy.CHANNEL)
    assert len(message.blocks) == 1 and "Next up: *Kick-off*, <!date^" in message.blocks[0]["text"]["text"]


def test_long_sections_are_cut_within_slacks_limits_with_and_n_more(session):
    place = factories.community(session, team_id=TEAM, now=MONDAY - 5 * WEEK)
    for n in range(40):
        factories.action(session, place, f"{n:02d} " + "x" * 195, created=MONDAY - dt.timedelta(days=1))
    digest = build_digest(session, community=place, period=week_ending(MONDAY, "UTC"))
    [opened] = digest.sections
    assert (len(opened.items), opened.total, opened.more) == (10, 40, 30)
    message = digest_message(digest, Copy.CHANNEL)
    [text] = [b["text"]["text"] for b in message.blocks if "Actions opened" in json.dumps(b)]
    assert len(text) <= 3000
    shown = text.count("• ")
    assert text.endswith(f"…and {40 - shown} more") and shown >= 5


@pytest.fixture
def subscribers(session):
    """London community (digest Monday 09:00 London); a reader in each of four zones, all by DM."""
    place = factories.community(session, team_id=TEAM, now=MONDAY - 5 * WEEK)
    for user in ("UALICE", "UBOB", "UDANA", "UCHANDRA"):
        factories.member(session, place, user, joined=MONDAY - 5 * WEEK, digest_dm=True, nudges_enabled=False)
    factories.member(session, place, "UEVE", joined=MONDAY - 5 * WEEK, nudges_enabled=False)  # no DM copy
    session.commit()
    return place


def digest_dms(slack) -> dict[str, int]:
    counts = {}
    for user in ("UALICE", "UBOB", "UDANA", "UCHANDRA", "UEVE"):
        counts[user] = len([m for m in slack.messages_in(user) if m.text.startswith(("Weekly digest", "A quiet"))])
    return counts


@pytest.mark.parametrize(("monday", "local_nines"), [
    # Before either change: London GMT, Berlin CET, New York EST, Bengaluru IST (no DST).
    ("2027-03-08", {"UCHANDRA": "03:30", "UDANA": "08:00", "UALICE": "09:00", "UBOB": "14:00"}),
    # New York moved on 14 March; Europe has not yet.
    ("2027-03-15", {"UCHANDRA": "03:30", "UDANA": "08:00", "UALICE": "09:00", "UBOB": "13:00"}),
    # Europe moved on 28 March.
    ("2027-03-29", {"UCHANDRA": "03:30", "UDANA": "07:00", "UALICE": "08:00", "UBOB": "13:00"}),
])
def test_each_reader_gets_their_copy_at_their_own_nine(services, slack, subscribers, monday, local_nines):
    expected = dict.fromkeys(("UALICE", "UBOB", "UDANA", "UCHANDRA", "UEVE"), 0)
    for user, utc_time in sorted(local_nines.items(), key=lambda kv: kv[1]):
        instant = dt.datetime.fromisoformat(f"{monday}T{utc_time}:00+00:00")
        run_tick(services, now=instant - dt.timedelta(minutes=1))
        assert digest_dms(slack) == expected, f"too early for {user}"
        for _ in range(2):
            run_tick(services, now=instant)
        expected[user] = 1
        assert digest_dms(slack) == expected, f"{user} at {utc_time} UTC"


def test_channel_copy_at_the_community_slot_across_the_change_and_a_late_one_still_goes(services, slack,
                                                                                      subscribers):
    def channel_digests() -> list[str]:
        return [m.text for m in slack.messages_in("CDEVOPS")]

    run_tick(services, now=MONDAY - dt.timedelta(minutes=1))
    assert channel_digests() == []
    for _ in range(2):
        run_tick(services, now=MONDAY)
    assert len(channel_digests()) == 1
    after_change = dt.datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
    run_tick(services, now=after_change - dt.timedelta(minutes=1))
    assert len(channel_digests()) == 1
    run_tick(services, now=after_change)
    assert len(channel_digests()) == 2
    run_tick(services, now=after_change + WEEK + dt.timedelta(hours=5))  # down all morning: five hours late
    assert len(channel_digests()) == 3
    run_tick(services, now=after_change + 2 * WEEK + dt.timedelta(hours=13))  # a day's news is stale
    assert len(channel_digests()) == 3
    with services.sessions() as session:
        digests = select(Delivery).where(Delivery.kind == "digest").order_by(Delivery.id)
        keys = [d.key for d in session.scalars(digests)]
    assert keys == [f"digest:{subscribers.id}:2027-W12:channel", f"digest:{subscribers.id}:2027-W13:channel",
                    f"digest:{subscribers.id}:2027-W14:channel"]


def test_what_was_held_for_the_digest_is_shown_once(services, slack, subscribers):
    with services.sessions.begin() as session:
        alice = factories.person(session, "UALICE", team_id=TEAM, now=MONDAY)
        hold(session, key="nudge:held:1", person_id=alice.id, community_id=subscribers.id, kind="nudge",
             summary="One small thing you could do: #7 Tidy <the wiki>", now=MONDAY - dt.timedelta(days=2))
    run_tick(services, now=MONDAY)
    [first] = slack.messages_in("UALICE")
    assert "Saved for your digest" in text_of(first) and "Tidy &lt;the wiki&gt;" in text_of(first)
    run_tick(services, now=MONDAY + WEEK)
    assert "Saved for your digest" not in text_of(slack.messages_in("UALICE")[1])
    with services.sessions() as session:
        assert session.scalars(select(HeldNotice.released_at)).one() == MONDAY


def test_preview_is_private_and_personal(bot):
    setup_devops(bot)
    bot.command("UCHANDRA", "digest preview")
    reply = bot.wait_reply("UCHANDRA")
    assert reply["response_type"] == "ephemeral"
    shown = blocks_text(reply)
    assert "shown only to you" in shown
    # Everyone here was enrolled at set-up: the community's first members, not newcomers to greet.
    assert "New members" not in shown and "A quiet week in *DevOps CoP*" in shown


def test_recurring_meetings_appear_once_in_coming_up(session):
    place = factories.community(session, team_id=TEAM, now=MONDAY - WEEK)
    schedule_meeting(session, community=place, title="Daily-ish", starts_at=MONDAY + dt.timedelta(hours=2),
                     recurrence=Recurrence("weekly"), created_by=None, now=MONDAY - WEEK)
    digest = build_digest(session, community=place, period=week_ending(MONDAY, "UTC"))
    assert sections_of(digest) == {"coming_up": ["Daily-ish"]}
    assert digest.is_empty  # what is coming up alone is not news


def test_meetings_held_and_decisions_of_the_week_lead_the_digest(session, week):
    from models.meetings import Attendance, AttendedBy, Decision, MeetingOccurrence

    alice = factories.person(session, "UALICE", team_id=TEAM, now=MONDAY)
    held_at = MONDAY - dt.timedelta(days=4)
    kickoff = schedule_meeting(session, community=week, title="Kick-off", starts_at=held_at,
                               created_by=alice, now=held_at - WEEK)
    earlier = schedule_meeting(session, community=week, title="Last month's", starts_at=held_at - 3 * WEEK,
                               created_by=alice, now=held_at - 4 * WEEK)
    ran = MeetingOccurrence(meeting_id=kickoff.id, original_at=held_at, starts_at=held_at, started_at=held_at,
                            ended_at=held_at + dt.timedelta(hours=1), permalink="https://x.slack.com/archives/C1/p1")
    old = MeetingOccurrence(meeting_id=earlier.id, original_at=held_at - 3 * WEEK, starts_at=held_at - 3 * WEEK,
                            started_at=held_at - 3 * WEEK, ended_at=held_at - 3 * WEEK + dt.timedelta(hours=1))
    session.add_all([ran, old])
    session.flush()
    session.add(Attendance(occurrence_id=ran.id, person_id=alice.id, attended_by=AttendedBy.SPOKE,
                           first_seen_at=held_at))
    session.add_all([
        Decision(community_id=week.id, occurrence_id=ran.id, text="Adopt <trunk> based development",
                 person_id=alice.id, created_at=held_at + dt.timedelta(minutes=20)),
        Decision(community_id=week.id, text="An old decision", person_id=alice.id, created_at=held_at - 3 * WEEK),
    ])
    session.commit()
    digest = build_digest(session, community=week, period=week_ending(MONDAY, "Europe/London"))
    keys = [s.key for s in digest.sections]
    assert keys[:3] == ["meetings_held", "decisions", "actions_opened"]
    held = next(s for s in digest.sections if s.key == "meetings_held")
    assert [(i.text, i.note, i.link) for i in held.items] == [
        ("Kick-off", "1 attended", "https://x.slack.com/archives/C1/p1")]
    assert sections_of(digest)["decisions"] == ["Adopt <trunk> based development"]
    rendered = text_of(digest_message(digest, Copy.CHANNEL))
    assert "Adopt &lt;trunk&gt; based development" in rendered and "An old decision" not in rendered


def test_kudos_and_knowledge_of_the_week_are_in_the_digest(session, week):
    from models.knowledge.model import KnowledgeItem, KnowledgeKind
    from models.recognition.kudos import Kudos

    alice = factories.person(session, "UALICE", team_id=TEAM, now=MONDAY)
    bob = factories.person(session, "UBOB", team_id=TEAM, now=MONDAY)
    in_week, before = MONDAY - dt.timedelta(days=2), MONDAY - 2 * WEEK
    for n, (when, reason) in enumerate(((in_week, "for the <b>runbook</b>"), (before, "an old thank-you"))):
        session.add(Kudos(community_id=week.id, giver_id=alice.id, receiver_id=bob.id, reason=reason,
                          given_on=when.date(), slot_key=f"{alice.id}:{when.date()}:{n}", created_at=when))
    session.add_all([
        KnowledgeItem(community_id=week.id, kind=KnowledgeKind.TIP, title="Keep one on-demand runner",
                      author_id=bob.id, added_by_id=bob.id, created_at=in_week),
        KnowledgeItem(community_id=week.id, kind=KnowledgeKind.LINK, title="Last month's link",
                      url="https://example.com", author_id=bob.id, added_by_id=bob.id, created_at=before),
    ])
    session.commit()
    digest = build_digest(session, community=week, period=week_ending(MONDAY, "Europe/London"))
    found = sections_of(digest)
    assert found["kudos"] == ["for the <b>runbook</b>"]
    assert found["knowledge"] == ["Keep one on-demand runner"]
    [thanks] = next(s for s in digest.sections if s.key == "kudos").items
    assert thanks.note == "Alice Archer to Bob Baker"
    rendered = text_of(digest_message(digest, Copy.CHANNEL))
    assert "&lt;b&gt;runbook&lt;/b&gt;" in rendered and "<@" not in rendered.split("Kudos")[1].split("\\n")[0]


def test_every_kind_of_contribution_is_counted_in_words():
    assert set(KIND_WORDS) == set(ContributionKind)  # a new kind needs its words here
    assert counted(2, ContributionKind.DECISION) == "2 decisions"
    assert counted(1, ContributionKind.MEETING_NOTE) == "1 meeting note"
    assert counted(3, ContributionKind.MEETING_LED) == "3 meetings led"


def test_the_members_enrolled_at_setup_are_not_greeted_as_new_in_the_first_digest(session):
    """`/cop setup` enrols whoever is in the channel already, at the instant the community is made: they are its
    first members, not newcomers; someone who joins afterwards is."""
    set_up = MONDAY - dt.timedelta(days=3)
    place = factories.community(session, team_id=TEAM, channel_id="CNEW", name="New CoP", now=set_up)
    enroll_members(session, community=place, user_ids=["UALICE", "UBOB"], now=set_up)
    factories.member(session, place, "UDANA", joined=set_up + dt.timedelta(days=1))
    session.commit()
    digest = build_digest(session, community=place, period=week_ending(MONDAY, "Europe/London"))
    assert sections_of(digest).get("new_members") == ["Dana Vogel"]


def test_an_action_a_lead_closed_for_its_owner_is_credited_to_the_lead(session, week):
    """Bob (a member) owns the action; Alice, a lead, marks it done: the digest says who closed it."""
    from models.actions.workflow import Actor, complete_action

    alice, bob = (factories.person(session, user, team_id=TEAM, now=MONDAY) for user in ("UALICE", "UBOB"))
    closed = factories.action(session, week, "Rotate the keys", created=MONDAY - 2 * WEEK, owner=bob)
    complete_action(session, action=closed, actor=Actor(alice, is_lead=True), now=MONDAY - dt.timedelta(days=1))
    session.commit()
    digest = build_digest(session, community=week, period=week_ending(MONDAY, "Europe/London"))
    done = {item.text: item.note for s in digest.sections if s.key == "actions_closed" for item in s.items}
    assert done["Rotate the keys"] == "done by Alice Archer"
    assert done["Ship the dashboards"] == "done by Alice Archer"  # closed before who closed was kept: its owner


def test_the_years_open_objectives_and_their_progress_are_in_the_digest(session, week):
    from models.governance.plan import ObjectiveStatus, add_objective, link_action

    alice = factories.person(session, "UALICE", team_id=TEAM, now=MONDAY)
    ours = add_objective(session, community=week, year=2027, text="Run a <b>game</b> day", by=alice, now=MONDAY)
    done = add_objective(session, community=week, year=2027, text="Finished already", by=alice, now=MONDAY)
    done.status = ObjectiveStatus.DONE
    add_objective(session, community=week, year=2026, text="Last year's", by=alice, now=MONDAY)
    closed = factories.action(session, week, "Book it", created=MONDAY, status=ActionStatus.DONE, closed_at=MONDAY)
    link_action(session, community=week, action_id=closed.id, objective=ours)
    link_action(session, community=week, action_id=factories.action(session, week, "Plan it", created=MONDAY).id,
                objective=ours)
    session.commit()
    digest = build_digest(session, community=week, period=week_ending(MONDAY, "Europe/London"))
    [section] = [s for s in digest.sections if s.key == "plan"]
    assert [(i.text, i.note) for i in section.items] == [("Run a <b>game</b> day", "1 of 2 linked actions done")]
    assert "&lt;b&gt;game&lt;/b&gt;" in text_of(digest_message(digest, Copy.CHANNEL))
