"""The outbox: keyed deliveries sent once, honouring Slack's rate limits, retried, and settled."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text, update

import bot.outbox as outbox
from bot.db import make_engine, make_session_factory, unit_of_work
from bot.outbox import Dispatcher, Limits, Pacer, TokenBucket
from bot.slack import make_client
from models import Community, Delivery, DeliveryStatus
from models.deliveries import (
    CLAIM_FOR,
    GIVE_UP_AFTER,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    backoff,
    claim_many,
    due_heads,
    enqueue,
    enqueue_many,
)
from models.links import link_to
from models.meetings import Decision
from tests.conftest import START, TEAM

SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Kick-off* starts in 1 hour"}}]


def put(services, key: str, *, channel: str = "CDEVOPS", text: str | None = None, blocks=None,
        not_before: dt.datetime | None = None) -> bool:
    with unit_of_work(services.sessions) as session:
        return enqueue(session, key=key, team_id=TEAM, channel=channel, text=text or f"text of {key}",
                       kind="test", now=START, blocks=blocks, not_before=not_before)


def row(services, key: str) -> Delivery:
    with services.sessions() as session:
        return session.scalars(select(Delivery).where(Delivery.key == key)).one()


def all_rows(services) -> list[Delivery]:
    with services.sessions() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def post_calls(slack) -> int:
    return len(slack.calls_to("chat.postMessage"))


def test_same_key_twice_is_one_row_and_one_message(services, slack):
    put(services, "reminder:1:20261124T1500Z:60m:CDEVOPS", text="first")
    put(services, "reminder:1:20261124T1500Z:60m:CDEVOPS", text="second")
    assert [d.text for d in all_rows(services)] == ["first"]
    report = services.dispatcher.dispatch(now=START)
    assert report.sent == 1
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["first"]
    # Queued again after it was sent: still nothing new.
    put(services, "reminder:1:20261124T1500Z:60m:CDEVOPS", text="third")
    assert services.dispatcher.dispatch(now=START + dt.timedelta(hours=1)).sent == 0
    assert post_calls(slack) == 1
    assert [d.text for d in all_rows(services)] == ["first"]


def test_enqueue_says_whether_it_added_the_delivery(services):
    assert put(services, "once", text="first") is True
    assert put(services, "once", text="second") is False


def test_dispatch_posts_channel_text_and_blocks_and_records_the_result(services, slack):
    put(services, "a", text="Reminder: Kick-off starts in 1 hour", blocks=SECTION)
    put(services, "b", text="plain text only")
    report = services.dispatcher.dispatch(now=START)
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)

    posted = slack.messages_in("CDEVOPS")
    assert [(m.text, m.blocks, m.user) for m in posted] == [
        ("Reminder: Kick-off starts in 1 hour", SECTION, slack.bot_user_id),
        ("plain text only", None, slack.bot_user_id),
    ]
    first_call = slack.calls_to("chat.postMessage")[0]
    assert first_call.args["channel"] == "CDEVOPS"
    # Links in reminders would otherwise unfurl into big previews.
    assert str(first_call.args["unfurl_links"]).lower() in ("0", "false")

    a, b = row(services, "a"), row(services, "b")
    assert (a.status, a.sent_channel, a.sent_ts, a.sent_at, a.attempts) == (
        DeliveryStatus.SENT, "CDEVOPS", posted[0].ts, START, 1)
    assert (b.status, b.sent_ts) == (DeliveryStatus.SENT, posted[1].ts)
    assert a.claimed_until is None and a.last_error is None


def test_direct_message_to_a_user_id_is_delivered(services, slack):
    put(services, "dm:alice", channel="UALICE", text="You have an open action")
    assert services.dispatcher.dispatch(now=START).sent == 1
    assert [m.text for m in slack.messages_in("UALICE")] == ["You have an open action"]
    delivered = row(services, "dm:alice")
    # Slack answers with the DM conversation, not the user id we posted to.
    assert delivered.sent_channel == slack.dm_channel("UALICE")
    assert delivered.status == DeliveryStatus.SENT


def test_rate_limit_waits_retry_after_without_spending_an_attempt(services, slack):
    put(services, "rl")
    slack.rate_limit_next("chat.postMessage", retry_after=7)
    report = services.dispatcher.dispatch(now=START)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    waiting = row(services, "rl")
    assert waiting.status == DeliveryStatus.PENDING
    assert waiting.next_attempt_at == START + dt.timedelta(seconds=7)
    assert waiting.attempts == 0
    assert waiting.last_error == "ratelimited"

    assert services.dispatcher.dispatch(now=START + dt.timedelta(seconds=6)).sent == 0
    assert post_calls(slack) == 1
    assert services.dispatcher.dispatch(now=START + dt.timedelta(seconds=7)).sent == 1
    assert post_calls(slack) == 2
    assert row(services, "rl").status == DeliveryStatus.SENT
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["text of rl"]


def test_transient_error_is_retried_later_with_growing_backoff(services, slack):
    put(services, "flaky")
    slack.fail_next("chat.postMessage", error="internal_error", times=2)

    report = services.dispatcher.dispatch(now=START)
    assert (report.sent, report.retried) == (0, 1)
    first = row(services, "flaky")
    assert (first.status, first.attempts, first.last_error) == (DeliveryStatus.PENDING, 1, "internal_error")
    assert first.next_attempt_at == START + backoff(0)

    # Not before its time.
    assert services.dispatcher.dispatch(now=first.next_attempt_at - dt.timedelta(seconds=1)).retried == 0
    assert post_calls(slack) == 1

    assert services.dispatcher.dispatch(now=first.next_attempt_at).retried == 1
    second = row(services, "flaky")
    assert second.attempts == 2
    assert second.next_attempt_at == first.next_attempt_at + backoff(1)
    assert backoff(1) > backoff(0)

    assert services.dispatcher.dispatch(now=second.next_attempt_at).sent == 1
    done = row(services, "flaky")
    assert (done.status, done.attempts, done.last_error) == (DeliveryStatus.SENT, 3, None)
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["text of flaky"]


def test_bare_http_error_is_retried_like_a_transient_one(services, slack):
    put(services, "http")
    slack.http_error_next("chat.postMessage", status=503)
    report = services.dispatcher.dispatch(now=START)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    waiting = row(services, "http")
    assert (waiting.status, waiting.attempts) == (DeliveryStatus.PENDING, 1)
    assert waiting.next_attempt_at == START + backoff(0)
    assert services.dispatcher.dispatch(now=waiting.next_attempt_at).sent == 1
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["text of http"]


def test_a_twenty_minute_outage_of_slack_is_outlasted_and_the_message_then_sent(services, slack):
    put(services, "card")
    now = START
    while now < START + dt.timedelta(minutes=20):  # Slack answers 500 to every try for twenty minutes
        slack.http_error_next("chat.postMessage", status=500)
        assert services.dispatcher.dispatch(now=now).retried == 1
        now = row(services, "card").next_attempt_at
    assert row(services, "card").status == DeliveryStatus.PENDING
    assert services.dispatcher.dispatch(now=now).sent == 1
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["text of card"]


def test_the_back_off_grows_to_its_cap_and_stays_there():
    assert backoff(0) == dt.timedelta(seconds=30)
    assert backoff(3) == dt.timedelta(minutes=4)
    assert backoff(5) == backoff(50) == MAX_BACKOFF == dt.timedelta(minutes=10)


@pytest.mark.long
def test_a_transient_error_gives_up_only_after_a_day_of_tries(services, slack):
    put(services, "doomed")
    slack.fail_next("chat.postMessage", error="internal_error", times=MAX_ATTEMPTS + 1)
    now = START
    for _ in range(MAX_ATTEMPTS):
        services.dispatcher.dispatch(now=now)
        now = row(services, "doomed").next_attempt_at
    failed = row(services, "doomed")
    assert failed.status == DeliveryStatus.FAILED
    assert failed.attempts == MAX_ATTEMPTS
    assert failed.last_error == "internal_error"
    assert post_calls(slack) == MAX_ATTEMPTS
    # The last try came a day after the first, not a quarter of an hour.
    assert now - START >= GIVE_UP_AFTER - MAX_BACKOFF
    # A failed delivery stays failed.
    assert services.dispatcher.dispatch(now=now + dt.timedelta(days=2)).sent == 0
    assert post_calls(slack) == MAX_ATTEMPTS
    assert slack.messages_in("CDEVOPS") == []


def test_permanent_error_fails_at_once_and_is_never_retried(services, slack):
    put(services, "gone")
    slack.fail_next("chat.postMessage", error="channel_not_found")
    report = services.dispatcher.dispatch(now=START)
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    assert report.errors == ["gone: channel_not_found"]
    failed = row(services, "gone")
    assert (failed.status, failed.last_error, failed.claimed_until) == (DeliveryStatus.FAILED, "channel_not_found",
                                                                        None)
    for later in (dt.timedelta(minutes=1), dt.timedelta(hours=2), dt.timedelta(days=3)):
        assert services.dispatcher.dispatch(now=START + later).failed == 0
    assert post_calls(slack) == 1


def test_channel_the_bot_is_not_in_fails_for_good(services, slack):
    put(services, "outside", channel="CRANDOM")
    report = services.dispatcher.dispatch(now=START)
    assert report.failed == 1
    assert row(services, "outside").last_error == "not_in_channel"
    services.dispatcher.dispatch(now=START + dt.timedelta(hours=1))
    assert post_calls(slack) == 1
    assert slack.messages_in("CRANDOM") == []


def test_not_before_holds_a_delivery_until_its_time(services, slack):
    later = START + dt.timedelta(hours=1)
    put(services, "later", not_before=later)
    put(services, "now")
    assert services.dispatcher.dispatch(now=START).sent == 1
    assert services.dispatcher.dispatch(now=later - dt.timedelta(seconds=1)).sent == 0
    assert row(services, "later").status == DeliveryStatus.PENDING
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["text of now"]
    assert services.dispatcher.dispatch(now=later).sent == 1
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["text of now", "text of later"]


def test_two_dispatchers_at_once_send_each_delivery_exactly_once(services, slack, settings):
    count = 24
    for i in range(count):
        put(services, f"k{i:02d}", channel="CDEVOPS" if i % 2 else "UBOB", text=f"message {i:02d}")
    other_engine = make_engine(settings.database_url)
    other = Dispatcher(make_session_factory(other_engine),
                       make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url),
                       limits=Limits.unpaced())
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def run(dispatcher: Dispatcher) -> None:
        try:
            barrier.wait(timeout=10)
            # Small batches so the two interleave claims instead of one taking everything at once.
            for _ in range(count):
                reports.append(dispatcher.dispatch(now=START, limit=2))
        except Exception as error:  # surfaced below; a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=run, args=(d,)) for d in (services.dispatcher, other)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()
        other_engine.dispose()
    assert errors == []
    texts = sorted(m.text for m in slack.messages if m.kind == "message")
    assert texts == [f"message {i:02d}" for i in range(count)]
    assert post_calls(slack) == count
    assert sum(r.sent for r in reports) == count
    assert {d.status for d in all_rows(services)} == {DeliveryStatus.SENT}


def test_expired_claim_is_sent_again_but_a_fresh_claim_is_left_alone(services, slack):
    put(services, "orphan", text="claimed by a process that died")
    put(services, "busy", text="being sent right now elsewhere")
    with unit_of_work(services.sessions) as session:
        session.execute(update(Delivery).where(Delivery.key == "orphan").values(
            status=DeliveryStatus.SENDING, claimed_until=START - dt.timedelta(seconds=1)))
        session.execute(update(Delivery).where(Delivery.key == "busy").values(
            status=DeliveryStatus.SENDING, claimed_until=START + CLAIM_FOR))

    assert services.dispatcher.dispatch(now=START).sent == 1
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["claimed by a process that died"]
    assert row(services, "orphan").status == DeliveryStatus.SENT
    assert row(services, "busy").status == DeliveryStatus.SENDING

    # Still claimed at the very instant its claim ends; free just after.
    assert services.dispatcher.dispatch(now=START + CLAIM_FOR).sent == 0
    assert services.dispatcher.dispatch(now=START + CLAIM_FOR + dt.timedelta(seconds=1)).sent == 1
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["claimed by a process that died",
                                                             "being sent right now elsewhere"]


class FakeTime:
    """A monotonic clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(outbox, "time", fake)
    return fake


