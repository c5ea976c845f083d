"""Who a member's text mentioned, noted with the record it became: stored text keeps only "@name"."""

from __future__ import annotations

from handlers.base import Request
from handlers.slack_text import mentioned_users
from models.mentions import MentionSource, record_mentions
from models.people import Person


def note_mentions(request: Request, slack_text: str, *, community_id: int, source: MentionSource, record_id: int,
                  by: Person | None, text: str, permalink: str | None = None) -> None:
    """Record the people `slack_text` (as Slack sent it, `<@U1>` and all) mentions, for their digest.

    Whoever wrote it, copbot and Slackbot are left out before anyone is looked up.
    """
    left_out = {request.bot_user_id, "USLACKBOT", by.user_id if by is not None else ""}
    user_ids = [user_id for user_id in mentioned_users(slack_text) if user_id not in left_out]
    if not user_ids:
        return
    record_mentions(request.session, community_id=community_id, source=source, record_id=record_id,
                    mentioned=[request.person(user_id) for user_id in user_ids], by=by, text=text,
                    now=request.now, permalink=permalink)
