"""Buttons that change how copbot may reach a person: the mute button at the end of DMs."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import preferences
from handlers.base import Request, listener
from handlers.ids import ActionId
from models.attention import DM_KINDS, set_wanted
from models.errors import BadArgument


def _value(request: Request) -> str:
    actions = request.body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def handle_mute_dm_kind_action(request: Request) -> None:
    """The button at the end of an unasked-for DM: turn that kind of message off."""
    kind = _value(request)
    if kind not in DM_KINDS:
        raise BadArgument("That button is out of date; `/cop help` lists the settings.")
    set_wanted(request.person(), kind, False)
    request.reply(preferences.switched(kind, False))


def register(app: App) -> None:
    app.action(ActionId.MUTE_DM_KIND.value)(listener(handle_mute_dm_kind_action))
