"""What the fuzz suite sends, and how: Slack-shaped requests with arbitrary contents, signed and handed to the
app's WSGI door in this process (the same code waitress runs for each HTTP request, without the socket).

The strategies build what a person could type and what a forger could sign: arbitrary text and unicode,
4,000-character strings, control characters, NUL, Slack markup (`<!channel>`, `<!subteam^...>`,
`<@U...|x>`, links labelled as another address), impossible dates and numbers, and payloads of every
shape Slack could never send.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import strategies as st

from bot.sandbox.requests import RequestFactory, SignedRequest
from bot.sandbox.slack_emulator import SlackEmulator
from bot.web import WebApp
from handlers.commands import REGISTRY
from handlers.ids import ActionId, ViewId


def subcommand_names() -> list[str]:
    """Every `/cop` subcommand there is, so that a new one is fuzzed without a word here."""
    return sorted({name.split()[0] for command in REGISTRY for name in (command.name, *command.aliases)})


# Slack markup a member can type, which must never reach a channel as markup.
MARKUP = [
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123ABC|@platform>", "<!subteam^S0123ABC>",
    "<@UALICE|alice>", "<@UNOBODY99>", "<@U0COPBOT>", "<#CDEVOPS|devops>", "<#CNOWHERE>",
    "<https://copbot-sandbox.slack.com.evil.example/login|https://copbot-sandbox.slack.com/sso>",
    "<https://evil.example/login|Re-verify your SSO account here>", "<mailto:x@evil.example|support@slack.com>",
    "<!date^1700000000^{date}|forever>", "&lt;!channel&gt;", "<>", "<@>", "<!>", "<|>", "<<!here>>",
]
# Things a parser trips on.
AWKWARD = [
    "\x00", "before\x00after", "\x1b[31m", "\u202e", "\u200b", "\r\n", "\t", "\x7f", "\ud7ff", "\ufeff",
    "²", "①", "٣", "१२", "𝟗", "Ⅻ", "1e309", "-0", "-1", "0", "00", "9" * 30, "1.5", "nan", "inf", "0x1F",
    "2026-02-30 10:00", "2026-13-01", "25:61", "31/02", "9999-12-31 23:59", "0001-01-01", "tomorrow 10am",
    "in 99999999 hours", "next tue 3pm", "yesterday", "every 0 weeks", "every -3 weeks", "for 0 minutes",
    "for 9999 hours", '"', '""', '"unclosed', "“curly”", "'", "\\", "#", "#tag", "@", "on", "off", "yes",
    "U" + "X" * 40, "C" * 25, "a" * 4000, "é" * 300,
]


def _help_words() -> list[str]:
    """Words of every usage line and example in the help, the subcommands' own vocabulary."""
    words: set[str] = set()
    for command in REGISTRY:
        for line in [command.line, *command.examples]:
            words.update(w for w in re.split(r"[\s|·\[\]<>()]+", line) if w and w != "/cop")
    return sorted(words)


HELP_EXAMPLES = [example.removeprefix("/cop ") for command in REGISTRY for example in command.examples
                 if example.startswith("/cop ")]

token = st.one_of(
    st.sampled_from(_help_words()),
    st.sampled_from(MARKUP),
    st.sampled_from(AWKWARD),
    st.integers(min_value=-5, max_value=12).map(str),
    st.text(max_size=12),
)


# What a member writes: words of every kind, joined.
slack_text = st.lists(token, max_size=8).map(" ".join)


@st.composite
def command_text(draw: st.DrawFn) -> str:
    """`/cop <subcommand> <arguments>`: a subcommand followed by arbitrary words, or a help example with
    some of its words replaced or followed by others."""
    if draw(st.booleans()):
        words = [draw(st.sampled_from(subcommand_names())), *draw(st.lists(token, max_size=6))]
    else:
        words = draw(st.sampled_from(HELP_EXAMPLES)).split(" ")
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(1, len(words)))
            if draw(st.booleans()) and at < len(words):
                words[at] = draw(token)
            else:
                words.insert(at, draw(token))
    joiner = draw(st.sampled_from([" ", " ", " ", "  ", "\n", "\t"]))
    return joiner.join(words)[:4000]


def ids(prefix: str) -> st.SearchStrategy[str]:
    """Slack ids of the workspace of the kind asked for (U users, C channels), mostly; sometimes ids of
    another kind, forged ones, or things that are not ids at all."""
    usual = {"U": ["UALICE", "UBOB", "UCHANDRA", "UDANA", "U0COPBOT", "USLACKBOT", "UNOBODY"],
             "C": ["CDEVOPS", "CRANDOM", "DBOB", "CNOWHERE"]}[prefix]
    return rarely(st.sampled_from(usual),
                  st.one_of(st.sampled_from(["", " ", "<!channel>", "<@UALICE>", prefix + "X" * 25, "null", "ü",
                                             "\x00", "T0COP0001", "CDEVOPS", "UALICE", "W0" + "9" * 18]),
                            st.text(max_size=30)))


