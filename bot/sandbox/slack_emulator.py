"""An in-memory Slack workspace answering the Web API over local HTTP, the way slack.com does.

Point a `slack_sdk.WebClient(base_url=emulator.base_url)` at it. Every call is recorded, can be held
against a validator (Slack's published spec), and failures (errors, rate limits, HTTP errors) can be
injected to exercise retries.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

Validator = Callable[[str, dict, dict], list[str]]
MessageKind = Literal["message", "ephemeral", "response"]

SLACKBOT_ID = "USLACKBOT"
# Slack gives bot users and Slackbot this zone.
BOT_TZ = "America/Los_Angeles"

# Block Kit limits Slack enforces on its side (see Slack's Block Kit reference).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_CHARS = 40_000
BLOCK_TEXT_LIMITS = {"section": 3000, "header": 150}
BLOCK_ELEMENT_LIMITS = {"context": 10, "actions": 25}
BUTTON_TEXT_LIMIT = 75
MODAL_TITLE_LIMIT = 24

# Form-encoded bodies carry these as JSON strings (slack_sdk and Slack both do so).
# How often wait_for looks again at a predicate when no request to the emulator has woken it.
RECHECK_EVERY = 0.01  # seconds
JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")
# A status meaning "close the connection without an answer": the call was done, its answer lost on the way.
NO_ANSWER = 0

# zoneinfo only knows abbreviations; Slack shows the long name as tz_label.
TZ_LABELS = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "MSK": "Moscow Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "AKST": "Alaska Standard Time",
    "AKDT": "Alaska Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
    "JST": "Japan Standard Time",
    "KST": "Korea Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "NZST": "New Zealand Standard Time",
    "NZDT": "New Zealand Daylight Time",
    "SAST": "South Africa Standard Time",
}


@dataclass
class ApiCall:
    """One Web API request as the emulator received it."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class PostedMessage:
    """A message in the workspace: posted by the app (message, ephemeral, response_url) or by a person."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    user: str
    ephemeral_to: str | None
    kind: MessageKind
    deleted: bool = False
    reactions: list[str] = field(default_factory=list)
    # An app's message metadata ({"event_type": ..., "event_payload": {...}}), as chat.postMessage was given it.
    metadata: dict[str, Any] | None = None
    # The files a file share's message carries (files.completeUploadExternal with a channel): id, name, title.
    files: list[dict[str, Any]] | None = None


@dataclass
class SharedFile:
    """A file uploaded with files.getUploadURLExternal and the upload URL, then shared by
    files.completeUploadExternal (`channel` is None until then, or when it was completed without one)."""

    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    # The image's description for screen readers (files.getUploadURLExternal's alt_txt).
    alt_txt: str | None = None


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    display_name: str
    tz: str
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    is_app_user: bool = False


@dataclass
class _Channel:
    id: str
    name: str
    creator: str
    created: int
    members: dict[str, None]  # an ordered set
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None
    is_archived: bool = False


@dataclass
class PostLimits:
    """Slack's limits on chat.postMessage, as the emulator enforces them with HTTP 429 and Retry-After:
    about one message a second per channel with short bursts, and a few hundred a minute per workspace."""

    channel_per_second: float = 1.0
    channel_burst: int = 5
    workspace_per_minute: float = 300.0
    workspace_burst: int = 30


class _Bucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, max(1, burst)
        self.tokens, self.at = float(self.burst), time.monotonic()

    def wait(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class _Injection:
    kind: Literal["error", "ratelimit", "http", "lost"]
    error: str = "internal_error"
    retry_after: int = 1
    status: int = 500


class SlackError(Exception):
    """An `ok: false` answer, raised inside a method implementation."""

    def __init__(self, error: str, messages: Iterable[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: SlackEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the caller went away (killed) before its answer: nobody is left to tell
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # name fixed by http.server
        self.server.emulator._handle(self)

    def do_GET(self) -> None:
        self.server.emulator._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        # Requests are recorded in SlackEmulator.calls; stderr noise would only clutter test output.
        return


def _flag(value: Any) -> bool:
    """Read a boolean argument the way Slack does: JSON true, or "true"/"1" in forms and queries."""
    if isinstance(value, str):
        return value.lower() in ("1", "true")
    return bool(value)


def _decode_json_arg(value: Any, error: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise SlackError(error) from None
    return value


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.b64decode(str(cursor)).decode().partition(":")
        if kind == "offset":
            return int(offset)
    except ValueError:
        pass
    raise SlackError("invalid_cursor")


def _paginate(items: list[Any], args: Mapping[str, Any], default_limit: int) -> tuple[list[Any], str]:
    start = _decode_cursor(args.get("cursor"))
    try:
        limit = int(args.get("limit") or default_limit)
    except ValueError:
        raise SlackError("invalid_limit") from None
    if limit <= 0:
        limit = len(items) or 1
    page = items[start : start + limit]
    next_cursor = _encode_cursor(start + limit) if start + limit < len(items) else ""
    return page, next_cursor


def _metadata(value: Any) -> dict[str, Any] | None:
    """chat.postMessage's metadata: an object in a JSON body, its JSON text in a form; event_type is required."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SlackError("invalid_metadata_format") from None
    if not isinstance(value, dict) or not isinstance(value.get("event_type"), str) or not value["event_type"]:
        raise SlackError("invalid_metadata_format")
    if not isinstance(value.get("event_payload", {}), dict):
        raise SlackError("invalid_metadata_format")
    return value


