"""Numbers as people type them: ASCII digits only.

`str.isdigit()` and a regular expression's `\\d` also take `²`, `①` and the digits of other scripts, which
`int()` refuses (or reads as a number nobody meant); copbot's numbers are written 0-9.
"""

from __future__ import annotations


def whole_number(text: str, *, digits: int = 9) -> int | None:
    """`text` as a whole number of at most `digits` ASCII digits; None when it is anything else."""
    text = text.strip()
    if 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None
