"""How recognition looks: kudos in the channel, a person's portfolio, the league table.

The kudos announcement mentions its receiver (being told is the point); the leaderboard and the
portfolio name people without pinging anyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import name
from bot.blocks.health import league_footer
from bot.render import Message, context, escape, fit_lines, mention, plural, section, slack_date, truncate
from models.contributions import ContributionKind
from models.health.formula import COMPONENTS
from models.health.league import LeagueRow
from models.people import Person
from models.recognition.kudos import Kudos
from models.recognition.standing import Portfolio

KIND_LABELS = {
    ContributionKind.MESSAGE: "messages",
    ContributionKind.THREAD_REPLY: "thread replies",
    ContributionKind.REACTION_GIVEN: "reactions given",
    ContributionKind.IDEA: "ideas",
    ContributionKind.APPRECIATION_RECEIVED: "appreciation received",
    ContributionKind.KUDOS_GIVEN: "kudos given",
    ContributionKind.KUDOS_RECEIVED: "kudos received",
    ContributionKind.ACTION_CREATED: "actions created",
    ContributionKind.ACTION_CLOSED: "actions closed",
    ContributionKind.MEETING_ATTENDED: "meetings attended",
    ContributionKind.MEETING_LED: "meetings led",
    ContributionKind.RSVP: "RSVPs",
    ContributionKind.AGENDA_ITEM: "agenda items",
    ContributionKind.DECISION: "decisions",
    ContributionKind.MEETING_NOTE: "meeting notes",
    ContributionKind.STANDUP_UPDATE: "standup updates",
    ContributionKind.KNOWLEDGE_ITEM: "knowledge shared",
}


def kudos_announcement(kudos: Kudos) -> Message:
    return Message.of(f"Kudos to {kudos.receiver.display_name} from {kudos.giver.display_name}", [
        section(f":sparkles: *Kudos to {mention(kudos.receiver.user_id)}* from {name(kudos.giver)}\n"
                f">{escape(kudos.reason)}"),
        context("`/kudos @someone &lt;what for&gt;` thanks someone in public"),
    ])


def kudos_reply(kudos: Kudos, remaining: int) -> Message:
    more = f"You can give {remaining} more today." if remaining else "That was your last kudos for today."
    return Message.of("Kudos sent", [section(
        f":sparkles: Kudos to {name(kudos.receiver)} are in *{escape(kudos.community.name)}*'s channel. {more}")])


def portfolio_message(portfolio: Portfolio, kudos: Sequence[Kudos]) -> Message:
    who = name(portfolio.person)
    if not portfolio.all_time:
        return Message.of(f"Contributions of {portfolio.person.display_name}", [
            section(f"No contributions recorded for {who} yet.")])
    heads = [m.strftime("%b") for m in portfolio.months]
    rows = [f"{'':<22}" + "".join(f"{h:>5}" for h in heads) + f"{'all time':>10}"]
    for kind in sorted(portfolio.all_time, key=list(ContributionKind).index):
        label = KIND_LABELS.get(kind, kind.value.replace("_", " "))
        rows.append(f"{label:<22}" + "".join(f"{n:>5}" for n in portfolio.by_month[kind])
                    + f"{portfolio.all_time[kind]:>10}")
    blocks = [section(f"*Contributions of {who}*, in every community, by month in their time zone"),
              section("```" + "\n".join(rows) + "```")]
    if kudos:
        lines = [f"“{escape(truncate(k.reason, 150))}” from {name(k.giver)}, {slack_date(k.created_at, '{date_short}')}"
                 for k in kudos]
        blocks.append(section("*Kudos received*\n" + fit_lines(lines)))
    blocks.append(context("A portfolio for review time: `/cop stats` for yours, `/cop stats @someone` for theirs."))
    return Message.of(f"Contributions of {portfolio.person.display_name}", blocks)


def _league_line(rank: int, row: LeagueRow, period: str) -> str:
    reading = row.reading
    health = "no data" if reading.health is None else f"*{reading.health}*"
    missing = [c.label for c in COMPONENTS if c.key in reading.missing]
    gaps = f" · missing: {', '.join(missing)}" if missing else ""
    return (f"{rank}. *{escape(reading.community.name)}* · health {health} · {reading.active} of "
            f"{reading.members} members active · {plural(row.contributions, 'contribution')} in the last {period}"
            f"{gaps}")


def leaderboard(period: str, table: Sequence[LeagueRow], top: Sequence[tuple[Person, int]]) -> Message:
    lines = [_league_line(rank, row, period) for rank, row in enumerate(table, start=1)]
    people = [f"{rank}. {name(person)} · {plural(points, 'point')}"
              for rank, (person, points) in enumerate(top, start=1)]
    return Message.of(f"Leaderboard, last {period}", [
        section("*Communities by health*\n" + (fit_lines(lines) if lines else "_No communities yet._")),
        section(f"*Top contributors, last {period}*\n" + (fit_lines(people) if people else "_Nobody yet._")),
        context(league_footer()),
        context("Points weigh closing actions and sharing knowledge above reacting. `/cop leaderboard opt-out` "
                "keeps you off the top contributors."),
    ])


def opt_reply(*, opted_out: bool) -> Message:
    if opted_out:
        return Message.of("You are off the leaderboard", [section(
            "You no longer appear among the top contributors, and only you and your leads see your `/cop stats`. "
            "Your contributions still count for your community's health. `/cop leaderboard opt-in` undoes it.")])
    return Message.of("You are on the leaderboard", [section(
        "You can appear among the top contributors again. `/cop leaderboard opt-out` takes you off.")])
