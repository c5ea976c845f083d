"""The Home tab, published afresh each time a person opens it."""

from __future__ import annotations

from bot.blocks.home import home_view
from handlers.base import Request
from models.home import home_of


def publish_home(request: Request) -> None:
    """Build the person's Home tab now and publish it once the transaction is over."""
    person = request.person()
    view = home_view(home_of(request.session, person=person, now=request.now), now=request.now)
    request.after_commit(lambda: request.client.views_publish(user_id=person.user_id, view=view))


def handle_app_home_opened_event(request: Request) -> None:
    event = request.body.get("event") or {}
    # The Messages tab opens the same event; only the Home tab has anything to draw.
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    publish_home(request)