def test_a_bucket_lets_a_burst_through_then_one_token_an_interval(fake_time):
    bucket = TokenBucket(rate=2.0, burst=3)
    for _ in range(3):
        assert bucket.wait() == 0
        bucket.take()
    assert bucket.wait() == pytest.approx(0.5)
    fake_time.now += 0.5
    assert bucket.wait() == 0
    bucket.take()
    assert bucket.wait() == pytest.approx(0.5)


def test_a_bucket_refills_with_time_but_never_beyond_its_burst(fake_time):
    bucket = TokenBucket(rate=1.0, burst=3)
    for _ in range(3):
        bucket.take()
    fake_time.now += 2.0  # two tokens back
    bucket.take()
    bucket.take()
    assert bucket.wait() == pytest.approx(1.0)
    fake_time.now += 60  # never more than a burst, however long the pause
    for _ in range(3):
        assert bucket.wait() == 0
        bucket.take()
    assert bucket.wait() == pytest.approx(1.0)


def test_a_zero_rate_never_runs_out(fake_time):
    bucket = TokenBucket(rate=0, burst=0)
    for _ in range(20):
        assert bucket.wait() == 0
        bucket.take()


def test_each_channel_has_its_own_bucket_and_all_share_the_workspace(fake_time):
    pacer = Pacer(Limits(channel_per_second=1.0, channel_burst=2, workspace_per_minute=120, workspace_burst=3))
    pacer.take("CDEVOPS")
    pacer.take("CDEVOPS")
    assert pacer.channel_wait("CDEVOPS") == pytest.approx(1.0)
    assert pacer.channel_wait("CRANDOM") == 0  # another channel is not held back by the first
    pacer.take("CRANDOM")
    # Three posts have used the workspace's burst: every channel now waits for its 2-a-second refill.
    assert pacer.workspace.wait() == pytest.approx(0.5)


