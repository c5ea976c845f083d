"""The sandbox: the shipped story runs and shows what it promises; rendering and the line language."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox.render import Viewer, format_date_token, render_message, render_mrkdwn
from bot.sandbox.session import SCRIPT_START, Sandbox, parse_span, run_sandbox
from bot.sandbox.slack_emulator import PostedMessage
from models import Action, ActionStatus, KnowledgeItem, KnowledgeKind, Meeting
from models.contributions import Contribution, ContributionKind
from models.people import Person
from tests.community import stray_markup
from tests.databases import sqlite_copy
from tests.slack_spec.validate import check_call

STORY = Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "first_week.cop"
DEVOPS = "C0DEVOPS"
BOT = "U0COPBOT"
# Tue 24 Nov 2026 15:00 UTC: 15:00 in London, 10:00 in New York, 20:30 in Kolkata.
KICK_OFF = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def _text_of(message: PostedMessage) -> str:
    """Everything a message says, fallback and blocks, for loose assertions on its wording."""
    viewer = Viewer(tz="Europe/London", users={"U0EVE": "eve", "U0ALICE": "alice"})
    return message.text + "\n" + render_message(message.text, message.blocks, viewer)


def _posted_at(message: PostedMessage) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(message.ts), dt.UTC)


# ---------------------------------------------------------------------------- the shipped story


def migrated_copy(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database already migrated, so that opening a sandbox finds nothing to upgrade (a fresh one takes
    Alembic most of a second); test_run_sandbox_runs_the_story_file still opens one with none given."""
    return sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path_factory.mktemp("sandbox"))


@pytest.fixture(scope="module")
def story(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, int, str]]:
    out = io.StringIO()
    # Every Web API call the app makes is held against Slack's published spec on the way.
    sandbox = Sandbox(database_url=migrated_copy(request, tmp_path_factory), start=SCRIPT_START, out=out,
                      validator=check_call).open()
    try:
        code = sandbox.run_script(STORY.read_text(encoding="utf-8").splitlines())
        yield sandbox, code, out.getvalue()
    finally:
        sandbox.close()


def _bot_posts_in_devops(sandbox: Sandbox) -> list[PostedMessage]:
    return [m for m in sandbox.emulator.messages_in(DEVOPS) if m.user == BOT and m.ephemeral_to is None]


@pytest.mark.long
def test_story_runs_without_a_bad_line(story: tuple[Sandbox, int, str]) -> None:
    sandbox, code, output = story
    assert code == 0, output
    assert "✗" not in output
    assert "! copbot logged" not in output
    assert sandbox.emulator.violations == []


