"""Buttons that change how copbot may reach a person: the mute and "Remind me tomorrow" buttons on DMs, the Home
tab's switches."""

from __future__ import annotations

import re

from bot.blocks import preferences
from bot.blocks.attention import snoozed
from bot.render import Message
from handlers.base import Request
from handlers.events.home import publish_home
from handlers.ids import ActionId
from handlers.routes import Routes
from models.attention import SWITCHABLE_KINDS, set_wanted, snooze
from models.errors import BadArgument

HOME_SWITCHES = (*SWITCHABLE_KINDS, "lurker")


def _value(request: Request) -> str:
    actions = request.body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def handle_mute_dm_kind_action(request: Request) -> None:
    """The button at the end of an unasked-for DM: turn that kind of message off."""
    kind = _value(request)
    if kind not in SWITCHABLE_KINDS:
        raise BadArgument("That button is out of date; `/cop help` lists the settings.")
    set_wanted(request.person(), kind, False)
    request.reply(preferences.switched(kind, False))


def handle_snooze_dm_action(request: Request) -> None:
    """"Remind me tomorrow" on a DM about work: it comes again the next working day; the message says when."""
    original, until = snooze(request.session, person=request.person(), key=_value(request), now=request.now)
    request.update_original(snoozed(Message(original.text, list(original.blocks or [])), until=until))


def handle_home_setting_action(request: Request) -> None:
    """A switch on the Home tab: flip the setting, then draw the tab again to show it."""
    setting, _, state = _value(request).partition(":")
    if setting not in HOME_SWITCHES or state not in ("on", "off"):
        raise BadArgument("That button is out of date; reopen the Home tab.")
    person = request.person()
    if setting == "lurker":
        person.lurker = state == "on"
    else:
        set_wanted(person, setting, state == "on")
    request.session.flush()
    publish_home(request)


def register(routes: Routes) -> None:
    routes.action(ActionId.MUTE_DM_KIND.value, handle_mute_dm_kind_action)
    routes.action(ActionId.SNOOZE_DM.value, handle_snooze_dm_action)
    routes.action(re.compile(rf"^{re.escape(ActionId.HOME_SETTING.value)}\."), handle_home_setting_action)