def test_dispatcher_paces_each_channel_separately(services, slack, fake_time):
    dispatcher = Dispatcher(services.sessions, services.client,
                            limits=Limits(channel_per_second=1.0, channel_burst=3, workspace_per_minute=6000,
                                          workspace_burst=100))
    for i in range(5):
        put(services, f"c{i}", text=f"channel {i}")
    put(services, "d0", channel="UALICE", text="dm 0")
    try:
        assert dispatcher.dispatch(now=START).sent == 6
    finally:
        dispatcher.close()
    # Five to one channel: two waits of a second each; the DM needed none.
    assert fake_time.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]
    assert [m.text for m in slack.messages_in("CDEVOPS")] == [f"channel {i}" for i in range(5)]
    assert len(slack.messages_in("UALICE")) == 1


def test_a_record_gets_the_link_to_its_message_once_sent_and_a_missing_one_is_no_failure(services, slack):
    with unit_of_work(services.sessions) as session:
        community = Community(team_id=TEAM, channel_id="CDEVOPS", name="DevOps CoP", created_by="UBOB")
        session.add(community)
        session.flush()
        decision = Decision(community_id=community.id, text="Friday freeze", created_at=START)
        session.add(decision)
        session.flush()
        decision_id = decision.id
        for key, ref in (("found", link_to("decision", decision_id)), ("gone", link_to("decision", decision_id + 1)),
                         ("odd", "nothing:x")):
            enqueue(session, key=key, team_id=TEAM, channel="CDEVOPS", text=key, kind="test", now=START, link_to=ref)
    assert services.dispatcher.dispatch(now=START).sent == 3
    found = row(services, "found")
    with services.sessions() as session:
        link = session.get_one(Decision, decision_id).permalink
    assert link == f"https://copbot-sandbox.slack.com/archives/CDEVOPS/p{found.sent_ts.replace('.', '')}"
    assert {r.status for r in all_rows(services)} == {DeliveryStatus.SENT}
    with pytest.raises(ValueError, match="no record kind"):
        link_to("nothing", 1)


