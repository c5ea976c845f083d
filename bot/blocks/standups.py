"""What copbot says about standups: the questions, the DM that asks them, the modal, the summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.blocks.attention import why_footer
from bot.render import (
    Message,
    context,
    escape,
    fit_lines,
    header,
    mention,
    plural,
    section,
    slack_date,
    truncate,
)
from handlers.ids import ActionId, BlockId, ViewId
from models.when import format_day


def _questions(questions: Sequence[str]) -> str:
    return "\n".join(f"{n}. {escape(q)}" for n, q in enumerate(questions, start=1))


def _answer_button(run_id: int, label: str = "Post my update") -> ActionsBlock:
    return ActionsBlock(elements=[ButtonElement(text=label, action_id=ActionId.STANDUP_OPEN, value=str(run_id),
                                                style="primary")])


def standup_thread(questions: Sequence[str], *, started_by: str, run_id: int, closes_at: dt.datetime) -> Message:
    return Message.of("Standup: answer in this thread", [
        header("Standup"),
        section(f"{mention(started_by)} started a standup. Answer in this thread (a line per question, or "
                f"`1.` `2.` `3.`), or with the button:\n{_questions(questions)}"),
        _answer_button(run_id),
        context(f"Closes {slack_date(closes_at, '{time}')} or at `/cop standup end`; then one summary is posted "
                "here. A blocker becomes a blocked action."),
    ])


def ask_dm(
    *, community: str, questions: Sequence[str], day: dt.date, run_id: int, days: str, at: dt.time
) -> Message:
    return Message.of(f"Standup for {community}: how's it going?", [
        section(f":wave: Standup for *{escape(community)}*, {format_day(day)}:\n{_questions(questions)}"),
        _answer_button(run_id, "Write my update"),
        *why_footer("standups", f"You're asked because you're a member of *{escape(community)}*, which holds its "
                                f"standup by DM on {days} at {at:%H:%M} your time. `/cop away &lt;until&gt;` pauses "
                                "these while you're away."),
    ])


def held_ask_summary(*, community: str, day: dt.date) -> str:
    """A standup ask held back (the budget, or hours that end before the standup closes), as its person reads it
    in their digest."""
    return (f"The standup of {community} on {format_day(day)}: not asked, to keep to your working hours and weekly "
            "DM budget, so not counted as missing")


def schedule_announcement(*, by: str, when: str) -> Message:
    return Message.of("Asynchronous standup scheduled", [section(
        f":sunrise: {mention(by)} set up an asynchronous standup: every member is asked by DM on {when}, *their "
        "own time*. The summary is posted here once the last of them has had time to answer.")])


def answer_modal(*, run_id: int, community: str, questions: Sequence[str], answers: Sequence[str]) -> View:
    blocks = [
        InputBlock(block_id=f"{BlockId.STANDUP_QUESTION}:{n}", label=truncate(question, 2000), optional=n > 0,
                   element=PlainTextInputElement(action_id=ActionId.STANDUP_ANSWER, multiline=True, max_length=2000,
                                                 initial_value=(answers[n] if n < len(answers) else "") or None))
        for n, question in enumerate(questions)
    ]
    return View(type="modal", callback_id=ViewId.STANDUP_ANSWER, private_metadata=str(run_id),
                title=truncate("Standup", 24), submit="Post update", close="Cancel",
                blocks=[section(f"Your update for *{escape(community)}*"), *blocks])


def _update_line(user_id: str, questions: Sequence[str], answers: Sequence[str], *, blocked: bool) -> str:
    parts = [f"_{escape(truncate(q, 40))}_ {escape(a)}" for q, a in zip(questions, answers, strict=False) if a]
    return f"{mention(user_id)}{' :no_entry:' if blocked else ''}\n" + "\n".join(parts)


def _update_lines(summary: Mapping[str, Any]) -> list[str]:
    return [_update_line(update["user"], summary["questions"], update["answers"],
                         blocked=bool(update.get("blocker_action"))) for update in summary["updates"]]


def update_in_thread(user_id: str, questions: Sequence[str], answers: Sequence[str], *, blocked: bool) -> Message:
    """An update given through the form, shown in the standup's thread like the ones typed there."""
    return Message.of("Standup update", [
        section(truncate(_update_line(user_id, questions, answers, blocked=blocked), 3000)),
        context("Posted from the standup form."),
    ])


def summary_message(summary: Mapping[str, Any]) -> Message:
    """The summary posted in the channel: the updates and the blockers, never who did not answer."""
    when = format_day(dt.date.fromisoformat(summary["date"])) if summary.get("date") else \
        slack_date(dt.datetime.fromisoformat(summary["started_at"]), "{date_short_pretty}")
    blockers = [u for u in summary["updates"] if u.get("blocker_action")]
    blocks: list[Block] = [
        header(truncate(f"Standup summary: {summary['community']}", 150)),
        context(f"{when} · {plural(len(summary['updates']), 'update')} · {len(blockers)} blocked"),
    ]
    lines = _update_lines(summary)
    blocks += [section(fit_lines(lines[i:i + 5])) for i in range(0, min(len(lines), 200), 5)] or \
        [section("_No updates this time._")]
    if blockers:
        blocks.append(context("Blockers are now blocked actions owned by whoever raised them; a lead can help "
                              "unblock them."))
    return Message.of(f"Standup summary: {summary['community']}", blocks)


def missing_note(summary: Mapping[str, Any]) -> str:
    missing = ", ".join(mention(u) for u in summary["missing"]) or "nobody"
    away = f" ({len(summary['away'])} away, not counted)" if summary.get("away") else ""
    return f"No update from: {missing}{away}."


def missing_dm(summary: Mapping[str, Any]) -> Message:
    return Message.of(f"Standup of {summary['community']}: who did not answer", [
        section(f"The standup of *{escape(summary['community'])}* has closed. {missing_note(summary)}"),
        *why_footer("standups", f"You got this because you lead *{escape(summary['community'])}*; only its leads "
                                "see this, it is never posted in the channel."),
    ])


def missing_summary(summary: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """Who did not answer, by name (`names`: user id -> display name), for a lead's digest."""
    on = f" on {format_day(dt.date.fromisoformat(summary['date']))}" if summary.get("date") else ""
    missing = ", ".join(names.get(user, user) for user in summary["missing"]) or "nobody"
    return f"The standup of {summary['community']}{on} closed; no update from {missing}"


def ended_reply(summary: Mapping[str, Any]) -> Message:
    return Message.of("Standup ended", [
        section(f"Standup ended: {plural(len(summary['updates']), 'update')}, the summary is in the channel."),
        context(f"Only you see this. {missing_note(summary)}"),
    ])


def late_dm(community: str) -> Message:
    return Message.of("Your standup update came too late", [section(
        f"The standup of *{escape(community)}* closed before your update arrived, so it is not in the summary. "
        "Post it in the channel if it still matters.")])