def test_story_creates_the_community_and_schedules_meetings(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, output = story
    posts = [_text_of(m) for m in _bot_posts_in_devops(sandbox)]
    assert any("DevOps CoP" in p and "community" in p for p in posts)
    assert any("Kick-off" in p and "scheduled" in p.lower() for p in posts)
    # Bob reads the kick-off in New York time, Eve in Los Angeles time.
    assert "10:00 (your time, America/New_York)" in output
    assert "07:00 (your time, America/Los_Angeles)" in output


def test_story_posts_the_24h_and_1h_reminders_near_their_time(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, _ = story
    reminders = [m for m in _bot_posts_in_devops(sandbox) if "Kick-off" in m.text and "starts" in m.text]
    assert len(reminders) == 2, [m.text for m in reminders]
    day_before, hour_before = sorted(reminders, key=_posted_at)
    # The scheduler runs at least every 15 minutes of sandbox time.
    assert dt.timedelta(0) <= _posted_at(day_before) - (KICK_OFF - dt.timedelta(hours=24)) < dt.timedelta(minutes=15)
    assert dt.timedelta(0) <= _posted_at(hour_before) - (KICK_OFF - dt.timedelta(hours=1)) < dt.timedelta(minutes=15)
    assert "tomorrow" in day_before.text and "1 hour" in hour_before.text


def test_story_records_reactions_as_contributions(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, _ = story
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        rows = session.execute(select(Person.user_id, Contribution.kind, Contribution.detail)
                               .join(Person, Person.id == Contribution.person_id)).all()
    recorded = {(user, kind, detail) for user, kind, detail in rows}
    assert ("U0ALICE", ContributionKind.REACTION_GIVEN, "tada") in recorded
    assert ("U0CHANDRA", ContributionKind.APPRECIATION_RECEIVED, "tada") in recorded
    assert ("U0CHANDRA", ContributionKind.APPRECIATION_RECEIVED, "raised_hands") in recorded
    # Dana took her :clap: back, so neither her reaction nor Chandra's credit for it remains.
    assert not any(detail == "clap" for _, _, detail in recorded)


def test_story_welcomes_eve(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, output = story
    welcomes = [m for m in _bot_posts_in_devops(sandbox) if "welcome" in _text_of(m).lower()]
    assert any("<@U0EVE>" in json.dumps(m.blocks) for m in welcomes)
    assert "please welcome @eve" in output


def test_story_shows_errors_for_the_bad_commands(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, _ = story
    private = [m for m in sandbox.emulator.messages if m.ephemeral_to is not None]
    to_bob = [_text_of(m) for m in private if m.ephemeral_to == "U0BOB"]
    to_alice = [_text_of(m) for m in private if m.ephemeral_to == "U0ALICE"]
    assert any(":warning:" in t and "lead" in t.lower() for t in to_bob)
    assert any(":warning:" in t and "past" in t.lower() for t in to_alice)
    # Neither mistake became a meeting.
    assert not any("Terraform clinic" in m.text or "Retro" in m.text for m in _bot_posts_in_devops(sandbox))


def test_story_runs_the_kick_off_and_posts_its_minutes(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, output = story
    [minutes] = [m for m in _bot_posts_in_devops(sandbox) if m.text == "Minutes: Kick-off"]
    text = _text_of(minutes)
    assert "Every pipeline gets a spot-instance runner by January" in text  # a thread line
    assert "We meet every two weeks, Thursdays at 16:00 London" in text  # /cop decision
    assert "Share the spot-instance cost figures" in text and "<@U0CHANDRA>" in json.dumps(minutes.blocks)
    assert "New York can host the next kick-off" in text
    assert "Attendees (5)" in text  # alice started it, three spoke in the thread, eve pressed "I'm here"
    assert "40 min" in text
    assert "Spot instances for CI: how we did it" in text.split("Carries over")[1]
    # Eve, who left early, reads the minutes in her own time zone.
    assert "today at 07:00 (your time, America/Los_Angeles) · 40 min" in output


def test_story_runs_an_action_plan(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, output = story
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        rows = session.execute(select(Action.id, Person.user_id, Action.status, Action.source_key)
                               .outerjoin(Person, Person.id == Action.owner_id).order_by(Action.id)).all()
    assert [(n, owner, status) for n, owner, status, _ in rows[:4]] == [
        (1, "U0CHANDRA", ActionStatus.OPEN),  # hers, by her own hand
        (2, None, ActionStatus.OPEN),  # Bob only asked Dana
        (3, "U0EVE", ActionStatus.IN_PROGRESS),  # claimed from the pool
        (4, "U0DANA", ActionStatus.BLOCKED),  # her own message, ticked by her
    ]
    assert rows[3][3] is not None  # the action remembers the message it came from
    assert "Who has room: alice (0 of 3 open), bob (0 of 3 open), dana (0 of 3 open)" in output
    dms = {m.channel: [] for m in sandbox.emulator.messages if m.channel.startswith("D")}
    for message in sandbox.emulator.messages:
        if message.channel.startswith("D") and message.user == BOT:
            dms[message.channel].append(message.text)
    assert dms["D0DANA"] == ["bob asks whether you could take action #2"]
    # Due at 17:00 in Bengaluru, when her hours end: the overdue reminder waits for her next morning.
    assert dms["D0CHANDRA"] == ["Action #1 is due soon"]
    assert "blocked 1d: waiting for the security team's sign-off" in output


def test_story_recognises_people_and_keeps_knowledge(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, output = story
    kudos = [json.dumps(m.blocks) for m in _bot_posts_in_devops(sandbox) if m.text.startswith("Kudos to")]
    assert len(kudos) == 2 and "<@U0CHANDRA>" in kudos[0] and "<@U0EVE>" in kudos[1]
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        [item] = session.scalars(select(KnowledgeItem)).unique().all()
        assert (item.kind, item.author.user_id) == (KnowledgeKind.TIP, "U0CHANDRA")
    assert "Tip: keep one on-demand runner." in output.split("/cop kb search spot runner")[1]
    board = [json.dumps(m.blocks) for m in sandbox.emulator.messages if m.ephemeral_to == "U0ALICE"
             and "Top contributors" in json.dumps(m.blocks)]
    assert board and "<@" not in board[-1]  # names, never pings


def test_story_sends_only_well_formed_markup(story: tuple[Sandbox, int, str]) -> None:
    sandbox, _, _ = story
    for message in sandbox.emulator.messages:
        if message.user == BOT:
            assert stray_markup(message.text + json.dumps(message.blocks)) == [], message.text


@pytest.mark.long
def test_run_sandbox_runs_the_story_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_sandbox(str(STORY), None) == 0
    assert "[Mon 23 Nov 08:00 UTC] alice in #devops> /cop setup DevOps CoP" in capsys.readouterr().out


def test_run_sandbox_reports_a_missing_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_sandbox(str(tmp_path / "nope.cop"), None) == 2
    assert "can't read" in capsys.readouterr().err


# ---------------------------------------------------------------------------- the line language


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(database_url=migrated_copy(request, tmp_path_factory), start=SCRIPT_START,
                 out=io.StringIO()) as box:
        yield box


def _output(box: Sandbox) -> str:
    assert isinstance(box.out, io.StringIO)
    return box.out.getvalue()


@pytest.mark.parametrize(("line", "expected"), [
    ("dance wildly", "I don't understand"),
    ("as zed", "nobody called “zed”"),
    ("in #nowhere", "no channel #nowhere"),
    ("wait soon", "can't read “soon” as a length of time"),
    ("wait 40d", "at most 31 days"),
    ("wait until 2020-01-01 10:00", "only moves forward"),
    ("eve: hello", "eve is not in #devops"),
    ("bob reacts", "Say which reaction"),
    ("bob reacts :tada:", "nothing to react to"),
    ("bob reacts :tada: to 7", "no message [7]"),
    ("eve joins #random", "already in #random"),
    ("/nope", "no /nope command"),
    ("bob replies to 3", "Say which message and what"),
    ("bob replies to 9: hello", "no message [9]"),
    ("bob replies to copbot: hi", "copbot hasn't posted"),
    ("bob clicks Yes", "Say which button"),
])
def test_a_bad_line_says_what_is_wrong_and_the_sandbox_goes_on(sandbox: Sandbox, line: str, expected: str) -> None:
    outcome = sandbox.run_line(line)
    assert not outcome.ok
    assert expected in (outcome.error or "")
    assert f"✗ {outcome.error}" in _output(sandbox)
    assert "Traceback" not in _output(sandbox)
    # The next line works as usual.
    after = sandbox.run_line("/cop help")
    assert after.ok and any(m.ephemeral_to == "U0ALICE" for m in after.messages)


def test_a_script_with_a_bad_line_runs_the_rest_and_exits_1(sandbox: Sandbox) -> None:
    code = sandbox.run_script(["# a comment", "", "frobnicate", "/cop setup Test CoP"])
    assert code == 1
    output = _output(sandbox)
    assert "(line 3 of the script)" in output
    assert "now the community" in output  # the line after the bad one still ran


def test_people_channels_and_the_clock(sandbox: Sandbox) -> None:
    assert sandbox.prompt == "[Mon 23 Nov 08:00 UTC] alice in #devops> "
    assert sandbox.run_line("as Bob").ok and sandbox.run_line("in random").ok
    assert sandbox.prompt == "[Mon 23 Nov 08:00 UTC] bob in #random> "
    assert sandbox.run_line("wait 1d 2h30m").ok
    assert sandbox.clock.now() == SCRIPT_START + dt.timedelta(hours=26, minutes=30)
    # Bob's zone unless another is named: 09:00 in New York is 14:00 UTC.
    assert sandbox.run_line("wait until 2026-11-25 09:00").ok
    assert sandbox.clock.now() == dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
    assert sandbox.run_line("wait until 2026-11-25 15:00 Europe/London").ok
    assert sandbox.clock.now() == dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def test_messages_are_numbered_and_reactions_find_them(sandbox: Sandbox) -> None:
    sandbox.run_line("bob: Has anyone tried OpenTofu? cc @alice")
    sandbox.run_line("dana: Not yet")
    output = _output(sandbox)
    assert "[1] #devops · bob: Has anyone tried OpenTofu? cc @alice" in output
    assert "[2] #devops · dana: Not yet" in output
    # What the app received was Slack's form: a mention, not the typed @name.
    assert sandbox.emulator.messages_in(DEVOPS)[0].text.endswith("cc <@U0ALICE>")
    assert sandbox.run_line("alice reacts :bulb: to 1").ok
    assert sandbox.run_line("reacts :eyes:").ok  # alice, to the latest message here: dana's
    assert "alice reacted :eyes: to [2]" in _output(sandbox)
    assert not sandbox.run_line("alice reacts :bulb: to bob").ok  # already did
    assert sandbox.run_line("alice unreacts :bulb: to bob").ok
    assert not sandbox.run_line("alice unreacts :bulb: to 1").ok


def test_joining_and_leaving_move_people_and_tell_the_app(sandbox: Sandbox) -> None:
    assert sandbox.run_line("eve joins #devops").ok
    assert "U0EVE" in sandbox.emulator.members_of(DEVOPS)
    assert sandbox.run_line("eve leaves").ok
    assert "U0EVE" not in sandbox.emulator.members_of(DEVOPS)


def test_parse_span() -> None:
    assert parse_span("2h") == dt.timedelta(hours=2)
    assert parse_span("1d 3h") == dt.timedelta(days=1, hours=3)
    assert parse_span("1 day and 30 minutes") == dt.timedelta(days=1, minutes=30)
    assert parse_span("2w") == dt.timedelta(weeks=2)
    assert parse_span("soon") is None
    assert parse_span("2h later") is None
    assert parse_span("") is None


# ---------------------------------------------------------------------------- rendering

LONDON = Viewer(tz="Europe/London", users={"U0BOB": "bob"}, channels={"C0DEVOPS": "devops"})
NEW_YORK = Viewer(tz="America/New_York")


def test_a_date_token_is_shown_in_each_viewers_zone() -> None:
    token = f"<!date^{int(KICK_OFF.timestamp())}^{{date_short_pretty}} at {{time}}|Tue 24 Nov 2026 15:00 UTC>"
    assert render_mrkdwn(token, LONDON) == "Tue 24 Nov 2026 at 15:00 (your time, Europe/London)"
    assert render_mrkdwn(token, NEW_YORK) == "Tue 24 Nov 2026 at 10:00 (your time, America/New_York)"


def test_date_tokens_and_pretty_forms() -> None:
    stamp = int(KICK_OFF.timestamp())
    monday = Viewer(tz="Asia/Kolkata", now=SCRIPT_START, time_label="chandra's time")
    assert format_date_token(stamp, "{date_num} {time}", monday) == "2026-11-24 20:30 (chandra's time, Asia/Kolkata)"
    assert format_date_token(stamp, "{date}", monday).startswith("24 November 2026")
    assert format_date_token(stamp, "{date_long}", monday).startswith("Tuesday 24 November 2026")
    assert format_date_token(stamp, "{date_short}", monday).startswith("Tue 24 Nov (")  # this year: no year
    assert format_date_token(stamp, "{date_long_pretty}", monday).startswith("tomorrow")
    assert format_date_token(stamp, "{date_pretty} {unknown}", monday).startswith("tomorrow {unknown}")


def test_mentions_channels_links_and_escapes() -> None:
    text = ("<@U0BOB> and <@U0NOBODY|ghost> in <#C0DEVOPS> and <#C0OTHER|ops>: see <https://example.com|the docs> "
            "or <https://example.org> &lt;!here&gt; &amp;lt; <!here> <!channel>")
    assert render_mrkdwn(text, LONDON) == (
        "@bob and @ghost in #devops and #ops: see the docs (https://example.com) or https://example.org "
        "<!here> &lt; @here @channel")


def test_bold_and_code_are_kept() -> None:
    assert render_mrkdwn("*DevOps CoP* uses `/cop help`", LONDON) == "*DevOps CoP* uses `/cop help`"


def test_blocks_render_header_section_fields_context_divider_and_buttons() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Kick-off"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "Hosted by <@U0BOB>"},
         "fields": [{"type": "mrkdwn", "text": "*Where*"}, {"type": "plain_text", "text": "#devops"}]},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Going?"},
                                         {"type": "image", "image_url": "https://x", "alt_text": "logo"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Yes"}},
                                         {"type": "button", "text": {"type": "plain_text", "text": "No"}}]},
    ]
    assert render_message("fallback", blocks, LONDON).splitlines() == [
        "Kick-off", "════════", "Hosted by @bob", "*Where*", "#devops", "─" * 20, "Going?  [image: logo]",
        "[ Yes ]  [ No ]",
    ]


def test_a_message_without_blocks_shows_its_text() -> None:
    assert render_message("Hello <@U0BOB> &amp; all", None, LONDON) == "Hello @bob & all"
    assert render_message("Hello", [], LONDON) == "Hello"


def test_replies_go_in_the_thread_and_clicks_press_buttons(sandbox: Sandbox) -> None:
    for line in ("/cop setup DevOps CoP", "/cop meeting start", "bob replies to copbot: decision: Adopt OpenTofu"):
        assert sandbox.run_line(line).ok, line
    reply = sandbox.emulator.messages_in(DEVOPS)[-1]
    opening = [m for m in sandbox.emulator.messages_in(DEVOPS) if m.text.startswith("Meeting started")][0]
    assert (reply.user, reply.thread_ts) == ("U0BOB", opening.ts)
    assert not sandbox.run_line('dana clicks "Maybe" on copbot').ok  # the thread has no such button
    outcome = sandbox.run_line('dana clicks "I\'m here" on copbot')
    assert outcome.ok
    assert any(m.ephemeral_to == "U0DANA" and "attendance" in _text_of(m) for m in outcome.messages)


def test_a_form_that_opens_is_shown_filled_in_and_submitted(sandbox: Sandbox) -> None:
    assert sandbox.run_line("/cop setup DevOps CoP").ok
    assert not sandbox.run_line("submit").ok  # no form open yet
    assert sandbox.run_line("/cop meeting schedule").ok
    output = _output(sandbox)
    assert "copbot opened a form for @alice: “Schedule a meeting”" in output
    assert "Title: (empty; e.g. Monthly sync)" in output and "choices: Does not repeat, Weekly" in output
    assert sandbox.run_line("fill title: Kick-off").ok
    assert not sandbox.run_line("fill colour: blue").ok  # no such field; its fields are named
    assert "has no field “colour”; its fields: “Title”" in _output(sandbox)
    assert not sandbox.run_line("fill repeats: fortnightly").ok
    # A mistake is shown under its field, and the form stays open to put it right.
    assert sandbox.run_line("fill when: banana").ok and sandbox.run_line("submit").ok
    assert "✗ When:" in _output(sandbox) and "the form is still open" in _output(sandbox)
    assert sandbox.run_line("fill when: tomorrow 10am").ok
    assert sandbox.run_line("fill repeats: weekly").ok
    assert sandbox.run_line("submit").ok
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        [meeting] = session.scalars(select(Meeting)).all()
    assert (meeting.title, meeting.starts_at) == ("Kick-off", dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC))
    assert meeting.rule is not None and meeting.rule.freq == "weekly"
    assert not sandbox.run_line("submit").ok  # sent: closed


def test_buttons_on_dms_are_pressed_like_any_other(sandbox: Sandbox) -> None:
    assert sandbox.run_line("/cop setup DevOps CoP").ok
    outcome = sandbox.run_line('bob: /cop action add "Write the runbook" @dana')
    [offer] = [m for m in outcome.messages if m.channel.startswith("D")]
    number = sandbox._numbers[(offer.channel, offer.ts)]
    assert f"[{number}] copbot → DM to @dana" in _output(sandbox)
    assert not sandbox.run_line(f'alice clicks "Take it" on {number}').ok  # Dana's DM is hers alone
    assert sandbox.run_line("as dana").ok and sandbox.run_line("in dm").ok
    assert sandbox.run_line('clicks "Take it" on copbot').ok
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        [action] = session.scalars(select(Action)).unique().all()
        assert action.owner is not None and action.owner.user_id == "U0DANA"
    assert f"[{number}] the DM with copbot · copbot edited it to:" in _output(sandbox)


def test_the_home_tab_opens_and_its_buttons_press(sandbox: Sandbox) -> None:
    assert sandbox.run_line("/cop setup DevOps CoP").ok
    assert not sandbox.run_line('clicks "Turn nudges off" on home').ok  # not open yet
    assert sandbox.run_line("opens home").ok
    assert "copbot's Home tab, as @alice sees it:" in _output(sandbox)
    assert "[ Turn nudges off ]" in _output(sandbox)
    assert sandbox.run_line('clicks "Turn nudges off" on home').ok
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        alice = session.scalars(select(Person).where(Person.user_id == "U0ALICE")).one()
        assert alice.nudges_enabled is False
    assert "[ Turn nudges on ]" in _output(sandbox).split("on the Home tab")[-1]


def test_typed_links_reach_copbot_as_slack_links(sandbox: Sandbox) -> None:
    assert sandbox.run_line("/cop setup DevOps CoP").ok
    assert sandbox.run_line("/cop kb add link https://example.com/runbook?a=1&b=2 Our runbook.").ok
    with sandbox.services.sessions() as session:  # type: ignore[union-attr]
        [item] = session.scalars(select(KnowledgeItem)).all()
    assert (item.kind, item.url) == (KnowledgeKind.LINK, "https://example.com/runbook?a=1&b=2")


def test_escaped_text_is_shown_as_slack_shows_it(sandbox: Sandbox) -> None:
    assert sandbox.run_line("/cop setup R&D CoP").ok
    assert sandbox.run_line("/cop tor set purpose R&D <for> ops").ok
    output = _output(sandbox)
    assert "R&D <for> ops" in output and "&amp;" not in output and "&lt;" not in output
