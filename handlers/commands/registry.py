"""Every `/cop` subcommand, said once: its name, grammar, help, examples, who may use it, and its handler.

Dispatch, `/cop help` and the README's table of commands all come from these entries, so that a
command's grammar cannot say one thing in its error message and another in the help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from models.errors import BadArgument, NotPermitted, UserFacingError

if TYPE_CHECKING:
    from handlers.base import Request

Handler = Callable[["Request", str], None]


class Who(StrEnum):
    """Who may use a command; the handler enforces it, the help and the README say it."""

    ANYONE = "anyone"
    CREATOR = "the channel's creator or an overall lead"
    LEADS = "leads"
    OVERALL_LEADS = "overall leads"


@dataclass(frozen=True)
class Command:
    """One subcommand: `/cop <name> <usage>`."""

    name: str                       # the words after `/cop`: "action add"
    handler: Handler
    help: str                       # what it does, in a sentence or two
    usage: str = ""                 # what follows the name: '"<title>" [@owner] [due <when>]'
    examples: tuple[str, ...] = ()  # whole commands as typed: "/cop action add ..."
    who: Who = Who.ANYONE
    aliases: tuple[str, ...] = ()   # other names for the same command: "meeting move"
    bare: bool = False              # also what the topic's word alone runs (`/cop action` lists)

    @property
    def head(self) -> str:
        """The first word: `action` of `action add`."""
        return self.name.split()[0]

    @property
    def line(self) -> str:
        """The command as it is typed, for usage lines and the README."""
        return f"/cop {self.name} {self.usage}".strip()


@dataclass(frozen=True)
class Topic:
    """A group of subcommands under one word (`meeting`), with what the help says of them together."""

    name: str
    about: str
    aliases: tuple[str, ...] = ()   # other words that find it: "meetings", or a command's name
    commands: tuple[Command, ...] = field(default=())


class Registry:
    """Finds the command a person typed, runs it, and fills in its usage on the errors it raises."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics: dict[str, Topic] = {}
        self._topic_names: dict[str, str] = {}
        self._commands: dict[str, Command] = {}
        self._bare: dict[str, Command] = {}
        for topic in topics:
            for name in (topic.name, *topic.aliases):
                if name in self._topic_names:
                    raise ValueError(f"the help topic {name!r} is registered twice")
                self._topic_names[name] = topic.name
            self.topics[topic.name] = topic
            for command in topic.commands:
                for name in (command.name, *command.aliases):
                    if name in self._commands:
                        raise ValueError(f"{name!r} is registered twice")
                    self._commands[name] = command
                if command.bare:
                    if command.head in self._bare:
                        raise ValueError(f"`/cop {command.head}` alone would run two commands")
                    self._bare[command.head] = command
        self._heads = {name.split()[0] for name in self._commands}

    def __iter__(self) -> Iterator[Command]:
        for topic in self.topics.values():
            yield from topic.commands

    def topic_of(self, word: str) -> Topic | None:
        name = self._topic_names.get(word.lower())
        return self.topics[name] if name else None

    def usage_of(self, head: str) -> str:
        """Every command that starts with this word, for a mistake in the word after it."""
        return " · ".join(command.line for command in self if command.head == head)

    def find(self, text: str) -> tuple[Command, str]:
        """The command `text` (what follows `/cop`) names, and the arguments after its name."""
        word, _, rest = text.strip().partition(" ")
        word = word.lower()
        # `meetings` is `meeting`: a topic's other names lead to its commands.
        head = word if word in self._heads else self._topic_names.get(word)
        if head not in self._heads:
            # No usage line: it would only say `/cop help` a second time.
            raise BadArgument(f"I don't know `/cop {word[:30]}`: it is not a command. "
                              "`/cop help` lists every command.")
        rest = rest.strip()
        second, _, after = rest.partition(" ")
        command = self._commands.get(f"{head} {second.lower()}") if second else None
        if command is not None:
            return command, after.strip()
        command = self._commands.get(head)
        if command is not None:
            return command, rest
        if not rest and head in self._bare:
            return self._bare[head], ""
        raise BadArgument(f"I don't know `/cop {head} {second.lower()[:30]}`.", usage=self.usage_of(head))

    def run(self, request: Request, text: str) -> None:
        command, args = self.find(text)
        try:
            command.handler(request, args)
        except UserFacingError as error:
            # A refusal says what would be allowed; other mistakes get the command's grammar.
            if error.usage is None and not isinstance(error, NotPermitted):
                error.usage = command.line
            raise

    def markdown_table(self) -> str:
        """The README's table of commands, one row per command."""
        rows = ["| command | who | what it does |", "|---|---|---|"]
        for command in self:
            names = [command.line, *(f"/cop {alias}" for alias in command.aliases)]
            cell = " / ".join(f"`{_cell(name)}`" for name in names)
            rows.append(f"| {cell} | {command.who} | {_cell(command.help)} |")
        return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
