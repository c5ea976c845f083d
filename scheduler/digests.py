"""Digest jobs: the channel's copy at the community's slot, each subscriber's copy at their own 09:00."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.blocks.digest import Copy, digest_message
from bot.digests import post_channel_digest
from models.attention import handled_keys, release
from models.deliveries import enqueue
from models.digests import Period, Reading, Section, build_digest, sections_for_readers, shared_sections
from models.digests.due import channel_digests_due, dm_digests_due


def post_channel_digests(*, session: Session, now: dt.datetime) -> int:
    """Queue each community's weekly digest whose slot has come; one per community and week."""
    due = channel_digests_due(session, now=now)
    done = handled_keys(session, [d.key for d in due])
    queued = 0
    for item in due:
        if item.key not in done:
            queued += post_channel_digest(session, due=item, now=now)
    return queued


def send_digest_dms(*, session: Session, now: dt.datetime) -> int:
    """Queue each subscriber's copy, with their own part, at 09:00 their time; shared parts are built once,
    and the personal parts that can be are built for all readers together."""
    due = dm_digests_due(session, now=now)
    done = handled_keys(session, [d.key for d in due])
    todo = [item for item in due if item.key not in done]
    batched = sections_for_readers(session, [Reading(item.membership.community, item.period, item.membership.person)
                                             for item in todo])
    shared: dict[tuple[int, Period], list[Section]] = {}
    queued = 0
    for item in todo:
        community, person = item.membership.community, item.membership.person
        group = (community.id, item.period)
        if group not in shared:
            shared[group] = shared_sections(session, community=community, period=item.period)
        digest = build_digest(session, community=community, period=item.period, reader=person, shared=shared[group],
                              batched=batched.get((community.id, person.id), []))
        message = digest_message(digest, Copy.DM)
        if enqueue(session, key=item.key, team_id=community.team_id, channel=person.user_id, text=message.text,
                   blocks=message.blocks, kind="digest_dm", community_id=community.id, now=now):
            release(session, notice_ids=digest.releases, now=now)
            queued += 1
    return queued
