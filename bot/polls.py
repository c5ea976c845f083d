"""A poll's message kept current with its votes: rewritten in the outbox while queued, edited once sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.polls import poll_key, poll_message, poll_results
from bot.cards import CardEdit, show_current
from models.deliveries import Delivery, delivery_by_key, enqueue_many
from models.polls import Poll, Tally, close_polls, due_polls, tallies


def _show(delivery: Delivery, poll: Poll, tally: Tally, now: dt.datetime) -> CardEdit | None:
    return show_current(delivery, poll_message(poll, tally, now=now))


def refresh_poll(session: Session, poll: Poll, *, now: dt.datetime) -> CardEdit | None:
    """Show the poll's counts (and, once closed, its final form); the chat.update to make, if it was sent."""
    delivery = delivery_by_key(session, key=poll_key(poll.id))
    if delivery is None:
        return None
    return _show(delivery, poll, tallies(session, polls=[poll])[poll.id], now)


def close_due_polls(session: Session, *, now: dt.datetime) -> int:
    """Close every poll whose time has come: its secret goes, its message shows the final results without its
    buttons (an edit through the outbox, since jobs never call Slack), and its thread is told them."""
    polls = due_polls(session, now=now)
    if not polls:
        return 0
    close_polls(session, polls=polls, now=now)
    counted = tallies(session, polls=polls)
    shown = {d.key: d for d in session.scalars(select(Delivery).where(
        Delivery.key.in_([poll_key(poll.id) for poll in polls])))}
    posts = []
    for poll in polls:
        delivery = shown.get(poll_key(poll.id))
        if delivery is None:
            continue
        # Not posted yet, it goes out closed; already in Slack, it is edited.
        edit = _show(delivery, poll, counted[poll.id], now)
        if edit is not None:
            posts.append(dict(key=f"{poll_key(poll.id)}:final", team_id=poll.team_id, channel=edit.channel,
                              text=edit.message.text, blocks=edit.message.blocks, kind="poll",
                              community_id=poll.community_id, edit_ts=edit.ts, now=now))
        results = poll_results(poll, counted[poll.id])
        posts.append(dict(key=f"{poll_key(poll.id)}:closed", team_id=poll.team_id, channel=delivery.channel,
                          text=results.text, blocks=results.blocks, kind="poll", community_id=poll.community_id,
                          thread_ts=delivery.sent_ts, now=now))
    enqueue_many(session, posts)
    return len(polls)
