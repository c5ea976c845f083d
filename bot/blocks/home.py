"""The Home tab: one person's communities, actions, meetings, contributions and settings."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot.blocks.digest import item_line
from bot.blocks.governance import progress_line
from bot.blocks.programme import home_section
from bot.render import channel_link, context, divider, escape, fit_lines, header, plural, section, slack_date
from handlers.ids import ActionId
from models.attention import DM_KINDS
from models.digests import Item
from models.digests.personal import held_item
from models.digests.sections import counted
from models.home import Home
from models.hours import WorkingHours
from models.programme import Programme

MAX_BLOCKS = 100  # Slack's limit for a Home tab
SWITCH_LABELS = {"nudge": "Nudges", "digest": "Digest by DM", "newcomer": "Newcomer messages",
                 "meetings": "Meeting reminders", "standups": "Standup messages", "actions": "Action reminders",
                 "escalations": "Escalations", "scorecards": "Quarterly scorecards",
                 "maturity": "Maturity reminders", "lurker": "Happy lurker"}


def _switch(setting: str, on: bool) -> ButtonElement:
    return ButtonElement(text=f"Turn {SWITCH_LABELS[setting].lower()} {'off' if on else 'on'}",
                         action_id=f"{ActionId.HOME_SETTING}.{setting}",  # unique within the block
                         value=f"{setting}:{'off' if on else 'on'}",
                         style="primary" if not on else None)


def _settings(home: Home) -> list[Block]:
    person = home.person
    states = {kind: bool(getattr(person, DM_KINDS[kind].setting)) for kind in SWITCH_LABELS if kind in DM_KINDS}
    states["lurker"] = person.lurker
    lines = [f"*{SWITCH_LABELS[name]}:* {'on' if on else 'off'}" for name, on in states.items()]
    lines.append(f"*Working hours:* {WorkingHours.of(person).describe()} · `/cop hours` to change")
    lines.append(f"*Unasked-for messages:* {home.dms_this_week} of at most {person.dm_budget} in the last seven "
                 "days · `/cop dm-budget` to change")
    return [
        header("Your settings"),
        section("\n".join(lines)),
        ActionsBlock(elements=[_switch(name, on) for name, on in states.items()]),
    ]


def home_view(home: Home, *, now: dt.datetime, programme: Programme | None = None) -> View:
    """`programme`: the programme's summary, shown first, for an overall lead only (None for anyone else)."""
    blocks: list[Block] = [*home_section(programme), divider()] if programme is not None else []
    blocks.append(header("Your communities of practice"))
    if home.memberships:
        blocks.append(section(fit_lines([f"• *{escape(c.name)}* ({channel_link(c.channel_id)}) · {role.value}"
                                         for c, role in home.memberships])))
    else:
        blocks.append(section("You are not in a community yet. Join a community's channel, or type `/cop join` "
                              "in it."))
    blocks += [divider(), header("Your open actions")]
    actions = [Item(a.title, ref=f"#{a.id}", when=a.due_at, when_label="due", note=c.name) for a, c in home.actions]
    blocks.append(section(fit_lines([f"• {item_line(item)}" for item in actions]) if actions
                          else "Nothing on your plate."))
    if home.mentioned:
        blocks += [divider(), header("Mentioned you this week")]
        blocks.append(section(fit_lines([f"• {item_line(item)}" for item in home.mentioned])))
    if home.plans:
        blocks += [divider(), header("This year's plans")]
        blocks.append(section(fit_lines([f"*{escape(c.name)}*\n" + "\n".join(progress_line(p) for p in plan)
                                         for c, plan in home.plans])))
    blocks += [divider(), header("Coming up")]
    blocks.append(section(fit_lines([f"• *{escape(o.meeting.title)}* · {slack_date(o.starts_at)} · "
                                     f"{escape(o.meeting.community.name)}" for o in home.meetings])
                          if home.meetings else "No meetings in the next 30 days."))
    blocks += [divider(), header("Your last 30 days")]
    if home.contributions:
        total = sum(home.contributions.values())
        parts = ", ".join(counted(n, kind) for kind, n in sorted(home.contributions.items(), key=lambda kv: -kv[1]))
        blocks.append(section(f"{plural(total, 'contribution')}: {parts}. Thank you!"))
    else:
        blocks.append(section("Nothing yet: a reaction to something useful is a fine start."))
    if home.waiting:
        blocks += [divider(), header("Saved for your digest")]
        blocks.append(section(fit_lines([f"• {item_line(held_item(n))}" for n in home.waiting])))
    blocks += [divider(), *_settings(home),
               context(f"Updated {slack_date(now, '{date_short_pretty} at {time}')} · `/cop help` for everything")]
    return View(type="home", blocks=blocks[:MAX_BLOCKS])
