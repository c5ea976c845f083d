"""The membership history is backfilled from what the records knew before it existed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrate import downgrade, upgrade
from models import Community, Contribution, Membership, Person
from tests.test_migrations import as_it_stands, empty_url  # noqa: F401  (empty_url is a fixture)

UTC = dt.UTC


def day(month: int, d: int) -> dt.datetime:
    return dt.datetime(2026, month, d, 9, 0, tzinfo=UTC)


def _instant(value) -> dt.datetime:  # noqa: ANN001
    if isinstance(value, str):  # SQLite gives the text back through a plain query
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_memberships_and_recorded_joins_become_periods(empty_url):  # noqa: F811
    upgrade(empty_url, "0019")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            community_id = connection.execute(as_it_stands(connection, Community).insert().values(
                team_id="T1", channel_id="C1", name="Ops", created_by="U1", created_at=day(1, 1))
            ).inserted_primary_key[0]
            people = {}
            for user_id in ("UACTIVE", "ULEFT", "UUNSTAMPED", "UBACK"):
                people[user_id] = connection.execute(as_it_stands(connection, Person).insert().values(
                    team_id="T1", user_id=user_id)).inserted_primary_key[0]
            memberships = as_it_stands(connection, Membership)
            for user_id, active, joined, left in (("UACTIVE", True, day(2, 1), None),
                                                  ("ULEFT", False, day(2, 1), day(3, 1)),
                                                  ("UUNSTAMPED", False, day(2, 5), None),
                                                  ("UBACK", True, day(6, 1), None)):
                connection.execute(memberships.insert().values(
                    community_id=community_id, person_id=people[user_id], active=active, joined_at=joined,
                    left_at=left))
            contributions = as_it_stands(connection, Contribution)
            for n, (user_id, kind, at) in enumerate((
                    ("UBACK", "joined", day(1, 10)), ("UBACK", "joined", day(3, 20)),  # two earlier joins
                    ("UBACK", "joined", day(6, 1)),  # the membership's own join
                    ("UBACK", "message", day(2, 1)),  # no join
                    ("UACTIVE", "joined", day(2, 1)))):
                connection.execute(contributions.insert().values(
                    key=f"k{n}", community_id=community_id, person_id=people[user_id], kind=kind, occurred_at=at))
        upgrade(empty_url)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT person_id, started_at, ended_at FROM membership_periods ORDER BY person_id, started_at")).all()
        found = [(person_id, _instant(start), _instant(end) if end is not None else None)
                 for person_id, start, end in rows]
        assert found == sorted([
            (people["UACTIVE"], day(2, 1), None),
            (people["ULEFT"], day(2, 1), day(3, 1)),
            (people["UUNSTAMPED"], day(2, 5), day(2, 5)),  # gone, when unknown: a period of no length
            # Joined, left when nobody recorded, joined again, and again: each earlier stretch ends at the next join.
            (people["UBACK"], day(1, 10), day(3, 20)),
            (people["UBACK"], day(3, 20), day(6, 1)),
            (people["UBACK"], day(6, 1), None),
        ], key=lambda row: (row[0], row[1]))
        downgrade(empty_url, "0019")
        assert "membership_periods" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
