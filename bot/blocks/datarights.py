"""What `/cop export` and `/cop forget-me` say."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.render import Message, escape, plural, section
from handlers.ids import ActionId


def export_sent(*, what: str, filename: str, counts: dict[str, int]) -> Message:
    listed = ", ".join(f"{kind.replace('_', ' ')} {count}" for kind, count in counts.items())
    text = f"I've sent {what} to our DM as `{filename}` ({plural(sum(counts.values()), 'record')}: {listed})."
    return Message.of(text, [section(escape(text))])


def export_failed() -> Message:
    text = "I couldn't send the file to our DM just now (Slack refused it); nothing was sent. Try again later."
    return Message.of(text, [section(f":warning: {escape(text)}")])


def forget_me_question(user_id: str) -> Message:
    text = ("Forget you? Your profile and preferences (name, time zone, working hours, interests, expertise, DM "
            "settings) are deleted, you leave every community, your open actions go back to the pool, and your "
            "name in every record becomes \"a former member\". What you did still counts for the communities. "
            "This cannot be undone.")
    button = ButtonElement(text="Forget me", action_id=ActionId.FORGET_ME_CONFIRM.value, value=user_id,
                           style="danger")
    return Message.of(text, [section(escape(text)), ActionsBlock(elements=[button])])


def forgotten(rows: int) -> Message:
    text = (f"Done: you are forgotten. Your profile and preferences are deleted and {plural(rows, 'record')} "
            "now say \"a former member\" instead of you. If you come back, copbot will not know you.")
    return Message.of(text, [section(escape(text))])
