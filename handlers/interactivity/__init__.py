"""Buttons, menus and modal submissions: one module per feature, each with its own `register(app)`."""

from __future__ import annotations

from slack_bolt import App

from handlers.interactivity import actions, meeting_form, meetings, preferences, standups

# Feature modules with interactive listeners, registered in this order.
MODULES: tuple = (preferences, meetings, meeting_form, standups, actions)


def register(app: App) -> None:
    for module in MODULES:
        module.register(app)
