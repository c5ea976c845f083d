"""`/cop export` when Slack refuses the file, and for a community with many thousands of records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import tracemalloc
import zipfile

import pytest
from sqlalchemy import insert, select

from handlers.commands import datarights as export_command
from models import Community, Contribution, Membership, Person
from models.contributions import ContributionKind
from models.datarights import community_kinds, write_export
from tests import factories
from tests.community import cop_fixture  # noqa: F401 (the `cop` fixture)
from tests.conftest import START, TEAM
from tests.fuzzing import check_log

FAILED = "couldn't send the file"


@pytest.fixture(name="spools")
def spools_fixture(monkeypatch) -> list:
    """Every temporary file an export writes to, kept to see that it was closed."""
    opened: list = []
    make = tempfile.TemporaryFile

    def temporary_file(*args, **kwargs):
        spool = make(*args, **kwargs)  # noqa: SIM115 (the code under test closes it)
        opened.append(spool)
        return spool

    monkeypatch.setattr(export_command.tempfile, "TemporaryFile", temporary_file)
    return opened


@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_an_export_slack_refuses_is_reported_as_failed_shares_nothing_and_closes_its_file(
        bot, cop, caplog, spools, method):
    cop("UBOB", "decision We keep Terraform")
    bot.slack.fail_next(method, error="internal_error")
    said = cop("UBOB", "export json")
    assert FAILED in said and "I've sent" not in said
    assert bot.slack.shared_files("DBOB") == []
    # Nothing of the export reached anyone: no message anywhere carries its records.
    assert not [m for m in bot.slack.messages if "We keep Terraform" in json.dumps([m.text, m.blocks])
                and m.channel != "CDEVOPS"]
    assert [s.closed for s in spools] == [True]
    check_log(caplog)
    # Slack back: the next export goes.
    said = cop("UBOB", "export json")
    assert FAILED not in said and "I've sent *DevOps CoP*'s records" in said
    assert bot.slack.wait_for(lambda: len(bot.slack.shared_files("DBOB")) == 1)
    assert [s.closed for s in spools] == [True, True]


MEMBERS, CONTRIBUTIONS = 2_000, 12_000


def _large_community(session) -> Community:
    place = factories.community(session, team_id=TEAM, now=START)
    session.execute(insert(Person), [dict(team_id=TEAM, user_id=f"UBULK{n:05d}", display_name=f"Member {n}",
                                          tz="UTC", created_at=START) for n in range(MEMBERS)])
    people = session.scalars(select(Person.id).where(Person.user_id.like("UBULK%")).order_by(Person.id)).all()
    session.execute(insert(Membership), [dict(community_id=place.id, person_id=p, joined_at=START) for p in people])
    session.execute(insert(Contribution), [
        dict(key=f"bulk:{n}", community_id=place.id, person_id=people[n % MEMBERS], kind=ContributionKind.MESSAGE,
             occurred_at=START - dt.timedelta(minutes=n), detail=f"message {n} «ünïcode» \"quoted\", with a comma")
        for n in range(CONTRIBUTIONS)])
    session.flush()
    return place


def test_a_large_communitys_export_is_streamed_complete_and_well_formed(session):
    place = _large_community(session)
    kinds = community_kinds(community=place)
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            summary = write_export(session, kinds=kinds, fmt="json", out=out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        size = out.tell()
        out.seek(0)
        document = json.load(out)
    assert summary.counts["contributions"] == CONTRIBUTIONS and summary.counts["people"] == MEMBERS
    assert len(document["contributions"]) == CONTRIBUTIONS and len(document["memberships"]) == MEMBERS
    assert {c["key"] for c in document["contributions"]} == {f"bulk:{n}" for n in range(CONTRIBUTIONS)}
    assert document["contributions"][0]["detail"].startswith("message ")
    # Rows are written a fetch at a time: the export never holds more than a small part of itself.
    assert size > 2_000_000 and peak < size / 4, (size, peak)

    with tempfile.TemporaryFile() as out:
        summary = write_export(session, kinds=kinds, fmt="csv", out=out)
        out.seek(0)
        archive = zipfile.ZipFile(out)
        assert archive.testzip() is None
        rows = list(csv.DictReader(io.TextIOWrapper(archive.open("contributions.csv"), encoding="utf-8")))
    assert len(rows) == CONTRIBUTIONS == summary.counts["contributions"]
    assert rows[5]["detail"] == 'message 5 «ünïcode» "quoted", with a comma'
