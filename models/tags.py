"""Tags on actions and knowledge, and people's expertise: short lower-case words that match each other."""

from __future__ import annotations

import re
from collections.abc import Iterable

from models.errors import BadArgument

MAX_TAGS = 10
MAX_TAG = 30
_TAG = re.compile(r"[a-z0-9][a-z0-9_+.-]*")


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """`#Terraform`, `terraform` and `TERRAFORM` are one tag; order kept, repeats dropped."""
    found: list[str] = []
    for raw in tags:
        tag = raw.strip().lstrip("#").lower().rstrip(".,;:")
        if not tag:
            continue
        if len(tag) > MAX_TAG or not _TAG.fullmatch(tag):
            raise BadArgument(f"“#{raw.strip().lstrip('#')[:40]}” is not a tag I can use: letters, digits and "
                              f"- _ + . only, at most {MAX_TAG} characters.")
        if tag not in found:
            found.append(tag)
    if len(found) > MAX_TAGS:
        raise BadArgument(f"That is {len(found)} tags; {MAX_TAGS} at most.")
    return found


def clean_tags(words: Iterable[str]) -> list[str]:
    """The usable tags among free-typed words (a form field): the rest are dropped, not refused."""
    found: list[str] = []
    for word in words:
        tag = word.strip().lstrip("#").lower().rstrip(".,;:")
        if tag and len(tag) <= MAX_TAG and _TAG.fullmatch(tag) and tag not in found:
            found.append(tag)
    return found[:MAX_TAGS]
