"""The app behind its real HTTP server, driven by signed requests as Slack sends them."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import sessionmaker

from bot.app import StartupError, create_app
from bot.db import make_engine
from bot.sandbox.requests import RequestFactory
from bot.web import HEALTH_TIMEOUT, WebApp
from models import Community, Membership, Role


def test_health_check_reports_the_database(bot):
    with urllib.request.urlopen(bot.url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok"}


def check_health(web: WebApp) -> tuple[str, dict, float]:
    answer: dict[str, str] = {}
    started = time.monotonic()
    body = b"".join(web({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"},
                        lambda status, headers: answer.setdefault("status", status)))
    return answer["status"], json.loads(body), time.monotonic() - started


def test_health_check_answers_503_at_once_when_the_database_refuses_connections(services):
    nowhere = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere", door=True)
    status, body, took = check_health(WebApp(create_app(services), sessionmaker(nowhere), signing_secret="unused"))
    assert (status, body) == ("503 Service Unavailable", {"ok": False, "database": "unreachable"})
    assert took < HEALTH_TIMEOUT


def test_health_check_answers_503_in_time_when_the_database_stops_answering(services, settings):
    """A partition: the query is sent and no answer comes, for as long as TCP keeps trying."""
    engine = make_engine(settings.database_url, door=True)
    partition = threading.Event()
    healed = threading.Event()

    @event.listens_for(engine, "before_cursor_execute")
    def hang(*_args) -> None:  # noqa: ANN002
        if partition.is_set():
            healed.wait(30)

    web = WebApp(create_app(services), sessionmaker(engine), signing_secret="unused")
    try:
        assert check_health(web)[0] == "200 OK"
        partition.set()
        status, body, took = check_health(web)
        assert (status, body) == ("503 Service Unavailable", {"ok": False, "database": "unreachable"})
        assert took < HEALTH_TIMEOUT + 1
        # Asked again while the first check is still stuck: no second thread waits, the answer comes at once.
        status, _, took = check_health(web)
        assert status.startswith("503") and took < 0.5
        partition.clear()
    finally:
        healed.set()
    deadline = time.monotonic() + 5
    while (status := check_health(web)[0]) != "200 OK" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status == "200 OK"
    engine.dispose()


def test_unknown_path_is_404_and_get_on_events_is_refused(bot):
    for path, expected in (("/nope", 404), ("/slack/events", 405)):
        try:
            urllib.request.urlopen(bot.url + path, timeout=5)
            raise AssertionError("expected an HTTP error")
        except urllib.error.HTTPError as error:
            assert error.code == expected


def test_wrongly_signed_request_is_refused_and_does_nothing(bot):
    forged = RequestFactory(signing_secret="not-the-real-secret", team_id=bot.requests.team_id)
    request = forged.slash_command(user_id="UBOB", user_name="bob", channel_id="CDEVOPS", channel_name="devops",
                                   text="setup Forged", response_url=bot.slack.response_url("forged"))
    status, _ = bot.post(request)
    assert status == 401
    with bot.services.sessions() as session:
        assert session.scalars(select(Community)).all() == []
    assert bot.slack.responses == []


def test_stale_request_is_refused(bot):
    request = bot.requests.slash_command(user_id="UBOB", user_name="bob", channel_id="CDEVOPS",
                                         channel_name="devops", text="help",
                                         response_url=bot.slack.response_url("stale"))
    stale = bot.requests.sign(request.body, request.headers["Content-Type"], timestamp=int(time.time()) - 6 * 60)
    status, _ = bot.post(stale)
    assert status == 401
    time.sleep(0.2)
    assert bot.slack.responses == []


@pytest.mark.parametrize("timestamp", ["", "soon", "1.5", "-1", "1e9", " 1700000000", "9" * 40])
def test_a_timestamp_that_is_not_a_whole_number_of_seconds_is_refused_like_any_bad_signature(bot, timestamp):
    request = bot.requests.slash_command(user_id="UBOB", user_name="bob", channel_id="CDEVOPS",
                                         channel_name="devops", text="help",
                                         response_url=bot.slack.response_url("odd-time"))
    status, _ = bot.post(request, headers={"X-Slack-Request-Timestamp": timestamp})
    assert status == 401
    bot.settle()
    assert bot.slack.responses == []


def test_tampered_body_is_refused(bot):
    request = bot.requests.slash_command(user_id="UBOB", user_name="bob", channel_id="CDEVOPS",
                                         channel_name="devops", text="help",
                                         response_url=bot.slack.response_url("tamper"))
    tampered = type(request)(request.body.replace(b"help", b"setup+Evil"), request.headers)
    status, _ = bot.post(tampered)
    assert status == 401


def test_help_is_answered_privately(bot):
    status, _ = bot.command("UCHANDRA", "help")
    assert status == 200
    reply = bot.wait_reply("UCHANDRA")
    assert reply["response_type"] == "ephemeral"
    text = json.dumps(reply["blocks"])
    assert "/cop setup" in text and "/cop meeting schedule" in text


def test_setup_by_channel_creator_creates_community_and_announces(bot):
    bot.command("UBOB", "setup DevOps CoP")
    reply = bot.wait_reply("UBOB")
    assert "is set up and you are its lead" in json.dumps(reply["blocks"])
    assert bot.slack.wait_for(lambda: bot.posts_in("CDEVOPS"))
    announcement = bot.posts_in("CDEVOPS")[0]
    assert "DevOps CoP" in announcement.text and announcement.user == bot.slack.bot_user_id
    with bot.services.sessions() as session:
        community = session.scalars(select(Community)).one()
        assert (community.name, community.channel_id, community.timezone) == ("DevOps CoP", "CDEVOPS",
                                                                               "America/New_York")
        roles = {m.person.user_id: m.role for m in session.scalars(select(Membership))}
    # People already in the channel become members quietly; the bot itself does not.
    assert roles == {"UBOB": Role.LEAD, "UALICE": Role.MEMBER, "UCHANDRA": Role.MEMBER}
    assert len(bot.posts_in("CDEVOPS")) == 1


def blocks_text(reply: dict) -> str:
    return json.dumps(reply.get("blocks", [])) + reply.get("text", "")


def setup_devops(bot) -> None:
    bot.command("UBOB", "setup DevOps CoP")
    bot.wait_reply("UBOB")
    assert bot.slack.wait_for(lambda: bot.posts_in("CDEVOPS"))


def test_setup_refused_to_a_member_who_neither_created_the_channel_nor_administers(bot):
    bot.command("UCHANDRA", "setup Hijack")
    assert "Only the channel's creator or an overall CoP lead" in blocks_text(bot.wait_reply("UCHANDRA"))
    with bot.services.sessions() as session:
        assert session.scalars(select(Community)).all() == []
    assert bot.posts_in("CDEVOPS") == []


def test_setup_twice_is_a_specific_error(bot):
    setup_devops(bot)
    bot.command("UBOB", "setup Again")
    assert "already the community *DevOps CoP*" in blocks_text(bot.wait_reply("UBOB", 2))


def test_admin_sets_up_a_public_channel_the_bot_is_not_in_by_joining_it(bot):
    bot.command("UALICE", "setup Random Thoughts", channel="CRANDOM")
    assert "is set up" in blocks_text(bot.wait_reply("UALICE"))
    assert [c.args["channel"] for c in bot.slack.calls_to("conversations.join")] == ["CRANDOM"]
    assert bot.slack.wait_for(lambda: bot.posts_in("CRANDOM"))


def test_setup_without_a_name_shows_usage(bot):
    bot.command("UBOB", "setup   ")
    reply = blocks_text(bot.wait_reply("UBOB"))
    assert "Give the community a name" in reply and "/cop setup &lt;name&gt;" in reply


def test_unknown_subcommand_is_named_in_the_error(bot):
    bot.command("UBOB", "frobnicate now")
    blocks = json.dumps(bot.wait_reply("UBOB")["blocks"])
    assert "I don't know `/cop frobnicate`: it is not a command" in blocks
    assert blocks.count("/cop help") == 1 and "Usage" not in blocks  # pointed to once, not twice


def test_join_welcomes_once_and_joining_again_says_so(bot):
    setup_devops(bot)
    bot.command("UDANA", "join")
    assert "You are now a member" in blocks_text(bot.wait_reply("UDANA"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    assert "<@UDANA>" in json.dumps(bot.posts_in("CDEVOPS")[1].blocks)
    bot.command("UDANA", "join")
    assert "already a member" in blocks_text(bot.wait_reply("UDANA", 2))
    time.sleep(0.3)
    assert len(bot.posts_in("CDEVOPS")) == 2


def test_join_outside_a_community_channel_is_explained(bot):
    bot.command("UCHANDRA", "join", channel="CRANDOM")
    assert "This channel is not a community" in blocks_text(bot.wait_reply("UCHANDRA"))


def test_the_only_lead_cannot_leave_but_a_member_can(bot):
    setup_devops(bot)
    bot.command("UBOB", "leave")
    assert "only lead" in blocks_text(bot.wait_reply("UBOB", 2))
    bot.command("UCHANDRA", "leave")
    assert "You have left" in blocks_text(bot.wait_reply("UCHANDRA"))
    with bot.services.sessions() as session:
        active = {m.person.user_id for m in session.scalars(select(Membership).where(Membership.active.is_(True)))}
    assert active == {"UBOB", "UALICE"}


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive", "not_authed"])
def test_a_token_slack_refuses_at_start_up_is_said_to_be_refused(services, slack, code: str):
    slack.fail_next("auth.test", error=code)
    with pytest.raises(StartupError) as caught:
        create_app(services)
    said = str(caught.value)
    assert said.startswith(f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token again")
    assert "could not reach" not in said and "network" not in said
