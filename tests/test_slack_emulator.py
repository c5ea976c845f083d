"""The Slack emulator answers a real slack_sdk WebClient the way Slack does, and records what it got."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.slack_emulator import SlackEmulator
from tests.slack_spec.validate import check_call

# 2024-07-01 12:00:00 UTC: London is on summer time (UTC+1), New York on EDT (UTC-4).
SUMMER = 1_719_835_200.0


class FrozenClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SUMMER)


@pytest.fixture
def emu(clock: FrozenClock) -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(validator=check_call, clock=clock)
    emulator.add_user("U0ADA", "ada", real_name="Ada Lovelace")
    emulator.add_user("U0GRACE", "grace", real_name="Grace Hopper", tz="America/New_York", is_admin=True)
    emulator.add_channel("C0GENERAL", "general", creator="U0ADA", members=["U0GRACE", "U0COPBOT"])
    emulator.add_channel("C0RANDOM", "random", creator="U0ADA")
    with emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(token="xoxb-test", base_url=emu.base_url)


def test_auth_test_names_the_bot(emu: SlackEmulator, client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "U0COPBOT"
    assert answer["bot_id"] == "B0COPBOT"
    assert answer["team_id"] == "T0COP0001"
    assert answer["url"] == "https://copbot-sandbox.slack.com/"
    assert emu.calls_to("auth.test")[0].headers["Authorization"] == "Bearer xoxb-test"
    assert emu.violations == []


def test_users_info_gives_time_zone_for_the_current_clock(
    emu: SlackEmulator, client: WebClient, clock: FrozenClock
) -> None:
    ada = client.users_info(user="U0ADA")["user"]
    assert (ada["tz"], ada["tz_offset"], ada["tz_label"]) == ("Europe/London", 3600, "British Summer Time")
    assert ada["profile"]["real_name"] == "Ada Lovelace"
    grace = client.users_info(user="U0GRACE")["user"]
    assert (grace["tz_offset"], grace["is_admin"]) == (-4 * 3600, True)

    clock.now = SUMMER + 180 * 86400  # late December: winter time
    ada = client.users_info(user="U0ADA")["user"]
    assert (ada["tz_offset"], ada["tz_label"]) == (0, "Greenwich Mean Time")


def test_users_info_knows_slackbot_is_not_a_bot_and_unknown_users(client: WebClient) -> None:
    slackbot = client.users_info(user="USLACKBOT")["user"]
    assert slackbot["is_bot"] is False
    assert client.users_info(user="U0COPBOT")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U0NOBODY")
    assert raised.value.response["error"] == "user_not_found"


def test_post_in_a_channel_the_bot_is_in(emu: SlackEmulator, client: WebClient) -> None:
    answer = client.chat_postMessage(channel="C0GENERAL", text="Welcome!")
    assert answer["channel"] == "C0GENERAL"
    assert answer["message"]["text"] == "Welcome!"
    [posted] = emu.messages_in("C0GENERAL")
    assert (posted.ts, posted.text, posted.user, posted.kind) == (answer["ts"], "Welcome!", "U0COPBOT", "message")


def test_post_in_a_channel_the_bot_is_not_in_fails(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0RANDOM", text="hello?")
    assert raised.value.response["error"] == "not_in_channel"
    assert emu.messages_in("C0RANDOM") == []

    client.conversations_join(channel="C0RANDOM")
    assert client.chat_postMessage(channel="C0RANDOM", text="hello!")["ok"] is True


def test_post_to_a_user_id_lands_in_the_dm(emu: SlackEmulator, client: WebClient) -> None:
    answer = client.chat_postMessage(channel="U0ADA", text="Hi Ada")
    dm = answer["channel"]
    assert dm.startswith("D")
    assert client.conversations_open(users="U0ADA")["channel"]["id"] == dm
    assert [m.text for m in emu.messages_in(dm)] == ["Hi Ada"]
    assert emu.messages_in("U0ADA") == emu.messages_in(dm)


def test_message_ts_strictly_increase_even_on_a_frozen_clock(emu: SlackEmulator, client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0GENERAL", text=str(i))["ts"] for i in range(3)]
    stamps.append(emu.post_as_user("U0ADA", "C0GENERAL", "me too"))
    assert len(set(stamps)) == 4
    assert [float(ts) for ts in stamps] == sorted(float(ts) for ts in stamps)
    assert all(ts.startswith(f"{int(SUMMER)}.") and len(ts.split(".")[1]) == 6 for ts in stamps)


def test_get_permalink(client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0GENERAL", text="minutes")["ts"]
    permalink = client.chat_getPermalink(channel="C0GENERAL", message_ts=ts)["permalink"]
    assert permalink == f"https://copbot-sandbox.slack.com/archives/C0GENERAL/p{ts.replace('.', '')}"


def test_a_rate_limited_call_surfaces_429_with_retry_after(emu: SlackEmulator, client: WebClient) -> None:
    emu.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0GENERAL", text="too fast")
    response = raised.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    # Only the next call was limited.
    assert client.chat_postMessage(channel="C0GENERAL", text="again")["ok"] is True
    assert [m.text for m in emu.messages_in("C0GENERAL")] == ["again"]


def test_injected_errors_and_http_failures(emu: SlackEmulator, client: WebClient) -> None:
    emu.fail_next("users.info", error="fatal_error", times=2)
    emu.http_error_next("auth.test", status=503)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.users_info(user="U0ADA")
        assert raised.value.response["error"] == "fatal_error"
    assert client.users_info(user="U0ADA")["ok"] is True
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response.status_code == 503


def test_response_url_posts_are_recorded(emu: SlackEmulator) -> None:
    url = emu.response_url("cmd-1", channel="C0GENERAL", user="U0ADA")
    body = json.dumps({"text": "Only you can see this", "response_type": "ephemeral"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
    assert emu.responses == [{"tag": "cmd-1", "text": "Only you can see this", "response_type": "ephemeral"}]
    [message] = emu.messages
    assert (message.kind, message.channel, message.ephemeral_to) == ("response", "C0GENERAL", "U0ADA")


def test_an_invalid_argument_is_recorded_as_a_violation(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0GENERAL", text="hi", colour="red")
    assert raised.value.response["error"] == "invalid_arguments"
    assert len(emu.violations) == 1
    assert "unknown argument `colour`" in emu.violations[0]
    assert emu.messages == []


def test_a_method_the_emulator_lacks_is_unknown_and_a_violation(emu: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postMessageLater", json={"channel": "C0GENERAL", "text": "x"})
    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "unknown_method"
    assert any("not in Slack's published spec" in v for v in emu.violations)


def test_form_encoded_blocks_are_decoded(emu: SlackEmulator, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    # A plain api_call with params sends a form body, as older code paths do.
    client.api_call("chat.postMessage", params={"channel": "C0GENERAL", "blocks": json.dumps(blocks)})
    [posted] = emu.messages_in("C0GENERAL")
    assert posted.blocks == blocks
    assert emu.violations == []


def test_update_delete_and_react(emu: SlackEmulator, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0GENERAL", text="draft")["ts"]
    client.chat_update(channel="C0GENERAL", ts=ts, text="final")
    client.reactions_add(channel="C0GENERAL", timestamp=ts, name="tada")
    [posted] = emu.messages_in("C0GENERAL")
    assert (posted.text, posted.reactions) == ("final", ["tada"])
    client.chat_delete(channel="C0GENERAL", ts=ts)
    assert emu.messages_in("C0GENERAL") == []
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="C0GENERAL", ts=ts, text="again")
    assert raised.value.response["error"] == "message_not_found"


def test_ephemeral_needs_the_user_in_the_channel(emu: SlackEmulator, client: WebClient) -> None:
    ts = client.chat_postEphemeral(channel="C0GENERAL", user="U0GRACE", text="psst")["message_ts"]
    [posted] = emu.messages_in("C0GENERAL")
    assert (posted.ts, posted.kind, posted.ephemeral_to) == (ts, "ephemeral", "U0GRACE")
    emu.add_user("U0ALAN", "alan")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postEphemeral(channel="C0GENERAL", user="U0ALAN", text="psst")
    assert raised.value.response["error"] == "user_not_in_channel"


def test_home_tab_is_published_and_too_many_blocks_are_refused(emu: SlackEmulator, client: WebClient) -> None:
    view = {"type": "home", "blocks": [{"type": "divider"}]}
    first = client.views_publish(user_id="U0ADA", view=view)["view"]
    again = client.views_publish(user_id="U0ADA", view=view)["view"]
    assert first["id"] == again["id"]
    assert emu.home_view("U0ADA") == again
    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U0ADA", view={"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert raised.value.response["error"] == "invalid_arguments"


def test_channel_info_and_members(client: WebClient) -> None:
    info = client.conversations_info(channel="C0GENERAL", include_num_members=True)["channel"]
    assert (info["is_member"], info["num_members"], info["creator"]) == (True, 3, "U0ADA")
    assert client.conversations_info(channel="C0RANDOM")["channel"]["is_member"] is False
    page = client.conversations_members(channel="C0GENERAL", limit=2)
    assert page["members"] == ["U0ADA", "U0GRACE"]
    rest = client.conversations_members(channel="C0GENERAL", cursor=page["response_metadata"]["next_cursor"])
    assert rest["members"] == ["U0COPBOT"]
    assert rest["response_metadata"]["next_cursor"] == ""


def test_wait_for_and_reset(emu: SlackEmulator, client: WebClient) -> None:
    assert emu.wait_for(lambda: False, timeout=0.05) is False
    client.chat_postMessage(channel="C0GENERAL", text="hi")
    assert emu.wait_for(lambda: len(emu.messages) == 1, timeout=1)
    emu.reset_records()
    assert (emu.calls, emu.messages) == ([], [])


def test_history_finds_one_message_by_its_ts_and_skips_thread_replies(emu: SlackEmulator, client: WebClient) -> None:
    first = emu.post_as_user("U0GRACE", "C0GENERAL", "first")
    second = emu.post_as_user("U0ADA", "C0GENERAL", "second &amp; last")
    reply = emu.post_as_user("U0GRACE", "C0GENERAL", "in a thread", thread_ts=first)
    answer = client.conversations_history(channel="C0GENERAL", latest=second, oldest=second, inclusive=True, limit=1)
    assert [(m["user"], m["text"]) for m in answer["messages"]] == [("U0ADA", "second &amp; last")]
    everything = client.conversations_history(channel="C0GENERAL")["messages"]
    assert [m["ts"] for m in everything] == [second, first]
    assert client.conversations_history(channel="C0GENERAL", latest=reply, oldest=reply, inclusive=True,
                                        limit=1)["messages"] == []
    assert emu.violations == []


def test_history_needs_the_bot_in_the_channel(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.conversations_history(channel="C0RANDOM")
    assert raised.value.response["error"] == "not_in_channel"


def respond(url: str, payload: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200


def test_a_response_can_replace_or_delete_the_message_its_button_was_in(emu: SlackEmulator,
                                                                        client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0GENERAL", text="Action #1", blocks=[{"type": "divider"}])["ts"]
    url = emu.response_url("click-1", channel="C0GENERAL", user="U0ADA", message_ts=ts)
    respond(url, {"text": "Only you: claimed", "response_type": "ephemeral", "replace_original": False})
    respond(url, {"text": "Action #1, claimed", "blocks": [], "replace_original": True})
    original, ephemeral = emu.messages_in("C0GENERAL")
    assert (original.ts, original.text, original.blocks) == (ts, "Action #1, claimed", [])
    assert (ephemeral.kind, ephemeral.ephemeral_to) == ("response", "U0ADA")
    respond(url, {"delete_original": True})
    assert [m.text for m in emu.messages_in("C0GENERAL")] == ["Only you: claimed"]


def test_metadata_is_kept_and_given_back_only_when_asked_for(emu: SlackEmulator, client: WebClient) -> None:
    tag = {"event_type": "copbot_delivery", "event_payload": {"key": "k1"}}
    top = client.chat_postMessage(channel="C0GENERAL", text="top", metadata=tag)["ts"]
    client.chat_postMessage(channel="C0GENERAL", text="reply", thread_ts=top, metadata=tag)
    [plain] = client.conversations_history(channel="C0GENERAL")["messages"]
    assert "metadata" not in plain
    [tagged] = client.conversations_history(channel="C0GENERAL", include_all_metadata=True)["messages"]
    assert tagged["metadata"] == tag
    thread = client.conversations_replies(channel="C0GENERAL", ts=top, include_all_metadata=True)["messages"]
    assert [m["text"] for m in thread] == ["top", "reply"] and thread[1]["metadata"] == tag
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0GENERAL", text="x", metadata={"event_payload": {}})
    assert refused.value.response["error"] == "invalid_metadata_format"
    with pytest.raises(SlackApiError) as missing:
        client.conversations_replies(channel="C0GENERAL", ts="1.000001")
    assert missing.value.response["error"] == "thread_not_found"


def test_a_lost_answer_does_the_call_and_then_drops_the_connection(emu: SlackEmulator) -> None:
    bare = WebClient(token="xoxb-test", base_url=emu.base_url, retry_handlers=[])
    emu.lose_answer_next("chat.postMessage")
    with pytest.raises(Exception) as lost:
        bare.chat_postMessage(channel="C0GENERAL", text="did it arrive?")
    assert not isinstance(lost.value, SlackApiError)
    assert [m.text for m in emu.messages_in("C0GENERAL")] == ["did it arrive?"]
