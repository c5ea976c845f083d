"""`/cop help`: drawn from the command registry, so that it says exactly what dispatch accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render import Message, context, escape, fit_lines, header, section

if TYPE_CHECKING:
    from handlers.commands.registry import Command, Registry, Topic


def _line(command: Command) -> str:
    who = "" if command.who == "anyone" else f" _({command.who})_"
    return f"`{escape(command.line)}`{who}"


def topic_help(topic: Topic) -> Message:
    lines = [f"{_line(c)}: {escape(c.help)}" for c in topic.commands]
    examples = [e for c in topic.commands for e in c.examples]
    return Message.of(f"/cop {topic.name}", [
        section(fit_lines(lines)), section(escape(topic.about)),
        context("Examples: " + " · ".join(f"`{escape(e)}`" for e in examples[:8])),
    ])


def help_message(registry: Registry, topic: str | None = None) -> Message:
    """Every command by topic, or one topic with what each command does and examples."""
    found = registry.topic_of(topic) if topic else None
    if found is not None:
        return topic_help(found)
    blocks = [
        header("copbot keeps your community of practice going"),
        section("It records meetings and contributions, reminds people before meetings and welcomes "
                "newcomers, right here in Slack."),
    ]
    blocks += [section(f"*{escape(t.name)}*  " + "  ".join(_line(c) for c in t.commands))
               for t in registry.topics.values()]
    blocks.append(context("`/cop help &lt;topic&gt;` shows one topic with examples; topics: "
                          + ", ".join(registry.topics) + ". Reactions on messages in a community's channel count "
                          "as contributions."))
    if topic:
        blocks.insert(0, section(f":grey_question: There is no help topic `{escape(topic)}`."))
    return Message.of("copbot help", blocks)
