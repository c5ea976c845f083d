"""Wins as people see them: the weekly post to the wider business, `/cop wins`, and the overall leads' notices.

Nobody is mentioned: a post to the wider business names people by their display names, escaped like all
user text, so that it pings no one.
"""

from __future__ import annotations

from bot.render import SECTION_LIMIT, Message, channel_link, context, escape, fit_lines, header, plural, section
from models.communities import Community
from models.wins import Win, WinKind, WinsChannel, WinState
from models.wins.weekly import Waiting

# A header, a section per community and a footer: Slack's 50 blocks with room to spare.
MAX_COMMUNITIES = 45
MAX_PER_COMMUNITY = 15
STATE_MARKS = {WinState.QUEUED: "queued", WinState.HELD: ":double_vertical_bar: *held*", WinState.POSTED: "posted"}


def win_line(win: Win, names: dict[int, str]) -> str:
    """One win in a sentence, its user text escaped and its people named, not mentioned."""
    detail = win.detail or {}
    if win.kind is WinKind.OBJECTIVE:
        return f":white_check_mark: Objective of the {detail.get('year', '')} plan done: {escape(win.title)}"
    if win.kind is WinKind.TERMS:
        line = (f":scroll: Terms of Reference ratified (version {detail.get('version', '?')}), "
                f"{detail.get('agreed', 0)} agreed and {detail.get('objected', 0)} objected")
        if win.title:
            line += f": “{escape(win.title)}”"
        by = names.get(int(detail["by"])) if detail.get("by") else None
        return line + (f" · ratified by {escape(by)}" if by else "")
    if win.kind is WinKind.KPI:
        what = f"“{escape(win.title)}”" if detail.get("custom") else f"*{escape(win.title)}*"
        return (f":chart_with_upwards_trend: KPI met: {what} reached its {detail.get('year', '')} target of "
                f"{detail.get('target')} ({detail.get('value')} so far)")
    line = (f":clap: Kudos in {escape(win.title)}: {plural(int(detail.get('kudos', 0)), 'kudos', 'kudos')} to "
            f"{plural(int(detail.get('people', 0)), 'person', 'people')}")
    # Only those `names` has: someone who opted out of being ranked is never named as thanked most.
    notable = [f"{escape(names[int(person_id)])} ({n})" for person_id, n in detail.get("notable", [])
               if int(person_id) in names]
    return line + (f"; thanked most: {', '.join(notable)}" if notable else "")


def weekly_post(waiting: Waiting) -> tuple[Message, list[int]]:
    """The week's post, grouped by community, and the ids of the wins it shows: what does not fit in Slack's
    limits stays queued for the next week and is said to."""
    by_community: dict[int, list[Win]] = {}
    for win in waiting.wins:
        by_community.setdefault(win.community_id, []).append(win)
    blocks = [header(":trophy: Wins of the week")]
    shown: list[int] = []
    left = 0
    for index, (community_id, wins) in enumerate(by_community.items()):
        if index >= MAX_COMMUNITIES:
            left += len(wins)
            continue
        title = f"*{escape(waiting.communities[community_id].name)}*"
        lines, used = [], len(title)
        for win in wins:
            line = win_line(win, waiting.names)
            # Room for the line and an "and N more" after it.
            if len(lines) >= MAX_PER_COMMUNITY or used + len(line) + 60 > SECTION_LIMIT:
                break
            lines.append(line)
            shown.append(win.id)
            used += len(line) + 1
        more = len(wins) - len(lines)
        left += more
        if more:
            lines.append(f"…and {more} more next week")
        blocks.append(section("\n".join([title, *lines])))
    if left and len(by_community) > MAX_COMMUNITIES:
        blocks.append(context(f"…and {plural(left, 'more win')} next week"))
    blocks.append(context("Told by copbot from each community's records: objectives done, Terms of Reference "
                          "ratified, KPIs met and the month's kudos."))
    count = len(shown)
    text = (f"Wins of the week: {plural(count, 'win')} from "
            f"{plural(min(len(by_community), MAX_COMMUNITIES), 'community', 'communities')}")
    return Message.of(text, blocks), shown


