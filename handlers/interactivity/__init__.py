"""Buttons, menus and modal submissions: one module per feature, each naming its listeners in `register`."""

from __future__ import annotations

from handlers.commands import datarights
from handlers.interactivity import (
    actions,
    budget,
    maturity,
    meeting_form,
    meetings,
    newsletter,
    polls,
    preferences,
    standups,
    terms,
)
from handlers.routes import Routes

# Feature modules with interactive listeners, registered in this order.
MODULES: tuple = (preferences, meetings, meeting_form, standups, actions, datarights, budget, polls, terms, maturity,
                  newsletter)


def register(routes: Routes) -> None:
    for module in MODULES:
        module.register(routes)