def test_a_busy_channel_is_offered_first_and_never_hidden_behind_older_single_messages(services):
    for i in range(40):  # written first: the oldest rows
        put(services, f"dm{i}", channel=f"U{i:05d}", text=f"digest {i}")
    for i in range(3):
        put(services, f"card{i}", channel="CDEVOPS", text=f"card {i}")
    with services.sessions() as session:
        heads = due_heads(session, now=START, limit=5)
        busy_first = [channel for _, channel in heads]
        elsewhere = [channel for _, channel in due_heads(session, now=START, exclude={"CDEVOPS"}, limit=3)]
    # The channel held to one message a second of its own must use every second it gets; its first card
    # leads, the others wait their turn, and one row a channel is offered (its order is kept).
    assert busy_first[0] == "CDEVOPS" and busy_first.count("CDEVOPS") == 1
    assert busy_first[1:] == ["U00000", "U00001", "U00002", "U00003"]
    assert elsewhere == ["U00000", "U00001", "U00002"]


# ------------------------------------------------------------------ posts whose outcome is unknown


def posted_for(slack, key: str) -> list:
    return [m for m in slack.messages if m.kind == "message" and m.metadata == outbox.delivery_metadata(key)]


def test_every_post_carries_its_delivery_key_in_its_metadata(services, slack):
    put(services, "reminder:1:dm:UBOB", channel="UBOB")
    services.dispatcher.dispatch(now=START)
    [message] = posted_for(slack, "reminder:1:dm:UBOB")
    assert message.metadata == {"event_type": "copbot_delivery", "event_payload": {"key": "reminder:1:dm:UBOB"}}


