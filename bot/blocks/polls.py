"""A poll in its channel: the question, a button per option, the counts so far, and who chose what unless
it is anonymous."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.render import Message, context, escape, fit_lines, plural, section, slack_date, truncate
from handlers.ids import ActionId
from models.polls import Poll, Tally

BAR = 10  # the widest bar, in blocks


def poll_key(poll_id: int) -> str:
    """The poll's message in the outbox, kept current as votes come in."""
    return f"poll:{poll_id}"


def poll_message(poll: Poll, tally: Tally, *, now: dt.datetime) -> Message:
    open_now = poll.is_open(now)
    lines = []
    for n, option in enumerate(poll.options):
        count = tally.counts[n]
        share = count / tally.total if tally.total else 0.0
        bar = "█" * round(share * BAR) or "▏"
        line = f"*{escape(option)}*  {bar} {count}"
        if not poll.anonymous and tally.names[n]:
            line += "\n" + truncate(", ".join(escape(name) for name in tally.names[n]), 500)
        lines.append(line)
    secrecy = (":lock: *Anonymous poll*: who voted what is never shown, and is kept only as a keyed hash that "
               "nothing can trace back once the poll closes." if poll.anonymous
               else ":eyes: An open poll: everyone sees who chose what.")
    when = (f"One vote each, changeable until {slack_date(poll.closes_at)}."
            if open_now else f"Closed {slack_date(poll.closed_at or poll.closes_at)}: final results.")
    blocks = [
        section(f":bar_chart: *Poll #{poll.id}:* {escape(poll.question)}"),
        section(fit_lines(lines)),
        context(f"{secrecy} {plural(tally.total, 'vote')}. {when}"),
    ]
    if open_now:
        blocks.append(ActionsBlock(block_id=f"poll:{poll.id}", elements=[
            ButtonElement(text=truncate(option, 75), action_id=f"{ActionId.POLL_VOTE}.{n}", value=f"{poll.id}:{n}")
            for n, option in enumerate(poll.options)]))
    return Message.of(f"Poll: {poll.question}"[:300], blocks)


def poll_results(poll: Poll, tally: Tally) -> Message:
    """Said in the poll's thread when it closes: the final counts, for whoever was not watching."""
    best = max(tally.counts) if tally.total else 0
    lines = [f"{'*' if count == best and best else ''}{escape(option)}{'*' if count == best and best else ''}: "
             f"{count}" for option, count in zip(poll.options, tally.counts, strict=True)]
    head = f":checkered_flag: Poll #{poll.id} has closed with {plural(tally.total, 'vote')}: {escape(poll.question)}"
    return Message.of(f"Poll #{poll.id} has closed", [section(head), section(fit_lines(lines))])


def vote_recorded(poll: Poll, option: int, *, changed: bool) -> Message:
    said = "Your vote is" if changed else "Your vote stays"
    tail = " Nobody can see it was yours." if poll.anonymous else ""
    return Message.of("Vote recorded", [section(
        f":ballot_box_with_ballot: {said} *{escape(poll.options[option])}*; you can change it until the poll "
        f"closes.{tail}")])


def poll_posted(poll: Poll) -> Message:
    return Message.of("Poll posted", [section(
        f":bar_chart: Poll #{poll.id} is in the channel, open until {slack_date(poll.closes_at)}"
        f"{' (anonymous)' if poll.anonymous else ''}.")])
