"""`copbot sandbox`: try copbot in a terminal, against an emulated Slack workspace with people in it.

Every line you type becomes what Slack would send the real app (a signed slash command or event),
and what copbot sends back is shown as each person would read it in Slack, times in their own zone.
The clock is the sandbox's own: `wait` moves it forward and runs copbot's scheduler on the way.

The line language::

    as <person>                       type as someone else from now on
    in #<channel>                     move to a channel (`in dm`: your direct messages with copbot)
    who                               the people, their time zones and channels
    /cop <...>                        a slash command, by you, in the current channel
    <person>: /cop <...>              the same, typed by someone else
    say <text>                        a message from you in the current channel
    <person>: <text>                  a message from someone else (`@alice` mentions her)
    <person> reacts :emoji: [to <n>]  react to the latest message here, to message [n], or `to <person>`
                                      (their latest message here)
    <person> unreacts :emoji: [to <n>]
    <person> joins [#channel]         join the current (or the named) channel
    <person> leaves [#channel]
    <person> replies to <n>: <text>   a reply in the thread of message [n] (or `to <person>`)
    <person> clicks "<button>" on <n> press a button on message [n] (a DM too), or `on home`
    <person> opens home               open copbot's Home tab
    fill <field>: <text>              type into the form copbot opened for you (a choice, in a select)
    submit | cancel | form            send the form, close it, or show it again
    wait 2h | wait 1d 3h | wait 45m   move the clock forward; reminders and other jobs run as it goes
    wait until 2026-11-24 14:00 [Europe/London]
                                      move the clock to that instant (in your zone unless you name one)
    /help                             this list
    quit                              leave (end of input does the same)

Lines starting with `#` are comments and blank lines are skipped. `<person>` may be left out of
`reacts`, `unreacts`, `joins`, `leaves`, `replies`, `clicks` and `opens` to mean you. Links typed as
`https://...` reach copbot as Slack sends them, `<https://...>`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.app import build_services, create_app
from bot.clock import Clock
from bot.migrate import upgrade
from bot.outbox import Limits
from bot.sandbox.forms import Form, FormError
from bot.sandbox.render import DAY_NAMES, MONTH_NAMES, Viewer, render_message, render_mrkdwn
from bot.sandbox.requests import RequestFactory, SignedRequest
from bot.sandbox.slack_emulator import PostedMessage, SlackEmulator, Validator
from bot.services import Services
from bot.settings import SettingsError, load_settings
from scheduler.runner import run_tick

# The story starts on a Monday morning, so "tue 3pm" and friends read the same on every run.
SCRIPT_START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
# The scheduler runs every minute in production; every quarter of an hour is close enough to
# show reminders near their time while keeping a `wait 1d` quick.
TICK_STEP = dt.timedelta(minutes=15)
MAX_WAIT = dt.timedelta(days=31)
BODY_INDENT = " " * 6

HELP = """\
Who and where
  as <person>                        type as someone else from now on
  in #<channel>                      move to a channel; `in dm` is your direct messages with copbot
  who                                the people, their time zones and channels
