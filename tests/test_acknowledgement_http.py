"""The acknowledgement leaves from the request itself, before any of the work: whatever Slack's speed,
however many requests arrive at once, and whether or not the process that acknowledged lives on."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import secrets
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from bot import logs
from bot.app import build_services
from bot.db import make_engine
from bot.outbox import Limits
from models import Community, Contribution, InboxItem, InboxStatus, Membership, Person
from models.inbox import STRANDED_AFTER
from tests.community import said
from tests.conftest import CHANNEL_NAMES, START, TEAM, serving
from tests.test_http_app import setup_devops


def command_request(bot, user: str, text: str, channel: str = "CDEVOPS"):  # noqa: ANN201
    url = bot.slack.response_url(f"{user}-{secrets.token_hex(3)}", channel=channel, user=user)
    return bot.requests.slash_command(user_id=user, user_name=user.lower(), channel_id=channel,
                                      channel_name=CHANNEL_NAMES.get(channel, channel), text=text, response_url=url)


def inbox(bot) -> list[InboxItem]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(InboxItem).order_by(InboxItem.id)))


def test_a_command_is_acknowledged_while_slack_still_holds_its_reply(bot):
    setup_devops(bot)
    gate = bot.slack.hold_responses()  # every post to a response_url now waits for the gate
    try:
        status, body = bot.command("UCHANDRA", "help")
        # The acknowledgement arrived, and nothing the work sends has: it did not wait for the work.
        assert (status, body) == (200, "")
        assert bot.replies_to("UCHANDRA") == []
    finally:
        gate.set()
    assert "/cop" in said(bot.wait_reply("UCHANDRA"))


def test_a_click_and_an_event_are_acknowledged_before_their_work(bot):
    setup_devops(bot)
    bot.command("UCHANDRA", 'action add "Write the runbook"')
    bot.wait_reply("UCHANDRA")
    gate = bot.slack.hold_responses()
    try:
        click = bot.requests.block_action(user_id="UCHANDRA", action_id="action_claim", value="1",
                                          channel_id="CDEVOPS", message_ts="1.000001",
                                          response_url=bot.slack.response_url("UCHANDRA-click", channel="CDEVOPS",
                                                                              user="UCHANDRA"))
        assert bot.post(click)[0] == 200
        assert bot.replies_to("UCHANDRA") == [bot.replies_to("UCHANDRA")[0]]  # only the earlier reply
        ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "We halved the deploy time")
        event = bot.requests.reaction(user="UALICE", reaction="tada", channel="CDEVOPS", ts=ts, item_user="UCHANDRA")
        assert bot.post(bot.requests.event(event))[0] == 200
    finally:
        gate.set()
    bot.settle()
    with bot.services.sessions() as session:
        claimed = session.scalars(select(InboxItem).where(InboxItem.kind == "action")).one()
        assert claimed.status == InboxStatus.DONE


def test_a_burst_of_commands_against_a_slow_slack_is_every_one_acknowledged_and_answered(bot):
    setup_devops(bot)
    bot.slack.latency = 0.2  # as far away as Slack really is
    users = ["UALICE", "UBOB", "UCHANDRA"]
    requests = [command_request(bot, users[i % 3], "action list") for i in range(60)]
    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(lambda request: bot.post(request)[0], requests))
    assert statuses == [200] * 60
    bot.settle(timeout=60)
    answered = [r for r in bot.slack.responses if r["tag"].split("-")[0] in users]
    assert len(answered) == 60 + 1  # and Bob's reply to setting up the community
    assert {i.status for i in inbox(bot) if i.kind == "command"} == {InboxStatus.DONE}


def test_one_persons_requests_are_done_in_the_order_they_came(bot):
    setup_devops(bot)
    bot.slack.latency = 0.05
    for capacity in range(1, 9):  # sent at once, without waiting for each answer
        assert bot.post(command_request(bot, "UCHANDRA", f"capacity {capacity}"))[0] == 200
    bot.settle(timeout=30)
    with bot.services.sessions() as session:
        chandra = session.scalars(select(Person).where(Person.user_id == "UCHANDRA")).one()
        membership = session.scalars(select(Membership).where(Membership.person_id == chandra.id)).one()
    assert membership.capacity == 8


def test_the_same_signed_request_replayed_is_done_once(bot):
    setup_devops(bot)
    request = command_request(bot, "UCHANDRA", "kudos <@UALICE|alice> for the runbook")
    assert [bot.post(request)[0] for _ in range(3)] == [200, 200, 200]
    bot.settle()
    assert len(bot.replies_to("UCHANDRA")) == 1
    assert len([i for i in inbox(bot) if i.kind == "command" and i.user_id == "UCHANDRA"]) == 1


def test_what_waited_too_long_goes_back_to_the_work_processes_not_to_the_door(settings, clock, slack):
    """With work processes, the door's process must keep answering Slack: a request found unfinished is handed
    to the work processes again, like a new one, never worked on by the door's own threads."""
    services = build_services(settings, clock=clock, limits=Limits.unpaced())
    handed: list[tuple[str, int]] = []
    try:
        with serving(services, slack) as door:
            services.inbox.hand_to(lambda lane, item_id: None)  # a work process that has not got to it yet
            assert door.command("UBOB", "setup DevOps CoP")[0] == 200
            services.inbox.hand_to(lambda lane, item_id: handed.append((lane, item_id)))
            clock.set(START + STRANDED_AFTER + dt.timedelta(seconds=1))
            assert services.inbox.sweep(now=clock.now()) == 1
        [row] = _rows(services)
        assert handed == [("UBOB", row.id)]
        assert row.status == InboxStatus.PENDING  # nobody in this process worked on it
    finally:
        services.close()


