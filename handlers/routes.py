"""Which listener answers which request, installed in Bolt as one listener per kind of request.

Bolt tries its listeners in turn and builds each matcher's arguments as it goes; with a listener per
command, event type, button and form, an event was matched against a dozen before its own, and that
matching was a third of the acknowledgement's time. Here each package names its listeners (`register`
takes a Routes), Bolt is given four (commands, events, buttons, forms), and the route is found by a
dictionary lookup on the name Slack sends, or the first matching pattern for ids that carry a value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.base import Handler, listener

logger = logging.getLogger(__name__)

Acknowledge = Callable[..., None]
# Any id at all: buttons and forms copbot has no route for are acknowledged, not left to Bolt's 404.
ANY = re.compile("")


class Routes:
    """Listeners by command, event type, action_id (or a pattern of them) and view callback_id."""

    def __init__(self) -> None:
        self.commands: dict[str, Acknowledge] = {}
        self.events: dict[str, Acknowledge] = {}
        self.actions: dict[str, Acknowledge] = {}
        self.action_patterns: list[tuple[re.Pattern[str], Acknowledge]] = []
        self.views: dict[str, Acknowledge] = {}

    def command(self, name: str, handler: Handler) -> None:
        self.commands[name] = listener(handler)

    def event(self, event_type: str, handler: Handler) -> None:
        self.events[event_type] = listener(handler)

    def action(self, action_id: str | re.Pattern[str], handler: Handler) -> None:
        if isinstance(action_id, re.Pattern):
            self.action_patterns.append((action_id, listener(handler)))
        else:
            self.actions[str(action_id)] = listener(handler)

    def view(self, callback_id: str, handler: Handler, *, validate: Handler | None = None) -> None:
        self.views[str(callback_id)] = listener(handler, validate=validate)

    def _action_route(self, body: dict[str, Any]) -> Acknowledge | None:
        actions = body.get("actions") or [{}]
        action_id = str((actions[0] if isinstance(actions[0], dict) else {}).get("action_id", ""))
        found = self.actions.get(action_id)
        if found is None:
            found = next((route for pattern, route in self.action_patterns if pattern.search(action_id)), None)
        return found

    def install(self, app: App) -> None:
        """Four Bolt listeners, each matching exactly what a route exists for, except clicks and forms.

        A click or a form copbot has no route for comes from a message or modal an older version of copbot
        sent (or a link button, which Slack reports too): it is acknowledged with a quiet 200, and a modal
        submitted that way closes. One Slack could never send (an id beyond Slack's 255 characters) was
        already answered 400 at the door (handlers.payloads). Other unknown events stay Bolt's 404.
        """
        def one_of(names: dict[str, Acknowledge]) -> re.Pattern[str]:
            return re.compile("^(?:" + "|".join(re.escape(name) for name in names) + ")$")

        def dispatch(find: Callable[[dict[str, Any]], Acknowledge | None], kind: str = "") -> Acknowledge:
            def acknowledge_request(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
                route = find(body)
                if route is None:
                    if kind:
                        logger.info("acknowledged a %s copbot has no route for (%s)", kind, _shown(body, kind))
                    ack()
                    return
                route(ack=ack, body=body, context=context, client=client)

            return acknowledge_request

        # Events first: messages and reactions are most of what Slack sends, so Bolt tries them first.
        if self.events:
            app.event(one_of(self.events))(dispatch(
                lambda body: self.events.get(str((body.get("event") or {}).get("type")))))
        if self.commands:
            app.command(one_of(self.commands))(dispatch(lambda body: self.commands.get(str(body.get("command")))))
        app.action(ANY)(dispatch(self._action_route, "click"))
        app.view(ANY)(dispatch(lambda body: self.views.get(str((body.get("view") or {}).get("callback_id"))), "form"))
        # copbot never asks to hear of a closed modal (notify_on_close); one reported all the same is acknowledged.
        app.view({"type": "view_closed", "callback_id": ANY})(dispatch(lambda body: None, "closed form"))


def _shown(body: dict[str, Any], kind: str) -> str:
    """The unknown id, short and printable, for the log (a forger chose it)."""
    if kind == "click":
        actions = body.get("actions") or [{}]
        name = (actions[0] if isinstance(actions[0], dict) else {}).get("action_id", "")
    else:
        name = (body.get("view") or {}).get("callback_id", "")
    return "".join(c if c.isprintable() else "?" for c in str(name)[:60]) or "no id"
