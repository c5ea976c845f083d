"""The door from Slack: Bolt listeners, one package per kind."""

from __future__ import annotations

from slack_bolt import App

from handlers import commands, errors, events, interactivity, reactions


def register_all(app: App) -> None:
    for kind in (commands, events, reactions, interactivity, errors):
        kind.register(app)
