"""A channel typed in a command's text is read by one helper, whichever command it is typed in."""

from __future__ import annotations

import pathlib
import re

import pytest

from handlers.channels import channel_in, require_channel
from models.errors import BadArgument

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("text", "expected"), [
    ("<#C0123ABC|devops>", "C0123ABC"), (" <#G0123ABC> ", "G0123ABC"), ("<#C0123ABC|>", "C0123ABC"),
    ("#devops", None), ("<#C0123ABC|devops> and more", None), ("<#c0123abc|devops>", None),
    ("<#C0123ABC|de<vops>", None), ("<#C" + "1" * 20 + ">", None), ("<@U0123ABC|bob>", None), ("", None),
])
def test_a_channel_is_one_channel_as_slack_sends_it(text, expected):
    assert channel_in(text) == expected


def test_anything_else_is_refused_with_the_example():
    assert require_channel("<#C0123ABC|devops>", example="/cop x #c") == "C0123ABC"
    with pytest.raises(BadArgument, match="“news” is not a channel: pick one with `#`, e.g. `/cop x #c`"):
        require_channel("news", example="/cop x #c")
    with pytest.raises(BadArgument, match="“nothing” is not a channel"):
        require_channel("  ", example="/cop x #c")


def test_no_other_module_reads_a_channel_out_of_text_itself():
    # A pattern capturing the id of a channel as Slack sends it (`<#(...`); a hashtag finder that only skips one
    # inside free text is something else.
    pattern = re.compile(r"""re\.compile\(r?["'][^"']*<#\(""")
    own = [path.relative_to(ROOT).as_posix() for folder in ("handlers", "models", "bot")
           for path in (ROOT / folder).rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert own == ["handlers/channels.py"]