@pytest.mark.parametrize("channel", ["CDEVOPS", "UBOB"])
def test_a_post_whose_answer_was_lost_is_found_in_its_channel_and_not_posted_again(services, slack, channel):
    put(services, "lost", channel=channel)
    slack.lose_answer_next("chat.postMessage")
    report = services.dispatcher.dispatch(now=START)
    assert report.retried == 1 and len(posted_for(slack, "lost")) == 1  # Slack has it; copbot cannot know
    waiting = row(services, "lost")
    assert waiting.status == DeliveryStatus.PENDING and waiting.unsure_since == START

    found_before = REGISTRY.get_sample_value("copbot_outbox_found_total") or 0
    assert services.dispatcher.dispatch(now=waiting.next_attempt_at).sent == 1
    assert REGISTRY.get_sample_value("copbot_outbox_found_total") == found_before + 1
    [message] = posted_for(slack, "lost")  # still one
    done = row(services, "lost")
    assert (done.status, done.sent_ts, done.unsure_since) == (DeliveryStatus.SENT, message.ts, None)
    assert post_calls(slack) == 1


def test_a_lost_answer_in_a_thread_is_looked_for_in_the_thread(services, slack):
    parent = slack.post_as_user("UBOB", "CDEVOPS", "The meeting's thread")
    with unit_of_work(services.sessions) as session:
        enqueue(session, key="reply", team_id=TEAM, channel="CDEVOPS", text="a reply", kind="test", now=START,
                thread_ts=parent)
    slack.lose_answer_next("chat.postMessage")
    services.dispatcher.dispatch(now=START)
    assert services.dispatcher.dispatch(now=row(services, "reply").next_attempt_at).sent == 1
    assert len(posted_for(slack, "reply")) == 1 and post_calls(slack) == 1
    assert [c.args["ts"] for c in slack.calls_to("conversations.replies")] == [parent]


