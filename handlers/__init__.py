"""The door from Slack: Bolt listeners, one package per kind."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    # Imported here, not at the top: Block Kit builders in bot/ import handlers.ids, and importing
    # that must not load every listener (which import those builders in turn).
    from handlers import commands, errors, events, interactivity, reactions

    for kind in (commands, events, reactions, interactivity, errors):
        kind.register(app)
