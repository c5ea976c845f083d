"""Requests into the app as Slack makes them: the same shapes, signed the same way.

The sandbox sends these to the real app; the tests send them over HTTP. The shapes follow the
request bodies Slack documents for slash commands, Events API callbacks and interactivity
(`block_actions` and `view_submission`, sent as a form field `payload` holding JSON).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs every request."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedRequest:
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class RequestFactory:
    """Builds signed requests for one workspace."""

    signing_secret: str
    team_id: str
    team_domain: str = "copbot-sandbox"
    api_app_id: str = "A0COPBOT"
    bot_user_id: str = "U0COPBOT"
    clock: Callable[[], float] = time.time
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def sign(self, body: bytes, content_type: str, *, timestamp: int | None = None,
             retry_num: int | None = None) -> SignedRequest:
        # Slack signs with the real time; the sandbox clock may be far in the future, and the
        # app rightly refuses requests more than five minutes off its own wall clock.
        stamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": signature(self.signing_secret, stamp, body),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return SignedRequest(body, headers)

    def slash_command(self, *, user_id: str, user_name: str, channel_id: str, channel_name: str, text: str,
                      response_url: str, command: str = "/cop") -> SignedRequest:
        n = next(self._ids)
        fields = {
            "token": "unused-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "response_url": response_url,
            "trigger_id": self._trigger(n),
        }
        return self.sign(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None,
              event_time: int | None = None) -> SignedRequest:
        n = next(self._ids)
        wrapper = {
            "token": "unused-verification-token",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:04d}{secrets.token_hex(4).upper()}",
            "event_time": event_time or int(self.clock()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": self.bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
        }
        return self.sign(json.dumps(wrapper).encode(), "application/json", retry_num=retry_num)

    def _trigger(self, n: int) -> str:
        # Unique like Slack's: copbot takes a repeated trigger_id for a replay of the same request.
        return f"{n}.{int(self.clock())}.{secrets.token_hex(8)}"

    def _interaction(self, payload: dict[str, Any]) -> SignedRequest:
        # Slack sends interactivity as a form with one field, `payload`, holding the JSON.
        return self.sign(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")

    def _user(self, user_id: str, user_name: str | None) -> dict[str, Any]:
        name = user_name or user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def block_action(self, *, user_id: str, action_id: str, value: str, channel_id: str | None = None,
                     message_ts: str | None = None, response_url: str | None = None, view_id: str | None = None,
                     block_id: str = "b", user_name: str | None = None, is_ephemeral: bool = False,
                     text: str = "Button") -> SignedRequest:
        """A button pressed, shaped like Slack's `block_actions` payload: on a message in `channel_id`
        (with its response_url), or else on the Home tab view `view_id`."""
        n = next(self._ids)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, user_name),
            "api_app_id": self.api_app_id,
            "token": "unused-verification-token",
            "trigger_id": self._trigger(n),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "actions": [{"action_id": action_id, "block_id": block_id,
                         "text": {"type": "plain_text", "text": text, "emoji": True}, "value": value,
                         "type": "button", "action_ts": self.event_ts()}],
        }
        if channel_id is not None:
            payload["container"] = {"type": "message", "message_ts": message_ts or "", "channel_id": channel_id,
                                    "is_ephemeral": is_ephemeral}
            payload["channel"] = {"id": channel_id,
                                  "name": "directmessage" if channel_id[:1] == "D" else channel_id.lower()}
            payload["message"] = {"type": "message", "ts": message_ts or "", "text": ""}
            if response_url:
                payload["response_url"] = response_url
        else:
            payload["container"] = {"type": "view", "view_id": view_id or "V0"}
            payload["view"] = {"id": view_id or "V0", "type": "home", "team_id": self.team_id, "blocks": []}
        return self._interaction(payload)

    def view_submission(self, *, user_id: str, callback_id: str, values: dict[str, dict[str, Any]],
                        private_metadata: str = "", view_id: str = "V0COP00001", blocks: list | None = None,
                        user_name: str | None = None, title: str = "copbot") -> SignedRequest:
        """A modal submitted, shaped like Slack's `view_submission` payload; `values` is `state.values`."""
        n = next(self._ids)
        return self._interaction({
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id, user_name),
            "api_app_id": self.api_app_id,
            "token": "unused-verification-token",
            "trigger_id": self._trigger(n),
            "view": {
                "id": view_id, "team_id": self.team_id, "type": "modal", "blocks": blocks or [],
                "private_metadata": private_metadata, "callback_id": callback_id,
                "state": {"values": values}, "hash": f"{int(self.clock())}.sandbox",
                "title": {"type": "plain_text", "text": title}, "clear_on_close": False,
                "notify_on_close": False, "close": {"type": "plain_text", "text": "Cancel"},
                "submit": {"type": "plain_text", "text": "Submit"}, "previous_view_id": None,
                "root_view_id": view_id, "app_id": self.api_app_id, "external_id": "",
                "app_installed_team_id": self.team_id, "bot_id": "B0COPBOT",
            },
            "response_urls": [],
        })

    def event_ts(self) -> str:
        return f"{self.clock():.6f}"

    def reaction(self, *, user: str, reaction: str, channel: str, ts: str, item_user: str | None,
                 removed: bool = False) -> dict[str, Any]:
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "reaction": reaction,
            "event_ts": self.event_ts(),
        }
        if item_user:
            event["item_user"] = item_user
        return event

    def member_joined(self, *, user: str, channel: str, inviter: str | None = None) -> dict[str, Any]:
        event = {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C",
                 "team": self.team_id, "event_ts": self.event_ts()}
        if inviter:
            event["inviter"] = inviter
        return event

    def member_left(self, *, user: str, channel: str) -> dict[str, Any]:
        return {"type": "member_left_channel", "user": user, "channel": channel, "channel_type": "C",
                "team": self.team_id, "event_ts": self.event_ts()}

    def user_change(self, *, user: dict[str, Any]) -> dict[str, Any]:
        """A member's profile changed (deactivated, re-activated, renamed): the whole user object."""
        return {"type": "user_change", "user": user, "cache_ts": int(self.clock()), "event_ts": self.event_ts()}

    def channel_archived(self, *, channel: str, user: str, archived: bool = True,
                         private: bool = False) -> dict[str, Any]:
        """`channel_archive`/`channel_unarchive`; for a private channel Slack sends `group_archive`/`group_unarchive`,
        which name no user."""
        if private:
            return {"type": "group_archive" if archived else "group_unarchive", "channel": channel,
                    "event_ts": self.event_ts()}
        return {"type": "channel_archive" if archived else "channel_unarchive", "channel": channel, "user": user,
                "event_ts": self.event_ts()}

    def channel_rename(self, *, channel: str, name: str, created: int = 1_700_000_000,
                       private: bool = False) -> dict[str, Any]:
        return {"type": "group_rename" if private else "channel_rename",
                "channel": {"id": channel, "name": name, "created": created}, "event_ts": self.event_ts()}

    def app_uninstalled(self) -> dict[str, Any]:
        return {"type": "app_uninstalled", "event_ts": self.event_ts()}

    def tokens_revoked(self, *, bot: list[str] | None = None, oauth: list[str] | None = None) -> dict[str, Any]:
        return {"type": "tokens_revoked", "tokens": {"oauth": oauth or [], "bot": bot or []},
                "event_ts": self.event_ts()}

    def message(self, *, user: str, channel: str, text: str, ts: str,
                thread_ts: str | None = None) -> dict[str, Any]:
        event = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel,
                 "event_ts": ts, "channel_type": "channel", "team": self.team_id}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def app_home_opened(self, *, user: str, tab: str = "home") -> dict[str, Any]:
        """The event Slack sends when someone opens copbot's Home (or Messages) tab."""
        return {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": tab,
                "event_ts": self.event_ts()}
