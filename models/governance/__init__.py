"""A community's governance: its annual plan, its KPIs and its budget, year by year."""

from __future__ import annotations

import datetime as dt

from models.communities import Community
from models.errors import BadArgument

MIN_YEAR, MAX_YEAR = 2000, 2100


def year_now(community: Community, now: dt.datetime) -> int:
    """The year it is on the community's own clock."""
    return now.astimezone(community.zone).year


def year_bounds(community: Community, year: int) -> tuple[dt.datetime, dt.datetime]:
    """The instants the year starts and ends, in UTC, on the community's own clock."""
    start = dt.datetime(year, 1, 1, tzinfo=community.zone).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=community.zone).astimezone(dt.UTC)
    return start, end


def parse_year(word: str, *, community: Community, now: dt.datetime) -> int:
    """A year as typed (four ASCII digits), or this year on the community's clock when nothing is typed."""
    word = word.strip()
    if not word:
        return year_now(community, now)
    if not (len(word) == 4 and word.isascii() and word.isdigit()) or not MIN_YEAR <= int(word) <= MAX_YEAR:
        raise BadArgument(f"“{word[:20]}” is not a year: say one like `{year_now(community, now)}`.")
    return int(word)


def parse_number(word: str, *, what: str) -> int:
    """A positive whole number as typed in ASCII digits (`#3` or `3`)."""
    word = word.strip().lstrip("#")
    if not (word.isascii() and word.isdigit()) or len(word) > 9 or int(word) == 0:
        raise BadArgument(f"Say which {what} by its number, e.g. `3`.")
    return int(word)
