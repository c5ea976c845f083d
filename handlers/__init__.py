"""The door from Slack: Bolt listeners, one package per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

if TYPE_CHECKING:
    from handlers.routes import Routes


def all_routes() -> Routes:
    """Every listener, by what it answers."""
    # Imported here, not at the top: Block Kit builders in bot/ import handlers.ids, and importing
    # that must not load every listener (which import those builders in turn).
    from handlers import commands, events, interactivity, reactions
    from handlers.routes import Routes

    routes = Routes()
    for kind in (events, reactions, commands, interactivity):
        kind.register(routes)
    return routes


def register_all(app: App) -> None:
    from handlers import errors

    all_routes().install(app)
    errors.register(app)