def test_what_a_process_acknowledged_and_died_with_is_done_by_another(settings, clock, slack):
    # The first process acknowledges but never gets to work on anything: its workers never start.
    first = build_services(settings, clock=clock, limits=Limits.unpaced())
    with serving(first, slack) as door:
        first.inbox.stop()  # the process dies right after its acknowledgements
        status, _ = door.command("UBOB", "setup DevOps CoP")
        assert status == 200
    with first.sessions() as session:
        assert session.scalars(select(Community)).all() == []
        [row] = session.scalars(select(InboxItem)).all()
        assert row.status == InboxStatus.PENDING
    first.close()

    # Another process, a little later, finds the request nobody finished and does it.
    second = build_services(settings, clock=clock, limits=Limits.unpaced(), inline=True)
    try:
        clock.set(START + STRANDED_AFTER + dt.timedelta(seconds=1))
        assert second.inbox.sweep(now=clock.now()) == 1
        with second.sessions() as session:
            assert [c.name for c in session.scalars(select(Community))] == ["DevOps CoP"]
        assert slack.wait_for(lambda: any(r["tag"].startswith("UBOB-") for r in slack.responses))
        assert second.inbox.sweep(now=clock.now()) == 0  # and only once
    finally:
        second.close()


def unreachable_door(services) -> None:
    """Point the door at a database that refuses connections, as during a network partition."""
    services.inbox.door_engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere", door=True)


def test_a_request_that_cannot_be_recorded_is_answered_honestly(bot):
    setup_devops(bot)
    unreachable_door(bot.services)
    status, body = bot.command("UCHANDRA", 'action add "Lost?"')
    # A command is told at once that nothing was done, in its acknowledgement.
    assert status == 200 and "couldn't save that" in json.loads(body)["text"]
    # An event is refused, so that Slack sends it again once the database is back.
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "hello")
    event = bot.requests.reaction(user="UALICE", reaction="eyes", channel="CDEVOPS", ts=ts, item_user="UCHANDRA")
    assert bot.post(bot.requests.event(event))[0] == 500


def test_metrics_count_requests_and_acknowledgement_times(bot):
    setup_devops(bot)
    bot.command("UCHANDRA", "help")
    bot.settle()
    with urllib.request.urlopen(bot.url + "/metrics", timeout=5) as response:
        page = response.read().decode()
    assert 'copbot_requests_total{kind="command",outcome="recorded"}' in page
    assert 'copbot_ack_seconds_bucket{kind="command",le="0.1"}' in page
    assert "copbot_work_queued" in page and "copbot_outbox_sent_total" in page