def _text_of(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else ""


def _block_problems(blocks: Any, pointer: str, max_blocks: int) -> list[str]:
    """Check the Block Kit limits Slack rejects with invalid_blocks; messages mimic Slack's."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must provide an array [json-pointer:{pointer}]"]
    problems = []
    if len(blocks) > max_blocks:
        problems.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        here = f"{pointer}/{index}"
        if not isinstance(block, dict) or "type" not in block:
            problems.append(f"[ERROR] missing required field: type [json-pointer:{here}]")
            continue
        kind = block["type"]
        limit = BLOCK_TEXT_LIMITS.get(kind)
        if limit is not None and len(_text_of(block.get("text"))) > limit:
            problems.append(
                f"[ERROR] must be less than {limit + 1} characters [json-pointer:{here}/text/text]"
            )
        limit = BLOCK_ELEMENT_LIMITS.get(kind)
        elements = block.get("elements") or []
        if limit is not None and len(elements) > limit:
            problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{here}/elements]")
        candidates = [(f"{here}/elements/{i}", element) for i, element in enumerate(elements)]
        if "accessory" in block:
            candidates.append((f"{here}/accessory", block["accessory"]))
        for where, element in candidates:
            if isinstance(element, dict) and element.get("type") == "button":
                if len(_text_of(element.get("text"))) > BUTTON_TEXT_LIMIT:
                    problems.append(
                        f"[ERROR] must be less than {BUTTON_TEXT_LIMIT + 1} characters "
                        f"[json-pointer:{where}/text/text]"
                    )
    return problems


def _tz_label(abbreviation: str, offset_seconds: int) -> str:
    if abbreviation in TZ_LABELS:
        return TZ_LABELS[abbreviation]
    sign = "+" if offset_seconds >= 0 else "-"
    hours, rest = divmod(abs(offset_seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


class SlackEmulator:
    """A local Slack workspace: a threaded HTTP server answering Web API calls from memory."""

    def __init__(
        self,
        *,
        team_id: str = "T0COP0001",
        team_domain: str = "copbot-sandbox",
        team_name: str = "CoP Sandbox",
        bot_user_id: str = "U0COPBOT",
        bot_id: str = "B0COPBOT",
        bot_name: str = "copbot",
        app_id: str = "A0COPBOT",
        validator: Validator | None = None,
        clock: Callable[[], float] | None = None,
        latency: float = 0.0,
        post_limits: PostLimits | None = None,
    ) -> None:
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.validator = validator
        self.clock: Callable[[], float] = clock or time.time
        # Seconds every Web API call and response_url post takes to be answered (Slack is 100-300 ms away).
        self.latency = latency
        self.post_limits = post_limits
        # chat.postMessage calls answered 429 because they went over `post_limits`.
        self.throttled = 0

        self.calls: list[ApiCall] = []
        self.messages: list[PostedMessage] = []
        self.responses: list[dict[str, Any]] = []
        self.violations: list[str] = []
        # Views by id (Home tabs and modals), and which view is each user's Home tab.
        self.views: dict[str, dict[str, Any]] = {}
        self.home_tabs: dict[str, str] = {}
        # Files by id, from the upload URL asked for to their sharing.
        self.files: dict[str, SharedFile] = {}

        # One re-entrant lock for all state: the server answers each request on its own thread.
        self._lock = threading.RLock()
        # Told whenever a request has been answered, so that wait_for wakes at once rather than polling.
        self._changed = threading.Condition(self._lock)
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._injections: dict[str, deque[_Injection]] = {}
        # Where each response_url's posts land: (channel, ephemeral reader, ts of the message it came from).
        self._response_targets: dict[str, tuple[str, str | None, str | None]] = {}
        self._last_ts_micros = 0
        self._view_counter = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._channel_buckets: dict[str, _Bucket] = {}
        self._workspace_bucket: _Bucket | None = None
        # Posts to response_urls wait while this is set and not yet opened (see `hold_responses`).
        self._response_gate: threading.Event | None = None

        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "reactions.add": self._reactions_add,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

        self.add_user(bot_user_id, bot_name, real_name=bot_name, tz=BOT_TZ, is_bot=True)
        self.add_user(SLACKBOT_ID, "slackbot", real_name="Slackbot", tz=BOT_TZ)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> SlackEmulator:
        """Serve on 127.0.0.1 at a free port, on a background thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.emulator = self
        self._server = server
        # A short poll interval keeps stop() quick; tests start and stop an emulator each.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="slack-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """Web API base URL; slack_sdk appends the method name to it."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(
        self, tag: str, *, channel: str = "", user: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response_url to put in a payload; posts to it are recorded under tag.

        channel and user say where Slack would show the response (user: who sees it if ephemeral);
        message_ts names the message a button was clicked in, which `replace_original` and
        `delete_original` then act on, as they do for interactive messages in Slack.
        """
        with self._lock:
            self._response_targets[tag] = (channel, user, message_ts)
        return f"http://127.0.0.1:{self.port}/response/{tag}"

    # ----------------------------------------------------------------- workspace set-up

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "Europe/London",
        is_bot: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        is_app_user: bool = False,
    ) -> None:
        """Add (or replace) a member of the workspace."""
        ZoneInfo(tz)  # fail now on a misspelt zone rather than on the first users.info
        user = _User(
            id=user_id,
            name=name,
            real_name=real_name if real_name is not None else name,
            display_name=display_name if display_name is not None else name,
            tz=tz,
            is_bot=is_bot,
            is_admin=is_admin,
            is_owner=is_owner,
            deleted=deleted,
            is_restricted=is_restricted,
            is_ultra_restricted=is_ultra_restricted,
            is_app_user=is_app_user,
        )
        with self._lock:
            self._users[user_id] = user

    def set_deleted(self, user_id: str, deleted: bool = True) -> dict[str, Any]:
        """Deactivate (or re-activate) a member, as a workspace admin does; returns the user object that
        Slack's `user_change` event carries."""
        with self._lock:
            user = self._users[user_id]
            user.deleted = deleted
            return self._user_object(user)

    def set_archived(self, channel_id: str, archived: bool = True) -> None:
        """Archive (or unarchive) a channel: posting to it then fails with `is_archived`, as in Slack."""
        with self._lock:
            self._channels[channel_id].is_archived = archived

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        creator: str,
        members: Iterable[str] = (),
        is_private: bool = False,
    ) -> None:
        """Add a channel; its creator is a member, as in Slack."""
        with self._lock:
            everyone = [creator, *members]
            unknown = [user for user in everyone if user not in self._users]
            if unknown:
                raise ValueError(f"unknown users {unknown}; add_user them first")
            self._channels[channel_id] = _Channel(
                id=channel_id,
                name=name,
                creator=creator,
                created=int(self.clock()),
                members=dict.fromkeys(everyone),
                is_private=is_private,
            )

    def join(self, channel: str, user: str) -> None:
        """Make user a member of channel (no event is sent)."""
        with self._lock:
            if user not in self._users:
                raise ValueError(f"unknown user {user}")
            self._channel_or_raise(channel).members[user] = None

    def leave(self, channel: str, user: str) -> None:
        """Remove user from channel (no event is sent)."""
        with self._lock:
            self._channel_or_raise(channel).members.pop(user, None)

    def members_of(self, channel: str) -> list[str]:
        with self._lock:
            return list(self._channel_or_raise(channel).members)

    def dm_channel(self, user: str) -> str:
        """The id of the bot's DM with user (the same one conversations.open gives)."""
        with self._lock:
            if user not in self._users:
                raise ValueError(f"unknown user {user}")
            return self._open_dm(user).id

    def post_as_user(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> str:
        """Record a message a person wrote in channel; return its ts."""
        with self._lock:
            if user not in self._users:
                raise ValueError(f"unknown user {user}")
            target = self._channel_or_raise(channel)
            ts = self._next_ts()
            self.messages.append(
                PostedMessage(target.id, ts, text, None, thread_ts, user, ephemeral_to=None, kind="message")
            )
            return ts

    # ----------------------------------------------------------------- records and failure injection

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def messages_in(self, channel: str, *, include_deleted: bool = False) -> list[PostedMessage]:
        """Messages in a channel, oldest first; a user id stands for the bot's DM with that user."""
        with self._lock:
            if channel[:1] in ("U", "W") and channel in self._users:
                channel = self._open_dm(channel).id
            return [m for m in self.messages if m.channel == channel and (include_deleted or not m.deleted)]

    def home_view(self, user: str) -> dict[str, Any] | None:
        """The Home tab last published for user."""
        with self._lock:
            view_id = self.home_tabs.get(user)
            return self.views.get(view_id) if view_id else None

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
        """Wait until predicate holds or timeout seconds pass (the app answers Slack asynchronously).

        Looked at again as soon as a request to the emulator has been handled, and every RECHECK_EVERY
        seconds besides, for a predicate that depends on something else (the clock, the test's own rows).
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, RECHECK_EVERY))
            return True

    def reset_records(self) -> None:
        """Forget recorded calls, messages, responses and violations; the workspace stays."""
        with self._lock:
            self.calls.clear()
            self.messages.clear()
            self.responses.clear()
            self.violations.clear()

    def fail_next(self, method: str, *, error: str = "internal_error", times: int = 1) -> None:
        """Answer the next `times` calls of method with `ok: false` and error."""
        self._inject(method, _Injection("error", error=error), times)

    def rate_limit_next(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of method with HTTP 429 and Retry-After."""
        self._inject(method, _Injection("ratelimit", retry_after=retry_after), times)

    def http_error_next(self, method: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` calls of method with a bare HTTP error status."""
        self._inject(method, _Injection("http", status=status), times)

    def lose_answer_next(self, method: str, *, times: int = 1) -> None:
        """Do the next `times` calls of method, then drop the connection before answering, as a network
        that fails on the way back does: the caller cannot know whether the call was done."""
        self._inject(method, _Injection("lost"), times)

    def stats(self) -> dict[str, Any]:
        """Counts for a process that drives the emulator from outside (the benchmarks): calls by method,
        posts refused for going over `post_limits`, messages posted, and messages posted twice."""
        with self._lock:
            calls: dict[str, int] = {}
            for call in self.calls:
                calls[call.method] = calls.get(call.method, 0) + 1
            posted = [(m.channel, m.text) for m in self.messages if m.kind == "message" and m.user == self.bot_user_id]
            return {"calls": calls, "throttled": self.throttled, "messages": len(posted),
                    "doubled": len(posted) - len(set(posted)), "responses": len(self.responses)}

    def hold_responses(self) -> threading.Event:
        """Hold every post to a response_url until the returned event is set (or 30 s pass).

        A request's reply must not be needed for its acknowledgement: with the replies held, an app
        whose acknowledgement waits for its work cannot answer at all.
        """
        gate = threading.Event()
        with self._lock:
            self._response_gate = gate
        return gate

    def _inject(self, method: str, injection: _Injection, times: int) -> None:
        with self._lock:
            self._injections.setdefault(method, deque()).extend([injection] * times)

    def _take_injection(self, method: str) -> _Injection | None:
        with self._lock:
            queue = self._injections.get(method)
            return queue.popleft() if queue else None

    # ----------------------------------------------------------------- HTTP plumbing

    def _handle(self, request: _Handler) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if len(body) < length:  # the caller went away mid-request (killed): Slack never gets such a call
            request.close_connection = True
            return
        if self.latency > 0:
            time.sleep(self.latency)  # outside the lock: slow answers overlap, as Slack's do
        if url.path.startswith("/response/"):
            gate = self._response_gate
            if gate is not None:
                gate.wait(30)
        if url.path == "/_emulator/stats":
            status, payload, headers = 200, self.stats(), {}
        elif url.path.startswith("/api/"):
            status, payload, headers = self._handle_api(url.path[len("/api/") :], url.query, body, request)
        elif url.path.startswith("/response/"):
            status, payload, headers = self._handle_response(unquote(url.path[len("/response/") :]), body)
        elif url.path.startswith("/upload/") and request.command == "POST":
            status, payload, headers = self._handle_upload(url.path[len("/upload/") :], body)
        else:
            status, payload, headers = 404, "Not Found", {}
        with self._lock:
            self._changed.notify_all()
        if status == NO_ANSWER:
            request.close_connection = True  # nothing written: the caller sees the connection closed
            return
        self._reply(request, status, payload, headers)

    @staticmethod
    def _reply(
        request: _Handler, status: int, payload: dict[str, Any] | str, headers: dict[str, str]
    ) -> None:
        if isinstance(payload, dict):
            data = json.dumps(payload).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            data = payload.encode("utf-8")
            content_type = "text/html; charset=utf-8"
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

    @staticmethod
    def _parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
        args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        media_type = content_type.split(";")[0].strip().lower()
        if media_type == "application/json" and body:
            try:
                decoded = json.loads(body)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(decoded, dict):
                raise SlackError("json_not_object")
            args.update(decoded)
        elif media_type == "application/x-www-form-urlencoded" and body:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            for name in JSON_ARGS:
                if name in form:
                    try:
                        form[name] = json.loads(form[name])
                    except ValueError:
                        pass  # left as a string: the method answers invalid_blocks_format or the like
            args.update(form)
        return args

    def _handle_api(
        self, method: str, query: str, body: bytes, request: _Handler
    ) -> tuple[int, dict[str, Any] | str, dict[str, str]]:
        headers = dict(request.headers.items())
        try:
            args = self._parse_args(query, body, headers.get("Content-Type", ""))
            parse_error = None
        except SlackError as error:
            args, parse_error = {}, error
        with self._lock:
            self.calls.append(ApiCall(method, args, headers))

        violations = list(self.validator(method, args, headers)) if self.validator else []
        implemented = method in self._methods
        if not implemented and self.validator is not None:
            violations.append(f"{method}: the Slack emulator does not answer this method")
        if violations:
            with self._lock:
                self.violations.extend(violations)
        if not implemented:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if violations:
            return 200, self._error("invalid_arguments", violations), {}
        if parse_error is not None:
            return 200, self._error(parse_error.error), {}

        authorization = request.headers.get("Authorization") or ""
        token = authorization[len("Bearer ") :] if authorization.startswith("Bearer ") else args.get("token")
        if not token:
            return 200, self._error("not_authed"), {}
        if not str(token).startswith("xox"):
            return 200, self._error("invalid_auth"), {}

        injection = self._take_injection(method)
        if injection is None and method == "chat.postMessage":
            retry_after = self._over_post_limits(args)
            if retry_after:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        if injection is not None:
            if injection.kind == "ratelimit":
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(injection.retry_after)}
            if injection.kind == "http":
                return injection.status, f"<html><body>HTTP {injection.status}</body></html>", {}
            if injection.kind == "error":
                return 200, self._error(injection.error), {}

        try:
            with self._lock:
                result = self._methods[method](args)
        except SlackError as error:
            return 200, self._error(error.error, error.messages), {}
        if injection is not None and injection.kind == "lost":
            return NO_ANSWER, {}, {}
        return 200, {"ok": True, **result}, {}

    def _over_post_limits(self, args: Mapping[str, Any]) -> int:
        """Seconds to wait (0 if the post may go): each channel's bucket, and the workspace's, must have a token."""
        limits = self.post_limits
        if limits is None:
            return 0
        channel = str(args.get("channel") or "")
        with self._lock:
            if self._workspace_bucket is None:
                self._workspace_bucket = _Bucket(limits.workspace_per_minute / 60, limits.workspace_burst)
            bucket = self._channel_buckets.setdefault(channel, _Bucket(limits.channel_per_second, limits.channel_burst))
            wait = max(bucket.wait(), self._workspace_bucket.wait())
            if wait > 0:
                self.throttled += 1
                return max(1, int(wait + 0.999))
            bucket.tokens -= 1
            self._workspace_bucket.tokens -= 1
            return 0

    @staticmethod
    def _error(error: str, messages: list[str] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": False, "error": error}
        if messages:
            answer["response_metadata"] = {"messages": list(messages)}
        return answer

    def _handle_response(self, tag: str, body: bytes) -> tuple[int, dict[str, Any] | str, dict[str, str]]:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            # Some clients post `payload=<json>` as a form instead.
            form = dict(parse_qsl(body.decode("utf-8", "replace")))
            try:
                payload = json.loads(form.get("payload", ""))
            except ValueError:
                return 400, "invalid_payload", {}
        if not isinstance(payload, dict):
            return 400, "invalid_payload", {}
        with self._lock:
            self.responses.append({"tag": tag, **payload})
            channel, user, message_ts = self._response_targets.get(tag, ("", None, None))
            original = self._original_message(channel, message_ts)
            has_content = payload.get("text") or payload.get("blocks")
            if original is not None and _flag(payload.get("delete_original")):
                original.deleted = True
            elif original is not None and _flag(payload.get("replace_original")) and has_content:
                original.text = payload.get("text") or ""
                original.blocks = payload.get("blocks")
            elif has_content and not _flag(payload.get("delete_original")):
                ephemeral = payload.get("response_type", "ephemeral") != "in_channel"
                self.messages.append(
                    PostedMessage(
                        channel,
                        self._next_ts(),
                        payload.get("text") or "",
                        payload.get("blocks"),
                        payload.get("thread_ts"),
                        self.bot_user_id,
                        ephemeral_to=user if ephemeral else None,
                        kind="response",
                    )
                )
        return 200, {"ok": True}, {}

    # ----------------------------------------------------------------- workspace internals (lock held)

    def _handle_upload(self, file_id: str, body: bytes) -> tuple[int, dict[str, Any] | str, dict[str, str]]:
        """The bytes posted to an upload URL: Slack answers 200 with a plain "OK - <length>"."""
        with self._lock:
            found = self.files.get(file_id)
            if found is None or found.content is not None:
                return 404, "Not Found", {}
            found.content = body
        return 200, f"OK - {len(body)}", {}

    def _next_ts(self) -> str:
        """A message ts from the clock, strictly increasing even when the clock stands still."""
        micros = max(int(self.clock() * 1_000_000), self._last_ts_micros + 100)
        self._last_ts_micros = micros
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{seconds}.{fraction:06d}"

    def _original_message(self, channel: str, ts: str | None) -> PostedMessage | None:
        """The message a response_url was issued for, if it is still there."""
        if ts is None:
            return None
        for message in self.messages:
            if message.channel == channel and message.ts == ts and not message.deleted:
                return message
        return None

    def _channel_or_raise(self, channel: str) -> _Channel:
        found = self._channels.get(channel)
        if found is None:
            raise ValueError(f"unknown channel {channel}")
        return found

    def _open_dm(self, user: str) -> _Channel:
        channel_id = "D" + user[1:]
        if channel_id not in self._channels:
            self._channels[channel_id] = _Channel(
                id=channel_id,
                name=channel_id,
                creator=user,
                created=int(self.clock()),
                members=dict.fromkeys([user, self.bot_user_id]),
                is_private=True,
                is_im=True,
                im_user=user,
            )
        return self._channels[channel_id]

    def _visible_channel(self, channel_id: Any) -> _Channel:
        """A conversation the bot can see: any public one, private ones only as a member."""
        found = self._channels.get(str(channel_id or ""))
        if found is None or (found.is_private and self.bot_user_id not in found.members):
            raise SlackError("channel_not_found")
        return found

    def _user_or_raise(self, user_id: Any) -> _User:
        found = self._users.get(str(user_id or ""))
        if found is None:
            raise SlackError("user_not_found")
        return found

    def _postable_channel(self, target: Any) -> _Channel:
        """Resolve a chat.post* channel argument: a conversation id, a #name, or a user id (a DM)."""
        target = str(target or "")
        if target[:1] in ("U", "W") and target in self._users:
            user = self._users[target]
            if user.is_bot:
                raise SlackError("cannot_dm_bot")
            return self._open_dm(target)
        if target not in self._channels:
            by_name = [c for c in self._channels.values() if not c.is_im and c.name == target.lstrip("#")]
            target = by_name[0].id if by_name else target
        channel = self._visible_channel(target)
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        if channel.is_archived:
            raise SlackError("is_archived")
        return channel

    def _message_content(self, args: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]] | None]:
        text = args.get("text")
        text = "" if text is None else str(text)
        blocks = args.get("blocks")
        if blocks is not None:
            blocks = _decode_json_arg(blocks, "invalid_blocks_format")
            problems = _block_problems(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
            if problems:
                raise SlackError("invalid_blocks", problems)
        if len(text) > MAX_TEXT_CHARS:
            raise SlackError("msg_too_long")
        return text, blocks

    def _find_message(self, channel: str, ts: Any) -> PostedMessage:
        for message in self.messages:
            if message.channel == channel and message.ts == str(ts) and message.kind != "ephemeral":
                if not message.deleted:
                    return message
        raise SlackError("message_not_found")

    def _message_object(self, message: PostedMessage, *, metadata: bool = False) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "type": "message",
            "text": message.text,
            "user": message.user,
            "ts": message.ts,
        }
        if message.user == self.bot_user_id:
            obj.update(bot_id=self.bot_id, app_id=self.app_id, team=self.team_id)
        if message.blocks is not None:
            obj["blocks"] = message.blocks
        if message.thread_ts:
            obj["thread_ts"] = message.thread_ts
        if metadata and message.metadata is not None:
            obj["metadata"] = message.metadata
        if message.files is not None:
            obj.update(files=message.files, upload=True)
        return obj

    def _user_object(self, user: _User) -> dict[str, Any]:
        zone = ZoneInfo(user.tz)
        now = dt.datetime.fromtimestamp(self.clock(), zone)
        offset = now.utcoffset() or dt.timedelta()
        offset_seconds = int(offset.total_seconds())
        profile: dict[str, Any] = {
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "team": self.team_id,
        }
        if user.id == self.bot_user_id:
            profile.update(bot_id=self.bot_id, api_app_id=self.app_id, always_active=False)
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": user.real_name,
            "tz": user.tz,
            "tz_label": _tz_label(now.tzname() or "", offset_seconds),
            "tz_offset": offset_seconds,
            "profile": profile,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "is_primary_owner": False,
            "is_restricted": user.is_restricted,
            "is_ultra_restricted": user.is_ultra_restricted,
            "is_bot": user.is_bot,
            "is_app_user": user.is_app_user,
            "updated": int(self.clock()),
        }

    def _channel_object(self, channel: _Channel, *, with_num_members: bool = False) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "created": channel.created,
                "is_im": True,
                "is_org_shared": False,
                "user": channel.im_user,
                "is_user_deleted": self._users[channel.im_user or ""].deleted,
            }
        # Slack's rule: private channels with a legacy G id are "groups", not channels.
        legacy_group = channel.is_private and channel.id.startswith("G")
        obj: dict[str, Any] = {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "is_channel": not legacy_group,
            "is_group": legacy_group,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_private,
            "created": channel.created,
            "creator": channel.creator,
            "is_archived": channel.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": self.bot_user_id in channel.members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if with_num_members:
            obj["num_members"] = len(channel.members)
        return obj

    def _new_view(self, view: Any, *, expected_type: str, view_id: str | None = None) -> dict[str, Any]:
        view = _decode_json_arg(view, "invalid_arguments")
        if not isinstance(view, dict) or view.get("type") != expected_type:
            raise SlackError(
                "invalid_arguments", [f"[ERROR] view type must be {expected_type} [json-pointer:/view]"]
            )
        problems = _block_problems(view.get("blocks", []), "/view/blocks", MAX_VIEW_BLOCKS)
        if expected_type == "modal" and len(_text_of(view.get("title"))) > MODAL_TITLE_LIMIT:
            problems.append(
                f"[ERROR] must be less than {MODAL_TITLE_LIMIT + 1} characters "
                "[json-pointer:/view/title/text]"
            )
        if problems:
            raise SlackError("invalid_arguments", problems)
        self._view_counter += 1
        view_id = view_id or f"V0COP{self._view_counter:05d}"
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": expected_type,
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{self._view_counter:08d}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = view[key]
        self.views[view_id] = stored
        return stored

    # ----------------------------------------------------------------- Web API methods (lock held)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self._users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user_object(self._user_or_raise(args.get("user")))}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        page, next_cursor = _paginate(list(self._users.values()), args, default_limit=0)
        return {
            "members": [self._user_object(user) for user in page],
            "cache_ts": int(self.clock()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        return {
            "channel": self._channel_object(channel, with_num_members=_flag(args.get("include_num_members")))
        }

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        page, next_cursor = _paginate(list(channel.members), args, default_limit=100)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channels.get(str(args.get("channel") or ""))
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        answer: dict[str, Any] = {}
        if self.bot_user_id in channel.members:
            answer = {
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        channel.members[self.bot_user_id] = None
        return {"channel": self._channel_object(channel), **answer}

    def _readable_channel(self, args: dict[str, Any]) -> tuple[_Channel, Callable[[str], bool]]:
        """The conversation conversations.history or .replies reads, and which ts its oldest/latest let through."""
        channel = self._visible_channel(args.get("channel"))
        if not channel.is_im and self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        inclusive = _flag(args.get("inclusive"))
        try:
            oldest = float(args.get("oldest") or 0)
            latest = float(args["latest"]) if args.get("latest") else float("inf")
        except ValueError:
            raise SlackError("invalid_ts_oldest") from None

        def within(ts: str) -> bool:
            if inclusive:
                return oldest <= float(ts) <= latest
            return oldest < float(ts) < latest

        return channel, within

    def _history_page(self, found: list[PostedMessage], args: dict[str, Any]) -> dict[str, Any]:
        page, next_cursor = _paginate(found, args, default_limit=100)
        metadata = _flag(args.get("include_all_metadata"))
        return {
            "messages": [self._message_object(m, metadata=metadata) for m in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, within = self._readable_channel(args)
        # Newest first, top-level messages only: thread replies are for conversations.replies.
        found = [
            m for m in reversed(self.messages)
            if m.channel == channel.id and m.kind == "message" and not m.deleted
            and (m.thread_ts is None or m.thread_ts == m.ts) and within(m.ts)
        ]
        return self._history_page(found, args)

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, within = self._readable_channel(args)
        try:
            parent = self._find_message(channel.id, args.get("ts"))
        except SlackError:
            raise SlackError("thread_not_found") from None
        # The thread's first message, then its replies, oldest first.
        found = [m for m in self.messages
                 if m.channel == channel.id and m.kind == "message" and not m.deleted
                 and (m is parent or m.thread_ts == parent.ts) and within(m.ts)]
        return self._history_page(found, args)

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._visible_channel(args["channel"])
            return {"channel": self._channel_object(channel), "no_op": True, "already_open": True}
        user_ids = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not user_ids:
            raise SlackError("users_list_not_supplied")
        for user_id in user_ids:
            if self._user_or_raise(user_id).is_bot:
                raise SlackError("cannot_dm_bot")
        if len(user_ids) == 1:
            existed = "D" + user_ids[0][1:] in self._channels
            channel = self._open_dm(user_ids[0])
        else:
            # A group DM gets a stable id from its member set.
            everyone = sorted({*user_ids, self.bot_user_id})
            channel_id = f"G{zlib.crc32(','.join(everyone).encode()):08X}"
            existed = channel_id in self._channels
            if not existed:
                self._channels[channel_id] = _Channel(
                    id=channel_id,
                    name="mpdm-" + "--".join(self._users[u].name for u in everyone) + "-1",
                    creator=self.bot_user_id,
                    created=int(self.clock()),
                    members=dict.fromkeys(everyone),
                    is_private=True,
                    is_mpim=True,
                )
            channel = self._channels[channel_id]
        channel_obj = self._channel_object(channel) if _flag(args.get("return_im")) else {"id": channel.id}
        answer: dict[str, Any] = {"channel": channel_obj}
        if existed:
            answer.update(no_op=True, already_open=True)
        return answer

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(args.get("channel"))
        text, blocks = self._message_content(args)
        if not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        message = PostedMessage(
            channel.id,
            self._next_ts(),
            text,
            blocks,
            thread_ts,
            self.bot_user_id,
            ephemeral_to=None,
            kind="message",
            metadata=_metadata(args.get("metadata")),
        )
        self.messages.append(message)
        return {"channel": channel.id, "ts": message.ts, "message": self._message_object(message)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(args.get("channel"))
        user = self._user_or_raise(args.get("user"))
        if user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._message_content(args)
        if not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        message = PostedMessage(
            channel.id, self._next_ts(), text, blocks, thread_ts, self.bot_user_id, user.id, kind="ephemeral"
        )
        self.messages.append(message)
        return {"message_ts": message.ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("ts"))
        if message.user != self.bot_user_id:
            raise SlackError("cant_update_message")
        text, blocks = self._message_content(args)
        if "text" in args:
            message.text = text
        if "blocks" in args:
            message.blocks = blocks
        return {
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": self._message_object(message),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("ts"))
        if message.user != self.bot_user_id:
            raise SlackError("cant_delete_message")
        message.deleted = True
        return {"channel": channel.id, "ts": message.ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("message_ts"))
        permalink = (
            f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
        )
        if message.thread_ts and message.thread_ts != message.ts:
            permalink += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": permalink}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user_or_raise(args.get("user_id"))
        current_id = self.home_tabs.get(user.id)
        if args.get("hash") and current_id and self.views[current_id]["hash"] != args["hash"]:
            raise SlackError("hash_conflict")
        view = self._new_view(args.get("view"), expected_type="home", view_id=current_id)
        self.home_tabs[user.id] = view["id"]
        return {"view": view}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            raise SlackError("invalid_trigger_id")
        return {"view": self._new_view(args.get("view"), expected_type="modal")}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            matches = [v["id"] for v in self.views.values() if v["external_id"] == args["external_id"]]
            view_id = matches[-1] if matches else None
        current = self.views.get(str(view_id or ""))
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and current["hash"] != args["hash"]:
            raise SlackError("hash_conflict")
        return {
            "view": self._new_view(args.get("view"), expected_type=current["type"], view_id=current["id"])
        }

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length"))
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None
        if not filename or length <= 0:
            raise SlackError("invalid_arguments")
        if length > 1024 ** 3:
            raise SlackError("file_too_large")
        file_id = f"F{len(self.files) + 1:08d}"
        alt_txt = args.get("alt_txt")
        if alt_txt is not None and len(str(alt_txt)) > 1000:
            raise SlackError("alt_txt_too_large")
        self.files[file_id] = SharedFile(id=file_id, filename=filename, length=length,
                                         alt_txt=None if alt_txt is None else str(alt_txt))
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channel = self._postable_channel(args["channel_id"]) if args.get("channel_id") else None
        done = []
        for item in files:
            found = self.files.get(str(item.get("id") if isinstance(item, dict) else ""))
            if found is None or found.content is None:
                raise SlackError("file_not_found")
            if len(found.content) != found.length:
                raise SlackError("file_upload_size_mismatch")
            found.title = item.get("title") or found.filename
            found.channel = channel.id if channel else None
            found.initial_comment = args.get("initial_comment")
            done.append({"id": found.id, "name": found.filename, "title": found.title, "size": found.length})
        if channel is not None:
            # Shared in a channel, the files come in a message of the app's, with the comment as its text.
            thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
            self.messages.append(PostedMessage(
                channel.id, self._next_ts(), str(args.get("initial_comment") or ""), None, thread_ts,
                self.bot_user_id, ephemeral_to=None, kind="message",
                files=[{"id": d["id"], "name": d["name"], "title": d["title"]} for d in done]))
        return {"files": done}

    def shared_files(self, channel: str) -> list[SharedFile]:
        with self._lock:
            return [f for f in self.files.values() if f.channel == channel]

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("timestamp"))
        name = str(args.get("name") or "").strip(":")
        if not name:
            raise SlackError("invalid_name")
        if name in message.reactions:
            raise SlackError("already_reacted")
        message.reactions.append(name)
        return {}
