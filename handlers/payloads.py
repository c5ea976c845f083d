"""What Slack can send copbot, as models: a signed body of any other shape is refused at the door.

A body is read the way Bolt reads it (a slash command is a form; an event is JSON; a click or a form
submission is a form whose one field, `payload`, holds JSON), and checked before Bolt sees it: Bolt and
the listeners take an object where Slack sends one, a string where Slack sends one. Slack never sends
anything else, so a body that breaks these rules was not written by Slack (or not for copbot), and is
answered 400, never half-read.

The models check what copbot and Bolt read and let everything else through (`extra="allow"`): Slack
adds fields, and a model that refused them would refuse Slack.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

from handlers.slack_text import USER_ID

# A Slack id: a user (U, W), channel (C, G, D), team (T), enterprise (E)... Upper-case letters and digits,
# and never longer than copbot's columns for them.
# Each kind by its first letter (a team id where a user is expected is no user).
_IDS = {"team_id": re.compile(r"^[TE][A-Z0-9]{1,19}$"), "user_id": re.compile(rf"^{USER_ID}$"),
        "channel_id": re.compile(r"^[CGD][A-Z0-9]{1,19}$")}
TeamId = Annotated[str, StringConstraints(pattern=_IDS["team_id"].pattern)]
UserId = Annotated[str, StringConstraints(pattern=_IDS["user_id"].pattern)]
ChannelId = Annotated[str, StringConstraints(pattern=_IDS["channel_id"].pattern)]
# A message timestamp, `1764000000.000100`: seconds and microseconds, as Slack writes them (or empty, where
# there is no message: an ephemeral one has none to point at).
Ts = Annotated[str, StringConstraints(pattern=r"^([0-9]{1,10}(\.[0-9]{1,6})?)?$")]
# Slack's own request ids (event_id, trigger_id): short and printable; the inbox keys requests by them.
RequestId = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,100}$")]


def absent() -> Any:
    """The default of a field Slack may leave out but never sends as null: absent is None, null is refused."""
    return Field(default=None)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Named(_Shape):
    """An object Slack names by id (`team`, `user`, `channel`, `enterprise`), where Bolt looks for its ids."""

    id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None


class _Part(_Shape):
    """Any object of a payload Bolt looks into for the request's team, user and channel: the fields it
    reads, wherever it looks, with the types it assumes."""

    type: str | None = None
    enterprise: str | _Named | None = None
    enterprise_id: str | None = None
    is_enterprise_install: bool | str | None = None
    is_ext_shared_channel: bool | None = None
    authorizations: list[_Part] | None = None
    team: str | _Named | None = None
    team_id: str | None = None
    context_team_id: str | None = None
    context_enterprise_id: str | None = None
    user: str | _Named | None = None
    user_id: str | None = None
    user_team: str | None = None
    channel: str | _Named | None = None
    channel_id: str | None = None
    app_installed_team_id: str | None = None
    event: _Part | None = None
    message: _Part | None = None
    previous_message: _Part | None = None
    item: _Part | None = None
    assistant_thread: _Part | None = None
    view: _Part | None = None
    thread_ts: str | None = None
    function_execution_id: str | None = None
    function_data: _Part | None = None
    execution_id: str | None = None
    bot_access_token: str | None = None
    inputs: dict[str, Any] | None = None
    response_url: str | None = None
    response_urls: list[_ResponseUrl] | None = None


class _ResponseUrl(_Shape):
    response_url: str | None = None


# ----------------------------------------------------------------------------------------- slash commands

class SlashCommand(_Part):
    command: str
    text: str = ""
    team_id: TeamId
    user_id: UserId
    channel_id: ChannelId
    response_url: str = ""
    trigger_id: RequestId | None = None


# ------------------------------------------------------------------------------------------------- events

class _Event(_Part):
    type: str = Field(min_length=1)


class MessageEvent(_Event):
    user: UserId = absent()
    channel: ChannelId = absent()
    text: str | None = None
    ts: Ts = absent()
    thread_ts: Ts = absent()
    deleted_ts: Ts = absent()
    subtype: str | None = None
    channel_type: str | None = None
    bot_id: str | None = None


class ReactedItem(_Part):
    type: str | None = None
    channel: ChannelId = absent()
    ts: Ts = absent()


class ReactionEvent(_Event):
    user: UserId
    reaction: str = Field(min_length=1, max_length=100)  # an emoji's name, as short as Slack keeps them
    item: ReactedItem
    item_user: UserId = absent()
    event_ts: Ts = absent()


class ChannelMemberEvent(_Event):
    user: UserId
    channel: ChannelId
    inviter: UserId = absent()
    channel_type: str | None = None
    team: TeamId | None = None


class AppHomeOpenedEvent(_Event):
    user: UserId
    channel: ChannelId = absent()
    tab: str | None = None


# The events copbot listens to, each with its model; any other event is held only to `_Event`.
EVENT_MODELS: dict[str, type[_Event]] = {
    "message": MessageEvent,
    "reaction_added": ReactionEvent,
    "reaction_removed": ReactionEvent,
    "member_joined_channel": ChannelMemberEvent,
    "member_left_channel": ChannelMemberEvent,
    "app_home_opened": AppHomeOpenedEvent,
}


class EventCallback(_Part):
    type: Literal["event_callback"]
    team_id: TeamId
    event_id: RequestId
    event: _Event


class UrlVerification(_Part):
    type: Literal["url_verification"]
    challenge: str


class SslCheck(_Part):
    """Slack checking copbot's certificate (a form with `ssl_check=1`); Bolt answers it."""

    ssl_check: str


