"""Requests Slack could never send, by name: each is refused before it is read or done, or done safely.

The fuzz suite (test_fuzz.py) finds such requests; these are the ones it found, kept as plain tests.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import select

from bot.sandbox.requests import RequestFactory
from handlers.errors import handle_listener_error
from models import InboxItem, Person
from models.meetings.records import Decision
from models.recognition.kudos import Kudos
from tests.community import said
from tests.conftest import TEAM
from tests.fuzzing import check_log, disguised_links
from tests.test_http_app import setup_devops

REFUSED = ":warning:"

MALFORMED = [
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b'"event_callback"', "application/json"),
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"payload=null", "application/x-www-form-urlencoded"),
    (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
    (b"payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
    (json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": "message"}).encode(),
     "application/json"),
    (json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev2", "event": {"user": "UBOB"}}).encode(),
     "application/json"),
    (json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev3",
                 "event": {"type": "message", "user": "UBOB", "channel": "CDEVOPS", "ts": None}}).encode(),
     "application/json"),
    (json.dumps({"type": "event_callback", "team_id": "T" + "X" * 30, "event_id": "Ev4",
                 "event": {"type": "app_home_opened", "user": "UBOB"}}).encode(), "application/json"),
    (b"ssl_check=1&token=x&authorizations=xx", "application/x-www-form-urlencoded"),
    (b"command=%2Fcop&text=help&team_id=" + TEAM.encode() + b"&channel_id=CDEVOPS&user_id=" + b"U" * 25,
     "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_body_slack_could_not_send_is_401_unsigned_and_400_signed(bot, caplog, body, content_type):
    forged = RequestFactory(signing_secret="not-the-real-secret", team_id=TEAM)
    assert bot.post(forged.sign(body, content_type))[0] == 401  # the signature is checked before anything is read
    assert bot.post(bot.requests.sign(body, content_type))[0] == 400
    bot.settle()
    check_log(caplog)
    with bot.services.sessions() as session:
        assert session.scalars(select(InboxItem)).all() == []


@pytest.mark.parametrize("user", ["", "<!channel>", "U" + "X" * 25, "ualice", "T0COP0001", "CDEVOPS"])
def test_a_forged_user_id_makes_no_person_and_welcomes_no_one(bot, caplog, user):
    setup_devops(bot)
    posts = len(bot.posts_in("CDEVOPS"))
    status, _ = bot.post(bot.requests.event(bot.requests.member_joined(user=user, channel="CDEVOPS")))
    assert status == 400
    bot.settle()
    with bot.services.sessions() as session:
        assert session.scalars(select(Person).where(Person.user_id == user)).all() == []
    assert len(bot.posts_in("CDEVOPS")) == posts
    check_log(caplog)


def test_digits_of_other_scripts_are_not_numbers(bot):
    setup_devops(bot)
    for text in ["action done ²", "action claim ①", "kb promote ٣", "capacity 𝟗"]:
        bot.command("UCHANDRA", text)
    replies = [said(bot.wait_reply("UCHANDRA", n)) for n in range(1, 5)]
    assert "Say which action by its number" in replies[0] and "Say which action by its number" in replies[1]
    assert "Say which item by its number" in replies[2]
    assert "Say how many open actions you take on" in replies[3]


def test_a_nul_or_a_control_character_is_left_out_of_what_is_stored(bot):
    setup_devops(bot)
    bot.command("UBOB", "decision We ship\x00 on\x1b[0m Fridays")
    assert REFUSED not in said(bot.wait_reply("UBOB", 2))
    bot.settle()
    with bot.services.sessions() as session:
        assert [d.text for d in session.scalars(select(Decision))] == ["We ship on[0m Fridays"]


def test_a_command_that_says_payload_is_read_as_the_command_it_is(bot):
    setup_devops(bot)
    status, _ = bot.command("UCHANDRA", "kudos <@UALICE|alice> for the payload parser")
    assert status == 200
    assert "Kudos to alice" in said(bot.wait_reply("UCHANDRA"))
    with bot.services.sessions() as session:
        assert [k.reason for k in session.scalars(select(Kudos))] == ["for the payload parser"]


def test_a_link_labelled_with_another_address_shows_where_it_goes(bot):
    setup_devops(bot)
    bot.command("UCHANDRA", "kb add link <https://copbot-sandbox.slack.com.evil.example/login|"
                            "https://copbot-sandbox.slack.com/sso>")
    bot.wait_reply("UCHANDRA")
    bot.command("UBOB", "digest preview")
    preview = said(bot.wait_reply("UBOB", 2))
    assert "|copbot-sandbox.slack.com.evil.example>" in preview
    assert disguised_links(preview) == []


def test_slacks_check_of_the_certificate_is_still_answered(bot):
    assert bot.post(bot.requests.sign(b"ssl_check=1&token=x", "application/x-www-form-urlencoded"))[0] == 200


def test_the_error_handler_describes_a_body_of_any_shape(caplog):
    # Socket Mode's requests come from Slack unchecked by the HTTP door; a fault with one must still be reported.
    handle_listener_error(RuntimeError("boom"), {"type": "event_callback", "event": "not an object"})
    assert "unexpected error" in caplog.text and "payload event_callback" in caplog.text


def _interaction_payload(request) -> dict:
    return json.loads(parse_qs(request.body.decode())["payload"][0])


def test_a_click_or_a_form_copbot_has_no_route_for_is_acknowledged_quietly(bot, caplog):
    """A button or a modal from an older version of copbot (or a link button) is not Bolt's 404."""
    setup_devops(bot)
    with bot.services.sessions() as session:
        recorded = len(session.scalars(select(InboxItem)).all())
    caplog.clear()
    with caplog.at_level(logging.INFO):
        click = bot.requests.block_action(user_id="UALICE", action_id="meeting_rsvp_retired", value="1",
                                          channel_id="CDEVOPS", message_ts="1764000000.000100")
        form = bot.requests.view_submission(user_id="UALICE", callback_id="retired_form", values={})
        closed = _interaction_payload(bot.requests.view_submission(user_id="UALICE", callback_id="meeting_form",
                                                                   values={}))
        closed["type"] = "view_closed"
        closed["is_cleared"] = False
        answers = [bot.post(click), bot.post(form),
                   bot.post(bot.requests.sign(urlencode({"payload": json.dumps(closed)}).encode(),
                                              "application/x-www-form-urlencoded"))]
        bot.settle()
    assert answers == [(200, ""), (200, ""), (200, "")]  # an empty answer closes a submitted modal
    check_log(caplog)
    assert [r.getMessage() for r in caplog.records if "no route" in r.getMessage()] == [
        "acknowledged a click copbot has no route for (meeting_rsvp_retired)",
        "acknowledged a form copbot has no route for (retired_form)",
        "acknowledged a closed form copbot has no route for (meeting_form)"]
    with bot.services.sessions() as session:
        assert len(session.scalars(select(InboxItem)).all()) == recorded  # nothing recorded, nothing to do


@pytest.mark.parametrize("change", [
    lambda p: p["actions"][0].update(action_id=""),
    lambda p: p["actions"][0].update(action_id="x" * 256),
    lambda p: p["view"].update(callback_id="x" * 256),
], ids=["empty action_id", "long action_id", "long callback_id"])
def test_a_click_or_a_form_with_an_id_slack_never_sends_is_400(bot, caplog, change):
    setup_devops(bot)
    payload = _interaction_payload(bot.requests.block_action(
        user_id="UALICE", action_id="rsvp", value="1", channel_id="CDEVOPS", message_ts="1764000000.000100"))
    payload["view"] = {"id": "V1", "type": "home", "callback_id": "", "private_metadata": ""}
    change(payload)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert bot.post(bot.requests.sign(body, "application/x-www-form-urlencoded"))[0] == 400
    check_log(caplog)
