"""Fuzzing the door: whatever is signed and sent, copbot answers it without a fault of its own.

Commands with arbitrary arguments for every `/cop` subcommand, malformed events, button clicks and form
submissions go through the app's WSGI application in this process (the code waitress runs for each HTTP
request), and a few through the real HTTP server. For each: no exception escapes and nothing is logged
at ERROR; a command is answered with a specific ephemeral reply; what reaches a channel carries no
broadcast, no mention of a group and no link disguised as another address; a refused command leaves
the records as they were.

A few hundred examples, derandomized, run with the suite. `COPBOT_FUZZ_EXAMPLES=100000 make fuzz` runs
as many as asked, with a fresh random seed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import event as tally
from hypothesis import settings as examples_of
from hypothesis import strategies as st
from sqlalchemy import func, select, union_all

from bot.app import build_services, create_app
from bot.outbox import Limits
from bot.sandbox.requests import RequestFactory
from bot.web import WebApp
from models import Base
from tests.conftest import TEAM
from tests.fuzzing import Door, check_log, clicks, command_text, events, forms, raw_bodies, sent, shown_since

LONG_RUN = int(os.environ.get("COPBOT_FUZZ_EXAMPLES", "0"))


def fuzz_settings(examples: int, *, at_length: bool = True) -> examples_of:
    """`examples` in the suite, the same ones every run; a long run draws afresh each time.

    One app serves all of a test's examples (setting it up for each would be most of the time), so that
    the examples also find what an earlier one left behind.
    """
    if LONG_RUN and at_length:
        return examples_of(max_examples=LONG_RUN, deadline=None, derandomize=False, database=None,
                           suppress_health_check=list(HealthCheck))
    return examples_of(max_examples=examples, deadline=None, derandomize=True, database=None,
                       suppress_health_check=list(HealthCheck))


@pytest.fixture
def door(settings, clock, slack) -> Iterator[Door]:
    """The app as it answers Slack, each request's work done before its answer; DevOps CoP set up."""
    services = build_services(settings, clock=clock, limits=Limits.unpaced(), inline=True)
    requests = RequestFactory(signing_secret=settings.slack_signing_secret.get_secret_value(), team_id=TEAM,
                              bot_user_id=slack.bot_user_id)
    try:
        web = WebApp(create_app(services), services.inbox.door,
                     signing_secret=settings.slack_signing_secret.get_secret_value())
        door = Door(web, requests, slack)
        for user, text in [("UBOB", "setup DevOps CoP"), ("UBOB", 'action add "Write the runbook"'),
                           ("UALICE", 'meeting schedule "Monthly sync" tomorrow 10am weekly'),
                           ("UCHANDRA", "kb add tip Pin the provider versions #terraform")]:
            answer, _ = door.command(user, text)
            assert answer.status == 200
        yield door
    finally:
        services.close()


# ------------------------------------------------------------------------------------------- what must hold

