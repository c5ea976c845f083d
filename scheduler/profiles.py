"""Looking up the people copbot has only heard of: members enrolled with a channel at `/cop setup`
who have not acted since. Until their profile is known, so is not their time zone, and a zone is what
digests, nudges and standups are timed by; nobody should wait to act before they can be invited to."""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cards import cards_naming
from bot.db import unit_of_work
from bot.slack import look_up
from models.people import Membership, Person, store_profiles

logger = logging.getLogger(__name__)

# users.info allows about a hundred calls a minute; a few dozen every few minutes leaves room for the listeners.
BATCH = 25


def unprofiled_members(session: Session, *, limit: int = BATCH) -> list[tuple[str, str]]:
    """(team id, user id) of active members whose profile was never fetched, oldest first, in one query."""
    enrolled = select(Membership.person_id).where(Membership.active.is_(True))
    return [(team_id, user_id) for team_id, user_id in session.execute(
        select(Person.team_id, Person.user_id).where(
            Person.id.in_(enrolled), Person.profile_fetched_at.is_(None), Person.deleted.is_(False))
        .order_by(Person.id).limit(limit))]


def refresh_profiles(*, sessions: sessionmaker[Session], client: WebClient, now: dt.datetime) -> int:
    """Fetch the profiles of up to BATCH such members, and name them on the cards that could not; returns how
    many were fetched.

    Read, ask Slack, then write: each in its own step, so no transaction waits on Slack.
    """
    with unit_of_work(sessions) as session:
        wanted = unprofiled_members(session)
    answer = look_up(client, wanted)  # rate limited, or Slack in trouble: the next run carries on
    with unit_of_work(sessions) as session:
        store_profiles(session, profiles=answer.found, gone=answer.gone, now=now)
        edits = cards_naming(session, people=answer.found, now=now)
    # Cards that showed these people as "someone" now name them, once the names are committed.
    for edit in edits:
        try:
            client.chat_update(channel=edit.channel, ts=edit.ts, text=edit.message.text, blocks=edit.message.blocks)
        except SlackApiError as error:
            logger.warning("could not correct an action's card (%s)", error.response.get("error"))
    return len(answer.found)
