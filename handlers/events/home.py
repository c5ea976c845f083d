"""The Home tab, published afresh each time a person opens it."""

from __future__ import annotations

from bot.blocks.home import home_view
from handlers.base import Request
from models.home import home_of
from models.people import is_overall_lead
from models.programme import programme


def publish_home(request: Request) -> None:
    """Build the person's Home tab now and publish it once the transaction is over; an overall lead's starts with
    the programme's summary."""
    person = request.person()
    overview = (programme(request.session, now=request.now, full=False)
                if is_overall_lead(person, request.services.settings.admin_ids) else None)
    view = home_view(home_of(request.session, person=person, now=request.now), now=request.now, programme=overview)
    request.after_commit(lambda: request.client.views_publish(user_id=person.user_id, view=view))


def handle_app_home_opened_event(request: Request) -> None:
    event = request.body.get("event") or {}
    # The Messages tab opens the same event; only the Home tab has anything to draw.
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    publish_home(request)