def test_a_chart_whose_share_lost_its_answer_is_found_in_the_dm_and_not_shared_twice(services, slack):
    from bot.charts import Chart, Series
    chart = Chart(title="KPIs of DevOps CoP", labels=("kudos",), series=(Series("value", (3.0,)),), kind="bar")
    with unit_of_work(services.sessions) as session:
        enqueue_many(session, [dict(key="card:chart", team_id=TEAM, channel="UBOB", text="The KPIs", kind="test",
                                    now=START, chart=chart.to_dict())])
    slack.lose_answer_next("files.completeUploadExternal")
    assert services.dispatcher.dispatch(now=START).retried == 1  # Slack shared it; copbot cannot know
    waiting = row(services, "card:chart")
    assert waiting.status == DeliveryStatus.PENDING and waiting.unsure_since == START
    assert services.dispatcher.dispatch(now=waiting.next_attempt_at).sent == 1
    [shared] = [f for f in slack.files.values() if f.channel is not None]  # still one in the DM
    assert shared.channel == slack.dm_channel("UBOB") and shared.initial_comment == "The KPIs"
    assert row(services, "card:chart").sent_ts == shared.id
    assert len(slack.calls_to("files.completeUploadExternal")) == 1


def test_a_post_that_never_reached_slack_is_posted_once_it_is_looked_for(services, slack):
    put(services, "unsure")
    with unit_of_work(services.sessions) as session:  # a sender died after claiming it, before posting it
        session.execute(update(Delivery).where(Delivery.key == "unsure").values(
            status=DeliveryStatus.SENDING, claimed_until=START - dt.timedelta(seconds=1), attempted_at=START))
    assert services.dispatcher.dispatch(now=START).sent == 1
    assert len(posted_for(slack, "unsure")) == 1
    assert len(slack.calls_to("conversations.history")) == 1


def test_a_look_that_slack_refuses_for_now_waits_and_keeps_the_row_unsure(services, slack):
    put(services, "lost")
    slack.lose_answer_next("chat.postMessage")
    services.dispatcher.dispatch(now=START)
    slack.rate_limit_next("conversations.history", retry_after=60)
    later = row(services, "lost").next_attempt_at
    assert services.dispatcher.dispatch(now=later).retried == 1
    waiting = row(services, "lost")
    assert waiting.unsure_since == START and waiting.next_attempt_at == later + dt.timedelta(seconds=60)
    assert services.dispatcher.dispatch(now=waiting.next_attempt_at).sent == 1
    assert len(posted_for(slack, "lost")) == 1


def test_a_new_sender_takes_over_a_dead_senders_rows_at_once_and_sends_each_once(services, slack):
    put(services, "posted", text="posted before its sender died")
    put(services, "not yet", channel="UBOB", text="claimed, never posted")
    with unit_of_work(services.sessions) as session:
        claimed = claim_many(session, ids=[d.id for d in all_rows(services)], now=START)
    # The dead sender's first post reached Slack; it died before recording it.
    services.dispatcher.client.chat_postMessage(channel="CDEVOPS", text=claimed[0].text,
                                                metadata=outbox.delivery_metadata("posted"))
    assert services.dispatcher.dispatch(now=START).sent == 0  # claimed for two minutes: left alone

    assert services.dispatcher.reclaim(now=START) == 2
    assert services.dispatcher.dispatch(now=START).sent == 2  # at once, not after the claim's two minutes
    assert len(posted_for(slack, "posted")) == 1 and len(posted_for(slack, "not yet")) == 1
    assert {d.status for d in all_rows(services)} == {DeliveryStatus.SENT}


def test_a_row_reached_late_in_a_long_dispatch_is_claimed_from_the_clock_not_the_dispatchs_start(
        services, slack, clock):
    count = 6
    for i in range(count):
        put(services, f"dm:{i}", channel="UBOB", text=f"reminder {i}")
    claims: list[tuple[dt.datetime, dt.datetime]] = []
    claim = outbox.claim_many

    def slow_claim(session, **kwargs):  # each post takes a minute of the clock, as 150 DMs at Slack's pace do
        got = claim(session, **kwargs)
        claims.extend((clock.now(), item.attempted_at) for item in got)
        clock.set(clock.now() + dt.timedelta(minutes=1))
        return got

    outbox.claim_many = slow_claim
    try:
        assert Dispatcher(services.sessions, services.client, limits=Limits.unpaced(in_flight=1),
                          clock=clock).dispatch(now=START).sent == count
    finally:
        outbox.claim_many = claim
    assert [at for at, _ in claims] == [START + dt.timedelta(minutes=i) for i in range(count)]
    assert all(attempted == at for at, attempted in claims)  # so each claim lasts CLAIM_FOR from its own post
    assert post_calls(slack) == count


