"""Which listener answers which request, installed in Bolt as one listener per kind of request.

Bolt tries its listeners in turn and builds each matcher's arguments as it goes; with a listener per
command, event type, button and form, an event was matched against a dozen before its own, and that
matching was a third of the acknowledgement's time. Here each package names its listeners (`register`
takes a Routes), Bolt is given four (commands, events, buttons, forms), and the route is found by a
dictionary lookup on the name Slack sends, or the first matching pattern for ids that carry a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.base import Handler, listener

Acknowledge = Callable[..., None]


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
        """Four Bolt listeners, each matching exactly what a route exists for (anything else stays a 404)."""
        def one_of(names: dict[str, Acknowledge]) -> re.Pattern[str]:
            return re.compile("^(?:" + "|".join(re.escape(name) for name in names) + ")$")

        def dispatch(find: Callable[[dict[str, Any]], Acknowledge | None]) -> Acknowledge:
            def acknowledge_request(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
                route = find(body)
                if route is None:  # Bolt's matcher let it through, so a route exists; be safe all the same
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
        if self.actions or self.action_patterns:
            patterns = [re.escape(name) for name in self.actions] + [p.pattern for p, _ in self.action_patterns]
            app.action(re.compile("|".join(f"(?:{p})" if p.startswith("^") else f"(?:^{p}$)" for p in patterns)))(
                dispatch(self._action_route))
        if self.views:
            app.view(one_of(self.views))(dispatch(
                lambda body: self.views.get(str((body.get("view") or {}).get("callback_id")))))