class RateLimited(_Part):
    """Slack telling an app that it sends more events than the app can take; Bolt answers it."""

    type: Literal["app_rate_limited"]
    team_id: TeamId


# ------------------------------------------------------------------------------------------ interactivity

class _Actor(_Named):
    id: UserId


class _Option(_Shape):
    value: str


class InputState(_Shape):
    """One input's value in a submitted form (`view.state.values[block_id][action_id]`)."""

    type: str | None = None
    value: str | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None
    selected_date: str | None = None
    selected_time: str | None = None
    selected_user: UserId | None = None
    selected_users: list[UserId] | None = None
    selected_channel: ChannelId | None = None
    selected_conversation: ChannelId | None = None


class _State(_Shape):
    values: dict[str, dict[str, InputState]] = {}


class _View(_Part):
    id: str | None = None
    callback_id: Annotated[str, StringConstraints(max_length=255)] = ""
    private_metadata: str = ""
    state: _State | None = None
    blocks: list[dict[str, Any]] | None = None


# Slack caps the ids an app gives its buttons and modals at 255 characters, and always sends one for a click.
SlackName = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class _Clicked(_Shape):
    action_id: SlackName
    block_id: str | None = None
    value: str | None = None
    selected_option: _Option | None = None
    type: str | None = None


class _Container(_Shape):
    type: str | None = None
    channel_id: ChannelId = absent()
    message_ts: Ts = absent()
    view_id: str | None = None


class _Channel(_Named):
    id: ChannelId


class BlockActions(_Part):
    type: Literal["block_actions"]
    user: _Actor
    channel: _Channel | None = None
    actions: list[_Clicked] = Field(min_length=1)
    container: _Container | None = None
    view: _View | None = None
    trigger_id: RequestId | None = None


class ViewSubmission(_Part):
    type: Literal["view_submission", "view_closed"]
    user: _Actor
    view: _View
    trigger_id: RequestId | None = None


_KINDS: dict[str, type[_Part]] = {
    "event_callback": EventCallback,
    "url_verification": UrlVerification,
    "app_rate_limited": RateLimited,
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "view_closed": ViewSubmission,
}

for _model in (_Part, _Named, _View, SlashCommand, EventCallback, BlockActions, ViewSubmission):
    _model.model_rebuild()


class Refused(Exception):
    """A body Slack could not have sent copbot: why, in a few words (never what it said)."""


def read(raw: str, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt would read it (see `slack_bolt.request.internals.parse_body`), or Refused.

    One difference: a form is a command unless it has a `payload` field; Bolt takes the word "payload"
    anywhere in the body (a command whose text says it) for one, and would read such a command as empty.
    """
    if not raw:
        raise Refused("empty body")
    try:
        if content_type == "application/json" or raw.startswith("{"):
            body = json.loads(raw)
        else:
            form = dict(parse_qsl(raw, keep_blank_values=True))
            body = json.loads(form["payload"]) if "payload" in form else form
    except ValueError:
        raise Refused("not JSON") from None
    if not isinstance(body, dict):
        raise Refused("not an object")
    return body


def check(body: dict[str, Any]) -> BoltContext:
    """Raise Refused unless `body` has the shape of something Slack sends copbot; else the request's context
    (its team, user, channel...) as Bolt builds it."""
    if "command" in body:
        model: type[_Part] = SlashCommand
    elif "ssl_check" in body:
        model = SslCheck
    else:
        kind = body.get("type")
        model = _KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            raise Refused("not a kind of request copbot takes")
    try:
        model.model_validate(body)
        if model is EventCallback:
            event = body["event"]
            EVENT_MODELS.get(event["type"], _Event).model_validate(event)
    except ValidationError as error:
        raise Refused(_where(error)) from None
    # Whichever field Bolt takes them from, the request's team, user and channel are Slack ids.
    context = build_context(BoltContext(), body)
    for name, pattern in _IDS.items():
        value = context.get(name)
        if value is not None and not (isinstance(value, str) and pattern.match(value)):
            raise Refused(f"bad {name}")
    return context


def _where(error: ValidationError) -> str:
    """Which field was wrong, for the log: keys a forger chose are shown printable and short."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"][:4])[:80]
    return "bad " + "".join(c if c.isprintable() else "?" for c in where)


_UNSEEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same characters as `json.dumps` writes them (escaped as \u0000-\u001f, \u007f and \u0080-\u009f, or as
# \b \f \r). A backslash typed before one of these letters matches too: then `cleaned` decides.
_UNSEEN_IN_JSON = re.compile(r"\\u00(?:[01][0-9a-f]|7f|[89][0-9a-f])|\\[bfr]")


def cleaned(value: Any) -> Any:
    """`value` with control characters (NUL and the like) taken out of every string, keys included.

    Nobody types them; PostgreSQL refuses NUL in any text, and Slack would show the rest as boxes.
    Line breaks and tabs stay.
    """
    if isinstance(value, str):
        return _UNSEEN.sub("", value) if _UNSEEN.search(value) else value
    if isinstance(value, dict):
        return {cleaned(key): cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    return value


def cleaned_json(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """`cleaned(body)` and its JSON, serialised once: most bodies have nothing to take out, which one
    search of their JSON shows for less than walking every string of them does."""
    text = json.dumps(body)
    if _UNSEEN_IN_JSON.search(text) is None:
        return body, text
    body = cleaned(body)
    return body, json.dumps(body)