Doing things
  /cop <...>                         a slash command, typed by you in the current channel
  <person>: /cop <...>               the same, typed by someone else
  say <text>                         a message from you in the current channel
  <person>: <text>                   a message from someone else; `@alice` mentions her
  <person> reacts :emoji: [to <n>]   react to the latest message here, to message [n],
                                     or `to <person>` for that person's latest message here
  <person> unreacts :emoji: [to <n>] take a reaction back
  <person> joins [#channel]          join the current channel, or the one named
  <person> leaves [#channel]         leave it
  <person> replies to <n>: <text>    a reply in the thread of message [n], or `to <person>`
  <person> clicks "<button>" on <n>  press a button on message [n], a DM's too (I'm here, RSVP,
                                     Take it...), or `on home` for one on the Home tab
  <person> opens home                open copbot's Home tab, as that person sees it
  (leave out <person> in reacts, unreacts, joins, leaves, replies, clicks and opens to mean yourself)
Forms (copbot opens one for `/cop meeting schedule` alone, an Edit button...)
  fill <field>: <text>               type into a field of your open form, by the start of its label;
                                     in a list of choices, name the choice
  submit  |  cancel  |  form         send the form, close it, or show it again
Time
  wait 2h  |  wait 1d 3h  |  wait 45m
                                     move the clock forward; copbot's scheduler runs as it goes
  wait until 2026-11-24 14:00 [Europe/London]
                                     move the clock to that moment (your zone unless you name one)
Other
  # ...                              a comment
  /help                              this list
  quit                               leave the sandbox"""


@dataclass(frozen=True)
class SandboxPerson:
    handle: str
    user_id: str
    real_name: str
    tz: str
    is_admin: bool = False


@dataclass(frozen=True)
class SandboxChannel:
    name: str
    channel_id: str
    creator: str
    members: tuple[str, ...]
    bot_is_member: bool


PEOPLE = (
    SandboxPerson("alice", "U0ALICE", "Alice Moreau", "Europe/London", is_admin=True),
    SandboxPerson("bob", "U0BOB", "Bob Okafor", "America/New_York"),
    SandboxPerson("chandra", "U0CHANDRA", "Chandra Iyer", "Asia/Kolkata"),
    SandboxPerson("dana", "U0DANA", "Dana Weber", "Europe/Berlin"),
    SandboxPerson("eve", "U0EVE", "Eve Santos", "America/Los_Angeles"),
)
CHANNELS = (
    SandboxChannel("devops", "C0DEVOPS", "alice", ("alice", "bob", "chandra", "dana"), bot_is_member=True),
    SandboxChannel("random", "C0RANDOM", "dana", ("alice", "bob", "chandra", "dana", "eve"), bot_is_member=False),
)
DM = "dm"  # the current "channel" when typing in the direct messages with copbot


class LineError(Exception):
    """A line the sandbox can't act on; the message says what to type instead."""


@dataclass
class Outcome:
    """What one line did, for callers that want more than the printed text (tests)."""

    ok: bool = True
    error: str | None = None
    messages: list[PostedMessage] = field(default_factory=list)


class _LogCollector(logging.Handler):
    """Keeps copbot's warnings so they can be shown next to the line that caused them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def format_clock(instant: dt.datetime) -> str:
    utc = instant.astimezone(dt.UTC)
    return f"{DAY_NAMES[utc.weekday()]} {utc.day} {MONTH_NAMES[utc.month - 1]} {utc:%H:%M} UTC"


_SPAN_UNITS = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_SPAN_PART = re.compile(r"(\d+)\s*(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)(?![a-z])")


def parse_span(text: str) -> dt.timedelta | None:
    """`2h`, `1d 3h`, `45m`, `1 day and 2 hours` -> a timedelta; None if that is not what it is."""
    cleaned = re.sub(r"\band\b|,", " ", text.lower()).strip()
    if not cleaned:
        return None
    minutes, position = 0, 0
    for match in _SPAN_PART.finditer(cleaned):
        if cleaned[position:match.start()].strip():
            return None
        minutes += int(match.group(1)) * _SPAN_UNITS[match.group(2)[0]]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        return None
    return dt.timedelta(minutes=minutes)


_ISO_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})")
_EMOJI = re.compile(r":?([a-z0-9_+'-]+(?:::skin-tone-\d)?):?")
_VERBS = frozenset({"react", "reacts", "unreact", "unreacts", "join", "joins", "leave", "leaves", "reply", "replies",
                    "click", "clicks", "open", "opens"})
# What Slack turns into a link when typed: a web address, without the punctuation that ends a sentence.
_URL = re.compile(r"(?<![<|\w])(https?://[^\s<>|]*[^\s<>|.,;:!?)\]'\"])")
HOME = "home"
_REPLY = re.compile(r"(?:to\s+)?(?P<target>\S+?)\s*:\s*(?P<text>\S.*)", re.S)
_CLICK = re.compile(r"[\"“](?P<label>[^\"”]+)[\"”](?:\s+on\s+(?P<target>\S+))?")
_TARGET = re.compile(r"(?:message\s+)?\[?(\d+)\]?")


class Sandbox:
    """An emulated workspace with copbot installed in it, driven one line at a time."""

    def __init__(self, *, database_url: str | None = None, start: dt.datetime | None = None,
                 out: TextIO | None = None, validator: Validator | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        start = start or dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        self.clock = Clock(start)
        self._database_url = database_url
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self.people = {p.handle: p for p in PEOPLE}
        self._by_id = {p.user_id: p for p in PEOPLE}
        self.channels = {c.name: c for c in CHANNELS}
        self._channel_names = {c.channel_id: c.name for c in CHANNELS}
        self.current = "alice"
        self.channel = "devops"
        # The emulator stamps messages with the sandbox clock, so a reminder's ts is when it was due.
        self.emulator = SlackEmulator(clock=lambda: self.clock.now().timestamp(), validator=validator)
        self.factory: RequestFactory | None = None
        self.services: Services | None = None
        self.app: App | None = None
        self._logs = _LogCollector()
        self._shown = 0
        self._numbers: dict[tuple[str, str], int] = {}
        self._numbered: list[PostedMessage] = []
        self._snapshots: dict[tuple[str, str], str] = {}
        self._reactions: set[tuple[str, str, str, str]] = set()
        self._commands = 0
        # The form copbot opened for each person, until they submit or cancel it.
        self._forms: dict[str, Form] = {}

    # ------------------------------------------------------------------ life cycle

    def open(self) -> Sandbox:
        """Start the emulated Slack, prepare the database and build the real app against both."""
        try:
            return self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> Sandbox:
        self.emulator.start()
        self._seed()
        if self._database_url is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="copbot-sandbox-")
            self._database_url = f"sqlite:///{Path(self._tempdir.name) / 'sandbox.db'}"
        secret = secrets.token_hex(16)
        settings = load_settings(
            _env_file=None, slack_bot_token="xoxb-sandbox-" + secrets.token_hex(8), slack_signing_secret=secret,
            slack_api_url=self.emulator.base_url, database_url=self._database_url,
            # The sandbox is its own workspace: nothing from the operator's environment leaks in.
            slack_app_token=None, copbot_admins="", log_level="WARNING",
        )
        upgrade(settings.database_url)
        # Synchronous processing: each line's effects (and what they post) are finished before the next line.
        self.services = build_services(settings, clock=self.clock, limits=Limits.unpaced(), inline=True)
        self.app = create_app(self.services)
        self.factory = RequestFactory(signing_secret=secret, team_id=self.emulator.team_id,
                                      team_domain=self.emulator.team_domain, api_app_id=self.emulator.app_id,
                                      bot_user_id=self.emulator.bot_user_id,
                                      clock=lambda: self.clock.now().timestamp())
        logging.getLogger().addHandler(self._logs)
        return self

    def close(self) -> None:
        logging.getLogger().removeHandler(self._logs)
        self.emulator.stop()
        if self.services is not None:
            self.services.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> Sandbox:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _seed(self) -> None:
        for person in PEOPLE:
            self.emulator.add_user(person.user_id, person.handle, real_name=person.real_name,
                                   display_name=person.handle, tz=person.tz, is_admin=person.is_admin)
        for channel in CHANNELS:
            members = [self.people[h].user_id for h in channel.members]
            if channel.bot_is_member:
                members.append(self.emulator.bot_user_id)
            self.emulator.add_channel(channel.channel_id, channel.name, creator=self.people[channel.creator].user_id,
                                      members=members)

    # ------------------------------------------------------------------ driving

    @property
    def prompt(self) -> str:
        where = "DM with copbot" if self.channel == DM else f"#{self.channel}"
        return f"[{format_clock(self.clock.now())}] {self.current} in {where}> "

    def banner(self) -> str:
        people = ", ".join(f"{p.handle} ({p.tz})" for p in PEOPLE)
        channels = ", ".join(
            f"#{c.name} ({'copbot is in it' if c.bot_is_member else 'without copbot'})" for c in CHANNELS)
        return (f"copbot sandbox: an emulated Slack workspace with copbot installed.\n"
                f"People: {people}.\nChannels: {channels}.\n"
                f"Clock: {format_clock(self.clock.now())}. Type /help for what you can do.")

    def run_line(self, line: str) -> Outcome:
        """Act on one line and print what copbot did; a bad line prints why and changes nothing."""
        outcome = Outcome()
        first = self._shown
        self._logs.records.clear()
        text = line.strip()
        try:
            self._act(text)
        except LineError as error:
            outcome.ok, outcome.error = False, str(error)
            self._say(f"✗ {error}")
        self._show_new()
        # A wait shows messages tick by tick; the outcome lists all of them.
        outcome.messages = list(self.emulator.messages[first:self._shown])
        self._show_logs()
        return outcome

    def run_script(self, lines: Iterable[str]) -> int:
        """Echo and run each line; 0 if every line was understood, else 1 (after running the rest)."""
        self._print(self.banner())
        failures = 0
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped:
                self._print("")
                continue
            if stripped.startswith("#"):
                self._print(line)
                continue
            self._print(self.prompt + stripped)
            if _is_quit(stripped):
                break
            outcome = self.run_line(stripped)
            if not outcome.ok:
                failures += 1
                self._say(f"(line {number} of the script)")
        if failures:
            self._print(f"\n{failures} line(s) of the script could not be run.")
        return 1 if failures else 0

    def interact(self, stdin: TextIO | None = None) -> int:
        """Read lines until end of input or `quit`."""
        source = stdin if stdin is not None else sys.stdin
        interactive = source.isatty()
        if interactive:
            try:
                import readline  # noqa: F401  (line editing and history for input())
            except ImportError:
                pass
        self._print(self.banner())
        while True:
            try:
                if interactive:
                    line = input(self.prompt)
                else:
                    self._print(self.prompt, end="")
                    line = source.readline()
                    if not line:
                        self._print("")
                        return 0
                    self._print(line.rstrip("\n"))
            except EOFError:
                self._print("")
                return 0
            except KeyboardInterrupt:
                self._print("")
                return 130
            stripped = line.strip()
            if _is_quit(stripped):
                return 0
            if stripped and not stripped.startswith("#"):
                self.run_line(stripped)

    # ------------------------------------------------------------------ the line language

    def _act(self, text: str) -> None:
        if not text or text.startswith("#"):
            return
        first, _, rest = text.partition(" ")
        word = first.lower()
        rest = rest.strip()
        if word in ("/help", "help", "?"):
            self._print(HELP)
        elif word == "who":
            self._who()
        elif word == "as":
            self.current = self._person(rest).handle
        elif word == "in":
            self._switch_channel(rest)
        elif word == "say":
            if not rest:
                raise LineError("Say what? e.g. `say Has anyone tried OpenTofu?`")
            self._message(self.current, rest)
        elif word == "wait":
            self._wait(rest)
        elif word in ("fill", "submit", "cancel", "form"):
            self._form_line(word, rest)
        elif text.startswith("/"):
            self._slash(self.current, text)
        elif word in _VERBS:
            self._verb(self.current, word, rest)
        elif (match := re.match(r"([A-Za-z][\w.-]*):(?:\s+(.*))?$", text)) is not None:
            who, said = self._person(match.group(1)).handle, (match.group(2) or "").strip()
            if not said:
                raise LineError(f"{who} says nothing. Try `{who}: hello` or `{who}: /cop help`.")
            if said.startswith("/"):
                self._slash(who, said)
            else:
                self._message(who, said)
        elif len(words := text.split(None, 2)) >= 2 and words[1].lower() in _VERBS:
            self._verb(self._person(words[0]).handle, words[1].lower(), words[2] if len(words) > 2 else "")
        else:
            raise LineError(f"I don't understand “{text}”. A slash command starts with `/`, a message is "
                            "`say <text>` or `<person>: <text>`; /help lists everything.")

    def _verb(self, who: str, verb: str, rest: str) -> None:
        if verb.startswith("repl"):
            self._reply(who, rest)
        elif verb.startswith("click"):
            self._click(who, rest)
        elif verb.startswith("open"):
            if rest.strip().lower() not in (HOME, "the home tab", "home tab"):
                raise LineError(f"Only the Home tab opens that way: `{who} opens home`.")
            self._open_home(who)
        elif verb.startswith("unreact"):
            self._react(who, rest, removed=True)
        elif verb.startswith("react"):
            self._react(who, rest, removed=False)
        elif verb.startswith("join"):
            self._membership(who, rest, joining=True)
        else:
            self._membership(who, rest, joining=False)

    def _person(self, name: str) -> SandboxPerson:
        handle = name.strip().lstrip("@").lower()
        if handle in self.people:
            return self.people[handle]
        names = ", ".join(self.people)
        if not handle:
            raise LineError(f"Say who, e.g. `as bob`. People here: {names}.")
        raise LineError(f"There is nobody called “{name.strip()}” here. People: {names} (`who` shows their zones).")

    def _channel_named(self, name: str) -> SandboxChannel:
        cleaned = name.strip().lstrip("#").lower()
        if cleaned in self.channels:
            return self.channels[cleaned]
        names = ", ".join(f"#{c}" for c in self.channels)
        if not cleaned:
            raise LineError(f"Say which channel, e.g. `in #devops`. Channels: {names}.")
        raise LineError(f"There is no channel #{cleaned}. Channels: {names}.")

    def _switch_channel(self, name: str) -> None:
        if name.strip().lower() in (DM, "dms", "@copbot", "copbot"):
            self.channel = DM
            return
        self.channel = self._channel_named(name).name

    def _channel_id(self, who: str) -> str:
        """The current conversation's id, as `who` sees it (a DM is different for each person)."""
        if self.channel == DM:
            return self.emulator.dm_channel(self.people[who].user_id)
        return self.channels[self.channel].channel_id

    def _require_member(self, who: str, channel_id: str) -> None:
        # Slack only lets people type in channels they are in.
        if channel_id.startswith("D"):
            return
        if self.people[who].user_id not in self.emulator.members_of(channel_id):
            name = self._channel_names[channel_id]
            raise LineError(f"{who} is not in #{name}; `{who} joins #{name}` first.")

    # ------------------------------------------------------------------ what people do

    def _slash(self, who: str, text: str) -> None:
        command, _, arguments = text.partition(" ")
        if not re.fullmatch(r"/[a-z][\w-]*", command):
            raise LineError(f"“{command}” is not a slash command; try `/cop help`.")
        channel_id = self._channel_id(who)
        self._require_member(who, channel_id)
        person = self.people[who]
        self._commands += 1
        response_url = self.emulator.response_url(f"command-{self._commands}", channel=channel_id,
                                                  user=person.user_id)
        request = self._factory().slash_command(
            user_id=person.user_id, user_name=person.handle, channel_id=channel_id,
            channel_name="directmessage" if channel_id.startswith("D") else self._channel_names[channel_id],
            text=self._as_slack_text(arguments.strip(), command=True), response_url=response_url, command=command)
        if self._send_as(who, request).status == 404:
            # Bolt answers 404 to a command nobody listens for; its own warning would only repeat that.
            self._logs.records = [r for r in self._logs.records if not r.name.startswith("slack_bolt")]
            raise LineError(f"copbot has no {command} command here; try `/cop help`.")

    def _message(self, who: str, text: str) -> None:
        channel_id = self._channel_id(who)
        self._require_member(who, channel_id)
        person = self.people[who]
        slack_text = self._as_slack_text(text)
        ts = self.emulator.post_as_user(person.user_id, channel_id, slack_text)
        event = self._factory().message(user=person.user_id, channel=channel_id, text=slack_text, ts=ts)
        if channel_id.startswith("D"):
            event["channel_type"] = "im"
        self._send_event(event)

    def _reply(self, who: str, rest: str) -> None:
        match = _REPLY.fullmatch(rest.strip())
        if match is None:
            raise LineError(f"Say which message and what, e.g. `{who} replies to 7: action: write the runbook`.")
        message = self._reaction_target(who, match["target"])
        self._require_member(who, message.channel)
        person = self.people[who]
        thread_ts = message.thread_ts or message.ts
        slack_text = self._as_slack_text(match["text"].strip())
        self._say(f"{who} replied in the thread of {self._describe_message(message)}")
        ts = self.emulator.post_as_user(person.user_id, message.channel, slack_text, thread_ts=thread_ts)
        self._send_event(self._factory().message(user=person.user_id, channel=message.channel, text=slack_text,
                                                 ts=ts, thread_ts=thread_ts))

    def _click(self, who: str, rest: str) -> None:
        match = _CLICK.fullmatch(rest.strip())
        if match is None:
            raise LineError(f"Say which button, in quotes, e.g. `{who} clicks \"I'm here\" on 12`.")
        if (match["target"] or "").lower() == HOME:
            self._click_home(who, match["label"])
            return
        person = self.people[who]
        message = self._reaction_target(who, match["target"])
        seen_by = message.ephemeral_to or (self._dm_user(message.channel) if message.channel.startswith("D") else None)
        if seen_by is not None and seen_by != person.user_id:
            raise LineError(f"Only {self._author(seen_by)} sees {self._describe_message(message)}; "
                            f"`{self._author(seen_by)} clicks ...` presses its buttons.")
        button = self._button(message.blocks, match["label"], self._describe_message(message))
        self._commands += 1
        response_url = self.emulator.response_url(f"click-{self._commands}", channel=message.channel,
                                                  user=person.user_id, message_ts=message.ts)
        request = self._factory().block_action(
            user_id=person.user_id, user_name=who, action_id=button["action_id"], value=button.get("value", ""),
            channel_id=message.channel, message_ts=message.ts, response_url=response_url,
            is_ephemeral=message.ephemeral_to is not None, text=button.get("text", {}).get("text", ""))
        self._say(f"{who} clicked “{button.get('text', {}).get('text', '')}” on {self._describe_message(message)}")
        self._send_as(who, request)

    def _button(self, blocks: list[dict[str, Any]] | None, label: str, where: str) -> dict[str, Any]:
        """The button whose label starts with `label`, in a message's or a view's blocks."""
        buttons = [element for block in blocks or []
                   for element in [*(block.get("elements") or []), block.get("accessory")]
                   if isinstance(element, dict) and element.get("type") == "button"]
        wanted = label.strip().lower()
        found = [b for b in buttons if b.get("text", {}).get("text", "").lower().startswith(wanted)]
        if not found:
            names = ", ".join(f"“{b.get('text', {}).get('text', '')}”" for b in buttons) or "none"
            raise LineError(f"{where} has no button “{label}”; its buttons: {names}.")
        return found[0]

    # ------------------------------------------------------------------ the Home tab

    def _home_view(self, who: str) -> dict[str, Any] | None:
        view_id = self.emulator.home_tabs.get(self.people[who].user_id)
        return self.emulator.views.get(view_id) if view_id else None

    def _open_home(self, who: str) -> None:
        before = self._home_view(who)
        self._say(f"{who} opened copbot's Home tab")
        self._send_event(self._factory().app_home_opened(user=self.people[who].user_id))
        self._show_home(who, before)

    def _show_home(self, who: str, before: dict[str, Any] | None, *, only_if_changed: bool = False) -> None:
        view = self._home_view(who)
        if view is None:
            self._say("(copbot has drawn nothing there)")
            return
        if only_if_changed and before is not None and before.get("hash") == view.get("hash"):
            return
        self._say(f"copbot's Home tab, as @{who} sees it:")
        for line in render_message("", view.get("blocks"), self._viewer(who)).splitlines():
            self._print(BODY_INDENT + line if line.strip() else "")

    def _click_home(self, who: str, label: str) -> None:
        view = self._home_view(who)
        if view is None:
            raise LineError(f"{who} hasn't opened the Home tab yet: `{who} opens home` first.")
        button = self._button(view.get("blocks"), label, "The Home tab")
        request = self._factory().block_action(
            user_id=self.people[who].user_id, user_name=who, action_id=button["action_id"],
            value=button.get("value", ""), view_id=view["id"], text=button.get("text", {}).get("text", ""))
        self._say(f"{who} clicked “{button.get('text', {}).get('text', '')}” on the Home tab")
        self._send_as(who, request)
        self._show_home(who, view, only_if_changed=True)

    # ------------------------------------------------------------------ forms

    def _send_as(self, who: str, request: SignedRequest) -> BoltResponse:
        """Send a request `who` made; a form copbot opens in answer is shown to them, theirs to fill in."""
        opened = len(self.emulator.calls_to("views.open"))
        response = self._dispatch(request.text, request.headers)
        self._show_opened_form(who, opened)
        return response

    def _show_opened_form(self, who: str, before: int) -> None:
        """A form copbot opened in answer to what `who` did: shown, and theirs to fill in until sent."""
        if len(self.emulator.calls_to("views.open")) == before:
            return
        modals = [v for v in self.emulator.views.values() if v.get("type") == "modal"]
        if not modals:
            return
        self._forms[who] = Form(modals[-1])
        self._show_form(who, opened=True)

    def _show_form(self, who: str, *, opened: bool = False) -> None:
        form = self._forms[who]
        self._say(f"copbot {'opened' if opened else 'has'} a form for @{who}: “{form.title}”")
        for line in render_message("", [b for b in form.view.get("blocks") or [] if b.get("type") != "input"],
                                   self._viewer(who)).splitlines():
            self._print(BODY_INDENT + line if line.strip() else "")
        for line in form.describe():
            self._print(BODY_INDENT + line)
        self._print(BODY_INDENT + f"(`fill <field>: <text>`, then `submit` to press “{form.submit_label}”, "
                                  "or `cancel`)")

    def _form_line(self, word: str, rest: str) -> None:
        who = self.current
        form = self._forms.get(who)
        if form is None:
            raise LineError(f"{who} has no form open; copbot opens one for `/cop meeting schedule` alone, for "
                            "example.")
        if word == "form":
            self._show_form(who)
        elif word == "cancel":
            del self._forms[who]
            self._say(f"{who} closed the form “{form.title}”")
        elif word == "fill":
            name, colon, value = rest.partition(":")
            if not colon or not name.strip():
                raise LineError("Say which field and what, e.g. `fill title: Kick-off`.")
            try:
                label = form.fill(name, value)
            except FormError as error:
                raise LineError(str(error)) from None
            self._say(f"{who} filled “{label}”")
        else:
            self._submit(who, form)

    def _submit(self, who: str, form: Form) -> None:
        view = form.view
        request = self._factory().view_submission(
            user_id=self.people[who].user_id, user_name=who, callback_id=str(view.get("callback_id", "")),
            values=form.state_values(), private_metadata=str(view.get("private_metadata", "")),
            view_id=str(view.get("id")), blocks=list(view.get("blocks") or []), title=form.title)
        self._say(f"{who} pressed “{form.submit_label}” on the form “{form.title}”")
        response = self._dispatch(request.text, request.headers)
        try:
            answer = json.loads(response.body or "{}")
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("response_action") == "errors":
            labels = {str(b.get("block_id")): b.get("label", {}).get("text", "") for b in form.inputs()}
            for block_id, error in (answer.get("errors") or {}).items():
                self._say(f"✗ {labels.get(block_id, block_id)}: {error}")
            self._say("(the form is still open: `fill` what it says, then `submit` again)")
            return
        del self._forms[who]

    def _as_slack_text(self, text: str, *, command: bool = False) -> str:
        """What Slack delivers for typed text: &, <, > escaped, web addresses made links and @names mentions.

        A slash command declared with `should_escape` gets mentions with the name, `<@U123|ann>`.
        """
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def person(match: re.Match[str]) -> str:
            found = self.people.get(match.group(1).lower())
            if found is None:
                return match.group(0)
            return f"<@{found.user_id}|{found.handle}>" if command else f"<@{found.user_id}>"

        def channel(match: re.Match[str]) -> str:
            found = self.channels.get(match.group(1).lower())
            return f"<#{found.channel_id}|{found.name}>" if found else match.group(0)

        escaped = _URL.sub(r"<\1>", escaped)
        escaped = re.sub(r"(?<![\w@/])@([A-Za-z][\w.-]*)", person, escaped)
        escaped = re.sub(r"(?<![\w&])#([a-z][\w-]*)", channel, escaped)
        return re.sub(r"(?<![\w@])@(here|channel|everyone)\b", r"<!\1>", escaped)

    def _react(self, who: str, rest: str, *, removed: bool) -> None:
        verb = "unreacts" if removed else "reacts"
        parts = re.split(r"\s+to\s+", rest.strip(), maxsplit=1)
        emoji_text = parts[0].strip()
        target_text = parts[1].strip() if len(parts) > 1 else None
        emoji = _EMOJI.fullmatch(emoji_text.lower()) if emoji_text else None
        if emoji is None:
            raise LineError(f"Say which reaction, e.g. `{who} {verb} :tada:` or `{who} {verb} :tada: to 3`.")
        name = emoji.group(1)
        message = self._reaction_target(who, target_text)
        self._require_member(who, message.channel)
        person = self.people[who]
        key = (message.channel, message.ts, person.user_id, name)
        label = self._describe_message(message)
        if removed and key not in self._reactions:
            raise LineError(f"{who} has no :{name}: on {label} to take back.")
        if not removed and key in self._reactions:
            raise LineError(f"{who} already reacted :{name}: to {label}.")
        if removed:
            self._reactions.discard(key)
            if name in message.reactions and not any(k[:2] == key[:2] and k[3] == name for k in self._reactions):
                message.reactions.remove(name)
        else:
            self._reactions.add(key)
            if name not in message.reactions:
                message.reactions.append(name)
        event = self._factory().reaction(user=person.user_id, reaction=name, channel=message.channel, ts=message.ts,
                                         item_user=message.user, removed=removed)
        self._say(f"{who} {'took back' if removed else 'reacted'} :{name}: {'on' if removed else 'to'} {label}")
        self._send_event(event)

    def _reaction_target(self, who: str, target: str | None) -> PostedMessage:
        channel_id = self._channel_id(who)
        if target is None:
            here = [m for m in self._numbered if m.channel == channel_id and not m.deleted and m.ephemeral_to is None]
            if not here:
                raise LineError(f"Nothing has been said in {self._where(channel_id)} yet, so there is nothing "
                                "to react to.")
            return here[-1]
        if target.strip().lstrip("@").lower() == "copbot":
            # copbot's latest message here that starts something (a thread, a reminder): not a reply in a thread.
            mine = [m for m in self._numbered if m.channel == channel_id and not m.deleted
                    and m.user == self.emulator.bot_user_id and not m.thread_ts and m.ephemeral_to is None]
            if not mine:
                raise LineError(f"copbot hasn't posted in {self._where(channel_id)} yet.")
            return mine[-1]
        number = _TARGET.fullmatch(target)
        if number is not None:
            index = int(number.group(1))
            if not 1 <= index <= len(self._numbered) or self._numbered[index - 1].deleted:
                raise LineError(f"There is no message [{index}]; use a number shown in square brackets.")
            return self._numbered[index - 1]
        author = self._person(target)
        theirs = [m for m in self._numbered
                  if m.channel == channel_id and m.user == author.user_id and not m.deleted]
        if not theirs:
            raise LineError(f"{author.handle} hasn't said anything in {self._where(channel_id)} yet.")
        return theirs[-1]

    def _membership(self, who: str, rest: str, *, joining: bool) -> None:
        if rest.strip():
            channel = self._channel_named(rest)
        elif self.channel == DM:
            raise LineError("Name the channel, e.g. `eve joins #devops`: nobody joins a DM.")
        else:
            channel = self.channels[self.channel]
        person = self.people[who]
        members = self.emulator.members_of(channel.channel_id)
        if joining and person.user_id in members:
            raise LineError(f"{who} is already in #{channel.name}.")
        if not joining and person.user_id not in members:
            raise LineError(f"{who} is not in #{channel.name}.")
        factory = self._factory()
        if joining:
            self.emulator.join(channel.channel_id, person.user_id)
            event = factory.member_joined(user=person.user_id, channel=channel.channel_id)
        else:
            self.emulator.leave(channel.channel_id, person.user_id)
            event = factory.member_left(user=person.user_id, channel=channel.channel_id)
        self._say(f"{who} {'joined' if joining else 'left'} #{channel.name}")
        self._send_event(event)

    def _wait(self, rest: str) -> None:
        now = self.clock.now()
        if rest.lower().startswith("until"):
            target = self._instant(rest[len("until"):].strip())
        else:
            span = parse_span(rest)
            if span is None or not span:
                raise LineError(f"I can't read “{rest}” as a length of time. Try `wait 2h`, `wait 1d 3h`, "
                                "`wait 45m` or `wait until 2026-11-24 14:00`.")
            target = now + span
        if target <= now:
            raise LineError(f"The clock only moves forward, and it is already {format_clock(now)}.")
        if target - now > MAX_WAIT:
            raise LineError("Wait at most 31 days at a time.")
        self._say(f"⏩ {format_clock(now)} → {format_clock(target)}")
        shown_before = self._shown
        self._advance_to(target)
        if len(self.emulator.messages) == shown_before:
            self._say("(copbot had nothing to say meanwhile)")

    def _instant(self, text: str) -> dt.datetime:
        words = text.split()
        zone_name = self.people[self.current].tz
        if words and ("/" in words[-1] or words[-1].upper() in ("UTC", "GMT")):
            zone_name = "UTC" if words[-1].upper() in ("UTC", "GMT") else words[-1]
            words = words[:-1]
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise LineError(f"“{zone_name}” is not a time zone; use a name such as Europe/London.") from None
        match = _ISO_INSTANT.fullmatch(" ".join(words))
        if match is not None:
            try:
                local = dt.datetime.fromisoformat(f"{match.group(1)} {match.group(2).zfill(5)}")
            except ValueError:
                raise LineError(f"“{' '.join(words)}” is not a real date and time.") from None
            return local.replace(tzinfo=zone).astimezone(dt.UTC)
        # Anything else is read the way copbot reads `<when>`: "tomorrow 9am", "thu 15:00"...
        from models.when import WhenError, parse_when

        try:
            return parse_when(" ".join(words), tz=zone_name, now=self.clock.now())
        except WhenError as error:
            raise LineError(f"{error} (The clock is at {format_clock(self.clock.now())}.)") from None

    def _advance_to(self, target: dt.datetime) -> None:
        """Run the scheduler at each quarter hour on the way to target, then at target itself."""
        now = self.clock.now()
        step = now - dt.timedelta(minutes=now.minute % 15, seconds=now.second,
                                  microseconds=now.microsecond) + TICK_STEP
        instants = []
        while step < target:
            instants.append(step)
            step += TICK_STEP
        instants.append(target)
        for instant in instants:
            self.clock.set(instant)
            try:
                run_tick(self._services(), now=instant)
            except Exception as error:  # a failing job is shown, and the sandbox goes on like the scheduler would
                self._say(f"! the scheduler failed at {format_clock(instant)}: {type(error).__name__}: {error}")
            # Show what each tick sent as it happens, so the times beside them make sense.
            self._show_new(at=instant)

    # ------------------------------------------------------------------ into the app

    def _factory(self) -> RequestFactory:
        if self.factory is None:
            raise RuntimeError("the sandbox is not open")
        return self.factory

    def _services(self) -> Services:
        if self.services is None:
            raise RuntimeError("the sandbox is not open")
        return self.services

    def _send_event(self, event: dict[str, Any]) -> None:
        # A unique id per event: a reused database must not take a new event for a retry of an old one.
        request = self._factory().event(event, event_id=f"Ev{secrets.token_hex(6).upper()}")
        self._dispatch(request.text, request.headers)

    def _dispatch(self, body: str, headers: dict[str, str]) -> BoltResponse:
        if self.app is None:
            raise RuntimeError("the sandbox is not open")
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        # A 5xx is not reported here: with process_before_response Bolt answers 500 whenever a
        # listener raises, even for a person's mistake that was already answered; a real fault is
        # logged by copbot's error handler and shown with the logs.
        if response.status == 401:
            self._say("! copbot refused the request's signature (a sandbox fault, not yours)")
        return response

    # ------------------------------------------------------------------ showing what happened

    def _print(self, text: str = "", end: str = "\n") -> None:
        self.out.write(text + end)
        self.out.flush()

    def _say(self, text: str) -> None:
        self._print("  " + text)

    def _viewer(self, handle: str) -> Viewer:
        users = {p.user_id: p.handle for p in PEOPLE}
        users[self.emulator.bot_user_id] = "copbot"
        return Viewer(tz=self.people[handle].tz, users=users, channels=self._channel_names, now=self.clock.now())

    def _where(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "the DM with copbot"
        return "#" + self._channel_names.get(channel_id, channel_id)

    def _author(self, user_id: str) -> str:
        if user_id == self.emulator.bot_user_id:
            return "copbot"
        found = self._by_id.get(user_id)
        return found.handle if found else user_id

    def _describe_message(self, message: PostedMessage) -> str:
        number = self._numbers.get((message.channel, message.ts))
        viewer = self._viewer(self.current)
        first_line = render_message(message.text, message.blocks, viewer).splitlines() or [""]
        preview = first_line[0] if len(first_line[0]) <= 40 else first_line[0][:39] + "…"
        return f"[{number}] ({self._author(message.user)}: “{preview}”)"

    def _show_new(self, at: dt.datetime | None = None) -> list[PostedMessage]:
        """Print messages that appeared since the last call, as their readers see them."""
        new = self.emulator.messages[self._shown:]
        self._shown += len(new)
        for message in new:
            self._show(message, at=at)
        self._show_edits()
        return new

    def _number(self, message: PostedMessage) -> int:
        """Give a message the number people type to point at it (to react, reply or press its buttons)."""
        self._numbered.append(message)
        number = len(self._numbered)
        self._numbers[(message.channel, message.ts)] = number
        if message.user == self.emulator.bot_user_id:
            self._snapshots[(message.channel, message.ts)] = _fingerprint(message)
        return number

    def _show(self, message: PostedMessage, *, at: dt.datetime | None) -> None:
        when = f" · {format_clock(at)}" if at is not None else ""
        private_to = message.ephemeral_to
        if private_to is not None:
            reader = self._author(private_to)
            who = "you" if reader == self.current else f"@{reader}"
            number = self._number(message)
            header = f"[{number}] copbot, in {self._where(message.channel)} (only {who} can see this){when}:"
            self._show_body(header, message, reader)
            return
        if message.channel.startswith("D") and message.user != self.emulator.bot_user_id:
            text = render_mrkdwn(message.text, self._viewer(self.current))
            self._say(f"DM with copbot · {self._author(message.user)}: {text}")
            return
        if message.channel.startswith("D"):
            reader = self._dm_reader(message.channel)
            header = f"[{self._number(message)}] copbot → DM to @{reader}{when}:"
            self._show_body(header, message, reader)
            return
        number = self._number(message)
        author = self._author(message.user)
        if message.user != self.emulator.bot_user_id:
            # People's messages are one line of text; show them as typed, mentions resolved.
            text = render_mrkdwn(message.text, self._viewer(self.current))
            self._say(f"[{number}] {self._where(message.channel)} · {author}: {text}")
            return
        header = f"[{number}] {self._where(message.channel)} · {author}{when}:"
        self._show_body(header, message, self.current)

    def _show_body(self, header: str, message: PostedMessage, reader: str) -> None:
        self._say(header)
        viewer = self._viewer(reader) if reader in self.people else self._viewer(self.current)
        for line in render_message(message.text, message.blocks, viewer).splitlines():
            self._print(BODY_INDENT + line if line.strip() else "")

    def _show_edits(self) -> None:
        for message in self._numbered:
            key = (message.channel, message.ts)
            before = self._snapshots.get(key)
            if before is None:
                continue
            number = self._numbers[key]
            if message.deleted:
                self._say(f"[{number}] {self._where(message.channel)} · copbot deleted this message")
                del self._snapshots[key]
            elif _fingerprint(message) != before:
                self._snapshots[key] = _fingerprint(message)
                self._show_body(f"[{number}] {self._where(message.channel)} · copbot edited it to:", message,
                                self.current)

    def _dm_reader(self, channel_id: str) -> str:
        return self._author(self._dm_user(channel_id))

    @staticmethod
    def _dm_user(channel_id: str) -> str:
        """Whose DM with copbot a D channel is (the emulator names it after them)."""
        return "U" + channel_id[1:]

    def _show_logs(self) -> None:
        for record in self._logs.records:
            detail = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                detail += f" ({type(error).__name__}: {error})"
            self._say(f"! copbot logged {record.levelname.lower()}: {detail}")
        self._logs.records.clear()

    # ------------------------------------------------------------------ who

    def _who(self) -> None:
        now = self.clock.now()
        for person in PEOPLE:
            local = now.astimezone(ZoneInfo(person.tz))
            channels = [f"#{c.name}" for c in CHANNELS
                        if person.user_id in self.emulator.members_of(c.channel_id)]
            notes = ["workspace admin"] if person.is_admin else []
            notes.append("in " + ", ".join(channels) if channels else "in no channel")
            marker = "*" if person.handle == self.current else " "
            self._say(f"{marker} {person.handle:<8} {person.real_name:<14} {person.tz:<20} "
                      f"{DAY_NAMES[local.weekday()]} {local:%H:%M} there · {' · '.join(notes)}")


def _fingerprint(message: PostedMessage) -> str:
    return json.dumps([message.text, message.blocks], sort_keys=True)


def _is_quit(line: str) -> bool:
    return line.lower() in ("quit", "exit", "/quit", "/exit")


def run_sandbox(script: str | None, database_url: str | None) -> int:
    """`copbot sandbox`: run a script of lines, or read them from the keyboard; returns the exit code."""
    lines: list[str] | None = None
    if script is not None:
        try:
            lines = Path(script).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            print(f"copbot sandbox: can't read {script}: {error.strerror or error}", file=sys.stderr)
            return 2
    sandbox = Sandbox(database_url=database_url, start=SCRIPT_START if lines is not None else None)
    try:
        sandbox.open()
    except SettingsError as error:
        print(f"copbot sandbox: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"copbot sandbox: can't prepare the database {database_url}: {type(error).__name__}: "
              f"{str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    try:
        if lines is not None:
            return sandbox.run_script(lines)
        return sandbox.interact()
    finally:
        sandbox.close()
