"""Names a request's work shows but copbot has never looked up (people enrolled with a channel at set-up):
asked of Slack once the work has committed, never while its transaction is open.

Each users.info call takes 100-300 ms; made inside the work, it would hold the transaction (and the rows it
locked) open that long. So the work shows them as "someone" and says whom it wants named
(`Request.want_names`); after the commit they are looked up, stored in a short transaction of their own, and the
cards that showed them are corrected: rewritten in the outbox if still queued, else with chat.update. Whom
Slack would not name then (it said wait) is named later by the profile job, which corrects the cards likewise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Sequence

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.cards import cards_naming
from bot.db import unit_of_work
from bot.services import Services
from bot.slack import look_up
from models.communities import community_for_channel
from models.people import get_person, store_profiles, upsert_person

logger = logging.getLogger(__name__)


def name_people(services: Services, *, team_id: str, user_ids: Collection[str], now: dt.datetime,
                then: Sequence[Callable[[Session], None]] = ()) -> None:
    """Look these people up with no transaction open, store what Slack said and correct the cards (and run
    `then`) in a short transaction, then update the cards already posted. Best effort: the work is committed."""
    # Each is asked even after a refusal: a card's few people are all it wants; whom Slack refused is named
    # by the profile job.
    answer = look_up(services.client, [(team_id, user_id) for user_id in sorted(set(user_ids))],
                     stop_at_first_refusal=False)
    if not answer.found and not answer.gone:
        return
    try:
        with unit_of_work(services.sessions) as session:
            store_profiles(session, profiles=answer.found, gone=answer.gone, now=now)
            edits = cards_naming(session, people=answer.found, now=now)
            for redo in then:
                redo(session)
    except SQLAlchemyError as error:
        logger.warning("could not store the names just looked up (%s); the profile job will", type(error).__name__)
        return
    for edit in edits:
        try:
            services.client.chat_update(channel=edit.channel, ts=edit.ts, text=edit.message.text,
                                        blocks=edit.message.blocks)
        except SlackApiError as error:
            logger.warning("could not correct an action's card (%s)", error.response.get("error"))


def know_the_actors(services: Services, *, kind: str, team_id: str, user_ids: Sequence[str],
                    channel_id: str | None, now: dt.datetime) -> None:
    """Before the work's transaction opens: the person who acted (and the author of the message they reacted to),
    looked up in Slack when copbot has no fresh profile of them, and stored in a short transaction of its own. The
    work then finds them and asks Slack nothing while it holds its locks (on SQLite, the one write lock every
    acknowledgement waits for).

    An event outside every community's channel is left alone (its work does nothing with the people). Best
    effort: when Slack or the database says no now, the work asks as it always did.
    """
    wanted = sorted({user_id for user_id in user_ids if user_id})
    try:
        with unit_of_work(services.sessions) as session:
            if kind == "event" and (channel_id is None or community_for_channel(
                    session, team_id=team_id, channel_id=channel_id) is None):
                return
            fresh = {user_id for user_id in wanted
                     if (person := get_person(session, team_id=team_id, user_id=user_id)) is not None
                     and not person.profile_is_stale(now)}
    except SQLAlchemyError:
        return
    found = look_up(services.client, [(team_id, user_id) for user_id in wanted if user_id not in fresh]).found
    if not found:
        return
    try:
        with unit_of_work(services.sessions) as session:
            for (_, user_id), profile in found.items():
                upsert_person(session, team_id=team_id, user_id=user_id, profile=profile, now=now)
    except SQLAlchemyError as error:
        logger.warning("could not store a profile before the work (%s); the work looks it up", type(error).__name__)