def test_in_socket_mode_too_the_acknowledgement_does_not_wait_for_the_work(services, slack):
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app
    from slack_sdk.socket_mode.request import SocketModeRequest

    from bot.app import create_app

    app = create_app(services)  # the app SocketModeHandler runs, with the same listeners
    services.start_workers()
    gate = slack.hold_responses()
    try:
        command = {"token": "unused", "team_id": TEAM, "channel_id": "CDEVOPS", "channel_name": "devops",
                   "user_id": "UCHANDRA", "user_name": "chandra", "command": "/cop", "text": "help",
                   "response_url": slack.response_url("UCHANDRA-socket", channel="CDEVOPS", user="UCHANDRA"),
                   "trigger_id": f"1.2.{secrets.token_hex(4)}", "api_app_id": "A0COPBOT"}
        response = run_bolt_app(app, SocketModeRequest(type="slash_commands", envelope_id="e1", payload=command))
        assert response.status == 200 and slack.responses == []  # answered while the reply is still held
    finally:
        gate.set()
    assert slack.wait_for(lambda: any(r["tag"] == "UCHANDRA-socket" for r in slack.responses))


def _rows(services) -> list[InboxItem]:
    with services.sessions() as session:
        return list(session.scalars(select(InboxItem)))


def test_json_log_lines_name_the_request_they_were_written_for(bot):
    stream = io.StringIO()
    handler = logs.handler("json")
    handler.setStream(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = logging.getLogger("handlers.base").level
    logging.getLogger("handlers.base").setLevel(logging.INFO)
    try:
        setup_devops(bot)
        request = command_request(bot, "UCHANDRA", "help")
        assert [bot.post(request)[0] for _ in range(2)] == [200, 200]
        bot.settle()
    finally:
        root.removeHandler(handler)
        logging.getLogger("handlers.base").setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [key] = [i.key for i in inbox(bot) if i.user_id == "UCHANDRA"]
    replayed = [line for line in lines if "received before" in line["message"]]
    assert [line["request_id"] for line in replayed] == [key]
    assert "xoxb-" not in stream.getvalue().replace("xoxb-[redacted]", "")


def test_events_refused_while_the_database_is_away_are_done_when_slack_sends_them_again(bot):
    setup_devops(bot)
    bot.settle()
    door = bot.services.inbox.door_engine
    joined = bot.requests.member_joined(user="UDANA", channel="CDEVOPS")
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "Our deploys take 4 minutes now")
    said_it = bot.requests.message(user="UCHANDRA", channel="CDEVOPS", text="Our deploys take 4 minutes now", ts=ts)
    events = (("EvJOINWHILEAWAY", joined), ("EvMESSAGEWHILEAWAY", said_it))
    unreachable_door(bot.services)
    # Not a 200: Slack does not send again what was answered 200, and nothing was recorded.
    assert [bot.post(bot.requests.event(event, event_id=key))[0] for key, event in events] == [500, 500]
    bot.settle()
    assert not _member(bot, "UDANA") and _contributions(bot, "UCHANDRA") == 0
    bot.services.inbox.door_engine = door  # the database is back; Slack retries
    assert [bot.post(bot.requests.event(event, event_id=key, retry_num=1))[0] for key, event in events] == [200, 200]
    bot.settle()
    assert _member(bot, "UDANA") and _contributions(bot, "UCHANDRA") == 1
    assert bot.posts_in("UDANA"), "the newcomer was never welcomed"


def _member(bot, user: str) -> bool:
    with bot.services.sessions() as session:
        return session.scalars(select(Membership).join(Person, Membership.person_id == Person.id)
                               .where(Person.user_id == user, Membership.active)).first() is not None


def _contributions(bot, user: str) -> int:
    with bot.services.sessions() as session:
        return len(session.scalars(select(Contribution).join(Person, Contribution.person_id == Person.id)
                                   .where(Person.user_id == user)).all())