def counts(door: Door) -> dict[str, int]:
    """Rows in every table but the inbox (which records each request, refused or not) and people."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in ("inbox", "people")]
    query = union_all(*(select(func.count().label("n")).select_from(t) for t in tables))
    with door.web.sessions() as session:
        return dict(zip((t.name for t in tables), session.scalars(query), strict=True))


def reply_to(door: Door, tag: str) -> dict[str, Any]:
    with door.slack._lock:
        replies = [r for r in door.slack.responses if r["tag"] == tag]
    assert len(replies) == 1, f"expected one reply, got {replies}"
    return replies[0]


REFUSED = ":warning:"


# ------------------------------------------------------------------------------------------------ commands

# What broke before, kept as examples so that it stays fixed.
KNOWN = ["action done ²", "action claim ①", "capacity ٣", "kb promote 𝟗", "dm-budget ²", "agenda done ²",
         "meeting cancel ² next", "meeting rsvp ① yes", "meeting start ²", "meeting minutes ²",
         "decision before\x00after", 'action add "a\x00b"', "kudos <@UALICE|alice> for\x1b[31m red",
         "decision <!channel> we ship", "agenda add <!subteam^S0123ABC|@platform> review",
         "kudos <!here> everyone", "decision " + "a" * 3990, "kb add tip " + "é" * 3990,
         "kb add link <https://copbot-sandbox.slack.com.evil.example/x|https://copbot-sandbox.slack.com/sso>",
         "decision see <https://evil.example/login|https://copbot-sandbox.slack.com/login>",
         "action assign 1 <@UXXXXXXXXXXXXXXXXXXXXXXXXXXXXX|x>", "role <@U" + "X" * 30 + "|x> lead",
         "kudos payload for the payload", "stats <@|x>", "kb add link <https://x.example/" + "a" * 3000 + ">",
         "intro " + "a" * 3990, "kb search " + "%_\\" * 100, "expertise " + "#a" * 1500,
         'meeting schedule "' + "a" * 3000 + '" tomorrow 10am', 'action add "' + "a" * 3000 + '" due friday',
         "hours " + "9" * 3000, "away in 99999999 weeks", 'standup questions "' + "a" * 3000 + '"']


def known(test):  # noqa: ANN001, ANN201
    for text in KNOWN:
        test = example(user="UBOB", channel="CDEVOPS", slash="/cop", text=text)(test)
    # The one place where a new community can still be set up, by an overall lead.
    test = example(user="UALICE", channel="CRANDOM", slash="/cop", text="setup " + "a" * 3990)(test)
    return example(user="UBOB", channel="CDEVOPS", slash="/kudos", text="<!channel> <@UALICE|x> \x00 ²")(test)


@known
@given(user=st.sampled_from(["UBOB", "UCHANDRA", "UALICE", "UDANA"]),
       channel=st.sampled_from(["CDEVOPS", "CDEVOPS", "CRANDOM"]), slash=st.sampled_from(["/cop"] * 9 + ["/kudos"]),
       text=command_text())
def test_fuzz_commands(door, caplog, user, channel, slash, text):
    caplog.clear()
    mark = sent(door)
    before = counts(door)
    answer, tag = door.command(user, text if slash == "/cop" else text.partition(" ")[2], channel=channel,
                               command=slash)
    assert answer.status == 200, answer
    reply = reply_to(door, tag)
    said = json.dumps(reply, ensure_ascii=False)
    assert reply.get("response_type") == "ephemeral"
    assert "Something went wrong" not in said, said
    if REFUSED in said:
        assert counts(door) == before, f"a refused command changed the records: {said}"
    shown_since(door, mark)
    check_log(caplog)


test_fuzz_commands = fuzz_settings(80)(test_fuzz_commands)


@given(payload=st.one_of(events().map(lambda e: ("event", e)), clicks().map(lambda p: ("interaction", p)),
                         forms().map(lambda p: ("interaction", p)), raw_bodies.map(lambda r: ("body", r))))
def test_fuzz_events_clicks_and_forms(door, caplog, payload):
    caplog.clear()
    mark = sent(door)
    kind, content = payload
    if kind == "body":
        body, content_type, signed = content
        answer = door.raw(body, content_type, signed=signed)
        if not signed:
            assert answer.status == 401, answer  # whatever the body, the signature is checked first
    else:
        answer = door.event(content) if kind == "event" else door.interaction(content)
    tally(f"{kind} answered {answer.status}")
    assert answer.status in (200, 400, 401, 404), answer
    shown_since(door, mark)
    check_log(caplog)


test_fuzz_events_clicks_and_forms = fuzz_settings(150)(test_fuzz_events_clicks_and_forms)


# ------------------------------------------------------------------------------------------- over HTTP

@given(request=st.one_of(command_text().map(lambda text: ("command", text)), events().map(lambda e: ("event", e)),
                         st.one_of(clicks(), forms()).map(lambda p: ("interaction", p))))
def test_fuzz_over_http(bot, caplog, request):
    """A few of each through the real HTTP server, as Slack sends them."""
    caplog.clear()
    kind, content = request
    replies = len(bot.replies_to("UCHANDRA"))
    if kind == "command":
        status, _ = bot.command("UCHANDRA", content)
    elif kind == "event":
        status, _ = bot.post(bot.requests.event(content))
    else:
        status, _ = bot.post(bot.requests.sign(urlencode({"payload": json.dumps(content)}).encode(),
                                               "application/x-www-form-urlencoded"))
    assert status in (200, 400, 404)
    bot.settle()
    if kind == "command":
        reply = bot.wait_reply("UCHANDRA", replies + 1)
        assert reply.get("response_type") == "ephemeral" and "Something went wrong" not in reply.get("text", "")
    check_log(caplog)


test_fuzz_over_http = fuzz_settings(15, at_length=False)(test_fuzz_over_http)  # the same door as above
