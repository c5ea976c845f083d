"""The buttons on a poll: one vote per person, changed by pressing another."""

from __future__ import annotations

import re

from bot.blocks import polls as blocks
from bot.polls import refresh_poll
from bot.render import notice
from handlers.base import Request
from handlers.ids import ActionId
from handlers.routes import Routes
from models.errors import BadArgument
from models.polls import get_poll, vote


def handle_poll_vote_action(request: Request) -> None:
    value = str(((request.body.get("actions") or [{}])[0]).get("value", ""))
    poll_id, _, option = value.partition(":")
    if not (poll_id.isdigit() and option.isdigit() and len(poll_id) < 10 and len(option) < 3):
        raise BadArgument("That button no longer points at a poll.")
    poll = get_poll(request.session, team_id=request.team_id, poll_id=int(poll_id))
    if poll.is_open(request.now):
        changed = vote(request.session, poll=poll, person=request.person(), option=int(option), now=request.now)
        request.reply(blocks.vote_recorded(poll, int(option), changed=changed))
    else:
        request.reply(notice("This poll has closed; its results stay on it."))
    edit = refresh_poll(request.session, poll, now=request.now)
    request.update_after_commit(edit)


def register(routes: Routes) -> None:
    routes.action(re.compile(rf"^{re.escape(ActionId.POLL_VOTE.value)}\.\d+$"), handle_poll_vote_action)