def test_a_message_rewritten_while_it_was_being_posted_is_updated_once_posted(services, slack):
    # A card whose people are named (bot.cards.show_current) between its claim and Slack's answer: Slack got the
    # old words, the row has the new ones, and the sender makes Slack show them.
    from bot.cards import show_current
    from bot.render import Message

    put(services, "action:1:card", text="Who has room: someone")
    client = services.dispatcher.client
    post = client.chat_postMessage

    def posting(**kwargs):  # noqa: ANN003, ANN202
        with unit_of_work(services.sessions) as session:
            delivery = session.scalars(select(Delivery).where(Delivery.key == "action:1:card")).one()
            assert delivery.status is DeliveryStatus.SENDING
            assert show_current(delivery, Message("Who has room: alice", None)) is None  # not sent yet: no edit
        return post(**kwargs)

    client.chat_postMessage = posting
    try:
        assert services.dispatcher.dispatch(now=START).sent == 1
    finally:
        del client.chat_postMessage
    [update_call] = slack.calls_to("chat.update")
    assert update_call.args["text"] == "Who has room: alice"
    assert [m.text for m in slack.messages_in("CDEVOPS")] == ["Who has room: alice"]
    assert (row(services, "action:1:card").status, row(services, "action:1:card").text) == (
        DeliveryStatus.SENT, "Who has room: alice")
    # A message left alone while posted is not updated.
    put(services, "action:2:card", text="Tidy the wiki")
    assert services.dispatcher.dispatch(now=START).sent == 1
    assert len(slack.calls_to("chat.update")) == 1


def test_enqueue_many_adds_each_new_key_once_and_stores_rows_as_enqueue_does(services):
    # Many rows at once go another way on PostgreSQL (one short statement, pipelined): the same rows result.
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi *there*"}}]
    with unit_of_work(services.sessions) as session:
        assert enqueue(session, key="one:0", team_id=TEAM, channel="C1", text="hi", blocks=blocks, kind="k", now=START)
        assert enqueue(session, key="solo", team_id=TEAM, channel="C1", text="hi", kind="k", now=START)
        messages = [dict(key=f"many:{n}", team_id=TEAM, channel=f"U{n}", text=f"hi {n}", kind="k", now=START,
                         blocks=blocks if n % 2 else None, not_before=START + dt.timedelta(hours=n))
                    for n in range(5)]
        assert enqueue_many(session, messages + [dict(messages[0], text="again")]) == 5
        assert enqueue_many(session, messages) == 0
        assert enqueue_many(session, [dict(messages[0], key="one:1", blocks=None), dict(messages[1], key="one:0")]) == 1
    with services.sessions() as session:
        rows = {d.key: d for d in session.scalars(select(Delivery))}
        assert sorted(rows) == ["many:0", "many:1", "many:2", "many:3", "many:4", "one:0", "one:1", "solo"]
        assert rows["many:0"].text == "hi 0" and rows["many:0"].blocks is None and rows["many:1"].blocks == blocks
        assert rows["many:3"].next_attempt_at == START + dt.timedelta(hours=3)
        assert {d.status for d in rows.values()} == {DeliveryStatus.PENDING}
        # A message without blocks is stored alike, however it was queued.
        stored = dict(session.execute(text("SELECT key, CAST(blocks AS TEXT) FROM deliveries "
                                           "WHERE key IN ('solo', 'many:0', 'one:1')")).all())
        assert stored["many:0"] == stored["one:1"] == stored["solo"]
