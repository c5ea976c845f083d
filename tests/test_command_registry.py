"""The command registry: dispatch, `/cop help` and the README's table all say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.blocks.help import help_message
from bot.render import MAX_BLOCKS, SECTION_LIMIT
from handlers.commands import REGISTRY
from handlers.commands.registry import Command, Registry, Topic, Who
from models.errors import BadArgument, NotPermitted, UserFacingError
from tests.community import Typist, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)

README = Path(__file__).resolve().parent.parent / "README.md"
TABLE = re.compile(r"<!-- commands: start -->\n(.*?)\n<!-- commands: end -->", re.S)
COMMANDS = list(REGISTRY)


def typed(example: str) -> str:
    """What follows `/cop` in an example (`/kudos` is `/cop kudos`)."""
    return re.sub(r"^/(?:cop|kudos)\s*", lambda m: "" if "cop" in m.group(0) else "kudos ", example)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_each_example_runs_the_command_it_illustrates(command: Command):
    assert command.examples, f"`/cop {command.name}` has no example"
    for example in command.examples:
        found, _ = REGISTRY.find(typed(example))
        assert found is command, (example, found.name)


def test_the_readme_lists_exactly_the_registered_commands():
    match = TABLE.search(README.read_text())
    assert match, "README.md lost its generated table of commands"
    assert match.group(1) == REGISTRY.markdown_table(), "run `make docs` to bring README.md's table up to date"


def test_every_command_appears_in_help_within_slack_limits():
    overview = help_message(REGISTRY)
    text = str(overview.blocks)
    for command in COMMANDS:
        assert command.line.replace("<", "&lt;").replace(">", "&gt;") in text, command.name
    for name, topic in REGISTRY.topics.items():
        for word in (name, *topic.aliases):
            message = help_message(REGISTRY, word)
            assert message.blocks[0]["text"]["text"].startswith(f"`/cop {topic.commands[0].name}")
            assert len(message.blocks) <= MAX_BLOCKS
            assert all(len(b.get("text", {}).get("text", "")) <= SECTION_LIMIT for b in message.blocks)
    assert len(overview.blocks) <= MAX_BLOCKS


def test_a_mistake_in_a_subcommand_names_that_topic_and_its_grammar():
    with pytest.raises(BadArgument) as raised:
        REGISTRY.find("action frobnicate 12")
    assert "`/cop action frobnicate`" in str(raised.value)
    assert "/cop action add" in raised.value.usage and "/cop action ladder" in raised.value.usage
    with pytest.raises(BadArgument) as raised:
        REGISTRY.find("frobnicate")
    assert raised.value.usage is None  # only "it is not a command; /cop help lists every command"


def test_other_names_and_bare_topics_find_their_commands():
    assert REGISTRY.find("meetings")[0].name == "meeting list"
    assert REGISTRY.find("meeting move 3 to fri 3pm") == (REGISTRY.find("meeting reschedule 1")[0], "3 to fri 3pm")
    assert REGISTRY.find("lurker on") == (REGISTRY.find("lurker off")[0], "on")
    assert REGISTRY.find("nudges after 30")[0].name == "nudges after"
    assert REGISTRY.find("nudges off")[0].name == "nudges"
    assert REGISTRY.find("ACTION List mine")[0].name == "action list"


def test_the_registry_refuses_a_name_said_twice():
    def noop(request, args):
        return None

    twice = Topic("x", about="", commands=(Command("x go", noop, help="", examples=("/cop x go",)),
                                           Command("x run", noop, help="", aliases=("x go",))))
    with pytest.raises(ValueError, match="registered twice"):
        Registry([twice])


def test_errors_get_the_grammar_of_the_command_that_raised_them_but_refusals_do_not():
    def fails(error: UserFacingError):
        def handler(request, args):
            raise error
        return handler

    registry = Registry([Topic("t", about="", commands=(
        Command("t bad", fails(BadArgument("no")), usage="<n>", help=""),
        Command("t no", fails(NotPermitted("leads only")), usage="<n>", help=""),
    ))])
    with pytest.raises(BadArgument) as raised:
        registry.run(None, "t bad 1")
    assert raised.value.usage == "/cop t bad <n>"
    with pytest.raises(NotPermitted) as refused:
        registry.run(None, "t no 1")
    assert refused.value.usage is None


LEAD_ONLY = [c for c in COMMANDS if c.who == Who.LEADS]


@pytest.mark.slow
def test_what_the_registry_says_is_for_leads_is_refused_to_a_member(bot, cop: Typist):
    """Chandra is a plain member of DevOps CoP: every leads-only example is refused to her, and changes nothing."""
    assert LEAD_ONLY
    for command in LEAD_ONLY:
        example = next((e for e in command.examples if typed(e).strip() != command.name), command.examples[0])
        reply = cop("UCHANDRA", typed(example))
        assert "lead" in reply.lower() and ("only" in reply.lower() or "can" in reply.lower()), (example, reply)
        # A refusal (NotPermitted) is the one error the registry gives no usage line; any error rolls the
        # request back, so nothing was changed.
        assert ":warning:" in reply and "Usage:" not in reply, (example, reply)
