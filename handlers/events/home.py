"""The Home tab, published afresh each time a person opens it."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks.home import home_view
from handlers.base import Request
from models.home import home_of
from models.people import Person, is_overall_lead
from models.programme import programme


def home_tab(session: Session, *, person: Person, admin_ids: frozenset[str], now: dt.datetime) -> View:
    """The person's Home tab; an overall lead's starts with the programme's summary. The same few statements
    whatever the number of communities."""
    overview = programme(session, now=now, full=False) if is_overall_lead(person, admin_ids) else None
    return home_view(home_of(session, person=person, now=now), now=now, programme=overview)


def publish_home(request: Request) -> None:
    """Build the person's Home tab now and publish it once the transaction is over."""
    person = request.person()
    view = home_tab(request.session, person=person, admin_ids=request.services.settings.admin_ids, now=request.now)
    request.after_commit(lambda: request.client.views_publish(user_id=person.user_id, view=view))


def handle_app_home_opened_event(request: Request) -> None:
    event = request.body.get("event") or {}
    # The Messages tab opens the same event; only the Home tab has anything to draw.
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    publish_home(request)
