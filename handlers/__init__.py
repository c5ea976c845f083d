"""The door from Slack: Bolt listeners, one package per kind."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    # Imported here, not at the top: Block Kit builders and jobs import `handlers.ids`, and loading
    # that must not pull in every listener (which import those builders in turn).
    from handlers import commands, errors, events, interactivity, reactions

    for kind in (commands, events, reactions, interactivity, errors):
        kind.register(app)