def _where(channel: WinsChannel | None) -> str:
    if channel is None:
        return (":warning: No wins channel is chosen yet, so wins wait: an overall lead chooses one with "
                "`/cop wins channel #channel`.")
    if channel.broken:
        return (f":warning: The last post to {channel_link(channel.channel_id)} failed (`{escape(channel.broken)}`): "
                "wins wait until an overall lead chooses a channel again with `/cop wins channel #channel`.")
    return (f"Wins go to {channel_link(channel.channel_id)} in one post on Friday afternoons "
            f"({escape(channel.timezone)}).")


def wins_list(community: Community, wins: list[Win], names: dict[int, str], channel: WinsChannel | None, *,
              lead: bool) -> Message:
    """`/cop wins` in a community: its wins by number, what the next post will carry, and how to hold one."""
    title = f"Wins of {community.name}"
    blocks = [section(f"*{escape(title)}*\n{_where(channel)}")]
    if not wins:
        blocks.append(section("No wins waiting. Objectives done, Terms of Reference ratified, KPIs met and the "
                              "month's kudos appear here as they happen."))
    else:
        queued = sum(win.state is WinState.QUEUED for win in wins)
        lines = [f"*{win.number}.* {win_line(win, names)} · {STATE_MARKS[win.state]}" for win in wins]
        blocks.append(section(f"{plural(queued, 'win')} queued for the next post:\n" + fit_lines(lines, limit=2900)))
    if lead:
        blocks.append(context("Leads: `/cop wins hold &lt;n&gt;` keeps a win out of the post; "
                              "`/cop wins release &lt;n&gt;` lets it go."))
    return Message.of(title, blocks)


def wins_overview(channel: WinsChannel | None, counts: list[tuple[str, int, int]]) -> Message:
    """`/cop wins` outside a community, for an overall lead: the channel and what waits in each community."""
    lines = [f"*{escape(name)}*: {queued} queued" + (f", {held} held" if held else "") for name, queued, held in counts]
    return Message.of("Wins", [section(f"*Wins*\n{_where(channel)}"),
                               section(fit_lines(lines) if lines else "No wins waiting in any community.")])


def channel_set_reply(channel: WinsChannel) -> Message:
    return Message.of("Wins channel chosen", [section(
        f"Wins now go to {channel_link(channel.channel_id)}: one post a week, on Friday afternoons "
        f"({escape(channel.timezone)}), grouped by community. Nothing is posted in a week without wins.")])


def held_reply(win: Win, names: dict[int, str], *, held: bool) -> Message:
    verb = "held back: it stays out of the weekly post" if held else "released: it goes out in the next weekly post"
    return Message.of(f"Win {win.number} {'held' if held else 'released'}",
                      [section(f"Win *{win.number}* {verb}.\n{win_line(win, names)}")])


def no_channel_dm(counts: list[tuple[str, int, int]]) -> Message:
    waiting = sum(queued for _, queued, _ in counts)
    text = (f"{plural(waiting, 'win')} from {plural(len(counts), 'community', 'communities')} cannot be posted: no "
            "wins channel is chosen.")
    return Message.of(text, [section(
        f":warning: {escape(text)} Choose the announcements channel with `/cop wins channel #channel`; until then "
        "the wins wait, and `/cop wins` in a community lists its own.")])


def refused_dm(channel_id: str, error: str) -> Message:
    text = "The weekly post of wins could not be posted."
    return Message.of(text, [section(
        f":warning: {escape(text)} Slack said `{escape(error)}` for {channel_link(channel_id)} (archived, removed, "
        "or copbot is not in it). The wins are queued again and wait until an overall lead chooses a channel "
        "with `/cop wins channel #channel`.")])
