"""Digest jobs: the channel's copy at the community's slot, each subscriber's copy at their own 09:00."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.digest import Copy, digest_message
from bot.digests import channel_digest
from models.attention import handled_keys, release
from models.deliveries import enqueue_many
from models.digests import Reading, Week, build_digest, sections_for_readers, sections_for_weeks
from models.digests.due import channel_digests_due, dm_digests_due


def post_channel_digests(*, session: Session, now: dt.datetime) -> int:
    """Queue each community's weekly digest whose slot has come; one per community and week."""
    due = channel_digests_due(session, now=now)
    done = handled_keys(session, [d.key for d in due])
    todo = [(item, Week(item.community, item.period)) for item in due if item.key not in done]
    shared = sections_for_weeks(session, [week for _, week in todo])
    return enqueue_many(session, [channel_digest(session, due=item, now=now, shared=shared[week.key])
                                  for item, week in todo])


def send_digest_dms(*, session: Session, now: dt.datetime) -> int:
    """Queue each subscriber's copy, with their own part, at 09:00 their time.

    The shared sections are built for every community and week together, every reader's own part for all
    readers together, and the copies go into the outbox in one batch: a few dozen statements in all.
    """
    due = dm_digests_due(session, now=now)
    done = handled_keys(session, [d.key for d in due])
    todo = [item for item in due if item.key not in done]
    readings = [Reading(item.membership.community, item.period, item.membership.person) for item in todo]
    personal = sections_for_readers(session, readings)
    shared = sections_for_weeks(session, [Week(reading.community, reading.period) for reading in readings])
    messages: list[dict[str, Any]] = []
    releases: list[int] = []
    for item, reading in zip(todo, readings, strict=True):
        community, person = reading.community, reading.reader
        digest = build_digest(session, community=community, period=reading.period, reader=person,
                              shared=shared[community.id, reading.period], batched=personal.get(reading.key, []))
        message = digest_message(digest, Copy.DM)
        messages.append(dict(key=item.key, team_id=community.team_id, channel=person.user_id,
                             text=message.text, blocks=message.blocks, kind="digest_dm", community_id=community.id,
                             now=now))
        releases += digest.releases
    queued = enqueue_many(session, messages)
    # Every key was found new above, and only this process schedules: each copy is queued, so what it
    # shows (or lets go) is released with it.
    release(session, notice_ids=releases, now=now)
    return queued