def rarely(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` nine times in ten, `odd` the tenth: a payload with one thing wrong, not everything."""
    return st.sampled_from([usual] * 9 + [odd]).flatmap(lambda chosen: chosen)


# Any JSON value, small: what a forger puts where an object, a string or a list was expected.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def anything_or(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly what belongs there, sometimes any JSON value."""
    return rarely(strategy, json_values)


def timestamps() -> st.SearchStrategy[Any]:
    return anything_or(rarely(st.sampled_from(["1764000000.000100", "1764000100.000200", "1.000001"]),
                              st.one_of(st.sampled_from(["", "abc", "1e400", "-1", "nan", "9" * 30]),
                                        st.floats(allow_nan=True).map(str))))


# The fields each event copbot listens to always has; others may come too.
EVENT_FIELDS = {
    "message": ["user", "channel", "text", "ts"],
    "member_joined_channel": ["user", "channel"],
    "member_left_channel": ["user", "channel"],
    "app_home_opened": ["user", "tab"],
    "reaction_added": ["user", "reaction", "item", "item_user", "event_ts"],
    "reaction_removed": ["user", "reaction", "item", "item_user", "event_ts"],
}


@st.composite
def events(draw: st.DrawFn) -> Any:
    """An Events API `event`: of a type copbot listens to, its fields of the right type nine times in ten."""
    kind = draw(st.sampled_from(sorted(EVENT_FIELDS)))
    event: dict[str, Any] = {"type": draw(anything_or(st.just(kind)))}
    fields = {
        "user": anything_or(ids("U")), "channel": anything_or(ids("C")), "text": anything_or(slack_text),
        "ts": timestamps(), "event_ts": timestamps(), "thread_ts": timestamps(), "item_user": anything_or(ids("U")),
        "reaction": anything_or(st.sampled_from(["tada", "pushpin", "white_check_mark", "ballot_box_with_check",
                                                 "bulb", "x", ""])),
        "item": anything_or(st.fixed_dictionaries({"type": st.just("message"), "channel": anything_or(ids("C")),
                                                    "ts": timestamps()})),
        "subtype": anything_or(st.sampled_from(["message_deleted", "thread_broadcast", "bot_message"])),
        "deleted_ts": timestamps(), "channel_type": anything_or(st.sampled_from(["channel", "im", "group"])),
        "tab": anything_or(st.sampled_from(["home", "messages"])), "inviter": anything_or(ids("U")),
    }
    more = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=3))
    for name in [*EVENT_FIELDS[kind], *more]:
        event[name] = draw(fields[name])
    if draw(st.sampled_from([False] * 19 + [True])):
        del event["type"]
    return draw(rarely(st.just(event), json_values))


ACTION_IDS = [str(a) for a in ActionId] + [f"{ActionId.HOME_SETTING}.nudges", f"{ActionId.MEETING_EDIT}.1"]


@st.composite
def clicks(draw: st.DrawFn) -> Any:
    """A `block_actions` payload: a button of copbot's with any value, or a payload of the wrong shape."""
    action = {"action_id": draw(anything_or(st.sampled_from(ACTION_IDS))), "block_id": "b",
              "value": draw(anything_or(st.one_of(st.sampled_from(["1", "2", "99", "nudges:off", "0", "-1", "²"]),
                                                  st.sampled_from(AWKWARD), st.text(max_size=20)))),
              "type": "button"}
    payload: dict[str, Any] = {
        "type": "block_actions", "user": draw(anything_or(st.fixed_dictionaries({"id": ids("U")}))),
        "team": {"id": "T0COP0001"}, "trigger_id": secrets.token_hex(6),
        "actions": draw(anything_or(st.just([action]))),
        "container": draw(anything_or(st.just({"type": "message", "channel_id": "CDEVOPS", "message_ts": "1.1"}))),
        "channel": draw(anything_or(st.fixed_dictionaries({"id": ids("C")}))),
    }
    return draw(rarely(st.just(payload), json_values))


VIEW_IDS = [str(v) for v in ViewId]


@st.composite
def forms(draw: st.DrawFn) -> Any:
    """A `view_submission`: one of copbot's forms with any values, or a payload of the wrong shape."""
    inputs = draw(st.dictionaries(
        st.sampled_from(sorted({str(b) for b in ActionId} | {"standup_question:0", "standup_question:1"})),
        anything_or(st.fixed_dictionaries({}, optional={"value": anything_or(st.one_of(
            st.sampled_from(AWKWARD + MARKUP), st.text(max_size=40))), "selected_option": anything_or(
                st.fixed_dictionaries({"value": anything_or(st.text(max_size=10))}))})),
        max_size=6))
    values = {block: {block.split(":")[0]: value} for block, value in inputs.items()}
    view = {"id": "V0COP00001", "type": "modal", "callback_id": draw(anything_or(st.sampled_from(VIEW_IDS))),
            "private_metadata": draw(anything_or(st.one_of(st.sampled_from(["1", "2", "99", "", "²", "x" * 30]),
                                                           st.text(max_size=20)))),
            "state": draw(anything_or(st.just({"values": values}))), "blocks": []}
    payload = {"type": "view_submission", "user": draw(anything_or(st.fixed_dictionaries({"id": ids("U")}))),
               "team": {"id": "T0COP0001"}, "trigger_id": secrets.token_hex(6),
               "view": draw(anything_or(st.just(view)))}
    return draw(rarely(st.just(payload), json_values))


# Bodies of any shape, as JSON or as a form, or not text at all.
raw_bodies = st.tuples(
    st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode()),
              json_values.map(lambda v: urlencode({"payload": json.dumps(v)}).encode()),
              st.dictionaries(st.sampled_from(["command", "text", "ssl_check", "payload", "type", "team_id", "user_id",
                                               "channel_id", "authorizations", "team", "user", "channel"]),
                              st.text(max_size=12), max_size=6).map(lambda form: urlencode(form).encode())),
    st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
    st.booleans(),
)


@dataclass
class Answer:
    status: int
    body: str


class Door:
    """Signed requests into the app's WSGI application, in this process."""

    def __init__(self, web: WebApp, requests: RequestFactory, slack: SlackEmulator) -> None:
        self.web = web
        self.requests = requests
        self.slack = slack

    def send(self, request: SignedRequest, *, headers: dict[str, str] | None = None) -> Answer:
        headers = {**request.headers, **(headers or {})}
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(request.body),
            "CONTENT_LENGTH": str(len(request.body)), "CONTENT_TYPE": headers.pop("Content-Type", ""),
        }
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        statuses: list[str] = []
        body = b"".join(self.web(environ, lambda status, _headers, *_: statuses.append(status)))
        return Answer(int(statuses[0].split()[0]), body.decode("utf-8", "replace"))

    def command(self, user: str, text: str, *, channel: str = "CDEVOPS", command: str = "/cop") -> tuple[Answer, str]:
        tag = f"{user}-{secrets.token_hex(4)}"
        url = self.slack.response_url(tag, channel=channel, user=user)
        request = self.requests.slash_command(user_id=user, user_name=user.lower(), channel_id=channel,
                                              channel_name=channel.lower(), text=text, response_url=url,
                                              command=command)
        return self.send(request), tag

    def event(self, event: Any) -> Answer:
        return self.send(self.requests.event(event))

    def interaction(self, payload: Any) -> Answer:
        return self.send(self.requests.sign(urlencode({"payload": json.dumps(payload)}).encode(),
                                            "application/x-www-form-urlencoded"))

    def raw(self, body: bytes, content_type: str, *, signed: bool = True) -> Answer:
        request = self.requests.sign(body, content_type)
        if not signed:
            request.headers["X-Slack-Signature"] = "v0=" + "0" * 64
        return self.send(request)


def iter_texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_texts(item)


# ---------------------------------------------------------------------------------------- what must hold

_BROADCAST = re.compile(r"<!(?:channel|here|everyone|subteam\^)[^>]*>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)\|([^>]*)>")
_ADDRESS = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.I)
WORKSPACE = "copbot-sandbox.slack.com"  # the emulated workspace's own address: its permalinks lead nowhere else


def disguised_links(text: str) -> list[str]:
    """Links out of the workspace whose label names another address than the one they lead to."""
    found = []
    for target, label in _LINK.findall(text):
        host = (urlsplit(target).hostname or target.partition("@")[2]).lower()
        if host == WORKSPACE:
            continue
        if any(named.lower() != host for named in _ADDRESS.findall(label)):
            found.append(f"<{target}|{label}>")
    return found


def control_characters(text: str) -> list[str]:
    return [repr(c) for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"]


def check_shown(text: str, *, where: str) -> None:
    assert not _BROADCAST.findall(text), f"a broadcast reached {where}: {text[:300]!r}"
    assert not disguised_links(text), f"a disguised link reached {where}: {disguised_links(text)}"
    assert not control_characters(text), f"control characters reached {where}: {control_characters(text)}"


def shown_since(door: Door, mark: tuple[int, int]) -> None:
    """Every message and reply copbot sent since `mark` (from `sent`), as Slack would render it."""
    slack = door.slack
    with slack._lock:
        messages = slack.messages[mark[0]:]
        responses = slack.responses[mark[1]:]
    for message in messages:
        if message.user == slack.bot_user_id:
            check_shown(message.text + json.dumps(message.blocks or [], ensure_ascii=False),
                        where=f"channel {message.channel}")
    for response in responses:
        check_shown("\n".join(iter_texts(response)), where=f"a reply ({response.get('tag')})")


def sent(door: Door) -> tuple[int, int]:
    with door.slack._lock:
        return len(door.slack.messages), len(door.slack.responses)


def check_log(caplog: pytest.LogCaptureFixture) -> None:
    faults = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not faults, "logged: " + "; ".join(f"{r.levelname} {r.getMessage()}" for r in faults)
