"""`make docs`: write the registry's table of commands into README.md, between its markers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from handlers.commands import REGISTRY

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- commands: start -->", "<!-- commands: end -->"


def with_table(text: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{README.name} has no {START} ... {END} markers")
    return pattern.sub(lambda _: f"{START}\n{REGISTRY.markdown_table()}\n{END}", text)


def main() -> None:
    before = README.read_text()
    after = with_table(before)
    README.write_text(after)
    print("README.md's table of commands is " + ("up to date" if after == before else "updated"), file=sys.stderr)


if __name__ == "__main__":
    main()
